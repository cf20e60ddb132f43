"""Server-mode fixtures shared by the access tests: an app with BUDGETWATCH_AUTH=on on SQLite or
PostgreSQL, the bundled samples placed in two regions (A: 兴县 and 阳城县's city tree; B: 祁连县), and
an account per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from budgetwatch.access import audit, users
from budgetwatch.access.scope import UploadRegion
from budgetwatch.pipeline import check as check_versions, ingest_one
from budgetwatch.web.app import create_app

from conftest import SAMPLES

A, B = "141123000", "632222000"  # 兴县 (吕梁市 141100000), 祁连县 (海北州)
CITY = "141100000"
PASSWORD = "Correct-Horse-42"
ROLES = ("deputy", "staff", "admin", "auditor", "finance")
PLACES = {"000": A, "001": "140522000", "002": B}  # the samples: 兴县, 阳城县, 祁连县
B_UNIT = "祁连县人大常委会办公室"


def server_app(db_url: str, monkeypatch, tmp_path: Path, cache: bool = True):
    monkeypatch.setenv("BUDGETWATCH_AUTH", "on")
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "cache"))
    return create_app(db_url, cache=cache)


@pytest.fixture
def placed(db_url, monkeypatch, tmp_path):
    """The server-mode app with the accounts of make_users and the samples placed; `app.state.docs`
    maps each region to its document id."""
    app = server_app(db_url, monkeypatch, tmp_path)
    make_users(app.state.engine)
    app.state.docs = place_samples(app.state.engine)
    yield app
    app.state.engine.dispose()


def place_samples(engine) -> dict[str, int]:
    """Ingest the samples, each stamped with its region as an upload by that region would be; {region: document id}."""
    out = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        code = PLACES[path.name[:3]]
        o = ingest_one(engine, [path], before_commit=UploadRegion(code).stamp)
        out[code] = o.document_id
    check_versions(engine)
    return out


def make_users(engine, region: str = A) -> None:
    who = audit.cli_actor()
    users.add(engine, who, "root", "超级管理员", PASSWORD, superadmin=True)
    for role in ROLES:
        users.add(engine, who, f"{role}-a", f"{role} A", PASSWORD)
        users.grant(engine, who, f"{role}-a", region, role, agency="AG01" if role == "finance" else None)
    users.add(engine, who, "staff-b", "staff B", PASSWORD)
    users.grant(engine, who, "staff-b", B, "staff")
    users.add(engine, who, "city-staff", "city staff", PASSWORD)
    users.grant(engine, who, "city-staff", CITY, "staff", descend=True)


def signed_in(app, login: str, password: str = PASSWORD) -> TestClient:
    """A client with a session (its CSRF token sent as X-CSRF-Token on unsafe requests)."""
    c = TestClient(app)
    r = c.post("/login", data={"login": login, "password": password}, follow_redirects=False)
    assert r.status_code == 303, (login, r.status_code, r.text[:200])
    c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf"]
    return c


def every_route(app) -> list[tuple[str, str]]:
    """(method, path template) of every route of the application, read from its route list (included
    routers too: FastAPI keeps them as included-router entries)."""
    from starlette.routing import Mount

    def walk(routes, prefix=""):
        for r in routes:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + (r.include_context.prefix or ""))
            elif isinstance(r, Mount):
                yield "GET", prefix + r.path + "/{path}"
            else:
                for m in sorted(getattr(r, "methods", None) or {"GET"}):
                    if m != "HEAD":
                        yield m, prefix + r.path

    return sorted(set(walk(app.routes)))


FORMATS = {
    "/api/documents/{document_id}/tables/{index}.{fmt}": "csv",
    "/documents/{document_id}/report.{fmt}": "html",
    "/reports/batch.{fmt}": "xlsx",
    "/api/findings.{fmt}": "csv",
    "/staff/opinion.{fmt}": "docx",
}
QUERIES = {
    "/api/compare": "year=2023",
    "/documents/{document_id}/source.png": "page=1&box=1,2,3,4",
    "/documents/{document_id}/source.txt": "line=5",
    "/api/projects": "q=人大",
    "/projects": "q=人大",
}


def concrete(method: str, path: str, ids: dict) -> tuple[str, dict]:
    """The route's URL with its parameters filled from `ids` (document_id, finding_id, unit, …), and
    those parameters."""
    import re

    params = {}
    for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
        params[name] = (
            FORMATS.get(path, "csv") if name == "fmt" else ids.get(name, "style.css" if name == "path" else 1)
        )
    url = path
    for name, value in params.items():
        url = re.sub(r"\{" + name + r"(?::\w+)?\}", str(value), url)
    q = QUERIES.get(path)
    return (url + "?" + q if q else url), params
