"""Family D — performance targets (项目支出绩效目标表) against the project table and against the rules
for targets (domain-standards §5): missing, extra, duplicated and empty forms; amounts; cost
indicators; values that cannot be measured; missing indicator categories; the 说明's count."""

from __future__ import annotations

import re

from ..extract.text_rules import nospace
from ..model import Form
from ..vocab.enums import ValueKind
from ..vocab.indicators import LEVEL2_PARENT, NON_MONEY_COSTS, REQUIRED_LEVEL1
from ..vocab.units import TO_WAN, UNIT_PATTERN, to_wan
from .rule import rule
from .view import TOTAL_NAME, DocView, name_of

_YEAR = re.compile(r"^(20\d\d)年度?")
_PUNCT = re.compile(r"[（）()“”\"《》〈〉\s、，,.:：;；\-—_·]")


def norm_project(name: str | None) -> str:
    n = _PUNCT.sub("", nospace(name or ""))
    return _YEAR.sub("", n)


def project_forms(view: DocView) -> list[Form]:
    return [f for f in view.doc.forms if f.project]


def projects(view: DocView):
    """(table, row) of every project row (not the unit subtotals) of the project tables."""
    out = []
    for t in view.tables("projects", "projects_carryover"):
        for r in t.rows:
            if not r.subtotal and r.name and not TOTAL_NAME.match(name_of(r)) and r.values:
                out.append((t, r))
    return out


def _same(a: str, b: str) -> bool:
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a in b or b in a))


def _form_at(view: DocView, f: Form, **kw) -> dict:
    out = dict(
        page=f.location.get("page"),
        line=f.location.get("line"),
        file=view.file_of(f.location),
        table_title="项目支出绩效目标表",
        table_kind="project_form",
        row_name=f.project,
        project=f.project,
        money_unit=f.money_unit,
    )
    out.update(kw)
    return out


def _headings(rows: list) -> set[int]:
    """Rows printed over their projects, unmarked (长春 部门特定目标类项目 474.56 over 综合管理 474.56 over four
    projects): a row the next two or more rows (headings below it left out) add up to exactly, the run ending at
    the table's end or at the next heading. Walked from the bottom, so a heading of headings is seen."""
    out: set[int] = set()
    for i in range(len(rows) - 1, -1, -1):
        whole = rows[i].values.get("total")
        if not whole:
            continue
        s, n, j = 0.0, 0, i + 1
        while j < len(rows):
            if id(rows[j]) not in out:
                s, n = s + (rows[j].values.get("total") or 0.0), n + 1
                if s >= whole - 0.005:
                    break
            j += 1
        if n >= 2 and abs(s - whole) <= 0.005 * n and (j + 1 >= len(rows) or id(rows[j + 1]) in out):
            out.add(id(rows[i]))
    return out


@rule(
    "D01",
    "项目支出未公开绩效目标",
    family="D",
    severity="warn",
    compares="项目支出表（本年预算）所列项目与项目支出绩效目标表的项目名称",
    applies="文档公开了绩效目标表时（未公开任何绩效目标表的，只在E类完整性中提示一次）；项目表中印在项目之上、金额等于其下各行之和的类别或一级项目行不算项目；每份文档汇总为一条",
    message="{table}所列{expected_n}个项目中，有{value_n}个未找到绩效目标表：{names}。",
    suggestion="建议补充公开上述项目的绩效目标，或在说明中写明只公开重点项目绩效目标的范围。",
    value_kind=ValueKind.quantity,
)
def project_without_form(view: DocView):
    forms = [norm_project(f.project) for f in project_forms(view)]
    if not forms:
        return
    for t in view.tables("projects"):
        rows = [r for tt, r in projects(view) if tt is t]
        heads = _headings(rows)
        rows = [r for r in rows if id(r) not in heads]
        missing = [r for r in rows if norm_project(r.name) and not any(_same(norm_project(r.name), f) for f in forms)]
        if missing and len(missing) < len(rows):  # no overlap at all: the forms cover something else
            names = "、".join(f"“{r.name}”" for r in missing[:10]) + ("等" if len(missing) > 10 else "")
            yield dict(
                view.at(t),
                value=float(len(missing)),
                expected=float(len(rows)),
                money_unit="个",
                value_n=len(missing),
                expected_n=len(rows),
                names=names,
                evidence={"projects": [r.name for r in missing]},
            )


