"""Server mode, route by route: every route of the application (read from its route list) requested with
no session and as each role of region A. Without a session: 401, or a redirect to the login page. With
one: exactly what the permission matrix allows (403 otherwise). Region B's documents, findings, units
and questions never reach region A — by id they are 404, in lists and pages they are absent — even with
the response cache warmed by a principal who sees both. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetwatch.access.permissions import PUBLIC, ROUTES, action_for, allows
from budgetwatch.access.tables import User

from access_helpers import B_UNIT, ROLES, A, B, concrete, every_route, make_users, place_samples, server_app, signed_in

OBJECT_PARAMS = {"document_id", "finding_id", "unit", "question_id", "code"}


def ids_of(client: TestClient, region: str, engine) -> dict:
    docs = [d for d in client.get("/api/documents").json()["items"]]
    doc = next(d for d in docs if d["id"] == engine.docs[region])
    finding = client.get(f"/api/findings?document={doc['id']}").json()["items"][0]
    with Session(engine) as s:
        uid = s.scalars(select(User.id).where(User.login == "deputy-a")).one()
    return {
        "document_id": doc["id"],
        "unit": doc["unit"],
        "finding_id": finding["id"],
        "index": 0,
        "row": 0,
        "code": region,
        "user_id": uid,
        "question_id": engine.questions.get(region, 999999),
    }


@pytest.fixture
def world(db_url, monkeypatch, tmp_path):
    app = server_app(db_url, monkeypatch, tmp_path, cache=True)
    engine = app.state.engine
    make_users(engine)
    engine.docs = place_samples(engine)
    engine.questions = {}
    root = signed_in(app, "root")
    for region, login in ((A, "deputy-a"), (B, "staff-b")):
        asker = signed_in(app, login)
        doc = engine.docs[region]
        r = asker.post(
            "/api/questions",
            json={"title": "请说明", "body": "为何增长", "target_type": "document", "target_id": str(doc)},
        )
        if r.status_code == 200:
            engine.questions[region] = r.json()["id"]
    yield app, root, {A: ids_of(root, A, engine), B: ids_of(root, B, engine)}
    engine.dispose()


def walk(client: TestClient, ids: dict, routes):
    """(method, path, params, response) for every route, /logout last (it ends the session)."""
    for method, path in sorted(routes, key=lambda r: r[1] == "/logout"):
        url, params = concrete(method, path, ids)
        if path == "/docs":
            continue  # Swagger UI: the same action as /openapi.json
        r = client.request(
            method, url, follow_redirects=False, headers={"accept": "text/html"} if method == "GET" else {}
        )
        yield method, path, url, params, r


def test_every_route_is_in_the_matrix(world):
    app, _, _ = world
    routes = every_route(app)
    assert len(routes) >= 50
    missing = [(m, p) for m, p in routes if action_for(m, p, {}, {}) is None]
    assert not missing, missing
    stale = [k for k in ROUTES if k[0] != "*" and k not in routes]
    assert not stale, stale  # the matrix lists no route the app does not have


def test_without_a_session_only_the_login_is_open(world):
    app, _, ids = world
    anon = TestClient(app)
    for method, path, url, params, r in walk(anon, ids[A], every_route(app)):
        if action_for(method, path, params, {}) == PUBLIC:
            assert r.status_code not in (401, 403), (method, url)
        elif method == "GET" and not path.startswith("/api"):
            assert r.status_code == 303 and r.headers["location"].startswith("/login?back="), (
                method,
                url,
                r.status_code,
            )
        else:
            assert r.status_code == 401, (method, url, r.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_exactly_per_the_matrix_and_never_region_b(world, role):
    app, root, ids = world
    routes = every_route(app)
    for _ in walk(root, ids[B], routes):  # warm the cache with answers that hold region B
        pass
    for _ in walk(root, ids[A], routes):
        pass
    c = signed_in(app, f"{role}-a")
    checked = {"allowed": 0, "refused": 0, "b_404": 0}
    for method, path, url, params, r in walk(c, ids[A], routes):
        action = action_for(
            method, path, params, dict(p.split("=", 1) for p in url.partition("?")[2].split("&") if "=" in p)
        )
        if action == PUBLIC:
            continue
        if allows(role, action):
            assert r.status_code not in (401, 403), (role, method, url, r.status_code, r.text[:200])
            checked["allowed"] += 1
        else:
            assert r.status_code == 403, (role, method, url, r.status_code)
            checked["refused"] += 1
        if method == "GET" and r.status_code == 200:
            assert B_UNIT not in r.text and "祁连" not in r.text, (role, url)
    c = signed_in(app, f"{role}-a")
    for method, path, url, params, r in walk(c, ids[B], routes):
        action = action_for(method, path, params, {})
        if action == PUBLIC or method != "GET" or not allows(role, action) or not OBJECT_PARAMS & set(params):
            continue
        if (
            params.get("question_id") == 999999
            or (set(params) & OBJECT_PARAMS) <= {"code"}
            and path.startswith("/api/admin")
        ):
            continue
        assert r.status_code == 404, (role, url, r.status_code, r.text[:200])
        checked["b_404"] += 1
    assert checked["allowed"] >= 3 and checked["b_404"] >= (8 if allows(role, "read") else 0), checked
    assert checked["refused"] >= (1 if role != "admin" else 0), checked


def test_a_city_member_sees_its_counties_summed_up_not_their_detail(world):
    app, _, ids = world
    city = signed_in(app, "city-staff")
    assert city.get("/api/documents").json()["total"] == 0
    assert city.get(f"/api/documents/{ids[A]['document_id']}").status_code == 404
    regions = city.get("/api/regions").json()
    assert [r["code"] for r in regions["detail"]] == ["141100000"] and A in [r["code"] for r in regions["summary"]]
    s = city.get(f"/api/regions/{A}/summary").json()
    assert s["documents"] == 1 and s["income_total"] == 1506.8 and sum(s["findings_by_rule"].values()) >= 1
    assert city.get(f"/api/regions/{B}/summary").status_code == 404


def test_documents_are_placed_in_the_regions_tree_by_their_printed_place(db_url, monkeypatch, tmp_path):
    """A CLI ingest (no uploader) places each version by the regions' names and aliases (store/regions.py);
    a version placed later, once its region is named, by place_unplaced."""
    from budgetwatch.feed.regions import ensure_region
    from budgetwatch.pipeline import ingest
    from budgetwatch.store.regions import place_unplaced

    from conftest import SAMPLES

    app = server_app(db_url, monkeypatch, tmp_path)
    engine = app.state.engine
    make_users(engine)
    with engine.begin() as c:
        ensure_region(c, A, "兴县", ["兴县"])
    ingest(engine, [SAMPLES])
    deputy = signed_in(app, "deputy-a")
    assert [d["unit"] for d in deputy.get("/api/documents").json()["items"]] == ["兴县人民代表大会常务委员会办公室"]
    assert signed_in(app, "staff-b").get("/api/documents").json()["total"] == 0  # 祁连县 not placed yet
    with engine.begin() as c:
        ensure_region(c, B, "祁连县", ["祁连县"])
    with Session(engine) as s, s.begin():
        assert place_unplaced(s) == 1
    assert [d["unit"] for d in signed_in(app, "staff-b").get("/api/documents").json()["items"]] == [B_UNIT]
    engine.dispose()
