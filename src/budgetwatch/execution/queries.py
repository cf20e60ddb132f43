"""What the execution pages, reports and CLI show, as SQL aggregates: kept findings (with decisions), a region's
units (budget / paid / rate), a unit's months by 功能 类, a line's payments, payees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from ..feed.model import BudgetLine, ExecutionFinding, Payment
from ..feed.queries import _plain
from ..vocab.enums import Severity, WarningLevel, labels
from .model import ExecutionDecision

LEVELS = labels(WarningLevel)
# an execution finding's columns in a download after its rule and severity, the same for the CLI and the pages
# (each puts its own rule/severity/level columns in front)
FINDING_DETAIL_COLUMNS = {
    "agency_code": "单位编码",
    "subject_type": "对象类型",
    "subject_id": "对象",
    "value": "金额(元)",
    "expected": "比较数(元)",
    "message": "问题说明",
    "suggestion": "审查意见建议",
    "status": "处理",
    "as_of": "截至日",
}
# the level a finding without one of its own is shown at, by severity
_SHOWN = {Severity.error.value: WarningLevel.red.value, Severity.warn.value: WarningLevel.orange.value}


def as_of_dates(c: Connection, region: str, year: int) -> list[date]:
    e = ExecutionFinding.__table__
    return [
        d
        for (d,) in c.execute(
            select(e.c.as_of)
            .where(e.c.region_code == region, e.c.fiscal_year == year, e.c.family == "G", e.c.as_of.is_not(None))
            .group_by(e.c.as_of)
            .order_by(e.c.as_of.desc())
        )
    ]


def finding_region(c: Connection, finding_id: int) -> str | None:
    e = ExecutionFinding.__table__
    return c.scalar(select(e.c.region_code).where(e.c.id == finding_id))


def stored_findings(
    c: Connection,
    region: str,
    year: int,
    *,
    as_of: date | None = None,
    rule: str | None = None,
    agency: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    subject: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Family G findings kept for `as_of` (default: the newest date run), each with its decision."""
    e, d = ExecutionFinding.__table__, ExecutionDecision.__table__
    if as_of is None:
        dates = as_of_dates(c, region, year)
        if not dates:
            return []
        as_of = dates[0]
    q = (
        select(e, d.c.status, d.c.reason, d.c.decided_by)
        .outerjoin(d, and_(d.c.region_code == e.c.region_code, d.c.fingerprint == e.c.fingerprint))
        .where(e.c.region_code == region, e.c.fiscal_year == year, e.c.family == "G", e.c.as_of == as_of)
        .order_by(e.c.id)
    )
    for col, v in ((e.c.rule, rule), (e.c.agency_code, agency), (e.c.severity, severity), (e.c.subject_id, subject)):
        if v:
            q = q.where(col == v)
    if status == "open":
        q = q.where(d.c.status.is_(None))
    elif status:
        q = q.where(d.c.status == status)
    if limit:
        q = q.limit(limit)
    out = []
    for r in c.execute(q):
        x = _plain(dict(r._mapping))
        x["status"] = x["status"] or "open"
        x["level"] = (x.get("evidence") or {}).get("level")
        out.append(x)
    return out


def flags_by_agency(c: Connection, region: str, year: int, as_of: date | None) -> dict[str, dict]:
    """Counts of kept findings per unit and the worst display level (red / orange)."""
    out: dict[str, dict] = {}
    for f in stored_findings(c, region, year, as_of=as_of):
        a = out.setdefault(f["agency_code"] or "", dict.fromkeys([*_SHOWN.values(), *(s.value for s in Severity)], 0))
        a[f["severity"]] += 1
        lvl = f["level"] or _SHOWN.get(f["severity"])
        if lvl in _SHOWN.values():
            a[lvl] += 1
    return out


