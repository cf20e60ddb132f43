"""Money units, the names of total rows, and the words for 上年结转."""

from __future__ import annotations

# what one of each unit is in 元 (exact), and so in 万元, the unit every comparison is made in
YUAN_PER: dict[str, int] = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
TO_WAN: dict[str, float] = {unit: n / 10000 for unit, n in YUAN_PER.items()}
# the units a disclosure prints (spec: a table's money_unit is 元, 万元 or 亿元; 千元 comes only in a feed's
# spreadsheet), longest first so that a pattern built from them tries 亿元/万元 before 元
DISCLOSED_UNITS: tuple[str, ...] = ("亿元", "万元", "元")
UNIT_PATTERN = "|".join(DISCLOSED_UNITS)
ANY_UNIT_PATTERN = "|".join(sorted(YUAN_PER, key=len, reverse=True))  # with 千元, for a feed's headers


def to_wan(amount: float, unit: str | None) -> float:
    """An amount in 万元; a table printed without a unit is read in 万元."""
    return amount * TO_WAN.get(unit or "万元", 1.0)


def sql_to_wan(column: str) -> str:
    """The SQL expression of `column`'s factor to 万元 (1 for no or an unknown unit), from TO_WAN."""
    whens = " ".join(f"when '{u}' then {f:g}" for u, f in TO_WAN.items() if f != 1)
    return f"(case {column} {whens} else 1 end)"


# a 收支总表 side's totals: the grand total (本年 + 上年结转 …) and this year's total
SIDE_TOTAL_NAMES: dict[str, tuple[str, str]] = {
    "income": ("收入总计", "本年收入合计"),
    "expenditure": ("支出总计", "本年支出合计"),
}
# the total of a whole table (or a form), as against a 小计 of a part
WHOLE_TOTAL_NAMES: tuple[str, ...] = ("合计", "总计")
# the name of a row that totals a table (or one side of a two-sided table), as printed
TOTAL_NAMES: tuple[str, ...] = (*WHOLE_TOTAL_NAMES, "小计", *(year for _, year in SIDE_TOTAL_NAMES.values()))
# a two-sided table's grand totals: the reader takes them for total rows; the checks' total row of a side
# is 本年收入合计/本年支出合计, never these
GRAND_TOTAL_NAMES: tuple[str, ...] = tuple(grand for grand, _ in SIDE_TOTAL_NAMES.values())
# a 部门's total over its units, printed in the tables that list units
UNIT_TOTAL_NAMES: tuple[str, ...] = ("部门合计", "单位合计")
# a header label that totals the column it is printed under (基本支出 › 小计), not the table
GENERIC_TOTAL_LABELS: tuple[str, ...] = ("小计", "合计")


def names_pattern(*names: tuple[str, ...]) -> str:
    """An anchored pattern matching exactly one of the names: ^(合计|总计|…)$."""
    return "^(" + alternation(*names) + ")$"


def alternation(*names: tuple[str, ...]) -> str:
    """The names as a regular-expression alternation: 合计|总计."""
    return "|".join(n for group in names for n in group)


# 上年结转 as the 说明 and the row names say it; a column header also says it in the longer forms
CARRYOVER_WORDS: tuple[str, ...] = ("上年结转", "结转结余", "年初结转")
CARRYOVER_HEADER_WORDS: tuple[str, ...] = (*CARRYOVER_WORDS, "上年财政拨款结转", "上年结余")
CARRYOVER_PATTERN = "|".join(CARRYOVER_WORDS)
