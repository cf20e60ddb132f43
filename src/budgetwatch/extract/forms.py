"""项目支出绩效目标表 → Form objects: the 申报表 (a header block, then one indicator grid) and the 公开表 (one
row per project, its indicators in the columns to its right). Their grids are read by indicator_grid.py; the
整体支出绩效目标表 by unit_forms.py.
"""

from __future__ import annotations

import re

from ..model import Form
from ..read.text import Line
from ..vocab.units import WHOLE_TOTAL_NAMES
from .indicator_grid import (
    GRID_END,
    IndicatorReader,
    ValueColumns,
    ends_grid,
    frame_of,
    from_column,
    from_level1,
    grid_anchor,
    has_indicator_tokens,
    is_grid_header,
    relative_columns,
    value_columns,
)
from .text_rules import header_money_unit, money_unit_in, nospace, parse_amount, parse_money, squash
from .vocabulary import TABLE_NUMBER, level1_of, level2_of

PROJECT_LABEL = re.compile(r"^(项目名称|项目|专项[（(]?项目[)）]?名称|专项(资金)?名称|转移支付名称)$")
TABLE_LABEL = re.compile(rf"^(?:{TABLE_NUMBER})[:：、.]?")  # the number before a title's name


def project_named(ln: Line) -> str | None:
    """The project a form's header line names: 项目名称 | X as cells, or “专项（项目）名称 X” printed as one
    line where the grid's rulings were not drawn."""
    parts = [c for c in ln.cells if c] if ln.is_row else ln.text.split(maxsplit=1)
    if len(parts) > 1 and PROJECT_LABEL.match(nospace(parts[0])):
        return squash(parts[1])
    # 项目编码 | 3706… | 项目名称 | 市场监管发展专项: the label further along the header row
    for label, value in zip(parts[1:], parts[2:]):
        if nospace(label) in ("项目名称", "专项名称", "专项资金名称"):
            return squash(value)
    return None


def is_money_label(label: str) -> bool:
    """A header naming the project's money: 金额（万元）, 资金, 项目总额, 预算数 (figures drawn into the header's
    cell from the page before, 100.000000项目总额, left out)."""
    label = _STRAY_FIGURES.sub("", label)
    return len(label) <= 12 and (
        "金额" in label or "资金" in label or "总额" in label or label in ("预算数", "项目预算")
    )


_STRAY_FIGURES = re.compile(r"[\d,]+\.\d+")


def _amount_after(cells, i) -> float | None:
    for c in cells[i + 1 :]:
        if not c:
            continue
        a = parse_money(c)  # 337770.89万元
        if a is not None:
            return float(a)
        if not re.search(r"\d", c):
            continue
        break
    m = re.search(r"[:：]\s*([\d,]+(?:\.\d+)?)", cells[i])
    if m:
        a = parse_amount(m.group(1))
        return float(a) if a is not None else None
    return None


# the form's money for the year: 年度资金总额, 年度预算资金总额：, 当年预算, 资金总额 in a 专项资金情况 block,
# 年度金额： in a 资金情况（万元） block, 年度预算资金（万元） | 140
_ANNUAL_AMOUNT = re.compile(
    r"^(年度(预算)?资金总额|年度预算(金额|数)?[:：]|当年预算(金额|数)?[:：]?$|当年财政拨款预算金额|"
    r"(项目|预算)?资金总额[:：]?$|资金总额[:：（(]|年度金额[:：]?$|年度预算资金([（(][^)）]*[)）])?[:：]?$)"
)

# a money label cut over two cells (实施资金金额其中：（万元） | 期资金总 | 额： 55.72): read on the row's text
_AMOUNT_IN_ROW = re.compile(r"(实施期|期|年度)?(预算)?资金总额[:：]([\d,]+(?:\.\d+)?)")

# a title that names its table, not a project (政策和项目预算绩效目标表 over every page of every form)
_GENERIC_TITLE = re.compile(r"^(?:[（(]\d{4}年度?[)）])?(?:部门)?(?:政策和项目预算|专项资金|项目|项目支出|政策)$")


# 单位编码_单位名称_ before the project in a title (301007_泉州市公安局晋江国际机场分局_科技兴警…): who runs
# the project, not its name
_UNIT_PREFIX = re.compile(r"^\d{3,}_[^_]{2,40}_")


# ---- 申报表: header block, then one indicator grid ----------------------------------------


