"""Every read the web service makes: documents with their key totals and finding counts, one document
with its tables and findings, findings with filters, units, comparisons, the project search, region
summaries. Plain SQLAlchemy, the same on SQLite and PostgreSQL; "newest version" is store/newest.py's."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from ..analysis.figures import figures_for, figures_many
from ..model import FINDING_AMOUNTS, FINDING_COLUMNS
from ..store.among import among, dialect_of
from ..store.findings import load_findings, to_finding
from ..store.newest import is_newest, newest_version
from ..store.repository import load_version_cached
from ..store.schema import (
    DecisionRecord,
    FindingRecord,
    FindingTotal,
    KeyFigures,
    SourceFileRecord,
    Version,
)
from ..vocab.enums import Scope, Severity, Stage, Status, labels, rank
from .project_search import SEARCH_CAP, projects, searchable  # noqa: F401  (the 项目 search: Q.projects)

STAGE_ZH = labels(Stage)
SCOPE_ZH = labels(Scope)


@dataclass
class Page:
    items: list
    total: int
    limit: int
    offset: int

    def to_dict(self, item=lambda x: x) -> dict:
        return {"total": self.total, "limit": self.limit, "offset": self.offset, "items": [item(i) for i in self.items]}


def count_rows(s: Session, q: Select) -> int:
    """How many rows the SELECT `q` gives."""
    return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def newest_versions(s: Session, **where) -> list[Version]:
    """The newest version of each document, with column filters (unit_name=…, year=…, stage=…)."""
    q = select(Version).where(is_newest())
    for k, v in where.items():
        if v is not None:
            q = q.where(getattr(Version, k) == v)
    return list(s.scalars(q.order_by(Version.year, Version.document_id)))


def latest_version(s: Session, document_id: int) -> Version | None:
    return newest_version(s, document_id)


LISTED_FIGURES = ("income_total", "expenditure_total")  # what a list of documents shows of their key figures


def documents(
    s: Session,
    year: int | None = None,
    stage: str | None = None,
    scope: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    region: str | None = None,
    level: str | None = None,
) -> Page:
    given = {"year": year, "stage": stage, "scope": scope, "q": q, "region": region, "level": level}
    chosen = {k: v for k, v in given.items() if v}
    reads = _document_reads(dialect_of(s), tuple(chosen))
    total = s.scalar(reads["total"], chosen) or 0
    # plain rows, not ORM objects: a page of 50 documents cost more in objects than in SQL
    versions = s.execute(reads["page"], {**chosen, "limit": limit, "offset": offset}).all()
    ids = [v.id for v in versions]
    files: dict[int, list[str]] = {}
    counts: dict[int, dict[str, int]] = {}
    if ids:
        for vid, name in s.execute(reads["files"], {"ids": ids}):
            files.setdefault(vid, []).append(name)
        for vid, sev, n in s.execute(reads["counts"], {"ids": ids}):
            counts.setdefault(vid, dict.fromkeys(labels(Severity), 0))[sev] = n
    figures = figures_many(s, ids, LISTED_FIGURES)  # 万元, whatever unit each document prints in
    none = dict.fromkeys(labels(Severity), 0)
    items = [
        {
            "id": v.document_id,
            "version": v.number,
            "version_id": v.id,
            "unit": v.unit_name,
            "year": v.year,
            "region": v.region,
            "level": v.level,
            "stage": v.stage,
            "stage_zh": STAGE_ZH.get(v.stage or "", ""),
            "scope": v.scope,
            "scope_zh": SCOPE_ZH.get(v.scope or "", ""),
            "format": v.format,
            "files": files.get(v.id, []),
            "income_total": figures[v.id]["income_total"],
            "expenditure_total": figures[v.id]["expenditure_total"],
            "money_unit": "万元",
            "findings": counts.get(v.id) or dict(none),
        }
        for v in versions
    ]
    return Page(items, total, limit, offset)


# documents()'s filters, each a condition on the parameter of its name
DOCUMENT_FILTERS = {
    "year": lambda: Version.year == bindparam("year"),
    "stage": lambda: Version.stage == bindparam("stage"),
    "scope": lambda: Version.scope == bindparam("scope"),
    "q": lambda: Version.unit_name.contains(bindparam("q")),
    "region": lambda: Version.region.contains(bindparam("region")),
    "level": lambda: Version.level == bindparam("level"),
}


@functools.cache
def _document_reads(dialect: str, filters: tuple[str, ...]) -> dict[str, Any]:
    """documents()' statements for one choice of filters, built once (store/among.py): the count, the page of
    versions, and their files and finding counts."""
    V, F = Version, SourceFileRecord
    base = select(V).where(is_newest(), *(DOCUMENT_FILTERS[k]() for k in filters))
    columns = (V.id, V.document_id, V.number, V.unit_name, V.year, V.region, V.level, V.stage, V.scope, V.format)
    return {
        "total": select(func.count()).select_from(base.subquery()),
        "page": base.order_by(V.unit_name, V.year.desc(), V.document_id)
        .with_only_columns(*columns)
        .limit(bindparam("limit"))
        .offset(bindparam("offset")),
        "files": select(F.version_id, F.name).where(among(dialect, F.version_id, "ids")).order_by(F.ordinal),
        "counts": select(FindingRecord.version_id, FindingRecord.severity, func.count())
        .where(among(dialect, FindingRecord.version_id, "ids"))
        .group_by(FindingRecord.version_id, FindingRecord.severity),
    }


def document(s: Session, document_id: int) -> dict | None:
    v = latest_version(s, document_id)
    if v is None:
        return None
    doc = load_version_cached(s, v.id)
    findings = load_findings(s, [v.id])[v.id]
    return {
        "id": document_id,
        "version": v.number,
        "version_id": v.id,
        "doc": doc,
        "findings": findings,
        "versions": list(s.scalars(_version_numbers(), {"document": document_id})),
    }


@functools.cache
def _version_numbers():
    """A document's version numbers (not its versions as objects), built once."""
    return select(Version.number).where(Version.document_id == bindparam("document")).order_by(Version.number)


