"""Family D, as a 预算审查 reviewer reads the 绩效目标表: forms copied from another project or another
year, a form's own arithmetic (unit rate × quantity against its funds), its header (项目期 against
实施期 and 年度 funds), and the project table's repeated names."""

from __future__ import annotations

import re

from ..extract.text_rules import nospace
from ..vocab.enums import ValueKind
from ..vocab.units import UNIT_PATTERN, YUAN_PER
from .performance import _form_at, _wan, project_forms, projects
from .rule import rule
from .view import DocView, name_of


def _is_cost(ind) -> bool:
    return "成本" in (ind.level1 or "") + (ind.level2 or "")


def _content(f) -> set[tuple[str, str]]:
    """What a form says apart from its money: (indicator, value) of every non-cost indicator."""
    return {(nospace(i.name), nospace(i.value)) for i in f.indicators if not _is_cost(i) and nospace(i.name)}


_SOURCE_WORDS = re.compile(r"[（()）]|中央|省级|市级|区县|县级|区级|本级|补助|资金|配套|转移支付|财政|专项|20\d\d年度?")


def _programme(name: str | None) -> str:
    return _SOURCE_WORDS.sub("", nospace(name))


@rule(
    "D12",
    "不同项目的绩效目标表内容雷同",
    family="D",
    severity="warn",
    compares="两张不同项目名称的绩效目标表的非成本类绩效指标及其指标值",
    applies="两表各有至少6个非成本指标、且指标与指标值九成以上相同时（疑为照抄另一项目的绩效目标，未按本项目设定）",
    message="项目“{project}”与项目“{other}”的绩效目标表指标雷同：{n}个非成本指标中{same}个名称和指标值完全相同。",
    suggestion="建议核实项目“{project}”与“{other}”是否为同一事项重复申报，或按各自的产出和效益重新设定绩效目标。",
)
def copied_forms(view: DocView):
    forms = [(f, _content(f), _programme(f.project)) for f in project_forms(view)]
    forms = [x for x in forms if len(x[1]) >= 6]
    reported = set()
    for i, (a, ca, pa) in enumerate(forms):
        for b, cb, pb in forms[i + 1 :]:
            if pa == pb or id(b) in reported or min(len(ca), len(cb)) < 0.9 * max(len(ca), len(cb)):
                continue  # one programme split by source of funds (中央/省级补助) rightly shares its targets
            same = len(ca & cb)
            if same >= 0.9 * len(ca | cb):
                reported.add(id(b))
                yield _form_at(
                    view,
                    b,
                    other=a.project,
                    n=len(ca | cb),
                    same=same,
                    evidence={
                        "claim": f"{b.project}≈{a.project}",
                        "other_page": a.location.get("page"),
                        "other_line": a.location.get("line"),
                    },
                )


_DATE = re.compile(r"^(20\d\d)[-./年]?(\d{1,2})?")


_LEGIT_PAST = re.compile(r"结转|结余|尾款|欠|以前|遗留|续|自评|决算|年检|报告|债券|评审|审计|清算")


@rule(
    "D13",
    "绩效目标表沿用以前年度",
    family="D",
    severity="warn",
    compares="项目支出绩效目标申报表的填报日期、以年份开头的指标名称与预算年度（预算在上年编制、当年批复）",
    applies="预算文档的绩效目标表；填报日期早于预算年度的前一年或晚于预算年度，或项目名称冠以本年度而指标名称冠以以前年度（“2023年县人大代表活动经费”中的“2022年代表活动经费”；尾款、结转、自评、决算等不计），疑为沿用旧表",
    message="项目“{project}”的绩效目标表{why}，不符合{year}年预算。",
    suggestion="建议核实项目“{project}”的绩效目标表是否沿用以前年度的表格，按本年度实际重新申报。",
)
def stale_forms(view: DocView):
    y = view.doc.year
    if not y or view.doc.stage != "budget":
        return
    for f in project_forms(view):
        why = []
        m = _DATE.match(nospace(f.info.get("填报日期", "")))
        if m and not (y - 1 <= int(m.group(1)) <= y):
            why.append(f"填报日期为{f.info['填报日期']}（应在{y - 1}年或{y}年）")
        # the project named for this year, an indicator for an earlier one: the form of that year copied
        own = re.match(rf"^{y}年", nospace(f.project))
        old = [
            i.name
            for i in f.indicators
            if own
            and (n := re.match(r"^(20\d\d)年", nospace(i.name)))
            and y - 3 <= int(n.group(1)) < y
            and not _LEGIT_PAST.search(i.name)
        ]
        if old:
            why.append("指标名称写的是以前年度：" + "、".join(f"“{n}”" for n in old[:4]))
        if why:
            yield _form_at(view, f, why="；".join(why), year=y, evidence={"claim": "stale", "indicators": old})


