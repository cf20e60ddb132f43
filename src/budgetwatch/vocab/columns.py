"""Column keys (spec: `values`): each key, its Chinese label, and the header words it is read from."""

from __future__ import annotations

from dataclasses import dataclass

from .units import CARRYOVER_HEADER_WORDS


@dataclass(frozen=True)
class Column:
    key: str
    zh: str | None  # the heading a reader is shown (spec's header as printed); None: not a key
    synonyms: tuple[str, ...]  # a header label containing any of these is this column
    source: bool = False  # a source of income (an income table's 合计 adds up its sources)


# in the order the header rules try them against the innermost label (first match wins): a change column
# (比上年增减) before everything, 上年结转 before 当年, the generic total words last
COLUMNS: tuple[Column, ...] = (
    Column("x:change", None, ("增减", "增长", "变动", "比上年", "同比", "%")),
    Column("carryover", "上年结转", CARRYOVER_HEADER_WORDS, source=True),
    Column(
        "current",
        "当年预算安排",
        ("当年预算安排", "本年预算安排", "当年安排", "本年安排", "当年财政拨款", "编制预算", "当年预算"),
    ),
    Column("basic", "基本支出", ("基本支出",)),
    Column("project", "项目支出", ("项目支出", "专项业务经费")),
    Column("personnel", "人员经费", ("人员经费", "人员支出", "人员类")),  # 人员类 beside 公用经费
    Column("public", "公用经费", ("公用经费", "公用支出")),
    Column("operating", "事业单位经营收入", ("事业单位经营收入", "经营收入"), source=True),
    Column("business", "事业收入", ("事业收入",), source=True),
    Column("gpb", "一般公共预算", ("一般公共预算",), source=True),
    Column("gf", "政府性基金", ("政府性基金",), source=True),
    Column("soe", "国有资本经营预算", ("国有资本经营",), source=True),
    Column("special", "财政专户管理资金", ("财政专户",), source=True),
    Column("unit_funds", "单位资金", ("单位资金",), source=True),
    Column("other", "其他收入", ("其他收入",), source=True),
    Column("budget", "预算数", ("年初预算", "全年预算", "调整预算")),
    Column(
        "total",
        "合计",
        ("合计", "小计", "总计", "金额", "预算数", "决算数", "资金总额", "预算额", "本年收入", "本年支出", "本年预算"),
    ),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
SOURCES: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.source)
# {key: 中文} of the real keys (not x: columns)
COLUMN_ZH: dict[str, str] = {c.key: c.zh for c in COLUMNS if c.zh}
# (key, synonyms) in rule order, as the header reader walks them
COLUMN_RULES: list[tuple[str, tuple[str, ...]]] = [(c.key, c.synonyms) for c in COLUMNS]


def column_zh(key: str) -> str:
    """A column key's Chinese label; a key the vocabulary does not know is returned as it is."""
    return COLUMN_ZH.get(key, key)


def column_label(key: str) -> str:
    """A column's heading as a reader says it: 人员经费 for `personnel`; a column the vocabulary does not
    know keeps its printed label, and one whose label repeats is told apart by its place in the printed
    grid (x:人员经费#11 → 人员经费（第11列）), not by an internal key."""
    if key in COLUMN_ZH:
        return COLUMN_ZH[key]
    text = key[2:] if key.startswith("x:") else key
    name, sep, n = text.rpartition("#")
    return f"{name}（第{n}列）" if sep and name and n.isdigit() else text