def parse_declaration(
    title: Line, body: list[Line], previous: Form | None, prev_reader: IndicatorReader | None
) -> tuple[Form, IndicatorReader, bool]:
    """One 申报表 form. Returns (form, reader, merged) — merged when this part continues `previous`."""
    project, amount, unit = None, None, None
    grid_start, reader, header = None, None, None
    whole_period = None
    headed = False  # a header block (项目名称, 资金 …) printed above the grid
    form_info: dict[str, str] = {}
    for k, ln in enumerate(body):
        cells = [c for c in ln.cells]
        labels = [nospace(c) for c in cells]
        if grid_start is None:
            if not ln.is_row and unit is None:
                unit = money_unit_in(ln.text)  # 单位：万元 over the form
            if is_grid_header(cells):
                grid_start, header = k, cells
                continue
            if _first_indicator_row(cells):  # a grid printed without its 一级/二级指标 header row
                grid_start, header = k - 1, []
                continue
            headed = headed or ln.is_row
            named = project_named(ln)
            if project is None and named:
                project = named
            for i, lab in enumerate(labels):
                if "资金" in lab and unit is None:
                    unit = header_money_unit(lab)
                if amount is None and _ANNUAL_AMOUNT.match(lab):
                    amount = _amount_after(cells, i)
                if lab.startswith("实施期资金总额") and whole_period is None:
                    whole_period = _amount_after(cells, i)
            m = _AMOUNT_IN_ROW.search("".join(labels)) if amount is None and whole_period is None else None
            if m and parse_amount(m.group(3)) is not None:
                a = float(parse_amount(m.group(3)))  # type: ignore[arg-type]
                if m.group(1) == "年度":
                    amount = a
                else:
                    whole_period = a
            _header_facts(form_info, labels)
    if amount is None:  # a form that prints only 实施期资金总额 (a one-year 专项): that is its money
        amount = whole_period
    if unit is None and amount is not None:
        unit = "元"
    if project is None:
        # one form per project, the project named in the title (项目名称绩效目标表)
        named_in = _UNIT_PREFIX.sub("", TABLE_LABEL.sub("", nospace(title.text)))
        m = re.match(r"^(.{2,60}?)(?:项目)?(?:支出)?绩效目标(?:申报)?表", named_in)
        if (
            m
            and not re.search(r"级预算部门|部门\(单位\)|部门（单位）", m.group(1))
            and not _GENERIC_TITLE.match(m.group(1))
        ):
            project = m.group(1)
    # the same form on the next page — unless its grid starts over: a 一级 label where the project is unknown,
    # or the first indicator again (a form printed twice is a defect to report, not a page to join)
    # a page that prints only the grid (no header block, no project, no money) under the running title
    # continues the form before it
    headless = not headed and project is None and amount is None and grid_start is not None
    continuing = (
        previous is not None
        and previous.layout == "declaration"
        and headless
        and not _restarts(previous, body[grid_start + 1 :])
    ) or (
        previous is not None
        and previous.layout == "declaration"
        and nospace(previous.project) == nospace(project)
        and (previous.amount == amount or (amount is None and not headed))
        and grid_start is not None
        and (
            not _starts_with_level1(body[grid_start + 1 :])
            if project is None
            else not _restarts(previous, body[grid_start + 1 :])
        )
    )
    form = (
        previous
        if continuing
        else Form(project=project, amount=amount, money_unit=unit, location=title.location, layout="declaration")
    )
    if continuing:
        form.pages += 1
        reader = prev_reader
    else:
        if whole_period is not None:
            form_info["实施期资金总额"] = f"{whole_period:g}"
        form.info.update(form_info)
    if grid_start is not None:
        if reader is None:
            labels = [nospace(c) for c in header]
            values_at = [j for j, c in enumerate(labels) if c == "指标值"]
            annual = None
            if len(values_at) >= 2:
                annual = values_at[0] + 1
            reader = IndicatorReader(value_columns=value_columns(header), annual_start=annual, frame=frame_of(header))
        for ln in body[grid_start + 1 :]:
            if ends_grid(ln):
                _header_facts(form.info, [nospace(c) for c in ln.cells])  # 填报日期 below the grid
                break
            if is_grid_header(ln.cells):
                continue
            if _overflow(form, ln):
                form.indicators[-1].value += nospace(ln.text)
                continue
            ind = reader.read(ln.cells, ln.location)
            if ind:
                form.indicators.append(ind)
    return form, reader or IndicatorReader(), continuing


def _overflow(form: Form, ln: Line) -> bool:
    """A few characters alone atop the next page: the end of the last value, run overleaf (…新格 / 局)."""
    last = form.indicators[-1] if form.indicators else None
    return (
        last is not None
        and not ln.is_row
        and ln.page is not None
        and last.page is not None
        and ln.page == last.page + 1
        and 0 < len(nospace(ln.text)) <= 4
        and not re.search(r"\d", ln.text)
        and len(last.value) > 24
        and not last.value.endswith(("。", "；", ";"))
    )


# 主管部门及代码 ("001-兴县人大常委会办公室"): the department code a finance feed names the unit by (feed/match.py)
_HEADER_FACTS = ("项目属性", "项目期", "项目概况", "立项依据", "填报日期", "主管部门及代码", "实施单位")


def _header_facts(info: dict[str, str], labels: list[str]) -> None:
    """The 申报表 header's facts a reviewer checks (项目期 against the funds, 填报日期 against the budget
    year, the arithmetic of 项目概况): label → the next non-empty cell."""
    for i, lab in enumerate(labels):
        key = next((k for k in _HEADER_FACTS if lab.rstrip(":：") == k), None)
        if key and key not in info:
            val = next((c for c in labels[i + 1 :] if c), "")
            if val and val.rstrip(":：") not in _HEADER_FACTS:
                info[key] = val


