"""Feed agencies matched to the stored units: by the department code a disclosure prints (主管部门及代码 in its
绩效目标表, sample 000: "001-兴县人民代表大会常务委员会办公室"), before names; what stays unmatched is confirmed
by staff on the 单位匹配 page (server mode, CSRF, audited as a decision), and a later automatic match never
overrides it. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetwatch.access.scope import UploadRegion
from budgetwatch.access.tables import AuditRecord
from budgetwatch.extract import extract_files
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.match import match_agencies, printed_codes
from budgetwatch.feed.model import Agency
from budgetwatch.pipeline import ingest_one
from budgetwatch.store.schema import DocumentRecord, Unit

from access_helpers import A, make_users, server_app, signed_in
from conftest import seed

YEAR = 2023


def _lines(path: Path, agency: str, name: str) -> Path:
    path.mkdir()
    with open(path / "BA_BGT_INFO.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["BGT_ID", "AGENCY_CODE", "AGENCY_NAME", "EXP_FUNC_CODE", "DEP_BGT_ECO_CODE", "AMOUNT"])
        w.writerow([f"L-{agency}", agency, name, "2010101", "30201", "1000.00"])
    return path


def _agency(engine, code: str):
    with engine.connect() as c:
        a = Agency.__table__
        return c.execute(select(a.c.unit_id, a.c.match, a.c.match_score).where(a.c.agency_code == code)).one()


def test_department_code_then_staff_confirm_on_the_page(db_url, monkeypatch, tmp_path):
    doc = extract_files([seed("000")])
    code = next(iter(printed_codes(doc)))
    assert printed_codes(doc) == {code} and code.isdigit()  # as printed: "001-兴县…"
    app = server_app(db_url, monkeypatch, tmp_path, cache=False)
    engine = app.state.engine
    make_users(engine)
    doc_id = ingest_one(engine, [seed("000")], before_commit=UploadRegion(A).stamp).document_id
    with Session(engine) as s:
        unit_id = s.get(DocumentRecord, doc_id).unit_id
        unit_name = s.get(Unit, unit_id).name
    # the feed names the unit by its code and a name no name match would accept; another agency is unknown
    for folder, agency in (("coded", code), ("other", "777")):
        rep = load_files(
            engine, [_lines(tmp_path / folder, agency, "县级机关某单位")], region=A, year=YEAR, region_name="兴县"
        )
        assert rep.status == "loaded"
    with Session(engine) as s, s.begin():
        decided = {r["agency_code"]: r for r in match_agencies(s, A, YEAR)}
    assert (decided[code]["unit_id"], decided[code]["match"]) == (unit_id, "code")
    assert decided["777"]["unit_id"] is None
    assert _agency(engine, code) == (unit_id, "code", 100.0)

    staff, deputy = signed_in(app, "staff-a"), signed_in(app, "deputy-a")
    page = staff.get(f"/feed/{A}/{YEAR}/agencies?format=json").json()
    assert [a["agency_code"] for a in page["agencies"]][0] == "777" and page["unmatched"] == 1
    assert [u["unit_id"] for u in page["units"]] == [unit_id]
    html = staff.get(f"/feed/{A}/{YEAR}/agencies").text
    assert "未匹配 1 个" in html and unit_name in html and 'name="csrf_token"' in html
    url = f"/feed/{A}/{YEAR}/agencies/777/match"
    assert (
        deputy.post(url, data={"unit_id": str(unit_id), "csrf_token": deputy.headers["X-CSRF-Token"]}).status_code
        == 403
    )
    no_csrf = TestClient(app, cookies=staff.cookies)
    assert no_csrf.post(url, data={"unit_id": str(unit_id)}, follow_redirects=False).status_code == 403
    r = staff.post(
        url, data={"unit_id": str(unit_id), "csrf_token": staff.headers["X-CSRF-Token"]}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/feed/{A}/{YEAR}/agencies"
    assert _agency(engine, "777") == (unit_id, "manual", 100.0)
    assert (
        staff.post(
            f"/feed/{A}/{YEAR}/agencies/778/match",
            data={"unit_id": str(unit_id), "csrf_token": staff.headers["X-CSRF-Token"]},
        ).status_code
        == 404
    )
    with Session(engine) as s, s.begin():
        match_agencies(s, A, YEAR)  # a later automatic run keeps the manual match
    assert _agency(engine, "777") == (unit_id, "manual", 100.0)
    with Session(engine) as s:
        rec = s.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == "decide", AuditRecord.outcome == "ok")
            .order_by(AuditRecord.id)
        ).all()
    mine = [x for x in rec if x.principal_login == "staff-a" and "777" in (x.detail or {}).get("path", "")]
    assert len(mine) == 1 and mine[0].detail["unit_id"] == unit_id and mine[0].detail["before"]["unit_id"] is None