@rule(
    "D02",
    "绩效目标表的项目不在项目支出表中",
    family="D",
    severity="info",
    compares="项目支出绩效目标表的项目名称与项目支出表（本年预算、上年结转）所列项目",
    applies="文档公开了项目支出表时；每份文档汇总为一条",
    message="有{value_n}张绩效目标表的项目在项目支出表中找不到同名项目：{names}。",
    suggestion="建议核实上述项目名称与项目支出表是否一致。",
    value_kind=ValueKind.quantity,
)
def form_without_project(view: DocView):
    rows = [norm_project(r.name) for _, r in projects(view)]
    if not rows:
        return
    extra = [
        f
        for f in project_forms(view)
        if norm_project(f.project) and not any(_same(norm_project(f.project), r) for r in rows)
    ]
    if extra:
        names = "、".join(f"“{f.project}”" for f in extra[:10]) + ("等" if len(extra) > 10 else "")
        yield _form_at(
            view,
            extra[0],
            value=float(len(extra)),
            money_unit="张",
            value_n=len(extra),
            names=names,
            row_name=None,
            evidence={"projects": [f.project for f in extra]},
        )


@rule(
    "D03",
    "同一项目重复公开绩效目标表",
    family="D",
    severity="warn",
    compares="各绩效目标表的项目名称、金额和实施单位",
    applies="项目支出绩效目标表；名称和金额相同而实施单位不同的，是各单位各自的项目，不算重复；同名的一张项目资金为0的，也是重复（空表或旧表未删）",
    message="项目“{project}”的绩效目标表出现{count}次{detail}。",
    suggestion="建议核实项目“{project}”的绩效目标表是否重复公开。",
)
def duplicated_forms(view: DocView):
    seen: dict[tuple, list[Form]] = {}
    for f in project_forms(view):  # same name and amount: the same form twice (units may share a name)
        if f.amount is None:
            continue  # …and the same 实施单位: 烟台水利局's 河长制服务中心 and another centre each print 公车统管 3万元
        unit = nospace(f.info.get("实施单位", ""))
        # a copy with 0 funds beside the real one (兴县 2023: 联络站运行管理提升费 0 and 750,000元) is the same
        # project's form twice, one of them left empty: grouped with it whatever its amount
        key = (norm_project(f.project), 0.0 if f.amount == 0 else None, unit)
        seen.setdefault(key, []).append(f)
    grouped: dict[tuple, list[Form]] = {}
    for (n, zero, unit), fs in seen.items():
        if zero is None:
            for f in fs:
                grouped.setdefault((n, _wan(f.amount, f.money_unit), unit), []).append(f)
    for (n, zero, unit), fs in seen.items():
        if zero is not None:
            real = [g for k, g in grouped.items() if k[0] == n and k[2] == unit]
            grouped[(n, 0.0, unit)] = fs + (real[0] if real else [])
    for (n, _, _), fs in grouped.items():
        pages = [p for p in (f.location.get("page") for f in fs) if p is not None]
        if len(pages) == len(fs) and all(b - a <= 1 for a, b in zip(pages, pages[1:])):
            continue  # on consecutive pages: one form printed over several pages, not a duplicate
        if n and len(fs) > 1:
            zeros = sum(1 for f in fs if f.amount == 0)
            detail = f"，其中{zeros}张项目资金为0（空表或旧表未删）" if 0 < zeros < len(fs) else ""
            at = next((f for f in fs if f.amount == 0), fs[1]) if zeros else fs[1]
            yield _form_at(view, at, count=len(fs), detail=detail)


