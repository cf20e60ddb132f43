"""Indicator grids: the rows of 一级/二级/三级指标 and their values, in every form layout.

Grids are read by vocabulary, not by position: converters and OCR shift cells left and right, but 一级/二级
labels are a closed vocabulary, so each row reads as [一级] [二级] 三级名称 指标值 [then, in 申报表, the 年度
block, which is skipped]. Where the header says the second text of a row is not its value (方向 | 值 | 单位
printed apart, or 指标解释 between the name and the value), the row is read by the header's columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Indicator
from ..read.text import Line
from ..vocab.indicators import FRAME_LABELS, LEVEL1, LEVEL2_PARENT
from .indicator_levels import PrintedRow, realign
from .text_rules import nospace, squash
from .vocabulary import level1_of, level1_piece, level2_of

_VALUE_LIKE = re.compile(
    r"^(?:[≥≤=<>≧≦＞＜]|[+-]?\d|.*[%％]$|(?:是|否|有|无|合格|良好|优|达标|提升|提高|降低|减少|健全|完善|"
    r"完成|及时|按时|按期|有效|明显|显著|逐步|持续|全年|共享|节约|规范|满意|合理|安全|稳定|正常|长期|一年)"
    r")"
)
GRID_END = re.compile(r"^(负责人|填报日期|联系电话|经办人|备注|审核人|填报人|单位负责人)")
# the next section's heading under a form (2.部门整体支出绩效目标表, 3.有关情况说明, 第四部分, 名词解释):
# the grid has ended
_SECTION_HEADING = re.compile(
    r"^((\d{1,2}|[一二三四五六七八九十]{1,3})[.．、]\S{2,40}(表|说明)|第[一二三四五六七八九十]{1,3}部分\S{0,20}|名词解释)$"
)


def _own_levels(tokens: list[str]) -> bool:
    """Four texts, the last a value, none a framework label: the first two are the row's 一级 and 二级
    (never a header row printed again overleaf: 指标性质 | 计量单位 | 指标权重(%) | 是否核心)."""
    return (
        len(tokens) == 4
        and value_like(tokens[3])
        and not any(value_like(t) or "指标" in t or level2_of(nospace(t)) for t in tokens[:3])
        and not any(_is_column_label(t) for t in tokens)
    )


def level2_cell(line: Line | None, frame: frozenset = FRAME_LABELS) -> str | None:
    """A PDF grid row printing no 二级 label: "merged" where the cell its 二级 label would sit in (right of a
    printed 一级 label, else left of the row's first text) is blank and merged with the cell above, "ruled"
    where it is blank and ruled above ("ruled1" where the 一级 cell left of it is so too); None for a row
    printing a 二级 label, or not read from a PDF grid."""
    if line is None or line.ruled is None:
        return None
    cells = [nospace(c) for c in line.cells]
    texts = [j for j, c in enumerate(cells) if c and c not in frame]
    if not texts or any(level2_of(cells[j]) for j in texts[:3]):
        return None
    l1 = next((j for j in texts[:2] if level1_of(cells[j])), None)
    k = l1 + 1 if l1 is not None else texts[0] - 1
    if k < 0 or k >= len(cells) or cells[k] or k >= len(line.ruled):
        return None
    if not line.ruled[k]:
        return "merged"
    # the 一级 cell left of it blank and ruled above too: a block of both levels opened without labels
    return "ruled1" if l1 is None and k >= 1 and not cells[k - 1] and line.ruled[k - 1] else "ruled"


def _is_column_label(t: str) -> bool:
    n = nospace(t)
    return bool(_UNIT_LABEL.match(n) or _VALUE_LABEL.match(n) or _DIRECTION_LABEL.match(n))


def ends_grid(ln) -> bool:
    """A line below a grid that is no part of it: a signature line, or the heading of what follows."""
    first = next((c for c in ln.cells if c), "")
    return bool(GRID_END.match(nospace(first))) or not ln.is_row and bool(_SECTION_HEADING.match(nospace(ln.text)))


def value_like(s: str) -> bool:
    t = nospace(s)
    return bool(t) and len(t) <= 24 and bool(_VALUE_LIKE.match(t))


@dataclass
class ValueColumns:
    """Grids that print 指标方向 / 指标值 / 计量单位 in columns of their own."""

    name: int
    parts: list[int]


class IndicatorReader:
    """Reads indicator rows one at a time, carrying the governing 一级/二级 labels down the grid."""

    def __init__(
        self, value_columns: ValueColumns | None = None, annual_start: int | None = None, frame: frozenset = frozenset()
    ):
        self.annual_start = annual_start  # column where the 年度 block begins, in 申报表 grids
        self.value_columns = value_columns
        self.frame = FRAME_LABELS | frame  # the grid's own frame labels besides the framework's (frame_of)
        self.level1: str | None = None
        self.level2: str | None = None
        self.rows: list[PrintedRow] = []
        self.pending: list[str] = []  # labels printed on a row that gave no indicator
        self.page: int | None = None  # the page of the last indicator read
        self.unlabelled: list[PrintedRow] = []  # a 二级 block opened without its label (printed overleaf?)
        self.filled: list[PrintedRow] = []  # the rows the last label printed apart was given
        self.apart = False  # the line before was a label printed apart from its rows
        self.open_level1 = False  # that block's 一级 cell was blank and ruled above too

    def read(self, cells, where: dict, line: Line | None = None) -> Indicator | None:
        """The indicator a grid row holds, or None; every indicator of the grid so far gets its levels.
        `line`: the row as laid out (a PDF grid row), whose rulings tell a merged 二级 cell from a blank one."""
        page = where.get("page")
        overleaf = page is not None and self.page is not None and page != self.page
        cell = level2_cell(line, self.frame)
        ind, labels = self._read(cells, where, cell, overleaf)
        if ind is None:
            self.pending += labels
            apart, self.apart = self.apart, bool(labels)
            if labels:  # a label printed apart from its rows (the middle of its merged cell, or clipped)
                self._fill(labels[-1])
            elif apart and [nospace(c) for c in cells if c] == ["指标"]:
                self._wrapped()  # 社会效益 | 指标: the label wrapped in its cell, read as two lines
            return None
        self.filled, self.apart = [], False
        row = PrintedRow(ind, self.pending + labels, ind.level1, ind.level2)
        self.rows.append(row)
        self.pending = []
        if cell in ("ruled", "ruled1") and not labels and not overleaf:
            self.unlabelled, self.open_level1 = [row], cell == "ruled1"
        elif labels:
            if overleaf:
                self._fill(labels[-1])
            self.unlabelled = []
        elif self.unlabelled:
            self.unlabelled.append(row)
        self.page = page
        realign(self.rows)
        return ind

    def _fill(self, label: str) -> None:
        """A 二级 cell merged over rows that run on overleaf prints its label once, at its middle: often
        overleaf, or apart from the grid. A block opened by a ruled blank 二级 cell takes the first label
        printed after it, apart from the rows or on the first row overleaf; else it stays without one."""
        if level1_of(label):  # the block's 一级, where its cell was blank too; the 二级 may follow
            if self.open_level1:
                for r in self.unlabelled:
                    r.level1 = label
            return
        rows, self.unlabelled = self.unlabelled, []
        self.filled = []
        parent = LEVEL2_PARENT.get(label)
        if rows and (parent in (rows[0].level1, None) or self.open_level1):
            for r in rows:
                r.level1, r.level2 = parent or r.level1, label
            self.filled = rows

    def _wrapped(self) -> None:
        label = f"{self.level2}指标"
        if label in LEVEL2_PARENT and LEVEL2_PARENT[label] == self.level1:
            for r in self.filled:
                r.level2 = label
            self.level2 = label
        self.filled = []

    def _read(self, cells, where: dict, cell: str | None, overleaf: bool) -> tuple[Indicator | None, list[str]]:
        """The row's indicator (or None) and the 二级 (or lone 一级) labels printed on it. `cell`: what
        level2_cell says of the row's 二级 cell; `overleaf`: the row is the first read on its page."""
        first = next((j for j, c in enumerate(cells) if c), None)
        if first is None or (self.annual_start is not None and first >= self.annual_start):
            return None, []  # a row printed only in the 年度 block
        annual: list[str] = []
        if self.annual_start is not None and not self.value_columns and where.get("page") is not None:
            # 实施期 block | 年度 block: read the first; the second only lends a value the first leaves blank
            # (PDF grids only: their cells sit in the header's columns, a converted text's may not)
            annual = [c for c in (squash(x) for x in cells[self.annual_start :]) if c and nospace(c) not in self.frame]
            cells = cells[: self.annual_start]
        tokens = [c for c in (squash(x) for x in cells) if c and nospace(c) not in self.frame]
        if not tokens:
            return None, []
        row_l1: str | None = None
        l2s: list[str] = []
        rest: list[str] = []
        twice = False
        for k, t in enumerate(tokens):
            n = nospace(t)
            if twice:  # the second of a label printed in both level columns
                twice = False
                continue
            if not rest and not l2s and n in LEVEL1 and len(tokens) - k >= 4 and nospace(tokens[k + 1]) == n:
                row_l1, twice = n, True  # 成本指标 | 成本指标 | 育儿补贴国家基础标准 | 3600元/人/年
                l2s.append(n)
                continue
            if not rest:
                piece = level1_piece(n) if not (row_l1 or l2s) and len(tokens) - k >= 3 else None
                if piece is not None:
                    if piece and piece != self.level1:
                        row_l1 = piece  # 效 over the page break: the 一级 it begins; 益指标 under it goes on
                    continue
                if level1_of(n) and not l2s:
                    row_l1 = level1_of(n)
                    continue
                l2 = level2_of(n)
                # a level label after the row's 二级 with only the value to its right is the 三级 (服务对象满意度)
                named = l2s and len(tokens) == k + 2 and value_like(tokens[-1])
                if l2 and not (l2s and l2 == l2s[-1]) and not named:
                    l2s.append(l2)
                    continue
                rest.append(t)
            else:
                if level1_of(n) or level2_of(n):
                    break  # the 年度 block (or the next level) begins
                rest.append(t)
            if len(rest) == 2:
                break
        if not row_l1 and not l2s and _own_levels(tokens):
            # 一级 | 二级 outside the framework's labels (一般性支出情况 | 一般性支出情况 | “三公”经费控制率 | ≤100%)
            row_l1, l2s = nospace(tokens[0]), [nospace(tokens[1])]
            rest = tokens[2:]
            self.level1 = row_l1
        printed = list(l2s) or ([row_l1] if row_l1 else [])
        # the governing 一级 printed again, alone on its line (the middle of its merged cell, apart from the
        # grid) or on a row whose 二级 cell goes on from the row above (merged, or the page's first row): the
        # 二级 goes on too; a ruled blank 二级 cell under it has none
        again = row_l1 is not None and row_l1 == self.level1 and not l2s
        if row_l1 and not (again and (len(tokens) == 1 or cell == "merged" or cell == "ruled" and overleaf)):
            self.level1, self.level2 = row_l1, None
        elif not row_l1 and not l2s and cell in ("ruled", "ruled1") and not overleaf:
            self.level2 = None  # a 二级 block opened without its label: not the block above's
        if l2s and l2s[-1] not in LEVEL2_PARENT:
            self.level2 = l2s[-1]
        elif l2s:
            self.level2 = l2s[-1]
            parent = LEVEL2_PARENT[l2s[-1]]
            if (
                len(l2s) >= 2
                or not row_l1
                and self.level1 != parent
                and not (self.level1 == "成本指标" and parent in ("产出指标", "成本指标"))
            ):
                self.level1 = parent
        if self.value_columns:
            return self._positional(self.value_columns, cells, where), printed
        if (
            len(rest) == 1
            and annual
            and not value_like(rest[0])
            and not (level1_of(annual[-1]) or level2_of(annual[-1]))
            and nospace(annual[-1]) != nospace(rest[0])
        ):
            rest.append(annual[-1])  # a blank 实施期 value takes the 年度 value (spec)
        if len(rest) >= 2:
            name, value = rest[0], rest[1]
        elif len(rest) == 1 and value_like(rest[0]):
            name, value = (squash(l2s[0]) if len(l2s) == 1 and not row_l1 else ""), rest[0]
            if not name and re.fullmatch(r"-?\d{1,4}-?", nospace(value)):
                return None, printed  # a page number under the form, not an indicator
        else:
            return None, printed
        return Indicator(
            level1=self.level1,
            level2=self.level2,
            name=squash(name),
            value=nospace(value),
            line=where.get("line"),
            page=where.get("page"),
        ), printed

    def _positional(self, vc: ValueColumns, cells, where: dict) -> Indicator | None:
        get = lambda j: squash(cells[j]) if j < len(cells) and cells[j] else ""  # noqa: E731
        name = get(vc.name)
        # 定性/定量 says what kind of value it is, not how to compare: qualitative values stay as printed
        value = "".join(t for t in (nospace(get(j)) for j in vc.parts) if t not in ("定性", "定量"))
        if not value or not name or level2_of(name) and not value:
            return None
        level1, level2 = self.level1, self.level2
        m = _LEVELS_IN_NAME.match(nospace(name))
        if m and m.group(3):  # 产出指标数量指标北京市行政执法资格考试人数: the levels printed in the name's cell
            level1, level2, name = m.group(1), m.group(2), m.group(3)
        return Indicator(
            level1=level1, level2=level2, name=name, value=value, line=where.get("line"), page=where.get("page")
        )


_LEVELS_IN_NAME = re.compile(
    "^("
    + "|".join(sorted({*LEVEL2_PARENT.values()}))
    + ")("
    + "|".join(sorted(LEVEL2_PARENT, key=len, reverse=True))
    + ")(.*)$"
)


_UNIT_LABEL = re.compile(r"^(绩效)?(计量|度量)?单位$")
_VALUE_LABEL = re.compile(r"^(本年|年度)?(绩效)?(指标值|目标值)$")
# 指标值类型 holds the comparison (＝, ≥, or 定性 for a qualitative value)
_DIRECTION_LABEL = re.compile(r"^(绩效)?(指标方向|指标性质|指标值类型|符号|运算符|比较符)$")


def value_columns(header) -> ValueColumns | None:
    """Read by position where the grid prints the value in parts (方向 | 值 | 单位), or prints another text
    column between the name and its value (指标解释, 指标值内容): there the second text of a row is not its value."""
    labels = [nospace(c) for c in header]
    unit_j = [j for j, c in enumerate(labels) if _UNIT_LABEL.match(c)]
    # one cell: 产出指标数量指标… (北京 预算13表) — not a 绩效指标 frame beside 一级指标 columns of their own
    name_j = [j for j, c in enumerate(labels) if c in ("三级指标", "指标名称")] or [
        j for j, c in enumerate(labels) if c == "绩效指标" and "一级指标" not in labels
    ]
    val_j = [j for j, c in enumerate(labels) if _VALUE_LABEL.match(c)]
    dir_j = [j for j, c in enumerate(labels) if _DIRECTION_LABEL.match(c)]
    if not name_j or not val_j:
        return None
    between = [j for j in range(name_j[0] + 1, val_j[0]) if labels[j] and j not in dir_j]
    if not unit_j and not between:
        return None
    return ValueColumns(name=name_j[0], parts=dir_j[:1] + val_j[:1] + unit_j[:1])


def is_grid_header(cells) -> bool:
    """一级指标 | 二级指标 | 三级指标 | 指标值 …, or a grid without levels: 指标名称 | 指标性质 | 指标值 | 计量单位."""
    if not any("标" in c for c in cells):  # every header label below has it (and no other character NFKCs to it)
        return False
    labels = [nospace(c) for c in cells]
    return (
        "一级指标" in labels
        and ("三级指标" in labels or "指标值" in labels or "二级指标" in labels)
        or _unlabelled_level1(labels)
        or ("指标名称" in labels or "绩效指标" in labels)
        and any(_VALUE_LABEL.match(c) for c in labels)
    )


def _unlabelled_level1(labels: list[str]) -> bool:
    """| 二级指标 | 指标内容 | 指标值: a header leaving the 一级指标 cell blank (its rows print 产出指标… there)."""
    k = labels.index("二级指标") if "二级指标" in labels and "一级指标" not in labels else 0
    return (
        k > 0
        and not labels[k - 1]
        and any(c in ("三级指标", "指标内容", "指标名称") for c in labels[k + 1 :])
        and any(_VALUE_LABEL.match(c) for c in labels[k + 1 :])
    )


def frame_of(header) -> frozenset[str]:
    """The labels a grid's header prints left of its first indicator column (绩效目标指标 | 一级指标 | …): where
    each row is ruled apart, a row prints that label again in its own first cell, and it is no indicator text."""
    if not header or not is_grid_header(header):
        return frozenset()
    return frozenset(n for n in (nospace(c) for c in header[: grid_anchor(header)]) if n)


def grid_anchor(cells) -> int:
    """The column a grid's rows are read from: 一级指标, or 指标名称 (绩效指标) where it prints no level columns."""
    labels = [nospace(c) for c in cells]
    if _unlabelled_level1(labels):
        return labels.index("二级指标") - 1
    return next(labels.index(lab) for lab in ("一级指标", "指标名称", "绩效指标") if lab in labels)


def relative_columns(header) -> ValueColumns | None:
    """Value columns counted from the grid's first column: pages shift columns, not their order."""
    vc = value_columns(header)
    if vc is None or not is_grid_header(header):
        return None
    base = grid_anchor(header)
    return ValueColumns(name=vc.name - base, parts=[p - base for p in vc.parts])


def from_level1(cells) -> list[str] | None:
    """The row's cells from its 一级指标 on, found by vocabulary (an empty cell stands in for a 一级 label
    merged over the rows above)."""
    for j, c in enumerate(cells):
        n = nospace(c)
        after = next((nospace(x) for x in cells[j + 1 :] if x), "")
        # 成本指标 is a 二级 under 产出指标, and a 一级 over 经济成本指标… in the 2026 forms
        if level1_of(n) or (level2_of(n) and LEVEL2_PARENT.get(level2_of(after) or "") == n):
            return list(cells[j:])
        if level2_of(n):
            return [""] + list(cells[j:])
    return None


def has_indicator_tokens(cells) -> bool:
    return any(level1_of(nospace(c)) or level2_of(nospace(c)) for c in cells if c)


def from_column(ln: Line, ind_j: int | None, header: Line | None, columns: ValueColumns | None):
    """A row without level labels, read by position: its cells from the grid's first column on, where the row
    lies in the header's columns (one cell short: the page dropped the empty first column; ruled otherwise:
    each cell goes to the header column over it)."""
    cells: Sequence[str] = ln.cells
    if columns is None or ind_j is None or header is None:
        return cells
    width = len(header.cells)
    if len(cells) not in (width, width - 1):
        placed = _under_header(ln, header)
        if placed is None:
            return ln.cells
        cells = placed
    return list(cells[ind_j - (width - len(cells)) :])


def _under_header(ln: Line, header: Line) -> list[str] | None:
    """The row's cells placed under the header by their position: a cell goes to the header column its centre
    lies in, or to the labelled column a merged header cell begins at."""
    if not ln.boxes or not header.spans:
        return None
    out = [""] * len(header.cells)
    for c, b in zip(ln.cells, ln.boxes):
        if not c or b is None:
            continue
        cx = (b[0] + b[2]) / 2
        j = next((k for k, s in enumerate(header.spans) if s[0] <= cx < s[1]), None)
        if j is None:
            return None
        while j > 0 and not header.cells[j]:
            j -= 1
        out[j] = out[j] + c if out[j] else c
    return out
