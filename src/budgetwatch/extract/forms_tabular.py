"""项目支出绩效目标表, the 公开表: one row per project (name, amount, then its indicators in the columns to its
right), many projects in one ruled grid over many pages. The 申报表 is read by forms.py.
"""

from __future__ import annotations

import re

from ..model import Form
from ..read.settings import LAYOUT
from ..read.text import Line
from ..vocab.units import WHOLE_TOTAL_NAMES
from .forms import is_money_label
from .indicator_grid import (
    GRID_END,
    IndicatorReader,
    ValueColumns,
    from_column,
    from_level1,
    grid_anchor,
    has_indicator_tokens,
    is_grid_header,
    relative_columns,
)
from .text_rules import header_money_unit, nospace, parse_amount, squash

_NAME_HEADER = re.compile(r"项目[)）]?名称")  # 项目名称, 单位（项目）名称


def _is_name_header(label: str) -> bool:
    """项目名称, 单位（项目）名称 — also with the clipped text of the page before's name cell drawn into it
    (项目名称11000026T000003712938-道路交通信号)."""
    return len(label) <= 12 and bool(_NAME_HEADER.search(label)) or bool(re.match(r"项目名称\d{6,}", label))


def is_tabular(body: list[Line]) -> bool:
    """A header row naming 项目名称 and 金额 side by side, with 绩效指标 columns to their right."""
    for ln in body[:8]:
        labels = [nospace(c) for c in ln.cells]
        name = [j for j, c in enumerate(labels) if _is_name_header(c)]
        money = [j for j, c in enumerate(labels) if is_money_label(c)]
        ind = [j for j, c in enumerate(labels) if c in ("绩效指标", "一级指标", "绩效目标", "指标名称")]
        if name and money and ind and name[0] < money[0] < ind[-1]:
            return True
    return False


