"""Tenancy in the queries. A request's database session carries its scope (`session.info["scope"]`);
every ORM SELECT through that session — whichever query helper builds it — is then limited to the
regions of the scope: document versions and every row that hangs off a version, decisions, questions,
and any table with a `region_code` column (the feed rows). An id outside the scope therefore simply is
not found (404), and no helper can forget the filter.

Documents whose region is not known yet (`region_code` NULL) are seen only by an unrestricted scope
(superadmin, or auth off)."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from ..execution import model as _execution_tables  # noqa: F401  (mapped: the filter below lists every table)
from ..feed import model as _feed_tables  # noqa: F401
from ..store.schema import Base, DecisionRecord, DocumentRecord, Version
from . import tables
from .principal import Scope

# accounts are administered per tenant by their memberships (access/users.py), not by a region column;
# the audit log *is* limited: a region's auditor reads the records of its region's principals
UNSCOPED = {tables.User, tables.Membership, tables.SessionRecord, tables.ApiToken, tables.TenantSetting}


def scoped_session(engine, scope: Scope | None) -> Session:
    s = Session(engine)
    if scope is not None and not scope.unrestricted:
        s.info["scope"] = scope
    return s


def _classes():
    for mapper in Base.registry.mappers:
        yield mapper.class_


def _criteria(codes: tuple[str, ...]):
    versions = select(Version.id).where(Version.region_code.in_(codes))
    documents = select(Version.document_id).where(Version.region_code.in_(codes))
    out = [
        with_loader_criteria(Version, Version.region_code.in_(codes), include_aliases=True),
        with_loader_criteria(DocumentRecord, DocumentRecord.id.in_(documents), include_aliases=True),
        with_loader_criteria(DecisionRecord, DecisionRecord.document_id.in_(documents), include_aliases=True),
    ]
    for cls in _classes():
        if cls in UNSCOPED or cls in (Version, DocumentRecord, DecisionRecord):
            continue
        cols = cls.__table__.c
        if "region_code" in cols:
            out.append(with_loader_criteria(cls, cols.region_code.in_(codes), include_aliases=True))
        elif "version_id" in cols:
            out.append(with_loader_criteria(cls, cols.version_id.in_(versions), include_aliases=True))
    return out


@event.listens_for(Session, "do_orm_execute")
def _limit_to_scope(state: ORMExecuteState) -> None:
    scope = state.session.info.get("scope")
    if scope is None or not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    state.statement = state.statement.options(*_criteria(tuple(sorted(scope.detail))))


class UploadRegion:
    """The region an upload belongs to: the uploader's, when its scope for `upload` is one region (or the
    `region` query parameter, among several); none for an unrestricted principal (placed by name later)."""

    def __init__(self, code: str | None):
        self.code = code

    def stamp(self, session: Session) -> None:
        """ingest_one's before_commit: the new version carries the region."""
        if self.code is None:
            return
        for obj in list(session.identity_map.values()) + list(session.new):
            if isinstance(obj, Version) and obj.region_code is None:
                obj.region_code = self.code


def upload_region(request) -> UploadRegion:
    scope = request.scope.get("budgetwatch.scope")
    if scope is None or scope.unrestricted:
        asked = request.query_params.get("region")
        return UploadRegion(asked if asked and asked.isdigit() and len(asked) == 9 else None)
    asked = request.query_params.get("region")
    if asked:
        if asked not in scope.detail:
            raise ValueError(f"region {asked}: not one you may upload to")
        return UploadRegion(asked)
    if len(scope.detail) == 1:
        return UploadRegion(next(iter(scope.detail)))
    raise ValueError(
        "choose the region of the upload (?region=CODE): you may upload to " + "、".join(sorted(scope.detail))
    )
