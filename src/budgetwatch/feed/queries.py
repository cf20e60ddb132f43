"""What the CLI and the 联网数据 pages show: batches, rejects, regions, units' lines with budget / adjusted / paid,
all as aggregates in SQL (GROUP BY), never row loops."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection

from ..store.schema import Region, table_of
from .model import Agency, BudgetAdjustment, BudgetLine, FeedBatch, FeedLink, FeedReject, FeedSource, Payment
from .validate import REASONS

REJECT_COLUMNS = {
    "batch_id": "批次",
    "file": "文件",
    "source_table": "表",
    "row_no": "行",
    "field": "字段",
    "code": "类型",
    "reason": "原因",
    "message_zh": "说明",
}
LINE_COLUMNS = {
    "src_id": "指标编号",
    "exp_func_code": "功能科目",
    "exp_func_name": "功能科目名称",
    "dep_eco_code": "经济科目",
    "dep_eco_name": "经济科目名称",
    "pro_name": "项目",
    "amount": "年初指标(元)",
    "adjusted": "调整(元)",
    "current": "调整后指标(元)",
    "paid": "已支付(元)",
    "paid_share": "支付进度",
    "disclosed": "公开数",
}


def batch_list(
    c: Connection, region: str | None = None, year: int | None = None, limit: int = 200, only=None
) -> list[dict]:
    """Batches, newest first; `only` (a SELECT of batch ids) keeps those."""
    b, s = table_of(FeedBatch), table_of(FeedSource)
    q = (
        select(b, s.c.kind.label("source_kind"), s.c.name.label("source_name"))
        .join(s, s.c.id == b.c.source_id)
        .order_by(b.c.id.desc())
        .limit(limit)
    )
    if region:
        q = q.where(b.c.region_code == region)
    if year:
        q = q.where(b.c.fiscal_year == year)
    if only is not None:
        q = q.where(b.c.id.in_(only))
    out = []
    for r in c.execute(q):
        d = dict(r._mapping)
        d["source"] = f"{d.pop('source_kind')}:{d.pop('source_name')}"
        out.append(_plain(d))
    return out


def batch(c: Connection, batch_id: int) -> dict | None:
    b, s = table_of(FeedBatch), table_of(FeedSource)
    r = c.execute(
        select(b, s.c.kind.label("source_kind"), s.c.name.label("source_name"))
        .join(s, s.c.id == b.c.source_id)
        .where(b.c.id == batch_id)
    ).first()
    if r is None:
        return None
    d = dict(r._mapping)
    d["source"] = f"{d.pop('source_kind')}:{d.pop('source_name')}"
    return _plain(d)


def reject_rows(c: Connection, batch_id: int, limit: int | None = None) -> list[dict]:
    t = table_of(FeedReject)
    q = select(t).where(t.c.batch_id == batch_id).order_by(t.c.id)
    if limit:
        q = q.limit(limit)
    out = []
    for r in c.execute(q):
        d = dict(r._mapping)
        d["reason"] = REASONS.get(d["code"], d["code"])
        out.append(d)
    return out


def regions(c: Connection) -> list[dict]:
    """Regions with feed data: each with its years and batch counts."""
    r, b = table_of(Region), table_of(FeedBatch)
    q = (
        select(
            r.c.code,
            r.c.name,
            r.c.level,
            r.c.parent_code,
            b.c.fiscal_year,
            func.count(b.c.id).label("batches"),
            func.sum(b.c.rows_loaded).label("rows_loaded"),
            func.sum(b.c.rows_rejected).label("rows_rejected"),
        )
        .join(b, b.c.region_code == r.c.code)
        .group_by(r.c.code, r.c.name, r.c.level, r.c.parent_code, b.c.fiscal_year)
        .order_by(r.c.code, b.c.fiscal_year.desc())
    )
    return [_plain(dict(x._mapping)) for x in c.execute(q)]


def region(c: Connection, code: str) -> dict | None:
    t = table_of(Region)
    r = c.execute(select(t).where(t.c.code == code)).first()
    return _plain(dict(r._mapping)) if r else None


def units(c: Connection, region: str, year: int, as_of: date | None = None) -> list[dict]:
    """Each agency of a region-year: 年初指标, adjustments, paid (to as_of), as sums."""
    a, bl, adj, p = table_of(Agency), table_of(BudgetLine), table_of(BudgetAdjustment), table_of(Payment)
    here = lambda t: and_(t.c.region_code == region, t.c.fiscal_year == year)  # noqa: E731
    budget = (
        select(bl.c.agency_code, func.sum(bl.c.amount).label("budget"), func.count().label("lines"))
        .where(here(bl), bl.c.is_deleted.is_(False))
        .group_by(bl.c.agency_code)
        .subquery()
    )
    paid_q = select(p.c.agency_code, func.sum(p.c.amount).label("paid"), func.count().label("payments")).where(
        here(p), p.c.is_deleted.is_(False)
    )
    if as_of:
        paid_q = paid_q.where(p.c.pay_date <= as_of)
    paid = paid_q.group_by(p.c.agency_code).subquery()
    adjusted = _signed(adj, here, as_of, adj.c.agency_code)
    q = (
        select(
            a.c.agency_code,
            a.c.agency_name,
            a.c.unit_id,
            a.c.match,
            a.c.match_score,
            budget.c.budget,
            budget.c.lines,
            adjusted.c.adjusted,
            paid.c.paid,
            paid.c.payments,
        )
        .select_from(a)
        .outerjoin(budget, budget.c.agency_code == a.c.agency_code)
        .outerjoin(adjusted, adjusted.c.key == a.c.agency_code)
        .outerjoin(paid, paid.c.agency_code == a.c.agency_code)
        .where(here(a))
        .order_by(a.c.agency_code)
    )
    out = []
    for r in c.execute(q):
        d = dict(r._mapping)
        d["budget"], d["adjusted"], d["paid"] = (d[k] or Decimal(0) for k in ("budget", "adjusted", "paid"))
        d["current"] = d["budget"] + d["adjusted"]
        d["paid_share"] = float(d["paid"] / d["current"]) if d["current"] else None
        out.append(_plain(d))
    return out


def _signed(adj, here, as_of, key):
    """Signed adjustments by line (+ to the line that receives, − to the line a 调剂 takes from) or by unit
    (追加/追减 only: a 调剂 between two lines of the unit nets to zero)."""
    cond = [here(adj), adj.c.is_deleted.is_(False)]
    if as_of:
        cond.append(adj.c.adj_date <= as_of)
    into = select(key.label("key"), adj.c.amount.label("amount")).where(*cond)
    if key is adj.c.line_src_id:
        out = select(adj.c.from_line_src_id.label("key"), (-adj.c.amount).label("amount")).where(
            *cond, adj.c.from_line_src_id.is_not(None)
        )
        both = into.union_all(out).subquery()
    else:
        both = into.where(adj.c.from_line_src_id.is_(None)).subquery()
    return select(both.c.key, func.sum(both.c.amount).label("adjusted")).group_by(both.c.key).subquery()


def unit_lines(c: Connection, region: str, year: int, agency: str, as_of: date | None = None) -> list[dict]:
    """One unit's lines: 年初指标, adjusted, paid to date, and the disclosed row each is linked to."""
    bl, adj, p, lk = table_of(BudgetLine), table_of(BudgetAdjustment), table_of(Payment), table_of(FeedLink)
    here = lambda t: and_(t.c.region_code == region, t.c.fiscal_year == year)  # noqa: E731
    adjusted = _signed(adj, here, as_of, adj.c.line_src_id)
    paid_q = select(
        p.c.line_src_id,
        func.sum(p.c.amount).label("paid"),
        func.count().label("payments"),
        func.max(p.c.pay_date).label("last_paid"),
    ).where(here(p), p.c.is_deleted.is_(False), p.c.agency_code == agency)
    if as_of:
        paid_q = paid_q.where(p.c.pay_date <= as_of)
    paid = paid_q.group_by(p.c.line_src_id).subquery()
    q = (
        select(
            bl.c.src_id,
            bl.c.id,
            bl.c.exp_func_code,
            bl.c.exp_func_name,
            bl.c.dep_eco_code,
            bl.c.dep_eco_name,
            bl.c.pro_code,
            bl.c.pro_name,
            bl.c.amount,
            adjusted.c.adjusted,
            paid.c.paid,
            paid.c.payments,
            paid.c.last_paid,
        )
        .outerjoin(adjusted, adjusted.c.key == bl.c.src_id)
        .outerjoin(paid, paid.c.line_src_id == bl.c.src_id)
        .where(here(bl), bl.c.agency_code == agency, bl.c.is_deleted.is_(False))
        .order_by(bl.c.exp_func_code, case((bl.c.pro_name.is_(None), 0), else_=1), bl.c.dep_eco_code, bl.c.src_id)
    )
    rows = [dict(r._mapping) for r in c.execute(q)]
    links: dict[int, list[dict]] = {}
    if rows:
        from ..store.schema import Version

        v = table_of(Version)
        for r in c.execute(
            select(lk, v.c.document_id)
            .join(v, v.c.id == lk.c.version_id)
            .where(lk.c.line_id.in_([x["id"] for x in rows]))
            .order_by(lk.c.id)
        ):
            links.setdefault(r.line_id, []).append(_plain(dict(r._mapping)))
    out = []
    for d in rows:
        d["adjusted"] = d["adjusted"] or Decimal(0)
        d["paid"] = d["paid"] or Decimal(0)
        d["current"] = d["amount"] + d["adjusted"]
        d["paid_share"] = float(d["paid"] / d["current"]) if d["current"] else None
        d["links"] = links.get(d.pop("id"), [])
        out.append(_plain(d))
    return out


def unmatched_payments(
    c: Connection, region: str, year: int, agency: str | None = None, limit: int = 100, batches=None
) -> list[dict]:
    p = table_of(Payment)
    q = (
        select(
            p.c.src_id,
            p.c.voucher_no,
            p.c.agency_code,
            p.c.exp_func_code,
            p.c.dep_eco_code,
            p.c.pro_code,
            p.c.amount,
            p.c.pay_date,
            p.c.payee_name,
            p.c.payee_kind,
            p.c.purpose,
        )
        .where(p.c.region_code == region, p.c.fiscal_year == year, p.c.line_match == "none")
        .order_by(p.c.pay_date)
        .limit(limit)
    )
    if agency:
        q = q.where(p.c.agency_code == agency)
    if batches is not None:
        q = q.where(p.c.batch_id.in_(batches))
    return [_plain(dict(r._mapping)) for r in c.execute(q)]


def _plain(d: dict) -> dict:
    """JSON-ready: money as strings of 元 (exact), dates as ISO text."""
    out = {}
    for k, v in d.items():
        if isinstance(v, Decimal):
            out[k] = f"{v:.2f}"
        elif isinstance(v, date):
            out[k] = v.isoformat()
        else:
            out[k] = v
    return out
