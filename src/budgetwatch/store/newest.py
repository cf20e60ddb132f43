"""The newest version of each document — the one definition every reader uses (web lists, the checks'
peers, the feed's matching, the CLI, the `cells_wan` view): a document's pages, findings and figures
are always those of its newest version."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.orm import Session

from .schema import KeyFigures, Version


def is_newest():
    """The condition "this `document_versions` row is its document's newest version", for any query that
    has `Version` in its FROM: the `latest` flag, kept on ingest (mark_newest) and indexed, so that no list
    groups the versions per request."""
    return Version.latest == true()


def mark_newest(session: Session, v: Version) -> None:
    """Make the version just stored its document's newest (in the ingest's transaction)."""
    session.execute(
        update(Version)
        .where(Version.document_id == v.document_id, Version.id != v.id, Version.latest == true())
        .values(latest=False)
    )
    v.latest = True
    # the copy 比较 ranks by (store/figures.py): the version's own figures, if already kept, and the others'
    session.execute(
        update(KeyFigures)
        .where(KeyFigures.document_id == v.document_id, KeyFigures.latest != (KeyFigures.version_id == v.id))
        .values(latest=KeyFigures.version_id == v.id)
    )


def newest_ids():
    """select(Version.id) of every document's newest version (for `IN (…)`)."""
    return select(Version.id).where(is_newest())


def newest_version(session: Session, document_id: int) -> Version | None:
    return session.scalars(_newest_of(), {"document": document_id}).first()


@functools.cache
def _newest_of():
    """newest_version's statement, built once (a 文档 page's first read)."""
    return select(Version).where(Version.document_id == bindparam("document"), is_newest())
