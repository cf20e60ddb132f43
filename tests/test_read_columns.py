"""Column keys from multi-level headers, on the real pages that print them (values read off the render)."""

from __future__ import annotations

from budgetwatch.extract import extract_files

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def test_a_subtotal_under_this_years_budget_is_the_current_column():
    # 长春 支出总表（预算表3） p.8: 合计 | 当年预算 › 小计 · 基本支出 · 项目支出 … | 上年结转结余 › 小计 …
    doc = extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "expenditure")
    total = t.rows[0]
    assert (total.name, total.values["total"], total.values["current"], total.values["carryover"]) == (
        "总计：",
        1682.76,
        1682.76,
        0.0,
    )
    assert next(r for r in t.rows if r.code == "2014002").values["current"] == 0.0


def test_personnel_printed_as_a_class_beside_public():
    # 长沙 一般公共预算基本支出情况表 p.18: 总计 | 人员类 | 公用经费; 合计 386.73 | 356.76 | 29.97
    doc = extract_files([CORPUS / "hunan-changsha-zhijiaojidi-2026-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "gpb_basic")
    assert t.rows[0].name == "合计" and t.rows[0].values == {"total": 386.73, "personnel": 356.76, "public": 29.97}


def test_the_years_opening_budget_in_a_budget_is_its_total():
    # 国家信访局 部门公开表5 p.10: 2026年预算数 › 年初预算数 › 小计 · 基本支出 · 项目支出 (a 预算, not a 决算:
    # no budget column); 201 一般公共服务支出 13,144.37 = 6,668.44 + 6,475.93
    doc = extract_files([CORPUS / "zhongyang-guojiaxinfangju-2026-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "gpb_expenditure" and t.location == {"page": 10})
    row = next(r for r in t.rows if r.code == "201")
    assert "budget" not in t.columns
    assert (row.values["total"], row.values["basic"], row.values["project"]) == (13144.37, 6668.44, 6475.93)


def test_a_tables_only_amount_column_is_its_total():
    # 江苏省政协 一般公共预算机关运行经费支出预算表 p.11: 科目编码 | 科目名称 | 机关运行经费支出; 合计 1,130.74
    doc = extract_files([CORPUS / "jiangsu-sheng-zhengxie-2019-yusuan.part2-tables.pdf"])
    t = next(t for t in doc.tables if t.kind == "admin_operating")
    assert t.columns == ["total"] and (t.rows[0].name, t.rows[0].values) == ("合计", {"total": 1130.74})
    assert next(r for r in t.rows if r.code == "30211").values == {"total": 200.0}


def test_this_years_income_subtotal_beside_the_total_is_the_current_column():
    # 湖州市卫健委 表02 p.28: 单位名称 | 总计 | 本年收入 › 小计 · 一般公共预算 … | 上年结转结余 › 小计 …
    doc = extract_files([CORPUS / "zhejiang-huzhou-weijianwei-2026-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "income")
    assert t.rows[0].name == "合计"
    assert {k: t.rows[0].values[k] for k in ("total", "current", "gpb", "gf")} == {
        "total": 515313.35,
        "current": 515313.35,
        "gpb": 37018.75,
        "gf": 27600.0,
    }
