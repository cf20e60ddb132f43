"""The reads the web service makes: documents with their key totals and finding counts, one document
with its tables and findings, findings with filters. Plain SQLAlchemy, the same on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from ..analysis.figures import figures_many
from ..store.findings import load_findings
from ..store.repository import load_version_cached
from ..vocab.enums import Scope, Stage, labels
from ..store.schema import (
    DecisionRecord, DocumentRecord, FindingRecord, Version,
)

STAGE_ZH = labels(Stage)
SCOPE_ZH = labels(Scope)


@dataclass
class Page:
    items: list
    total: int
    limit: int
    offset: int

    def to_dict(self, item=lambda x: x) -> dict:
        return {"total": self.total, "limit": self.limit, "offset": self.offset,
                "items": [item(i) for i in self.items]}


def _latest():
    return (select(Version.document_id, func.max(Version.number).label("n"))
            .group_by(Version.document_id).subquery())


def newest_versions(s: Session, **where) -> list[Version]:
    """The newest version of each document, with column filters (unit_name=…, year=…, stage=…)."""
    newest = _latest()
    q = select(Version).join(newest, (Version.document_id == newest.c.document_id) & (Version.number == newest.c.n))
    for k, v in where.items():
        if v is not None:
            q = q.where(getattr(Version, k) == v)
    return list(s.scalars(q.order_by(Version.year, Version.document_id)))


def latest_version(s: Session, document_id: int) -> Version | None:
    n = s.scalar(select(func.max(Version.number)).where(Version.document_id == document_id))
    if n is None:
        return None
    return s.scalars(select(Version).where(Version.document_id == document_id, Version.number == n)).first()


def documents(s: Session, year: int | None = None, stage: str | None = None, scope: str | None = None,
              q: str | None = None, limit: int = 50, offset: int = 0, region: str | None = None,
              level: str | None = None) -> Page:
    newest = _latest()
    base = (select(Version).join(newest, and_(Version.document_id == newest.c.document_id,
                                               Version.number == newest.c.n)))
    if year:
        base = base.where(Version.year == year)
    if stage:
        base = base.where(Version.stage == stage)
    if scope:
        base = base.where(Version.scope == scope)
    if q:
        base = base.where(Version.unit_name.contains(q))
    if region:
        base = base.where(Version.region.contains(region))
    if level:
        base = base.where(Version.level == level)
    ordered = base.order_by(Version.unit_name, Version.year.desc(), Version.document_id)
    total = s.scalar(select(func.count()).select_from(base.subquery()))
    versions = list(s.scalars(ordered.options(selectinload(Version.files)).limit(limit).offset(offset)))
    ids = [v.id for v in versions]
    counts = _finding_counts(s, ids)
    figures = figures_many(s, ids)   # 万元, whatever unit each document prints in
    items = [{"id": v.document_id, "version": v.number, "version_id": v.id, "unit": v.unit_name, "year": v.year,
              "region": v.region, "level": v.level,
              "stage": v.stage, "stage_zh": STAGE_ZH.get(v.stage, ""), "scope": v.scope,
              "scope_zh": SCOPE_ZH.get(v.scope, ""), "format": v.format, "files": [f.name for f in v.files],
              "income_total": figures[v.id]["income_total"],
              "expenditure_total": figures[v.id]["expenditure_total"], "money_unit": "万元",
              "findings": counts.get(v.id, {"error": 0, "warn": 0, "info": 0})} for v in versions]
    return Page(items, total, limit, offset)


def _finding_counts(s: Session, version_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    if not version_ids:
        return out
    q = (select(FindingRecord.version_id, FindingRecord.severity, func.count())
         .where(FindingRecord.version_id.in_(version_ids))
         .group_by(FindingRecord.version_id, FindingRecord.severity))
    for vid, sev, n in s.execute(q):
        out.setdefault(vid, {"error": 0, "warn": 0, "info": 0})[sev] = n
    return out


def document(s: Session, document_id: int) -> dict | None:
    v = latest_version(s, document_id)
    if v is None:
        return None
    doc = load_version_cached(s, v.id)
    findings = load_findings(s, [v.id])[v.id]
    return {"id": document_id, "version": v.number, "version_id": v.id, "doc": doc, "findings": findings,
            "versions": [x.number for x in s.get(DocumentRecord, document_id).versions]}


FINDING_FILTERS = ("rule", "family", "severity", "status", "unit", "year", "document")


def findings(s: Session, rule: str | None = None, family: str | None = None, severity: str | None = None,
             status: str | None = None, unit: str | None = None, year: int | None = None,
             document: int | None = None, limit: int = 50, offset: int = 0, objects: bool = False) -> Page:
    newest = _latest()
    q = (select(FindingRecord, Version)
         .join(Version, Version.id == FindingRecord.version_id)
         .join(newest, and_(Version.document_id == newest.c.document_id, Version.number == newest.c.n))
         .outerjoin(DecisionRecord, and_(DecisionRecord.document_id == Version.document_id,
                                         DecisionRecord.fingerprint == FindingRecord.fingerprint)))
    for col, val in ((FindingRecord.rule, rule), (FindingRecord.family, family), (FindingRecord.severity, severity),
                     (Version.year, year), (Version.document_id, document)):
        if val:
            q = q.where(col == val)
    if unit:
        q = q.where(Version.unit_name.contains(unit))
    if status == "open":
        q = q.where(DecisionRecord.id.is_(None))
    elif status:
        q = q.where(DecisionRecord.status == status)
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    order = {"error": 0, "warn": 1, "info": 2}
    rows = list(s.execute(q.order_by(Version.document_id, FindingRecord.id).limit(limit).offset(offset)))
    by_version: dict[int, list[int]] = {}
    for f, v in rows:
        by_version.setdefault(v.id, []).append(f.id)
    loaded = {f.id: f for fs in load_findings(s, list(by_version)).values() for f in fs}
    pairs = [(loaded[f.id], {"id": v.document_id, "unit": v.unit_name, "year": v.year, "stage": v.stage,
                             "stage_zh": STAGE_ZH.get(v.stage, "")}) for f, v in rows]
    pairs.sort(key=lambda p: (p[1]["id"], order[p[0].severity]))
    if objects:   # (Finding, document) for the downloads, which write Finding objects
        return Page(pairs, total, limit, offset)
    return Page([{**f.to_dict(), "document": meta} for f, meta in pairs], total, limit, offset)
