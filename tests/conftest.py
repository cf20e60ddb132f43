"""Shared fixtures: the bundled sample disclosures, their gold extractions, and both databases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = ROOT / "tests" / "data" / "gold"
SEEDS = sorted(SAMPLES.glob("*.txt"))
# real third-party documents are read in place, never copied into the repository
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
CORPUS_WIDE = SHARED / "corpus-wide"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"{CORPUS} is absent: the real documents live in ../shared"
)
# a placeholder of a rule's message or suggestion that the finding lacks fails here (checks/rule.py), in this
# process and in the CLI and servers the tests start
os.environ["BUDGETWATCH_STRICT_TEMPLATES"] = "1"
# the JVMs the Spark tests start (drivers, a standalone master and workers, executors) each live under a minute:
# the client compiler alone and the serial collector start faster and cost a fraction of the CPU of the default
# optimising compiler's work and parallel GC threads, on a 2-core machine shared by two test workers
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
PG_BASE = os.environ.get("BUDGETWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/budgetwatch_test")


def _worker_pg_url(base: str) -> str:
    """Each xdist worker gets a database of its own (the schema is dropped between tests)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(base)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
    try:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            if not c.execute(text("select 1 from pg_database where datname = :n"), {"n": url.database}).first():
                c.execute(text(f'create database "{url.database}"'))
        admin.dispose()
    except Exception:
        pass  # unreachable: PG_OK below says so
    return url.render_as_string(hide_password=False)


PG_URL = _worker_pg_url(PG_BASE)


def _pg_available() -> bool:
    from sqlalchemy import create_engine

    try:
        with create_engine(PG_URL).connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:
        return False


PG_OK = _pg_available()


def _reset_pg(engine) -> None:
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, migrated-on-open database URL on each back-end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bw.db'}"
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_URL}")
        pytest.skip("PostgreSQL not reachable")
    from sqlalchemy import create_engine

    _stop_pg_runners()
    eng = create_engine(PG_URL)
    _reset_pg(eng)
    eng.dispose()
    return PG_URL


def _stop_pg_runners() -> None:
    """An earlier test's app may have started a job runner (an upload without the app's lifespan): on
    PostgreSQL it would go on polling the worker's one database and claim the next test's jobs."""
    from budgetwatch import jobs

    with jobs._runners_lock:
        stale = [k for k, r in jobs._runners.items() if r.engine.dialect.name == "postgresql"]
        runners = [jobs._runners.pop(k) for k in stale]
    for r in runners:
        r.stop()


@pytest.fixture
def engine(db_url):
    from budgetwatch.store.db import open_db

    eng = open_db(db_url)
    yield eng
    eng.dispose()


def seed(stem: str) -> Path:
    return next(p for p in SEEDS if p.stem.startswith(stem))
