"""FeedView: a region-year of the 联网 feed as of a date, as the family G rules read it. Every figure is an SQL
aggregate (SQLAlchemy Core, GROUP BY and window functions, the same on SQLite and PostgreSQL); no rule loops over
payments. Notation of lianwang-design §3: B0 年初指标, A adjustments dated ≤ t, B = B0 + A, P payments ≤ t.
"""

from __future__ import annotations

import calendar
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from ..feed.model import Agency, BudgetAdjustment, BudgetLine, FundBalance, Payment
from ..store.schema import Region
from . import settings as _settings  # read at call time (settings imports the rule registry)

ZERO = Decimal(0)
_RUNS = itertools.count(1)  # a name per run for its temporary table (connections are pooled and reused)
CENT = Decimal("0.01")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def time_share(as_of: date, year: int) -> float:
    """序时进度 s(t): the share of the year gone by at as_of, by months (30 June = 50%, 31 December = 100%)."""
    if as_of < date(year, 1, 1):
        return 0.0
    if as_of.year > year:
        return 1.0
    days = calendar.monthrange(year, as_of.month)[1]
    return (as_of.month - 1 + as_of.day / days) / 12


def day_number(col, dialect: str):
    """A date as a day count, for window arithmetic (SQLite julianday, PostgreSQL epoch / 86400)."""
    if dialect == "sqlite":
        return cast(func.julianday(col), Integer)
    return cast(func.extract("epoch", col) / 86400, Integer)