FINDING_FILTERS = ("rule", "family", "severity", "status", "unit", "year", "document", "region")


def _finding_select(
    columns,
    rule: Any = None,
    family: Any = None,
    severity: Any = None,
    status: Any = None,
    unit: Any = None,
    year: Any = None,
    document: Any = None,
    region: Any = None,
):
    """The findings of the newest versions with their decisions, filtered: a SELECT of `columns`. Each filter
    a value (None or empty: not filtered) or a parameter (_findings_reads)."""
    q = (
        select(*columns)
        .select_from(FindingRecord)
        .join(Version, Version.id == FindingRecord.version_id)
        .where(is_newest())
        .outerjoin(
            DecisionRecord,
            and_(
                DecisionRecord.document_id == Version.document_id,
                DecisionRecord.fingerprint == FindingRecord.fingerprint,
            ),
        )
    )
    for col, val in (
        (FindingRecord.rule, rule),
        (FindingRecord.family, family),
        (FindingRecord.severity, severity),
        (Version.year, year),
        (Version.document_id, document),
        (Version.region_code, region),
    ):
        if _set(val):
            q = q.where(col == val)
    if _set(unit):
        q = q.where(Version.unit_name.contains(unit))
    if isinstance(status, str) and status == "open":
        q = q.where(DecisionRecord.id.is_(None))
    elif _set(status):
        q = q.where(DecisionRecord.status == status)
    return q


def _set(value) -> bool:
    """Whether a filter of _finding_select is set: a value given (not None nor empty), or a parameter."""
    return isinstance(value, BindParameter) or bool(value)


@functools.cache
def _findings_reads(given: tuple[str, ...], status: str | None) -> dict[str, Any]:
    """findings()' count and page for the filters `given` (parameters of their names) and the status asked
    ("open"; "given": another, as parameter `status`; None), built once."""
    decided: Any = bindparam("status") if status == "given" else status
    q = _finding_select(_FINDING_ROW, **{k: bindparam(k) for k in given}, status=decided)
    return {
        "total": select(func.count()).select_from(q.subquery()),
        "page": q.order_by(Version.document_id, FindingRecord.id).limit(bindparam("limit")).offset(bindparam("offset")),
    }


class _Decided(NamedTuple):
    """A decision as to_finding reads one, from a row of findings()."""

    status: str
    reason: str | None
    decided_by: str | None
    decided_at: Any


