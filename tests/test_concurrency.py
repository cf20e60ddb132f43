"""Concurrent ingests — two real processes on SQLite and on PostgreSQL — give exactly the result of one:
the same documents, one version per content, no error (the loser finds the bytes stored, or waits)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from budgetwatch.store.db import open_db
from budgetwatch.store.schema import DocumentRecord, Version

from conftest import SAMPLES, seed

CLI = [sys.executable, "-m", "budgetwatch"]


def _state(url: str) -> list[tuple]:
    engine = create_engine(url)
    with Session(engine) as s:
        rows = s.execute(
            select(DocumentRecord.key, Version.number, Version.content_sha256)
            .join(Version, Version.document_id == DocumentRecord.id)
            .order_by(DocumentRecord.key, Version.number)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _race(url: str, *paths, runs: int = 2) -> list[subprocess.CompletedProcess]:
    procs = [
        subprocess.Popen(
            CLI + ["ingest", *map(str, paths), "--db", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(runs)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def test_two_concurrent_ingests_store_exactly_what_one_does(db_url, tmp_path):
    open_db(db_url).dispose()  # migrated once before the race: the race is about documents, not the schema
    folder = tmp_path / "docs"
    shutil.copytree(SAMPLES, folder)
    for r in _race(db_url, folder):
        assert r.returncode == 0 and "Traceback" not in r.stderr and "失败 0" in r.stdout, r.stdout + r.stderr
    state = _state(db_url)
    assert len(state) == 3 and [n for _, n, _ in state] == [1, 1, 1] and len({k for k, _, _ in state}) == 3

    # one changed file, ingested by two processes at once: one new version, not two
    changed = folder / seed("001").name
    changed.write_bytes(changed.read_bytes() + "\n补充说明。\n".encode())
    results = _race(db_url, changed)
    for r in results:
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert sorted(r.stdout.count("新入库 v") for r in results) == [0, 1]
    after = _state(db_url)
    assert len(after) == 4 and sorted(n for _, n, _ in after) == [1, 1, 1, 2]

    # a single ingest of the same bytes into a fresh database gives the same rows
    single = f"sqlite:///{tmp_path / 'single.db'}"
    subprocess.run(CLI + ["ingest", str(folder), "--db", single, "--no-check"], check=True, capture_output=True)
    assert {(k, sha) for k, _, sha in _state(single)} <= {(k, sha) for k, _, sha in after}


def _store_as_0007(engine, doc, number: int) -> int:
    """One version of `doc` written with Core into the tables as 0007 left them (the ORM maps today's
    columns, which 0007 lacks): the version, its tables, rows and cells."""
    from datetime import datetime

    from sqlalchemy import MetaData, insert

    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    now = datetime.now(UTC)
    with engine.begin() as c:
        doc_id = c.execute(select(t["documents"].c.id)).scalar()
        if doc_id is None:
            doc_id = c.execute(insert(t["documents"]).values(key="seed-001", created_at=now)).inserted_primary_key[0]
        version_id = c.execute(
            insert(t["document_versions"]).values(
                document_id=doc_id,
                number=number,
                content_sha256="a" * 64,
                format=doc.format,
                schema="budgetwatch.extraction/v1",
                ingested_at=now,
            )
        ).inserted_primary_key[0]
        for ordinal, table in enumerate(doc.tables):
            table_id = c.execute(
                insert(t["tables"]).values(
                    version_id=version_id,
                    ordinal=ordinal,
                    kind=table.kind,
                    title=table.title,
                    empty=table.empty,
                    columns=table.columns,
                )
            ).inserted_primary_key[0]
            for r, row in enumerate(table.rows):
                row_id = c.execute(
                    insert(t["table_rows"]).values(
                        table_id=table_id, ordinal=r, subtotal=row.subtotal, code=row.code, name=row.name
                    )
                ).inserted_primary_key[0]
                if row.values:
                    c.execute(
                        insert(t["cells"]),
                        [
                            {"row_id": row_id, "ordinal": k, "column_key": key, "amount": value}
                            for k, (key, value) in enumerate(row.values.items())
                        ],
                    )
    return version_id


def test_the_migration_removes_repeats_a_race_stored_before_the_key(db_url):
    """A database from before 0008 may hold the same bytes twice as versions of one document: the earliest
    is kept (with what it owns), the repeat goes, then the key holds."""
    from sqlalchemy import func

    from budgetwatch.extract import extract_files
    from budgetwatch.store.db import make_engine, migrate
    from budgetwatch.store.schema import CellRecord

    engine = make_engine(db_url)
    migrate(engine, "0007")
    doc = extract_files([seed("001")])
    first = _store_as_0007(engine, doc, 1)
    _store_as_0007(engine, doc, 2)
    with engine.connect() as c:
        cells = c.execute(text("select count(*) from cells")).scalar()
    assert cells > 0 and cells % 2 == 0
    migrate(engine)
    with Session(engine) as s:
        assert s.scalars(select(Version.id)).all() == [first]
        assert s.scalar(select(func.count(CellRecord.id))) == cells // 2
    engine.dispose()
