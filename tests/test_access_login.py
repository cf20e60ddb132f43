"""Login in server mode (BUDGETWATCH_AUTH=on): argon2id hashes, lockout after 5 failures, the rate limit
on /login, idle and absolute session timeouts, CSRF on every unsafe request, and no password or token
in the database or the log in clear — on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session

from budgetwatch.access import audit, passwords, sessions, tokens, users
from budgetwatch.access.tables import SessionRecord, User

from access_helpers import PASSWORD, make_users, place_samples, server_app, signed_in


@pytest.fixture
def app(db_url, monkeypatch, tmp_path):
    app = server_app(db_url, monkeypatch, tmp_path)
    make_users(app.state.engine)
    yield app
    app.state.engine.dispose()


def test_passwords_are_argon2id_and_the_policy_holds(app):
    with Session(app.state.engine) as s:
        stored = s.scalars(select(User.password_hash).where(User.login == "staff-a")).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify(stored, PASSWORD) and not passwords.verify(stored, PASSWORD + "x")
    for weak in ("short1A!", "alllowercaseletters", "ALLUPPER12345", "staff-a-Password1"):
        with pytest.raises(users.UserError):
            users.add(app.state.engine, audit.cli_actor(), "staff-a" if "staff-a" in weak else "new", "n", weak)


def test_login_logout_and_unauthenticated_requests(app):
    anon = TestClient(app)
    assert anon.get("/api/documents").status_code == 401
    r = anon.get("/findings?severity=error", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?back=%2Ffindings%3Fseverity%3Derror"
    assert anon.get("/health").status_code == 200 and anon.get("/static/style.css").status_code == 200
    assert anon.get("/login").status_code == 200
    r = anon.post(
        "/login", data={"login": "staff-a", "password": PASSWORD, "back": "//example.org/x"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/"  # never off-site
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    c = signed_in(app, "staff-a")
    assert c.get("/api/me").json()["memberships"][0]["role"] == "staff"
    assert c.post("/logout", follow_redirects=False).status_code == 303
    assert c.get("/api/documents").status_code == 401  # the session ended on the server
    with Session(app.state.engine) as s:
        actions = [a for (a,) in s.execute(text("select action from audit_log order by id"))]
    assert actions.count("login") == 2 and "logout" in actions


def test_five_failures_lock_the_account(app):
    c = TestClient(app)
    for _ in range(5):
        r = c.post("/login", data={"login": "deputy-a", "password": "wrong-Password-1"})
        assert r.status_code == 401
    r = c.post("/login", data={"login": "deputy-a", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 401 and "锁定" in r.text  # the right password, refused while locked
    with Session(app.state.engine) as s, s.begin():
        u = s.scalars(select(User).where(User.login == "deputy-a")).one()
        assert u.locked_until is not None
        u.locked_until = sessions.now() - timedelta(seconds=1)  # 15 minutes later
    assert c.post("/login", data={"login": "deputy-a", "password": PASSWORD}, follow_redirects=False).status_code == 303
    with Session(app.state.engine) as s:
        reasons = [
            d
            for (d,) in s.execute(
                select(text("detail")).select_from(text("audit_log")).where(text("action = 'login_failed'"))
            )
        ]
    assert len(reasons) == 6


def test_login_is_rate_limited_per_address(app):
    c = TestClient(app)
    logins = ["staff-a", "deputy-a", "admin-a", "auditor-a", "finance-a", "staff-b", "root", "nobody", "x", "y"]
    for name in logins:  # ten attempts on different accounts: no lockout involved
        assert c.post("/login", data={"login": name, "password": "wrong-Password-1"}).status_code == 401
    r = c.post("/login", data={"login": "staff-a", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and "频繁" in r.text
    with Session(app.state.engine) as s:
        assert s.scalar(text("select count(*) from audit_log where action = 'login_refused'")) == 1


def test_sessions_expire_idle_and_absolute(app):
    c = signed_in(app, "staff-a")
    assert c.get("/api/documents").status_code == 200
    with Session(app.state.engine) as s, s.begin():
        s.execute(update(SessionRecord).values(last_seen=sessions.now() - timedelta(minutes=31)))
    assert c.get("/api/documents").status_code == 401  # idle 31 minutes
    c = signed_in(app, "staff-a")
    with Session(app.state.engine) as s, s.begin():
        s.execute(
            update(SessionRecord)
            .where(SessionRecord.ended_at.is_(None))
            .values(created_at=sessions.now() - timedelta(hours=12, minutes=1), last_seen=sessions.now())
        )
    assert c.get("/api/documents").status_code == 401  # active, but 12 hours after login


def test_csrf_is_required_on_unsafe_requests(app):
    place_samples(app.state.engine)
    c = signed_in(app, "staff-a")
    fid = c.get("/api/findings").json()["items"][0]["id"]
    token = c.headers.pop("X-CSRF-Token")
    form = {"status": "accepted", "reason": "核实", "by": "王"}
    assert c.post(f"/findings/{fid}/decision", data=form, follow_redirects=False).status_code == 403
    assert c.post(f"/api/findings/{fid}/decision", json=form).status_code == 403
    assert c.post(f"/api/findings/{fid}/decision", json=form, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    r = c.post(f"/findings/{fid}/decision", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert f'name="csrf_token" value="{token}"' in c.get("/findings").text  # the forms carry it
    # another site's page posting with the victim's cookie is refused before anything else
    r = c.post(
        f"/api/findings/{fid}/decision", json=form, headers={"X-CSRF-Token": token, "Origin": "https://evil.example"}
    )
    assert r.status_code == 403


def test_no_password_or_token_in_clear_in_the_database_or_the_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    c = TestClient(app)
    r = c.post("/login", data={"login": "staff-a", "password": PASSWORD}, follow_redirects=False)
    cookie = r.cookies.get("bw_session") or r.headers["set-cookie"].split("=", 1)[1].split(";")[0]
    c.post("/login", data={"login": "staff-a", "password": "Wrong-" + PASSWORD})
    with Session(app.state.engine) as s, s.begin():
        _, raw = tokens.create(s, "财政局推送", "141123000")
    assert tokens.resolve(app.state.engine, raw, "127.0.0.1").grants[0].role == "finance"
    secrets_ = [PASSWORD, "Wrong-" + PASSWORD, cookie, raw, raw.split("_", 2)[2]]
    dump = []
    with app.state.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            dump += [repr(tuple(row)) for row in conn.execute(text(f'select * from "{table}"'))]
    everything = "\n".join(dump) + caplog.text
    assert len(dump) > 20
    for secret in secrets_:
        assert secret not in everything


def test_machine_tokens_are_scoped_revocable_and_address_bound(app):
    place_samples(app.state.engine)
    with Session(app.state.engine) as s, s.begin():
        _, raw = tokens.create(s, "兴县财政局推送", "141123000", "finance")
        _, bound = tokens.create(s, "限定地址", "141123000", "finance", ip_allowlist=["10.1.0.0/16"])
    c = TestClient(app)
    docs = c.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).json()["items"]
    assert [d["unit"] for d in docs] == ["兴县人民代表大会常务委员会办公室"]  # its region only
    assert (
        c.post(
            "/api/upload", headers={"Authorization": f"Bearer {raw}"}, files={"file": ("a.txt", b"x", "text/plain")}
        ).status_code
        == 403
    )  # finance uploads feeds, not disclosures
    assert c.get("/api/documents", headers={"Authorization": f"Bearer {bound}"}).status_code == 401  # wrong address
    assert c.get("/api/documents", headers={"Authorization": f"Bearer {raw[:-2]}xx"}).status_code == 401
    with Session(app.state.engine) as s, s.begin():
        assert tokens.revoke(s, raw.split("_")[1])
    assert c.get("/api/documents", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
