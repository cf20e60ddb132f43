"""The enumerations, each with its Chinese label. They are StrEnums, so a member equals its value
(`Stage.final == "final"`), FastAPI validates a query parameter typed with one, and `labels(E)` is the
{value: 中文} mapping the pages and exports print."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry a Chinese label: `budget = "budget", "预算"`."""

    zh: str

    def __new__(cls, value: str, zh: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh
        return member


def labels(enum: type[Labelled]) -> dict[str, str]:
    """{value: Chinese label} in declaration order."""
    return {m.value: m.zh for m in enum}


def rank(enum: type[Labelled]) -> dict[str, int]:
    """{value: its place in declaration order}: a sort key (Severity: the most severe first)."""
    return {m.value: i for i, m in enumerate(enum)}


class Stage(Labelled):
    budget = "budget", "预算"
    final = "final", "决算"


class Scope(Labelled):
    department = "department", "部门"
    unit = "unit", "单位"


class Level(Labelled):
    """A region's level. The values are the Chinese words the documents print (extract/place.py)."""

    central = "中央", "中央"
    province = "省级", "省级"
    city = "市级", "市级"
    county = "区县级", "区县级"
    township = "乡镇街道", "乡镇街道"


class Severity(Labelled):
    """Most severe first (reports sort by this order)."""

    error = "error", "错误"
    warn = "warn", "警告"
    info = "info", "提示"


class Family(Labelled):
    A = "A", "表内运算"
    B = "B", "表间勾稽"
    C = "C", "说明与报表"
    D = "D", "绩效目标"
    E = "E", "完整性与规范"
    F = "F", "跨文档比较"
    R = "R", "联网对账"
    G = "G", "预算执行（联网数据）"


class ValueKind(Labelled):
    """What a rule's values (提供值, 期望值, 差额) count: amounts print with two decimals, counts and years
    as whole numbers."""

    money = "money", "金额"
    quantity = "quantity", "个数"
    ratio = "ratio", "比例"
    year = "year", "年份"


class Status(Labelled):
    """A finding's state: a reviewer's decision, or none yet."""

    open = "open", "待处理"
    accepted = "accepted", "已确认"
    dismissed = "dismissed", "已排除"


class Decision(Labelled):
    """What a reviewer may decide on a finding (its Status afterwards)."""

    accepted = Status.accepted.value, Status.accepted.zh
    dismissed = Status.dismissed.value, Status.dismissed.zh


DECISIONS = tuple(d.value for d in Decision)


class BatchStatus(Labelled):
    """What became of a 联网 feed batch."""

    loaded = "loaded", "已入库"
    partial = "partial", "部分入库"
    rejected = "rejected", "整批拒收"
    repeat = "repeat", "重复批次（未改变）"


class Side(Labelled):
    """The half of a two-sided table (收支总表) a row is printed in."""

    income = "income", "收入"
    expenditure = "expenditure", "支出"


class WarningLevel(Labelled):
    """The colour of an 执行 warning (family G)."""

    red = "red", "红色"
    orange = "orange", "橙色"
    yellow = "yellow", "黄色"
