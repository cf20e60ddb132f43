"""Checks a reviewer makes across the parts of one disclosure: flat lists against their 合计 (with the
document's own note that items were withheld), the economic against the functional classification,
the 说明's 政府采购 against the procurement table, the 说明's 上年数/本年数 and their change, and
codes printed twice in one table."""

from __future__ import annotations

import re

from ..extract.text_rules import nospace
from ..vocab.enums import ValueKind
from ..vocab.kinds import CODED_KINDS
from .claims import Claim
from .cross_table import _tol, table_total
from .narrative import _clean_label, _where, claim_tol, claims
from .rule import rule
from .view import TOTAL_NAME, DocView, envelope, name_of

_LISTS = ("projects", "projects_carryover", "procurement", "purchase_services")
_WITHHELD = re.compile(r"涉密[^。；]{0,30}(剔除|不予公开|不公开|未公开|未列示|不列示)|(剔除|不公开)[^。；]{0,20}涉密")


@rule(
    "A10",
    "清单合计大于所列明细之和",
    family="A",
    severity="warn",
    compares="项目支出表、政府采购表、政府购买服务表等清单的合计与所列各行之和",
    applies="没有编码层级的清单表；明细之和小于合计（有未列出的项目）时报告——明细之和大于合计可能是分组小计，不报告；文档说明涉密项目已剔除的，降为提示并注明",
    message="{table}合计为{value}{unit}，所列{n}行明细之和为{expected}{unit}，少{difference}{unit}{withheld}。",
    suggestion="建议核实{table}是否漏列项目，补充公开全部明细，或说明未列示部分的原因和金额。",
)
def flat_list_total(view: DocView):
    withheld = None
    for t in view.tables(*_LISTS):
        if any(r.code for r in t.rows):
            continue
        totals = [r for r in t.rows if TOTAL_NAME.match(name_of(r)) and "total" in r.values]
        details = [r for r in t.rows if r not in totals and not r.subtotal and "total" in r.values]
        if len(totals) != 1 or len(details) < 2 or any(r.subtotal for r in t.rows):
            continue
        whole = totals[0]
        s = sum(r.values["total"] for r in details)
        short = whole.values["total"] - s
        if short > envelope([(r, "total") for r in details] + [(whole, "total")]):
            withheld = withheld or _WITHHELD.search(nospace(view.text)) or False
            yield dict(
                view.at(t, whole, "total"),
                severity="info" if withheld else None,
                value=whole.values["total"],
                expected=s,
                difference=short,
                n=len(details),
                withheld="（文档说明涉密项目已剔除：“" + withheld.group(0) + "”）"
                if isinstance(withheld, re.Match)
                else "",
            )


# 经济分类 items whose 功能分类 is fixed by what they are (domain-standards §3.2)
_PAIRS = (
    ("30113", r"^住房公积金$", "2210201", "住房公积金"),
    ("30108", r"^机关事业单位基本养老保险缴费", "2080505", "机关事业单位基本养老保险缴费支出"),
    ("30109", r"^职业年金缴费", "2080506", "机关事业单位职业年金缴费支出"),
)


def _econ_sum(t, code: str, pattern: str):
    rows = [r for r in t.rows if r.code == code or (not r.code and re.search(pattern, name_of(r)))]
    rows = [r for r in rows if "total" in r.values]
    return rows, sum(r.values["total"] for r in rows)


@rule(
    "B10",
    "经济分类与功能分类的对应科目一致",
    family="B",
    severity="warn",
    compares="一般公共预算基本支出经济分类表的30113住房公积金、30108机关事业单位基本养老保险缴费、30109职业年金缴费与一般公共预算支出表（功能分类）基本支出中的2210201住房公积金、2080505机关事业单位基本养老保险缴费支出、2080506机关事业单位职业年金缴费支出",
    applies="两表都列出对应科目时；这些经济科目只能列入对应的功能科目，金额应当相等",
    message="{table}“{econ}”为{value}万元，而{other}功能科目{row_code}“{func}”基本支出为{expected}万元，相差{difference}万元。",
    suggestion="建议核实“{econ}”在经济分类与功能分类中的金额，两种分类的同一支出应当一致。",
)
def econ_vs_function(view: DocView):
    t6, t5 = view.table("gpb_basic"), view.table("gpb_expenditure")
    if not t6 or not t5:
        return
    key = "basic" if "basic" in t5.columns else "total"
    for code, pattern, fcode, fname in _PAIRS:
        rows, v6 = _econ_sum(t6, code, pattern)
        # every row of the 功能 code: 北京's 预算05表 prints 2080505 once per 政府经济分类 (50102, 50501)
        r5s = [r for r in t5.rows if r.code == fcode and key in r.values]
        if not rows or not r5s:
            continue
        r5 = r5s[0]
        a, b = view.wan(t6, v6), view.wan(t5, sum(r.values[key] for r in r5s))
        tol = _tol(view, [(t6, r, "total") for r in rows] + [(t5, r, key) for r in r5s])
        if abs(a - b) > tol:
            yield dict(
                view.at(t6, rows[0], "total", wan=True),
                value=a,
                expected=b,
                difference=a - b,
                econ=name_of(rows[0]),
                func=fname,
                row_code=fcode,
                other=t5.title,
                evidence={"other_table": t5.title, "other_page": r5.page, "other_line": r5.line},
            )


