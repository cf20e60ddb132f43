"""One extracted document written as a new version, in one transaction that another ingest of the same bytes
cannot race: the persistence half of an ingest (pipeline.py does the reading and the checks)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..errors import BudgetwatchError
from ..model import Document
from .repository import find_version_by_content, save_version
from .schema import Version

log = logging.getLogger(__name__)
ATTEMPTS = 3  # a concurrent ingest of the same document: look again this many times


class StoreBusy(BudgetwatchError):
    """Another ingest kept the write lock (or stored this document's unit) through every attempt."""


@dataclass
class Stored:
    status: str  # ingested | unchanged
    document_id: int
    version_id: int
    number: int


def stored_content(engine: Engine, sha: str) -> Stored | None:
    """The version already holding these bytes, if any."""
    with Session(engine) as session:
        v = find_version_by_content(session, sha)
        return None if v is None else Stored("unchanged", v.document_id, v.id, v.number)


def write_version(
    engine: Engine, doc: Document, sha: str, during: Callable[[Session, Version], None] | None = None
) -> Stored:
    """Store `doc` (content hash `sha`) as the newest version of its document; `during(session, version)` runs
    in the same transaction before the commit (the checks, the region stamp): if it raises, nothing is kept.
    Raises StoreBusy when other ingests won every attempt, the database's own error otherwise."""
    for _ in range(ATTEMPTS):
        try:
            with Session(engine) as session, session.begin():
                write_lock(session)
                existing = find_version_by_content(session, sha)  # stored meanwhile by another ingest?
                if existing is not None:
                    return Stored("unchanged", existing.document_id, existing.id, existing.number)
                v = save_version(session, doc)
                if during:
                    during(session, v)
                out = Stored("ingested", v.document_id, v.id, v.number)
            return out
        except (IntegrityError, OperationalError) as e:
            # another process stored this document (or its unit) first, or holds the write lock: look again
            if isinstance(e, OperationalError) and "locked" not in str(e) and "deadlock" not in str(e):
                raise
            log.info(
                "ingest of %s raced another ingest: %s",
                doc.files[0].path if doc.files else "document",
                (str(e).splitlines() or [""])[0][:300],
            )
    raise StoreBusy("another ingest is storing this document")


def write_lock(session: Session) -> None:
    """SQLite: take the write lock before reading what decides the write (BEGIN IMMEDIATE), so two writers
    queue instead of failing on a snapshot that went stale (WAL answers SQLITE_BUSY_SNAPSHOT at once, without
    the busy wait, when a transaction that has read writes after another committed); PostgreSQL relies on
    its row locks and the unique keys."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))
