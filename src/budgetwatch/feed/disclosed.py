"""What a disclosed 部门预算 says that a feed can be compared with, in 元 (Decimal): the 功能 项 rows (basic /
project), the projects of the 项目支出表, the 基本支出 经济 items and the 三公 items — each with where it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Document, Table
from ..vocab.units import YUAN_PER
from .codes import normalise_name
from .econ import CLASS_NAMES, dep_code, three_public_item

UNIT_SCALE = {unit: Decimal(n) for unit, n in YUAN_PER.items()}


@dataclass
class Item:
    name: str
    amount: Decimal  # 元
    code: str | None = None
    basic: Decimal = Decimal(0)
    project: Decimal = Decimal(0)
    table_kind: str = ""
    table_index: int = 0
    row_index: int = 0
    line: int | None = None
    page: int | None = None


@dataclass
class Disclosed:
    unit: str | None
    year: int | None
    functions: list[Item] = field(default_factory=list)  # 7-digit 项 rows
    projects: list[Item] = field(default_factory=list)
    economic: list[Item] = field(default_factory=list)  # 基本支出 款 items (merged by code)
    three_public: list[Item] = field(default_factory=list)
    tolerance: Decimal = Decimal("50")  # half the printed unit, in 元
    unit_scale: Decimal = Decimal(10000)

    @property
    def project_total(self) -> Decimal:
        return sum((f.project for f in self.functions), Decimal(0))


def code_of(item: Item) -> str:
    """The code of a 功能 项, 经济 or 三公 item: read_disclosed gives each one (only projects have none)."""
    if item.code is None:
        raise ValueError(f"{item.name}: a disclosed item without its code")
    return item.code


def _scale(t: Table) -> Decimal:
    return UNIT_SCALE.get(t.money_unit or "元", Decimal(1))


def _money(v, scale: Decimal) -> Decimal:
    return (Decimal(str(v)) * scale).quantize(Decimal("0.01")) if v is not None else Decimal(0)


def _decimals(t: Table) -> int:
    best = 0
    for r in t.rows:
        for p in r.printed.values():
            if "." in p:
                best = max(best, len(p.rsplit(".", 1)[1].strip()))
    return best or 2


def _first(doc: Document, *kinds: str) -> tuple[int, Table] | None:
    for kind in kinds:
        for i, t in enumerate(doc.tables):
            if t.kind == kind and t.rows:
                return i, t
    return None


def read_disclosed(doc: Document) -> Disclosed:
    d = Disclosed(doc.unit, doc.year)
    found = _first(doc, "gpb_expenditure", "expenditure")
    if found:
        ti, t = found
        s = _scale(t)
        d.unit_scale = s
        d.tolerance = (s / Decimal(10) ** _decimals(t) / 2).quantize(Decimal("0.01"))
        for ri, r in enumerate(t.rows):
            if r.code and len(r.code) == 7 and r.code.isdigit():
                d.functions.append(
                    Item(
                        r.name or "",
                        _money(r.values.get("total"), s),
                        r.code,
                        _money(r.values.get("basic"), s),
                        _money(r.values.get("project"), s),
                        t.kind,
                        ti,
                        ri,
                        r.line,
                        r.page,
                    )
                )
    found = _first(doc, "projects")
    if found:
        ti, t = found
        s = _scale(t)
        unit = normalise_name(doc.unit)
        for ri, r in enumerate(t.rows):
            amount = r.values.get("total", r.values.get("gpb"))
            if r.subtotal or not r.name or amount is None or normalise_name(r.name) == unit or "合计" in r.name:
                continue
            d.projects.append(
                Item(
                    r.name,
                    _money(amount, s),
                    None,
                    table_kind=t.kind,
                    table_index=ti,
                    row_index=ri,
                    line=r.line,
                    page=r.page,
                )
            )
    found = _first(doc, "gpb_basic")
    if found:
        ti, t = found
        s = _scale(t)
        klass = None
        merged: dict[str, Item] = {}
        for ri, r in enumerate(t.rows):
            name = (r.name or "").strip()
            code = r.code if r.code and len(r.code) == 5 else None
            if r.code and len(r.code) == 3 or normalise_name(name) in CLASS_NAMES:
                klass = r.code if r.code and len(r.code) == 3 else CLASS_NAMES[normalise_name(name)]
                continue
            if not name or "合计" in name or klass is None and code is None:
                continue
            code = code or dep_code(name, klass)
            if code is None:  # not reached: without a code of its own the row has a class, whose 99 item it gets
                continue
            money = _money(r.values.get("total"), s)
            if code in merged:
                merged[code].amount += money
            else:
                merged[code] = Item(
                    name, money, code, table_kind=t.kind, table_index=ti, row_index=ri, line=r.line, page=r.page
                )
        d.economic = [i for i in merged.values() if i.amount]
    found = _first(doc, "three_public")
    if found:
        ti, t = found
        s = _scale(t)
        for ri, r in enumerate(t.rows):
            code = three_public_item(r.name)
            if code:
                d.three_public.append(
                    Item(
                        r.name or "",
                        _money(r.values.get("total"), s),
                        code,
                        table_kind=t.kind,
                        table_index=ti,
                        row_index=ri,
                        line=r.line,
                        page=r.page,
                    )
                )
    return d
