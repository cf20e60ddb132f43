"""Reconciling a region-year's feed with its disclosures: match agencies to units, link lines to disclosed rows,
run the family R rules per matched unit, and keep their findings in execution_findings (replacing the previous
run's R findings of that region-year; other families' findings are left alone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Session

from ..checks.reconcile import ReconcileView
from ..checks.rule import RULES, Finding
from ..store.schema import table_of
from .match import disclosure_for, link_lines, match_agencies
from .model import Agency, BudgetLine, ExecutionFinding, FeedLink, Payment


@dataclass
class Outcome:
    agencies: list[dict] = field(default_factory=list)
    links: int = 0
    findings: list[Finding] = field(default_factory=list)
    unmatched_agencies: list[str] = field(default_factory=list)


def initial_lines(s: Session, region: str, year: int, agency: str) -> list[dict]:
    """The unit's 年初 lines: 指标类型 年初…, else (no type sent) lines issued on or before its first payment."""
    bl, p = table_of(BudgetLine), table_of(Payment)
    rows = [
        dict(r._mapping)
        for r in s.execute(
            select(
                bl.c.src_id,
                bl.c.exp_func_code,
                bl.c.dep_eco_code,
                bl.c.pro_name,
                bl.c.amount,
                bl.c.bgt_type_name,
                bl.c.fund_type_name,
                bl.c.doc_date,
            )
            .where(
                bl.c.region_code == region,
                bl.c.fiscal_year == year,
                bl.c.agency_code == agency,
                bl.c.is_deleted.is_(False),
            )
            .order_by(bl.c.src_id)
        )
    ]
    if any(r["bgt_type_name"] for r in rows):
        return [r for r in rows if r["bgt_type_name"] and "年初" in r["bgt_type_name"]]
    first = s.execute(
        select(func.min(p.c.pay_date)).where(
            p.c.region_code == region, p.c.fiscal_year == year, p.c.agency_code == agency
        )
    ).scalar()
    return [r for r in rows if r["doc_date"] is None or first is None or r["doc_date"] <= first]


def _only_gpb(lines: list[dict], table_kind: str | None) -> list[dict]:
    """A 一般公共预算 table is compared with the 一般公共预算 lines (all lines when the feed names no fund)."""
    if table_kind != "gpb_expenditure" or not any(ln["fund_type_name"] for ln in lines):
        return lines
    return [ln for ln in lines if ln["fund_type_name"] and "一般公共预算" in ln["fund_type_name"]]


def reconcile(engine: Engine, region: str, year: int, as_of: date | None = None) -> Outcome:
    out = Outcome()
    with Session(engine) as s, s.begin():
        out.agencies = match_agencies(s, region, year)
        e = table_of(ExecutionFinding)
        s.execute(delete(e).where(e.c.region_code == region, e.c.fiscal_year == year, e.c.family == "R"))
        for ag in out.agencies:
            if ag["unit_id"] is None:
                out.unmatched_agencies.append(ag["agency_code"])
                continue
            d = disclosure_for(s, region, year, ag["unit_id"])
            if d is None:
                continue
            out.links += link_lines(s, region, year, ag["agency_code"], d)
            view = _view(s, region, year, ag, d)
            for r in RULES.values():
                if r.family == "R":
                    for f in r.run(view):
                        out.findings.append(f)
                        s.execute(e.insert().values(**_row(f, region, year, ag["agency_code"], d.version_id, as_of)))
    return out


def _view(s: Session, region: str, year: int, ag: dict, d) -> ReconcileView:
    lines = _only_gpb(
        initial_lines(s, region, year, ag["agency_code"]),
        d.disclosed.functions[0].table_kind if d.disclosed.functions else None,
    )
    bl, lk = table_of(BudgetLine), table_of(FeedLink)
    links = s.execute(
        select(bl.c.pro_name, lk.c.row_ordinal)
        .join(bl, bl.c.id == lk.c.line_id)
        .where(
            lk.c.version_id == d.version_id,
            lk.c.kind == "project",
            bl.c.agency_code == ag["agency_code"],
            and_(bl.c.region_code == region, bl.c.fiscal_year == year),
        )
    ).all()
    return ReconcileView(
        region,
        year,
        ag["agency_code"],
        ag["agency_name"],
        d.version_id,
        d.document_id,
        d.doc.files[0].name if d.doc.files else None,
        d.disclosed,
        lines,
        {n: r for n, r in links},
        {r for _, r in links},
        {i: t.title for i, t in enumerate(d.doc.tables)},
    )


def _money(v) -> Decimal | None:
    return None if v is None else Decimal(str(v)).quantize(Decimal("0.01"))


def finding_row(f: Finding, **scope) -> dict:
    """A finding as a row of execution_findings (families R and G): `scope` gives region_code, fiscal_year,
    agency_code, as_of, version_id and the subject; the rule, location and figures come from the finding."""
    return {
        "family": f.family,
        "fingerprint": f.fingerprint,
        "evidence": f.evidence,
        **scope,
        "rule": f.rule,
        "severity": f.severity,
        "confidence": f.confidence,
        "file": f.file,
        "page": f.page,
        "line": f.line,
        "table_kind": f.table_kind,
        "table_title": f.table_title,
        "row_code": f.row_code,
        "row_name": f.row_name,
        "column": f.column,
        "value": _money(f.value),
        "expected": _money(f.expected),
        "difference": _money(f.difference),
        "money_unit": f.money_unit,
        "message": f.message,
        "suggestion": f.suggestion,
    }


def _row(f: Finding, region: str, year: int, agency: str, version_id: int, as_of: date | None) -> dict:
    return finding_row(
        f,
        region_code=region,
        fiscal_year=year,
        agency_code=agency,
        as_of=as_of,
        version_id=version_id,
        subject_type="unit",
        subject_id=agency,
    )


def stored_findings(
    engine: Engine, region: str, year: int, agency: str | None = None, family: str | None = None
) -> list[dict]:
    from .queries import _plain

    e = table_of(ExecutionFinding)
    q = select(e).where(e.c.region_code == region, e.c.fiscal_year == year).order_by(e.c.rule, e.c.id)
    if agency:
        q = q.where(e.c.agency_code == agency)
    if family:
        q = q.where(e.c.family == family)
    with engine.connect() as c:
        return [_plain(dict(r._mapping)) for r in c.execute(q)]


def agency_rows(s: Session, region: str, year: int) -> Sequence[Row[Any]]:
    a = table_of(Agency)
    return s.execute(select(a).where(a.c.region_code == region, a.c.fiscal_year == year)).all()
