"""Family B — identities between tables (domain-standards §2.2). Conditional identities are only
tested where their condition holds; several layouts are legitimate (a 收入总表 合计 with or without
上年结转, a 一般公共预算支出表 with or without 上年结转), so a figure is compared with each reading the
layout allows and reported only when it matches none."""

from __future__ import annotations

import re

from ..extract.text_rules import half_unit
from ..vocab.classes import THREE_PUBLIC_ITEMS
from ..vocab.enums import Scope
from .arithmetic import three_public_items
from .rule import rule
from .view import TOTAL_NAME, DocView, name_of


def _tol(view, pairs) -> float:
    """Rounding envelope (万元) of figures from different tables: half a unit of each one's last digit."""
    return sum(half_unit(r.printed.get(k)) * view.factor(t) for t, r, k in pairs) + 1e-9


def table_total(view: DocView, t, key: str = "total"):
    """(row, value in 万元) of a coded table's 合计 row, or None."""
    r = view.total_row(t)
    if r is None or key not in r.values:
        return None
    return r, view.wan(t, r.values[key])


def _mismatch(view, a, readings):
    """readings: [(label, table, row, key, value)]; the finding when `a`'s value matches none of them."""
    ta, ra, ka, va = a
    best = None
    for label, tb, rb, kb, vb in readings:
        if abs(va - vb) <= _tol(view, [(ta, ra, ka), (tb, rb, kb)]):
            return None
        if best is None or abs(va - vb) < abs(va - best[4]):
            best = (label, tb, rb, kb, vb)
    return best


def _hit(view, a, best, **extra):
    ta, ra, ka, va = a
    label, tb, rb, kb, vb = best
    return dict(
        view.at(ta, ra, ka, wan=True),
        value=round(va, 6),
        expected=round(vb, 6),
        difference=round(va - vb, 6),
        other=tb.title,
        other_label=label,
        evidence={"other_table": tb.title, "other_page": rb.page or tb.location.get("page"), "other_line": rb.line},
        **extra,
    )


def _total_vs_summary(view: DocView, kind: str, side: str, labels):
    """A 收入/支出总表's 合计 against the 收支总表 rows it may equal (with or without 上年结转)."""
    t, t1 = view.table(kind), view.table("summary")
    if not t or not t1 or not (tot := table_total(view, t)):
        return
    readings = []
    for label, pattern in labels:
        r = view.find_row(t1, pattern, side)
        if r is not None and "total" in r.values:
            readings.append((label, t1, r, "total", view.wan(t1, r.values["total"])))
    if readings and (best := _mismatch(view, (t, tot[0], "total", tot[1]), readings)):
        yield _hit(view, (t, tot[0], "total", tot[1]), best)


@rule(
    "B01",
    "收入总表合计与收支总表一致",
    family="B",
    severity="error",
    compares="部门收入总表合计与部门收支总表的收入总计（或本年收入合计，视收入总表是否含上年结转）",
    applies="两表都印出合计时",
    message="{table}合计为{value}万元，{other}的{other_label}为{expected}万元，相差{difference}万元。",
    suggestion="建议核实{table}与{other}的收入合计数据，确保两表衔接一致。",
)
def income_vs_summary(view: DocView):
    yield from _total_vs_summary(
        view, "income", "income", (("收入总计", r"^收入总计$|^收入合计$"), ("本年收入合计", r"^本年收入合计$"))
    )


@rule(
    "B02",
    "支出总表合计与收支总表一致",
    family="B",
    severity="error",
    compares="部门支出总表合计与部门收支总表的本年支出合计（或支出总计）",
    applies="两表都印出合计时",
    message="{table}合计为{value}万元，{other}的{other_label}为{expected}万元，相差{difference}万元。",
    suggestion="建议核实{table}与{other}的支出合计数据，确保两表衔接一致。",
)
def expenditure_vs_summary(view: DocView):
    yield from _total_vs_summary(
        view,
        "expenditure",
        "expenditure",
        (("本年支出合计", r"^本年支出合计$"), ("支出总计", r"^支出总计$|^支出合计$")),
    )