@rule(
    "D04",
    "绩效目标表无指标或指标值为空",
    family="D",
    severity="error",
    compares="每张绩效目标表的绩效指标及其指标值",
    applies="项目支出绩效目标表和整体支出绩效目标表",
    message="“{label}”的绩效目标表{problem}。",
    suggestion="建议补充“{label}”的绩效指标及指标值。",
)
def empty_forms(view: DocView):
    for f in view.doc.forms:
        label = f.project or "部门（单位）整体支出"
        if f.layout == "tabular" or f.amount is None and not f.indicators:
            continue  # a list of projects with 绩效目标 in words; a heading without a form's grid
        if not f.indicators:
            yield _form_at(view, f, label=label, problem="没有任何绩效指标")
        elif all(not nospace(i.value) for i in f.indicators):
            yield _form_at(view, f, label=label, problem="所有指标值均为空")


def _wan(amount, unit):
    return None if amount is None else to_wan(amount, unit)


@rule(
    "D05",
    "绩效目标表金额与项目支出表不符",
    family="D",
    severity="warn",
    compares="绩效目标表的年度资金总额与项目支出表中同名项目的金额（按各自单位换算为万元）",
    applies="项目在两表中都能找到时；金额恰好相差一万倍的，判为元与万元单位用错（错误）",
    message="项目“{project}”绩效目标表金额为{form_amount}，项目支出表为{table_amount}{hint}。",
    suggestion="建议核实项目“{project}”的预算金额及其计量单位，使绩效目标表与项目支出表一致。",
)
def form_amounts(view: DocView):
    rows: dict[str, list] = {}
    for t, r in projects(view):
        rows.setdefault(norm_project(r.name), []).append((t, r))
    names = [norm_project(f.project) for f in project_forms(view)]
    for f in project_forms(view):
        hits = rows.get(norm_project(f.project)) or []
        if len(hits) != 1 or names.count(norm_project(f.project)) != 1 or f.amount is None:
            continue  # a name shared by several units' projects cannot be paired
        hit = hits[0]
        t, r = hit
        tv = r.values.get("total", next(iter(r.values.values())))
        a, b = _wan(f.amount, f.money_unit), view.wan(t, tv)
        if b is None or abs(a - b) <= 0.01 + 1e-4 * abs(b):
            continue
        unit_slip = b and any(abs(a * k - b) <= 0.01 + 1e-4 * abs(b) for k in (1e4, 1e-4))
        yield _form_at(
            view,
            f,
            severity="error" if unit_slip else None,
            value=a,
            expected=b,
            difference=a - b,
            form_amount=f"{f.amount:,.2f}{f.money_unit or ''}",
            table_amount=f"{tv:,.2f}{t.money_unit or ''}",
            hint="，恰好相差一万倍，疑为元与万元单位用错" if unit_slip else "",
        )


def _is_cost(ind) -> bool:
    return "成本" in (ind.level1 or "") + (ind.level2 or "")


def _indicators_at(view: DocView, f: Form, inds: list, **kw) -> dict:
    """One finding for a rule's indicators in one form (a reviewer writes one line: “成本指标多处使用≥”),
    each indicator kept as evidence with its line."""
    first = inds[0][0]
    items = "；".join(f"“{i.name}”{'（' + why + '）' if why else ''}取值“{i.value}”" for i, why in inds[:6])
    return _form_at(
        view,
        f,
        label=f.project or "整体支出",
        count=len(inds),
        items=items + ("等" if len(inds) > 6 else ""),
        name=first.name,
        ind_value=first.value,
        page=first.page or f.location.get("page"),
        line=first.line or f.location.get("line"),
        value=float(len(inds)),
        money_unit="个",  # a count of indicators, not the form's 万元
        evidence={
            "indicators": [
                {"name": i.name, "value": i.value, "why": why, "page": i.page, "line": i.line} for i, why in inds
            ]
        },
        **kw,
    )


