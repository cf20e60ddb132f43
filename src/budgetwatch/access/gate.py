"""The web service's front door, one ASGI middleware in front of the response cache:

- security headers and a per-request CSP nonce on every answer;
- request bodies above the upload limit refused (413) while they arrive;
- unsafe methods from another site refused (Origin / Sec-Fetch-Site), in both modes;
- in server mode (BUDGETWATCH_AUTH=on): the principal from the session cookie or a bearer token;
  no principal → 401 (API) or a redirect to /login, before the cache is asked;
- the cache keyed by principal;
- an audit record for every write, export and audit-log access, and every refusal, with its outcome.

Once the router has chosen the route, `authorize` (a dependency of every route) looks its action up in
the permission matrix, refuses it (403) when the principal's roles do not allow it, hands the action's
scope to the request's database session, checks CSRF on forms and marks non-read answers uncacheable."""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from . import audit, sessions, tokens
from .hardening import body_limit, new_nonce, safe_back, security_headers
from .permissions import PUBLIC, action_for, audited
from .principal import LOCAL, Principal
from .settings import SESSION_COOKIE, auth_on

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ALWAYS_OPEN = ("/health", "/static/", "/login")  # answered without a principal


class TooLarge(Exception):
    pass


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _wants_json(scope, query: dict) -> bool:
    accept = _headers(scope).get("accept", "")
    return (
        scope["path"].startswith("/api")
        or query.get("format") == "json"
        or scope["method"] != "GET"
        or "text/html" not in accept
    )


async def _send_simple(send, status: int, body: bytes, content_type: bytes, extra=()):
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _json(send, status: int, detail: str, extra=()):
    await _send_simple(
        send, status, json.dumps({"detail": detail}, ensure_ascii=False).encode(), b"application/json", extra
    )


class AccessGate:
    def __init__(self, app, engine):
        self.app, self.engine = app, engine

    def _authenticate(self, scope, ip) -> Principal | None:
        h = _headers(scope)
        auth = h.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return tokens.resolve(self.engine, auth[7:].strip(), ip)
        cookie = SimpleCookie()
        try:
            cookie.load(h.get("cookie", ""))
        except Exception:
            return None
        raw = cookie.get(SESSION_COOKIE)
        return sessions.resolve(self.engine, raw.value, ip) if raw else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope.get("budgetwatch.warm"):  # the server process's own warm-up (web/app.py): no client, nothing sent
            scope["budgetwatch.principal"] = LOCAL
            return await self.app(scope, receive, send)
        nonce = new_nonce()
        scope["budgetwatch.request_id"] = secrets.token_hex(8)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        extra = security_headers(nonce, scope["path"])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        method, h = scope["method"], _headers(scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        limit = body_limit()
        if int(h.get("content-length") or 0) > limit:
            return await _json(send_with_headers, 413, f"request body larger than {limit // (1024 * 1024)} MB")
        if method in UNSAFE and _cross_site(h):
            return await _json(send_with_headers, 403, "cross-site request refused")
        ip = (scope.get("client") or ("", 0))[0] or None
        if auth_on():
            principal = await run_in_threadpool(self._authenticate, scope, ip)
            if not scope["path"].startswith(ALWAYS_OPEN):
                if principal is None:
                    return await self._login_required(scope, send_with_headers, query)
                if principal.must_change and scope["path"] not in ("/account", "/account/password", "/logout"):
                    return await _redirect(send_with_headers, "/account?must_change=1")
                if method in UNSAFE and principal.via == "session" and "x-csrf-token" in h:
                    if not secrets.compare_digest(h["x-csrf-token"], principal.csrf or ""):
                        return await _json(send_with_headers, 403, "CSRF token missing or wrong")
                    scope["budgetwatch.csrf_checked"] = True
            if principal is not None:  # the cache answers a session only what was computed for it (its forms
                # carry the session's CSRF token)
                scope["budgetwatch.cache_key"] = f"|{principal.login}|{principal.csrf or ''}|{principal.grants_key()}"
        else:
            principal = LOCAL
        scope["budgetwatch.principal"] = principal
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send_with_headers(message)

        received = {"n": 0}

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                received["n"] += len(message.get("body", b""))
                if received["n"] > limit:
                    raise TooLarge()
            return message

        try:
            await self.app(scope, counted, watch)
        except TooLarge:
            if "code" not in status:
                await _json(send_with_headers, 413, f"request body larger than {limit // (1024 * 1024)} MB")
            status["code"] = 413
        action = scope.get("budgetwatch.action")  # set by authorize() once the route is known
        code = status.get("code", 500)
        # no principal only on ALWAYS_OPEN paths, none of them audited here (a login records its own)
        if principal is not None and (
            scope.get("budgetwatch.denied") or audited(method, action, scope.get("path_params"))
        ):
            route = scope.get("route")
            await self._audit(
                principal,
                action or "unclassified",
                "ok" if code < 400 else "denied" if code in (401, 403, 404) else "error",
                getattr(route, "path", scope["path"]),
                scope.get("path_params") or {},
                scope,
                code,
            )

    async def _audit(self, principal: Principal, action: str, outcome: str, path, params, scope, code: int):
        h = _headers(scope)
        actor = audit.Actor(
            id=principal.id,
            login=principal.login,
            role=principal.role_for(action),
            region_code=principal.home_region(),
            ip=(scope.get("client") or ("", 0))[0] or None,
            user_agent=h.get("user-agent"),
            request_id=scope.get("budgetwatch.request_id"),
        )
        detail = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": code,
            **scope.get("budgetwatch.audit_detail", {}),
        }
        object_id = next(iter(params.values()), None) if params else None
        await run_in_threadpool(audit.record, self.engine, actor, action, outcome, path, object_id, detail)

    async def _login_required(self, scope, send, query):
        if _wants_json(scope, query):
            return await _json(send, 401, "login required", [(b"www-authenticate", b'Bearer realm="budgetwatch"')])
        back = scope["path"] + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
        return await _redirect(send, "/login?back=" + quote(safe_back(back), safe=""))