def parse_tabular(
    title: Line, body: list[Line], current: Form | None, reader: IndicatorReader | None
) -> tuple[list[Form], Form | None, IndicatorReader | None]:
    forms: list[Form] = []
    before = current  # the form the table's previous part ended with
    name_j = amount_j = ind_j = None
    columns: ValueColumns | None = None  # 三级指标/性质/值/单位 counted from the 一级指标 column
    unit = None
    grid_header: Line | None = None  # the row naming the grid's columns
    first_form_in_table = True
    merged_left = False  # the project columns are merged over each project's rows (seen on a row not ruled above)
    unnamed: list[tuple[Line, list[str]]] = []  # a block opened at a page's foot whose name is printed overleaf
    spans: tuple | None = None  # the header's column bands: a row's name and amount are read at their x
    names = MergedNames()  # the text of name cells merged over several projects, printed outside the grid rows
    printed: dict[int, str] = {}  # each form's amount as printed (a wrapped one goes on overleaf)
    header_goes_on = False  # the row before was the grid's header, printed again over a page
    goals_only = False  # the header names no 指标 column (项目名称 | 金额 | 绩效目标): each row's goal is prose

    def feed(lines):
        form, rd = current, reader  # the closure's: narrowed here
        if goals_only:
            return
        for held, tokens in lines:
            ind = rd.read(tokens, held.location) if form is not None and rd is not None else None
            if ind and form is not None:
                form.indicators.append(ind)

    def open_form(name: str, amount: float, amt_text: str, location, first: Line, band) -> None:
        """A project's form begins: its indicators read from here on (a merged name waits for its text)."""
        nonlocal current, reader
        current = Form(
            project=squash(name), amount=amount, money_unit=unit or "万元", location=location, layout="tabular"
        )
        forms.append(current)
        printed[id(current)] = amt_text
        reader = IndicatorReader(value_columns=columns)
        if name == MERGED:
            names.pending(current, first, band)

    def settle(held, until: Line | None):
        """A block opened without its name and amount, not this row's: the project's own where the pages
        draw its merged cells' text (clipped, outside the grid rows) below its first row, else the rows of
        the project going on."""
        going_on = current is not None and (current.project, current.amount)

        def new_block(d: tuple[str | None, str]) -> bool:  # not the text of the project going on
            return not going_on or d[0] not in (None, going_on[0]) or _amount(d[1]) != going_on[1]

        drawn = [d for d in names.drawn(held[0][0], until) if new_block(d)] if held and spans else []
        if drawn and spans:
            name, amt_text = drawn[0]
            if _ruled_at(held[0][0], spans[0]) is False:
                name = MERGED  # one name cell over several amounts: the project before's, named at the end
            else:  # the name's lines in the grid's row (visible), then those drawn below the grid (clipped)
                name = _joined_once(_cell_at(held[0][0], spans[0]) or "", name or "") or None
            if name:
                amount = float(parse_amount(amt_text))  # type: ignore[arg-type]
                open_form(name, amount, amt_text, held[0][0].location, held[0][0], spans[0])
        feed(held)

    for ln in body:
        labels = [nospace(c) for c in ln.cells]
        if name_j is None and any(_is_name_header(c) for c in labels):
            name_j = next(j for j, c in enumerate(labels) if _is_name_header(c))
            amount_j = next((j for j, c in enumerate(labels) if is_money_label(c)), None)
            ind_j = next((j for j, c in enumerate(labels) if c in ("绩效指标", "一级指标")), None)
            if is_grid_header(ln.cells):  # 项目名称 | 金额 | 当年绩效目标 | 指标名称 | 指标性质 | 指标值 …
                ind_j, grid_header = grid_anchor(ln.cells), ln
            unit = next((header_money_unit(c) for c in labels if header_money_unit(c)), None)
            columns = relative_columns(ln.cells) or columns
            goals_only = ind_j is None and not any("指标" in c for c in labels)
            if ln.spans and amount_j is not None and max(name_j, amount_j) < len(ln.spans):
                spans = (ln.spans[name_j], ln.spans[amount_j])
            continue
        if name_j is not None and spans and ln.opens is None:
            names.see(ln, spans)
        if name_j is None or not ln.is_row:
            continue
        if is_grid_header(ln.cells):
            ind_j, grid_header = grid_anchor(ln.cells), ln
            columns = relative_columns(ln.cells) or columns
            header_goes_on, goals_only = True, False
            continue
        if (
            header_goes_on
            and not has_indicator_tokens(ln.cells)
            and _project_cells(ln, name_j, amount_j, spans)[1] is None
        ):
            continue  # the header's second row printed again overleaf (其中： › 财政资金 | 其他资金): no block opens
        header_goes_on = False
        first = next((c for c in labels if c), "")
        if GRID_END.match(first):
            continue
        if merged_left and ln.opens is None:
            continue  # text outside the ruled grid: a cell's overflow at the page's foot, printed again overleaf
        name, amt, amt_text = _project_cells(ln, name_j, amount_j, spans)
        anchored = from_level1(ln.cells)
        if (
            current is not None
            and not name
            and _wraps_overleaf(printed.get(id(current)), amt_text, printed, ln, current)
        ):
            joined = printed[id(current)].replace(",", "") + amt_text  # 3,327.5954 | 37 (overleaf): 3327.595437
            current.amount, printed[id(current)] = float(joined), joined
            name, amt = "", None
        elif (
            not name
            and amt is not None
            and ln.opens is not None
            and first == nospace(amt_text)  # nothing printed left of the amount (not 合计 | | 270.00)
            and not (current is not None and current.amount == float(amt) and _first_on_page(current, ln))
        ):
            name = MERGED  # a project whose name cell is merged over several: named from its printed text below
        if (
            name
            and amt is not None
            and nospace(name) not in WHOLE_TOTAL_NAMES
            and not _continues_overleaf(current, name, amt, ln, anchored)
        ):
            overleaf = [u for u in unnamed if u[0].page is not None and u[0].page != ln.page]
            if len(overleaf) != len(unnamed):  # the held block is not this project's: it was the last one's
                settle(unnamed, ln)
                overleaf = []
            head = _name_cell(overleaf[0][0].cells, name_j) if overleaf else ""
            if head and _PROJECT_CODE.match(nospace(name)) and not _PROJECT_CODE.match(nospace(head)):
                # the name printed whole overleaf: the text held is the end of the project before's name, run
                # below its cell (…信息系 | 统运维类项)
                if current is not None and current.project and current.project != MERGED:
                    current.project = squash(current.project + head)
            elif head:  # the name's first line may be printed with those rows: 11000026T00000382 | 9604-职防院…
                name = head + name
            unnamed = []
            location = (title if first_form_in_table else ln).location
            first_form_in_table = False
            # a merged name cell begins with the project's first rows (held from the page before)
            open_form(
                name, float(amt), amt_text, location, overleaf[0][0] if overleaf else ln, spans[0] if spans else None
            )
            feed(overleaf)  # its first rows, printed at the foot of the page before its name
            tokens = (
                anchored
                if anchored is not None
                else ln.cells[ind_j:]
                if ind_j is not None
                else ln.cells[amount_j + 1 :]
                if amount_j is not None  # always, where an amount was read
                else ln.cells
            )
        elif nospace(name) in WHOLE_TOTAL_NAMES or (name and amt is None and not has_indicator_tokens(ln.cells)):
            continue  # the unit's total row, or the unit's name row
        else:
            tokens = anchored if anchored is not None else from_column(ln, ind_j, grid_header, columns)
            if (
                name
                and amt is None
                and not any(u[0].page == ln.page for u in unnamed)  # no row of the page held before it
                and current is not None
                and current.project
                and _first_on_page(current, ln)
            ):
                if current.project == MERGED:  # the merged cell's name, printed in this page's rows
                    current.project = squash(name)
                elif not nospace(current.project).endswith(nospace(name)):
                    current.project = _joined_once(current.project, name)  # the name's end, printed overleaf
            # a block opened without its amount (its name's first line at most): the rest is printed overleaf
            opens = _ruled_at(ln, spans[1] if spans else None)
            if opens is False and current is not None:
                merged_left = True  # (the table's first column may be ruled on every row: the amount's says)
            if merged_left and (not name or opens and amt is None) and (opens or unnamed):
                if opens and unnamed:  # a second unnamed block: the first was not awaiting a name
                    settle(unnamed, ln)
                    unnamed = []
                unnamed.append((ln, tokens))
                continue
        feed([(ln, tokens)])
    settle(unnamed, None)
    names.resolve(forms, before)
    return _without_subtotals(forms), current, reader


