"""`budgetwatch spark` on a Spark standalone cluster (a master and a worker, JVMs of their own started by the
test from the PySpark install, the package shipped to the worker as a zip): the same datasets as the
in-process pipeline — documents, the cells' count and checksum, the findings of every family including F —
over a subset of ../shared/corpus-wide and a 说明 + 报表 pair of ../shared/corpus."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter

import pytest

from budgetwatch.scale.standalone import java_missing

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

WHY = java_missing()
pytestmark = [needs_corpus, pytest.mark.skipif(WHY is not None and not os.environ.get("CI"), reason=WHY or "")]

SUBSET = 24  # the smallest files of one province in corpus-wide (a year's peers, for F03): minutes of CI
PAIR = ("beijing-shi-sifaju-2026-yusuan.part1-text.pdf", "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf")


def cell_line(key, table, row, column, amount) -> str:
    return f"{key}\t{table}\t{row}\t{column}\t{'' if amount is None else f'{float(amount):.4f}'}"


def checksum(lines) -> tuple[int, str]:
    lines = sorted(lines)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def from_database(url: str) -> dict:
    """The in-process pipeline's datasets: ingest (reading, extraction, checks) then `check` of every document
    against all the others (family F as `budgetwatch check --all` finds it)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from budgetwatch.store.db import open_db
    from budgetwatch.store.newest import is_newest
    from budgetwatch.store.schema import CellRecord, DocumentRecord, FindingRecord, RowRecord, TableRecord, Version

    engine = open_db(url)
    with Session(engine) as s:
        newest = select(Version.id, DocumentRecord.key).join(DocumentRecord).where(is_newest()).subquery()
        cells = s.execute(
            select(newest.c.key, TableRecord.ordinal, RowRecord.ordinal, CellRecord.column_key, CellRecord.amount)
            .join(TableRecord, TableRecord.version_id == newest.c.id)
            .join(RowRecord, RowRecord.table_id == TableRecord.id)
            .join(CellRecord, CellRecord.row_id == RowRecord.id)
        ).all()
        findings = s.execute(
            select(newest.c.key, FindingRecord.rule, FindingRecord.family).join(
                newest, newest.c.id == FindingRecord.version_id
            )
        ).all()
        keys = s.scalars(select(newest.c.key)).all()
    engine.dispose()
    return {
        "documents": sorted(keys),
        # Spark numbers tables and rows from 1, as a reader counts (model.figures); the store from 0
        "cells": checksum(cell_line(k, t + 1, r + 1, col, amount) for k, t, r, col, amount in cells),
        "findings": Counter((k, rule) for k, rule, _ in findings),
        "family F": sum(1 for *_, fam in findings if fam == "F"),
    }


def from_parquet(out) -> dict:
    import duckdb

    def rows(name, cols):
        return duckdb.sql(
            f"select {cols} from read_parquet('{out / name}/**/*.parquet', hive_partitioning = true)"
        ).fetchall()

    findings = rows("findings", "key, rule, family")
    return {
        "documents": sorted(k for (k,) in rows("documents", "key")),
        "cells": checksum(cell_line(*c) for c in rows("cells", 'key, table_no, row_no, "column", amount')),
        "findings": Counter((k, rule) for k, rule, _ in findings),
        "family F": sum(1 for *_, fam in findings if fam == "F"),
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster-in")
    smallest = sorted(CORPUS_WIDE.glob("beijing-*.pdf"), key=lambda p: (p.stat().st_size, p.name))[:SUBSET]
    for f in [*smallest, *(CORPUS / n for n in PAIR)]:
        shutil.copy(f, base / f.name)
    return base


def test_the_standalone_cluster_gives_the_datasets_of_the_in_process_pipeline(folder, tmp_path):
    if WHY is not None:
        pytest.fail(f"CI needs the Spark cluster test: {WHY}")
    from budgetwatch.pipeline import check, ingest
    from budgetwatch.scale.spark import run
    from budgetwatch.scale.standalone import standalone
    from budgetwatch.store.db import open_db

    url = f"sqlite:///{tmp_path / 'here.db'}"
    engine = open_db(url)
    summary = ingest(engine, [folder], check=True)
    assert summary.count("failed") == 0, [o.message for o in summary.failed]
    check(engine)  # every document against all the others, as check --all
    engine.dispose()
    here = from_database(url)

    with standalone(workers=1, cores=1) as master:
        counts = run([folder], tmp_path / "out", master=master)
    there = from_parquet(tmp_path / "out")

    # one document a key, as the database keeps one newest version (corpus-wide prints some disclosures twice)
    assert counts["failed"] == [] and counts["documents"] == len(here["documents"]) > SUBSET // 2
    assert there["documents"] == here["documents"]
    assert there["cells"] == here["cells"] and here["cells"][0] > 1000
    assert there["family F"] == here["family F"] > 0  # the peers' and the history's findings, joined in Spark
    assert there["findings"] == here["findings"]
