"""The normalised schema. One database layout for SQLite (embedded) and PostgreSQL (servers).

documents hold what stays the same across re-publications (unit, year, stage, scope);
document_versions hold what a set of bytes said. Nothing is ever updated in place: changed bytes
become a new version and the old one is kept.
"""

from __future__ import annotations

from datetime import datetime, UTC
from decimal import Decimal
from typing import cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..model import KEY_FIGURE_FIELDS

AMOUNT = Numeric(24, 6, asdecimal=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


def table_of(record: type[Base]) -> Table:
    """A mapped class's Table, for Core statements: declarative types `__table__` as a FromClause, which
    has no insert() and which update() refuses."""
    return cast(Table, record.__table__)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Region(Base):
    """A 财政区划: 9 digits = province 2 + city 2 + county 2 + township 3; the parent is derivable from the code
    (feed/regions.py). The tree the tenancy layer scopes by and documents are placed in: `aliases` are the names
    disclosures print (document_versions.region, e.g. "兴县"); store/regions.py places a version by them."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    level: Mapped[str] = mapped_column(String(4))  # 省 | 市 | 县 | 乡
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    approval_dates: Mapped[dict] = mapped_column(JSON, default=dict)  # {year: date of 人代会 approval}
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DocumentRecord(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    unit: Mapped[Unit | None] = relationship()
    versions: Mapped[list[Version]] = relationship(back_populates="document", order_by="Version.number")


class Version(Base):
    __tablename__ = "document_versions"
    # the same bytes are one version of a document, however many ingests race to store them
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        Index("uq_document_versions_content", "document_id", "content_sha256", unique=True),
        # one newest version per document, and the lists' filters and order over the newest
        Index(
            "uq_document_versions_latest",
            "document_id",
            unique=True,
            sqlite_where=text("latest"),
            postgresql_where=text("latest"),
        ),
        Index("ix_document_versions_latest_unit", "latest", "unit_name", "year"),
        Index("ix_document_versions_latest_year", "latest", "year", "stage", "scope"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(16))
    schema: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(40), index=True)  # extract/place.py
    level: Mapped[str | None] = mapped_column(String(8), index=True)
    region_code: Mapped[str | None] = mapped_column(String(9), index=True)  # its tenant (access/scope.py)
    # the document's newest version: set when it is stored, cleared on the one before (store/newest.py)
    latest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    document: Mapped[DocumentRecord] = relationship(back_populates="versions")
    files: Mapped[list[SourceFileRecord]] = relationship(
        order_by="SourceFileRecord.ordinal", cascade="all, delete-orphan"
    )
    tables: Mapped[list[TableRecord]] = relationship(order_by="TableRecord.ordinal", cascade="all, delete-orphan")
    forms: Mapped[list[FormRecord]] = relationship(order_by="FormRecord.ordinal", cascade="all, delete-orphan")
    narrative: Mapped[list[NarrativeLineRecord]] = relationship(
        order_by="NarrativeLineRecord.ordinal", cascade="all, delete-orphan"
    )


class KeyFigures(Base):
    """A version's key figures in 万元 (analysis/figures.py), kept so that lists, comparisons and trends
    are queries rather than re-readings of every document."""

    __tablename__ = "key_figures"
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), primary_key=True)
    # copies of the version's, kept with it (store/figures.py, store/newest.py), so that 比较's ranking of a
    # year's newest versions is one index per figure read for a page, not every version of the year sorted
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(16))
    latest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # one column per field of model.KEY_FIGURE_FIELDS: the staff number a count, the others 万元 or a share
    locals().update({k: mapped_column(Integer if k == "staff" else Float, nullable=True) for k in KEY_FIGURE_FIELDS})
    classes: Mapped[dict] = mapped_column(JSON, default=dict)


# the newest versions of a year and stage among the figures, counted; ranked along PostgreSQL-only indexes
# (store/figures.py: SQLite has no NULLS LAST in an index)
Index(
    "ix_key_figures_newest",
    KeyFigures.__table__.c.year,
    KeyFigures.__table__.c.stage,
    sqlite_where=text("latest"),
    postgresql_where=text("latest"),
)


class SourceFileRecord(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(400))
    path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(32))


class TableRecord(Base):
    __tablename__ = "tables"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(Text)
    money_unit: Mapped[str | None] = mapped_column(String(8))
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    file_no: Mapped[int | None] = mapped_column(Integer)  # its SourceFileRecord.ordinal; NULL: the only file
    empty: Mapped[bool] = mapped_column(Boolean, default=False)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    headers: Mapped[dict | None] = mapped_column(JSON)  # column key -> printed header path
    rows: Mapped[list[RowRecord]] = relationship(order_by="RowRecord.ordinal", cascade="all, delete-orphan")


class RowRecord(Base):
    __tablename__ = "table_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("tables.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(16), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    side: Mapped[str | None] = mapped_column(String(16))
    gov_name: Mapped[str | None] = mapped_column(Text)
    subtotal: Mapped[bool] = mapped_column(Boolean, default=False)
    block: Mapped[str | None] = mapped_column(String(64))
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    cells: Mapped[list[CellRecord]] = relationship(order_by="CellRecord.ordinal", cascade="all, delete-orphan")


class CellRecord(Base):
    __tablename__ = "cells"
    __table_args__ = (Index("ix_cells_key", "column_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("table_rows.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    column_key: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    printed: Mapped[str | None] = mapped_column(String(64))
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    x0: Mapped[float | None] = mapped_column(Float)  # where on the page (PDF points, top-left origin)
    top: Mapped[float | None] = mapped_column(Float)
    x1: Mapped[float | None] = mapped_column(Float)
    bottom: Mapped[float | None] = mapped_column(Float)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)


class FormRecord(Base):
    __tablename__ = "performance_forms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    project: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(AMOUNT)
    money_unit: Mapped[str | None] = mapped_column(String(8))
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    file_no: Mapped[int | None] = mapped_column(Integer)  # as a table's
    layout: Mapped[str] = mapped_column(String(16))
    pages: Mapped[int] = mapped_column(Integer, default=1)
    info: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    indicators: Mapped[list[IndicatorRecord]] = relationship(
        order_by="IndicatorRecord.ordinal", cascade="all, delete-orphan"
    )


class IndicatorRecord(Base):
    __tablename__ = "indicators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("performance_forms.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str | None] = mapped_column(String(64))
    level2: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)


class NarrativeLineRecord(Base):
    __tablename__ = "narrative_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    file_no: Mapped[int | None] = mapped_column(Integer)  # as a table's


class FindingPlace:
    """Where a finding points and what it says: the columns shared by document findings and feed findings."""

    file: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    line: Mapped[int | None] = mapped_column(Integer)
    table_kind: Mapped[str | None] = mapped_column(String(32))
    table_title: Mapped[str | None] = mapped_column(Text)
    row_code: Mapped[str | None] = mapped_column(String(16))
    row_name: Mapped[str | None] = mapped_column(Text)
    column: Mapped[str | None] = mapped_column(String(200))
    money_unit: Mapped[str | None] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict | None] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)


class FindingRecord(FindingPlace, Base):
    """One finding of one check run on one document version (re-checking replaces them)."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32), index=True)
    family: Mapped[str] = mapped_column(String(1), index=True)
    severity: Mapped[str] = mapped_column(String(8), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    expected: Mapped[Decimal | None] = mapped_column(AMOUNT)
    difference: Mapped[Decimal | None] = mapped_column(AMOUNT)


class _FacetKey:
    """The facets of the 问题 lists (web/queries.py): a newest version's region and year, a finding's rule,
    family and severity, and the reviewer's status (open when undecided)."""

    region_code: Mapped[str | None] = mapped_column(String(9))
    year: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(32))
    family: Mapped[str] = mapped_column(String(1))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)


