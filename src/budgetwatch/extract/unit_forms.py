"""整体支出绩效目标表 → a Form with project None and, where it prints one, its budget block as a
`unit_performance` table."""
from __future__ import annotations

import re

from ..model import Form, Row, Table
from ..read.text import Line
from .indicator_grid import GRID_END, IndicatorReader, is_grid_header, value_columns
from .text_rules import header_money_unit, nospace, parse_amount, squash

# ---- 整体支出绩效目标表: a budget block (a small two-block table) and one grid -----------------

_INFO_LABEL = re.compile(r"编制数|在职人员|实有人|人员总数|职能部门数|预算单位数")
_INFO_VALUE = re.compile(r"^\d{1,6}(人|个|名)?$")


def parse_unit_form(title: Line, body: list[Line]) -> tuple[Form, Table | None]:
    table = None
    blocks: list[tuple[int, str]] = []
    money_unit = None
    grid_reader = None
    grid = False
    form = Form(project=None, amount=None, money_unit=None, location=title.location, layout="unit")
    for ln in body:
        labels = [nospace(c) for c in ln.cells]
        for j, lab in enumerate(labels[:-1]):   # 核定的人员编制数 | 31人 | 实际在职人员总数 | 33人
            if _INFO_LABEL.search(lab) and _INFO_VALUE.match(labels[j + 1]) and lab not in form.info:
                form.info[lab] = labels[j + 1]
        if not grid and is_grid_header(ln.cells):
            grid = True
            grid_reader = IndicatorReader(value_columns=value_columns(ln.cells))
            continue
        if grid:
            first = next((c for c in labels if c), "")
            if GRID_END.match(first):
                break
            ind = grid_reader.read(ln.cells, ln.location)
            if ind:
                form.indicators.append(ind)
            continue
        heads = [(j, c) for j, c in enumerate(labels) if re.match(r"^按.*划分$|^按资金", c)]
        if heads:
            blocks = heads
            money_unit = next((header_money_unit(c) for c in labels if header_money_unit(c)), None)
            table = Table(kind="unit_performance", title=squash(title.text), money_unit=money_unit or "万元",
                          location=title.location)
            continue
        if blocks and table is not None:
            for row in _block_pairs(ln, labels, blocks):
                table.rows.append(row)
    if table is not None:
        totals = [r for r in table.rows if nospace(r.name) in ("合计", "总计")]
        if totals:
            form.amount = totals[0].values["total"]
            form.money_unit = table.money_unit
        table.empty = not table.rows
        table.columns = ["total"]
    return form, table


def _block_pairs(ln: Line, labels, blocks) -> list[Row]:
    out, pending = [], None
    for j, c in enumerate(labels):
        if not c:
            continue
        a = parse_amount(c)
        if a is None:
            pending = (j, c)
            continue
        if pending is None:
            continue
        pj, name = pending
        block = [b for bj, b in blocks if bj <= pj]
        name = re.sub(r"^其中[:：]?", "", name)
        out.append(Row(name=name, values={"total": float(a)}, block=block[-1] if block else None,
                       line=ln.location.get("line"), page=ln.page, printed={"total": ln.cells[j]}))
        pending = None
    return out
