"""Figures kept by each run (execution_figures) and read back by the pages: a region's units, a unit's months by
功能 类, payees. Written from the run's per-line table plus two GROUP BYs over the payments; read with small
GROUP BYs over the kept rows — the pages never sum a million payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, select
from sqlalchemy.engine import Connection

from ..feed.model import Agency, FeedBatch, Payment
from ..store.schema import table_of
from .model import ExecutionFigure
from .view import FeedView

F = table_of(ExecutionFigure)


def store_figures(view: FeedView) -> None:
    c, ls, p = view.conn, view._ls, Payment.__table__
    here = [F.c.region_code == view.region, F.c.fiscal_year == view.year, F.c.as_of == view.as_of]
    c.execute(delete(F).where(*here))
    base: dict[str, Any] = {
        "region_code": literal(view.region),
        "fiscal_year": literal(view.year),
        "as_of": literal(view.as_of),
    }

    def put(kind: str, q, cols: list[str]):
        sel = q.add_columns(*[v.label(k) for k, v in base.items()], literal(kind).label("kind"))
        c.execute(insert(F).from_select(cols + list(base) + ["kind"], sel))

    put(
        "unit",
        select(ls.c.agency_code, func.sum(ls.c.b0), func.sum(ls.c.b)).group_by(ls.c.agency_code),
        ["agency_code", "b0", "b"],
    )
    klass = func.substr(ls.c.exp_func_code, 1, 3)
    put(
        "class_month",
        select(ls.c.agency_code, klass, literal(0), func.sum(ls.c.b0), func.sum(ls.c.b)).group_by(
            ls.c.agency_code, klass
        ),
        ["agency_code", "key", "month", "b0", "b"],
    )
    paid_here = and_(
        p.c.region_code == view.region,
        p.c.fiscal_year == view.year,
        p.c.is_deleted.is_(False),
        p.c.pay_date <= view.as_of,
    )
    # a unit's paid: all its payments, those matching no 指标 included (as the 联网数据 pages sum them live)
    put(
        "unit",
        select(p.c.agency_code, func.sum(p.c.amount)).where(paid_here).group_by(p.c.agency_code),
        ["agency_code", "paid"],
    )
    pk = func.substr(p.c.exp_func_code, 1, 3)
    put(
        "class_month",
        select(p.c.agency_code, pk, p.c.pay_month, func.sum(p.c.amount))
        .where(paid_here)
        .group_by(p.c.agency_code, pk, p.c.pay_month),
        ["agency_code", "key", "month", "paid"],
    )
    put(
        "payee",
        select(
            p.c.agency_code,
            p.c.payee_name,
            func.sum(p.c.amount),
            func.count(),
            func.min(p.c.pay_date),
            func.max(p.c.pay_date),
            func.max(p.c.payee_kind),
        )
        .where(paid_here)
        .group_by(p.c.agency_code, p.c.payee_name),
        ["agency_code", "key", "paid", "n", "first_date", "last_date", "label"],
    )

    # the newest batch the figures include: a batch received after the run makes them stale (kept() below)
    newest = _newest_batch(c, view.region, view.year)
    c.execute(
        insert(F).values(region_code=view.region, fiscal_year=view.year, as_of=view.as_of, kind="stamp", n=newest)
    )


def _newest_batch(c: Connection, region: str, year: int) -> int:
    b = FeedBatch.__table__
    n = c.scalar(select(func.coalesce(func.max(b.c.id), 0)).where(b.c.region_code == region, b.c.fiscal_year == year))
    return int(n or 0)  # coalesce: 0 when the region-year has no batch


def _here(region: str, year: int, as_of: date, kind: str):
    return [F.c.region_code == region, F.c.fiscal_year == year, F.c.as_of == as_of, F.c.kind == kind]


def kept(c: Connection, region: str, year: int, as_of: date) -> bool:
    """Whether a run kept figures for this date and no batch has arrived since (else the pages sum live)."""
    stamp = c.scalar(select(F.c.n).where(*_here(region, year, as_of, "stamp")).limit(1))
    return stamp is not None and stamp == _newest_batch(c, region, year)


def units(c: Connection, region: str, year: int, as_of: date) -> list[dict]:
    """As feed.queries.units (budget, adjusted, current, paid, paid_share per agency), from the kept rows."""
    a = Agency.__table__
    q = (  # a unit's two rows: its lines' budget, its payments
        select(F.c.agency_code, a.c.agency_name, func.sum(F.c.b0), func.sum(F.c.b), func.sum(F.c.paid))
        .outerjoin(
            a,
            and_(
                a.c.region_code == F.c.region_code,
                a.c.fiscal_year == F.c.fiscal_year,
                a.c.agency_code == F.c.agency_code,
            ),
        )
        .where(*_here(region, year, as_of, "unit"))
        .group_by(F.c.agency_code, a.c.agency_name)
        .order_by(F.c.agency_code)
    )
    out = []
    for code, name, *sums in c.execute(q):
        b0, b, paid = (Decimal(x or 0) for x in sums)
        out.append(
            {
                "agency_code": code,
                "agency_name": name,
                "budget": f"{b0:.2f}",
                "adjusted": f"{b - b0:.2f}",
                "current": f"{b:.2f}",
                "paid": f"{paid:.2f}",
                "paid_share": float(paid / b) if b else None,
            }
        )
    return out


def unit_months(c: Connection, region: str, year: int, agency: str, as_of: date) -> dict:
    """As queries.unit_months, from the kept rows."""
    rows = c.execute(
        select(F.c.key, F.c.month, F.c.b0, F.c.paid).where(
            *_here(region, year, as_of, "class_month"), F.c.agency_code == agency
        )
    ).all()
    budgets = {r.key or "—": Decimal(r.b0 or 0) for r in rows if r.month == 0}
    by_class = {k: [Decimal(0)] * 12 for k in budgets}
    for r in rows:
        if r.month:
            by_class.setdefault(r.key or "—", [Decimal(0)] * 12)[r.month - 1] += Decimal(r.paid or 0)
    total = [sum((v[m] for v in by_class.values()), Decimal(0)) for m in range(12)]
    cumulative, run = [], Decimal(0)
    for x in total:
        run += x
        cumulative.append(run)
    return {
        "months": list(range(1, 13)),
        "paid": [f"{x:.2f}" for x in total],
        "cumulative": [f"{x:.2f}" for x in cumulative],
        "classes": {k: [f"{x:.2f}" for x in v] for k, v in sorted(by_class.items())},
        "class_budgets": {k: f"{v:.2f}" for k, v in sorted(budgets.items())},
    }


def payees(
    c: Connection,
    region: str,
    year: int,
    as_of: date,
    agency: str | None = None,
    q: str | None = None,
    limit: int = 200,
) -> list[dict]:
    """As queries.payees, from the kept rows."""
    cond = _here(region, year, as_of, "payee")
    if agency:
        cond.append(F.c.agency_code == agency)
    if q:
        cond.append(F.c.key.like(f"%{q}%"))
    sel = (
        select(
            F.c.key.label("payee_name"),
            func.max(F.c.label).label("payee_kind"),
            func.sum(F.c.n).label("payments"),
            func.sum(F.c.paid).label("total"),
            func.count(func.distinct(F.c.agency_code)).label("units"),
            func.min(F.c.first_date).label("first"),
            func.max(F.c.last_date).label("last"),
        )
        .where(*cond)
        .group_by(F.c.key)
        .order_by(func.sum(F.c.paid).desc())
        .limit(limit)
    )
    from ..feed.queries import _plain

    return [_plain(dict(r._mapping)) for r in c.execute(sel)]
