"""The 联网数据 pages read the feed through indexes (PostgreSQL EXPLAIN, as tests/test_indexed_reads.py does for
the documents): a region-year of a million payments must not be read whole, nor the payments of every region, for a
page that shows one unit, one batch or the hundred unmatched payments."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from budgetwatch.extract import extract_files
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.synth_pay import ALL_ANOMALIES, generate
from budgetwatch.web.app import create_app
from test_indexed_reads import _full_scans

from conftest import seed

XING = "141123000"
FEED = ("payments", "budget_lines", "budget_adjustments", "payment_applications", "feed_rejects", "agencies")
# the queries that may read a region-year's payments whole (a sum per unit over the year), and nothing wider
YEAR_WIDE = ("sum(payments.amount)",)


@pytest.fixture
def app(db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    generate(
        extract_files([seed("000")]), tmp_path / "y", region=XING, region_name="兴县", seed=5, anomalies=ALL_ANOMALIES
    )
    app = create_app(db_url, cache=False)
    rep = load_files(app.state.engine, [tmp_path / "y"], region=XING, year=2023)
    assert rep.status in ("loaded", "partial") and rep.rows_loaded > 1000
    yield app
    app.state.engine.dispose()


def test_feed_pages_use_indexes_on_postgresql(app):
    engine = app.state.engine
    client = TestClient(app)
    region = client.get(f"/api/feed/regions/{XING}/2023").json()
    unit = region["units"][0]["agency_code"]
    batch = region["batches"][-1]["id"]
    assert region["unmatched_payments"]
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().lower().startswith("select") and not executemany:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in (
            "/feed",
            "/api/feed/regions",
            f"/feed/{XING}/2023",
            f"/feed/{XING}/2023?as_of=2023-06-30",
            f"/api/feed/regions/{XING}/2023",
            f"/feed/{XING}/2023/units/{unit}",
            f"/api/feed/regions/{XING}/2023/units/{unit}?as_of=2023-06-30",
            f"/feed/{XING}/2023/agencies",
            f"/feed/batches/{batch}",
            f"/api/feed/batches/{batch}",
        ):
            assert client.get(url).status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) > 10
    found = []
    with engine.connect() as c:
        c.execute(text("set enable_seqscan = off"))
        partial = set(c.scalars(text("select indexrelid::regclass::text from pg_index where indpred is not null")))
        raw = c.connection.dbapi_connection
        for statement, params in seen:
            with raw.cursor() as cur:
                cur.execute("explain " + statement, params)
                plan = [r[0] for r in cur.fetchall()]
            found += [(t, how, statement[:200]) for t, how in _full_scans(plan) if t in FEED]
            if not any(w in statement for w in YEAR_WIDE):
                found += [
                    ("payments", "year", statement[:200])
                    for index, cond in _payment_conds(plan)
                    if _year_only(cond) and index not in partial
                ]
    assert found == [], "\n".join(f"{t} ({how}): {st}" for t, how, st in found)


def _payment_conds(plan: list[str]) -> list[tuple[str, str]]:
    """(index, its Index Cond) of each index scan of payments (a partial index narrows by its predicate too)."""
    out = []
    for i, line in enumerate(plan):
        m = re.search(r"Scan(?: Backward)? using (\w+) on payments", line)
        if m:
            for nxt in plan[i + 1 :]:
                if nxt.lstrip().startswith("->"):
                    break
                if "Index Cond" in nxt:
                    out.append((m.group(1), nxt))
    return out


def _year_only(cond: str) -> bool:
    """An index condition that narrows the payments to a region-year and no further: the whole year read."""
    return "fiscal_year" in cond and cond.count("=") + cond.count("<") + cond.count(">") <= 2
