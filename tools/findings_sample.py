"""Precision of the checks on real documents: run every rule over the corpus and the wide corpus,
print how many findings each rule raises, and draw a seeded random sample of findings to read
against the pages (issue 13: ≥ 90% of a sample of 60 must be true defects).

Extraction is slow, so each document's extraction is cached (pickle under /tmp, keyed by the files'
names, sizes and dates): after the extractor changes, `--refresh` re-reads everything.

    python tools/findings_sample.py [--sample 60] [--seed 13] [--jobs 2] [--rule D06] [--refresh]
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import random
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CACHE = Path("/tmp/bw_review_extract")


def _key(group: list[Path]) -> Path:
    h = hashlib.sha256()
    for p in group:
        h.update(p.name.encode())
        h.update(str(p.stat().st_size).encode())
        h.update(str(int(p.stat().st_mtime)).encode())
    return CACHE / f"{h.hexdigest()[:20]}.pkl"


def _extract(args):
    group, out = args
    from budgetwatch.extract.document import extract_files

    try:
        doc = extract_files(group)
    except Exception as e:  # a document the reader refuses: recorded, not a finding
        doc = f"ERROR {e}"
    out.write_bytes(pickle.dumps(doc))
    return group[0].name


def documents(refresh: bool, jobs: int):
    from budgetwatch.pipeline import discover

    groups = discover([SHARED / "corpus"]) + discover([SHARED / "corpus-wide"])
    CACHE.mkdir(exist_ok=True)
    todo = [(g, _key(g)) for g in groups if refresh or not _key(g).exists()]
    if todo:
        print(f"extracting {len(todo)} of {len(groups)} documents ({jobs} processes)…", file=sys.stderr)
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            for i, name in enumerate(ex.map(_extract, todo), 1):
                print(f"  {i}/{len(todo)} {name}", file=sys.stderr)
    for g in groups:
        doc = pickle.loads(_key(g).read_bytes())
        if isinstance(doc, str):
            print(f"{g[0].name}: {doc}", file=sys.stderr)
            continue
        yield g, doc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rule", action="append", help="only findings of these rules")
    ap.add_argument("--refresh", action="store_true")
    a = ap.parse_args(argv)
    from budgetwatch.checks import run_checks

    found = []
    for group, doc in documents(a.refresh, min(a.jobs, 2)):
        for f in run_checks(doc):
            if not a.rule or f.rule in a.rule:
                found.append((group, f))
    per = Counter(f.rule for _, f in found)
    print(f"findings: {len(found)} over the corpus and the wide corpus")
    for r, n in sorted(per.items()):
        print(f"  {r}  {n}")
    rng = random.Random(a.seed)
    sample = rng.sample(found, min(a.sample, len(found)))
    print(f"\nsample of {len(sample)} (seed {a.seed}):")
    for i, (group, f) in enumerate(sample, 1):
        where = f"p{f.page}" if f.page is not None else f"l{f.line}"
        print(f"{i:2d}. {f.rule} {f.severity} {group[0].name} {where} | {f.message[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
