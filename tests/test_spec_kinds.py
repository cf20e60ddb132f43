"""The spec's 经济分类 table kinds and its 三公 rules, each on a real page of the corpus that shows it
(values read off the rendered page)."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def _doc(name):
    return extract_files([CORPUS / name])


def _rows(t):
    return {(r.code, r.name): r.values for r in t.rows}


def _only(doc, kind, page):
    ts = [t for t in doc.tables if t.kind == kind and t.location.get("page") == page]
    assert len(ts) == 1, [(t.kind, t.title, t.location) for t in doc.tables]
    return ts[0]


@pytest.fixture(scope="module")
def fujian():
    return _doc("fujian-quanzhou-gonganju-2026-yusuan.pdf")


def test_a_gpb_table_by_economic_class_is_gpb_economic(fujian):
    # p17 “2026年度一般公共预算支出经济分类情况表”: 合计 69059.36, 301 工资福利支出 43412.83 …
    t = _only(fujian, "gpb_economic", 17)
    rows = _rows(t)
    assert rows[(None, "合计")] == {"total": 69059.36}
    assert rows[("301", "工资福利支出")] == {"total": 43412.83}
    assert rows[("310", "资本性支出")] == {"total": 3019.5}
    assert not [
        x
        for x in fujian.tables
        if x.kind in ("gpb_expenditure", "expenditure") and any((r.code or "").startswith("3") for r in x.rows)
    ]


def test_three_public_rows_take_the_canonical_names(fujian):
    # p19 prints 因公出国（境）费用 and 公务用车运行费
    t = _only(fujian, "three_public", 19)
    rows = {r.name: r.values["total"] for r in t.rows}
    assert rows == {
        "合计": 1700.17,
        "因公出国（境）费": 0.0,
        "公务接待费": 16.32,
        "公务用车购置及运行费": 1683.85,
        "公务用车购置费": 495.85,
        "公务用车运行维护费": 1188.0,
    }


def test_basic_expenditure_of_all_funds_by_economic_class_is_basic_economic():
    # 江苏高院 2019 p11 财政拨款基本支出预算表（经济科目）; p13 一般公共预算基本支出预算表（经济科目） stays gpb_basic
    doc = _doc("jiangsu-sheng-gaojifayuan-2019-yusuan.pdf")
    assert _only(doc, "basic_economic", 11).title == "财政拨款基本支出预算表（经济科目）"
    assert _only(doc, "gpb_basic", 13).title == "一般公共预算基本支出预算表（经济科目）"
    # p14: 合计 2,382.02 | “三公”经费 › 小计 513.75 … | 会议费 271.02 | 培训费 1,597.25
    rows = {r.name: r.values["total"] for r in _only(doc, "three_public", 14).rows}
    assert rows["合计"] == 513.75 and rows["总计"] == 2382.02
    assert rows["会议费"] == 271.02 and rows["培训费"] == 1597.25
    assert rows["因公出国（境）费"] + rows["公务用车购置及运行费"] + rows["公务接待费"] == pytest.approx(513.75)


def test_a_basic_table_by_economic_class_without_gpb_in_its_title():
    # 烟台市教育局 公开表10 基本支出预算情况表 (p24): 部门预算支出经济分类科目 301 工资福利支出 …
    doc = _doc("shandong-yantai-jiaoyuju-2026-yusuan.pdf")
    t = _only(doc, "basic_economic", 24)
    assert t.rows[0].name == "合计" and t.rows[0].values["total"] == 181736.53
    assert t.rows[1].code == "301" and t.rows[1].values["total"] == 1014.57


def test_gpb_basic_expenditure_by_functional_class_is_gpb_expenditure():
    doc = _doc("shaanxi-xian-gonganju-2026-yusuan.pdf")
    assert _only(doc, "gpb_expenditure", 29).title.endswith("基本支出明细表（按支出功能分类科目）")
    assert _only(doc, "gpb_economic", 27).title.endswith("支出明细表（按支出经济分类科目）")
    assert _only(doc, "gpb_basic", 30).title.endswith("基本支出明细表（按支出经济分类科目）")


def test_admin_operating_printed_as_a_column_of_the_three_public_table():
    # 上海市普陀区商务委 2025 p21: “三公”经费预算数 合计 1.00 … | 机关运行经费预算数 171.01
    doc = _doc("shanghai-putuo-shangwuwei-2025-yusuan.pdf")
    tp = _only(doc, "three_public", 21)
    assert {r.name: r.values["total"] for r in tp.rows} == {"公务接待费": 1.0, "合计": 1.0}
    ao = _only(doc, "admin_operating", 21)
    assert [(r.name, r.values) for r in ao.rows] == [("合计", {"total": 171.01})]


def test_form_amount_labelled_zijin_zonge_in_a_special_funds_block(fujian):
    # p26: 专项资金情况（万元） | 资金总额： 57.00 | 财政拨款： 57.00 | 其他资金： 0.00
    f = next(f for f in fujian.forms if f.location.get("page") == 26)
    assert f.project.endswith("机场公安综合修缮改造")
    assert (f.amount, f.money_unit) == (57.0, "万元")
    assert [(i.level1, i.level2, i.name, i.value) for i in f.indicators[:2]] == [
        ("成本指标", "经济成本指标", "预算执行率", "100%"),
        ("产出指标", "时效指标", "备勤宿舍改造完成及时率", "100%"),
    ]
    assert sum(1 for f in fujian.forms if f.amount is not None) >= 25


def test_code_and_name_in_one_cell_beside_economic_cells():
    # 北京市司法局 预算03表 (tables file p4): 2040601-行政运行 | 50101-工资奖金津补贴 | 30101-基本工资 | 2,164.528800
    doc = extract_files(
        [
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
        ]
    )
    t = _only(doc, "expenditure", 4)
    r = t.rows[0]
    assert (r.code, r.name, r.gov_name, r.values) == (
        "2040601",
        "行政运行",
        "工资奖金津补贴",
        {"total": 2164.5288, "basic": 2164.5288},
    )
    assert sum(1 for r in t.rows if r.code) == len(t.rows) - 1  # all but 合计
    # 预算06表 (p13): 50101-工资奖金津补贴 | 30101-基本工资: the 部门 economic code and name, the 政府 name beside
    b = _only(doc, "gpb_basic", 13).rows[0]
    assert (b.code, b.name, b.gov_name, b.values["total"]) == ("30101", "基本工资", "工资奖金津补贴", 2164.5288)