class FindingTally(_FacetKey, Base):
    """How many findings of a document's newest version share one combination of the facets (store/tallies.py)."""

    __tablename__ = "finding_tallies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)


class FindingTotal(_FacetKey, Base):
    """finding_tallies summed over the documents: what the 问题 lists count their facets from, a few hundred rows
    however many documents are stored (a combination may have several rows: they are summed)."""

    __tablename__ = "finding_totals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SearchEntry(Base):
    """A searchable text of a newest version — a project's name (kind form or row) or an indicator's name
    and value — as bigrams, under the back-end's full-text index (store/search.py), and as written, for the
    search's exact test without a join back to the form, indicator or row."""

    __tablename__ = "search_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # form | indicator | row
    ref_id: Mapped[int] = mapped_column(Integer)  # performance_forms, indicators or table_rows id
    form_id: Mapped[int | None] = mapped_column(Integer)  # an indicator's form
    grams: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)  # the project's or indicator's name
    value: Mapped[str | None] = mapped_column(Text)  # an indicator's value


class DecisionRecord(Base):
    """A reviewer's decision on a finding, kept by document and fingerprint so it survives re-checks
    and new versions that repeat the same defect."""

    __tablename__ = "finding_decisions"
    __table_args__ = (UniqueConstraint("document_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # accepted | dismissed
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)


class DecisionEventRecord(Base):
    """Every decision and every undo, in order: the history (who, when, why) behind finding_decisions,
    which holds only the current state."""

    __tablename__ = "finding_decision_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # decide | undo
    status: Mapped[str | None] = mapped_column(String(16))  # the decision's status; None for an undo
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobRecord(Base):
    """A background job (store/jobs.py): an upload to read, extract and check, or a re-check."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # upload | check
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | failed
    stage: Mapped[str] = mapped_column(String(16), default="queued")  # queued | read | ocr | extract | check | done
    done: Mapped[int] = mapped_column(Integer, default=0)  # pages (or documents) of `total`
    total: Mapped[int] = mapped_column(Integer, default=0)
    file: Mapped[str | None] = mapped_column(String(255))  # the file being read
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # upload: files [[name, path]…]; check: documents
    result: Mapped[list | None] = mapped_column(JSON)  # the document ids
    error: Mapped[str | None] = mapped_column(Text)  # one line, when failed
    refused: Mapped[bool | None] = mapped_column(Boolean)  # the input was refused (not a server failure)
    code: Mapped[str | None] = mapped_column(String(32))  # why (errors.Code), when refused: the web's status
    region_code: Mapped[str | None] = mapped_column(String(9), index=True)  # the uploader's region: jobs are scoped
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(100))  # host:pid:n of the worker running it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
