"""Family G against what the unit disclosed (lianwang-design §3, G16–G18): 政府采购 against the disclosed
采购预算, the 决算 against the year's 指标 and payments, and payments outside any 指标 or outside the disclosed
功能 项."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from ..checks.rule import rule
from .common import hit, on_feed, pct
from .view import ZERO, money


def _paid_by_line(p, ls, *where):
    """Payments per 指标 line and unit under `where`: how many, how much, the line's project name."""
    return (
        select(
            p.c.line_src_id,
            p.c.agency_code,
            func.count().label("n"),
            func.sum(p.c.amount).label("total"),
            func.max(ls.c.pro_name).label("name"),
        )
        .join(ls, ls.c.src_id == p.c.line_src_id)
        .where(*where)
        .group_by(p.c.line_src_id, p.c.agency_code)
        .order_by(p.c.line_src_id)
    )


@rule(
    "G16",
    "政府采购与预算",
    family="G",
    severity="info",
    compares="政府采购指标的支付是否有采购合同编号；政府采购指标支付合计 与 公开的政府采购预算；"
    "资本性支出（310）是否在政府采购指标上支付",
    applies="联网数据标注了政府采购指标（IS_GOV_PUR）；公开文件有政府采购预算表",
    message="{who}{text}",
    suggestion="建议核查政府采购的合同、程序和预算执行情况，应当实行政府采购的项目不得规避采购程序。",
    thresholds={"capital_eco": ["310"]},
)
@on_feed
def g16_procurement(view):
    t = view.settings("G16")
    ls = view._ls
    marked = {
        r.agency_code
        for r in view.conn.execute(select(ls.c.agency_code).where(ls.c.is_gov_pur.is_(True)).group_by(ls.c.agency_code))
    }
    if not marked:
        return
    p, here, dated = view.payments()
    capital = or_(*[p.c.dep_eco_code.like(f"{c}%") for c in t["capital_eco"]])
    unmarked = or_(ls.c.is_gov_pur.is_(None), ls.c.is_gov_pur.is_(False))
    no_contract = or_(p.c.contract_no.is_(None), p.c.contract_no == "")
    checks = (  # (aspect, which payments, what is said of them)
        (
            "contract",
            (ls.c.is_gov_pur.is_(True), no_contract),
            "：政府采购指标（{name}）有{n}笔支付共{total}元没有采购合同编号。",
        ),
        (
            "capital",
            (capital, unmarked, p.c.agency_code.in_(sorted(marked))),
            "：资本性支出（{name}）{n}笔共{total}元在未标注政府采购的指标上支付。",
        ),
    )
    for aspect, where, said in checks:
        for r in view.conn.execute(_paid_by_line(p, ls, here, dated, *where)):
            yield hit(
                view,
                "line",
                r.line_src_id,
                r.agency_code,
                aspect=aspect,
                value=money(r.total),
                row_name=r.name,
                text=said.format(name=r.name or r.line_src_id, n=r.n, total=f"{money(r.total):,.2f}"),
                evidence={"line_src_id": r.line_src_id},
            )
    for agency in sorted(marked):
        budget = procurement_budget(view.disclosed(agency))
        if budget is None:
            continue
        paid = sum((r.paid for r in view.lines(ls.c.agency_code == agency, ls.c.is_gov_pur.is_(True))), ZERO)
        if paid > budget[0] + budget[1]:
            yield hit(
                view,
                "unit",
                agency,
                agency,
                severity="warn",
                aspect="total",
                value=money(paid),
                expected=money(budget[0]),
                text=f"：政府采购指标累计支付{money(paid):,.2f}元，超过公开的政府采购预算{money(budget[0]):,.2f}元。",
            )


def procurement_budget(d) -> tuple[Decimal, Decimal] | None:
    """The disclosed 政府采购预算 total in 元 (its 合计 row, else the sum of its rows) and the tolerance."""
    if d is None:
        return None
    from ..feed.disclosed import _money, _scale

    for t in d.doc.tables:
        if t.kind != "procurement" or not t.rows:
            continue
        s = _scale(t)
        total = next((r.values.get("total") for r in t.rows if r.name and "合计" in r.name), None)
        if total is None:
            total = sum(float(r.values.get("total") or 0) for r in t.rows if not r.subtotal)
        return _money(total, s), d.disclosed.tolerance
    return None