@rule(
    "C09",
    "说明中的政府采购预算与政府采购表不符",
    family="C",
    severity="error",
    compares="说明中“政府采购预算总额X万元”与政府采购预算表的合计（按元/万元换算）",
    applies="文档附有政府采购表且印有合计行时",
    message="说明称政府采购预算总额{value}万元，而{other}合计为{expected}万元，相差{difference}万元。原文：“{sentence}”",
    suggestion="建议核实政府采购预算总额，说明与政府采购表应当一致。",
)
def procurement_total(view: DocView):
    t = view.table("procurement")
    if t is not None and re.search(r"购买服务|资产配置", t.title or ""):
        return  # a table of 政府采购 together with 购买服务 or 资产配置 is another total than the 说明's
    tot = table_total(view, t) if t else None
    if t is None or not tot:
        return
    for c in claims(view):
        if c.kind == "procurement" and _clean_label(c, view.doc.unit) and re.search("总额|合计|总计|预算", c.label):
            tol = claim_tol(c) + _tol(view, [(t, tot[0], "total")])
            if abs(c.amount - tot[1]) > tol:
                yield dict(
                    _where(view, c),
                    value=c.amount,
                    expected=tot[1],
                    difference=c.amount - tot[1],
                    other=t.title,
                    row_name="政府采购预算",
                )
            return


def _previous_then_current(cs: list[Claim], year: int | None):
    """(上年 claim, 本年 claim) printed in that order in one sentence, the 本年 one stating its change
    (“2023年当年预算执行数为54.60万元，2024年预算安排53.84万元，比2023年预算执行数减少1.39%”)."""
    last_year = re.compile(rf"{year - 1}年") if year else None
    this_year = re.compile(rf"{year}年") if year else None

    def earlier(o):
        return o.previous or (last_year and this_year and last_year.search(o.label) and not this_year.search(o.label))

    before: dict = {}  # sentence → the 上年 claims seen so far in it (one pass: a long sentence stays linear)
    for c in cs:
        is_earlier = earlier(c)
        prev = before.get(c.sentence, [])
        states_change = c.change_dir in ("up", "down", "same") and (c.change_pct is not None or c.change_dir == "same")
        if not is_earlier and states_change and len(prev) == 1 and prev[0].position == c.position - 1:
            yield prev[0], c
        if is_earlier and len(prev) < 2:  # only "exactly one" matters
            before.setdefault(c.sentence, []).append(c)


@rule(
    "C10",
    "说明中上年数、本年数与所述增减不符",
    family="C",
    severity="error",
    compares="说明中“上年（执行）数X万元，本年安排Y万元，比上年增（减）P%”：由X、Y重新计算的增减方向和增减率",
    applies="同一句先后给出上年数和本年数并写明增减方向（或增减率）时",
    message="说明称上年{prev}万元、本年{now}万元，{said}；按两数计算应为{actual}。原文：“{sentence}”",
    suggestion="建议重新计算并更正说明中本年与上年比较的增减方向和增减率。",
    value_kind=ValueKind.ratio,
)
def previous_and_current(view: DocView):
    for p, c in _previous_then_current(claims(view), view.doc.year):
        if p.amount <= 0:
            continue
        diff = c.amount - p.amount
        tol = claim_tol(c) + claim_tol(p)
        actual_dir = "same" if abs(diff) <= tol else ("up" if diff > 0 else "down")
        pct = 100 * abs(diff) / p.amount
        zh = {"up": "增加", "down": "减少", "same": "持平"}
        said = zh[c.change_dir] + (f"{c.change_pct}%" if c.change_pct is not None else "")
        actual = zh[actual_dir] + (f"{pct:.2f}%" if actual_dir != "same" else "")
        close = c.change_pct is None or abs(abs(c.change_pct) - pct) <= (
            0.5 * 10**-c.change_pct_decimals + 100 * tol / p.amount + 1e-9
        )
        if actual_dir == c.change_dir and close:
            continue
        yield dict(
            _where(view, c, "%"),
            value=c.change_pct,
            expected=round(pct, 4),
            prev=p.printed,
            now=c.printed,
            said=said,
            actual=actual,
            label=c.label,
        )


def _repeats(t):
    """Codes printed twice within one block of a table: a table that lists its units one after the other
    (a row without a code, or the same 类 again, starts the next unit's block) repeats codes rightly."""
    blocks: list[dict[str, list]] = [{}]
    for r in t.rows:
        code = r.code if r.code and r.code.isdigit() else None
        if code is None or (len(code) == 3 and code in blocks[-1]):
            if blocks[-1]:
                blocks.append({})
            if code is None:
                continue
        if not r.side and r.values:
            blocks[-1].setdefault(code, []).append(r)
    for b in blocks:
        for code, rs in b.items():
            if len(code) in (5, 7) and len(rs) > 1:
                yield code, rs


@rule(
    "E14",
    "同一报表中科目编码重复",
    family="E",
    severity="warn",
    compares="按科目编码列示的报表中每个款、项编码的出现次数",
    applies="功能分类或经济分类编码表；同一编码在同一单位的块中出现两次且名称不同（一个编码只能有一个名称；逐单位列示的表重复编码不计）",
    message="{table}中科目编码{row_code}出现{count}次：{names}。",
    suggestion="建议核实{table}科目{row_code}是否重复列示或编码有误。",
)
def repeated_codes(view: DocView):
    for t in view.tables(*CODED_KINDS):
        for _code, rs in _repeats(t):
            names = {name_of(r) for r in rs if name_of(r)}
            if len(names) > 1:  # one code, two names: a code misprinted (the same name twice may be two units)
                listed = "、".join(f"“{r.name}”" for r in rs[:4])
                yield dict(view.at(t, rs[1]), count=len(rs), names=listed)
