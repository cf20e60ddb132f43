"""项目支出绩效目标表 → Form objects: the 申报表 (a header block, then one indicator grid) and the 公开表 (one
row per project, its indicators in the columns to its right). Their grids are read by indicator_grid.py; the
整体支出绩效目标表 by unit_forms.py.
"""

from __future__ import annotations

import re

from ..model import Form
from ..read.text import Line
from .indicator_grid import (
    IndicatorReader,
    ends_grid,
    frame_of,
    has_indicator_tokens,
    is_grid_header,
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
    grid_start: int | None = None
    reader = None
    header: list[str] = []  # set with grid_start
    whole_period = None
    headed = False  # a header block (项目名称, 资金 …) printed above the grid
    form_info: dict[str, str] = {}
    for k, ln in enumerate(body):
        if grid_start is not None:
            break  # the header block ends where the grid begins
        cells = [c for c in ln.cells]
        labels = [nospace(c) for c in cells]
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
        and grid_start is not None
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
        if continuing and previous is not None
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
            ind = reader.read(ln.cells, ln.location, ln)
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
_HEADER_FACT_SET = frozenset(_HEADER_FACTS)


def _header_facts(info: dict[str, str], labels: list[str]) -> None:
    """The 申报表 header's facts a reviewer checks (项目期 against the funds, 填报日期 against the budget
    year, the arithmetic of 项目概况): label → the next non-empty cell."""
    for i, lab in enumerate(labels):
        key = lab.rstrip(":：")
        if key in _HEADER_FACT_SET and key not in info:
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
