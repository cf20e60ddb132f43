"""One table's lines → a canonical Table: header levels → column roles and keys → rows.

Columns are located by header text, never by position: the innermost header level names a
column, outer levels (spanning cells) give context (a year, 上年结转, the 收入/支出 side).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..model import Row, Table
from ..read.settings import LAYOUT
from ..read.text import Line
from ..vocab.columns import COLUMN_RULES
from ..vocab.kinds import ECONOMIC_KINDS
from ..vocab.units import GENERIC_TOTAL_LABELS
from .codes import CodeTracker
from .columns import Column
from .page_breaks import TOTAL_NAME, join_cut_rows, join_overflowed_names, overlap
from .text_rules import (
    ENUM,
    header_money_unit,
    is_code,
    money_unit_in,
    nospace,
    parse_amount,
    squash,
    strip_enum,
)
from .three_public import admin_operating_of, items_as_rows
from .vocabulary import (
    CODE_LABELS,
    FALLBACK_NAME_LABELS,
    GOV_NAME_LABELS,
    NAME_LABELS,
    SKIP_LABELS,
    column_key,
    kind_by_content,
)

TWO_SIDED = ("summary", "fiscal_summary")
_SPILL = re.compile(r"^([^\d\s.,-]{1,6})\s+(-?[\d,]+(?:\.\d+)?)$")
# a note that the table has no data this year: 本表无数据, 此表为空, 故此表无数据, 注：本表本年无发生额
EMPTY_NOTE = re.compile(r"[本此该]表(?:无|为空|\S{0,4}无发生额)|为空表|无数据|空表")
# 2010101-行政运行, [30201]办公费: a code and its name in one cell
_CODE_NAME = re.compile(r"^[\[【［]?\s*(\d{3}|\d{5}|\d{7})(?:\s*[-－—_]|\s*[\]】］])\s*(\D.*)$")


MAX_HEADER_LEVELS = 4  # the most header rows a printed budget table stacks (部门预算 › 公共预算拨款 › 小计)


@dataclass
class TableContext:
    year: int | None
    stage: str | None
    unit: str | None = None
    units_seen: set[str] = field(default_factory=set)
    found_inside: list = field(default_factory=list)  # tables printed inside another (机关运行经费 in 三公)


def is_column_numbers(cells) -> bool:
    """A 栏次 row (1 2 3 …, or 栏次/行次 labels) numbers the columns and carries no data."""
    vals = [nospace(c) for c in cells if c and c.strip()]
    if not vals:
        return False
    if any(v in ("栏次", "行次") for v in vals):
        return all(v in ("栏次", "行次", "项目") or v.isdigit() for v in vals)
    if not all(v.isdigit() for v in vals) or len(vals) < 3:
        return False
    nums = [int(v) for v in vals]
    return nums[0] in (0, 1) and all(b == a + 1 for a, b in zip(nums, nums[1:]))


def _years_only(amounts: list[str]) -> bool:
    return all(re.fullmatch(r"20\d{2}", a) for a in amounts)


def is_data_row(cells) -> bool:
    nonempty = [(i, c) for i, c in enumerate(cells) if c]
    if not nonempty or is_column_numbers(cells):
        return False
    amounts = [c for _, c in nonempty if parse_amount(c) is not None]
    if amounts and not _years_only(amounts):
        return True
    i, first = nonempty[0]
    f = nospace(first)
    if TOTAL_NAME.match(f) and len(nonempty) > 2:
        return False  # 合计 | 基本支出 | 项目支出 …: the header of a table whose only row has no name
    return i == 0 and (is_code(f) or bool(TOTAL_NAME.match(f)) or bool(ENUM.match(first)))


_CODE_LEVELS = ("类", "款", "项")


def _code_labels_apart(ln: Line) -> tuple[tuple[str, ...], Line] | None:
    """类 | 款 | 项 printed in the code cells of the 合计 row (决算): the labels are the header's innermost
    level over the code columns, the rest of the row is the 合计 line."""
    at = {j for j, c in enumerate(ln.cells) if nospace(c) in _CODE_LEVELS}
    if len(at) < 2:
        return None
    head = tuple(c if j in at else "" for j, c in enumerate(ln.cells))
    return head, replace(ln, cells=tuple("" if j in at else c for j, c in enumerate(ln.cells)))


def _header_grid(header_rows: list[tuple[str, ...]], ncols: int) -> list[list[str]]:
    grid = [[nospace(r[j]) if j < len(r) else "" for j in range(ncols)] for r in header_rows]
    return grid


def _filled(row: list[str]) -> list[str]:
    out, last = [], ""
    for c in row:
        last = c or last
        out.append(last)
    return out


def filled_header_grid(rows: list[list[str]]) -> list[list[str]]:
    """Spanning header cells filled rightwards, but never past the end of the span above them: a blank
    under 公务接待费 is not the 公务用车运行维护费 printed to its left under another parent."""
    out: list[list[str]] = []
    for r, row in enumerate(rows):
        cur, last = [], ""
        for j, c in enumerate(row):
            if c:
                last = c
            elif r and j and rows[r - 1][j]:
                last = ""  # a new parent starts here
            cur.append(c or last)
        out.append(cur)
    return out


def _side_split(grid: list[list[str]]) -> int | None:
    """Column where the 支出 half of a two-sided table begins."""
    for row in grid:
        inc = [j for j, c in enumerate(row) if re.fullmatch(r"收入(项目)?|收入部分", c)]
        exp = [j for j, c in enumerate(row) if re.fullmatch(r"支出(项目)?|支出部分", c)]
        if inc and exp and exp[0] > inc[0]:
            return exp[0]
    for row in grid:
        names = [j for j, c in enumerate(row) if re.fullmatch(r"项目|科目名称|项目名称|经济科目名称|名称", c)]
        if len(names) >= 2:
            split = names[1]
            # a repeated column group (编码 | 名称 | 金额 | 编码 | 名称 | 金额) begins with its code column
            while split - 1 > names[0] and row[split - 1] and CODE_LABELS.search(row[split - 1]):
                split -= 1
            return split
    return None


def build_columns(header_rows, ncols, ctx: TableContext, kind: str) -> tuple[list[Column], int | None]:
    grid = _header_grid(header_rows, ncols)
    filled = filled_header_grid(grid[:-1]) + grid[-1:] if grid else []
    split = _side_split(grid) if grid else None
    cols = []
    for j in range(ncols):
        own = [grid[r][j] for r in range(len(grid)) if grid[r][j]]
        path = [filled[r][j] for r in range(len(filled)) if filled[r][j]]
        label = own[-1] if own else (path[-1] if path else "")
        side = None
        if split is not None:
            side = "income" if j < split else "expenditure"
        col = Column(index=j, role="auto", side=side, label=label, path=path)
        if not label:
            cols.append(col)
            continue
        if SKIP_LABELS.search(label) or label in ("单位编码", "项目编码", "项目代码", "单位代码"):
            col.role = "skip"
        elif GOV_NAME_LABELS.search(label):
            col.role = "gov_name"
        elif CODE_LABELS.search(label):
            col.role = "code"
            col.sub = label if label in ("类", "款", "项") else "code"
        elif NAME_LABELS.search(label) or label in ("收入", "支出"):
            col.role = "name"
        else:
            col.role = "value"
            col.key = column_key(label, path or [label], ctx.year, ctx.stage)
        cols.append(col)
    if not any(c.role == "name" for c in cols) and kind not in (
        "projects",
        "projects_carryover",
        "procurement",
        "purchase_services",
    ):
        # 科目编码 | 功能科目 | 总计 …: with no other name column, the 功能科目 column names the rows
        subject = next((c for c in cols if c.role == "skip" and c.label in ("功能科目", "经济科目")), None)
        if subject is not None:
            subject.role = "name"
    _mark_groups(cols)
    names = [c for c in cols if c.role == "name"]
    if kind in ("projects", "projects_carryover") and len(names) > 1 and any("项目" in c.label for c in names):
        for c in names:
            if "项目" not in c.label:
                c.role = "skip"  # 单位名称 beside 项目名称: the row is the project
    # 合计 under a header that spans every value column (一般公共预算基本支出 › 合计) is the total
    values = [c for c in cols if c.role == "value"]
    shared = set.intersection(*(set(nospace(p) for p in c.path[:-1]) for c in values)) if values else set()
    for c in values:
        if nospace(c.label) in GENERIC_TOTAL_LABELS and c.key and not c.key.startswith("x:") and c.key != "total":
            words = dict(COLUMN_RULES).get(c.key, ())
            decider = next((nospace(p) for p in reversed(c.path[:-1]) if any(w in nospace(p) for w in words)), None)
            if decider in shared:
                c.key = "total"
    # a table's only amount column is its total, whatever it is called (机关运行经费支出), unless its header
    # says it is another year's or a change
    if len(values) == 1 and (values[0].key or "").startswith("x:"):
        joined = nospace("".join(values[0].path or [values[0].label]))
        years = {int(y) for y in re.findall(r"(20\d{2})", joined)}
        if not re.search(r"增减|增长|变动|比上年|同比|%|上年", joined) and years <= {ctx.year}:
            values[0].key = "total"
    # one key names one column: a later column with the same key (上年结转 › 政府性基金 after
    # 本年收入 › 政府性基金, 2026年 › 因公出国（境）费 after 2025年 › 因公出国（境）费) keeps its label and
    # place, so a blank in the first never lets the second take its key
    seen: set = set()
    for col in cols:
        if col.role == "value" and col.key:
            if (col.side, col.group, col.key) in seen:
                # 总计 | 本年收入 › 小计 … | 上年结转结余 › 小计 …: this year's income beside the total
                this_year = col.key == "total" and any(nospace(p) == "本年收入" for p in col.path[:-1])
                col.key = (
                    "current"
                    if this_year and (col.side, col.group, "current") not in seen
                    else f"x:{col.label}#{col.index + 1}"
                )
            seen.add((col.side, col.group, col.key))
    return cols, split


def _mark_groups(cols: list[Column]) -> None:
    """An expenditure half may print several classifications side by side (功能分类 | 部门经济分类 |
    政府经济分类, each a name column and its amounts): each name column after the first starts a group."""
    names = [c.index for c in cols if c.side == "expenditure" and c.role in ("name", "gov_name")]
    for start in names[1:]:
        cols[start].role = "name"  # 政府预算经济分类 as a part of its own, not a name beside a code
        if start - 1 >= 0 and cols[start - 1].role == "code" and cols[start - 1].side == "expenditure":
            start -= 1
        for c in cols[start:]:
            c.group += 1
    if len(names) < 2:
        return
    # each part's lone amount column is its total, whatever its (often overflowing) header says
    for g in {c.group for c in cols if c.side == "expenditure"}:
        vals = [c for c in cols if c.side == "expenditure" and c.group == g and c.role == "value"]
        if len(vals) == 1 and (vals[0].key or "x:").startswith("x:"):
            vals[0].key = "total"


def column_groups(
    columns: list[Column], split: int | None, ncols: int
) -> list[tuple[str | None, int, int, str | None]]:
    """(side, first column, end column, block label) of each part of the table."""
    if split is None:
        return [(None, 0, ncols, None)]
    out: list[tuple[str | None, int, int, str | None]] = [("income", 0, split, None)]
    exp = [c for c in columns if c.side == "expenditure"]
    for g in sorted({c.group for c in exp}):
        idx = [c.index for c in exp if c.group == g]
        label = None
        if g:
            name = next((c for c in exp if c.group == g and c.role == "name"), None)
            label = squash(name.label) if name else f"第{g + 1}部分"
            if any(o[3] == label for o in out):
                label = f"{label}#{g + 1}"
        out.append(("expenditure", min(idx), max(idx) + 1 if g < max(c.group for c in exp) else ncols, label))
    return out


def find_money_unit(title: Line, notes: list[Line], header_rows) -> str | None:
    for text in [title.text] + [n.text for n in notes]:
        u = money_unit_in(text)
        if u:
            return u
    # a unit broken over two lines by the converter ("单位：万" / "元")
    joined = "".join(nospace(n.text) for n in notes[:6])
    u = money_unit_in(joined)
    if u:
        return u
    for r in header_rows:
        u = header_money_unit(" ".join(r)) or money_unit_in(" ".join(r))  # 单位：万元 printed in the grid
        if u:
            return u
    u = header_money_unit(title.text)
    return u


def align_columns(lines: list[Line]) -> list[Line]:
    """PDF pages of one table can have different grids (a continuation page without the header's
    extra rulings): put every cell in the column of the table's first grid that it overlaps most."""
    heads = [(ln, ln.spans) for ln in lines[:10] if ln.spans and len(ln.spans) == len(ln.cells) > 1]
    if not heads:
        return lines
    ref = max(heads, key=lambda h: len(h[0].cells))[1]  # the grid, not a note line above it
    tol = LAYOUT.same_grid
    out = []
    for ln in lines:
        sp = ln.spans
        if (
            not sp
            or len(sp) != len(ln.cells)
            or (len(sp) == len(ref) and all(abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol for a, b in zip(sp, ref)))
        ):
            out.append(ln)
            continue
        cells, boxes = [""] * len(ref), [None] * len(ref)
        for j, c in enumerate(ln.cells):
            if not c:
                continue
            k = max(range(len(ref)), key=lambda k: (overlap(sp[j], ref[k]), -abs(sum(sp[j]) - sum(ref[k]))))
            cells[k] = cells[k] + c if cells[k] else c
            boxes[k] = ln.boxes[j] if ln.boxes and j < len(ln.boxes) else None
        out.append(replace(ln, cells=tuple(cells), boxes=tuple(boxes), spans=ref))
    return out


