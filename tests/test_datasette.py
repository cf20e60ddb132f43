"""The database read by other tools: the cells_wan view (every figure with its place, in 万元) on both
back-ends, and docs/datasette/metadata.yml whose canned queries run on a real database."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from budgetwatch.pipeline import check as check_versions, ingest

from conftest import ROOT, SAMPLES


def test_cells_wan_has_every_figure_in_wan(engine):
    ingest(engine, [SAMPLES])
    check_versions(engine)
    with engine.connect() as c:
        n_cells = c.execute(text("select count(*) from cells")).scalar()
        assert c.execute(text("select count(*) from cells_wan")).scalar() == n_cells
        total = (
            c.execute(
                text(
                    "select amount_wan from cells_wan where unit = '兴县人民代表大会常务委员会办公室' "
                    "and table_kind = 'summary' and row_name = '收入总计' and latest = 1"
                )
            )
            .scalars()
            .all()
        )
        assert total and float(total[0]) == pytest.approx(1506.8)
        scaled = c.execute(
            text("select count(*) from cells_wan where money_unit = '元' and abs(amount_wan - amount * 0.0001) > 1e-9")
        ).scalar()
        assert scaled == 0


def test_datasette_metadata_queries_run(tmp_path):
    yaml = pytest.importorskip("yaml")
    from budgetwatch.store.db import open_db

    db = tmp_path / "budgetwatch.db"
    engine = open_db(f"sqlite:///{db}")
    ingest(engine, [SAMPLES])
    check_versions(engine)
    engine.dispose()
    meta = yaml.safe_load((ROOT / "docs" / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    spec = meta["databases"]["budgetwatch"]
    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type in ('table', 'view')")}
    assert set(spec["tables"]) <= tables
    for name, t in spec["tables"].items():
        cols = {r[1] for r in con.execute(f"pragma table_info({name})")}
        assert set(t.get("columns", {})) <= cols and set(t.get("facets", [])) <= cols, name
    rows = {name: con.execute(q["sql"], {"unit": "兴县"}).fetchall() for name, q in spec["queries"].items()}
    assert ("兴县人民代表大会常务委员会办公室", 2023, "预算", 2.0) in [r[:4] for r in rows["three_public_by_unit"]]
    assert sum(r[2] for r in rows["findings_by_rule"]) > 0 and rows["unit_totals"]
