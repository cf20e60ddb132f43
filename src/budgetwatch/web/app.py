"""The web service: `create_app(db)` serves the same database as the CLI — Chinese pages rendered on the
server (Jinja2), each with a JSON twin under /api (or `?format=json`), CSV/XLSX downloads, OpenAPI at /docs."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store.db import open_db, resolve_url

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Versions stored before key figures were kept get theirs computed in the background."""
    import threading

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from ..analysis.figures import figures_for
    from ..store.schema import KeyFigures, Version

    def fill():
        try:
            with Session(app.state.engine) as s:
                missing = s.scalars(select(Version.id).where(~Version.id.in_(select(KeyFigures.version_id)))).all()
                for vid in missing:
                    figures_for(s, vid)
        except Exception:   # only an optimisation: a failure means a slower first page
            pass
    threading.Thread(target=fill, daemon=True).start()
    yield


class RefuseNul:
    """A NUL character in the path or the query is a bad parameter (422), not a database error: PostgreSQL
    refuses NUL in text, SQLite would not, and the two back-ends must answer alike."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and ("\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"")):
            response = JSONResponse({"detail": "a parameter contains a NUL character"}, status_code=422)
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


def create_app(db: str | None = None, cache: bool = True) -> FastAPI:
    """The service on database `db`; `cache=False` answers every GET afresh (for measuring, or debugging)."""
    url = resolve_url(db)
    engine = open_db(url)
    _limit_query_time(engine)
    app = FastAPI(title="budgetwatch 人大预算联网监督系统", version="0.1.0", lifespan=_lifespan, docs_url=None,
                  redoc_url=None,
                  description="查询、预警、分析、服务: documents, tables, findings and their decisions.")
    app.state.engine = engine
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if cache:
        from .cache import ResponseCache
        app.add_middleware(ResponseCache, engine=engine)
    app.add_middleware(RefuseNul)

    from . import analysis_pages, api, pages, reports
    app.include_router(api.router)
    app.include_router(analysis_pages.router)
    app.include_router(reports.router)
    app.include_router(pages.router)
    from . import feed_pages
    app.include_router(feed_pages.router)   # 联网数据: pages, their JSON, POST /api/feed/batches

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api") or request.query_params.get("format") == "json":
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                                          status_code=exc.status_code)

    @app.get("/docs", include_in_schema=False)
    def docs():   # Swagger UI from the package: these machines are offline
        from fastapi.openapi.docs import get_swagger_ui_html
        return get_swagger_ui_html(openapi_url="/openapi.json", title="budgetwatch API",
                                   swagger_js_url="/static/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui.css", swagger_favicon_url="/static/style.css")

    @app.get("/health", include_in_schema=False)
    def health():
        return {"ok": True}

    return app


QUERY_SECONDS = 10


def _limit_query_time(engine) -> None:
    """A query may run QUERY_SECONDS at most: PostgreSQL's statement_timeout, SQLite's progress handler."""
    from sqlalchemy import event
    import time as _time

    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _pg(dbapi_conn, _rec):
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET statement_timeout = {QUERY_SECONDS * 1000}")
            dbapi_conn.commit()
    elif engine.dialect.name == "sqlite":
        starts: dict[int, float] = {}

        @event.listens_for(engine, "connect")
        def _sqlite(dbapi_conn, _rec):
            key = id(dbapi_conn)
            dbapi_conn.set_progress_handler(
                lambda: 1 if _time.monotonic() - starts.get(key, _time.monotonic()) > QUERY_SECONDS else 0, 100000)

        @event.listens_for(engine, "before_cursor_execute")
        def _start(conn, cursor, statement, parameters, context, executemany):
            starts[id(conn.connection.dbapi_connection)] = _time.monotonic()


def app_from_env() -> FastAPI:
    """The app for uvicorn's worker processes (`serve --workers N`): the database comes from $BUDGETWATCH_DB."""
    import os
    return create_app(None, cache=os.environ.get("BUDGETWATCH_CACHE", "1") != "0")


def render(request: Request, name: str, ctx: dict, status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, ctx, status_code=status)
