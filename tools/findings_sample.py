"""Precision of the checks on real documents: check every document stored in a database (the corpus and the
wide corpus ingested with the CLI), print how many findings each rule raises and on how many documents, and
draw a seeded random sample of findings to read against the pages (issue 13: ≥ 90% of a sample of 60 must be
true defects, no rule above 10% false alarms).

    budgetwatch ingest ../shared/seeds ../shared/corpus ../shared/corpus-wide --db sqlite:///bw.db --no-check
    python tools/findings_sample.py --db sqlite:///bw.db [--sample 60] [--seed 13] [--rule D06] [--under corpus]
                                    [--no-check] [--full]

The checks run again on every stored document first (as `budgetwatch check --all` does, with the same history
and peers), so a rule changed since the ingest is measured as it is now; `--no-check` samples the stored
findings as they are. `--under` keeps the documents whose first file lies under a folder of that name (the seeds
are stored too, but the sample is drawn from the corpora).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path


def stored_findings(db: str, recheck: bool, under: list[str]):
    """[(file path, finding)] for every newest version whose first file lies under one of `under`."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from budgetwatch.pipeline import check
    from budgetwatch.store.db import open_db
    from budgetwatch.store.findings import load_findings
    from budgetwatch.store.newest import is_newest
    from budgetwatch.store.schema import SourceFileRecord, Version

    engine = open_db(db)
    if recheck:
        check(engine)
    with Session(engine) as s:
        versions = list(s.scalars(select(Version).where(is_newest()).order_by(Version.document_id)))
        first: dict[int, str] = {}  # a document of several files is named by all of them (a page is in one)
        for f in s.scalars(select(SourceFileRecord).order_by(SourceFileRecord.version_id, SourceFileRecord.ordinal)):
            first[f.version_id] = f"{first[f.version_id]}+{f.name}" if f.version_id in first else f.path or f.name
        chosen = [v.id for v in versions if not under or any(u in Path(first[v.id]).parts for u in under)]
        found = load_findings(s, chosen)
    return [(first[vid], f) for vid in chosen for f in found[vid]]


def where(f) -> str:
    return f"p{f.page}" if f.page is not None else f"l{f.line}" if f.line is not None else "-"


def values(f) -> str:
    parts = [f"{k}={getattr(f, k)}" for k in ("value", "expected", "difference") if getattr(f, k) is not None]
    return " ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="SQLAlchemy URL of the database the documents are stored in")
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--rule", action="append", help="only findings of these rules")
    ap.add_argument("--under", action="append", default=None, help="folder names (default: corpus, corpus-wide)")
    ap.add_argument("--no-check", action="store_true", help="sample the stored findings without checking again")
    ap.add_argument("--full", action="store_true", help="print each sampled message whole, with its suggestion")
    a = ap.parse_args(argv)
    under = a.under if a.under is not None else ["corpus", "corpus-wide"]
    found = stored_findings(a.db, not a.no_check, under)
    docs = {p for p, _ in found}
    if a.rule:
        found = [(p, f) for p, f in found if f.rule in a.rule]
    per = Counter(f.rule for _, f in found)
    on = defaultdict(set)
    for p, f in found:
        on[f.rule].add(p)
    print(f"findings: {len(found)} on {len(docs)} documents with findings (folders: {', '.join(under)})")
    print("  rule  findings  documents  share")
    for r, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {r:<5} {n:8d}  {len(on[r]):9d}  {n / len(found):6.1%}")
    rng = random.Random(a.seed)
    sample = rng.sample(found, min(a.sample, len(found)))
    print(f"\nsample of {len(sample)} (seed {a.seed}):")
    width = None if a.full else 240
    for i, (path, f) in enumerate(sample, 1):
        print(f"{i:2d}. {f.rule} {f.severity} {Path(f.file or path).name} {where(f)} {values(f)}")
        print(f"    {f.message[:width]}")
        if a.full and f.suggestion:
            print(f"    → {f.suggestion}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
