"""Tables misread on Xi'an's 部门综合预算 documents, each on the real page (values read off the rendered page):
the heading over the whole set of tables (2022年部门综合预算公开报表, its 目录 below) is no table; a 财政拨款收支总表
whose 支出 half prints three classifications side by side (支出功能分科目（按大类） | 预算数 | 部门预算支出经济科目
（按大类） | 预算数 | 政府预算支出经济科目(按大类) | 预算数) reads each as names and amounts, not as x: columns."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def gongxin():
    return extract_files([CORPUS_WIDE / "xian-627c16eab5.pdf"])


@pytest.mark.parametrize(
    "path",
    [
        CORPUS_WIDE / "xian-627c16eab5.pdf",
        CORPUS_WIDE / "xian-ff80a8a239.pdf",
        CORPUS / "shaanxi-xian-anjianju-2019-yusuan.pdf",
    ],
    ids=["gongxin", "ff80a8a239", "anjianju"],
)
def test_the_heading_over_the_set_of_tables_is_no_table(path):
    doc = extract_files([path])
    assert not [t.title for t in doc.tables if "公开报表" in t.title]
    assert doc.tables and doc.tables[0].kind == "summary"


def test_three_classifications_side_by_side_in_the_expenditure_half(gongxin):
    (t,) = [t for t in gongxin.tables if t.kind == "fiscal_summary"]
    assert t.columns == ["total"] and t.location == {"page": 25}
    spent = {(r.name, r.values.get("total")) for r in t.rows if r.side == "expenditure"}
    assert {
        ("教育支出", 14197328.85),  # 支出功能分科目（按大类）
        ("节能环保支出", 6532318.95),
        ("人员经费和公用经费支出", 46607769.51),  # 部门预算支出经济科目（按大类）
        ("专项业务经费支出", 1007034897.92),
        ("机关工资福利支出", 21398509.37),  # 政府预算支出经济科目(按大类)
        ("对事业单位经常性补助", 20144051.88),
    } <= spent
    income = [(r.name, r.values.get("total")) for r in t.rows if r.side == "income"][:2]
    assert income == [("财政拨款", 1053642667.43), ("一般公共预算拨款", 1053642667.43)]