@dataclass
class FeedView:
    conn: Connection
    region: str
    year: int
    as_of: date
    agency: str | None = None  # one unit only, or the whole region
    _settings: dict = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    @cached_property
    def share(self) -> float:
        return time_share(self.as_of, self.year)

    @cached_property
    def _table(self) -> dict:
        return _settings.table_settings(self.conn, self.region)

    def settings(self, rule: str) -> dict:
        if rule not in self._settings:
            self._settings[rule] = _settings.thresholds(rule, self.region, table=self._table)
        return self._settings[rule]

    def here(self, t, *, agency: bool = True):
        cond = [t.c.region_code == self.region, t.c.fiscal_year == self.year]
        if "is_deleted" in t.c:
            cond.append(t.c.is_deleted.is_(False))
        if agency and self.agency and "agency_code" in t.c:
            cond.append(t.c.agency_code == self.agency)
        return and_(*cond)

    def at(self, month: int) -> date:
        return month_end(self.year, month)

    # — the per-line figures every rule starts from —

    def line_stats(self):
        """One row per 指标 line: B0, A (net, dated ≤ as_of), B, Σ|A|, adjustments counted, late adjustments,
        P, P(1–11), P(12), payments counted."""
        bl, adj, p = BudgetLine.__table__, BudgetAdjustment.__table__, Payment.__table__
        dated = adj.c.adj_date <= self.as_of
        into = select(adj.c.line_src_id.label("key"), adj.c.amount.label("amt"), adj.c.adj_date.label("d")).where(
            self.here(adj, agency=False), dated
        )
        out = select(
            adj.c.from_line_src_id.label("key"), (-adj.c.amount).label("amt"), adj.c.adj_date.label("d")
        ).where(self.here(adj, agency=False), dated, adj.c.from_line_src_id.is_not(None))
        u = union_all(into, out).subquery()
        late = date(self.year, 12, 20)
        a = (
            select(
                u.c.key,
                func.sum(u.c.amt).label("adjusted"),
                func.count().label("n_adj"),
                func.sum(case((u.c.d > late, 1), else_=0)).label("late_adj"),
                func.max(u.c.d).label("last_adj"),
            )
            .group_by(u.c.key)
            .subquery()
        )
        pm = p.c.pay_month
        pay = (
            select(
                p.c.line_src_id,
                func.sum(p.c.amount).label("paid"),
                func.sum(case((pm <= 11, p.c.amount), else_=0)).label("paid_1_11"),
                func.sum(case((pm == 12, p.c.amount), else_=0)).label("paid_12"),
                func.count().label("n_pay"),
                func.min(p.c.pay_date).label("first_paid"),
            )
            .where(self.here(p), p.c.pay_date <= self.as_of, p.c.line_src_id.is_not(None))
            .group_by(p.c.line_src_id)
            .subquery()
        )
        adjusted = func.coalesce(a.c.adjusted, 0)
        return (
            select(
                bl.c.src_id,
                bl.c.agency_code,
                bl.c.agency_name,
                bl.c.exp_func_code,
                bl.c.exp_func_name,
                bl.c.dep_eco_code,
                bl.c.dep_eco_name,
                bl.c.pro_code,
                bl.c.pro_name,
                bl.c.bgt_type_name,
                bl.c.source_type_name,
                bl.c.fund_type_name,
                bl.c.doc_no,
                bl.c.doc_date,
                bl.c.is_gov_pur,
                bl.c.tp_func_code,
                bl.c.rec_div_code,
                bl.c.amount.label("b0"),
                adjusted.label("adjusted"),
                (bl.c.amount + adjusted).label("b"),
                func.abs(adjusted).label("abs_adjusted"),
                func.coalesce(a.c.n_adj, 0).label("n_adj"),
                func.coalesce(a.c.late_adj, 0).label("late_adj"),
                a.c.last_adj,
                func.coalesce(pay.c.paid, 0).label("paid"),
                func.coalesce(pay.c.paid_1_11, 0).label("paid_1_11"),
                func.coalesce(pay.c.paid_12, 0).label("paid_12"),
                func.coalesce(pay.c.n_pay, 0).label("n_pay"),
                pay.c.first_paid,
            )
            .outerjoin(a, a.c.key == bl.c.src_id)
            .outerjoin(pay, pay.c.line_src_id == bl.c.src_id)
            .where(self.here(bl))
        )

    @cached_property
    def _ls(self):
        """The line figures, computed once per view into a temporary table every rule reads (one pass over
        the payments instead of one per rule)."""
        q = self.line_stats()
        money, text = Numeric(18, 2), Text()
        kinds: dict[str, TypeEngine[Any]] = {
            "b0": money,
            "adjusted": money,
            "b": money,
            "abs_adjusted": money,
            "paid": money,
            "paid_1_11": money,
            "paid_12": money,
            "n_adj": Integer(),
            "late_adj": Integer(),
            "n_pay": Integer(),
            "last_adj": Date(),
            "first_paid": Date(),
            "doc_date": Date(),
            "is_gov_pur": Boolean(),
        }
        tmp = Table(
            f"g_line_stats_{os.getpid()}_{next(_RUNS)}",
            MetaData(),
            *[Column(c.name, kinds.get(c.name, text)) for c in q.selected_columns],
            prefixes=["TEMPORARY"],
        )
        tmp.drop(self.conn, checkfirst=True)
        tmp.create(self.conn)
        self.conn.execute(tmp.insert().from_select([c.name for c in q.selected_columns], q))
        self._tmp: Table | None = tmp
        return tmp

    def close(self) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            tmp.drop(self.conn)
            self._tmp = None

    def lines(self, *where) -> Sequence[Any]:
        ls = self._ls
        return self.conn.execute(select(ls).where(*where).order_by(ls.c.agency_code, ls.c.src_id)).all()

    def totals(self, *keys: str, where=(), having=()) -> Sequence[Any]:
        """The line figures summed by `keys` (agency_code, pro_code, exp_func_code, dep_eco_code …)."""
        ls = self._ls
        cols = [ls.c[k] for k in keys]
        q = (
            select(
                *cols,
                func.max(ls.c.agency_name).label("agency_name"),
                func.max(ls.c.pro_name).label("pro_name"),
                func.max(ls.c.exp_func_name).label("exp_func_name"),
                func.max(ls.c.dep_eco_name).label("dep_eco_name"),
                func.sum(ls.c.b0).label("b0"),
                func.sum(ls.c.b).label("b"),
                func.sum(ls.c.abs_adjusted).label("abs_adjusted"),
                func.sum(ls.c.paid).label("paid"),
                func.sum(ls.c.paid_1_11).label("paid_1_11"),
                func.sum(ls.c.paid_12).label("paid_12"),
                func.sum(ls.c.n_pay).label("n_pay"),
                func.count().label("n_lines"),
                func.min(ls.c.src_id).label("src_id"),
            )
            .where(*where)
            .group_by(*cols)
            .having(*having)
            .order_by(*cols)
        )
        return self.conn.execute(q).all()

    def payments(self):
        p = Payment.__table__
        return p, self.here(p), p.c.pay_date <= self.as_of

    def unit_budgets(self):
        """Σ B0 by unit, as a subquery (agency_code, b0)."""
        bl = BudgetLine.__table__
        return (
            select(bl.c.agency_code, func.sum(bl.c.amount).label("b0"))
            .where(self.here(bl))
            .group_by(bl.c.agency_code)
            .subquery()
        )

    def balances(self) -> Sequence[Any]:
        fb = FundBalance.__table__
        q = (
            select(
                fb.c.agency_code,
                func.sum(fb.c.approve_amt).label("approve"),
                func.sum(fb.c.carryover_amt).label("carryover"),
                func.sum(fb.c.balance_amt).label("balance"),
                func.count().label("rows"),
            )
            .where(self.here(fb))
            .group_by(fb.c.agency_code)
            .order_by(fb.c.agency_code)
        )
        return self.conn.execute(q).all()

    @cached_property
    def approval_date(self) -> date | None:
        """The 本级人大 approval date of the year's budget: regions.approval_dates, else the G15 setting."""
        dates = (
            self.conn.execute(
                select(Region.__table__.c.approval_dates).where(Region.__table__.c.code == self.region)
            ).scalar()
            or {}
        )
        text = dates.get(str(self.year)) or self.settings("G15").get("approval_date") or ""
        try:
            return date.fromisoformat(str(text)) if text else None
        except ValueError:
            return None

    @cached_property
    def agencies(self) -> dict[str, dict]:
        a = Agency.__table__
        q = select(a.c.agency_code, a.c.agency_name, a.c.unit_id).where(
            a.c.region_code == self.region, a.c.fiscal_year == self.year
        )
        if self.agency:
            q = q.where(a.c.agency_code == self.agency)
        return {r.agency_code: dict(r._mapping) for r in self.conn.execute(q)}

    def disclosed(self, agency: str, stage: str = "budget"):
        """The unit's disclosed 部门预算 (or `stage` "final": its 部门决算) as feed.match.Disclosure, or None when the
        unit is not matched to a stored disclosure of that stage."""
        if not hasattr(self, "_disclosed"):
            self._disclosed: dict[tuple[str, str], Any] = {}
        if (agency, stage) not in self._disclosed:
            self._disclosed[agency, stage] = None
            unit_id = (self.agencies.get(agency) or {}).get("unit_id")
            if unit_id is not None:
                from sqlalchemy.orm import Session

                from ..feed.match import disclosure_for

                with Session(self.conn.engine) as s:
                    self._disclosed[agency, stage] = disclosure_for(s, self.region, self.year, unit_id, stage)
        return self._disclosed[agency, stage]


def money(v) -> Decimal:
    return Decimal(v or 0).quantize(CENT) if not isinstance(v, Decimal) else v.quantize(CENT)


def pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def rate(paid, budget) -> float | None:
    return float(Decimal(paid or 0) / Decimal(budget)) if budget else None


def literal_date(d: date):
    return literal(d)