@rule(
    "B03",
    "一般公共预算基本支出与基本支出经济分类表一致",
    family="B",
    severity="error",
    compares="一般公共预算支出表合计行的基本支出与一般公共预算基本支出（经济分类）表的合计",
    applies="两表都印出合计时（两表口径相同：同为一般公共预算、同为含或不含上年结转）",
    message="{table}基本支出合计为{value}万元，{other}合计为{expected}万元，相差{difference}万元。",
    suggestion="建议核实{table}基本支出与{other}合计数据，确保基本支出在两表中一致。",
)
def basic_vs_economic(view: DocView):
    t5, t6 = view.table("gpb_expenditure"), view.table("gpb_basic")
    if not t5 or not t6 or not (a := table_total(view, t5, "basic")) or not (b := table_total(view, t6)):
        return
    if best := _mismatch(view, (t5, a[0], "basic", a[1]), [("合计", t6, b[0], "total", b[1])]):
        yield _hit(view, (t5, a[0], "basic", a[1]), best)


@rule(
    "B04",
    "财政拨款收支总表与一般公共预算支出表一致",
    family="B",
    severity="error",
    compares="财政拨款收支总表一般公共预算列的本年支出（或本年收入）与一般公共预算支出表合计",
    applies="财政拨款收支总表分列一般公共预算时；一般公共预算支出表不含上年结转时与本年收入比较",
    message="{table}合计为{value}万元，{other}中一般公共预算的{other_label}为{expected}万元，相差{difference}万元。",
    suggestion="建议核实{table}与{other}一般公共预算数据，确保两表衔接一致。",
)
def gpb_vs_fiscal(view: DocView):
    t5, t4 = view.table("gpb_expenditure"), view.table("fiscal_summary")
    if not t5 or not t4 or not (a := table_total(view, t5)):
        return
    readings = []
    for label, pat, side, key in (
        ("本年支出合计", r"^本年支出合计$", "expenditure", "gpb"),
        ("支出总计", r"^支出总计$", "expenditure", "gpb"),
        ("本年收入", r"一般公共预算", "income", "total"),
    ):
        r = view.find_row(t4, pat, side)
        if r is not None and key in r.values:
            readings.append((label, t4, r, key, view.wan(t4, r.values[key])))
    gpb_in = [r for r in t4.rows if r.side == "income" and "一般公共预算" in name_of(r) and "total" in r.values]
    if len(gpb_in) > 1:  # 本年 and 上年结转 each print a 一般公共预算 row: a table with 上年结转 covers both
        readings.append(
            ("本年收入与上年结转之和", t4, gpb_in[-1], "total", view.wan(t4, sum(r.values["total"] for r in gpb_in)))
        )
    funds = [
        r
        for r in t4.rows
        if r.side == "income" and re.search("政府性基金|国有资本", name_of(r)) and r.values.get("total")
    ]
    r = view.find_row(t4, r"^本年支出合计$", "expenditure")
    if "gpb" not in t4.columns and not funds and r is not None and "total" in r.values:
        readings.append(("本年支出合计（仅有一般公共预算）", t4, r, "total", view.wan(t4, r.values["total"])))
    if readings and (best := _mismatch(view, (t5, a[0], "total", a[1]), readings)):
        yield _hit(view, (t5, a[0], "total", a[1]), best)