def _first_on_page(current: Form, ln: Line) -> bool:
    """The row is the first of the current form on a new page."""
    last = current.indicators[-1].page if current.indicators else current.location.get("page")
    return ln.page is not None and last is not None and ln.page > last


def _continues_overleaf(current: Form | None, name: str, amt: float, ln: Line, anchored) -> bool:
    """The project's name and amount printed again at the top of the next page over the rest of its
    indicators: the same form going on (unless its grid starts over with its first indicator)."""
    if current is None or nospace(name) not in nospace(current.project) or current.amount != float(amt):
        return False  # the same name, or the part of it a page draws (its cell clipped at the page's top)
    last = current.indicators[-1].page if current.indicators else current.location.get("page")
    if ln.page is None or last is None or ln.page == last:
        return False
    first = nospace(current.indicators[0].name) if current.indicators else None
    return not (first and anchored and first in (nospace(c) for c in anchored))


def _without_subtotals(forms: list[Form]) -> list[Form]:
    """A row naming the unit over its projects (201056 | 某单位 | 270.00) is a subtotal, not a form: it has
    no indicator and its amount is the sum of the projects that follow, up to the next such row."""
    out = []
    for k, f in enumerate(forms):
        if not f.indicators and f.amount is not None:
            run = []
            for g in forms[k + 1 :]:
                if not g.indicators:
                    break
                run.append(g.amount or 0)
            if run and abs(sum(run) - f.amount) < 0.005:
                continue
        out.append(f)
    return out


def _name_cell(cells, name_j: int) -> str:
    """The text in the project-name column (or one to the left, where a page drops the first column)."""
    for j in (name_j, name_j - 1):
        if 0 <= j < len(cells) and cells[j] and parse_amount(cells[j]) is None and not from_level1(cells[j : j + 1]):
            return cells[j]
    return ""