def parse_table(title: Line, body: list[Line], kind: str, ctx: TableContext) -> Table:
    rows_lines = align_columns([ln for ln in body if ln.is_row])
    notes = [ln for ln in body if not ln.is_row and ln.text]
    first_row_no = rows_lines[0].no if rows_lines else None
    head_notes = [n for n in notes if first_row_no is None or n.no < first_row_no]
    header: list[tuple[str, ...]] = []
    data: list[Line] = []
    for ln in rows_lines:
        if not data and not is_data_row(ln.cells):
            if not is_column_numbers(ln.cells):
                header.append(ln.cells)
        else:
            if not data and (split_row := _code_labels_apart(ln)):
                header.append(split_row[0])
                ln = split_row[1]
            data.append(ln)
    ncols = max([len(c) for c in header] + [len(d.cells) for d in data] + [1])
    columns, split = build_columns(header, ncols, ctx, kind)
    econ = kind in ECONOMIC_KINDS or any("经济" in nospace(" ".join(h)) for h in header)
    table = Table(
        kind=kind,
        title=squash(title.text),
        money_unit=find_money_unit(title, head_notes, header),
        location=title.location,
    )
    sides = column_groups(columns, split, ncols)
    trackers = {(s, lo): CodeTracker(econ) for s, lo, _, _ in sides}
    later: dict[int, list[Row]] = {}  # rows of the second and further classifications follow the first's
    made: dict[int, dict[int, tuple[Row, Line]]] = {}  # each part's rows (by its first column), by line
    blank: list[Line] = []  # data lines without a figure in any part (the ends of names cut by a page break)
    heads = {nospace(c) for h in header for c in h if c}
    for ln in data:
        if is_column_numbers(ln.cells):
            continue
        pending = None  # a label spanning the parts (当年支出小计 over 功能分类 and 支出用途)
        gave = False
        for side, lo, hi, block in sides:
            row = _parse_row(ln, columns, lo, hi, trackers[(side, lo)])
            gave = gave or row is not None
            if row is None:
                if side == "expenditure":
                    pending = next(
                        (
                            squash(ln.cells[j])
                            for j in range(lo, min(hi, len(ln.cells)))
                            if ln.cells[j] and columns[j].role == "name"
                        ),
                        pending,
                    )
                continue
            if not row.name and pending and side == "expenditure":
                row.name, pending = strip_enum(pending), None
            if not row.name and not row.code and side is None and not table.rows and not later:
                row.name = "合计"  # a line of column totals under the header (spec)
            if kind in TWO_SIDED:
                row.side = side or _guess_side(row, table.rows)
            if block:
                row.block = block
                later.setdefault(lo, []).append(row)
            else:
                table.rows.append(row)
            made.setdefault(lo, {})[ln.no] = (row, ln)
        if not gave and not all(nospace(c) in heads for c in ln.cells if c):
            blank.append(ln)  # not the header printed again atop the page
    cut = sorted(notes + blank, key=lambda n: n.no)
    join_overflowed_names(cut, made, columns, [(lo, hi) for _, lo, hi, _ in sides])
    join_cut_rows(table, made.get(0, {}) if split is None else {})
    table.rows = _without_repeated_totals(table.rows)
    for lo in sorted(later):
        table.rows.extend(later[lo])
    seen: list[str] = []
    for c in columns:
        if c.role == "value" and c.key is not None and c.key not in seen:
            seen.append(c.key)
            if 0 < len(c.path) <= MAX_HEADER_LEVELS:  # deeper: data rows were read as header rows
                table.headers[c.key] = [squash(p) for p in c.path]
    table.columns = seen
    table.empty = not table.rows or any(EMPTY_NOTE.search(n.text) for n in notes) and not _has_amounts(table)
    table.kind = kind_by_content(
        kind,
        table.title,
        [r.code for r in table.rows if r.code and not r.side],
        [r.name for r in table.rows if r.name and not r.side],
    )
    if kind in ("projects", "projects_carryover"):
        _mark_subtotals(table, ctx)
    if kind == "three_public":
        admin = admin_operating_of(table, columns, ctx.year)
        if admin is not None:
            ctx.found_inside.append(admin)
        items_as_rows(table, columns, ctx.year)
    return table


