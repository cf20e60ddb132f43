"""Checking one document is independent of how many are stored (issue 18): the samples are ingested into a
fresh SQLite database beside N synthetic peers — documents of other units, same year and stage, each only a
version row and a key_figures row (what family F reads of a peer; cheap to make, documented here) — and
`budgetwatch check <one document>` is timed, with the peak memory of the process, at each N.

    python benchmarks/check_one_at_scale.py [--sizes 50 20000] [--rounds 3]

Each size runs in its own process so that its peak memory is its own. The ratio between sizes is the point.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def build(url: str, n: int) -> int:
    """The samples ingested and checked, then n synthetic peers of the first one; its document id."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from budgetwatch.model import KEY_FIGURE_FIELDS
    from budgetwatch.pipeline import ingest
    from budgetwatch.store.db import open_db
    from budgetwatch.store.schema import DocumentRecord, KeyFigures, Version

    engine = open_db(url)
    ingest(engine, [SAMPLES], check=True)
    with Session(engine) as s:
        v = s.scalars(select(Version).order_by(Version.id)).first()
        fig = s.get(KeyFigures, v.id)
        base = {k: getattr(fig, k) for k in KEY_FIGURE_FIELDS}
        doc_id, year, stage = v.document_id, v.year, v.stage
    with engine.begin() as c:
        first = c.execute(select(DocumentRecord.id).order_by(DocumentRecord.id.desc())).scalar() + 1
        c.execute(
            insert(DocumentRecord),
            [
                {
                    "id": first + i,
                    "key": f"synthetic-{i}|{year}|{stage}|department",
                    "year": year,
                    "stage": stage,
                    "scope": "department",
                }
                for i in range(n)
            ],
        )
        rows = (
            c.execute(
                insert(Version).returning(Version.id),
                [
                    {
                        "document_id": first + i,
                        "number": 1,
                        "content_sha256": f"{i:064d}",
                        "format": "text",
                        "schema": "budgetwatch.extraction/v1",
                        "unit_name": f"合成单位{i}",
                        "year": year,
                        "stage": stage,
                        "scope": "department",
                        "latest": True,
                    }
                    for i in range(n)
                ],
            )
            .scalars()
            .all()
        )
        # peers' figures scaled a little, so that their median moves (family F03 compares with it)
        c.execute(
            insert(KeyFigures),
            [
                {
                    "version_id": vid,
                    "classes": {},
                    # the version's columns key_figures keeps a copy of (store/figures.VERSION_COPIES)
                    "document_id": first + i,
                    "year": year,
                    "stage": stage,
                    "latest": True,
                    **{k: (x * (1 + (i % 7) / 10) if isinstance(x, float) else x) for k, x in base.items()},
                }
                for i, vid in enumerate(rows)
            ],
        )
    return doc_id


def measure(url: str, doc_id: int, rounds: int) -> dict:
    from budgetwatch.pipeline import check
    from budgetwatch.store.db import open_db

    engine = open_db(url)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        found = check(engine, [doc_id])
        times.append(time.perf_counter() - t)
    return {
        "seconds": min(times),
        "findings": sum(len(fs) for fs in found.values()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 20000])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # url n: run one size in this process
    a = ap.parse_args()
    if a.one:
        url, n = a.one[0], int(a.one[1])
        doc_id = build(url, n)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"n": n, "built_peak_mb": before, **measure(url, doc_id, a.rounds)}))
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.sizes:
            url = f"sqlite:///{tmp}/scale-{n}.db"
            out = subprocess.run(
                [sys.executable, __file__, "--rounds", str(a.rounds), "--one", url, str(n)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    base = results[0]
    print(f"{'stored peers':>12} {'check one (s)':>14} {'× smallest':>10} {'peak MB':>8} {'findings':>8}")
    for r in results:
        print(
            f"{r['n']:>12} {r['seconds']:>14.3f} {r['seconds'] / base['seconds']:>10.2f} {r['peak_mb']:>8.0f} "
            f"{r['findings']:>8}"
        )


if __name__ == "__main__":
    main()
