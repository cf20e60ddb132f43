"""Joining the feed to the disclosures: agencies to stored units (the department code the disclosure prints, then
normalised name, then a fuzzy match with its score; a manual match is never overwritten), and each line to the disclosed rows it corresponds to — the 功能 项
row by code, the 项目支出表 row (or 绩效目标表 form) by normalised name, the 三公 row by 经济 code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..model import Document
from ..store.newest import is_newest
from ..store.repository import load_version_cached
from ..store.schema import DocumentRecord, Region, Unit, Version, table_of
from ..vocab.classes import THREE_PUBLIC
from .codes import normalise_name
from .disclosed import Disclosed, read_disclosed
from .model import Agency, BudgetLine, FeedLink

UNIT_FUZZY = 92  # token_set_ratio for a unit name (design §6.4)
PROJECT_FUZZY = 90  # ratio for a project name, when the amounts agree within 1%


def unit_key(name: str | None) -> str:
    n = normalise_name(name)
    return re.sub(r"^中共", "", n)


@dataclass
class Disclosure:
    version_id: int
    document_id: int
    unit_id: int | None
    unit_name: str | None
    doc: Document
    disclosed: Disclosed


def region_names(s: Session, region: str) -> set[str]:
    t = table_of(Region)
    r = s.execute(select(t).where(t.c.code == region)).first()
    if r is None:
        return set()
    return {x for x in [r.name, *(r.aliases or [])] if x}


def budget_versions(s: Session, region: str, year: int, stage: str = "budget") -> list[Version]:
    """The newest version of each 预算 (or `stage` 决算) document of the year whose place is the region (by its
    names)."""
    names = region_names(s, region)
    if not names:
        return []
    q = (
        select(Version)
        .where(is_newest(), Version.year == year, Version.stage == stage, Version.region.in_(names))
        .order_by(Version.id)
    )
    return list(s.scalars(q))


DEPT_CODE = re.compile(r"^\s*(\d{3,12})\s*[-—－_ ]")  # "001-兴县人民代表大会常务委员会办公室"


def printed_codes(doc: Document) -> set[str]:
    """The department codes a disclosure prints for its unit (主管部门及代码 in its 绩效目标表)."""
    out = set()
    for f in doc.forms:
        m = DEPT_CODE.match(f.info.get("主管部门及代码") or "")
        if m:
            out.add(m.group(1))
    return out


def match_agencies(s: Session, region: str, year: int) -> list[dict]:
    """Match each agency without a manual match to a stored unit — by the department code the unit's disclosure
    prints, else by normalised name, else by a fuzzy name match with its score; returns what was decided."""
    # a unit's 预算 names it first; a unit with only its 决算 of the year stored is matched too (G17 reads it)
    versions = budget_versions(s, region, year) + budget_versions(s, region, year, "final")
    units: dict[int, str] = {}
    by_code: dict[str, set[int]] = {}
    for v in versions:
        unit_id = s.get_one(DocumentRecord, v.document_id).unit_id
        if unit_id is None:
            continue
        if unit_id not in units:
            units[unit_id] = v.unit_name or s.get_one(Unit, unit_id).name
        for code in printed_codes(load_version_cached(s, v.id)):
            by_code.setdefault(code, set()).add(unit_id)
    a = table_of(Agency)
    out = []
    for ag in s.execute(select(a).where(a.c.region_code == region, a.c.fiscal_year == year)).all():
        if ag.match == "manual":
            continue
        key = unit_key(ag.agency_name)
        unit, method, score = None, None, None
        coded = by_code.get(ag.agency_code or "", set())
        exact = [u for u, n in units.items() if unit_key(n) == key and key]
        if len(coded) == 1:  # one unit prints this code (two units printing one code: the names decide)
            unit, method, score = next(iter(coded)), "code", 100.0
        elif exact:
            unit, method, score = exact[0], "name", 100.0
        elif key:
            scored = sorted(((fuzz.token_set_ratio(key, unit_key(n)), u) for u, n in units.items()), reverse=True)
            if scored and scored[0][0] >= UNIT_FUZZY:
                unit, method, score = scored[0][1], "fuzzy", float(scored[0][0])
        if (ag.unit_id, ag.match, ag.match_score) != (unit, method, score):
            s.execute(update(a).where(a.c.id == ag.id).values(unit_id=unit, match=method, match_score=score))
        out.append(
            {
                "agency_code": ag.agency_code,
                "agency_name": ag.agency_name,
                "unit_id": unit,
                "match": method,
                "score": score,
            }
        )
    return out


def candidate_units(s: Session, region: str, year: int) -> list[dict]:
    """The stored units a region-year's agencies may be matched to by hand: those of its 预算 and 决算."""
    out: dict[int, dict] = {}
    for v in budget_versions(s, region, year) + budget_versions(s, region, year, "final"):
        unit_id = s.get_one(DocumentRecord, v.document_id).unit_id
        if unit_id is not None and unit_id not in out:
            out[unit_id] = {
                "unit_id": unit_id,
                "name": v.unit_name or s.get_one(Unit, unit_id).name,
                "document_id": v.document_id,
            }
    return sorted(out.values(), key=lambda u: u["name"] or "")