def _first_indicator_row(cells) -> bool:
    """绩效指标 | 产出指标 | 数量指标 | … : the grid's first row standing in for its header."""
    tokens = [nospace(c) for c in cells if c]
    return (
        len(tokens) >= 4
        and tokens[0] in ("绩效指标", "年度绩效指标")
        and bool(level1_of(tokens[1]))
        and bool(level2_of(tokens[2]))
    )


def _restarts(previous: Form, lines: list[Line]) -> bool:
    """Does this grid begin with the previous part's first indicator?"""
    if not previous.indicators:
        return False
    first = nospace(previous.indicators[0].name)
    row = next((ln for ln in lines if ln.is_row and has_indicator_tokens(ln.cells)), None)
    return row is not None and first in (nospace(c) for c in row.cells)


def _starts_with_level1(lines: list[Line]) -> bool:
    for ln in lines:
        tokens = [nospace(c) for c in ln.cells if c]
        if tokens:
            return any(level1_of(t) for t in tokens[:3])
    return False


# ---- 公开表: one row per project, indicators in the columns to its right -----------------------

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

    def feed(lines):
        for held, tokens in lines:
            ind = reader.read(tokens, held.location) if current is not None and reader is not None else None
            if ind:
                current.indicators.append(ind)

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
            if ln.spans and amount_j is not None and max(name_j, amount_j) < len(ln.spans):
                spans = (ln.spans[name_j], ln.spans[amount_j])
            continue
        if name_j is not None and spans and ln.opens is None:
            names.see(ln, spans[0])
        if name_j is None or not ln.is_row:
            continue
        if is_grid_header(ln.cells):
            ind_j, grid_header = grid_anchor(ln.cells), ln
            columns = relative_columns(ln.cells) or columns
            header_goes_on = True
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
                feed(unnamed)
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
            current = Form(
                project=squash(name),
                amount=float(amt),
                money_unit=unit or "万元",
                location=(title if first_form_in_table else ln).location,
                layout="tabular",
            )
            first_form_in_table = False
            forms.append(current)
            printed[id(current)] = amt_text
            if name == MERGED:
                names.pending(current, ln, spans[0] if spans else None)
            reader = IndicatorReader(value_columns=columns)
            feed(overleaf)  # its first rows, printed at the foot of the page before its name
            tokens = (
                anchored
                if anchored is not None
                else (ln.cells[ind_j:] if ind_j is not None else ln.cells[amount_j + 1 :])
            )
        elif nospace(name) in WHOLE_TOTAL_NAMES or (name and amt is None and not has_indicator_tokens(ln.cells)):
            continue  # the unit's total row, or the unit's name row
        else:
            tokens = anchored if anchored is not None else from_column(ln, ind_j, grid_header, columns)
            if name and amt is None and current is not None and current.project and _first_on_page(current, ln):
                if current.project == MERGED:  # the merged cell's name, printed in this page's rows
                    current.project = squash(name)
                elif not nospace(current.project).endswith(nospace(name)):
                    current.project = _joined_once(current.project, name)  # the name's end, printed overleaf
            if ln.opens is False and current is not None:
                merged_left = True
            # a block opened without its amount (its name's first line at most): the rest is printed overleaf
            opens = _ruled_at(ln, spans[1] if spans else None)
            if merged_left and (not name or opens and amt is None) and (opens or unnamed):
                if opens and unnamed:  # a second unnamed block: the first was not awaiting a name
                    feed(unnamed)
                    unnamed = []
                unnamed.append((ln, tokens))
                continue
        feed([(ln, tokens)])
    feed(unnamed)
    names.resolve(forms, before)
    return _without_subtotals(forms), current, reader


def _first_on_page(current: Form, ln: Line) -> bool:
    """The row is the first of the current form on a new page."""
    last = current.indicators[-1].page if current.indicators else current.location.get("page")
    return ln.page is not None and last is not None and ln.page > last


def _continues_overleaf(current: Form | None, name: str, amt: float, ln: Line, anchored) -> bool:
    """The project's name and amount printed again at the top of the next page over the rest of its
    indicators: the same form going on (unless its grid starts over with its first indicator)."""
    if current is None or nospace(current.project) != nospace(name) or current.amount != float(amt):
        return False
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
    return ln.opens


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
        self.waiting: list[tuple[Form, Line, tuple | None]] = []  # a project row, the name column's band

    def see(self, ln: Line, band) -> None:
        if ln.page is None:
            return
        for c, box in zip(ln.cells, ln.boxes or ()):
            if not c or not box or box[0] < band[0] - 3 or box[0] > band[1]:
                continue
            if box[2] > band[1] + 3:  # 0002785976- 71.355806 71.355806: the amounts' overflow on the same line
                words = c.split()
                c = words[0] if len(words) > 1 and all(parse_amount(w) is not None for w in words[1:]) else ""
            if c and parse_amount(c) is None:
                self.parts.setdefault(ln.page, []).append((box[1], box[3], c))

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
                    f.project = (below[:1] or above[-1:] or [prev.project if prev is not None else None])[0]
            prev = f
