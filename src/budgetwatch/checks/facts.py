"""The tables' figures a 说明 sentence may quote, by claim kind, in 万元.

A kind has several candidate figures where layouts differ (收入总计 or 本年收入; a 一般公共预算 figure
with or without 上年结转): a claim agreeing with any of them is consistent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..extract.text_rules import half_unit
from ..model import Row, Table
from ..vocab.claims import CLAIM_KINDS, CLAIM_RULES
from ..vocab.columns import COLUMN_ZH, SOURCES
from ..vocab.units import SIDE_TOTAL_NAMES, names_pattern
from .arithmetic import class_name, three_public_items
from .view import DocView, name_of


@dataclass
class Fact:
    label: str
    value: float  # 万元
    table: Table
    row: Row
    key: str

    @property
    def tolerance(self) -> float:
        return half_unit(self.row.printed.get(self.key)) * DocView.factor(self.table)


def _add(out, kind, label, view, t, r, key="total"):
    if t is not None and r is not None and key in r.values:
        out.setdefault(kind, []).append(Fact(label, view.wan(t, r.values[key]), t, r, key))


_CLAIM = dict(CLAIM_RULES)  # a row is named as the 说明 names the figure
_SIDE_TOTAL = {side: names_pattern(names) for side, names in SIDE_TOTAL_NAMES.items()}
# a source column of the 支出总表 (事业收入 226.50 of its 合计) is the spending of that source: the claim kind named alike
_SOURCE_KIND = {col: k.key for k in CLAIM_KINDS for col in SOURCES if k.zh == COLUMN_ZH[col]}


def collect(view: DocView) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = {}
    t1, t3, t4, t5, t6 = (
        view.table(k) for k in ("summary", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic")
    )
    if t1:
        for kind, pat, side in (
            ("income_total", r"^收入总计$|^收入合计$", "income"),
            ("income_total", r"^本年收入合计$", "income"),
            ("expenditure_total", r"^支出总计$|^支出合计$", "expenditure"),
            ("expenditure_total", r"^本年支出合计$", "expenditure"),
            ("carryover", _CLAIM["carryover"], "income"),
            ("carry_forward", _CLAIM["carry_forward"], "expenditure"),
            *((k, _CLAIM[k], "income") for k in ("gpb", "gf", "soe", "special", "unit_funds")),
            ("business", r"^.{0,4}事业收入", "income"),  # not 事业单位经营收入
            *((k, _CLAIM[k], "income") for k in ("operating", "other_income")),
        ):
            for r in t1.rows:
                if r.side == side and r.block is None and re.search(pat, name_of(r)):
                    _add(out, kind, f"{t1.title}“{r.name}”", view, t1, r)
        for r in t1.rows:
            if r.side == "expenditure" and r.block is None and (c := class_name(r)):
                _add(out, "class:" + c, f"{t1.title}“{r.name}”", view, t1, r)
    if t4:
        for r in t4.rows:
            if r.side == "income" and re.search(_SIDE_TOTAL["income"], name_of(r)):
                _add(out, "fiscal_total", f"{t4.title}“{r.name}”", view, t4, r)
                _add(out, "income_total", f"{t4.title}“{r.name}”", view, t4, r)
            if r.side == "expenditure" and re.search(_SIDE_TOTAL["expenditure"], name_of(r)):
                _add(out, "fiscal_total", f"{t4.title}“{r.name}”", view, t4, r)
                _add(out, "expenditure_total", f"{t4.title}“{r.name}”", view, t4, r)
            if r.side == "income" and "一般公共预算" in name_of(r):
                _add(out, "gpb", f"{t4.title}“{r.name}”", view, t4, r)
            if r.side == "expenditure" and r.block is None and (c := class_name(r)):
                _add(out, "class:" + c, f"{t4.title}“{r.name}”", view, t4, r)
                _add(out, "class:" + c, f"{t4.title}“{r.name}”一般公共预算", view, t4, r, "gpb")
        gpb_in = [r for r in t4.rows if r.side == "income" and "一般公共预算" in name_of(r) and "total" in r.values]
        if len(gpb_in) > 1:
            out.setdefault("gpb", []).append(
                Fact(
                    "一般公共预算本年收入与上年结转之和",
                    view.wan(t4, sum(r.values["total"] for r in gpb_in)),
                    t4,
                    gpb_in[-1],
                    "total",
                )
            )
    if t3 and (tot := view.total_row(t3)):
        for col, kind in _SOURCE_KIND.items():
            _add(out, kind, f"{t3.title}合计“{COLUMN_ZH[col]}”", view, t3, tot, col)
    for table_kind, kind in (("gf_expenditure", "gf"), ("soe", "soe")):  # the fund's own table, 上年结转 included
        if (t := view.table(table_kind)) and (tot := view.total_row(t)):
            _add(out, kind, f"{t.title}合计", view, t, tot)
    for t, _prefix in ((t3, "部门"), (t5, "一般公共预算")):
        if not t:
            continue
        tot = view.total_row(t)
        for key, kind in (
            ("total", "expenditure_total" if t is t3 else "gpb"),
            ("basic", "basic"),
            ("project", "project"),
        ):
            _add(out, kind, f"{t.title}合计", view, t, tot, key)
        for r in t.rows:
            if r.code and len(r.code) == 3 and (c := class_name(r)):
                for key, part in (("total", ""), ("basic", "基本支出"), ("project", "项目支出")):
                    _add(out, "class:" + c, f"{t.title}{r.code}“{r.name}”{part}", view, t, r, key)
    if t6:
        tot = view.total_row(t6)
        _add(out, "basic", f"{t6.title}合计", view, t6, tot)
        _add(out, "personnel", f"{t6.title}人员经费合计", view, t6, tot, "personnel")
        _add(out, "public", f"{t6.title}公用经费合计", view, t6, tot, "public")
    t7 = view.table("three_public")
    if t7:
        total, items = three_public_items(view, t7)
        key = "total" if "total" in t7.columns else next((k for k in t7.columns if not k.startswith("x:")), "total")
        _add(out, "three_public", f"{t7.title}合计", view, t7, total, key)
        parts = [items.get(k) for k in ("abroad", "car", "reception")]
        if all(p is not None and key in p.values for p in parts):  # a table that adds 会议费/培训费 to its 合计
            out.setdefault("three_public", []).append(
                Fact(
                    f"{t7.title}因公出国（境）费、公务用车购置及运行费、公务接待费之和",
                    view.wan(t7, sum(p.values[key] for p in parts)),
                    t7,
                    parts[0],
                    key,
                )
            )
        for item, kind in (
            ("abroad", "three_public_abroad"),
            ("reception", "three_public_reception"),
            ("car", "three_public_car"),
            ("purchase", "three_public_car_purchase"),
            ("running", "three_public_car_running"),
        ):
            _add(out, kind, f"{t7.title}“{items[item].name}”" if item in items else "", view, t7, items.get(item), key)
    ta = view.table("admin_operating")
    if ta:
        total = view.total_row(ta) or (ta.rows[0] if ta.rows else None)
        _add(out, "admin_operating", f"{ta.title}合计", view, ta, total)
    return out
