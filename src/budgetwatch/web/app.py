"""The web service: `create_app(db)` serves the same database as the CLI — Chinese pages rendered on the
server (Jinja2), each with a JSON twin under /api (or `?format=json`), CSV/XLSX downloads, OpenAPI at /docs."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BudgetwatchError
from ..store.db import open_db, resolve_url
from .templating import HERE, templates


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
        except Exception:  # only an optimisation: a failure means a slower first page
            pass

    threading.Thread(target=fill, daemon=True).start()
    from ..jobs import runner_for
    from .routes.upload import uploads_root

    jobs = runner_for(app.state.engine, uploads_root(app.state.engine))  # picks up jobs a restart interrupted
    # few threads for the (sync) handlers: CPU-bound pages in 40 threads starve the event loop of the GIL
    # (/health, cache hits) and ask the pool for more connections than it has; the rest wait their turn
    anyio.to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
    if app.state.serving:
        await _warm(app)
        _settle()
    yield
    jobs.stop()


WARM_PAGES = ("/", "/findings", "/rules", "/documents/{id}")  # with their JSON twins


async def _warm(app: FastAPI) -> None:
    """The main pages (and their JSON), a document's included, answered once to the process itself before
    it answers anyone: a process's first request of a kind otherwise pays for its SQL compiled (SQLAlchemy
    keeps it per engine), its modules imported and its code's first runs — a fifth of a cold crowd's
    first pages (benchmarks/cold_load.py). Not through the response cache nor kept in the documents
    read (repository.load_version_cached): the crowd's data is still read for it; nothing is sent."""
    import logging

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from ..store.repository import forget_loaded
    from ..store.schema import Version

    def first_document() -> int | None:
        with Session(app.state.engine) as s:
            return s.scalar(select(func.min(Version.document_id)))

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def discard(message):
        pass

    try:
        first = await anyio.to_thread.run_sync(first_document)
        for page in WARM_PAGES:
            if "{id}" in page and first is None:
                continue
            path = page.format(id=first)
            for query in (b"", b"format=json"):
                scope = {
                    "type": "http",
                    "asgi": {"version": "3.0"},
                    "http_version": "1.1",
                    "method": "GET",
                    "scheme": "http",
                    "path": path,
                    "raw_path": path.encode(),
                    "root_path": "",
                    "query_string": query,
                    "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
                    "client": None,
                    "server": None,
                    "state": {},
                    "budgetwatch.warm": True,  # set only here: the gate and the cache let it through untouched
                }
                await app(scope, receive, discard)
    except Exception:  # only an optimisation: a failure means a slower first page
        logging.getLogger(__name__).debug("warm-up failed", exc_info=True)
    finally:
        forget_loaded()


def _settle() -> None:
    """What the first requests of a server process would pay, paid before it answers: every template
    compiled, and the start's objects (modules, routes, compiled templates: ~200k) frozen out of the garbage
    collector's full passes, which otherwise walk them all again in the middle of a crowd's first pages."""
    import gc

    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()


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


def create_app(db: str | None = None, cache: bool = True, serving: bool = False) -> FastAPI:
    """The service on database `db`; `cache=False` answers every GET afresh (for measuring, or debugging);
    `serving`: the app is its process's one server (`serve`), which readies itself at its start (`_settle`)."""
    import os

    url = resolve_url(db)
    # a request waits POOL_TIMEOUT at most for a database connection, then answers 503 (never wedges)
    engine = open_db(url, pool_timeout=float(os.environ.get("BUDGETWATCH_POOL_TIMEOUT", POOL_TIMEOUT)))
    _limit_query_time(engine)
    app = FastAPI(
        title="budgetwatch 人大预算联网监督系统",
        version="0.1.0",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        description="查询、预警、分析、服务: documents, tables, findings and their decisions.",
    )
    app.state.engine = engine
    app.state.serving = serving
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if cache:
        from .cache import ResponseCache

        app.add_middleware(ResponseCache, engine=engine)
    from .access_wiring import include_routes, install

    install(app, engine)  # login, roles, tenancy, audit, hardening: outside the cache
    app.add_middleware(RefuseNul)

    @app.get("/health", include_in_schema=False)
    async def health():  # on the event loop: no thread, no database connection, answers while both are busy
        return {"ok": True}

    from .routes import routers

    # 总览, 文档, 问题, …, 执行监控 (family G), 联网数据: each resource's API and page, the most asked first (a
    # request tries the routes in order: /units went through 90 before its own)
    for router in routers():
        app.include_router(router)
    include_routes(app)

    def answer(request: Request, status: int, detail, more: dict | None = None):
        if request.url.path.startswith("/api") or request.query_params.get("format") == "json":
            return JSONResponse({"detail": detail, **(more or {})}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "detail": detail}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return answer(request, exc.status_code, exc.detail)

    @app.exception_handler(BudgetwatchError)
    async def refused_or_missing(request: Request, exc: BudgetwatchError):  # NotFound 404, an input by its code
        code = getattr(exc, "code", None)
        return answer(request, exc.http_status, str(exc), {"code": code.value} if code else None)

    @app.get("/docs", include_in_schema=False)
    def docs():  # Swagger UI from the package: these machines are offline
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="budgetwatch API",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="/static/style.css",
        )

    @app.exception_handler(SQLAlchemyTimeout)
    async def pool_exhausted(request: Request, exc: SQLAlchemyTimeout):
        from .cache import busy

        return busy()

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):  # still one clear answer, in JSON
        import logging

        logging.getLogger(__name__).error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    return app


QUERY_SECONDS = 10
POOL_TIMEOUT = 5.0
HANDLER_THREADS = 8  # below the pool's 5 + 10 connections: a handler never waits for one in normal load


def _limit_query_time(engine) -> None:
    """A query may run QUERY_SECONDS at most: PostgreSQL's statement_timeout, SQLite's progress handler."""
    import time as _time

    from sqlalchemy import event

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
                lambda: 1 if _time.monotonic() - starts.get(key, _time.monotonic()) > QUERY_SECONDS else 0, 100000
            )

        @event.listens_for(engine, "before_cursor_execute")
        def _start(conn, cursor, statement, parameters, context, executemany):
            starts[id(conn.connection.dbapi_connection)] = _time.monotonic()


def app_from_env() -> FastAPI:
    """The app for uvicorn's worker processes (`serve --workers N`): the database comes from $BUDGETWATCH_DB."""
    import os

    _end_with_supervisor()
    return create_app(None, cache=os.environ.get("BUDGETWATCH_CACHE", "1") != "0", serving=True)


def _end_with_supervisor() -> None:
    """A worker process ends when its supervisor does, even one killed with -9 (Linux: PR_SET_PDEATHSIG), rather
    than keep answering on the port as an orphan that no restart of `serve` can then bind."""
    import os
    import signal
    import sys
    from multiprocessing import parent_process

    supervisor = parent_process()
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != supervisor.pid:  # the supervisor was gone before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)
