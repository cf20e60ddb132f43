"""Family G, spending against the budget (lianwang-design §3, G01–G09): progress against 序时进度, the year-end
rush, payments beyond the 指标, execution rates by 功能 and 经济, large and split payments, payments to persons,
projects not started and 三公 over budget. Thresholds are the rules' metadata (overridable per region)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, not_, or_, select

from ..checks.rule import rule
from ..vocab.classes import THREE_PUBLIC
from .common import hit, line_label, on_feed, pct, rate
from .view import CENT, ZERO, day_number, money

ADVICE_PROGRESS = (
    "建议督促该单位分析支出进度偏慢的原因，加快项目实施和资金拨付；确因客观原因无法执行的，"
    "应及时按程序调整预算，避免资金沉淀。"
)


@rule(
    "G01",
    "执行进度低于序时进度",
    family="G",
    severity="warn",
    compares="截至日累计支付 P(≤t) ÷ 调整后指标 B(t) 与序时进度 s(t)（月数/12）比较，按单位和 10 万元以上项目",
    applies="截至日在 6 月 30 日以后（阈值 from_month）；单位低于序时进度 warn_pp（红色 red_pp），项目（调整后指标"
    "不低于 min_budget）低于 project_warn_pp（红色 project_red_pp）：项目按合同节点付款，允许更大的偏离",
    message="{who}{subject}：截至{as_of}累计支付{value}元，占调整后指标{expected}元的{share}；序时进度{progress}，"
    "低{gap}个百分点（{level_zh}）。",
    suggestion=ADVICE_PROGRESS,
    thresholds={
        "warn_pp": 0.15,
        "red_pp": 0.30,
        "project_warn_pp": 0.25,
        "project_red_pp": 0.40,
        "from_month": 6,
        "min_budget": 100000,
    },
)
@on_feed
def g01_progress(view):
    t = view.settings("G01")
    if view.as_of < view.at(int(t["from_month"])):
        return
    s, ls = view.share, view._ls
    rows = [("unit", r.agency_code, r.agency_code, "", r) for r in view.totals("agency_code")]
    rows += [
        ("project", f"{r.agency_code}/{r.pro_code}", r.agency_code, f"项目“{r.pro_name}”", r)
        for r in view.totals("agency_code", "pro_code", where=[ls.c.pro_code.is_not(None)])
        if r.b is not None and r.b >= Decimal(t["min_budget"])
    ]
    for kind, sid, agency, subject, r in rows:
        share = rate(r.paid, r.b)
        if share is None or r.b <= 0:
            continue
        gap = s - share
        warn, red = (t["warn_pp"], t["red_pp"]) if kind == "unit" else (t["project_warn_pp"], t["project_red_pp"])
        level = "red" if gap > red else "orange" if gap > warn else None
        if level:
            yield hit(
                view,
                kind,
                sid,
                agency,
                level=level,
                value=money(r.paid),
                expected=money(r.b),
                row_name=r.pro_name if kind == "project" else None,
                subject=subject,
                as_of=view.as_of.isoformat(),
                share=pct(share),
                progress=pct(s),
                gap=f"{gap * 100:.1f}",
                level_zh="红色" if level == "red" else "橙色",
                evidence={"paid_share": round(share, 4), "time_share": round(s, 4)},
            )


@rule(
    "G02",
    "年底突击花钱",
    family="G",
    severity="warn",
    compares="1–11 月支付 ÷ 调整后指标 与 12 月支付 ÷ 调整后指标，按单位和 5 万元以上指标",
    applies="截至日在 12 月（年终）；1–11 月支付低于 before_share 且 12 月支付高于 december_share",
    message="{who}{subject}：1–11月累计支付{p111}元，仅占调整后指标{expected}元的{s111}；12月支付{value}元，"
    "占{s12}，存在年底突击花钱迹象（红色）。",
    suggestion="建议要求该单位说明12月集中支付的原因和支出的真实性、必要性，重点核查是否存在为完成支出进度"
    "而突击花钱、提前支付或虚列支出的情况。",
    thresholds={"before_share": 0.5, "december_share": 0.5, "min_budget": 50000},
)
@on_feed
def g02_year_end_rush(view):
    t = view.settings("G02")
    if view.as_of < date(view.year, 12, 1):
        return
    rows = [("unit", r.agency_code, r.agency_code, "", r) for r in view.totals("agency_code")]
    rows += [
        ("line", r.src_id, r.agency_code, f"指标 {line_label(r)}", r)
        for r in view.lines()
        if r.b >= Decimal(t["min_budget"])
    ]
    for kind, sid, agency, subject, r in rows:
        if not r.b or r.b <= 0:
            continue
        s111, s12 = rate(r.paid_1_11, r.b), rate(r.paid_12, r.b)
        if s111 < t["before_share"] and s12 > t["december_share"]:
            yield hit(
                view,
                kind,
                sid,
                agency,
                level="red",
                value=money(r.paid_12),
                expected=money(r.b),
                row_code=getattr(r, "exp_func_code", None) if kind == "line" else None,
                row_name=getattr(r, "pro_name", None) if kind == "line" else None,
                subject=subject,
                p111=f"{money(r.paid_1_11):,.2f}",
                s111=pct(s111),
                s12=pct(s12),
                evidence={"paid_1_11": str(money(r.paid_1_11)), "paid_12": str(money(r.paid_12))},
            )


@rule(
    "G03",
    "超指标支付",
    family="G",
    severity="error",
    compares="一条指标截至日累计支付 P(l,≤t) 与调整后指标 B(l,t)（含截至日前的追加、追减、调剂）",
    applies="支付已关联到指标（支付申请或唯一匹配的科目组合）",
    message="{who}指标 {label}：截至{as_of}累计支付{value}元，超过调整后指标{expected}元，超支{difference}元。",
    suggestion="建议财政部门核查该笔指标的支付控制为何失效，说明超指标支付的资金来源和审批依据；"
    "属于违规支付的，应予纠正并追究责任。",
    thresholds={"tolerance": 0.01},
)
@on_feed
def g03_over_budget(view):
    t = view.settings("G03")
    ls = view._ls
    for r in view.lines(ls.c.paid > ls.c.b + Decimal(str(t["tolerance"]))):
        yield hit(
            view,
            "line",
            r.src_id,
            r.agency_code,
            value=money(r.paid),
            expected=money(r.b),
            difference=money(r.paid - r.b),
            row_code=r.exp_func_code,
            row_name=r.pro_name or r.dep_eco_name,
            label=line_label(r),
            as_of=view.as_of.isoformat(),
            evidence={"line_src_id": r.src_id},
        )


@rule(
    "G04",
    "执行率接近或超过指标（按功能科目和经济科目）",
    family="G",
    severity="info",
    compares="按单位 × 功能分类项、单位 × 经济分类款汇总的支付 ÷ 调整后指标",
    applies="科目调整后指标不低于 min_budget；橙色：执行率不低于 warn_rate 且领先序时进度 lead_pp 以上（指标将提前用完）；"
    "红色：执行率超过 red_rate",
    message="{who}{kind} {code} {name}：截至{as_of}支付{value}元，占调整后指标{expected}元的{share}"
    "（序时进度{progress}，{level_zh}）。",
    suggestion="建议关注该科目指标的使用情况：执行率已超过指标的，应核查超支原因和是否存在无预算支出；"
    "远超序时进度的，应核查预算编制是否不足或是否提前支付。",
    thresholds={"warn_rate": 0.8, "lead_pp": 0.3, "red_rate": 1.0, "min_budget": 500000},
)
@on_feed
def g04_rates(view):
    t = view.settings("G04")
    s = view.share
    for key, kind, subject in (("exp_func_code", "功能科目", "function"), ("dep_eco_code", "经济科目", "economic")):
        for r in view.totals("agency_code", key):
            share = rate(r.paid, r.b)
            code = getattr(r, key)
            if share is None or r.b <= 0 or code is None or r.b < Decimal(t["min_budget"]):
                continue
            if share > t["red_rate"] + 1e-9 and r.paid - r.b > CENT:
                level, severity = "red", "warn"
            elif share >= t["warn_rate"] and share - s >= t["lead_pp"]:
                level, severity = "orange", "info"
            else:
                continue
            name = r.exp_func_name if key == "exp_func_code" else r.dep_eco_name
            yield hit(
                view,
                "function" if subject == "function" else "economic",
                f"{r.agency_code}/{code}",
                r.agency_code,
                severity=severity,
                level=level,
                aspect=subject,
                value=money(r.paid),
                expected=money(r.b),
                row_code=code,
                row_name=name,
                kind=kind,
                code=code,
                name=name or "",
                as_of=view.as_of.isoformat(),
                share=pct(share),
                progress=pct(s),
                level_zh="红色" if level == "red" else "橙色",
                evidence={"rate": round(share, 4)},
            )


@rule(
    "G05",
    "单笔大额支付",
    family="G",
    severity="info",
    compares="单笔支付金额 与 min(limit, 单位年初指标 × unit_share)，不含工资福利（301）",
    applies="截至日前的每笔支付",
    message="{who}{date}向“{payee}”支付{value}元（{purpose}），超过单笔大额标准{expected}元。",
    suggestion="建议核查该笔大额支付的合同、验收和审批手续，确认支付对象、用途与预算一致。",
    thresholds={"limit": 1000000, "unit_share": 0.1, "exempt_eco": ["301"]},
)
@on_feed
def g05_large_payment(view):
    t = view.settings("G05")
    p, here, dated = view.payments()
    ub = view.unit_budgets()
    share_limit = ub.c.b0 * Decimal(str(t["unit_share"]))
    from sqlalchemy import case

    limit = case((share_limit < Decimal(t["limit"]), share_limit), else_=Decimal(t["limit"]))
    exempt = or_(*[p.c.dep_eco_code.like(f"{c}%") for c in t["exempt_eco"]]) if t["exempt_eco"] else None
    q = (
        select(
            p.c.src_id,
            p.c.agency_code,
            p.c.pay_date,
            p.c.amount,
            p.c.payee_name,
            p.c.purpose,
            p.c.line_src_id,
            limit.label("limit"),
        )
        .join(ub, ub.c.agency_code == p.c.agency_code)
        .where(here, dated, p.c.amount > limit)
        .order_by(p.c.agency_code, p.c.pay_date, p.c.src_id)
    )
    if exempt is not None:
        q = q.where(or_(p.c.dep_eco_code.is_(None), not_(exempt)))
    for r in view.conn.execute(q):
        yield hit(
            view,
            "payment",
            r.src_id,
            r.agency_code,
            value=money(r.amount),
            expected=money(r.limit),
            date=r.pay_date.isoformat(),
            payee=r.payee_name or "",
            purpose=r.purpose or "",
            evidence={"payment_src_id": r.src_id, "line_src_id": r.line_src_id},
        )


@rule(
    "G06",
    "同一收款人拆分支付",
    family="G",
    severity="warn",
    compares="同一单位向同一收款人在 window_days 天内的支付：至少 min_count 笔、每笔在 [near × T, T) 之间、合计不低于 T",
    applies="T 为分散采购限额或单位设定的审批额度（threshold）",
    message="{who}在{first}至{last}间向“{payee}”支付{count}笔，每笔略低于{limit}元，合计{value}元，"
    "疑似化整为零、规避采购或审批限额。",
    suggestion="建议核查这些支付是否属于同一采购事项，是否存在化整为零规避政府采购或内部审批的情况，"
    "并调阅合同和验收资料。",
    thresholds={"threshold": 50000, "near": 0.9, "min_count": 3, "window_days": 7},
)
@on_feed
def g06_split(view):
    t = view.settings("G06")
    p, here, dated = view.payments()
    T = Decimal(t["threshold"])
    payee = func.coalesce(p.c.payee_account_hash, p.c.payee_name)
    day = day_number(p.c.pay_date, view.dialect)
    n = int(t["min_count"])
    near = (
        select(
            p.c.agency_code,
            payee.label("payee"),
            p.c.payee_name,
            p.c.pay_date,
            p.c.amount,
            day.label("day"),
            p.c.line_src_id,
            func.lag(day, n - 1)
            .over(partition_by=(p.c.agency_code, payee), order_by=(p.c.pay_date, p.c.src_id))
            .label("back"),
        )
        .where(here, dated, p.c.amount >= T * Decimal(str(t["near"])), p.c.amount < T)
        .subquery()
    )
    ends = (
        select(
            near.c.agency_code, near.c.payee, func.min(near.c.back).label("start"), func.max(near.c.day).label("stop")
        )
        .where(near.c.back.is_not(None), near.c.day - near.c.back <= int(t["window_days"]) - 1)
        .group_by(near.c.agency_code, near.c.payee)
        .subquery()
    )
    q = (
        select(
            near.c.agency_code,
            near.c.payee,
            func.max(near.c.payee_name).label("name"),
            func.count().label("count"),
            func.sum(near.c.amount).label("total"),
            func.min(near.c.pay_date).label("first"),
            func.max(near.c.pay_date).label("last"),
            func.min(near.c.line_src_id).label("line"),
        )
        .join(ends, and_(ends.c.agency_code == near.c.agency_code, ends.c.payee == near.c.payee))
        .where(near.c.day >= ends.c.start, near.c.day <= ends.c.stop)
        .group_by(near.c.agency_code, near.c.payee)
        .having(func.sum(near.c.amount) >= T)
        .order_by(near.c.agency_code, near.c.payee)
    )
    for r in view.conn.execute(q):
        yield hit(
            view,
            "payee",
            f"{r.agency_code}/{r.payee}",
            r.agency_code,
            value=money(r.total),
            expected=T,
            payee=r.name or "",
            count=r.count,
            first=r.first.isoformat(),
            last=r.last.isoformat(),
            limit=f"{T:,.0f}",
            evidence={"payee": r.name, "count": r.count, "line_src_id": r.line},
        )


@rule(
    "G07",
    "向个人账户支付",
    family="G",
    severity="warn",
    compares="收款人为个人（支付明细标识或姓名判断）且经济分类不属于工资福利、对个人和家庭补助、劳务费等",
    applies="不含公务卡结算；豁免的经济科目前缀见 exempt_eco",
    message="{who}向个人“{payee}”支付{count}笔共{value}元，经济科目{eco}（{purpose}），不属于工资福利、"
    "对个人补助或劳务费等可直接支付个人的科目。",
    suggestion="建议核查向个人账户支付的依据和真实性，确认是否存在以个人名义套取资金、规避公务卡结算"
    "或转账管理规定的情况。",
    thresholds={"exempt_eco": ["301", "303", "30226"]},
)
@on_feed
def g07_person(view):
    t = view.settings("G07")
    p, here, dated = view.payments()
    payee = func.coalesce(p.c.payee_account_hash, p.c.payee_name)
    cond = [
        here,
        dated,
        p.c.payee_kind == "person",
        or_(p.c.set_mode_name.is_(None), not_(p.c.set_mode_name.like("%公务卡%"))),
        or_(p.c.pay_type_name.is_(None), not_(p.c.pay_type_name.like("%公务卡%"))),
    ]
    if t["exempt_eco"]:
        cond.append(
            or_(p.c.dep_eco_code.is_(None), not_(or_(*[p.c.dep_eco_code.like(f"{c}%") for c in t["exempt_eco"]])))
        )
    q = (
        select(
            p.c.agency_code,
            payee.label("payee"),
            func.max(p.c.payee_name).label("name"),
            func.count().label("count"),
            func.sum(p.c.amount).label("total"),
            func.min(p.c.dep_eco_code).label("eco"),
            func.min(p.c.purpose).label("purpose"),
            func.min(p.c.line_src_id).label("line"),
            func.min(p.c.pay_date).label("first"),
        )
        .where(*cond)
        .group_by(p.c.agency_code, payee)
        .order_by(p.c.agency_code, payee)
    )
    for r in view.conn.execute(q):
        yield hit(
            view,
            "payee",
            f"{r.agency_code}/{r.payee}",
            r.agency_code,
            value=money(r.total),
            payee=r.name or "",
            count=r.count,
            eco=r.eco or "",
            purpose=r.purpose or "",
            row_code=r.eco,
            evidence={"line_src_id": r.line, "first": r.first.isoformat(), "payee": r.name},
        )


@rule(
    "G08",
    "项目未执行",
    family="G",
    severity="info",
    compares="项目（指标项目编码）调整后指标 与 截至日累计支付（为 0）",
    applies="项目调整后指标不低于 min_budget；截至 6 月 30 日提示，截至 9 月 30 日警告",
    message="{who}项目“{name}”调整后指标{expected}元，截至{as_of}尚无支付，项目未执行（{level_zh}）。",
    suggestion="建议要求该单位说明项目未实施的原因和下一步安排；年内确实无法实施的，应及时调整预算、收回资金统筹使用。",
    thresholds={"min_budget": 100000, "info_month": 6, "warn_month": 9},
)
@on_feed
def g08_not_started(view):
    t = view.settings("G08")
    if view.as_of < view.at(int(t["info_month"])):
        return
    warn = view.as_of >= view.at(int(t["warn_month"]))
    ls = view._ls
    for r in view.totals("agency_code", "pro_code", where=[ls.c.pro_code.is_not(None)]):
        if r.b >= Decimal(t["min_budget"]) and not r.paid:
            yield hit(
                view,
                "project",
                f"{r.agency_code}/{r.pro_code}",
                r.agency_code,
                severity="warn" if warn else "info",
                level="red" if warn else "orange",
                expected=money(r.b),
                value=ZERO,
                row_name=r.pro_name,
                name=r.pro_name or r.pro_code,
                as_of=view.as_of.isoformat(),
                level_zh="红色" if warn else "橙色",
                evidence={"pro_code": r.pro_code, "line_src_id": r.src_id},
            )


@rule(
    "G09",
    "三公经费超预算",
    family="G",
    severity="error",
    compares="截至日经济科目 30212/30217/30231/31013 的累计支付 与 公开的三公经费预算表同一项（无公开表时与年初指标）",
    applies="单位已与公开的部门预算匹配（或有三公科目的年初指标）",
    message="{who}{item}：截至{as_of}累计支付{value}元，超过{basis}{expected}元，超出{difference}元（红色）。",
    suggestion="建议严格执行三公经费预算，要求该单位说明超预算支出的原因和审批依据；"
    "确需追加的，应按程序报批并在决算中如实反映。",
    thresholds={"codes": list(THREE_PUBLIC)},
)
@on_feed
def g09_three_public(view):
    t = view.settings("G09")
    p, here, dated = view.payments()
    codes = list(t["codes"])
    paid = {
        (r.agency_code, r.dep_eco_code): r.total
        for r in view.conn.execute(
            select(p.c.agency_code, p.c.dep_eco_code, func.sum(p.c.amount).label("total"))
            .where(here, dated, p.c.dep_eco_code.in_(codes))
            .group_by(p.c.agency_code, p.c.dep_eco_code)
        )
    }
    ls = view._ls
    lines = {
        (r.agency_code, r.dep_eco_code): r.b0
        for r in view.totals("agency_code", "dep_eco_code", where=[ls.c.dep_eco_code.in_(codes)])
    }
    for (agency, code), total in sorted(paid.items()):
        d = view.disclosed(agency)
        where: dict = {}
        if d is not None and d.disclosed.three_public:
            items = [i for i in d.disclosed.three_public if i.code == code]
            budget = sum((i.amount for i in items), ZERO)
            basis, tol = "公开的三公经费预算", d.disclosed.tolerance
            if items:
                where = {
                    "file": d.doc.files[0].name if d.doc.files else None,
                    "page": items[0].page,
                    "line": items[0].line,
                    "table_kind": items[0].table_kind,
                }
        else:
            budget, basis, tol = lines.get((agency, code)), "年初指标", CENT
            if budget is None:
                continue
        if total > budget + tol:
            yield hit(
                view,
                "economic",
                f"{agency}/{code}",
                agency,
                level="red",
                value=money(total),
                expected=money(budget),
                difference=money(total - budget),
                row_code=code,
                row_name=THREE_PUBLIC[code],
                item=f"{code} {THREE_PUBLIC[code]}",
                basis=basis,
                as_of=view.as_of.isoformat(),
                **where,
                evidence={
                    "basis": "disclosed" if basis.startswith("公开") else "lines",
                    "version_id": d.version_id if d is not None else None,
                },
            )
