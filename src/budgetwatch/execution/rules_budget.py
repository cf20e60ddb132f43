"""Family G, managing the budget (lianwang-design §3, G10–G15): size and frequency of adjustments, 结转结余, the
预备费, the time limits of 转移支付 and of the 批复. G16–G18, the feed against what the unit disclosed, are in
rules_disclosed.py, imported last so that the catalogue keeps its order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from ..checks.rule import rule
from .common import hit, line_label, on_feed, pct, rate
from .view import ZERO, money


@rule(
    "G10",
    "预算调整（调剂）幅度过大",
    family="G",
    severity="warn",
    compares="指标：|调整额 A| 与 年初指标 B0；单位：Σ|A| ÷ ΣB0",
    applies="指标 |A| 不低于 min_amount 且 |A|/B0 超过 line_share；单位超过 unit_warn（红色 unit_red）",
    message="{who}{subject}：截至{as_of}调整{value}元，占年初指标{expected}元的{share}（{level_zh}）。",
    suggestion="建议核查预算调整（调剂）的依据和程序，大额或频繁调整的应说明原因；涉及预算调整的，"
    "应按预算法规定报本级人大常委会审查批准。",
    thresholds={"min_amount": 50000, "line_share": 0.2, "unit_warn": 0.1, "unit_red": 0.3},
)
@on_feed
def g10_adjustment_size(view):
    t = view.settings("G10")
    ls = view._ls
    for r in view.lines(ls.c.abs_adjusted >= Decimal(t["min_amount"])):
        share = rate(r.abs_adjusted, r.b0)
        if share is None or share > t["line_share"]:
            yield hit(
                view,
                "line",
                r.src_id,
                r.agency_code,
                level="orange",
                value=money(r.adjusted),
                expected=money(r.b0),
                row_code=r.exp_func_code,
                row_name=r.pro_name or r.dep_eco_name,
                subject=f"指标 {line_label(r)}",
                as_of=view.as_of.isoformat(),
                share=pct(share) if share is not None else "（年初无指标）",
                level_zh="橙色",
                evidence={"line_src_id": r.src_id},
            )
    for r in view.totals("agency_code"):
        share = rate(r.abs_adjusted, r.b0)
        if share is None or share <= t["unit_warn"]:
            continue
        level = "red" if share > t["unit_red"] else "orange"
        yield hit(
            view,
            "unit",
            r.agency_code,
            r.agency_code,
            level=level,
            value=money(r.abs_adjusted),
            expected=money(r.b0),
            subject="全部指标",
            as_of=view.as_of.isoformat(),
            share=pct(share),
            level_zh="红色" if level == "red" else "橙色",
        )


@rule(
    "G11",
    "预算调整频次",
    family="G",
    severity="info",
    compares="一条指标年内调整次数；调整日期是否晚于 12 月 late_day 日",
    applies="截至日前的调整",
    message="{who}指标 {label}：截至{as_of}调整{count}次{late}。",
    suggestion="建议关注该指标频繁或年末调整的原因，核查预算编制是否科学、调整是否规范。",
    thresholds={"max_count": 3, "late_day": 20},
)
@on_feed
def g11_adjustment_count(view):
    t = view.settings("G11")
    ls = view._ls
    late_day = int(t["late_day"])
    for r in view.lines(or_(ls.c.n_adj > int(t["max_count"]), ls.c.late_adj > 0)):
        late = r.last_adj is not None and r.last_adj > date(view.year, 12, late_day)
        yield hit(
            view,
            "line",
            r.src_id,
            r.agency_code,
            value=money(r.adjusted),
            row_code=r.exp_func_code,
            row_name=r.pro_name or r.dep_eco_name,
            label=line_label(r),
            as_of=view.as_of.isoformat(),
            count=r.n_adj,
            late=f"，最近一次在{r.last_adj.isoformat()}（12月{late_day}日以后）" if late else "",
            evidence={"line_src_id": r.src_id, "adjustments": r.n_adj},
        )


@rule(
    "G12",
    "结转结余",
    family="G",
    severity="warn",
    compares="单位结余 与 结转；结转 ÷ 批复数；结转指标截至 9 月 30 日的支付",
    applies="有结转结余数据（fund_balances）或指标类型/来源为结转的指标",
    message="{who}{text}",
    suggestion="建议督促该单位加快结转资金的使用，连续两年未用完的结转资金和结余资金应按规定收回统筹使用。",
    thresholds={"carryover_share": 0.2, "idle_month": 9},
)
@on_feed
def g12_carryover(view):
    t = view.settings("G12")
    for r in view.balances():
        if r.balance is not None and r.carryover is not None and r.balance > r.carryover:
            yield hit(
                view,
                "unit",
                r.agency_code,
                r.agency_code,
                aspect="balance",
                value=money(r.balance),
                expected=money(r.carryover),
                text=f"：结余资金{money(r.balance):,.2f}元，超过结转资金{money(r.carryover):,.2f}元。",
            )
        share = rate(r.carryover, r.approve)
        if share is not None and share > t["carryover_share"]:
            yield hit(
                view,
                "unit",
                r.agency_code,
                r.agency_code,
                aspect="share",
                severity="info",
                value=money(r.carryover),
                expected=money(r.approve),
                text=f"：结转资金{money(r.carryover):,.2f}元，占批复数{money(r.approve):,.2f}元的{pct(share)}。",
            )
    if view.as_of < view.at(int(t["idle_month"])):
        return
    ls = view._ls
    carried = or_(ls.c.bgt_type_name.like("%结转%"), ls.c.source_type_name.like("%结转%"))
    for r in view.lines(carried, ls.c.paid == 0, ls.c.b > 0):
        yield hit(
            view,
            "line",
            r.src_id,
            r.agency_code,
            aspect="idle",
            value=ZERO,
            expected=money(r.b),
            row_code=r.exp_func_code,
            row_name=r.pro_name or r.dep_eco_name,
            text=f"结转指标 {line_label(r)}（{money(r.b):,.2f}元）截至{view.as_of.isoformat()}尚未支付。",
            evidence={"line_src_id": r.src_id},
        )


@rule(
    "G13",
    "预备费",
    family="G",
    severity="info",
    compares="预备费（功能 227）年初指标 ÷ 全部年初指标（法定 1%–3%）；预备费的每次动用；动用于会议、培训、接待",
    applies="区划的联网数据中有功能分类 227 的指标",
    message="{text}",
    suggestion="建议政府在预算执行情况报告中向本级人大常委会报告预备费的动用情况；"
    "预备费应用于当年预算执行中的自然灾害等突发事件处理增加的支出及其他难以预见的开支。",
    thresholds={"low": 0.01, "high": 0.03, "misuse_eco": ["30215", "30216", "30217"]},
)
@on_feed
def g13_reserve(view):
    t = view.settings("G13")
    ls = view._ls
    reserve = view.lines(ls.c.exp_func_code.like("227%"))
    if not reserve:
        return
    total = view.totals(where=[])
    allb0 = total[0].b0 if total else None
    r_b0 = sum((r.b0 for r in reserve), ZERO)
    share = rate(r_b0, allb0)
    if share is not None and not t["low"] <= share <= t["high"]:
        yield hit(
            view,
            "region",
            view.region,
            None,
            severity="warn",
            aspect="share",
            value=money(r_b0),
            expected=money(allb0),
            text=f"预备费年初指标{money(r_b0):,.2f}元，占全部年初指标{money(allb0):,.2f}元的"
            f"{pct(share)}，不在预算法规定的1%至3%之间。",
        )
    for r in reserve:
        if r.paid > 0:
            yield hit(
                view,
                "line",
                r.src_id,
                r.agency_code,
                aspect="use",
                value=money(r.paid),
                expected=money(r.b),
                row_code=r.exp_func_code,
                row_name=r.pro_name or r.dep_eco_name,
                text=f"预备费动用：{line_label(r)}，文号{r.doc_no or '（无）'}，首次支付{r.first_paid}，"
                f"截至{view.as_of.isoformat()}支付{money(r.paid):,.2f}元。",
                evidence={"line_src_id": r.src_id, "doc_no": r.doc_no},
            )
    p, here, dated = view.payments()
    q = (
        select(
            p.c.line_src_id,
            p.c.agency_code,
            p.c.dep_eco_code,
            func.sum(p.c.amount).label("total"),
            func.count().label("n"),
        )
        .where(here, dated, p.c.exp_func_code.like("227%"), p.c.dep_eco_code.in_(list(t["misuse_eco"])))
        .group_by(p.c.line_src_id, p.c.agency_code, p.c.dep_eco_code)
        .order_by(p.c.line_src_id)
    )
    for r in view.conn.execute(q):
        yield hit(
            view,
            "line",
            f"{r.line_src_id}/{r.dep_eco_code}",
            r.agency_code,
            severity="warn",
            aspect="misuse",
            value=money(r.total),
            row_code=r.dep_eco_code,
            text=f"预备费用于{r.dep_eco_code}（会议、培训或接待）{r.n}笔共{money(r.total):,.2f}元。",
        )


@rule(
    "G14",
    "转移支付下达时限",
    family="G",
    severity="warn",
    compares="对下转移支付指标的发文日期 − 本级人大批准预算日期（一般性 30 日、专项 60 日）；提前下达比例",
    applies="指标有接收区划或转移支付功能科目（230）；区划设有人大批准日期（regions.approval_dates 或 G15 设置）",
    message="{text}",
    suggestion="建议财政部门按预算法第五十二条规定的时限下达转移支付，并说明逾期下达的原因；"
    "提高提前下达比例，便于下级政府编入本级预算。",
    thresholds={"general_days": 30, "special_days": 60, "early_general": 0.9, "early_special": 0.7},
)
@on_feed
def g14_transfers(view):
    t = view.settings("G14")
    ls = view._ls
    rows = view.lines(
        or_(ls.c.rec_div_code.is_not(None), ls.c.tp_func_code.is_not(None), ls.c.exp_func_code.like("230%"))
    )
    approved = view.approval_date
    if not rows or approved is None:
        return
    sums = {"一般性": [ZERO, ZERO], "专项": [ZERO, ZERO]}
    for r in rows:
        kind = "专项" if (r.tp_func_code or r.exp_func_code or "").startswith("23003") else "一般性"
        sums[kind][0] += r.b0
        if r.doc_date and r.doc_date < date(view.year, 1, 1):
            sums[kind][1] += r.b0
            continue
        limit = int(t["special_days" if kind == "专项" else "general_days"])
        if r.doc_date and (r.doc_date - approved).days > limit:
            yield hit(
                view,
                "line",
                r.src_id,
                r.agency_code,
                value=money(r.b0),
                row_code=r.exp_func_code,
                row_name=r.pro_name,
                text=f"{kind}转移支付 {line_label(r)}（{money(r.b0):,.2f}元，接收区划"
                f"{r.rec_div_code or '—'}）于{r.doc_date}下达，距人大批准预算（{approved}）"
                f"{(r.doc_date - approved).days}日，超过{limit}日。",
                evidence={"line_src_id": r.src_id},
            )
    for kind, (total, early) in sums.items():
        need = t["early_special" if kind == "专项" else "early_general"]
        share = rate(early, total)
        if share is not None and share < need:
            yield hit(
                view,
                "region",
                f"{view.region}/{kind}",
                None,
                severity="info",
                aspect=kind,
                value=money(early),
                expected=money(total),
                text=f"{kind}转移支付提前下达{money(early):,.2f}元，占{money(total):,.2f}元的{pct(share)}，"
                f"低于{pct(need)}。",
            )


@rule(
    "G15",
    "预算批复时限",
    family="G",
    severity="warn",
    compares="单位年初指标的最早发文日期 − 本级人大批准预算日期",
    applies="区划设有人大批准日期（regions.approval_dates 或本规则的 approval_date）",
    message="{who}年初预算指标于{first}批复，距人大批准预算（{approved}）{days}日，超过{limit}日。",
    suggestion="建议财政部门在本级人大批准预算后二十日内向本级各部门批复预算，并说明逾期批复的原因。",
    thresholds={"days": 20, "approval_date": ""},
)
@on_feed
def g15_approval(view):
    t = view.settings("G15")
    approved = view.approval_date
    if approved is None:
        return
    ls = view._ls
    typed = view.conn.execute(select(func.count()).select_from(ls).where(ls.c.bgt_type_name.is_not(None))).scalar()
    cond = [ls.c.doc_date.is_not(None)] + ([ls.c.bgt_type_name.like("%年初%")] if typed else [])
    q = select(ls.c.agency_code, func.min(ls.c.doc_date).label("first")).where(*cond).group_by(ls.c.agency_code)
    for r in view.conn.execute(q.order_by(ls.c.agency_code)):
        days = (r.first - approved).days
        if days > int(t["days"]):
            yield hit(
                view,
                "unit",
                r.agency_code,
                r.agency_code,
                first=r.first.isoformat(),
                approved=approved.isoformat(),
                days=days,
                limit=t["days"],
                evidence={"first_doc_date": r.first.isoformat(), "approval_date": approved.isoformat()},
            )


from . import rules_disclosed  # noqa: E402,F401  (registers G16–G18 after G15)