# findings()' columns: the finding's fields under their names, its version's and decision's under others
_FINDING_ROW = [
    *(getattr(FindingRecord, k) for k in ("id", *FINDING_COLUMNS, *FINDING_AMOUNTS, "evidence")),
    Version.document_id.label("v_document"),
    Version.unit_name.label("v_unit"),
    Version.year.label("v_year"),
    Version.stage.label("v_stage"),
    DecisionRecord.id.label("decision_id"),
    DecisionRecord.status.label("d_status"),
    DecisionRecord.reason.label("d_reason"),
    DecisionRecord.decided_by.label("d_by"),
    DecisionRecord.decided_at.label("d_at"),
]


def findings(
    s: Session, limit: int = 50, offset: int = 0, objects: bool = False, total: int | None = None, **filters
) -> Page:
    """One page of the filtered findings; `total` when the caller has counted them (finding_facets)."""
    # the decision comes with its finding (the list joins it to filter by status): a page reads its rows only,
    # not every finding of the page's documents again
    # plain columns, not three ORM objects a row: to_finding reads a row's fields by name as it reads a record's
    given = {k: v for k, v in filters.items() if k != "status" and v}
    status = filters.get("status") or None
    reads = _findings_reads(tuple(given), None if status is None else "open" if status == "open" else "given")
    at = given if status in (None, "open") else {**given, "status": status}
    if total is None:
        total = s.scalar(reads["total"], at) or 0
    order = rank(Severity)
    rows = s.execute(reads["page"], {**at, "limit": limit, "offset": offset})
    pairs = [
        (
            to_finding(r, None if r.decision_id is None else _Decided(r.d_status, r.d_reason, r.d_by, r.d_at)),
            {
                "id": r.v_document,
                "unit": r.v_unit,
                "year": r.v_year,
                "stage": r.v_stage,
                "stage_zh": STAGE_ZH.get(r.v_stage or "", ""),
            },
        )
        for r in rows
    ]
    pairs.sort(key=lambda p: (p[1]["id"], order[p[0].severity]))
    if objects:  # (Finding, document) for the downloads, which write Finding objects
        return Page(pairs, total, limit, offset)
    return Page([{**f.to_dict(), "document": meta} for f, meta in pairs], total, limit, offset)


FACETS = ("rule", "severity", "status", "year", "region")


def _facet_groups(s: Session, **filters) -> list[tuple[dict, int]]:
    """The findings the filters other than the facets leave, counted per combination of the five facet
    values: ({facet: value}, count). One scan of the findings for every facet and the total; the
    combinations are few (rules × severities × statuses × years × regions), however many findings."""
    status = case((DecisionRecord.id.is_(None), "open"), else_=DecisionRecord.status)
    columns: tuple[SQLColumnExpression[Any], ...] = (
        FindingRecord.rule,
        FindingRecord.severity,
        status,
        Version.year,
        Version.region_code,
    )
    others = {k: v for k, v in filters.items() if k not in FACETS}
    if not others.get("unit") and not others.get("document"):  # counted as the findings were written
        return _totals(s, others.get("family"))
    q = _finding_select([*columns, func.count()], **others).group_by(*columns)
    return [(dict(zip(FACETS, row[:-1])), row[-1]) for row in s.execute(q)]


def _totals(s: Session, family: str | None) -> list[tuple[dict, int]]:
    """_facet_groups from finding_totals (store/tallies.py): a few hundred rows, however many findings."""
    t = FindingTotal
    columns = (t.rule, t.severity, t.status, t.year, t.region_code)
    q = select(*columns, func.sum(t.n)).group_by(*columns).having(func.sum(t.n) > 0)
    if family:
        q = q.where(t.family == family)
    return [(dict(zip(FACETS, row[:-1])), int(row[-1])) for row in s.execute(q)]


def _kept(values: dict, filters: dict, but: str | None = None) -> bool:
    """Whether a combination passes every active facet filter except `but` (as _finding_select tests them)."""
    return all(not filters.get(k) or values[k] == filters[k] for k in FACETS if k != but)


