"""Rows and cells cut by a page break: a table row whose cells run on at the top of the next page (or past the
page's bottom ruling) is one row, its cut name and cut figures joined."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from ..model import Row, Table
from ..read.text import Line
from ..vocab.units import GRAND_TOTAL_NAMES, TOTAL_NAMES, names_pattern
from .columns import Column
from .text_rules import ENUM, decimals, nospace, parse_amount, squash
from .vocabulary import ROW_NUMBER_LABELS

TOTAL_NAME = re.compile(names_pattern(TOTAL_NAMES, GRAND_TOTAL_NAMES))
_GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def overlap(a: tuple, b: tuple) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def join_overflowed_names(
    lines: list[Line],
    made: dict[int, dict[int, tuple[Row, Line]]],
    columns: list[Column],
    parts: list[tuple[int, int]],
) -> None:
    """A name cell cut by a page break finishes the name of the page's last row (…综合交通运输研究 | 中心): its
    end alone in the name column of the next page's first grid row with no figure, or its last line run past
    the table's bottom ruling (drawn clipped, read below the grid: …其他环境保护管理事务 | 支出) — once, where
    both are printed. A line printing several parts side by side (收入 | 功能分类 | 经济分类 …) may cut a cell
    in each: each part (its first and end column, its rows by line) finishes its own last row. A line that
    numbers itself (序号 32 | 上年结转 | | 结转下年) is a row without figures, and a total's name is whole."""
    numbered = {c.index for c in columns if ROW_NUMBER_LABELS.match(nospace(c.label))}
    for lo, hi in parts:
        names = {c.index for c in columns if c.role == "name" and lo <= c.index < hi}
        if made.get(lo) and names:
            _join_part(lines, made[lo], names, numbered, (lo, hi))


def _join_part(
    lines: list[Line], made: dict[int, tuple[Row, Line]], names: set[int], numbered: set[int], part: tuple[int, int]
) -> None:
    lo, hi = part
    nos = sorted(made)
    finished: set[int] = set()  # rows a cut name atop the next page finished: once
    for n in lines:
        k = bisect_left(nos, n.no) - 1
        if n.page is None or not n.spans or k < 0:
            continue
        row, ln = made[nos[k]]
        ref = ln.spans or n.spans
        at = {j: _column_of(n.spans[j], ref) for j, c in enumerate(n.cells) if c and j < len(n.spans)}
        filled = [j for j, col in at.items() if lo <= col < hi]
        if len(filled) != 1 or any(col in numbered for col in at.values()):
            continue
        if TOTAL_NAME.match(nospace(row.name or "")) or id(row) in finished:
            continue
        if k + 1 < len(nos) and made[nos[k + 1]][0].page == row.page:
            continue  # not the last row of its page
        text = squash(n.cells[filled[0]])
        if ENUM.match(text) or TOTAL_NAME.match(nospace(text)) or re.search(r"\d|[:：。]", text):
            continue
        if nospace(row.name or "").endswith(nospace(text)):
            continue  # read on both pages: taken once
        if row.page == n.page - 1 and len(n.cells) >= 2 and (k + 1 >= len(nos) or made[nos[k + 1]][0].page == n.page):
            if at[filled[0]] in names:
                row.name = (row.name or "") + text
                finished.add(id(row))
        elif row.page == n.page and _next_line_of(ln, n.boxes[filled[0]] if n.boxes else None, names):
            row.name = (row.name or "") + text


def _column_of(span: tuple, ref: tuple) -> int:
    """The column of the reference grid a cell's band overlaps most."""
    return max(range(len(ref)), key=lambda i: overlap(span, ref[i]))


def _next_line_of(ln: Line, box, names: set[int]) -> bool:
    """A line of text right below the row's name, where the name's next line would be printed: it begins where
    the name's lines begin and follows them at the lines' spacing."""
    if not box or not ln.boxes:
        return False
    size = box[3] - box[1]
    return any(
        j in names and b and abs(box[0] - b[0]) < 1 and 0 <= box[1] - b[3] < 0.5 * size and len(ln.cells) > j
        for j, b in enumerate(ln.boxes)
    )


def join_cut_rows(table: Table, made: dict[int, tuple[Row, Line]]) -> None:
    """A row too tall for the page's end goes on atop the next page: its wrapped cells' last lines (…机动 |
    车驾驶员考试服务中心, 12,437.3 | 6) are the first grid row there, every figure of which finishes a figure the
    page's last row left incomplete. Joined, that row is one row; a row of its own prints complete figures."""
    rows = [made[k][0] for k in sorted(made)]
    usual: dict[str, int | None] = {}  # a column's usual decimals, counted only where a page break asks
    gone: set[int] = set()
    for a, b in zip(rows, rows[1:]):
        if a.page is None or b.page != a.page + 1 or b.code or id(a) in gone:
            continue
        if b.name and (ENUM.match(b.name) or TOTAL_NAME.match(nospace(b.name))):
            continue
        if not all(k in a.values for k in b.values):
            continue
        joined = {k: nospace(a.printed.get(k)) + nospace(b.printed.get(k)) for k in b.values}
        for k in joined:
            if k not in usual:
                usual[k] = _usual_decimals(table.rows, k)
        if all(_cut(nospace(a.printed.get(k)), v, usual[k]) for k, v in joined.items()):
            a.name = (a.name or "") + (b.name or "")
            for k, v in joined.items():
                a.values[k], a.printed[k] = float(parse_amount(v) or 0), v
            gone.add(id(b))
    table.rows = [r for r in table.rows if id(r) not in gone]


def _usual_decimals(rows: list[Row], key: str) -> int | None:
    counts = Counter(decimals(r.printed[key]) for r in rows if key in r.printed)
    return counts.most_common(1)[0][0] if counts else None


def _cut(part: str, whole: str, usual: int | None) -> bool:
    """Is `part` a figure cut short whose rest makes `whole`: the part has fewer decimals than its column
    prints or breaks its thousands grouping, the whole has neither fault."""

    def sound(t: str) -> bool:
        digits = t.replace("-", "").split(".")[0]
        return decimals(t) == usual and ("," not in t or bool(_GROUPED.match(t))) and len(digits) > 0

    return parse_amount(whole) is not None and sound(whole) and not sound(part)
