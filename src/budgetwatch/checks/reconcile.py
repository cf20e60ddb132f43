"""Family R — 联网对账: the finance bureau's 年初指标 for a unit against what the unit's 部门预算 discloses.

Each rule runs over a ReconcileView (feed/reconcile.py builds it from the database): the unit's 年初 lines, their
links to the disclosed rows (feed/match.py), and the disclosure read in 元 (feed/disclosed.py). Run over a
document alone (the A–F checks' DocView) they find nothing. Tolerance: half the disclosure's printed unit
(0.005 万元 = 50 元), the rounding of one printed figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from typing import Protocol

from .rule import rule


class DisclosedItem(Protocol):
    """A disclosed figure in 元 as the rules read it (feed/disclosed.py's Item: the feed sits above the checks)."""

    name: str
    amount: Decimal
    code: str | None
    table_kind: str
    table_index: int
    row_index: int
    line: int | None
    page: int | None


class Disclosed(Protocol):
    """The disclosure read in 元 (feed/disclosed.py's Disclosed), what the rules read of it; its lists read-only
    (a list of Items is a Sequence of DisclosedItems)."""

    tolerance: Decimal

    @property
    def functions(self) -> Sequence[DisclosedItem]: ...
    @property
    def projects(self) -> Sequence[DisclosedItem]: ...
    @property
    def three_public(self) -> Sequence[DisclosedItem]: ...


ZERO = Decimal(0)


@dataclass
class ReconcileView:
    region: str
    year: int
    agency_code: str
    agency_name: str | None
    version_id: int
    document_id: int
    file: str | None
    disclosed: Disclosed
    lines: list[dict] = field(default_factory=list)  # the unit's 年初 lines (src_id, exp_func_code, …, amount)
    linked_projects: dict[str, int] = field(default_factory=dict)  # feed pro_name → disclosed project row index
    linked_rows: set[int] = field(default_factory=set)  # project rows some line is linked to

    titles: dict[int, str] = field(default_factory=dict)  # table index → printed title

    def where(self, item) -> dict:
        return {
            "file": self.file,
            "page": item.page,
            "line": item.line,
            "table_kind": item.table_kind,
            "table_title": self.titles.get(item.table_index),
        }


def _on_feed(fn):
    """A family R rule runs over a ReconcileView only."""

    @wraps(fn)
    def run(view):
        if isinstance(view, ReconcileView):
            yield from fn(view)

    return run


def _evidence(view: ReconcileView, **kw) -> dict:
    return {
        "region": view.region,
        "fiscal_year": view.year,
        "agency_code": view.agency_code,
        "version_id": view.version_id,
        "document_id": view.document_id,
        **kw,
    }


@rule(
    "R01",
    "年初指标与公开的功能科目预算不符",
    family="R",
    severity="error",
    compares="财政联网数据中单位年初指标按功能分类项级汇总 = 公开的一般公共预算支出表（或支出总表）同一项的合计",
    applies="单位已与公开的部门预算匹配，且公开文件有按功能分类项级列示的支出表",
    message="{row_code} {row_name}：财政联网数据中该单位的年初预算指标合计{value}元，公开的部门预算为{expected}元，"
    "相差{difference}元。",
    suggestion="请财政部门和预算单位核实该功能科目的年初指标与公开的预算数是否一致；指标有误的请更正，"
    "公开数有误的请作出说明。",
)
@_on_feed
def r01_function_totals(view: ReconcileView):
    d = view.disclosed
    feed: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    ids = defaultdict(list)
    for ln in view.lines:
        if ln["exp_func_code"] and len(ln["exp_func_code"]) == 7:
            feed[ln["exp_func_code"]] += ln["amount"]
            ids[ln["exp_func_code"]].append(ln["src_id"])
    printed = {f.code: f for f in d.functions if f.code is not None}  # (a 功能 item has its code)
    for code in sorted(set(feed) | set(printed)):
        item = printed.get(code)
        expected = item.amount if item else ZERO
        diff = feed[code] - expected
        if abs(diff) <= d.tolerance:
            continue
        where = (
            view.where(item)
            if item
            else {"file": view.file, "table_kind": d.functions[0].table_kind if d.functions else None}
        )
        yield {
            **where,
            "row_code": code,
            "row_name": item.name if item else "（公开表中无此项）",
            "value": float(feed[code]),
            "expected": float(expected),
            "difference": float(diff),
            "money_unit": "元",
            "evidence": _evidence(view, line_src_ids=ids[code][:50]),
        }


@rule(
    "R02",
    "指标中的项目未在公开的项目支出表中",
    family="R",
    severity="warn",
    compares="财政联网数据中单位年初指标的每个项目 ∈ 公开的项目支出预算表（名称规范化后相同，或相似度≥90且金额相差≤1%）",
    applies="单位已与公开的部门预算匹配，且公开文件有项目支出预算表",
    message="财政联网数据中的项目“{row_name}”（年初指标{value}元）未出现在公开的项目支出预算表中。",
    suggestion="请预算单位说明该项目未在部门预算中公开的原因，或予以补充公开。",
)
@_on_feed
def r02_feed_project_not_disclosed(view: ReconcileView):
    if not view.disclosed.projects:
        return
    sums: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    ids = defaultdict(list)
    for ln in view.lines:
        if ln["pro_name"]:
            sums[ln["pro_name"]] += ln["amount"]
            ids[ln["pro_name"]].append(ln["src_id"])
    kind = view.disclosed.projects[0].table_kind
    for name in sorted(sums):
        if name in view.linked_projects:
            continue
        yield {
            "file": view.file,
            "table_kind": kind,
            "table_title": view.titles.get(view.disclosed.projects[0].table_index),
            "row_name": name,
            "value": float(sums[name]),
            "money_unit": "元",
            "evidence": _evidence(view, line_src_ids=ids[name][:50]),
        }


@rule(
    "R03",
    "公开的项目在指标中不存在",
    family="R",
    severity="warn",
    compares="公开的项目支出预算表的每个项目 ∈ 财政联网数据中该单位的年初指标项目",
    applies="单位已与公开的部门预算匹配，公开文件有项目支出预算表，且联网数据有该单位的项目指标",
    message="公开的项目支出预算表中的项目“{row_name}”（{expected}元）在财政联网数据的年初指标中没有对应项目。",
    suggestion="请财政部门核实该项目是否已下达指标，或是否以其他名称下达；未下达的请说明原因。",
)
@_on_feed
def r03_disclosed_project_not_in_feed(view: ReconcileView):
    if not any(ln["pro_name"] for ln in view.lines):
        return
    for p in view.disclosed.projects:
        if p.row_index in view.linked_rows or not p.amount:
            continue
        yield {
            **view.where(p),
            "row_name": p.name,
            "expected": float(p.amount),
            "money_unit": "元",
            "evidence": _evidence(view, row_index=p.row_index),
        }


@rule(
    "R04",
    "三公经费指标与公开的三公表不符",
    family="R",
    severity="error",
    compares="财政联网数据中单位年初指标按三公经济科目（30212、30217、30231、31013）汇总 = 公开的“三公”经费预算表同一项",
    applies="单位已与公开的部门预算匹配，且公开文件有“三公”经费预算表",
    message="{row_name}：财政联网数据中的年初指标{value}元，公开的“三公”经费预算为{expected}元，相差{difference}元。",
    suggestion="请预算单位核实“三公”经费预算，确保下达的指标与公开的“三公”经费预算一致。",
)
@_on_feed
def r04_three_public(view: ReconcileView):
    from ..vocab.classes import THREE_PUBLIC

    d = view.disclosed
    if not d.three_public:
        return
    feed: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for ln in view.lines:
        if ln["dep_eco_code"] in THREE_PUBLIC:
            feed[ln["dep_eco_code"]] += ln["amount"]
    printed = {t.code: t for t in d.three_public if t.code is not None}
    for code in sorted(set(feed) | set(printed)):
        item = printed.get(code)
        expected = item.amount if item else ZERO
        diff = feed[code] - expected
        if abs(diff) <= d.tolerance:
            continue
        where = view.where(item) if item else {"file": view.file, "table_kind": "three_public"}
        yield {
            **where,
            "row_code": code,
            "row_name": item.name if item else THREE_PUBLIC[code],
            "value": float(feed[code]),
            "expected": float(expected),
            "difference": float(diff),
            "money_unit": "元",
            "evidence": _evidence(view),
        }
