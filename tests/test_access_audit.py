"""The audit log: every write and every export through the service leaves a record (time, principal,
role, region, address, action, object, outcome); the database refuses UPDATE and DELETE on it; changing
one row breaks `budgetwatch audit verify`; the JSONL export carries the chain — SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from budgetwatch.access import audit
from budgetwatch.access.tables import AuditRecord

from access_helpers import (
    PASSWORD,
    A,
    placed,  # noqa: F401  (the fixture)
    signed_in,
)


@pytest.fixture
def app(placed):
    return placed


def records(engine, since: int = 0) -> list[AuditRecord]:
    with Session(engine) as s:
        out = list(s.query(AuditRecord).filter(AuditRecord.id > since).order_by(AuditRecord.id))
        s.expunge_all()
    return out


def last_id(engine) -> int:
    with engine.connect() as c:
        return c.execute(text("select coalesce(max(id), 0) from audit_log")).scalar()


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "budgetwatch", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_every_write_and_export_is_recorded(app):
    engine = app.state.engine
    staff = signed_in(app, "staff-a")
    doc = app.state.docs[A]
    fid = staff.get(f"/api/findings?document={doc}").json()["items"][0]["id"]
    steps = [  # (request, expected action, expected outcome)
        (
            lambda: staff.post(
                f"/api/findings/{fid}/decision", json={"status": "accepted", "reason": "属实", "by": "王"}
            ),
            "decide",
            "ok",
        ),
        (
            lambda: staff.post(
                f"/findings/{fid}/decision",
                data={"status": "dismissed", "reason": "复核", "by": "王"},
                follow_redirects=False,
            ),
            "decide",
            "ok",
        ),
        (lambda: staff.get("/api/findings.csv"), "export", "ok"),
        (lambda: staff.get("/api/findings.xlsx"), "export", "ok"),
        (lambda: staff.get(f"/api/documents/{doc}/tables/0.csv"), "export", "ok"),
        (lambda: staff.get("/?format=xlsx"), "export", "ok"),
        (lambda: staff.get(f"/documents/{doc}/report.xlsx"), "export", "ok"),
        (lambda: staff.get("/units?format=csv"), "export", "ok"),
        (
            lambda: staff.post("/api/upload", files={"file": ("a.txt", b"not a budget", "text/plain")}),
            "upload",
            "denied",
        ),
        (
            lambda: staff.post("/api/upload", files={"file": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}),
            "upload",
            "denied",
        ),
        (
            lambda: staff.post(
                f"/api/findings/{fid}/decision",
                json={"status": "accepted", "reason": "x", "by": "y"},
                headers={"X-CSRF-Token": "forged"},
            ),
            None,
            None,
        ),  # refused at the door: see below
    ]
    for request, action, outcome in steps:
        before = last_id(engine)
        r = request()
        if action is None:
            assert r.status_code == 403
            continue
        new = records(engine, before)
        assert [x.action for x in new] == [action], (action, r.status_code, [x.action for x in new])
        rec = new[0]
        assert (rec.principal_login, rec.role, rec.region_code, rec.ip) == ("staff-a", "staff", A, "testclient")
        assert rec.outcome == outcome or (outcome == "denied" and rec.outcome in ("denied", "error")), (
            action,
            rec.outcome,
        )
        assert rec.detail["status"] == r.status_code and rec.object_type.startswith("/")
    admin = signed_in(app, "admin-a")
    before = last_id(engine)
    r = admin.post(
        "/api/admin/users",
        json={
            "login": "new-deputy",
            "display_name": "新代表",
            "password": "Initial-Pass-1",
            "region": A,
            "role": "deputy",
        },
    )
    assert r.status_code == 200
    uid = r.json()["id"]
    assert admin.post(f"/api/admin/users/{uid}/grant", json={"region": A, "role": "staff"}).status_code == 200
    assert admin.post(f"/api/admin/users/{uid}/revoke", json={"region": A, "role": "staff"}).status_code == 200
    assert admin.post(f"/api/admin/users/{uid}/reset", json={"password": "Another-Pass-2"}).status_code == 200
    actions = [(x.action, x.object_id, x.principal_login) for x in records(engine, before)]
    assert ("user_change", "new-deputy", "admin-a") in actions and (
        "permission_change",
        "new-deputy",
        "admin-a",
    ) in actions
    assert [a for a, _, _ in actions].count("manage") == 4  # the requests themselves
    auditor = signed_in(app, "auditor-a")
    before = last_id(engine)
    lines = auditor.get("/api/audit/export.jsonl").text.splitlines()
    assert [x.action for x in records(engine, before)] == ["audit"]
    mine = [json.loads(x) for x in lines]  # a region's auditor: its region's principals only
    assert len(mine) >= 15 and {r["region_code"] for r in mine} == {A}
    lines = signed_in(app, "root").get("/api/audit/export.jsonl").text.splitlines()
    assert (
        audit.verify_rows(audit.read_export(lines)).ok and len(lines) == last_id(engine) - 1
    )  # all but its own export
    # refusals are recorded too: a deputy trying to decide, a forged CSRF header
    deputy = signed_in(app, "deputy-a")
    before = last_id(engine)
    assert (
        deputy.post(f"/api/findings/{fid}/decision", json={"status": "accepted", "reason": "x", "by": "y"}).status_code
        == 403
    )
    rec = records(engine, before)[-1]
    assert (rec.action, rec.outcome, rec.principal_login, rec.role) == ("decide", "denied", "deputy-a", None)
    assert audit.verify(engine).ok


def test_the_cli_records_its_changes(db_url, tmp_path):
    env = {"BUDGETWATCH_PASSWORD": PASSWORD}
    assert (
        cli(
            "user", "add", "clerk", "--name", "文员", "--region", A, "--role", "staff", "--db", db_url, env=env
        ).returncode
        == 0
    )
    assert cli("user", "grant", "clerk", "632222000", "deputy", "--db", db_url).returncode == 0
    assert cli("user", "revoke", "clerk", "632222000", "--db", db_url).returncode == 0
    assert (
        cli("user", "passwd", "clerk", "--db", db_url, env={"BUDGETWATCH_PASSWORD": "Changed-Pass-99"}).returncode == 0
    )
    made = cli("token", "create", "财政推送", "--region", A, "--ip", "10.0.0.0/8", "--db", db_url)
    assert made.returncode == 0 and made.stdout.startswith("bw_")
    prefix = made.stdout.split("_")[1]
    assert cli("token", "revoke", prefix, "--db", db_url).returncode == 0
    assert cli("user", "add", "weak", "--db", db_url, env={"BUDGETWATCH_PASSWORD": "short"}).returncode != 0
    out = tmp_path / "audit.jsonl"
    assert cli("audit", "export", "--out", str(out), "--db", db_url).returncode == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in rows] == [
        "user_change",
        "permission_change",
        "permission_change",
        "permission_change",
        "user_change",
        "token_change",
        "token_change",
    ]
    assert all(r["principal_login"].startswith("cli:") for r in rows)
    assert made.stdout.strip() not in out.read_text(encoding="utf-8") and PASSWORD not in out.read_text(
        encoding="utf-8"
    )
    v = cli("audit", "verify", "--file", str(out))
    assert v.returncode == 0 and "7 records" in v.stdout


def test_the_database_refuses_changes_and_verify_finds_tampering(app, tmp_path):
    engine = app.state.engine
    signed_in(app, "staff-a").get("/api/findings.csv")
    n = last_id(engine)
    assert n >= 10
    url = engine.url.render_as_string(hide_password=False)
    ok = cli("audit", "verify", "--db", url)
    assert ok.returncode == 0 and f"{n} records" in ok.stdout
    for sql in (
        "update audit_log set outcome = 'ok' where id = 3",
        "delete from audit_log where id = 3",
        "delete from audit_log",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as c:
                c.execute(text(sql))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as c:
                c.execute(text("truncate audit_log"))
    # someone with the database owner's rights disables the guard and edits one record
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("alter table audit_log disable trigger audit_log_no_change"))
        else:
            c.execute(text("drop trigger audit_log_no_update"))
        c.execute(text("update audit_log set principal_login = 'someone-else' where id = 3"))
    bad = cli("audit", "verify", "--db", url)
    assert bad.returncode == 1 and "record 3" in bad.stderr
    assert signed_in(app, "auditor-a").get("/api/audit/verify").json()["bad_id"] == 3
