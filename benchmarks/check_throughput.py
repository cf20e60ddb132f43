"""Checking speed: ms to run every rule on one document, with a baseline measured in the same run on the same
documents (serialising each to its canonical JSON — one walk over every figure). Target: median ≤ 50 ms per
document.

The documents are the samples and ../shared/corpus, extracted here; or, with `--db`, every document stored in a
database (`budgetwatch ingest … --no-check`), read back without extracting — the corpus and the wide corpus in a
few seconds. Each document is timed `--rounds` times and its best is kept (CPU time: the machine is shared).

    python benchmarks/check_throughput.py [--rounds 5] [--files N] [--db sqlite:///bw.db]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from budgetwatch.checks import run_checks

ROOT = Path(__file__).resolve().parent.parent


def per_doc(fn, docs, rounds):
    return [min(_time(fn, d) for _ in range(rounds)) * 1000 for d in docs]


def _time(fn, d):
    t = time.process_time()
    fn(d)
    return time.process_time() - t


def extracted(files: int) -> list:
    from budgetwatch.extract import extract_files
    from budgetwatch.pipeline import discover

    groups = discover([ROOT / "samples"]) + discover([ROOT.parent / "shared" / "corpus"])
    if files:
        groups = groups[: 3 + files]
    docs = []
    for g in groups:
        try:
            docs.append(extract_files(g))
        except Exception as e:  # a document the reader refuses is not a checking cost
            print(f"skip {g[0].name}: {e}", file=sys.stderr)
    return docs


def stored(url: str, files: int) -> list:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from budgetwatch.store.db import open_db
    from budgetwatch.store.newest import is_newest
    from budgetwatch.store.repository import load_version
    from budgetwatch.store.schema import Version

    with Session(open_db(url)) as s:
        ids = list(s.scalars(select(Version.id).where(is_newest()).order_by(Version.id)))
        return [load_version(s, i) for i in ids[: files or None]]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=0, help="only the first N documents (0: all)")
    ap.add_argument("--db", help="time the documents stored in this database instead of extracting the corpus")
    a = ap.parse_args(argv)
    docs = stored(a.db, a.files) if a.db else extracted(a.files)
    check = per_doc(lambda d: run_checks(d), docs, a.rounds)
    base = per_doc(lambda d: json.dumps(d.to_dict(), ensure_ascii=False), docs, a.rounds)
    med_c, med_b = statistics.median(check), statistics.median(base)
    p95 = sorted(check)[int(0.95 * (len(check) - 1))]
    slowest = max(range(len(docs)), key=lambda i: check[i])
    print(f"documents: {len(docs)} ({'stored in ' + a.db if a.db else 'samples + corpus, extracted'})")
    print(f"check   median {med_c:.2f} ms  p95 {p95:.2f} ms  max {max(check):.2f} ms CPU per document")
    print(f"        slowest: {docs[slowest].unit} {docs[slowest].year} ({len(docs[slowest].forms)} forms)")
    print(f"baseline (canonical JSON) median {med_b:.2f} ms per document")
    print(
        f"ratio check/baseline: {med_c / med_b:.2f}×   target median ≤ 50 ms per document: "
        f"{'met' if med_c <= 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