def finding_facets(s: Session, **filters) -> tuple[dict[str, list[dict]], int]:
    """Counts per rule, severity, status, year and region of the findings the other active filters leave (as
    Datasette counts its facets): ({facet: [{value, label, count, selected}], most first}, how many findings
    all the filters leave)."""
    from ..store.schema import Region

    groups = _facet_groups(s, **filters)
    # ties in the order SQL's ORDER BY count DESC, value gives: NULL last on PostgreSQL, first on SQLite
    nulls_first = s.get_bind().dialect.name == "sqlite"
    out: dict[str, list[dict]] = {}
    for name in FACETS:
        counts: dict[Any, int] = {}
        for values, n in groups:
            if _kept(values, filters, name):
                counts[values[name]] = counts.get(values[name], 0) + n
        ranked = sorted(
            counts.items(), key=lambda vc: (-vc[1], (vc[0] is None) != nulls_first, "" if vc[0] is None else vc[0])
        )
        out[name] = [
            {"value": v, "count": c, "selected": v is not None and str(filters.get(name) or "") == str(v)}
            for v, c in ranked
        ]
    total = sum(n for values, n in groups if _kept(values, filters))
    codes = [f["value"] for f in out["region"] if f["value"]]
    names = dict(s.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()) if codes else {}
    severity, decided = labels(Severity), labels(Status)
    for f in out["rule"]:
        f["label"] = f["value"]
    for f in out["severity"]:
        f["label"] = severity.get(f["value"], f["value"])
    for f in out["status"]:
        f["label"] = decided.get(f["value"], f["value"])
    for f in out["year"]:
        f["label"] = f"{f['value']}年" if f["value"] else "年度未识别"
    for f in out["region"]:
        f["label"] = names.get(f["value"]) or f["value"] or "未归属地区"
    return out, total


def finding(s: Session, finding_id: int):
    """(Finding, its Version) by the finding's id, with the reviewer's decision; None when absent."""
    rec = s.get(FindingRecord, finding_id)
    if rec is None:
        return None
    v = s.get_one(Version, rec.version_id)
    return next(x for x in load_findings(s, [v.id])[v.id] if x.id == finding_id), v


def units(s: Session, limit: int | None = None, offset: int = 0, more: list | None = None) -> list[dict]:
    """Units with their documents (years and stages), by name; `limit` units from `offset`. `more`, when
    given, gets True appended if units follow the page (one name more is read: a pager needs no count of
    every unit, which grows with the database)."""
    names = (
        select(Version.unit_name)
        .where(is_newest(), Version.unit_name.is_not(None), Version.unit_name != "")
        .distinct()
        .order_by(Version.unit_name)
        .offset(offset)
    )
    read = limit + 1 if limit is not None and more is not None else limit
    chosen = [u for u in s.scalars(names.limit(read) if read is not None else names) if u]  # none is empty
    if limit is not None and len(chosen) > limit:
        chosen = chosen[:limit]
        if more is not None:
            more.append(True)
    out: dict[str, list] = {u: [] for u in chosen}
    if chosen:
        for v in s.execute(_unit_documents(dialect_of(s)), {"names": chosen}):
            out[v.unit_name or ""].append({"id": v.document_id, "year": v.year, "stage": v.stage})
    return [{"unit": u, "documents": d} for u, d in out.items()]


@functools.cache
def _unit_documents(dialect: str):
    """units()' read of the documents of a page of units, built once (store/among.py)."""
    V = Version
    return (
        select(V.unit_name, V.document_id, V.year, V.stage)
        .where(is_newest(), among(dialect, V.unit_name, "names"))
        .order_by(V.unit_name, V.year, V.document_id)
    )


def unit(s: Session, name: str) -> dict | None:
    """One unit across years — key figures per document (万元); None when no document names it."""
    # (version, document) pairs, not Version objects: the figures are read by version id
    V = Version
    versions = s.execute(
        select(V.id, V.document_id).where(is_newest(), V.unit_name == name).order_by(V.year, V.document_id)
    ).all()
    if not versions:
        return None
    figures = figures_many(s, [v.id for v in versions])
    return {"unit": name, "documents": [{"id": v.document_id, **figures[v.id]} for v in versions]}


