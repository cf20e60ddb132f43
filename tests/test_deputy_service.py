"""代表服务 through the web API in server mode: a deputy's question on a table row carries a snapshot of
the row; staff 受理, 交办 with a due date, 督办 once it is overdue; the 责任单位 (finance) answers; the
deputy reads the reply; staff 办结. Statistics, the 审查意见 draft, region isolation and the audit trail
of every step — SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import text

from access_helpers import (
    A,
    placed,  # noqa: F401  (the fixture)
    signed_in,
)


@pytest.fixture
def app(placed):
    return placed


def test_a_question_from_submission_to_closing(app):
    doc = app.state.docs[A]
    deputy, staff, finance = signed_in(app, "deputy-a"), signed_in(app, "staff-a"), signed_in(app, "finance-a")
    table = deputy.get(f"/api/documents/{doc}").json()["document"]["tables"][0]
    row = next(i for i, r in enumerate(table["rows"]) if r.get("name") and r["values"])
    r = deputy.post(
        "/api/questions",
        json={
            "title": "这一项为何增加",
            "body": "请说明增加的原因。",
            "target_type": "table_row",
            "target_id": f"{doc}:0:{row}",
        },
    )
    assert r.status_code == 200, r.text
    q = r.json()
    printed = table["rows"][row]
    assert q["status"] == "submitted" and q["region"] == A
    assert (
        q["target_label"].startswith("兴县人民代表大会常务委员会办公室 2023预算 · ")
        and printed["name"] in q["target_label"]
    )
    assert q["snapshot"]["values"] == printed["values"] and q["snapshot"]["title"] == table["title"]
    qid = q["id"]
    # a deputy may not triage; an unknown step and a wrong order are refused
    assert deputy.post(f"/api/questions/{qid}/accept", json={}).status_code == 403
    assert staff.post(f"/api/questions/{qid}/close", json={}).status_code == 409
    assert staff.post(f"/api/questions/{qid}/accept", json={}).json()["status"] == "accepted"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = staff.post(
        f"/api/questions/{qid}/assign",
        json={"responsible_name": "兴县财政局", "responsible_code": "AG01", "due_at": yesterday},
    )
    assert r.json()["status"] == "assigned" and r.json()["overdue"] is True
    assert [x["id"] for x in staff.get("/api/questions/overdue").json()["items"]] == [qid]
    urged = staff.post(f"/api/questions/{qid}/urge", json={"body": "请于三日内答复"}).json()
    assert [e["kind"] for e in urged["events"]] == ["submit", "accept", "assign", "urge"]
    assert urged["events"][-1]["detail"]["overdue_days"] >= 0
    # the 责任单位's finance account sees what was assigned to it, and answers
    assert [x["id"] for x in finance.get("/api/questions").json()["items"]] == [qid]
    assert finance.post(f"/api/questions/{qid}/close", json={}).status_code == 403
    assert (
        finance.post(f"/api/questions/{qid}/reply", json={"body": "因代表活动经费增加。"}).json()["status"] == "replied"
    )
    seen = deputy.get(f"/api/questions/{qid}").json()
    assert seen["status_zh"] == "已答复" and seen["events"][-1]["body"] == "因代表活动经费增加。"
    assert "因代表活动经费增加。" in deputy.get(f"/questions/{qid}").text
    assert staff.post(f"/api/questions/{qid}/close", json={"body": "代表满意"}).json()["status"] == "closed"
    # not overdue any more, urging a closed question is refused
    assert staff.post(f"/api/questions/{qid}/urge", json={}).status_code == 409
    stats = staff.get("/api/questions/stats").json()
    assert (stats["total"], stats["replied"], stats["overdue"]) == (1, 1, 0)
    assert stats["by_responsible_top10"] == [{"name": "兴县财政局", "count": 1}] and stats["by_target"] == {"报表行": 1}
    # every step is in the audit log, by whom
    with app.state.engine.connect() as c:
        trail = c.execute(
            text(
                "select action, principal_login, outcome from audit_log where action in "
                "('ask', 'triage', 'reply') order by id"
            )
        ).fetchall()
    assert [tuple(t) for t in trail if t[2] == "ok"] == [
        ("ask", "deputy-a", "ok"),
        ("triage", "staff-a", "ok"),
        ("triage", "staff-a", "ok"),
        ("triage", "staff-a", "ok"),
        ("reply", "finance-a", "ok"),
        ("triage", "staff-a", "ok"),
    ]
    # the 审查意见 draft carries the answered question
    d = Document(io.BytesIO(staff.get("/staff/opinion.docx").content))
    body = "\n".join(p.text for p in d.paragraphs)
    assert "这一项为何增加" in body and "因代表活动经费增加。" in body and "审查意见" in body


def test_questions_stay_in_their_region_and_with_their_author(app):
    doc = app.state.docs[A]
    deputy, staff = signed_in(app, "deputy-a"), signed_in(app, "staff-a")
    fid = staff.get(f"/api/findings?document={doc}").json()["items"][0]["id"]
    staff.post(
        f"/api/findings/{fid}/decision", json={"status": "accepted", "reason": "属实，建议整改", "by": "预算工委"}
    )
    page = deputy.get("/api/deputy").json()
    assert [w["id"] for w in page["published_warnings"]] == [fid]  # published = accepted by staff
    own = deputy.post(
        "/api/questions", json={"title": "预警", "body": "整改了吗", "target_type": "finding", "target_id": str(fid)}
    ).json()
    behalf = staff.post(
        "/api/questions",
        json={
            "title": "代录",
            "body": "代表口头提出",
            "target_type": "key_figure",
            "target_id": f"{doc}:income_total",
            "on_behalf_of": "李代表",
        },
    ).json()
    assert behalf["target_label"].endswith("收入总计 1506.8万元") and behalf["on_behalf_of"] == "李代表"
    assert (
        deputy.post(
            "/api/questions", json={"title": "x", "body": "y", "target_type": "free", "on_behalf_of": "别人"}
        ).status_code
        == 403
    )
    assert [q["id"] for q in deputy.get("/api/questions").json()["items"]] == [own["id"]]  # their own only
    assert deputy.get(f"/api/questions/{behalf['id']}").status_code == 404
    assert {q["id"] for q in staff.get("/api/questions").json()["items"]} == {own["id"], behalf["id"]}
    other = signed_in(app, "staff-b")
    assert other.get("/api/questions").json()["items"] == []
    assert other.get(f"/api/questions/{own['id']}").status_code == 404
    assert other.post(f"/api/questions/{own['id']}/accept", json={}).status_code == 404
    assert (
        other.post(
            "/api/questions", json={"title": "x", "body": "y", "target_type": "document", "target_id": str(doc)}
        ).status_code
        == 404
    )
    r = staff.post(f"/api/questions/{own['id']}/reject", json={})
    assert r.status_code == 409 and "理由" in r.json()["detail"]
    assert (
        staff.post(f"/api/questions/{own['id']}/reject", json={"body": "不属于预算审查范围"}).json()["status_zh"]
        == "不予受理"
    )


def test_the_deputy_page_has_the_execution_curve_of_its_region_only(app, tmp_path):
    """联网 payments (the feed's synthetic years for 兴县 and 阳城县) give 兴县's deputy a month-by-month curve
    of payments against the current budget and 序时进度 — and not 阳城县's."""
    from budgetwatch.extract import extract_files
    from budgetwatch.feed.load_files import load_files
    from budgetwatch.feed.synth_pay import generate

    from conftest import SAMPLES

    other = "140522000"
    for region, name, stem in ((A, "兴县", "000"), (other, "阳城县", "001")):
        m = generate(
            extract_files([next(SAMPLES.glob(f"{stem}_*.txt"))]), tmp_path / region, region=region, region_name=name
        )
        load_files(app.state.engine, [tmp_path / region], region=region, year=m["fiscal_year"])
    curves = signed_in(app, "deputy-a").get("/api/deputy").json()["execution"]
    assert [(e["region"], e["year"]) for e in curves] == [(A, 2023)]
    curve = curves[0]["curve"]
    assert [m["month"] for m in curve] == list(range(1, 13)) and curve[11]["target"] == 1.0
    assert all(a["paid"] <= b["paid"] for a, b in zip(curve, curve[1:])) and 0.5 < curve[11]["share"] <= 1.0
    with app.state.engine.connect() as c:
        paid = c.execute(
            text("select sum(amount) from payments where region_code = :r and is_deleted = :f"), {"r": A, "f": False}
        ).scalar()
    assert abs(curve[11]["paid"] - float(paid) / 10000) < 0.01
    assert [e["region"] for e in signed_in(app, "root").get("/api/deputy").json()["execution"]] == [other, A]
