"""County-scale ingest (issue 18, point 3): ≈100 documents read, extracted, stored and checked into a fresh
database, by the old path and by the new one in the same run, on SQLite and (with --pg) on PostgreSQL.

The documents: ../shared/corpus as a folder (its 说明-only and tables-only files paired, as a county's
folder would be) and the first --wide files of ../shared/corpus-wide, each named on its own. The old path is
the source tree of --baseline (a git revision, exported with `git archive`), run sequentially as it was; the
new one is this checkout with --workers reader processes. Each run is its own process on a fresh database;
the wall time is the ingest call's (not the interpreter's start or the migrations), CPU is the process's and
its children's. Both runs must store the same numbers of versions, cells and findings.

    nice -n 10 python benchmarks/county_ingest.py [--wide 52] [--workers 2] [--baseline REV]
        [--new REV] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/bw_bench]

Target: ≤ 30 s wall on SQLite and on PostgreSQL on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

RUNNER = r"""
import json, resource, sys, time
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
url, workers, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if url.startswith("postgresql"):
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:   # a fresh schema for each run
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    admin.dispose()
from budgetwatch.store.db import open_db
try:
    from budgetwatch.pipeline import ingest
    kw = {"workers": workers} if workers > 1 else {}
except ImportError:   # the tree before pipeline.py
    from budgetwatch.store.ingest import ingest
    kw = {}
from budgetwatch.store.schema import CellRecord, FindingRecord, Version
engine = open_db(url)
t = time.perf_counter()
c0 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
summary = ingest(engine, paths, check=True, **kw)
wall = time.perf_counter() - t
c1 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
own, children = (b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(c0, c1))
cpu = own + children
with Session(engine) as s:
    counts = {n: s.scalar(select(func.count(m.id))) for n, m in
              (("versions", Version), ("cells", CellRecord), ("findings", FindingRecord))}
print(json.dumps({"wall": wall, "cpu": cpu, "cpu_own": own, "cpu_children": children, "ingested": summary.count("ingested"),
                  "failed": summary.count("failed"), **counts}))
"""


def inputs(wide: int) -> list[str]:
    corpus, spread = SHARED / "corpus", SHARED / "corpus-wide"
    if not corpus.is_dir():
        sys.exit(f"{corpus}: not found (the benchmark reads the shared corpus in place)")
    files = sorted(p for p in spread.glob("*") if p.suffix.lower() in (".pdf", ".html", ".htm", ".txt", ".xlsx"))
    return [str(corpus), *map(str, files[:wide])]


def source_tree(rev: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="bw-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out / "src"


def run(src: Path, url: str, workers: int, paths: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run(
        [sys.executable, "-c", RUNNER, url, str(workers), *paths],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if r.returncode != 0:
        sys.exit(f"run failed ({src}, {url}):\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wide", type=int, default=52, help="files of corpus-wide added to the corpus folder")
    ap.add_argument("--workers", type=int, default=2, help="reader processes of the new path")
    ap.add_argument(
        "--baseline",
        default="8e5f7f8",
        help="git revision of the old path (default: the last one before the bulk writer and the pool)",
    )
    ap.add_argument("--new", help="git revision of the new path (default: this checkout's src/ as it is)")
    ap.add_argument("--pg", help="a PostgreSQL URL whose database may be emptied (its public schema is dropped)")
    args = ap.parse_args()
    paths = inputs(args.wide)
    old_src = source_tree(args.baseline)
    new_src = source_tree(args.new) if args.new else ROOT / "src"
    backends = [("SQLite", lambda: f"sqlite:///{Path(tempfile.mkdtemp()) / 'county.db'}")]
    if args.pg:
        backends.append(("PostgreSQL", lambda: args.pg))
    print(
        f"{len(paths) - 1} corpus-wide files + the corpus folder; old = {args.baseline} (sequential), "
        f"new = {args.new or 'this tree'} ({args.workers} readers); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'backend':<11} {'path':<4} {'wall s':>7} {'cpu s':>7} {'docs':>5} {'failed':>6} {'cells':>8} {'findings':>8}"
    )
    for name, url in backends:
        old = run(old_src, url(), 1, paths)
        new = run(new_src, url(), args.workers, paths)
        for label, r in (("old", old), ("new", new)):
            print(
                f"{name:<11} {label:<4} {r['wall']:7.1f} {r['cpu']:7.1f} {r['ingested']:5d} {r['failed']:6d} "
                f"{r['cells']:8d} {r['findings']:8d}"
            )
        same = all(old[k] == new[k] for k in ("versions", "cells", "findings", "failed"))
        print(
            f"{name:<11} new/old wall {new['wall'] / old['wall']:.2f}, cpu {new['cpu'] / old['cpu']:.2f}; "
            f"same stored counts: {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()
