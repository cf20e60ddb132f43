"""整体支出绩效目标表 → a Form with project None and, where it prints one, its budget block as a
`unit_performance` table."""

from __future__ import annotations

import re

from ..model import Form, Row, Table
from ..read.text import Line
from .indicator_grid import (
    IndicatorReader,
    ends_grid,
    from_column,
    from_level1,
    grid_anchor,
    is_grid_header,
    relative_columns,
)
from .tables import filled_header_grid
from .text_rules import header_money_unit, money_unit_in, nospace, parse_money, squash

# ---- 整体支出绩效目标表: a budget block (a small two-block table) and one grid -----------------

_INFO_LABEL = re.compile(r"编制数|在职人员|实有人|人员总数|职能部门数|预算单位数")
_INFO_VALUE = re.compile(r"^\d{1,6}(人|个|名)?$")
_BLOCK_HEAD = re.compile(r"^按.*划分$|^按资金")  # label | amount pairs under 按收入来源划分 …
# the form's money: the block's total, however it is named
_TOTAL = re.compile(r"^(合计|总计|金额合计|总额|(年度|预算)?资金总额|预算(支出)?总额)$")
_NOT_MONEY = re.compile(r"编码|代码|名称|目标|说明")


def parse_unit_form(
    title: Line, body: list[Line], previous: tuple[Form, IndicatorReader] | None = None
) -> tuple[Form, Table | None, IndicatorReader | None]:
    """The form, its budget block as a table (None where it prints none) and the grid's reader. With
    `previous` (the form before, when this part repeats its title on the next page) the grid goes on
    with the levels it had."""
    table = None
    blocks: list[tuple[int, str]] = []
    money_unit = None
    reader: IndicatorReader | None = None
    grid_at, grid_header = None, None
    columns = None
    above: list[Line] = []  # the rows over the grid: a budget block of label | amount pairs or of columns
    form = Form(project=None, amount=None, money_unit=None, location=title.location, layout="unit")
    for ln in body:
        labels = [nospace(c) for c in ln.cells]
        if not ln.is_row:
            money_unit = money_unit or money_unit_in(ln.text)  # 单位：万元 over the form
        for j, lab in enumerate(labels[:-1]):  # 核定的人员编制数 | 31人 | 实际在职人员总数 | 33人
            if _INFO_LABEL.search(lab) and _INFO_VALUE.match(labels[j + 1]) and lab not in form.info:
                form.info[lab] = labels[j + 1]
        if reader is None and is_grid_header(ln.cells):
            grid_at, grid_header = grid_anchor(ln.cells), ln
            columns = relative_columns(ln.cells)
            reader = IndicatorReader(value_columns=columns)
            if previous is not None:
                reader.level1, reader.level2 = previous[1].level1, previous[1].level2
            table = table or _budget_block(title, above, money_unit)
            above.append(ln)
            continue
        if reader is not None:
            if ends_grid(ln):
                break
            if table is None:  # 年度预算申请 › 资金总额 | 按收入性质分 › … printed beside the grid's first row
                table = _money_columns(title, above, ln, grid_at, money_unit)
            tokens = from_level1(ln.cells) or from_column(ln, grid_at, grid_header, columns)
            ind = reader.read(tokens, ln.location, ln)
            if ind:
                form.indicators.append(ind)
            continue
        heads = [(j, c) for j, c in enumerate(labels) if _BLOCK_HEAD.match(c)]
        if heads:
            blocks = heads
            money_unit = next((header_money_unit(c) for c in labels if header_money_unit(c)), money_unit)
            table = Table(
                kind="unit_performance",
                title=squash(title.text),
                money_unit=money_unit or "万元",
                location=title.location,
            )
            continue
        if blocks and table is not None:
            for row in _block_pairs(ln, labels, blocks):
                table.rows.append(row)
            continue
        if ln.is_row and table is None:
            above.append(ln)
    if table is None and reader is None:
        table = _budget_block(title, above, money_unit)
    if table is not None:
        # the block's total: a row of its own, or the first block's 合计 (按资金来源划分 › 合计)
        totals = sorted((r for r in table.rows if _TOTAL.match(nospace(r.name))), key=lambda r: r.block is not None)
        if totals:
            form.amount = totals[0].values["total"]
            form.money_unit = table.money_unit
        table.empty = not table.rows
        table.columns = ["total"]
    return form, table, reader


