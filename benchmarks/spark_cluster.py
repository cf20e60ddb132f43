"""`budgetwatch spark` on a Spark standalone cluster started here (scale/standalone.py): a master and 1, then 2,
workers of one core each, over ../shared/corpus-wide (or its first --limit files); prints both wall times, the
ratio, the load the machine was under, and whether both runs wrote the same datasets.

    python benchmarks/spark_cluster.py [--limit N] [--workers 1 2]

The wall time is the job's (SparkSession start to the last dataset written), not the cluster's start. On a
shared machine the ratio says more than the seconds: `uptime`'s load is printed before and after each run."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDE = ROOT.parent / "shared" / "corpus-wide"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="only the first N files of corpus-wide (by name)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    a = ap.parse_args()
    from budgetwatch.scale.spark import run
    from budgetwatch.scale.standalone import java_missing, standalone

    if (why := java_missing()) is not None:
        sys.exit(why)
    if not WIDE.is_dir():
        sys.exit(f"{WIDE}: not found (the benchmark reads the shared corpus in place)")
    files = sorted(p for p in WIDE.iterdir() if p.suffix.lower() in (".pdf", ".html", ".htm", ".txt", ".xlsx"))
    files = files[: a.limit] if a.limit else files
    print(f"{len(files)} files of corpus-wide, each named on its own; {os.cpu_count()} CPUs")
    results = {}
    for n in a.workers:
        out = Path(tempfile.mkdtemp(prefix="bw-spark-bench-"))
        with standalone(workers=n, cores=1) as master:
            load = os.getloadavg()[0]
            t = time.perf_counter()
            counts = run([str(f) for f in files], out / "out", master=master)
            wall = time.perf_counter() - t
        shutil.rmtree(out, ignore_errors=True)
        counts.pop("failed")
        results[n] = (wall, counts)
        print(f"{n} worker(s): {wall:7.1f} s   load {load:.1f} → {os.getloadavg()[0]:.1f}   {counts}")
    if len(results) > 1:
        (n1, (w1, c1)), *rest = sorted(results.items())
        for n, (w, c) in rest:
            print(f"{n} workers vs {n1}: {w1 / w:.2f}× faster; same datasets: {'yes' if c == c1 else 'NO'}")


if __name__ == "__main__":
    main()