def _without_repeated_totals(rows: list[Row]) -> list[Row]:
    """A table printed again overleaf with its title, header and 合计 line: the 合计 at the top of the later
    page, with the same figures as the first, is that line printed again, not a row of its own."""
    out: list[Row] = []
    for r in rows:
        name = nospace(r.name or "")
        if not r.code and TOTAL_NAME.match(name) and r.page is not None:
            on_page = [o for o in out if o.page == r.page and o.side == r.side]
            if not on_page and any(
                o.page is not None
                and o.page < r.page
                and nospace(o.name or "") == name
                and o.side == r.side
                and o.block == r.block
                and o.values == r.values
                for o in out
            ):
                continue
        out.append(r)
    return out


def _has_amounts(table: Table) -> bool:
    return any(v != 0 for r in table.rows for v in r.values.values())


def _guess_side(row: Row, previous: list[Row]) -> str:
    """One-column two-sided tables print 收入 rows first, then 支出 rows."""
    if previous and previous[-1].side == "expenditure":
        return "expenditure"
    name = nospace(row.name)
    if previous and re.search(r"收入总计|收入合计", nospace(previous[-1].name)) and "收入" not in name:
        return "expenditure"
    if row.code or (re.search(r"支出", name) and "收入" not in name):
        return "expenditure"
    return "income"