def unit_months(c: Connection, region: str, year: int, agency: str, as_of: date) -> dict:
    """A unit's payments by month (cumulative) and by 功能 类 (3 digits) per month, with its budget."""
    p, bl = Payment.__table__, BudgetLine.__table__
    here = and_(
        p.c.region_code == region,
        p.c.fiscal_year == year,
        p.c.agency_code == agency,
        p.c.is_deleted.is_(False),
        p.c.pay_date <= as_of,
    )
    klass = func.substr(p.c.exp_func_code, 1, 3)
    rows = c.execute(
        select(p.c.pay_month, klass.label("klass"), func.sum(p.c.amount).label("paid"))
        .where(here)
        .group_by(p.c.pay_month, klass)
        .order_by(p.c.pay_month, klass)
    ).all()
    lk = func.substr(bl.c.exp_func_code, 1, 3)
    budgets = {
        r.klass: r.b0
        for r in c.execute(
            select(lk.label("klass"), func.sum(bl.c.amount).label("b0"))
            .where(
                bl.c.region_code == region,
                bl.c.fiscal_year == year,
                bl.c.agency_code == agency,
                bl.c.is_deleted.is_(False),
            )
            .group_by(lk)
        )
    }
    months = list(range(1, 13))
    by_class: dict[str, list[Decimal]] = {k: [Decimal(0)] * 12 for k in budgets}
    for r in rows:
        by_class.setdefault(r.klass or "—", [Decimal(0)] * 12)[r.pay_month - 1] += r.paid
    total = [sum((v[m - 1] for v in by_class.values()), Decimal(0)) for m in months]
    cumulative, run = [], Decimal(0)
    for m in months:
        run += total[m - 1]
        cumulative.append(run)
    return {
        "months": months,
        "paid": [f"{x:.2f}" for x in total],
        "cumulative": [f"{x:.2f}" for x in cumulative],
        "classes": {k: [f"{x:.2f}" for x in v] for k, v in sorted(by_class.items())},
        "class_budgets": {k: f"{v:.2f}" for k, v in sorted(budgets.items())},
    }


def line_payments(
    c: Connection, region: str, year: int, src_id: str, as_of: date | None = None, batches=None
) -> list[dict]:
    """A line's payments; `batches` (a SELECT of batch ids) limits them to those batches' rows."""
    p = Payment.__table__
    q = (
        select(
            p.c.src_id,
            p.c.voucher_no,
            p.c.pay_date,
            p.c.amount,
            p.c.payee_name,
            p.c.payee_kind,
            p.c.payee_account_tail,
            p.c.purpose,
            p.c.contract_no,
            p.c.set_mode_name,
            p.c.line_match,
        )
        .where(p.c.region_code == region, p.c.fiscal_year == year, p.c.line_src_id == src_id, p.c.is_deleted.is_(False))
        .order_by(p.c.pay_date, p.c.src_id)
    )
    if as_of:
        q = q.where(p.c.pay_date <= as_of)
    if batches is not None:
        q = q.where(p.c.batch_id.in_(batches))
    return [_plain(dict(r._mapping)) for r in c.execute(q)]


def line_row(c: Connection, region: str, year: int, src_id: str) -> dict | None:
    bl = BudgetLine.__table__
    r = c.execute(select(bl).where(bl.c.region_code == region, bl.c.fiscal_year == year, bl.c.src_id == src_id)).first()
    return _plain(dict(r._mapping)) if r else None


def payees(
    c: Connection,
    region: str,
    year: int,
    as_of: date | None = None,
    agency: str | None = None,
    q: str | None = None,
    limit: int = 200,
    batches=None,
) -> list[dict]:
    """Payees by total received: payments, units paying, first and last date, kind (of `batches` only, if given)."""
    p = Payment.__table__
    cond = [p.c.region_code == region, p.c.fiscal_year == year, p.c.is_deleted.is_(False)]
    if batches is not None:
        cond.append(p.c.batch_id.in_(batches))
    if as_of:
        cond.append(p.c.pay_date <= as_of)
    if agency:
        cond.append(p.c.agency_code == agency)
    if q:
        cond.append(p.c.payee_name.like(f"%{q}%"))
    sel = (
        select(
            p.c.payee_name,
            func.max(p.c.payee_kind).label("payee_kind"),
            func.count().label("payments"),
            func.sum(p.c.amount).label("total"),
            func.count(func.distinct(p.c.agency_code)).label("units"),
            func.min(p.c.pay_date).label("first"),
            func.max(p.c.pay_date).label("last"),
        )
        .where(*cond)
        .group_by(p.c.payee_name)
        .order_by(func.sum(p.c.amount).desc())
        .limit(limit)
    )
    return [_plain(dict(r._mapping)) for r in c.execute(sel)]


def payee_payments(c: Connection, region: str, year: int, name: str, limit: int = 500, batches=None) -> list[dict]:
    p = Payment.__table__
    mine = [p.c.batch_id.in_(batches)] if batches is not None else []
    q = (
        select(
            p.c.src_id,
            p.c.agency_code,
            p.c.line_src_id,
            p.c.pay_date,
            p.c.amount,
            p.c.exp_func_code,
            p.c.dep_eco_code,
            p.c.purpose,
            p.c.payee_kind,
            p.c.payee_account_tail,
        )
        .where(
            p.c.region_code == region, p.c.fiscal_year == year, p.c.payee_name == name, p.c.is_deleted.is_(False), *mine
        )
        .order_by(p.c.pay_date, p.c.src_id)
        .limit(limit)
    )
    return [_plain(dict(r._mapping)) for r in c.execute(q)]
