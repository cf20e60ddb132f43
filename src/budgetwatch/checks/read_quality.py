"""A table the extractor marks doubtful (its figures fail many of their own sums at once, fail by a
dropped digit, or hold codes that are not 功能分类 codes) was most likely misread: its arithmetic
findings would be a cascade of false 错误, so they give way to one 提示 that asks for the page to be read."""

from __future__ import annotations

from ..extract.quality import assess
from .rule import rule
from .view import DocView


def doubtful(t) -> str | None:
    """The reason a table's reading is doubtful (as extracted, or assessed again on a stored document)."""
    if t.read_quality == "doubtful":
        return t.quality_reason or "读取结果自相矛盾"
    quality, reason = assess(t)
    return reason if quality == "doubtful" else None


@rule(
    "A00",
    "本表读取可能有误",
    family="A",
    severity="info",
    compares="表内加总（类/款/项、合计=基本支出+项目支出）的不符处数、相差一位数字的不符、功能分类编码是否存在",
    applies="程序读取的每张表；标记为读取可疑的表不再逐项报告表内运算错误",
    message="{table}本表读取可能有误：{why}。本表的表内运算不作为错误报告，请对照原文核实。",
    suggestion="建议对照原文第{page}页核实本表数据；如原文即如此，请按表内运算逐项核对。",
)
def read_doubtful(view: DocView):
    for t in view.doc.tables:
        why = doubtful(t)
        if why:
            yield dict(view.at(t), why=why)


def without_doubtful_arithmetic(view: DocView, findings: list) -> list:
    """Family A findings on a doubtful table are left out; its one A00 提示 stays."""
    bad = {(t.kind, t.title) for t in view.doc.tables if doubtful(t)}
    if not bad:
        return findings
    return [f for f in findings if f.rule == "A00" or f.family != "A" or (f.table_kind, f.table_title) not in bad]