def _project_cells(ln: Line, name_j: int, amount_j: int | None, spans) -> tuple[str, float | None, str]:
    """The project's name and amount (and the amount as printed) at the header's columns: by the columns' x
    where the grid gives it (a page whose name column is blank may draw no column there), else by index — or
    one column to the left, where a page after the header drops the table's empty first column."""
    cells = ln.cells
    if spans and ln.opens is not None and ln.spans and len(ln.spans) == len(cells):  # a grid row: columns
        at_x = [_cell_at(ln, band) for band in spans]
        if at_x[1] is not None:
            text = at_x[1]
            return at_x[0] or "", _amount(text), text
        if _grid_right_of(ln, spans[1]):
            return "", None, ""  # the page lies inside the project's merged cells: its rows print indicators only

    def at(shift: int):
        nj, aj = name_j + shift, (amount_j + shift) if amount_j is not None else None
        name = cells[nj] if 0 <= nj < len(cells) else ""
        text = cells[aj] if aj is not None and 0 <= aj < len(cells) else ""
        return name, _amount(text), text

    name, amt, text = at(0)
    if (not name or parse_amount(name) is not None) and name_j > 0:
        shifted = at(-1)
        if shifted[0] and parse_amount(shifted[0]) is None and shifted[1] is not None:
            return shifted
    return name, amt, text


def _ruled_at(ln: Line, band) -> bool | None:
    """Is the grid row ruled above in the column band (x0, x1): does a cell begin there? Read at the header's
    name column, it says a project's name cell begins; at its amount column, a project's block (a name cell
    may be merged over several projects of one name). Without such a band, the row's first column says."""
    if band and ln.ruled and ln.spans:
        for ruled, (x0, x1) in zip(ln.ruled, ln.spans):
            if min(x1, band[1]) - max(x0, band[0]) > 0.5 * min(x1 - x0, band[1] - band[0]):
                return ruled
        if _grid_right_of(ln, band):
            return False
    return ln.opens


def _grid_right_of(ln: Line, band) -> bool:
    """The row's grid begins right of the column band: no ruling crosses that column on the page (the whole
    page lies inside one project's merged name and amount cells, drawn apart from the indicators' grid), so
    no cell begins there: a row of indicators of the project going on, none of whose cells is a name."""
    if not ln.spans or ln.opens is None:
        return False
    return ln.spans[0][0] >= band[1] - 0.5 * (band[1] - band[0])


def _joined_once(before: str, after: str) -> str:
    """A name cell's end printed overleaf, after the lines the page before drew of it: where both pages drew
    a line (clipped at the break), it is taken once (…交通标志优化 + 部分）交通标志优化改造项目)."""
    a, b = squash(before), squash(after)
    k = next((k for k in range(min(len(a), len(b)), 2, -1) if a.endswith(b[:k])), 0)
    return a + b[k:]


def _amount(text: str) -> float | None:
    a = parse_amount(text)
    return float(a) if a is not None else None


def _cell_at(ln: Line, band) -> str | None:
    """The row's cell in the column band (x0, x1), or None where the row has no column there."""
    for c, (x0, x1) in zip(ln.cells, ln.spans or ()):
        if min(x1, band[1]) - max(x0, band[0]) > 0.5 * min(x1 - x0, band[1] - band[0]):
            return c
    return None


def _wraps_overleaf(before: str | None, text: str, printed: dict, ln: Line, current: Form) -> bool:
    """The first row of a page printing only digits in the amount column, under a project whose amount has
    fewer decimals than the table's others: the amount's cell wrapped onto this page (3,327.5954 | 37)."""
    if not before or "." not in before or not re.fullmatch(r"\d{1,6}", text or "") or not _first_on_page(current, ln):
        return False
    most = max((len(t.split(".")[1]) for t in printed.values() if "." in t), default=0)
    return len(before.split(".")[1]) + len(text) <= most


_PROJECT_CODE = re.compile(r"\d{8}[A-Z]\d{6,12}")  # 11000024Y000002890218- before a Beijing project's name
MERGED = "\x00merged"  # a project row whose name cell is blank: its name is printed below, outside the rows