# 5000元/个/年, 200元/人/月, 1000元/人: a rate per one counted thing, per year (or month), in 元 or 万元
_RATE = re.compile(
    r"^[=＝≤≦<]?(\d+(?:\.\d+)?)(" + UNIT_PATTERN + r")/(人|个|名|次|家|所|户|台|套|场|期)(?:/(年|月|次))?$"
)
_QUANTITY = re.compile(r"^[=＝≥≧]?(\d+)(人|个|名|次|家|所|户|台|套|场|期)$")
_SAME_COUNT = {
    "人": "人",
    "名": "人",
    "个": "个",
    "次": "次",
    "家": "家",
    "所": "所",
    "户": "户",
    "台": "台",
    "套": "套",
    "场": "场",
    "期": "期",
}


def _rate_times_quantity(f):
    """(rate indicator, quantity indicator, 元 product) when the form has one rate and one quantity
    counted in the rate's own unit; None when it cannot be paired without guessing."""
    rates = [(i, m) for i in f.indicators if _is_cost(i) and (m := _RATE.match(nospace(i.value)))]
    if len(rates) != 1:
        return None
    ind, m = rates[0]
    per, period = _SAME_COUNT[m.group(3)], m.group(4)
    if (
        period == "次"
        or re.search(r"每天|每日|天|日|每次|人次|课时|小时", ind.name)
        or (period == "月" and f.info.get("项目期") not in (None, "1年"))
    ):
        return None  # a rate per day or per session: the count of days is not on the form
    qty = [
        (i, q)
        for i in f.indicators
        if "数量" in (i.level2 or "") + (i.level1 or "")
        and (q := _QUANTITY.match(nospace(i.value)))
        and _SAME_COUNT[q.group(2)] == per
    ]
    if len(qty) != 1:
        return None
    q_ind, q = qty[0]
    rate = float(m.group(1)) * YUAN_PER[m.group(2)]
    return ind, q_ind, rate * int(q.group(1)) * (12 if period == "月" else 1), period


_CAP = re.compile(r"(\d+(?:\.\d+)?)(" + UNIT_PATTERN + ")(?!/)")


def _other_caps(f, rate_ind) -> float:
    """元 of the form's other cost caps printed as sums of money (≤5万元), not rates."""
    total = 0.0
    for i in f.indicators:
        v = nospace(i.value)
        if i is not rate_ind and _is_cost(i) and (m := _CAP.search(v)) and "/" not in v and "每" not in v:
            total += float(m.group(1)) * YUAN_PER[m.group(2)]
    return total