@rule(
    "G17",
    "决算与预算偏离",
    family="G",
    severity="warn",
    compares="按功能分类项：公开的部门决算数 与 联网调整后指标 B(年末)；联网年末累计支付 P 与 公开的部门决算数",
    applies="截至12月31日；单位已与本年度公开的部门决算匹配；决算数或调整后指标不低于 min_amount 的项",
    message="{who}{text}",
    suggestion="建议核查决算与预算差异较大的原因，说明预算编制是否准确、执行中的调整是否履行了程序；"
    "联网支付与决算数不符的，应核对决算编报的完整性和准确性。",
    thresholds={"min_amount": 100000, "deviation": 0.2, "paid_gap": 0.01},
)
@on_feed
def g17_final_against_budget(view):
    if view.as_of < date(view.year, 12, 31):
        return  # a 决算 is the year's outcome: compared with the year's end only
    t = view.settings("G17")
    ls = view._ls
    low = Decimal(str(t["min_amount"]))
    for unit in view.totals("agency_code"):
        final = view.disclosed(unit.agency_code, "final")
        if final is None:
            continue
        tol = final.disclosed.tolerance
        feed = {r.exp_func_code: r for r in view.totals("exp_func_code", where=(ls.c.agency_code == unit.agency_code,))}
        for item in final.disclosed.functions:
            r = feed.get(item.code)
            b, paid = (money(r.b), money(r.paid)) if r else (ZERO, ZERO)
            if max(item.amount, b) < low:
                continue
            where = {
                "row_code": item.code,
                "row_name": item.name,
                "evidence": {
                    "version_id": final.version_id,
                    "table_kind": item.table_kind,
                    "table_index": item.table_index,
                    "row_index": item.row_index,
                    "page": item.page,
                },
            }
            gap = item.amount - b
            if abs(gap) > tol and (not b or abs(gap) / b > Decimal(str(t["deviation"]))):
                yield hit(
                    view,
                    "function",
                    f"{unit.agency_code}/{item.code}",
                    unit.agency_code,
                    aspect="deviation",
                    value=item.amount,
                    expected=b,
                    difference=gap,
                    **where,
                    text=f"：{item.code} {item.name} 公开的决算数{item.amount:,.2f}元，联网调整后指标{b:,.2f}元，"
                    f"偏离{pct(float(abs(gap) / b)) if b else '—'}"
                    f"{'（决算超过预算）' if gap > 0 else ''}。",
                )
            off = paid - item.amount
            if abs(off) > tol and abs(off) > item.amount * Decimal(str(t["paid_gap"])):
                yield hit(
                    view,
                    "function",
                    f"{unit.agency_code}/{item.code}",
                    unit.agency_code,
                    aspect="paid",
                    value=paid,
                    expected=item.amount,
                    difference=off,
                    **where,
                    text=f"：{item.code} {item.name} 联网年末累计支付{paid:,.2f}元，与公开的决算数"
                    f"{item.amount:,.2f}元相差{abs(off):,.2f}元"
                    f"（{pct(float(abs(off) / item.amount)) if item.amount else '—'}）。",
                )


@rule(
    "G18",
    "无指标或科目外支付",
    family="G",
    severity="warn",
    compares="支付能否关联到指标（支付申请或科目组合）；支付的功能分类项是否在单位公开的预算中",
    applies="截至日前的支付；科目外判断需单位已与公开的部门预算匹配",
    message="{who}{text}",
    suggestion="建议核查无指标支付的资金来源和审批依据，国库集中支付应当以预算指标为依据，"
    "不得无预算、超预算或改变科目支付。",
    thresholds={},
)
@on_feed
def g18_unbudgeted(view):
    p, here, dated = view.payments()
    key = (p.c.agency_code, p.c.exp_func_code, p.c.dep_eco_code, p.c.pro_code)
    q = (
        select(
            *key,
            func.count().label("n"),
            func.sum(p.c.amount).label("total"),
            func.min(p.c.pay_date).label("first"),
            func.min(p.c.src_id).label("payment"),
        )
        .where(here, dated, p.c.line_src_id.is_(None))
        .group_by(*key)
        .order_by(*key)
    )
    for r in view.conn.execute(q):
        sid = "/".join(x or "-" for x in (r.agency_code, r.exp_func_code, r.dep_eco_code, r.pro_code))
        yield hit(
            view,
            "function",
            sid,
            r.agency_code,
            aspect="no_line",
            value=money(r.total),
            row_code=r.exp_func_code,
            text=f"：{r.n}笔支付共{money(r.total):,.2f}元（功能{r.exp_func_code or '—'}，"
            f"经济{r.dep_eco_code or '—'}，项目编码{r.pro_code or '—'}，首笔{r.first}）找不到对应的预算指标。",
            evidence={"payment_src_id": r.payment},
        )
    funcs = (
        select(p.c.agency_code, p.c.exp_func_code, func.count().label("n"), func.sum(p.c.amount).label("total"))
        .where(here, dated, p.c.exp_func_code.is_not(None))
        .group_by(p.c.agency_code, p.c.exp_func_code)
        .order_by(p.c.agency_code, p.c.exp_func_code)
    )
    for r in view.conn.execute(funcs):
        d = view.disclosed(r.agency_code)
        if d is None or not d.disclosed.functions:
            continue
        if r.exp_func_code not in {f.code for f in d.disclosed.functions}:
            yield hit(
                view,
                "function",
                f"{r.agency_code}/{r.exp_func_code}",
                r.agency_code,
                aspect="outside",
                value=money(r.total),
                row_code=r.exp_func_code,
                text=f"：{r.n}笔支付共{money(r.total):,.2f}元列支于功能科目{r.exp_func_code}，"
                "该科目不在单位公开的部门预算中。",
                evidence={"version_id": d.version_id},
            )