class MergedNames:
    """A name cell merged over several projects that runs over pages is printed (in the text layer) on every
    page it spans, outside the grid's rows: the lines in the name column that are no grid row. A project row
    with a blank name takes the name that page prints: the first below its row, else the last above it —
    or, on a row not ruled above (the merged cell goes on) or first on its page, the previous project's."""

    def __init__(self):
        self.parts: dict[int, list[tuple[float, float, str]]] = {}  # page → (top, bottom, text) in order
        self.amounts: dict[int, list[tuple[float, str]]] = {}  # page → (top, amount as printed) in the amount column
        self.waiting: list[tuple[Form, Line, tuple | None]] = []  # a project row, the name column's band

    def see(self, ln: Line, spans) -> None:
        band, money = spans
        if ln.page is None:
            return
        slack = LAYOUT.name_band_slack
        for c, box in zip(ln.cells, ln.boxes or ()):
            # a cell from the name column into the amount column ends with the amount: 急指挥中心信 299.633600
            last = c.split()[-1] if c and box and band[0] - slack <= box[0] <= money[1] and box[2] > money[0] else ""
            if parse_amount(last) is not None:
                self.amounts.setdefault(ln.page, []).append((box[1], last))
            if not c or not box or box[0] < band[0] - slack or box[0] > band[1]:
                continue
            if box[2] > band[1] + slack:  # 0002785976- 71.355806 71.355806: the amounts' overflow on the same line
                words = c.split()
                c = words[0] if len(words) > 1 and all(parse_amount(w) is not None for w in words[1:]) else ""
            if c and parse_amount(c) is None:
                self.parts.setdefault(ln.page, []).append((box[1], box[3], c))

    def drawn(self, first: Line, until: Line | None) -> list[tuple[str | None, str]]:
        """The names and amounts printed outside the grid rows between a block's first row and the next
        block's (`until`), in order. A merged cell's text is centred on the cell: printed on the page where
        that falls, in the middle of a page lying inside the block, or drawn on every page the cell spans,
        clipped (above or below the page too) — there, on the page the block opens, below its first row.
        The block before's text is printed above the block's first row, the next block's below `until`."""
        if first.page is None or not first.boxes:
            return []
        top = min(b[1] for b in first.boxes if b)
        last = until.page if until is not None and until.page is not None else max(self.amounts, default=0)
        end = min((b[1] for b in until.boxes or () if b), default=None) if until is not None else None
        out: list[tuple[str | None, str]] = []
        for page in range(first.page, last + 1):
            lo = top if page == first.page else float("-inf")
            hi = end if until is not None and page == until.page and end is not None else float("inf")
            named = [n for t, n in self._names(page) if lo <= t < hi]
            out += [(named[0] if named else None, a) for t, a in self.amounts.get(page, []) if lo <= t < hi]
        return out

    def pending(self, form: Form, ln: Line, band) -> None:
        self.waiting.append((form, ln, band))

    def _names(self, page: int) -> list[tuple[float, str]]:
        out: list[tuple[float, float, str]] = []
        for top, bottom, text in self.parts.get(page, []):
            if out and top - out[-1][1] <= 1.5 * (bottom - top):
                out[-1] = (out[-1][0], bottom, out[-1][2] + text)
            else:
                out.append((top, bottom, text))
        return [(top, squash(text)) for top, _, text in out]

    def resolve(self, forms: list[Form], prev: Form | None) -> None:
        waiting = {id(f): (ln, band) for f, ln, band in self.waiting}
        for f in forms:
            ln, band = waiting.get(id(f), (None, None))
            if ln is not None and f.project == MERGED:
                names = self._names(ln.page) if ln.page is not None else []
                first = prev is not None and _first_on_page(prev, ln)
                if (
                    prev is not None
                    and prev.project
                    and (_ruled_at(ln, band) is False or first and prev.project in dict((n, t) for t, n in names))
                ):
                    f.project = prev.project
                else:
                    top = ln.boxes and min(b[1] for b in ln.boxes if b) or 0.0
                    below = [n for t, n in names if t >= top]
                    above = [n for t, n in names if t < top]
                    # no name printed on the page: the merged cell of the project before goes on
                    f.project = next(iter(below[:1] or above[-1:]), prev.project if prev is not None else None)
            prev = f
