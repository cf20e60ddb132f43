"""The three ways in give the same rows: files (CSV UTF-8/GBK, XLSX, the legacy and Chinese presets with 万元
headers), the JSON push (token, idempotent, size-limited) and the read-only database pull (SELECT only, proven
on a PostgreSQL database and role the test creates)."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine, make_url

from budgetwatch.extract import extract_files
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import BudgetAdjustment, BudgetLine, Payment, PaymentApplication
from budgetwatch.feed.synth_pay import generate

from conftest import PG_OK, PG_URL, seed

XING = "141123000"
FILES = {
    "lines": "BA_BGT_INFO.csv",
    "adjustments": "BA_BGT_ADJSUB.csv",
    "applications": "PAY_VOUCHER.csv",
    "payments": "PAY_VOUCHER_BILL.csv",
}
SKIP = {"id", "batch_id"}


@pytest.fixture(autouse=True)
def _one_salt(monkeypatch):
    """Payee hashes are comparable across databases only under one salt (else each database makes its own)."""
    monkeypatch.setenv("BUDGETWATCH_FEED_SALT", "test-salt")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    out = tmp_path_factory.mktemp("year")
    generate(extract_files([seed("000")]), out, region=XING, region_name="兴县", seed=4, anomalies=("A2", "U1"))
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def content(engine) -> dict:
    """Every feed row, without ids and batch ids: what a way in must produce."""
    out = {}
    with engine.connect() as c:
        for m in (BudgetLine, BudgetAdjustment, PaymentApplication, Payment):
            t = m.__table__
            cols = [col for col in t.c if col.name not in SKIP]
            out[t.name] = sorted(tuple(_same(v) for v in r) for r in c.execute(select(*cols)))
    return out


def _same(v) -> str:
    """A value as both back-ends give it (PostgreSQL returns aware times, SQLite naive UTC)."""
    if isinstance(v, datetime) and v.tzinfo:
        v = v.astimezone(UTC).replace(tzinfo=None)
    return str(v)


def test_xlsx_legacy_and_chinese_presets_load_the_same_lines(engine, tmp_path, year):
    lines = _rows(year / "BA_BGT_INFO.csv")
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "指标编号",
            "单位编码",
            "单位名称",
            "功能科目",
            "经济科目",
            "项目编码",
            "项目名称",
            "指标金额（万元）",
            "文号",
            "发文日期",
            "资金性质",
            "指标类型",
        ]
    )
    for r in lines:  # 功能 and 经济 printed as “code name”, amounts in 万元
        ws.append(
            [
                r["BGT_ID"],
                r["AGENCY_CODE"],
                r["AGENCY_NAME"],
                f"{r['EXP_FUNC_CODE']} {r['EXP_FUNC_NAME']}",
                f"[{r['DEP_BGT_ECO_CODE']}]{r['DEP_BGT_ECO_NAME']}",
                r["PRO_CODE"],
                r["PRO_NAME"],
                str(Decimal(r["AMOUNT"]) / 10000),
                r["COR_BGT_DOC_NO"],
                r["DOC_DATE"],
                r["FUND_TYPE_NAME"],
                r["BGT_TYPE_NAME"],
            ]
        )
    (tmp_path / "zh").mkdir()
    wb.save(tmp_path / "zh" / "指标.xlsx")
    rep = load_files(engine, [tmp_path / "zh"], region=XING, year=2023)
    assert rep.status == "loaded" and rep.rows_loaded == len(lines)
    with engine.connect() as c:
        t = BudgetLine.__table__
        got = {r.src_id: r for r in c.execute(select(t))}
    assert sum(r.amount for r in got.values()) == sum(Decimal(r["AMOUNT"]) for r in lines)
    one = lines[0]
    g = got[one["BGT_ID"]]
    assert (g.exp_func_code, g.exp_func_name, g.dep_eco_code, g.dep_eco_name) == (
        one["EXP_FUNC_CODE"],
        one["EXP_FUNC_NAME"],
        one["DEP_BGT_ECO_CODE"],
        one["DEP_BGT_ECO_NAME"],
    )
    # the same payments in the older element names (bss-web): 单位 by name only, amounts in 元
    pays = _rows(year / "PAY_VOUCHER_BILL.csv")[:50]
    with open(tmp_path / "payments_legacy.csv", "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "billId",
                "billNo",
                "enCode",
                "enName",
                "bsName",
                "bsiName",
                "budgetId",
                "payDate",
                "payMoney",
                "payeeAccountName",
                "payeeAccountNo",
                "paySummaryName",
            ]
        )
        for p in pays:
            w.writerow(
                [
                    p["PAY_CERT_ID"],
                    p["PAY_CERT_NO"],
                    p["AGENCY_CODE"],
                    p["AGENCY_NAME"],
                    f"{p['EXP_FUNC_CODE']} {p['EXP_FUNC_NAME']}",
                    f"{p['DEP_BGT_ECO_CODE']}-{p['DEP_BGT_ECO_NAME']}",
                    "",
                    p["VOU_DATE"].replace("-", ""),
                    p["PAY_AMT"],
                    p["PAYEE_ACCT_NAME"],
                    p["PAYEE_ACCT_NO"],
                    p["USE_DES"],
                ]
            )
    rep = load_files(engine, [tmp_path / "payments_legacy.csv"], region=XING, year=2023, preset="legacy")
    assert rep.status == "loaded" and rep.rows_loaded == 50, [r.message for r in rep.rejects[:3]]
    with engine.connect() as c:
        p = Payment.__table__
        assert c.execute(select(p.c.amount).where(p.c.src_id == pays[0]["PAY_CERT_ID"])).scalar() == Decimal(
            pays[0]["PAY_AMT"]
        )


def _push_bodies(year: Path, prefix: str) -> list[dict]:
    from budgetwatch.feed.push import rows_as_json

    return [
        {
            "batch_id": f"{prefix}-{t}",
            "region": XING,
            "fiscal_year": 2023,
            "table": t,
            "preset": "yth",
            "rows": rows_as_json(_rows(year / f)),
        }
        for t, f in FILES.items()
    ]


@pytest.fixture
def client(db_url, monkeypatch):
    monkeypatch.setenv(f"BUDGETWATCH_FEED_TOKEN_{XING}", "s3cret-token")
    from budgetwatch.web.app import create_app

    app = create_app(db_url, cache=False)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_push_loads_the_same_rows_as_the_files_and_a_repeat_changes_nothing(client, db_url, tmp_path, year):
    auth = {"Authorization": "Bearer s3cret-token"}
    for body in _push_bodies(year, "XS-2023-12-31"):
        r = client.post("/api/feed/batches", json=body, headers=auth)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "loaded" and r.json()["rows_loaded"] == len(body["rows"])
    engine = client.app.state.engine
    pushed = content(engine)
    again = client.post("/api/feed/batches", json=_push_bodies(year, "XS-2023-12-31")[3], headers=auth)
    assert again.status_code == 200 and again.json()["status"] == "repeat"
    assert content(engine) == pushed
    # the files of the same year, into a fresh database: the same rows
    other = f"sqlite:///{tmp_path / 'files.db'}"
    from budgetwatch.store.db import open_db

    e2 = open_db(other)
    load_files(e2, [year], region=XING, year=2023)
    assert content(e2) == pushed
    e2.dispose()
    page = client.get(f"/feed/{XING}/2023")
    assert page.status_code == 200 and "批次" in page.text and "001" in page.text
    j = client.get(f"/api/feed/regions/{XING}/2023").json()
    assert [b["status"] for b in j["batches"]] == ["loaded"] * 4
    assert j["units"][0]["paid"] != "0.00" and j["unmatched_payments"]


def test_push_refuses_bad_tokens_bodies_and_sizes(client):
    body = {
        "batch_id": "b1",
        "region": XING,
        "fiscal_year": 2023,
        "table": "lines",
        "rows": [{"BGT_ID": "L1", "AGENCY_CODE": "001", "EXP_FUNC_CODE": "2010101", "AMOUNT": 12.5}],
    }
    assert client.post("/api/feed/batches", json=body).status_code == 401
    assert client.post("/api/feed/batches", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    auth = {"Authorization": "Bearer s3cret-token"}
    assert client.post("/api/feed/batches", json={**body, "region": "12"}, headers=auth).status_code == 422
    assert client.post("/api/feed/batches", content=b"{not json", headers=auth).status_code == 422
    big = b'{"rows": ["' + b"x" * (21 * 1024 * 1024) + b'"]}'
    assert client.post("/api/feed/batches", content=big, headers=auth).status_code == 413
    r = client.post("/api/feed/batches", json=body, headers=auth)
    assert r.status_code == 201 and r.json()["rows_loaded"] == 1
    bad = {
        **body,
        "batch_id": "b2",
        "rows": [{"BGT_ID": "L2", "AGENCY_CODE": "001", "EXP_FUNC_CODE": "2010101", "AMOUNT": "1x"}],
    }
    r = client.post("/api/feed/batches", json=bad, headers=auth).json()
    assert r["status"] == "rejected" and [x["code"] for x in r["rejects"]] == ["E_AMOUNT"]
    assert r["rejects"][0]["reason"] == "金额无效"
    csv_text = client.get(f"/feed/batches/{r['batch_id']}?format=csv").content.decode("utf-8-sig")
    assert "金额无效" in csv_text and "1x" in client.get(f"/api/feed/batches/{r['batch_id']}").text


@pytest.mark.skipif(not PG_OK, reason="PostgreSQL not reachable")
def test_pull_reads_views_with_select_only_and_loads_the_same_rows(tmp_path, year, monkeypatch):
    from budgetwatch.feed.pull import pull
    from budgetwatch.store.db import open_db

    url = make_url(PG_URL)
    fin_db, role = f"{url.database}_fin", f"{url.database}_reader"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{fin_db}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{fin_db}"'))
        c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    fin = create_engine(url.set(database=fin_db))
    with fin.begin() as c:  # the finance side: tables behind views named like the 一体化 tables
        for t, f in FILES.items():
            rows = _rows(year / f)
            cols = list(rows[0])
            c.execute(
                text(
                    f"CREATE TABLE src_{t} ({', '.join(f'{k} text' for k in cols)})".replace(
                        "UPDATE_TIME text", "UPDATE_TIME timestamp"
                    )
                )
            )
            c.execute(
                text(f"INSERT INTO src_{t} VALUES ({', '.join(':' + k for k in cols)})"),
                [{k: (v or None) for k, v in r.items()} for r in rows],
            )
            view = Path(f).stem
            aliased = ", ".join(f'{k} AS "{k}"' for k in cols)  # upper-case names, as Oracle would show them
            c.execute(text(f'CREATE VIEW "{view}" AS SELECT {aliased} FROM src_{t}'))
            c.execute(text(f'GRANT SELECT ON "{view}" TO "{role}"'))
        c.execute(text(f'ALTER ROLE "{role}" SET default_transaction_read_only = on'))
    fin.dispose()
    monkeypatch.setenv("FIN_DB_URL", url.set(database=fin_db, username=role).render_as_string(hide_password=False))
    seen: list[str] = []

    def log(conn, cursor, statement, parameters, context, executemany):
        if conn.engine.url.database == fin_db:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", log)
    try:
        engine = open_db(f"sqlite:///{tmp_path / 'pulled.db'}")
        rep, mark = pull(engine, url_env="FIN_DB_URL", region=XING, year=2023)
        assert rep.status == "loaded" and rep.rows_rejected == 0 and mark is not None
        again, _ = pull(engine, url_env="FIN_DB_URL", region=XING, year=2023)  # only the 2-day overlap
        assert again.rows_loaded == 0 and 0 < again.rows_in < rep.rows_in
    finally:
        event.remove(Engine, "before_cursor_execute", log)
    assert seen and all(s.lstrip().upper().startswith("SELECT") for s in seen), [s[:40] for s in seen]
    files = open_db(f"sqlite:///{tmp_path / 'files.db'}")
    load_files(files, [year], region=XING, year=2023)
    assert content(engine) == content(files)
    # the role cannot write even if asked to
    reader = create_engine(os.environ["FIN_DB_URL"])
    with pytest.raises(Exception, match="read-only|permission denied"):
        with reader.begin() as c:
            c.execute(text('DELETE FROM "BA_BGT_INFO"'))
    reader.dispose()
    engine.dispose()
    files.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{fin_db}" WITH (FORCE)'))
        c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()
