"""“三公”经费 tables printed the other way round — the items as columns, one row of figures (or one row
per year) — become one row per item, named as the spec names them."""

from __future__ import annotations

import re

from ..model import Row, Table
from ..vocab.claims import THREE_PUBLIC_PARTS
from ..vocab.classes import DEPARTMENT_ECONOMIC_ITEMS, THREE_PUBLIC_ITEMS, ThreePublicItem
from ..vocab.columns import BY_KEY
from ..vocab.units import GENERIC_TOTAL_LABELS, WHOLE_TOTAL_NAMES, alternation
from .text_rules import nospace


def _item_test(item: ThreePublicItem):
    def test(lab: str, path: str) -> bool:
        if re.search(item.column, lab) and not (item.not_with and item.not_with in lab):
            return True
        # an item's total printed as a generic 小计 under its heading (公务用车购置及运行费 › 小计, 因公出国（境）费
        # › 小计 beside its 科研因公出国 part)
        head = _heading(path)
        if lab not in GENERIC_TOTAL_LABELS or not head:
            return False
        if "购置及运行" in head:
            return item.key == "car"
        return re.search(item.column, head) is not None and not (item.not_with and item.not_with in head)

    return test


ITEMS = (  # (canonical row name, test on the column's innermost label and its header path)
    *((i.zh, _item_test(i)) for i in THREE_PUBLIC_ITEMS),
    (
        "合计",
        lambda lab, path: (
            ("三公" in lab and re.search(r"总额|合计|小计|预算数?$", lab))
            or ((lab in GENERIC_TOTAL_LABELS or lab == "总计") and not _under_item(path))
        ),
    ),
    ("会议费", lambda lab, path: lab == "会议费"),
    ("培训费", lambda lab, path: lab == "培训费"),
)


def _heading(path: str) -> str:
    """The innermost heading of a column's path (公务用车购置及运行费 in “三公”经费 › 公务用车购置及运行费)."""
    return path.split("›")[-1] if path else ""


def _under_item(path: str) -> bool:
    """The innermost heading over a column names a 三公 item (the 小计 under it is that item's)."""
    head = _heading(path)
    return "购置及运行" in head or any(re.search(i.column, head) for i in THREE_PUBLIC_ITEMS if i.key != "car")


# 当年预算 | 上年结转 blocks side by side: each item's figure in each (spec: current / carryover)
_BLOCKS = (("carryover", re.compile(r"上年结转")), ("current", re.compile(r"当年|本年")))


_FIGURE = re.compile(r"^(预算数?|决算数?|执行数|金额|本年预算数?|\d{4}年(预算数?|决算数?))$")
_FUNDS = ("gpb", "gf", "soe")  # item › 一般公共预算 | 政府性基金预算 | 国有资本经营预算 (深圳)
_YEAR_ROW = re.compile(r"^20\d{2}年度?$")
_SLOTS = ("budget", "total", "current", "carryover", *_FUNDS)


def fund_of(label: str) -> str | None:
    """The funding source a column's innermost label names (一般公共预算 → gpb), else None."""
    lab = nospace(label)
    return next((k for k in _FUNDS if any(w in lab for w in BY_KEY[k].synonyms)), None)


def item_of(label: str, path: list[str]) -> str | None:
    lab, joined = nospace(label), nospace("›".join(path[:-1]))
    if _FIGURE.match(lab) or fund_of(
        lab
    ):  # items above, 预算数 | 一般公共预算 … under each: the item is the nearest header that is one
        for k in range(len(path) - 2, -1, -1):
            n = item_of(path[k], path[: k + 1])
            if n:
                return n
        return None
    for name, test in ITEMS:
        if test(lab, joined):
            return name
    return None


_MEETING = tuple(DEPARTMENT_ECONOMIC_ITEMS[c] for c in ("30215", "30216"))  # 会议费, 培训费: printed beside 三公
ADMIN = "机关运行经费"


def admin_operating_of(table: Table, columns, year: int | None) -> Table | None:
    """A 机关运行经费 figure printed as a column of the 三公 table is also an admin_operating table with one
    合计 row (spec)."""
    col = next(
        (
            c
            for c in columns
            if c.role == "value"
            and ADMIN in nospace(c.label)
            and not re.search(r"上年|增减|变化", nospace("".join(c.path)))
        ),
        None,
    )
    if col is None or not table.rows:
        return None
    total_row = next(
        (r for r in table.rows if re.fullmatch(alternation(WHOLE_TOTAL_NAMES), nospace(r.name or ""))), None
    )
    if len(table.rows) > 3 and total_row is None:
        return None
    row = total_row or _current_row(table.rows, year)
    key = next((k for k in row.values if k.endswith(f"#{col.index + 1}")), None) or (
        col.key if col.key in row.values else None
    )
    if key is None:
        return None
    out = Table(
        kind="admin_operating",
        title=table.title,
        money_unit=table.money_unit,
        location=dict(table.location),
        columns=["total"],
    )
    out.rows.append(
        Row(
            name="合计",
            values={"total": row.values[key]},
            line=row.line,
            page=row.page,
            printed={"total": row.printed[key]} if key in row.printed else {},
            boxes={"total": row.boxes[key]} if key in row.boxes else {},
            ocr=row.ocr,
        )
    )
    return out


