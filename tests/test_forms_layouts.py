"""Performance-form layouts read by their header's columns, each on the real page that shows it (values
read off the rendered page): a grid that prints an explanation column between the indicator and its
value (长春 预算表11, 指标解释), a tabular form headed 单位（项目）名称 whose comparison sits in 指标值类型
and whose project is printed again overleaf under a unit subtotal row (长沙 pp.22-23)."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def changchun():
    return extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])


@pytest.fixture(scope="module")
def changsha():
    return extract_files([CORPUS / "hunan-changsha-zhijiaojidi-2026-yusuan.pdf"])


def test_an_explanation_column_between_name_and_value_is_not_the_value(changchun):
    f = next(f for f in changchun.forms if f.project == "2026年信访接待中心运行费")
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert got == [
        ("产出指标", "数量指标", "专项检查开展次数", ">=12次"),
        ("成本指标", "经济成本指标", "办公用房使用维护成本", "<=116万元"),
        ("效益指标", "社会效益指标", "长效管理机制健全性", ">=100百分比"),
        ("满意度指标", "服务对象满意度指标", "上访群众满意度", ">=100百分比"),
    ]
    assert [i.value for f in changchun.forms for i in f.indicators if i.name == "临聘人员满意度"] == [
        ">=100分",
        ">=100百分比",
    ]


def test_a_unit_project_form_is_one_form_across_its_pages(changsha):
    (f,) = [f for f in changsha.forms if f.project is not None]
    assert (f.project, f.amount, f.money_unit, f.location) == ("经常性运转经费（水电气）", 270.0, "万元", {"page": 22})
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert len(got) == 12
    # rows under merged 一级/二级 cells carry their levels; 指标值类型 ＝ / ≥ is the comparison
    assert got[1] == ("成本指标", "经济成本指标", "电费", "=140万元")
    assert got[5] == ("产出指标", "数量指标", "用电量", "=653.99万度")
    assert got[6] == ("产出指标", "质量指标", "水电气设备运行安全率", "=100%")  # p.23, after the repeated name
    assert got[8] == ("产出指标", "时效指标", "及时支付", "≥90%")


def _unit_form(doc):
    (f,) = [f for f in doc.forms if f.layout == "unit"]
    (t,) = [t for t in doc.tables if t.kind == "unit_performance"]
    return f, [(r.name, r.block, r.values["total"]) for r in t.rows]


def test_a_unit_form_whose_budget_columns_sit_beside_its_grid_is_one_form_over_two_pages(changsha):
    # 年度预算申请 › 资金总额 | 按收入性质分 › … | 按支出性质分 › …, the amounts on the grid's first row (p.24)
    f, rows = _unit_form(changsha)
    assert rows == [
        ("资金总额", None, 656.73),
        ("一般公共预算", "按收入性质分", 656.73),
        ("基本支出", "按支出性质分", 386.73),
        ("项目支出", "按支出性质分", 270.0),
    ]
    assert (f.amount, f.money_unit, f.location, f.pages) == (656.73, "万元", {"page": 24}, 2)
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert len(got) == 12
    assert got[0] == ("成本指标", "经济成本指标", "项目支出", "≤270万元")  # beside the budget's amounts
    assert got[8] == ("效益指标", "社会效益指标", "行政管理职能正常完成", "无")  # p.25: the levels go on
    assert got[9] == ("效益指标", "社会效益指标", "有效提升办学环境", "提升")  # 定性 is no comparison


@pytest.mark.parametrize(
    "name, files, amount, first",
    [
        # 年度预算安排（万元）: label | amount rows (部门预算编码 | 301 is not money)
        ("quanzhou", ["fujian-quanzhou-gonganju-2026-yusuan.pdf"], 81562.56, ("资金总额", None, 81562.56)),
        # 年度主要任务 with 预算金额（万元） columns: the 金额合计 row is the form's money
        ("xian", ["shaanxi-xian-renshe-2020-yusuan.pdf"], 182066.56, ("总额", None, 182066.56)),
        # 总体资金情况（万元） › 预算支出总额 | 财政拨款 › 合计 …, named under 部门名称 | 北京市司法局
        (
            "beijing",
            ["beijing-shi-sifaju-2026-yusuan.part1-text.pdf", "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf"],
            23083.340436,
            ("预算支出总额", None, 23083.340436),
        ),
    ],
)
def test_the_unit_forms_budget_block_gives_its_amount(name, files, amount, first):
    f, rows = _unit_form(extract_files([CORPUS / p for p in files]))
    assert (f.amount, f.money_unit) == (amount, "万元")
    assert rows[0] == first and not any("编码" in r[0] for r in rows)


def test_cost_indicators_under_a_second_level_named_without_its_suffix():
    # 西安 表15 p.75: 成本指标 › 经济成本 › 培训费用标准（元/人/天） ≤400
    doc = extract_files([CORPUS / "shaanxi-xian-gonganju-2026-yusuan.pdf"])
    f, _ = _unit_form(doc)
    first = f.indicators[0]
    assert (first.level1, first.level2, first.name, first.value) == (
        "成本指标",
        "经济成本",
        "培训费用标准（元/人/天）",
        "≤400",
    )


@pytest.fixture(scope="module")
def chongqing():
    if not CORPUS_WIDE.is_dir():
        pytest.skip(f"{CORPUS_WIDE} is absent")
    return extract_files([CORPUS_WIDE / "chongqing-2ec956a873.pdf"])


def test_grids_without_levels_are_read_in_every_form_layout(chongqing):
    # 指标名称 | 指标性质 | 指标值 | 计量单位 | 指标权重(%) | 是否核心, no 一级/二级 columns (重庆市水利局)
    by_page = {f.location["page"]: f for f in chongqing.forms}
    unit, declared, tabular = by_page[30], by_page[31], by_page[33]
    assert unit.layout == "unit" and [(i.name, i.value) for i in unit.indicators][:2] == [
        ("续建大中型水库", "≥27座"),
        ("农村饮水项目受益人口", "≥150万人次"),
    ]
    # 表十一, a 申报表 under 单位：万元: 当年预算 12,700.00
    assert (declared.project, declared.amount, declared.money_unit) == ("水库移民后期扶持", 12700.0, "万元")
    assert [(i.name, i.value) for i in declared.indicators][-1] == ("年度预算执行率", "=100%")
    assert len(declared.indicators) == 6 and all(i.level1 is None for i in declared.indicators)
    # 表十二, one row per project headed 当年财政拨款预算金额 | 当年绩效目标 | 指标名称 …
    assert (tabular.layout, tabular.project, tabular.amount) == ("tabular", "水利行业业务经费", 14299.16)
    assert [(i.name, i.value) for i in tabular.indicators] == [
        ("水质检验对象数量", "≥3060个次"),
        ("发布重要水情专报", "≥50次数"),
        ("水文资料整编准确率", "≥95%"),
        ("机关食堂满意度", "≥80%"),
        ("年度预算执行率", "=100%"),
    ]


@pytest.fixture(scope="module")
def beijing():
    return extract_files(
        [
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
        ]
    )


def test_a_grid_that_prints_the_levels_inside_the_indicators_cell(beijing):
    # 预算13表 pp.47-50: 活动 | 绩效指标 (产出指标数量指标北京市行政执法资格考试人数) | 指标性质 | 指标值 | 度量单位;
    # pp.48-49 rule their columns apart from p.47's header: cells go under the header column over them
    (f,) = [f for f in beijing.forms if f.layout == "unit"]
    got = [(i.page, i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert got[0] == (47, "产出指标", "数量指标", "北京市行政执法资格考试人数", "≤4500人次")
    assert (48, "成本指标", "经济成本指标", "北京市行政执法资格考试成本", "=40元/人·次") in got
    assert all(i.level1 for i in f.indicators) and len(got) == 50


def test_a_project_name_ending_overleaf_is_joined(beijing):
    # 预算12表 p.45 prints 11000025T000003567866-北京市公共, p.46 the rest of the merged name cell
    names = [f.project for f in beijing.forms if f.project]
    assert "11000025T000003567866-北京市公共法律网络平台升级改造项目" in names
