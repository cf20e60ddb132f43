"""Plugs access control into the app: the gate middleware (outside the response cache), `authorize` on
every route (the permission matrix, the query scope, CSRF on forms, one file per upload), the
login/admin/audit/代表服务 routes, the template helpers, and error pages that never show a traceback."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup, escape

from ..access.gate import AccessGate, authorize
from ..access.hardening import new_nonce, security_headers
from ..access.principal import LOCAL

log = logging.getLogger("budgetwatch.web")


def csrf_input(request: Request) -> Markup:
    p = request.scope.get("budgetwatch.principal")
    if p is None or p.via != "session":
        return Markup("")
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(p.csrf)}">')


def csp_nonce(request: Request) -> str:
    return request.scope.get("state", {}).get("csp_nonce", "")


def principal_of(request: Request):
    return request.scope.get("budgetwatch.principal") or LOCAL


def install(app: FastAPI, engine) -> None:
    """Call after the response cache is added and before any router is included (the app's dependencies
    apply to the routes included after them); the access routes are `include_routes`'."""
    from .templating import templates

    app.router.dependencies.append(Depends(authorize))
    app.add_middleware(AccessGate, engine=engine)
    templates.env.globals.update(csrf_input=csrf_input, csp_nonce=csp_nonce, principal_of=principal_of)
    _error_pages(app)


def include_routes(app: FastAPI) -> None:
    """The login, admin, audit, region and 代表服务 routes, after the pages' (a request tries the routes in
    order, and the pages are most of them)."""
    from ..access.settings import auth_on
    from .routes import access as access_pages, deputy as deputy_pages, opinion, regions as region_pages

    for route in [
        *access_pages.router.routes,
        *region_pages.router.routes,
        *deputy_pages.router.routes,
    ]:  # the access API is documented where it applies: server mode
        # Starlette types router.routes as BaseRoute; these are APIRoutes, which have include_in_schema
        route.include_in_schema = getattr(route, "documented", route.include_in_schema) and auth_on()  # type: ignore[attr-defined]
    app.include_router(access_pages.router)
    app.include_router(region_pages.router)
    app.include_router(deputy_pages.router)
    app.include_router(opinion.router)


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        rid = request.scope.get("budgetwatch.request_id", "")
        log.exception("request %s %s failed (request id %s)", request.method, request.url.path, rid)
        headers = {k.decode(): v.decode() for k, v in security_headers(new_nonce(), request.url.path)}
        if request.url.path.startswith("/api") or request.query_params.get("format") == "json":
            return JSONResponse({"detail": "internal error", "request_id": rid}, status_code=500, headers=headers)
        return HTMLResponse(
            f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>500</title>'
            f'<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>500</h1>'
            f'<p class="error">服务器内部错误（请求编号 {escape(rid)}），已记录。</p>'
            f'<p><a href="/">返回总览</a></p></main></body></html>',
            status_code=500,
            headers=headers,
        )