@rule(
    "B05",
    "一般公共预算支出不超过部门支出（逐科目）",
    family="B",
    severity="error",
    compares="同一功能科目在一般公共预算支出表的金额与在部门支出总表的金额（前者是后者的一部分）",
    applies="两表都按功能科目列示时；是不等式，不要求相等",
    message="科目{row_code}“{row_name}”在{table}为{value}万元，超过{other}中的{expected}万元，多{difference}万元。",
    suggestion="一般公共预算支出是部门支出的一部分，建议核实科目{row_code}在两表中的数据。",
)
def gpb_within_expenditure(view: DocView):
    t5, t3 = view.table("gpb_expenditure"), view.table("expenditure")
    if not t5 or not t3:
        return
    by_code: dict = {}  # a 支出总表 printing a code once per 经济分类 (北京 预算03表): the code is their sum
    for o in t3.rows:
        if o.code and "total" in o.values:
            by_code.setdefault(o.code, []).append(o)
    for r in t5.rows:
        parts = by_code.get(r.code)
        if not r.code or not parts or "total" not in r.values:
            continue
        o = parts[0]
        va, vb = view.wan(t5, r.values["total"]), view.wan(t3, sum(p.values["total"] for p in parts))
        if va - vb > _tol(view, [(t5, r, "total")] + [(t3, p, "total") for p in parts]):
            yield dict(
                view.at(t5, r, "total", wan=True),
                value=va,
                expected=vb,
                difference=va - vb,
                other=t3.title,
                evidence={"other_table": t3.title, "other_page": o.page, "other_line": o.line},
            )


_ECON_3P = sorted((i.code, i.economic, i.key, i.zh) for i in THREE_PUBLIC_ITEMS if i.code and i.economic)  # by code


@rule(
    "B06",
    "基本支出中的“三公”科目不超过“三公”经费",
    family="B",
    severity="error",
    compares="基本支出经济分类表的30212因公出国（境）费用、30217公务接待费、30231公务用车运行维护费、31013公务用车购置与“三公”经费表对应项目",
    applies="两表都印出对应项目时；“三公”经费含基本支出和项目支出，只检验“不超过”，不检验相等",
    message="{table}“{row_name}”为{value}万元，超过{other}中{item}的{expected}万元，多{difference}万元。",
    suggestion="“三公”经费包含基本支出中的相应科目，建议核实{table}“{row_name}”与{other}{item}的数据。",
)
def econ_within_three_public(view: DocView):
    t6, t7 = view.table("gpb_basic"), view.table("three_public")
    if not t6 or not t7:
        return
    _, items = three_public_items(view, t7)
    key7 = "total" if "total" in t7.columns else next((k for k in t7.columns if not k.startswith("x:")), None)
    for code, pat, item, zh in _ECON_3P:
        # by code and name together: a code printed beside another item's name is not that item
        r6 = next(
            (r for r in t6.rows if r.code == code and (not r.name or re.search(pat, name_of(r)))), None
        ) or view.find_row(t6, pat)
        r7 = items.get(item)
        if r6 is None or r7 is None or "total" not in r6.values or key7 not in r7.values:
            continue
        va, vb = view.wan(t6, r6.values["total"]), view.wan(t7, r7.values[key7])
        if va - vb > _tol(view, [(t6, r6, "total"), (t7, r7, key7)]):
            yield dict(
                view.at(t6, r6, "total", wan=True),
                value=va,
                expected=vb,
                difference=va - vb,
                other=t7.title,
                item=zh,
                evidence={"other_table": t7.title, "other_page": r7.page},
            )


@rule(
    "B07",
    "机关运行经费与基本支出公用经费相符",
    family="B",
    severity="warn",
    compares="机关运行经费表（或“三公”表中的机关运行经费）合计与一般公共预算基本支出表的公用经费合计",
    applies="机关运行经费是一般公共预算基本支出公用经费的一部分：任何文档中超过公用经费即报告；"
    "少于公用经费只在单位预算且机关运行经费不为零时报告（行政、参公单位两者相等；部门预算含所属事业单位，"
    "事业单位不适用机关运行经费）。口径各地不一，作为警告",
    message="{table}合计为{value}万元，{other}公用经费合计为{expected}万元，相差{difference}万元。",
    suggestion="建议核实机关运行经费的口径与数据，与一般公共预算基本支出中的公用经费相互印证。",
)
def admin_vs_public(view: DocView):
    t, t6 = view.table("admin_operating"), view.table("gpb_basic")
    if not t or not t6 or not (b := table_total(view, t6, "public")):
        return
    r = view.total_row(t) or (t.rows[0] if len(t.rows) == 1 else None)
    key = "total" if r is not None and "total" in r.values else None
    if r is None or key is None:
        return
    va = view.wan(t, r.values[key])
    tol = _tol(view, [(t, r, key), (t6, b[0], "public")])
    # a 部门's 公用经费 includes its 事业单位', which have no 机关运行经费; a unit's nought says it has none
    under_counts = view.doc.scope == Scope.unit and va > 0
    if va - b[1] > tol or (under_counts and b[1] - va > tol):
        yield dict(
            view.at(t, r, key, wan=True), value=va, expected=b[1], difference=va - b[1], other=t6.title, confidence=0.6
        )