@rule(
    "D14",
    "绩效目标表单价×数量与项目资金不符",
    family="D",
    severity="warn",
    compares="绩效目标表中成本指标的单价标准（元/人/年、元/个/年、元/人/月）乘以同一计量单位的数量指标，加上其他以金额表示的成本指标，与该表的年度资金",
    applies="表中只有一个单价标准（不含按天、按次计的标准）、且只有一个与之同计量单位的数量指标时；测算合计超过年度资金为错误；只有按年计的单价一项成本、测算不足年度资金一半为警告（测算依据与资金不衔接）",
    message="项目“{project}”：{rate_name}“{rate}”×{qty_name}“{qty}”＝{product}元{others}，{relation}年度资金{funds}元。",
    suggestion="建议核实项目“{project}”的单价标准、数量与预算资金的测算关系（计量单位是否为年、月），使绩效目标与预算相衔接。",
)
def rate_times_quantity(view: DocView):
    for f in project_forms(view):
        funds = _wan(f.amount, f.money_unit)
        hit = _rate_times_quantity(f) if funds else None
        if not hit:
            continue
        ind, q_ind, product, period = hit
        caps = _other_caps(f, ind)
        total, funds_yuan = product + caps, funds * 1e4
        if total > funds_yuan * 1.0001 + 1 and caps <= funds_yuan:
            severity, relation = "error", "超过"
        elif not caps and period == "年" and product * 2 <= funds_yuan:
            share = f"仅为年度资金的{100 * product / funds_yuan:.1f}%"
            if abs(product * 12 - funds_yuan) <= 0.005 * funds_yuan:  # 200元/人/年 × 215人 × 12 = 51.6万元
                share += "（按月计恰为年度资金，标准中的“/年”疑为“/月”）"
            severity, relation = None, share + "，"
        else:
            continue
        others = f"，加其他成本指标{caps:,.2f}元共{total:,.2f}元" if caps else ""
        yield _form_at(
            view,
            f,
            severity=severity,
            value=total,
            expected=funds_yuan,
            difference=total - funds_yuan,
            money_unit="元",
            rate_name=ind.name,
            rate=ind.value,
            qty_name=q_ind.name,
            qty=q_ind.value,
            product=f"{product:,.2f}",
            funds=f"{funds_yuan:,.2f}",
            relation=relation,
            others=others,
            evidence={"claim": ind.name, "quantity": q_ind.name},
        )


_ONE_YEAR = re.compile(r"^1年$|一次性")


@rule(
    "D15",
    "一次性项目的实施期资金与年度资金不一致",
    family="D",
    severity="warn",
    compares="绩效目标申报表表头的项目属性或项目期（一次性项目、1年）与实施期资金总额、年度资金总额",
    applies="项目期为1年或项目属性为一次性项目、且两个资金总额都印出时",
    message="项目“{project}”项目期为{period}，实施期资金总额{whole}元与年度资金总额{annual}元不一致。",
    suggestion="建议核实项目“{project}”的项目期和资金总额，一年期项目的实施期资金应等于年度资金。",
)
def one_year_funds(view: DocView):
    for f in project_forms(view):
        period = f.info.get("项目期") or f.info.get("项目属性") or ""
        whole = f.info.get("实施期资金总额")
        if not whole or f.amount is None or not _ONE_YEAR.search(nospace(period)):
            continue
        diff = float(whole) - f.amount
        if abs(diff) > 0.005:
            yield _form_at(
                view,
                f,
                severity="info" if abs(diff) < 1e-3 * f.amount else None,
                period=period,
                whole=f"{float(whole):,.2f}",
                annual=f"{f.amount:,.2f}",
                value=float(whole),
                expected=f.amount,
                difference=float(whole) - f.amount,
            )


@rule(
    "D16",
    "项目支出表中项目名称重复",
    family="D",
    severity="warn",
    compares="项目支出表（本年预算）各项目行的名称",
    applies="单位预算（一个预算单位）的项目支出表中同名项目出现两次及以上时（同名项目分列，其绩效目标表无法与金额对应）；部门预算逐单位列示项目，不适用；每张表汇总为一条",
    message="{table}中有{n}个项目名称重复出现：{names}。",
    suggestion="建议合并同名项目或在名称中区分资金来源、用途，使项目与其绩效目标表一一对应。",
    value_kind=ValueKind.quantity,
)
def repeated_projects(view: DocView):
    if view.doc.scope != "unit":
        return  # a department's table lists its units' projects one after another: names recur rightly
    for t in view.tables("projects"):
        rows = [r for tt, r in projects(view) if tt is t and r.code is None]
        seen: dict[str, list] = {}
        for r in rows:
            seen.setdefault(name_of(r), []).append(r)
        dup = {n: rs for n, rs in seen.items() if len(rs) > 1 and len(n) >= 4}
        if dup and len(dup) * 2 < len(rows):  # most rows repeated: a table of units' subtotals, not projects
            names = "、".join(
                "“{}”（{}）".format(n, "、".join(f"{r.values.get('total', 0):,.2f}" for r in rs))
                for n, rs in list(dup.items())[:6]
            )
            yield dict(
                view.at(t),
                n=len(dup),
                names=names,
                value=float(len(dup)),
                money_unit="个",
                evidence={"projects": list(dup)},
            )
