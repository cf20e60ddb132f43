"""ingest: files and folders → documents in the database, each in its own transaction."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..errors import BudgetwatchError, Code, InputError
from ..extract import extract_files
from ..extract.document import sha256_file
from ..extract.pairing import read_documents
from ..read.formats import SUFFIXES
from .repository import content_sha, find_version_by_content, save_version

log = logging.getLogger(__name__)
ATTEMPTS = 3   # a concurrent ingest of the same document: look again this many times


class ChecksFailed(InputError):
    def __init__(self, path, problem: str):
        super().__init__(path, problem, code=Code.checks_failed)


@dataclass
class Outcome:
    files: list[str]
    status: str                   # ingested | unchanged | failed
    message: str = ""
    document_id: int | None = None
    version_id: int | None = None
    version: int | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def candidate_files(paths: Iterable[str | Path]) -> dict[Path, list[Path]]:
    """{folder: its supported files} for folders (searched recursively); a file named stands alone under
    its own path."""
    out: dict[Path, list[Path]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("."):
                    out.setdefault(f.parent, []).append(f)
        else:
            out[p] = [p]
    return out


def discover(paths: Iterable[str | Path]) -> list[list[Path]]:
    """Each file named is a document; folders are searched recursively for supported files, and
    a folder's narrative and tables files of one disclosure are paired into one document."""
    return [files for files, _ in read_documents_of(paths)]


def read_documents_of(paths: Iterable[str | Path]):
    """(files, what was read of them) for every document, folder by folder, each file read once."""
    for key, files in candidate_files(paths).items():
        if files == [key]:
            yield files, {}
        else:
            yield from read_documents(files)


def ingest_one(engine: Engine, files: list[Path], before_commit: Callable[[Session], None] | None = None,
               sources: dict | None = None, check: bool = False) -> Outcome:
    """Read, extract, store (and with `check`, check) one document in one transaction: a document is
    kept only when all of it completed."""
    names = [str(f) for f in files]
    try:
        shas = [sha256_file(f) for f in files]
    except OSError as e:
        return Outcome(names, "failed", f"{names[0]}: cannot read: {e.strerror or e}")
    sha = content_sha(shas)
    with Session(engine) as session:
        existing = find_version_by_content(session, sha)
        if existing is not None:
            return Outcome(names, "unchanged", "identical bytes already stored",
                           existing.document_id, existing.id, existing.number)
    try:
        doc = extract_files(files, sources)
    except BudgetwatchError as e:
        return Outcome(names, "failed", str(e))
    except Exception as e:   # a reading the extractor did not foresee: one line for this file, the batch goes on
        log.info("extraction of %s failed", names[0], exc_info=True)   # the outcome says it in one line
        return Outcome(names, "failed", f"{names[0]}: cannot extract: {type(e).__name__}: {_first_line(e)}")
    for _ in range(ATTEMPTS):
        try:
            with Session(engine) as session, session.begin():
                _write_lock(session)
                existing = find_version_by_content(session, sha)   # stored meanwhile by another ingest?
                if existing is not None:
                    return Outcome(names, "unchanged", "identical bytes already stored",
                                   existing.document_id, existing.id, existing.number)
                v = save_version(session, doc)
                if check:
                    _check_new(session, v, names[0])
                if before_commit:
                    before_commit(session)
                out = Outcome(names, "ingested", "", v.document_id, v.id, v.number)
            return out
        except BudgetwatchError as e:
            return Outcome(names, "failed", str(e))
        except (IntegrityError, OperationalError) as e:
            # another process stored this document (or its unit) first, or holds the write lock: look again
            if isinstance(e, OperationalError) and "locked" not in str(e) and "deadlock" not in str(e):
                return _db_failure(names, e)
            log.info("ingest of %s raced another ingest: %s", names[0], _first_line(e))
        except Exception as e:  # a database failure: this document is rolled back, the batch goes on
            return _db_failure(names, e)
    return Outcome(names, "failed", f"{names[0]}: 已在导入: another ingest is storing this document; "
                                    "nothing stored by this one, try again when it has finished")


def _db_failure(names: list[str], e: Exception) -> Outcome:
    return Outcome(names, "failed", f"{names[0]}: database error: {type(e).__name__}: {_first_line(e)}")


def _write_lock(session: Session) -> None:
    """SQLite: take the write lock before reading what decides the write (BEGIN IMMEDIATE), so two ingests
    queue instead of failing on a snapshot that went stale; PostgreSQL relies on the unique keys."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))


def _first_line(e: Exception) -> str:
    return (str(e).splitlines() or [""])[0][:300]


def _check_new(session: Session, v, name: str) -> None:
    """The new version's checks, in its transaction: a document whose checks fail is not kept."""
    from sqlalchemy.exc import SQLAlchemyError

    from .findings import check_in_session
    from .repository import latest_versions
    try:
        check_in_session(session, [v], latest_versions(session))
    except SQLAlchemyError:
        raise
    except Exception as e:
        log.info("checks of %s failed", name, exc_info=True)
        raise ChecksFailed(name, f"checks failed, nothing stored: {type(e).__name__}: {_first_line(e)}") from e


def ingest(engine: Engine, paths: Iterable[str | Path] = (), docs: list[list[Path]] | None = None,
           progress: Callable[[Outcome], None] | None = None, check: bool = False) -> Summary:
    """Ingest `paths` (or documents already found by `discover`), reporting each outcome to `progress`;
    with `check`, each new version is checked before it is committed."""
    summary = Summary()
    found = ((files, {}) for files in docs) if docs is not None else read_documents_of(paths)
    for files, sources in found:
        out = ingest_one(engine, files, sources=sources, check=check)
        summary.outcomes.append(out)
        if progress:
            progress(out)
    return summary