def canonical_rows(table: Table) -> None:
    """Rows named as the spec names them: 因公出国（境）费用 → 因公出国（境）费, “三公”经费 → 合计; where the
    table also prints 会议费/培训费, the printed total that covers them is 总计 and 合计 is the 三公 total."""
    named: list[str | None] = []
    for r in table.rows:
        n = nospace(r.name or "")
        item = item_of(n, [n]) if n else None
        if item is None and "三公" in n:
            item = "合计"
        if item is None and n in ("总计",):
            item = "总计"
        named.append(item)
    if not any(n in _MEETING for n in named):
        for r, as_named in zip(table.rows, named):
            if as_named and as_named != "总计":
                r.name = as_named
        return
    parts = {n: r for r, n in zip(table.rows, named) if n in THREE_PUBLIC_PARTS + _MEETING}
    for r, as_named in zip(table.rows, named):
        if as_named == "合计":
            raw = nospace(r.name or "")
            wide = "三公" not in raw and any("三公" in nospace(x.name or "") for x in table.rows if x is not r)
            k = "total" if "total" in r.values else next(iter(r.values), None)
            if k and not wide and all(m in parts for m in _MEETING if m in named):
                three = sum(p.values.get(k, 0.0) for m, p in parts.items() if m not in _MEETING)
                meet = sum(p.values.get(k, 0.0) for m, p in parts.items() if m in _MEETING)
                wide = meet > 0 and abs(r.values[k] - three - meet) < abs(r.values[k] - three)
            r.name = "总计" if wide else "合计"
        elif as_named:
            r.name = as_named


def items_as_rows(table: Table, columns, year: int | None) -> None:
    """Transpose when at least three value columns are 三公 items and the table has few rows. A 决算
    table printing 预算数 and 决算数 groups gives each item `budget` and `total` (spec)."""
    cols = [(c, item_of(c.label, c.path)) for c in columns if c.role == "value"]
    named = [(c, n) for c, n in cols if n]
    # 2025年预算数 | 2026年预算数, or 上年 | 本年 | 增减变化 side by side: the document's own year only
    own = [
        (c, n)
        for c, n in named
        if (year and str(year) in nospace("".join(c.path))) or re.search(r"本年|当年", "".join(c.path))
    ]
    # (上年结转 is money of this year's budget, not last year's figure)
    if own and any(re.search(r"20\d\d|上年(?!结转)|增减|变化", "".join(c.path)) for c, n in named if (c, n) not in own):
        named = own
    carried = any(_BLOCKS[0][1].search(nospace("".join(c.path))) for c, _ in named)
    total_row = next(
        (r for r in table.rows if re.fullmatch(alternation(WHOLE_TOTAL_NAMES), nospace(r.name or ""))), None
    )
    # one row per year (2025年 | 2026年 | 增减变化金额), the department's block first, its units' after
    by_year = any(_YEAR_ROW.match(nospace(r.name or "")) for r in table.rows)
    if len(named) < 3 or not table.rows or (len(table.rows) > 3 and total_row is None and not by_year):
        canonical_rows(table)
        return  # a per-unit table transposes through its 合计 row
    if any(n in _MEETING for _, n in named):
        # 合计 | “三公”经费 › 小计 … | 会议费 | 培训费: the total outside the 三公 block covers them all
        named = [
            (c, "总计" if n == "合计" and "三公" not in nospace(c.label + "".join(c.path)) else n) for c, n in named
        ]
    row = total_row or _current_row(table.rows, year)
    found: dict[tuple[str, str], str] = {}
    first: dict[str, int] = {}
    for c in columns:
        if c.role == "value":
            first.setdefault(c.key, c.index)
    for c, n in sorted(named, key=lambda cn: "三公" not in nospace(cn[0].label + "".join(cn[0].path))):
        # the key this column's figure was stored under: its own key if it was the first to claim it
        key = next((k for k in row.values if k.endswith(f"#{c.index + 1}")), None)
        if key is None and c.key in row.values and first.get(c.key) == c.index:
            key = c.key
        if key is None or key in found.values():
            continue
        block = next((k for k, rx in _BLOCKS if rx.search(nospace("".join(c.path)))), None) if carried else None
        slot = (
            fund_of(c.label)
            or block
            or (
                "budget"
                if re.search(r"预算数", "".join(c.path) + c.label)
                and re.search(r"决算", "".join(p for cc in columns for p in cc.path))
                else "total"
            )
        )
        found.setdefault((n, slot), key)
    if not found:
        return  # the structure (three item columns) is there; blank items are simply not rows
    out = []
    for name in [n for n, _ in ITEMS] + ["总计"]:
        values, printed, boxes = {}, {}, {}
        for slot in _SLOTS:
            k = found.get((name, slot))
            if k is not None:
                values[slot] = row.values[k]
                if row.printed.get(k):
                    printed[slot] = row.printed[k]
                if k in row.boxes:
                    boxes[slot] = row.boxes[k]
        if values:
            out.append(
                Row(name=name, values=values, line=row.line, page=row.page, printed=printed, boxes=boxes, ocr=row.ocr)
            )
    table.rows = out
    table.columns = [k for k in _SLOTS if any(k in r.values for r in out)]


def _current_row(rows: list[Row], year: int | None) -> Row:
    """The row of the document's own year when the table prints several (上年 | 本年), else the last one
    naming no other year, else the first."""
    if year:
        for r in rows:
            if str(year) in nospace(r.name or "") or re.search(r"本年|当年", r.name or ""):
                return r
    return rows[0]
