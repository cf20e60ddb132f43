"""The newest version of each document — the one definition every reader uses (web lists, the checks'
peers, the feed's matching, the CLI, the `cells_wan` view): a document's pages, findings and figures
are always those of its newest version."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .schema import Version


def is_newest():
    """The condition "this `document_versions` row is its document's newest version", for any query that
    has `Version` in its FROM."""
    later = aliased(Version)
    return Version.number == (select(func.max(later.number)).where(later.document_id == Version.document_id)
                              .scalar_subquery())


def newest_ids():
    """select(Version.id) of every document's newest version (for `IN (…)`)."""
    return select(Version.id).where(is_newest())


def newest_version(session: Session, document_id: int) -> Version | None:
    return session.scalars(select(Version).where(Version.document_id == document_id, is_newest())).first()