async def _redirect(send, location: str):
    await _send_simple(send, 303, b"", b"text/plain", [(b"location", location.encode("latin-1"))])


def _cross_site(h: dict[str, str]) -> bool:
    """A browser says where an unsafe request comes from; another site's page may not post here."""
    if h.get("sec-fetch-site") == "cross-site":
        return True
    origin = h.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    host = h.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") != host


async def authorize(request: Request) -> None:
    """The route's action against the matrix; the scope for the session; CSRF on forms; at most MAX_FILES files per upload."""
    from fastapi import HTTPException
    from starlette.datastructures import UploadFile

    scope = request.scope
    route = scope.get("route")
    action = action_for(request.method, getattr(route, "path", None), request.path_params, dict(request.query_params))
    scope["budgetwatch.action"] = action
    if action not in ("read", PUBLIC):
        scope["budgetwatch.no_cache"] = True
    p = scope.get("budgetwatch.principal") or LOCAL
    if action == PUBLIC:
        return
    if auth_on() and (action is None or not p.can(action)):
        scope["budgetwatch.denied"] = True
        raise HTTPException(403, "not permitted for your role")
    scope["budgetwatch.scope"] = p.scope(action) if auth_on() and action is not None else None
    named = request.path_params.get("region") or request.path_params.get("region_code")
    if named and scope["budgetwatch.scope"] is not None and not scope["budgetwatch.scope"].sees(str(named)):
        raise HTTPException(404, f"no region {named}")  # a region in the address: outside the scope, not found
    if request.method not in UNSAFE:
        return
    form = None
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
    if p.via == "session" and not scope.get("budgetwatch.csrf_checked"):
        given = str(form.get("csrf_token", "")) if form is not None else ""
        if not given or not secrets.compare_digest(given, p.csrf or ""):
            scope["budgetwatch.denied"] = True
            raise HTTPException(403, "CSRF token missing or wrong")
    if form is not None and sum(isinstance(v, UploadFile) for _, v in form.multi_items()) > MAX_FILES:
        raise HTTPException(400, f"at most {MAX_FILES} files per upload")


MAX_FILES = 10  # a disclosure's 说明 and 报表 published apart, a few at a time; not an archive's worth
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
