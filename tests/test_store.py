"""Ingest into SQLite and PostgreSQL: idempotency, versioning, atomicity, JSON round trip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from budgetwatch.extract import extract_files
from budgetwatch.pipeline import ingest, ingest_one
from budgetwatch.store.repository import latest_versions, load_version, save_version
from budgetwatch.store.schema import CellRecord, DocumentRecord, IndicatorRecord, TableRecord, Version

from conftest import CORPUS, SAMPLES, SEEDS, needs_corpus, seed


def counts(engine):
    with Session(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (DocumentRecord, Version, TableRecord, CellRecord, IndicatorRecord)
        }


def test_round_trip_json_equals_extract(engine):
    summary = ingest(engine, [SAMPLES])
    assert summary.count("ingested") == len(SEEDS) and not summary.failed
    with Session(engine) as s:
        stored = {v.files[0].name: load_version(s, v.id).to_dict() for v in latest_versions(s)}
    for p in SEEDS:
        assert stored[p.name] == extract_files([p]).to_dict()


@needs_corpus
def test_round_trip_of_a_pdf_keeps_each_figure_its_printed_text_and_box(engine):
    """A PDF's figures come back row by row with their text as printed and their box on the page (the 文档
    page's source links), on both back-ends: load_version reads its cells as plain tuples, in one pass."""
    doc = extract_files([CORPUS / "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf"])
    rows = [r for t in doc.tables for r in t.rows]
    assert sum(len(r.boxes) for r in rows) > 100 and sum(len(r.printed) for r in rows) > 100
    with Session(engine) as s:
        v = save_version(s, doc)
        s.commit()
        assert load_version(s, v.id).to_dict() == doc.to_dict()
        assert [r.printed for t in load_version(s, v.id).tables for r in t.rows] == [r.printed for r in rows]


def test_reingest_identical_bytes_changes_nothing(engine):
    ingest(engine, [SAMPLES])
    before = counts(engine)
    again = ingest(engine, [SAMPLES])
    assert again.count("unchanged") == len(SEEDS) and again.count("ingested") == 0
    assert counts(engine) == before


def test_changed_bytes_become_a_new_version_old_kept(engine, tmp_path):
    src = seed("001")
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    first = ingest_one(engine, [copy])
    # a corrected republication: one figure of the 三公 table changes
    text = copy.read_text(encoding="utf-8").replace("因公出国（境）费\t18.00\t18.00", "因公出国（境）费\t17.00\t17.00")
    copy.write_text(text, encoding="utf-8")
    second = ingest_one(engine, [copy])
    assert first.status == second.status == "ingested"
    assert second.document_id == first.document_id and (first.version, second.version) == (1, 2)
    with Session(engine) as s:
        old, new = load_version(s, first.version_id), load_version(s, second.version_id)
    pick = lambda d: next(t for t in d.tables if t.kind == "three_public").rows[0].values["total"]  # noqa: E731
    assert (pick(old), pick(new)) == (18.0, 17.0)


def test_failure_midway_leaves_database_unchanged(engine):
    ingest_one(engine, [seed("000")])
    before = counts(engine)

    def explode(session):
        assert session.scalar(select(func.count()).select_from(CellRecord)) > before["cells"]  # really midway
        raise RuntimeError("disk full")

    out = ingest_one(engine, [seed("001")], before_commit=explode)
    assert out.status == "failed" and "disk full" in out.message and seed("001").name in out.message
    assert counts(engine) == before


def test_batch_goes_on_past_a_bad_file(engine, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    good = tmp_path / seed("002").name
    shutil.copy(seed("002"), good)
    summary = ingest(engine, [tmp_path])
    assert summary.count("ingested") == 1 and summary.count("failed") == 1
    assert summary.failed[0].message == f"{bad}: empty file"
    assert counts(engine)["documents"] == 1


@pytest.mark.parametrize("stem", ["000"])
def test_amounts_keep_printed_text(engine, stem):
    out = ingest_one(engine, [seed(stem)])
    with Session(engine) as s:
        doc = load_version(s, out.version_id)
    summ = next(t for t in doc.tables if t.kind == "summary")
    assert summ.rows[0].printed == {"total": "1486.80"} and summ.rows[0].line == 72


def test_migrations_build_the_schema_the_code_declares(engine):
    """Alembic's revisions and the SQLAlchemy models describe the same tables, columns and indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from budgetwatch.access import tables as _access  # noqa: F401  every table on the one metadata: store's
    from budgetwatch.execution import model as _execution  # noqa: F401  own and those the layers above register
    from budgetwatch.feed import model as _feed  # noqa: F401  (a module left out: its tables show as removed)
    from budgetwatch.store.schema import Base
    from budgetwatch.store.search import backend_own

    def declared(name, type_, parent) -> bool:  # not the full-text index: FTS5 tables, a GIN expression index
        return not backend_own(name or "")

    with engine.connect() as c:
        diffs = compare_metadata(MigrationContext.configure(c, opts={"include_name": declared}), Base.metadata)
    assert diffs == []


@needs_corpus
def test_a_folder_is_ingested_reading_each_file_once(tmp_path, monkeypatch):
    """Pairing reads every file of a folder to see which belong together; extraction uses what it read."""
    import budgetwatch.extract.document as document
    import budgetwatch.extract.pairing as pairing
    from budgetwatch.store.db import open_db

    corpus = CORPUS
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (
        "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
        "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
        "jilin-changchun-xinfangju-2026-yusuan.pdf",
    ):
        shutil.copy(corpus / name, folder / name)
    shutil.copy(seed("000"), folder / seed("000").name)
    reads = []
    real = pairing.read_source

    def counting(path):
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(pairing, "read_source", counting)
    monkeypatch.setattr(document, "read_source", counting)
    summary = ingest(open_db(f"sqlite:///{tmp_path / 'bw.db'}"), [folder])
    assert sorted(reads) == sorted(p.name for p in folder.iterdir())
    assert sorted(len(o.files) for o in summary.outcomes) == [1, 1, 2] and not summary.failed