def set_manual_match(s: Session, region: str, year: int, agency: str, unit_id: int | None) -> dict:
    """Staff confirm (or clear, unit_id None) an agency's unit by hand; never overwritten by match_agencies."""
    a = table_of(Agency)
    ag = s.execute(
        select(a).where(a.c.region_code == region, a.c.fiscal_year == year, a.c.agency_code == agency)
    ).first()
    if ag is None:
        raise KeyError(agency)
    if unit_id is not None and unit_id not in {u["unit_id"] for u in candidate_units(s, region, year)}:
        raise ValueError(f"unit {unit_id} has no disclosure of {region} {year}")
    method = "manual" if unit_id is not None else None
    s.execute(
        update(a)
        .where(a.c.id == ag.id)
        .values(unit_id=unit_id, match=method, match_score=100.0 if unit_id is not None else None)
    )
    return {
        "agency_code": agency,
        "agency_name": ag.agency_name,
        "unit_id": unit_id,
        "match": method,
        "before": {"unit_id": ag.unit_id, "match": ag.match},
    }


def disclosure_for(s: Session, region: str, year: int, unit_id: int, stage: str = "budget") -> Disclosure | None:
    """The unit's stored 预算 (or `stage` 决算) of the year, read as the feed compares it."""
    for v in budget_versions(s, region, year, stage):
        if s.get_one(DocumentRecord, v.document_id).unit_id == unit_id:
            doc = load_version_cached(s, v.id)
            return Disclosure(v.id, v.document_id, unit_id, v.unit_name, doc, read_disclosed(doc))
    return None


def project_match(name: str | None, amount, disclosed: Disclosed):
    """The disclosed project row a feed project is: (item, method, score) or None."""
    key = normalise_name(name)
    if not key:
        return None
    same = [p for p in disclosed.projects if normalise_name(p.name) == key]
    if same:  # a name printed twice (two projects of one name): the nearer amount
        return min(same, key=lambda p: abs(p.amount - amount) if amount is not None else 0), "name", 100.0
    best = max(((fuzz.ratio(key, normalise_name(p.name)), i) for i, p in enumerate(disclosed.projects)), default=None)
    if best and best[0] >= PROJECT_FUZZY:
        p = disclosed.projects[best[1]]
        if amount is not None and p.amount and abs(amount - p.amount) <= p.amount / 100:
            return p, "fuzzy", float(best[0])
    return None


def link_lines(s: Session, region: str, year: int, agency: str, d: Disclosure) -> int:
    """Rewrite the links (except manual ones) of one unit's lines to its disclosure; returns how many."""
    bl, lk = table_of(BudgetLine), table_of(FeedLink)
    lines = s.execute(
        select(bl.c.id, bl.c.exp_func_code, bl.c.dep_eco_code, bl.c.pro_code, bl.c.pro_name, bl.c.amount).where(
            bl.c.region_code == region, bl.c.fiscal_year == year, bl.c.agency_code == agency, bl.c.is_deleted.is_(False)
        )
    ).all()
    ids = [ln.id for ln in lines]
    if not ids:
        return 0
    manual = {
        (r.line_id, r.kind)
        for r in s.execute(select(lk.c.line_id, lk.c.kind).where(lk.c.line_id.in_(ids), lk.c.method == "manual"))
    }
    s.execute(delete(lk).where(lk.c.line_id.in_(ids), lk.c.method != "manual"))
    funcs = {f.code: f for f in d.disclosed.functions}
    three = {t.code: t for t in d.disclosed.three_public}
    project_sums: dict[tuple, object] = {}  # a project's lines (one per 经济 code) by its code and name
    for ln in lines:
        if ln.pro_name:
            k = (ln.pro_code, ln.pro_name)
            project_sums[k] = project_sums.get(k, 0) + ln.amount
    forms = {normalise_name(f.project): (i, f) for i, f in enumerate(d.doc.forms) if f.project}
    rows = []

    def add(line_id, kind, item, method, score, form_index=None):
        if (line_id, kind) in manual:
            return
        rows.append(
            {
                "line_id": line_id,
                "version_id": d.version_id,
                "kind": kind,
                "table_kind": item.table_kind if item else None,
                "table_index": item.table_index if item else None,
                "row_ordinal": item.row_index if item else None,
                "row_code": item.code if item else None,
                "row_name": item.name if item else None,
                "form_index": form_index,
                "method": method,
                "score": score,
            }
        )

    for ln in lines:
        if ln.exp_func_code in funcs:
            add(ln.id, "function", funcs[ln.exp_func_code], "code", 100.0)
        if ln.pro_name:
            m = project_match(ln.pro_name, project_sums[(ln.pro_code, ln.pro_name)], d.disclosed)
            if m:
                add(ln.id, "project", m[0], m[1], m[2])
            f = forms.get(normalise_name(ln.pro_name))
            if f:
                add(ln.id, "form", None, "name", 100.0, f[0])
        if ln.dep_eco_code in THREE_PUBLIC and ln.dep_eco_code in three:
            add(ln.id, "three_public", three[ln.dep_eco_code], "code", 100.0)
    if rows:
        s.execute(lk.insert(), rows)
    return len(rows)