def projects_total(view: DocView, t):
    """(row or None, value 万元, n projects): the printed grand total, else the sum of the project rows."""
    rows = [r for r in t.rows if "total" in r.values]
    projects = [r for r in rows if not r.subtotal and not TOTAL_NAME.match(name_of(r))]
    printed = next((r for r in rows if r.subtotal or TOTAL_NAME.match(name_of(r))), None)
    if printed is not None:
        return printed, view.wan(t, printed.values["total"]), len(projects)
    return None, view.wan(t, sum(r.values["total"] for r in projects)), len(projects)


@rule(
    "B08",
    "项目支出表合计与项目支出相符",
    family="B",
    severity="error",
    compares="项目支出表（本年预算）合计与一般公共预算支出表或部门支出总表的项目支出合计",
    applies="项目支出表印出时；按表的口径（一般公共预算或全口径）任一相符即可",
    message="{table}合计为{value}万元，而{other_label}为{expected}万元，相差{difference}万元。",
    suggestion="建议核实{table}所列项目是否完整，确保与项目支出合计一致。",
)
def projects_vs_project_spending(view: DocView):
    t = view.table("projects")
    if not t:
        return
    row, total, n = projects_total(view, t)
    if row is None or not n:
        return
    readings = []
    for kind, label in (("gpb_expenditure", "一般公共预算支出表项目支出"), ("expenditure", "部门支出总表项目支出")):
        o = view.table(kind)
        if o and (x := table_total(view, o, "project")):
            readings.append((label, o, x[0], "project", x[1]))
    if readings and (best := _mismatch(view, (t, row, "total", total), readings)):
        yield _hit(view, (t, row, "total", total), best)


_EMPTY_GF = re.compile(r"政府性基金")


@rule(
    "B09",
    "政府性基金、国有资本经营预算支出表与财政拨款收支总表一致",
    family="B",
    severity="error",
    compares="财政拨款收支总表中政府性基金（国有资本经营）预算的本年支出与对应支出表的合计（空表视为零）",
    applies="财政拨款收支总表分列政府性基金/国有资本经营预算时",
    message="{other}中{fund}本年支出为{expected}万元，而{table}{state}。",
    suggestion="建议核实{fund}预算支出数据，财政拨款收支总表与{table}应当一致；无数据时应列示空表并说明。",
)
def funds_vs_fiscal(view: DocView):
    t4 = view.table("fiscal_summary")
    if not t4:
        return
    r = view.find_row(t4, r"^本年支出合计$", "expenditure")
    if r is None:
        return
    for key, kind, fund in (("gf", "gf_expenditure", "政府性基金预算"), ("soe", "soe", "国有资本经营预算")):
        if key not in r.values:
            continue
        v4 = view.wan(t4, r.values[key])
        ts = view.tables(kind)
        if not ts:
            continue
        t = ts[0]
        tot = table_total(view, t) if t.rows else None
        v = tot[1] if tot else (0.0 if t.empty or not t.rows else None)
        if v is None:
            continue
        if abs(v - v4) > _tol(view, [(t4, r, key)] + ([(t, tot[0], "total")] if tot else [])):
            state = f"合计为{v:,.2f}万元" if tot else "为空表"
            yield dict(
                view.at(t, tot[0] if tot else None, "total"),
                value=v,
                expected=v4,
                difference=v - v4,
                money_unit="万元",
                other=t4.title,
                fund=fund,
                state=state,
            )