@rule(
    "D06",
    "成本指标使用“≥”或下限",
    family="D",
    severity="error",
    compares="成本指标的比较符号",
    applies="成本指标（二级“成本指标”或一级“成本指标”）；成本是上限，应使用“≤”（节约、结余、审减和补助、缴费标准以下限表示，不比较）；一张表的各处汇总为一条",
    message="项目“{label}”有{count}个成本指标使用下限：{items}，成本指标应为上限（≤）。",
    suggestion="建议将项目“{label}”的上述成本指标改为“≤”的成本控制上限，并与预算金额相衔接。",
    value_kind=ValueKind.quantity,
)
def cost_lower_bound(view: DocView):
    for f in view.doc.forms:
        bad = [
            (ind, "")
            for ind in f.indicators
            if _is_cost(ind)
            and not _SAVING.search(ind.name)
            and re.match(r"^(≥|>=|≧|＞|>|不低于|大于|不少于)", nospace(ind.value))
        ]
        if bad:
            yield _indicators_at(view, f, bad)


# a saving, a surplus or an audit's cut has a lower bound; so has a per-head standard paid out (补助标准≥800元:
# the policy's floor for each beneficiary, not a cap on the project's cost)
_SAVING = re.compile(r"节约|节省|降低|下降|压减|结余|审减|(?:补助|补贴|救助|资助|缴费)标准")
_PCT = re.compile(r"(≥|>=|≧|＞|>|大于|高于|超过)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_STRICT = (">", "＞", "大于", "高于", "超过")
_CHANGE_RATE = re.compile(r"增长|增幅|增速|增减|变化|变动|同比|环比")  # may be negative


@rule(
    "D07",
    "指标值不可衡量（≥100%、>100%、≥0%）",
    family="D",
    severity="warn",
    compares="百分比指标的取值与方向",
    applies="以百分比表示的指标；“≥100%”“>100%”无法超越，“≥0%”没有约束，都无法用于考核（“>0%”要求为正，是有效约束；增长率等可为负的比率“≥0%”要求不下降，也是约束）；一张表的各处汇总为一条",
    message="项目“{label}”有{count}个指标取值无法考核：{items}。",
    suggestion="建议将项目“{label}”的上述指标改为可衡量的目标值（如“=100%”或具体的比例）。",
    value_kind=ValueKind.quantity,
)
def unmeasurable(view: DocView):
    for f in view.doc.forms:
        bad = []
        for ind in f.indicators:
            m = _PCT.search(nospace(ind.value))
            if not m:
                continue
            sign, pct = m.group(1), float(m.group(2))
            why = None
            if sign in _STRICT and pct >= 100:
                why = "比例不可能超过100%"
            elif sign and pct >= 100 and not _is_cost(ind):
                why = "“≥100%”无法超越，实际等于“=100%”"
            elif sign and sign not in _STRICT and pct == 0 and not _CHANGE_RATE.search(ind.name):
                why = "“≥0%”对结果没有约束"  # a growth rate ≥0% forbids a fall: a bound
            elif pct > 100 and "增长" not in ind.name and "提高" not in ind.name and not sign:
                why = "比例超过100%"
            if why:
                bad.append((ind, why))
        if bad:
            yield _indicators_at(view, f, bad)


_LEVEL1 = tuple((zh[:2], zh) for zh in REQUIRED_LEVEL1)  # 产出/效益/满意 in a label


@rule(
    "D08",
    "缺少一级指标类别",
    family="D",
    severity="warn",
    compares="每张绩效目标表的一级指标是否覆盖产出、效益、满意度",
    applies="有绩效指标的绩效目标表（财预〔2021〕101号后成本指标可单列为一级，不作要求）",
    message="“{label}”的绩效目标表缺少{missing}。",
    suggestion="建议补充“{label}”的{missing}，使绩效目标完整。",
)
def missing_categories(view: DocView):
    forms = view.doc.forms
    for k, f in enumerate(forms):
        if not f.indicators:
            continue
        # one project's form read as two parts on consecutive pages (a page break): its categories together;
        # the name may be cut with it (北京 p21 …432754-监理、设计、审计及其他项目 and p22 2754-监理、设计、)
        parts = [
            g
            for g in forms[max(0, k - 1) : k + 2]
            if g.project
            and f.project
            and _same(norm_project(g.project), norm_project(f.project))
            and abs((g.location.get("page") or -9) - (f.location.get("page") or 9)) == 1
        ]
        have = " ".join((i.level1 or "") + (i.level2 or "") for g in [f, *parts] for i in g.indicators)
        missing = [zh for key, zh in _LEVEL1 if key not in have]
        if missing and len(missing) < 3:
            yield _form_at(view, f, label=f.project or "部门（单位）整体支出", missing="、".join(missing))


_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(" + UNIT_PATTERN + ")")
_PER_ITEM = re.compile(r"单个|单项|每个|每项|每人|每次|每期|人均|单价|单位成本|标准|/[年月日天人次个件台套箱]")
# the project's whole cost, however named (成本控制数, 2026年预算总支出, 2026年预算金额 — 烟台)
_WHOLE_COST = re.compile(
    r"总成本|总费用|总额|总量|总投入|总支出|成本合计|费用合计|控制数|^(?:20\d\d年度?)?预算(?:金额|资金|数)$"
)
_COST_HEAD = re.compile(r"(?:成本|费用|经费|资金|支出|费)$")
_BUYING = re.compile(r"购置|购买")  # one act, named two ways: 采购成本 of a 仪器购置项目


def _names_project(cap: str, project: str) -> bool:
    """A cap named by the project's own object (院前急救站点日常运行成本 of 院前急救站点日常运行成本补偿) is its
    whole cost, of which the other caps are parts."""
    stem = _COST_HEAD.sub("", _BUYING.sub("采购", cap))
    return (
        len(stem) >= 2
        and stem not in LEVEL2_PARENT
        and stem + "成本" not in LEVEL2_PARENT
        and (stem in _BUYING.sub("采购", project))
    )


def _sum_of_parts(caps: list[float]) -> float:
    """Σ caps, unless one of three or more is the sum of the others: that one is their total
    (北京水务 局信息系统运行维护 333.35 = 247.32 + 86.03), not one more part."""
    s = sum(caps)
    if len(caps) >= 3:
        for c in caps:
            if abs(2 * c - s) <= 0.0051 + 1e-5 * c:
                return c
    return s


@rule(
    "D09",
    "成本指标金额超过项目预算",
    family="D",
    severity="error",
    compares="绩效目标表中以金额表示的成本指标之和与该表的项目资金",
    applies="成本指标以元或万元计（不含“元/人”“单个项目……”等单价）且表中列明项目资金时；列有“项目总成本”“成本控制数”“预算总支出”“经费总量控制”或以项目本身命名的成本指标（如购置项目的“采购成本”）的，以它比较（其余成本指标是它的组成部分）；一项等于其余各项之和的，是它们的合计",
    message="项目“{label}”的成本指标合计{value}万元，超过项目资金{expected}万元。",
    suggestion="建议核实项目“{label}”的成本指标，成本上限不应超过预算资金。",
)
def costs_above_budget(view: DocView):
    for f in view.doc.forms:
        budget = _wan(f.amount, f.money_unit)
        if not budget:
            continue
        parts: list[float] = []
        whole = None
        for ind in f.indicators:
            v = nospace(ind.value)
            m = _MONEY.search(v)
            if not (_is_cost(ind) and m and "/" not in v[m.end() : m.end() + 2] and "每" not in v) or _PER_ITEM.search(
                ind.name
            ):
                continue  # a rate (单个项目…、每人…) caps one item, not the project
            amount = float(m.group(1)) * TO_WAN[m.group(2)]
            if _WHOLE_COST.search(nospace(ind.name)) or _names_project(nospace(ind.name), norm_project(f.project)):
                whole = max(whole or 0.0, amount)  # 项目总成本 covers the parts listed beside it
            else:
                parts.append(amount)
        total = whole if whole is not None else _sum_of_parts(parts)
        if total > budget * 1.0001 + 0.005:
            yield _form_at(
                view,
                f,
                label=f.project or "整体支出",
                value=round(total, 6),
                expected=budget,
                difference=round(total - budget, 6),
            )


@rule(
    "D10",
    "说明中的绩效目标项目数与绩效目标表不符",
    family="D",
    severity="warn",
    compares="说明中“实行绩效目标管理的项目N个”与公开的项目绩效目标表张数",
    applies="说明给出项目个数且文档附有项目绩效目标表时（说明所述可能包含未公开的项目，作为警告）；“一级项目”的个数不与各项目的表比较",
    message="说明称实行绩效目标管理的项目{claimed}个，而文档公开的项目绩效目标表为{count}张。原文：“{sentence}”",
    suggestion="建议核实绩效目标管理的项目个数，说明与所附绩效目标表应当一致。",
    value_kind=ValueKind.quantity,
)
def project_count(view: DocView):
    forms = project_forms(view)
    if not forms:
        return
    n = len({norm_project(f.project) for f in forms})
    for p in view.paragraphs:
        m = re.search(r"绩效目标[^。；]{0,12}?(?:的)?(?:二级)?项目(?:共)?(\d+)个", p.text) or re.search(
            r"(\d+)个项目[^。；]{0,10}绩效目标", p.text
        )
        if m and re.search(r"一级(?:预算)?项目", m.group(0)):
            continue  # 烟台: 涉及一级预算项目6个 — the forms are of the projects under them
        if m:
            claimed = int(m.group(1))
            if claimed != n and claimed != len(forms):
                yield dict(
                    page=p.page,
                    line=p.line,
                    file=view.file_of(p),
                    table_title="说明",
                    value=float(claimed),
                    expected=float(n),
                    money_unit="个",
                    difference=float(claimed - n),
                    claimed=claimed,
                    count=n,
                    sentence=p.text[:150],
                    evidence={"claim": p.text[:200]},
                )
            return


_PLACEHOLDER = re.compile(r"(?:无|/|—|-|－)+")
_MONEYISH = re.compile(r"元|万|费|成本|资金|经费|预算|节约|控制|降低|不超过|以内")
_LEVEL_RULES = (
    (
        "成本",
        lambda i: (
            not _MONEYISH.search(nospace(i.name + i.value)) and not any(k in (i.level2 or "") for k in NON_MONEY_COSTS)
        ),
        "成本指标的取值不是金额",
    ),
    (
        "满意",
        lambda i: (
            not re.search(r"满意|认可|评价|好评|投诉|信访|举报|差评|意见|诉求|纠纷|复核|申诉|异议", i.name + i.value)
            and not i.name.endswith("满")
            and not re.fullmatch(r"[≥≧>＞]?[\d.]+%?|指标内容", nospace(i.value))
        ),
        "满意度指标的内容不是满意度",
    ),
)


@rule(
    "D11",
    "绩效指标归类与内容不符",
    family="D",
    severity="warn",
    compares="每个三级指标的名称、取值与其所属的二级指标（经济成本指标应为金额，满意度指标应为满意度）",
    applies="有成本指标或满意度指标的绩效目标表（社会成本、生态环境成本指标不以金额计，“无”表示未填，均不比较）；常见于表格错行、指标错位",
    message="项目“{label}”的绩效目标表中{count}个指标归类与内容不符：{items}。",
    suggestion="建议核实项目“{label}”绩效目标表的指标层级是否错位，将指标列入正确的类别并补充计量单位。",
    value_kind=ValueKind.quantity,
)
def misplaced_indicators(view: DocView):
    for f in view.doc.forms:
        bad = []
        for ind in f.indicators:
            if not nospace(ind.name) or _PLACEHOLDER.fullmatch(nospace(ind.name + ind.value)):
                continue  # 无/无: a slot left empty, not an indicator filed under the wrong head
            level = (ind.level2 or "") if "成本" in (ind.level2 or "") else (ind.level1 or "") + (ind.level2 or "")
            for key, test, why in _LEVEL_RULES:
                if key in level and test(ind):
                    bad.append(f"“{ind.name}”（{why}：{ind.value}）")
        if bad and len(bad) <= 10:  # more than that: a page read as a form, not a form with slips
            yield _form_at(
                view,
                f,
                label=f.project or "整体支出",
                count=len(bad),
                items="；".join(bad[:5]),
                value=float(len(bad)),
                money_unit="个",
            )
