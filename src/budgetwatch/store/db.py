"""Engines and migrations. The same code runs on SQLite and PostgreSQL; Alembic owns the schema."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from ..errors import BudgetwatchError
from . import tallies as _tallies  # noqa: F401  (its listeners keep the findings' counts on every write)

DEFAULT_URL = "sqlite:///budgetwatch.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(url: str | None) -> str:
    url = url or os.environ.get("BUDGETWATCH_DB") or DEFAULT_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


# PostgreSQL's planner prices a random page at 4 sequential ones by default (spinning disks): then a page of the
# 问题 list for a rare rule hashed every newest version (20 ms at 20k documents) instead of looking up its few
# findings' versions by key (2 ms). The tables a page reads stay in memory or on SSD: 1.1, the usual setting there.
# A URL with its own `options=` keeps the server's.
PG_SESSION = "-c random_page_cost=1.1"
SQLITE_BUSY_SECONDS = 120  # a writer waits this long for another's transaction (an ingest with its checks)


def make_engine(url: str | None = None, **options) -> Engine:
    url = resolve_url(url)
    if url.startswith("postgresql+psycopg") and importlib.util.find_spec("psycopg") is None:
        # SQLite users install no PostgreSQL driver; say which extra brings it rather than an ImportError
        raise BudgetwatchError(
            f"{url.split('@')[-1]}: a PostgreSQL database needs the driver: pip install 'budgetwatch[postgres]'"
        )
    if url.startswith("postgresql") and "options=" not in url:
        options.setdefault("connect_args", {"options": PG_SESSION})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
        if url in ("sqlite://", "sqlite:///:memory:"):
            options.pop("pool_timeout", None)  # an in-memory database has one connection per thread: no pool to wait on
    engine = create_engine(url, future=True, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to the newest schema (creating it when empty), or to `revision`."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from .views import drop_views, ensure_views

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        current = set(MigrationContext.configure(conn).get_current_heads())
        if revision != "head" or current != set(ScriptDirectory.from_config(cfg).get_heads()):
            drop_views(conn)
            command.upgrade(cfg, revision)
        if revision == "head":
            ensure_views(conn)


def open_db(url: str | None = None, **options) -> Engine:
    engine = make_engine(url, **options)
    migrate(engine)
    return engine
