"""Login, logout, one's own account, the admin page (users and memberships) and the audit log — pages
with JSON twins. Login is the only page open without a session in server mode."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...access import audit, sessions, users
from ...access.hardening import safe_back
from ...access.permissions import ROLES
from ...access.principal import LOCAL, Principal
from ...access.settings import SESSION_COOKIE, auth_on, secure_cookies
from ...access.tables import AuditRecord
from ...errors import NotFound
from .. import deps
from ..templating import render

router = APIRouter(tags=["access"])
NO_NUL = deps.NO_NUL
LOGIN_PROBLEMS = {
    "bad": "用户名或密码错误",
    "locked": "连续登录失败次数过多，账户已锁定 15 分钟",
    "inactive": "用户名或密码错误",
    "rate": "登录尝试过于频繁，请一分钟后再试",
}


def principal(request: Request) -> Principal:
    return request.scope.get("budgetwatch.principal") or LOCAL


def actor(request: Request, p: Principal | None = None, action: str = "self") -> audit.Actor:
    p = p or principal(request)
    return audit.Actor(
        id=p.id,
        login=p.login,
        role=p.role_for(action),
        region_code=p.home_region(),
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        request_id=request.scope.get("budgetwatch.request_id"),
    )


@router.get("/login", include_in_schema=False)
def login_page(request: Request, back: str = Query("/", max_length=2000)):
    return render(request, "login.html", {"error": None, "back": safe_back(back), "auth": auth_on()})


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    login: str = Form(..., max_length=64, pattern=NO_NUL),
    password: str = Form(..., max_length=200, pattern=NO_NUL),
    back: str = Form("/", max_length=2000),
):
    engine = request.app.state.engine
    result = sessions.login(engine, login, password, actor(request, Principal(None, login, login)))
    if result.token is None:
        status = 429 if result.problem == "rate" else 401
        return render(
            request,
            "login.html",
            {"error": LOGIN_PROBLEMS[result.problem], "back": safe_back(back), "auth": auth_on()},
            status=status,
        )
    target = "/account?must_change=1" if result.must_change else safe_back(back)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax", secure=secure_cookies(), path="/")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request):
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        sessions.end(request.app.state.engine, raw)
        audit.record(request.app.state.engine, actor(request), "logout", "ok", "user", principal(request).id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def me(p: Principal) -> dict:
    return {
        "login": p.login,
        "display_name": p.display_name,
        "superadmin": p.superadmin,
        "via": p.via,
        "must_change": p.must_change,
        "csrf": p.csrf,  # send it as X-CSRF-Token with unsafe requests
        "memberships": [
            {
                "region": g.region_code,
                "role": g.role,
                "role_zh": ROLES[g.role],
                "descend": g.descend,
                "agency": g.agency_code,
            }
            for g in p.grants
        ],
    }


@router.get("/api/me")
def me_json(request: Request):
    """Who the request is: login, memberships (role in a region)."""
    return me(principal(request))


@router.get("/account", include_in_schema=False)
def account_page(request: Request, must_change: int = Query(0, ge=0, le=1)):
    return render(
        request,
        "account.html",
        {"me": me(principal(request)), "error": None, "done": False, "must_change": bool(must_change)},
    )


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    old: str = Form(..., max_length=200, pattern=NO_NUL),
    new: str = Form(..., max_length=200, pattern=NO_NUL),
):
    p = principal(request)
    if p.id is None:
        raise HTTPException(400, "this principal has no password")
    try:
        users.set_password(request.app.state.engine, actor(request), p.login, new, old=old)
    except users.UserError as e:
        return render(
            request, "account.html", {"me": me(p), "error": str(e), "done": False, "must_change": False}, status=400
        )
    response = RedirectResponse("/login", status_code=303)  # every session ended: sign in again
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ---- administration --------------------------------------------------------------------------------


def admin_regions(request: Request) -> frozenset[str] | None:
    scope = request.scope.get("budgetwatch.scope")
    return None if scope is None else scope.detail


def _own_tenant(request: Request, region: str) -> None:
    regions = admin_regions(request)
    if regions is not None and region not in regions:
        raise NotFound("region", [region], by="with code", where="in your administration")


class NewUser(BaseModel):
    login: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    display_name: str = Field("", max_length=100, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    region: str = Field(pattern=r"^\d{9}$")
    role: str = Field(pattern="^(admin|staff|deputy|finance|auditor)$")
    descend: bool = False
    agency: str | None = Field(default=None, max_length=64, pattern=NO_NUL)


class GrantBody(BaseModel):
    region: str = Field(pattern=r"^\d{9}$")
    role: str = Field(pattern="^(admin|staff|deputy|finance|auditor)$")
    descend: bool = False
    agency: str | None = Field(default=None, max_length=64, pattern=NO_NUL)


class ResetBody(BaseModel):
    password: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


def _login_of(request: Request, s: Session, user_id: int) -> str:
    from ...access.tables import User

    regions = admin_regions(request)
    found = [u for u in users.listing(s, regions) if u["id"] == user_id]
    if not found:
        raise NotFound("user", [user_id])
    return s.get_one(User, user_id).login


def _create(request: Request, body: NewUser) -> dict:
    _own_tenant(request, body.region)
    engine, who = request.app.state.engine, actor(request, action="manage")
    try:
        uid = users.add(engine, who, body.login, body.display_name, body.password, must_change=True)
        users.grant(engine, who, body.login, body.region, body.role, body.descend, body.agency)
    except users.UserError as e:
        raise HTTPException(400, str(e)) from None
    return {"id": uid, "login": body.login}


@router.get("/api/admin/users")
def users_json(request: Request, s: Session = Depends(deps.session)):
    """Accounts with their memberships (a tenant admin sees those of its regions)."""
    return users.listing(s, admin_regions(request))


@router.post("/api/admin/users", responses={400: {"description": "weak password, login taken"}})
def create_user(request: Request, body: NewUser):
    """A new account with one membership; it must change its password at first login."""
    return _create(request, body)


@router.post("/admin/users", include_in_schema=False)
def create_user_form(
    request: Request,
    login: str = Form(...),
    display_name: str = Form(""),
    password: str = Form(...),
    region: str = Form(...),
    role: str = Form(...),
    descend: bool = Form(False),
):
    try:
        body = NewUser(
            login=login, display_name=display_name, password=password, region=region, role=role, descend=descend
        )
    except Exception as e:
        raise HTTPException(422, str(e).splitlines()[0]) from None
    _create(request, body)
    return RedirectResponse("/admin", status_code=303)


@router.post("/api/admin/users/{user_id}/grant")
def grant_json(request: Request, user_id: int, body: GrantBody, s: Session = Depends(deps.session)):
    """Give the user a role in a region (optionally over its descendants)."""
    _own_tenant(request, body.region)
    login = _login_of(request, s, user_id)
    users.grant(
        request.app.state.engine,
        actor(request, action="manage"),
        login,
        body.region,
        body.role,
        body.descend,
        body.agency,
    )
    return {"ok": True}


@router.post("/api/admin/users/{user_id}/revoke")
def revoke_json(request: Request, user_id: int, body: GrantBody, s: Session = Depends(deps.session)):
    """Take a role in a region away."""
    _own_tenant(request, body.region)
    login = _login_of(request, s, user_id)
    n = users.revoke(request.app.state.engine, actor(request, action="manage"), login, body.region, body.role)
    return {"removed": n}


@router.post("/api/admin/users/{user_id}/reset")
def reset_json(request: Request, user_id: int, body: ResetBody, s: Session = Depends(deps.session)):
    """A new initial password; the user must change it at the next login."""
    login = _login_of(request, s, user_id)
    try:
        users.set_password(
            request.app.state.engine, actor(request, action="manage"), login, body.password, must_change=True
        )
    except users.UserError as e:
        raise HTTPException(400, str(e)) from None
    return {"ok": True}


@router.get("/admin", include_in_schema=False)
def admin_page(
    request: Request, format: str | None = Query(None, pattern="^(html|json)$"), s: Session = Depends(deps.session)
):
    data = users.listing(s, admin_regions(request))
    if format == "json":
        return data
    return render(
        request, "admin.html", {"users": data, "roles": {k: v for k, v in ROLES.items() if k != "superadmin"}}
    )


# ---- the audit log ---------------------------------------------------------------------------------


def _audit_rows(s: Session, action: str | None, limit: int, offset: int) -> list[dict]:
    q = select(AuditRecord)
    if action:
        q = q.where(AuditRecord.action == action)
    out = []
    for r in s.scalars(q.order_by(AuditRecord.id.desc()).limit(limit).offset(offset)):
        out.append(
            {
                "id": r.id,
                "at": audit._utc_text(r.at),
                "principal": r.principal_login,
                "role": r.role,
                "region": r.region_code,
                "ip": r.ip,
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "outcome": r.outcome,
                "detail": r.detail,
            }
        )
    return out


@router.get("/api/audit")
def audit_json(
    request: Request,
    action: str | None = Query(None, max_length=32),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    s: Session = Depends(deps.session),
):
    """The audit log, newest first."""
    return {"items": _audit_rows(s, action, limit, offset)}


@router.get("/api/audit/verify")
def audit_verify(request: Request):
    """Re-compute the hash chain: ok, records checked, and the first record that does not match."""
    v = audit.verify(request.app.state.engine)
    return {"ok": v.ok, "count": v.count, "bad_id": v.bad_id, "problem": v.problem}


@router.get("/api/audit/export.jsonl")
def audit_export(request: Request, before: datetime | None = None):
    """The audit log as JSONL (the chain's hashes included, so a whole export can be verified on its own;
    a region's auditor gets its region's records)."""
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    lines = (
        audit.export_line(r) + "\n"
        for r in audit.rows(request.app.state.engine, before, regions=admin_regions(request))
    )
    return StreamingResponse(
        lines, media_type="application/x-ndjson", headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'}
    )


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    action: str | None = Query(None, max_length=32),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    s: Session = Depends(deps.session),
):
    return render(
        request,
        "audit.html",
        {
            "rows": _audit_rows(s, action, limit, offset),
            "verdict": audit.verify(request.app.state.engine),
            "action": action or "",
        },
    )


for _route in router.routes:  # access_wiring lists them in the schema in server mode only
    # Starlette types router.routes as BaseRoute (these are APIRoutes); `documented` is a flag of ours
    _route.documented = _route.include_in_schema  # type: ignore[attr-defined]