def _budget_block(title: Line, rows: list[Line], money_unit: str | None) -> Table | None:
    """The budget block printed over the grid: rows of label | amount pairs (资金总额 | 81562.56), or columns
    named above a row of amounts (the row of totals where several rows of tasks are printed)."""
    with_amounts = [ln for ln in rows if any(parse_money(c) is not None for c in ln.cells)]
    if not with_amounts:
        return None
    unit = money_unit or next((header_money_unit(c) for ln in rows for c in ln.cells if header_money_unit(c)), None)
    if all(_pairs_only(ln) for ln in with_amounts):
        table = Table(
            kind="unit_performance", title=squash(title.text), money_unit=unit or "万元", location=title.location
        )
        for ln in with_amounts:  # not 部门预算编码 | 301
            table.rows.extend(
                r for r in _block_pairs(ln, [nospace(c) for c in ln.cells], []) if not _NOT_MONEY.search(r.name or "")
            )
        return table if table.rows else None
    first = rows.index(with_amounts[0])
    total = next((ln for ln in with_amounts if any(_TOTAL.match(nospace(c)) for c in ln.cells)), with_amounts[0])
    return _money_columns(title, rows[:first], total, len(total.cells), unit)


def _pairs_only(ln: Line) -> bool:
    """Every amount of the row has its label in the cell before it."""
    filled = [c for c in ln.cells if c]
    return all(k and parse_money(filled[k - 1]) is None for k, c in enumerate(filled) if parse_money(c) is not None)


def _money_columns(title: Line, above: list[Line], row: Line, stop: int | None, money_unit: str | None) -> Table | None:
    """A budget block printed as columns: each amount of `row` left of `stop` named by the innermost header
    over it; the header spanning a group of columns (按收入性质分) is the row's block, unless it spans them all."""
    header = [ln for ln in above if len(ln.cells) == len(row.cells)]
    while (
        header
        and _NOT_MONEY.search(nospace(next((c for c in header[0].cells if c), "")))
        and len([c for c in header[0].cells if c]) <= 2
    ):
        header = header[1:]  # 部门名称 | 北京市司法局 over the block
    money = {j: m for j, c in enumerate(row.cells[:stop]) if (m := parse_money(c)) is not None}
    at = list(money)
    if not header or not at:
        return None
    paths = filled_header_grid([[nospace(c) for c in ln.cells] for ln in header])
    at = [j for j in at if any(p[j] for p in paths) and not _NOT_MONEY.search([p[j] for p in paths if p[j]][-1])]
    unit = money_unit or next((header_money_unit(c) for ln in header for c in ln.cells if header_money_unit(c)), None)
    table = Table(kind="unit_performance", title=squash(title.text), money_unit=unit or "万元", location=title.location)
    for j in at:
        path = [p[j] for p in paths if p[j]]
        spans_all = lambda lab: all(lab in (p[k] for p in paths) for k in at)  # noqa: E731
        block = path[-2] if len(path) >= 2 and not spans_all(path[-2]) else None
        table.rows.append(
            Row(
                name=path[-1],
                values={"total": float(money[j])},
                block=block,
                line=row.location.get("line"),
                page=row.page,
                printed={"total": row.cells[j]},
            )
        )
    return table if table.rows else None


def _block_pairs(ln: Line, labels, blocks) -> list[Row]:
    out, pending = [], None
    for j, c in enumerate(labels):
        if not c:
            continue
        a = parse_money(c)
        if a is None:
            pending = (j, c)
            continue
        if pending is None:
            continue
        pj, name = pending
        block = [b for bj, b in blocks if bj <= pj]
        name = re.sub(r"^其中[:：]?", "", name)
        out.append(
            Row(
                name=name,
                values={"total": float(a)},
                block=block[-1] if block else None,
                line=ln.location.get("line"),
                page=ln.page,
                printed={"total": ln.cells[j]},
            )
        )
        pending = None
    return out