def compare(
    s: Session, year: int, stage: str, q: str | None, sort: str, limit: int | None = None, offset: int = 0
) -> Page:
    """The units of one year and stage with their key figures, ranked by `sort` (missing figures last),
    in SQL over `key_figures`: only the page asked for is read."""
    at: dict[str, Any] = {"offset": offset, "limit": limit}
    if q:  # a name to look for: its statements made for it (escaping its % and _ needs the text)
        reads = _compare_reads(year, stage, q, sort, limit is not None)
    else:
        reads, at = _compare_cached(sort, limit is not None), {**at, "year": year, "stage": stage}
    total = s.scalar(reads["total"], at) or 0
    figured = s.scalar(reads["figured"], at) or 0
    if figured < total:  # stored before key figures were kept: computed once, here, before they are ranked
        for vid in s.scalars(reads["lacking"], at).all():
            figures_for(s, vid)
    page = s.execute(reads["page"], at).all()
    figures = figures_many(s, [vid for vid, _ in page])
    rows = [{"id": did, **figures[vid], "rank": offset + i} for i, (vid, did) in enumerate(page, start=1)]
    return Page(rows, total, limit or total, offset)


@functools.cache
def _compare_cached(sort: str, limited: bool) -> dict[str, Any]:
    """compare()'s statements without a name to look for, year and stage as parameters: built once."""
    return _compare_reads(bindparam("year"), bindparam("stage"), None, sort, limited)


def _compare_reads(year, stage, q: str | None, sort: str, limited: bool) -> dict[str, Any]:
    named = [Version.unit_name.contains(q, autoescape=True)] if q else []
    chosen = [is_newest(), Version.year == year, Version.stage == stage, *named]
    K = KeyFigures
    # key_figures holds the versions' year, stage and newest flag: a year's newest figures are ranked along
    # one index per figure (ix_key_figures_rank_*), the page read and no more
    ranking = [K.latest == true(), K.year == year, K.stage == stage]
    ranking += [exists().where(Version.id == K.version_id, *named)] if named else []
    ranked = (
        select(K.version_id, K.document_id)
        .where(*ranking)
        .order_by(getattr(K, sort).desc().nulls_last(), K.document_id)
        .offset(bindparam("offset"))
    )
    return {
        "total": select(func.count(Version.id)).where(*chosen),
        "figured": select(func.count()).select_from(K).where(*ranking),
        "lacking": select(Version.id).where(*chosen, ~exists().where(K.version_id == Version.id)),
        "page": ranked.limit(bindparam("limit")) if limited else ranked,
    }


def years(s: Session) -> list[int]:
    """The years of the stored documents, newest first: each the largest below the one before, looked up
    in the (latest, year) index — as many look-ups as years, not a scan of every version."""
    return list(s.scalars(_years()))


@functools.cache
def _years():
    """years()' statement (it has no parameter), built once."""
    newest = and_(is_newest(), Version.year.is_not(None))
    found = select(func.max(Version.year).label("y")).where(newest).cte("found", recursive=True)
    below = select(func.max(Version.year)).where(newest, Version.year < found.c.y).scalar_subquery()
    found = found.union_all(select(below).where(found.c.y.is_not(None)))
    return select(found.c.y).where(found.c.y.is_not(None))


def region_versions(s: Session, code: str) -> list[Version]:
    """The newest versions of the documents of one region (its tenant code)."""
    return list(s.scalars(select(Version).where(is_newest(), Version.region_code == code)))


def findings_by_rule(s: Session, version_ids: list[int]) -> dict[str, int]:
    if not version_ids:
        return {}
    return dict(
        s.execute(
            select(FindingRecord.rule, func.count())
            .where(FindingRecord.version_id.in_(version_ids))
            .group_by(FindingRecord.rule)
        ).all()
    )


def region_codes(s: Session) -> set[str]:
    """The tenant codes the stored documents carry."""
    return set(s.scalars(select(Version.region_code).where(Version.region_code.is_not(None)).distinct()))


def open_questions(s: Session, code: str) -> int:
    """代表 questions of one region still waiting for an answer."""
    from ..access.tables import Question

    return (
        s.scalar(
            select(func.count(Question.id)).where(
                Question.region_code == code, Question.status.in_(("submitted", "accepted", "assigned"))
            )
        )
        or 0
    )
