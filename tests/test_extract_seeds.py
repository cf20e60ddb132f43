"""Extraction of each bundled seed against its hand-verified gold file (the shared scorer's rules)."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import GOLD, ROOT, SEEDS, seed

sys.path.insert(0, str(ROOT / "tools"))
import score  # noqa: E402  the shared scorer, copied into the repository

from budgetwatch.extract import extract_files  # noqa: E402


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_seed_matches_gold(path):
    gold = json.loads((GOLD / (path.stem + ".json")).read_text(encoding="utf-8"))
    doc = extract_files([path]).to_dict()
    s = score.summary(score.score_doc(gold, doc))
    assert s["meta"] == 1.0
    assert s["tables_R"] == 1.0 and s["tables_P"] >= 0.98
    assert s["cells_R"] >= 0.995 and s["cells_P"] >= 0.995, s
    assert s["forms_R"] >= 0.99 and s["amounts"] >= 0.99, s
    assert s["ind_R"] >= 0.98 and s["ind_P"] >= 0.98, s
    assert s["levels"] >= 0.99, s


def test_labels_packed_to_the_top_of_a_grid_are_regrouped_by_the_indicators_names():
    """Seed 002's 人大代表培训经费: the converter wrote the merged 二级 labels one per row from the top
    (质量指标 beside 培训次数 … 满意度指标 beside 培训成本), the rows below carry none."""
    form = next(f for f in extract_files([seed("002")]).forms if f.project == "人大代表培训经费")
    got = {i.name: i.level2 for i in form.indicators}
    assert got["培训次数"] == "数量指标" and got["人大代表培训合格率"] == "质量指标"
    assert got["监督报告出具及时率"] == "时效指标" and got["人大代表培训成本"] == "成本指标"
    assert got["培训结果采纳率"] == "社会效益" and got["配套设施健全性"] == "可持续影响指标"
    assert [i.level1 for i in form.indicators].count("产出指标") == 9


def test_full_codes_from_printed_codes():
    doc = extract_files([seed("000")])
    gpb = next(t for t in doc.tables if t.kind == "gpb_expenditure")
    codes = [r.code for r in gpb.rows if r.code]
    assert codes[:3] == ["201", "20101", "2010101"]
    assert all(len(c) in (3, 5, 7) for c in codes)
    # every 款 printed is the sum of its 项: the table's own hierarchy holds on the extracted numbers
    for r in gpb.rows:
        if r.code and len(r.code) == 5:
            kids = [k.values["total"] for k in gpb.rows if k.code and len(k.code) == 7 and k.code.startswith(r.code)]
            assert abs(sum(kids) - r.values["total"]) < 0.015


def test_two_sided_summary_has_both_sides_and_balances():
    doc = extract_files([seed("001")])
    summ = next(t for t in doc.tables if t.kind == "summary")
    by = {(r.side, r.name): r.values for r in summ.rows}
    assert by[("income", "收入总计")]["total"] == by[("expenditure", "支出总计")]["total"] == 1180.89
    assert by[("expenditure", "一般公共服务支出")] == {"total": 948.37, "current": 943.43, "carryover": 4.94}


def test_empty_tables_are_flagged_with_no_rows():
    doc = extract_files([seed("000")])
    empties = {t.kind for t in doc.tables if t.empty}
    assert empties == {"gf_income", "gf_expenditure", "soe"}
    assert all(not t.rows for t in doc.tables if t.empty)


def test_money_unit_split_over_two_lines():
    # 001 prints 单位：万 / 元 over two lines above its first table
    doc = extract_files([seed("001")])
    assert doc.tables[0].money_unit == "万元"
    assert next(t for t in doc.tables if t.kind == "purchase_services").money_unit == "元"


def test_form_continued_on_next_page_is_one_form():
    doc = extract_files([seed("000")])
    forms = [f for f in doc.forms if f.project == "公用经费项目"]
    assert len(forms) == 1 and forms[0].pages == 2
    names = [i.name for i in forms[0].indicators]
    assert "单位正常运转保障度" in names and names.index("单位正常运转保障度") > names.index("培训合格率")
    # same project printed twice with different amounts: two forms, as printed
    assert [f.amount for f in doc.forms if f.project == "创卫工作经费"] == [2306603.47, 0.0]


def test_declaration_form_lists_implementation_block_only():
    doc = extract_files([seed("000")])
    f = next(f for f in doc.forms if f.project == "2023年党建工作经费")
    assert f.amount == 100000 and f.money_unit == "元"
    assert [i.name for i in f.indicators][:2] == ["人大常委会在职党员干部", "2022年全年党建工作的合格率"]
    assert f.indicators[0].level1 == "产出指标" and f.indicators[0].level2 == "数量指标"


def test_tabular_public_form_with_ocr_shift():
    doc = extract_files([seed("002")])
    assert len(doc.forms) == 12 and all(f.layout == "tabular" and f.money_unit == "万元" for f in doc.forms)
    f = next(f for f in doc.forms if f.project == "人大代表培训经费")
    pairs = {(i.name, i.value) for i in f.indicators}
    assert ("培训次数", "3次") in pairs and ("服务对象满意度指标", "≥95%") in pairs


def test_unit_overall_form_and_table():
    doc = extract_files([seed("001")])
    form = next(f for f in doc.forms if f.project is None)
    assert (form.amount, form.money_unit) == (1175.95, "万元")
    assert len(form.indicators) == 24
    table = next(t for t in doc.tables if t.kind == "unit_performance")
    assert {r.block for r in table.rows} == {"按资金来源划分", "按资金方向划分"}
