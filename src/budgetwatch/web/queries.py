"""Every read the web service makes: documents with their key totals and finding counts, one document
with its tables and findings, findings with filters, units, comparisons, the project search, region
summaries. Plain SQLAlchemy, the same on SQLite and PostgreSQL; "newest version" is store/newest.py's."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session

from ..analysis.figures import figures_for, figures_many
from ..store import search
from ..store.among import among, dialect_of
from ..store.findings import load_findings, to_finding
from ..store.newest import is_newest, newest_version
from ..store.repository import load_version_cached
from ..store.schema import (
    CellRecord,
    DecisionRecord,
    FindingRecord,
    FindingTotal,
    FormRecord,
    IndicatorRecord,
    KeyFigures,
    RowRecord,
    SourceFileRecord,
    TableRecord,
    Version,
)
from ..vocab.enums import Scope, Severity, Stage, Status, labels, rank

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
        "versions": list(  # the numbers only: not the document and all its versions as objects
            s.scalars(select(Version.number).where(Version.document_id == document_id).order_by(Version.number))
        ),
    }


FINDING_FILTERS = ("rule", "family", "severity", "status", "unit", "year", "document", "region")


def _finding_select(
    columns,
    rule: str | None = None,
    family: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    document: int | None = None,
    region: str | None = None,
):
    """The findings of the newest versions with their decisions, filtered: a SELECT of `columns`."""
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
        if val:
            q = q.where(col == val)
    if unit:
        q = q.where(Version.unit_name.contains(unit))
    if status == "open":
        q = q.where(DecisionRecord.id.is_(None))
    elif status:
        q = q.where(DecisionRecord.status == status)
    return q


def findings(
    s: Session, limit: int = 50, offset: int = 0, objects: bool = False, total: int | None = None, **filters
) -> Page:
    """One page of the filtered findings; `total` when the caller has counted them (finding_facets)."""
    # the decision comes with its finding (the list joins it to filter by status): a page reads its rows only,
    # not every finding of the page's documents again
    q = _finding_select([FindingRecord, Version, DecisionRecord], **filters)
    if total is None:
        total = count_rows(s, q)
    order = rank(Severity)
    rows = s.execute(q.order_by(Version.document_id, FindingRecord.id).limit(limit).offset(offset))
    pairs = [
        (
            to_finding(f, d),
            {
                "id": v.document_id,
                "unit": v.unit_name,
                "year": v.year,
                "stage": v.stage,
                "stage_zh": STAGE_ZH.get(v.stage or "", ""),
            },
        )
        for f, v, d in rows
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
    named = [Version.unit_name.contains(q, autoescape=True)] if q else []
    chosen = [is_newest(), Version.year == year, Version.stage == stage, *named]
    K = KeyFigures
    # key_figures holds the versions' year, stage and newest flag: a year's newest figures are ranked along
    # one index per figure (ix_key_figures_rank_*), the page read and no more
    ranking = [K.latest == true(), K.year == year, K.stage == stage]
    ranking += [exists().where(Version.id == K.version_id, *named)] if named else []
    total = s.scalar(select(func.count(Version.id)).where(*chosen)) or 0
    figured = s.scalar(select(func.count()).select_from(K).where(*ranking)) or 0
    if figured < total:  # stored before key figures were kept: computed once, here, before they are ranked
        lacking = ~exists().where(K.version_id == Version.id)
        for vid in s.scalars(select(Version.id).where(*chosen, lacking)).all():
            figures_for(s, vid)
    ranked = (
        select(K.version_id, K.document_id)
        .where(*ranking)
        .order_by(getattr(K, sort).desc().nulls_last(), K.document_id)
        .offset(offset)
    )
    page = s.execute(ranked.limit(limit) if limit is not None else ranked).all()
    figures = figures_many(s, [vid for vid, _ in page])
    rows = [{"id": did, **figures[vid], "rank": offset + i} for i, (vid, did) in enumerate(page, start=1)]
    return Page(rows, total, limit or total, offset)


def years(s: Session) -> list[int]:
    """The years of the stored documents, newest first: each the largest below the one before, looked up
    in the (latest, year) index — as many look-ups as years, not a scan of every version."""
    newest = and_(is_newest(), Version.year.is_not(None))
    found = select(func.max(Version.year).label("y")).where(newest).cte("found", recursive=True)
    below = select(func.max(Version.year)).where(newest, Version.year < found.c.y).scalar_subquery()
    found = found.union_all(select(below).where(found.c.y.is_not(None)))
    return list(s.scalars(select(found.c.y).where(found.c.y.is_not(None))))


def searchable(q: str) -> bool:
    """Whether `q` holds a letter or digit: what the full-text index can look up."""
    return bool(search.grams(q))


# index entries a search reads at most: a common word's cost stops growing with the database
SEARCH_CAP = 1000


def projects(s: Session, q: str, limit: int, offset: int) -> tuple[int, list[dict], bool]:
    """Projects (performance forms, then rows of project tables) whose name, target or indicator contains
    `q`: (how many match, one page of them, whether the matches were cut at SEARCH_CAP index entries — then
    the count and pages are those of the first SEARCH_CAP entries the index yields). A `q` without a letter or digit
    (`searchable`) matches nothing."""
    like = f"%{q}%"
    found = search.matching(s, q, SEARCH_CAP)
    if found is None:  # no letter or digit: nothing the index holds, and a scan would read every newest version
        return 0, [], False
    # the full-text index names the candidates; the LIKE tests on the texts each entry keeps decide. It holds
    # newest versions only (no newest-version test) and project rows only (no kind or subtotal test). One look-up
    # of the index, kept (MATERIALIZED) for its two uses: the matches and how many entries were read
    hits = found.cte("hits").prefix_with("MATERIALIZED", dialect="postgresql")
    of_form = case((hits.c.kind == "row", hits.c.ref_id), else_=hits.c.form_id)  # an indicator finds its form
    matched = select(case((hits.c.kind == "row", "row"), else_="form"), of_form).where(
        or_(hits.c.name.like(like), hits.c.value.like(like))
    )
    entries = select(literal("entries"), func.count()).select_from(hits)
    ids: dict[str, set[int]] = {"form": set(), "row": set(), "entries": {0}}
    for kind, n in s.execute(union(matched, entries)):
        ids[kind].add(n)
    form_ids, row_ids = sorted(ids["form"]), sorted(ids["row"])
    capped = max(ids["entries"]) >= SEARCH_CAP
    total = len(form_ids) + len(row_ids)
    # the page as plain columns, not ORM entities: 50 forms and versions built as objects cost more than
    # the search itself
    items = []
    chosen = form_ids[offset : offset + limit]
    reads = _project_reads(dialect_of(s))
    page = s.execute(reads["forms"], {"ids": chosen}).all() if chosen else []
    matching: dict[int, list] = {}  # only the indicators that match, not every indicator of the forms
    for form_id, *fields in s.execute(reads["indicators"], {"ids": [f.id for f in page], "like": like}) if page else ():
        matching.setdefault(form_id, []).append(dict(zip(("level1", "level2", "name", "value"), fields)))
    for f in page:
        items.append(
            {
                "source": "绩效目标表",
                "project": f.project,
                "amount": float(f.amount) if f.amount is not None else None,
                "money_unit": f.money_unit,
                "page": f.page,
                "line": f.line,
                "indicators": matching.get(f.id, []),
                "document": {"id": f.document_id, "unit": f.unit_name, "year": f.year},
            }
        )
    skip = max(0, offset - len(form_ids))
    chosen = row_ids[skip : skip + limit - len(items)]
    if chosen:
        for r in s.execute(reads["rows"], {"ids": chosen}):
            items.append(
                {
                    "source": r.title,
                    "project": r.name,
                    "amount": float(r.amount) if r.amount is not None else None,
                    "money_unit": r.money_unit,
                    "page": r.page,
                    "line": r.line,
                    "indicators": [],
                    "document": {"id": r.document_id, "unit": r.unit_name, "year": r.year},
                }
            )
    return total, items, capped


@functools.cache
def _project_reads(dialect: str) -> dict[str, Any]:
    """projects()' reads of a page of matches, built once (store/among.py): its forms, their matching
    indicators, its project rows (with the row's total)."""
    where = (Version.document_id, Version.unit_name, Version.year)
    F, I, R = FormRecord, IndicatorRecord, RowRecord  # noqa: E741
    like: Any = bindparam("like")
    total_cell = (
        select(CellRecord.amount)
        .where(CellRecord.row_id == R.id, CellRecord.column_key == "total")
        .limit(1)
        .scalar_subquery()
    )
    return {
        "forms": select(F.id, F.project, F.amount, F.money_unit, F.page, F.line, *where)
        .join(Version, Version.id == F.version_id)
        .where(among(dialect, F.id, "ids"))
        .order_by(F.id),
        "indicators": select(I.form_id, I.level1, I.level2, I.name, I.value)
        .where(among(dialect, I.form_id, "ids"), or_(I.name.like(like), I.value.like(like)))
        .order_by(I.form_id, I.ordinal),
        "rows": select(R.name, R.page, R.line, total_cell.label("amount"))
        .add_columns(TableRecord.title, TableRecord.money_unit, *where)
        .join(TableRecord, TableRecord.id == R.table_id)
        .join(Version, Version.id == TableRecord.version_id)
        .where(among(dialect, R.id, "ids"))
        .order_by(R.id),
    }


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
