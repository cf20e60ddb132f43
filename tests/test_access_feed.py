"""Server mode on the 联网 feed's and 执行监控's pages (they read with Core, outside the ORM scope): a synthetic
year loaded into region A (兴县, from sample 000) and one into region B (from sample 001), family G run on
both. Every feed/execution route, taken from the app's route list, requested by each role of region A with
region B's ids (region, batch, unit, line, finding): 404, or 403 where the role may not read payments — and
with region A's ids the same routes answer, so the 404s are not vacuous. The region lists never name B.
A deputy sees person payees masked (王*) and no account digits; staff of the region see them. SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetwatch.access import tokens
from budgetwatch.access.permissions import FEED_PREFIXES, action_for, allows
from budgetwatch.execution.run import check_feed
from budgetwatch.extract import extract_files
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.model import BudgetLine, ExecutionFinding, FeedBatch, Payment
from budgetwatch.feed.synth_pay import generate

from access_helpers import ROLES, A, B, every_route, make_users, server_app, signed_in
from conftest import seed

FEED = {A: ("000", "兴县", 2023), B: ("001", "祁连县", 2025)}  # sample 001 (阳城县) is a 2025 budget
YEAR = FEED[A][2]


@pytest.fixture
def feed_world(db_url, monkeypatch, tmp_path):
    app = server_app(db_url, monkeypatch, tmp_path, cache=True)
    engine = app.state.engine
    make_users(engine)
    ids = {}
    for region, (stem, name, year) in FEED.items():
        out = tmp_path / region
        generate(extract_files([seed(stem)]), out, region=region, region_name=name, seed=3, anomalies=("A3", "A4"))
        # region A's year is its finance uploader's own batch (the matrix: finance reads its own batches)
        rep = load_files(
            engine, [out], region=region, year=year, submitted_by="user:finance-a" if region == A else None
        )
        assert rep.status == "loaded", (region, [r.message for r in rep.rejects[:3]])
        check_feed(engine, region, year, date(year, 12, 31))
        with engine.connect() as c:
            e, bl = ExecutionFinding.__table__, BudgetLine.__table__
            ids[region] = {
                "region": region,
                "year": year,
                "agency": "001",
                "fmt": "json",
                "batch_id": c.scalar(
                    select(FeedBatch.__table__.c.id).where(FeedBatch.__table__.c.region_code == region)
                ),
                "src_id": c.scalar(select(bl.c.src_id).where(bl.c.region_code == region).order_by(bl.c.id)),
                "dir": str(out),
                "finding_id": c.scalar(
                    select(e.c.id).where(e.c.region_code == region, e.c.family == "G").order_by(e.c.id)
                ),
            }
        assert all(ids[region].values()), ids[region]
    yield app, ids
    engine.dispose()


def feed_routes(app) -> list[tuple[str, str]]:
    return [(m, p) for m, p in every_route(app) if p.startswith(FEED_PREFIXES) and p != "/api/feed/batches"]


def url_of(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def request(client: TestClient, method: str, url: str):
    if method == "POST":
        return client.post(url, json={"status": "accepted", "reason": "核实", "by": "测试"})
    return client.get(url, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_region_b_feed_and_execution_never_reach_region_a(feed_world, role):
    app, ids = feed_world
    root = signed_in(app, "root")
    routes = feed_routes(app)
    assert len(routes) >= 12, routes
    for method, path in routes:  # warm the response cache with answers that hold region B
        if method == "GET":
            assert request(root, method, url_of(path, ids[B])).status_code == 200, path
    c = signed_in(app, f"{role}-a")
    seen = {"own": 0, "b_404": 0, "refused": 0}
    for method, path in routes:
        action = action_for(method, path, {}, {})
        mine, theirs = request(c, method, url_of(path, ids[A])), request(c, method, url_of(path, ids[B]))
        if not allows(role, action):
            assert mine.status_code == theirs.status_code == 403, (role, method, path)
            seen["refused"] += 1
            continue
        assert mine.status_code == 200, (role, method, path, mine.status_code, mine.text[:200])
        seen["own"] += 1
        if "{" in path:
            assert theirs.status_code == 404, (role, method, path, theirs.status_code, theirs.text[:200])
            seen["b_404"] += 1
        else:  # a list: region A's rows only
            assert B not in theirs.text and A in theirs.text, (role, path)
    if allows(role, "read_payments"):
        assert seen["b_404"] >= 10 and seen["own"] >= 12, seen
    else:
        assert seen["refused"] == len(routes), seen


def test_a_deputy_sees_person_payees_masked_and_staff_in_full(feed_world):
    app, ids = feed_world
    engine = app.state.engine
    with engine.connect() as c:
        p = Payment.__table__
        person = c.scalar(
            select(p.c.payee_name)
            .where(p.c.region_code == A, p.c.payee_kind == "person", p.c.dep_eco_code.like("302%"))
            .order_by(p.c.id)
        )
        line = c.scalar(select(p.c.line_src_id).where(p.c.region_code == A, p.c.payee_name == person))
    assert person and len(person) >= 2
    deputy, staff = signed_in(app, "deputy-a"), signed_in(app, "staff-a")
    payees = f"/execution/{A}/{YEAR}/payees?format=json"
    for who, expect in ((deputy, person[0] + "*"), (staff, person)):
        names = {r["payee_name"] for r in who.get(payees).json()["payees"] if r["payee_kind"] == "person"}
        assert expect in names and (person in names) == (who is staff)
        g07 = [f for f in who.get(f"/execution/{A}/{YEAR}/findings?rule=G07&format=json").json()["findings"]]
        assert g07 and all((person in f["message"]) == (who is staff) for f in g07 if expect in f["message"])
        paid = who.get(f"/execution/{A}/{YEAR}/lines/{line}?format=json").json()["payments"]
        mine = [x for x in paid if x["payee_kind"] == "person"]
        assert mine and {x["payee_name"] for x in mine} == {expect}
        assert all((x["payee_account_tail"] is None) == (who is deputy) for x in mine)
    assert person not in deputy.get(f"/execution/{A}/{YEAR}/findings").text
    assert person in staff.get(f"/execution/{A}/{YEAR}/findings").text


def test_a_deputy_cannot_confirm_a_person_payee_by_searching_or_naming_them(feed_world):
    """Masked names are not enough if a search by part of the name, or the name in `payee=`, answers
    differently for a person who is paid than for one who is not."""
    app, _ = feed_world
    with app.state.engine.connect() as c:
        p = Payment.__table__
        person = c.scalar(select(p.c.payee_name).where(p.c.region_code == A, p.c.payee_kind == "person"))
    deputy, staff = signed_in(app, "deputy-a"), signed_in(app, "staff-a")
    search = f"/execution/{A}/{YEAR}/payees?format=json&q={person[1:]}"
    named = f"/execution/{A}/{YEAR}/payees?format=json&payee={person}"
    assert any(r["payee_kind"] == "person" for r in staff.get(search).json()["payees"])
    assert not any(r["payee_kind"] == "person" for r in deputy.get(search).json()["payees"])
    assert staff.get(named).status_code == 200 and staff.get(named).json()["payments"]
    assert deputy.get(named).status_code == 404


def _push_payments(app, token: str, rows: list[dict], batch_id: str):
    body = {"batch_id": batch_id, "region": A, "fiscal_year": YEAR, "table": "payments", "rows": rows}
    return TestClient(app).post("/api/feed/batches", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_finance_uploader_reads_the_payments_of_its_own_batches_only(feed_world):
    """Region A's year was loaded as finance-a's. Another uploader of A (a 社保 machine token of nobody's)
    pushes three payments of a fresh payee: finance-a does not see them — not on the line, not among the
    payees, not as a batch — while staff of A do; the pusher sees its own batch only. A token that finance-a
    owns pushes as finance-a. A token of region B may not push A's feed."""
    app, ids = feed_world
    engine = app.state.engine
    with open(Path(ids[A]["dir"]) / "PAY_VOUCHER_BILL.csv", encoding="utf-8", newline="") as f:
        sample = [r for _, r in zip(range(3), csv.DictReader(f))]
    other_payee, owned_payee = "兴县社会保险服务中心代发户", "兴县财政局国库支付中心"
    with Session(engine) as s, s.begin():
        _, other = tokens.create(s, "社保局推送", A, "finance")
        _, owned = tokens.create(s, "财政局推送", A, "finance", owner_login="finance-a")
        _, b_token = tokens.create(s, "祁连推送", B, "finance")
    extra = [{**r, "PAY_CERT_ID": f"SB{i}", "PAYEE_ACCT_NAME": other_payee} for i, r in enumerate(sample)]
    r = _push_payments(app, other, extra, "SB-1")
    assert r.status_code == 201 and r.json()["rows_loaded"] == 3, r.text
    theirs = r.json()["batch_id"]
    assert _push_payments(app, b_token, extra, "QL-1").status_code == 403
    with engine.connect() as c:
        p, b = Payment.__table__, FeedBatch.__table__
        line = c.scalar(select(p.c.line_src_id).where(p.c.src_id == "SB0"))
        assert c.scalar(select(b.c.submitted_by).where(b.c.id == theirs)).startswith("token:")
    assert line
    finance, staff = signed_in(app, "finance-a"), signed_in(app, "staff-a")
    pushed = TestClient(app, headers={"Authorization": f"Bearer {other}"})

    def names(who, url, key):
        return {x["payee_name"] for x in who.get(url).json()[key]}

    payees, on_line = f"/execution/{A}/{YEAR}/payees?format=json", f"/execution/{A}/{YEAR}/lines/{line}?format=json"
    assert other_payee in names(staff, payees, "payees") and other_payee not in names(finance, payees, "payees")
    assert other_payee in names(staff, on_line, "payments") and other_payee not in names(finance, on_line, "payments")
    assert names(finance, on_line, "payments")  # its own rows on the line are still there
    assert names(pushed, payees, "payees") == {other_payee}
    named = f"{payees}&payee={other_payee}"
    assert staff.get(named).json()["payments"] and not finance.get(named).json()["payments"]
    batches = f"/api/feed/regions/{A}/{YEAR}"
    assert theirs in {x["id"] for x in staff.get(batches).json()["batches"]}
    assert theirs not in {x["id"] for x in finance.get(batches).json()["batches"]}
    assert {x["id"] for x in pushed.get(batches).json()["batches"]} == {theirs}
    assert staff.get(f"/feed/batches/{theirs}?format=json").status_code == 200
    assert finance.get(f"/feed/batches/{theirs}?format=json").status_code == 404
    assert finance.get(f"/feed/batches/{ids[A]['batch_id']}?format=json").status_code == 200
    # a machine that finance-a owns pushes as finance-a: its rows are finance-a's own
    mine = [{**r, "PAY_CERT_ID": f"CZ{i}", "PAYEE_ACCT_NAME": owned_payee} for i, r in enumerate(sample)]
    assert _push_payments(app, owned, mine, "CZ-1").status_code == 201
    assert owned_payee in names(finance, payees, "payees") and other_payee not in names(finance, payees, "payees")
