"""Checking speed: ms to run every rule on one document, over the seeds and the corpus, with a
baseline measured in the same run (serialising the same document to its canonical JSON — one walk
over every figure). Target: ≤ 50 ms per document.

    python benchmarks/check_throughput.py [--rounds 5] [--files N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from budgetwatch.checks import run_checks
from budgetwatch.extract import extract_files
from budgetwatch.pipeline import discover

ROOT = Path(__file__).resolve().parent.parent


def per_doc(fn, docs, rounds):
    out = []
    for d in docs:
        best = min(_time(fn, d) for _ in range(rounds))
        out.append(best * 1000)
    return out


def _time(fn, d):
    t = time.perf_counter()
    fn(d)
    return time.perf_counter() - t


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=0, help="only the first N corpus documents (0: all)")
    a = ap.parse_args(argv)
    groups = discover([ROOT / "samples"]) + discover([ROOT.parent / "shared" / "corpus"])
    if a.files:
        groups = groups[: 3 + a.files]
    docs = []
    for g in groups:
        try:
            docs.append(extract_files(g))
        except Exception as e:  # a document the reader refuses is not a checking cost
            print(f"skip {g[0].name}: {e}", file=sys.stderr)
    check = per_doc(lambda d: run_checks(d), docs, a.rounds)
    base = per_doc(lambda d: json.dumps(d.to_dict(), ensure_ascii=False), docs, a.rounds)
    med_c, med_b = statistics.median(check), statistics.median(base)
    p95 = sorted(check)[int(0.95 * (len(check) - 1))]
    print(f"documents: {len(docs)}")
    print(f"check   median {med_c:.2f} ms  p95 {p95:.2f} ms  max {max(check):.2f} ms per document")
    print(f"baseline (canonical JSON) median {med_b:.2f} ms per document")
    print(
        f"ratio check/baseline: {med_c / med_b:.2f}×   target ≤ 50 ms per document: "
        f"{'met' if max(check) <= 50 else 'NOT met (max)'}"
    )


if __name__ == "__main__":
    main()