def _parse_row(ln: Line, columns: list[Column], lo: int, hi: int, tracker: CodeTracker) -> Row | None:
    values: dict[str, float] = {}
    printed: dict[str, str] = {}
    boxes: dict[str, Sequence[float]] = {}
    pieces: dict[str, str] = {}
    name = gov = fallback = None
    total_amount: Decimal | None = None
    for j in range(lo, min(hi, len(ln.cells))):
        c = ln.cells[j]
        if not c:
            continue
        col = columns[j]
        role = col.role
        if role == "skip":
            if name is None and TOTAL_NAME.match(nospace(c)):
                name = squash(c)  # 合计 centred over 单位编码 and 单位名称
            elif fallback is None and FALLBACK_NAME_LABELS.match(nospace(col.label)) and parse_amount(c) is None:
                fallback = squash(c)
            continue
        joined = _CODE_NAME.match(c.strip()) if role in ("name", "gov_name") else None
        if joined:  # 2010101-行政运行: the code and its name in one cell
            if role == "gov_name":
                gov = squash(joined.group(2))
            elif name is None and not pieces:
                pieces["code"], name = joined.group(1), squash(joined.group(2))
            continue  # a further classification beside the first (30101-基本工资) is not the row's
        if role == "gov_name":
            gov = squash(c)
            continue
        digits = nospace(c)
        if role == "code" and col.sub in ("款", "项") and digits.isdigit() and len(digits) == 1:
            digits = digits.zfill(2)  # a 款/项 printed as a number that lost its leading zero (2 for 02)
        if (
            role in ("code", "name", "auto")
            and is_code(digits)
            and not (role == "auto" and values)
            and (role == "code" or len(digits) in (3, 5, 7))
        ):
            # the first code block wins: a second one is the 政府预算经济分类 printed beside it
            pieces.setdefault(col.sub if role == "code" else "code", digits)
            continue
        amount = parse_amount(c)
        if amount is None and role == "value" and name is not None:
            spill = _SPILL.match(c.strip())
            if spill and parse_amount(spill.group(2)) is not None:
                # the end of a long label printed into the amount cell: 人员经费和公用经费支 | 出 2,022.39
                name, c, amount = name + spill.group(1), spill.group(2), parse_amount(spill.group(2))
        if role == "value" or (role == "auto" and amount is not None):
            if amount is None:
                if name is None and not values:
                    name = squash(c)  # a label pushed right by the layout
                continue
            key = col.key if role == "value" and col.key is not None else f"x:col{j + 1}"
            if key in values:
                key = f"x:{col.label}#{j + 1}"
            values[key] = float(amount)
            printed[key] = c
            if ln.boxes and j < len(ln.boxes) and ln.boxes[j]:
                boxes[key] = list(ln.boxes[j])
            if key == "total" and total_amount is None:
                total_amount = amount
            continue
        if role == "code":
            # a misprinted code piece (类 7 for 210) is not the row's name, nor is a code that is not a
            # 功能分类 one (项目编号 A | 项目 货物); a label there names the row only when no name cell does
            if fallback is None and not digits.isdigit():
                fallback = squash(c)
            continue
        if name is None:
            name = squash(c)
    if not values:
        return None
    name = name if name is not None else fallback
    joined = _CODE_NAME.match(name.strip()) if name and not pieces else None
    if joined:  # [30201]办公费 in a column the header does not call a name column (部门预算支出经济科目)
        pieces["code"], name = joined.group(1), squash(joined.group(2))
    if pieces and len(pieces) == 1 and "code" in pieces and len(pieces["code"]) not in (2, 3, 5, 7):
        pieces = {}
    code = tracker.resolve(pieces, total_amount if total_amount is not None else _first(values))
    clean = re.sub(r"^其中[:：]\s*", "", name or "")
    clean = strip_enum(clean) if clean else clean
    return Row(
        name=clean,
        values=values,
        code=code,
        gov_name=gov,
        line=ln.location.get("line"),
        page=ln.page,
        printed=printed,
        boxes=boxes,
        ocr=ln.ocr,
    )


def _first(values: dict[str, float]) -> Decimal | None:
    for k, v in values.items():
        if not k.startswith("x:"):
            return Decimal(str(v))
    return None


def _mark_subtotals(table: Table, ctx: TableContext) -> None:
    """Rows repeating the unit's name carry the unit's subtotal in 项目支出 tables."""
    unit = nospace(ctx.unit)
    names = {nospace(u) for u in ctx.units_seen} | ({unit} if unit else set())
    for r in table.rows:
        n = nospace(r.name)
        n = re.sub(r"^\d+", "", n)
        if n and (n in names or (unit and (unit.endswith(n) or n.endswith(unit)) and len(n) >= 4)):
            r.subtotal = True
