"""A form's money however its header block labels it, and the pages that only continue a form — each on the
real page that shows it, the values read off the rendered page (pdftoppm): Beijing's 预算14表 (资金情况（万元）›
年度金额：), Yantai's 年度预算资金（万元） | 140 and its forms continued overleaf under the running title
政策和项目预算绩效目标表, Xi'an's 实施期资金总额： 337770.89万元 (the unit printed in the cell) and a label cut over
two cells, a 整体 form whose 年度主要任务 block prints 金额合计 in 万元 per cell."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


def _forms(path, layout="declaration"):
    return [f for f in extract_files([path]).forms if f.layout == layout]


def test_the_annual_amount_of_a_transfer_form():
    forms = _forms(CORPUS / "beijing-shi-jiaowei-2026-yusuan.part2-tables.pdf")
    got = [(f.project, f.amount, f.money_unit, f.location) for f in forms]
    assert got[0] == ("促进教育事业均衡发展共同事权转移支付", 567798.76084, "万元", {"page": 98})
    assert [i.value for i in forms[0].indicators][:2] == ["≥2.9万人", "≥6.2万人"]


@pytest.fixture(scope="module")
def yantai():
    return _forms(CORPUS_WIDE / "yantai-14bd9b1dc8.pdf")


def test_the_annual_budget_labelled_with_its_unit(yantai):
    assert [(f.project, f.amount, f.money_unit, f.location) for f in yantai[:2]] == [
        ("测绘应急保障技术服务项目", 140.0, "万元", {"page": 37}),
        ("自然资源开发利用卫星遥感监测", 200.0, "万元", {"page": 38}),
    ]


def test_a_page_printing_only_the_grid_under_the_running_title_continues_the_form(yantai):
    # p.40 prints 政策和项目预算绩效目标表 and six more rows of 自然资源管理工作经费 (p.39): one form, no form
    # named after the running title
    assert not [f for f in yantai if "政策和项目预算" in (f.project or "")]
    (f,) = [f for f in yantai if f.location == {"page": 39}]
    assert (f.project, f.amount, f.pages, len(f.indicators)) == ("自然资源管理工作经费", 775.8, 2, 23)
    assert not [g for g in yantai if g.location == {"page": 40}]
    assert [(i.level2, i.name, i.value) for i in f.indicators[17:]] == [
        ("经济效益指标", "土地出让收入", "≥25亿元"),
        ("经济效益指标", "探矿权出让市级收益", "≥2亿元"),
        ("经济效益指标", "采矿权出让市级收益", "≥1.69亿元"),
        ("社会效益指标", "自然资源业务工作保障率", "=100%"),
        ("服务对象满意度指标", "局机关内部员工满意度", "≥90%"),
        ("服务对象满意度指标", "会议与培训参与者满意度", "≥90%"),
    ]


def test_a_form_that_prints_no_money_names_its_project_from_the_header_row():
    # 项目编码 | 37060026197803370002J | 项目名称 | 市场监管发展专项; no 资金 line at all (p.45)
    (f,) = [f for f in _forms(CORPUS_WIDE / "yantai-efdc3f4473.pdf") if f.location == {"page": 45}]
    assert (f.project, f.amount) == ("市场监管发展专项", None)


def test_a_whole_period_amount_printed_with_its_unit_in_the_cell():
    forms = _forms(CORPUS_WIDE / "xian-1c37dcb59b.pdf")
    got = {f.project: f.amount for f in forms}
    assert got["其他履职尽责专项业务费"] == 337770.89 and got["专项购置"] == 33.29


def test_a_money_label_cut_over_two_cells():
    # 资金金额（万元） | 实施期资金总额： 55.72, the label printed over two cells (p.85)
    (f,) = [f for f in _forms(CORPUS_WIDE / "xian-83dd0b120b.pdf") if f.location == {"page": 85}]
    assert (f.project, f.amount, f.money_unit) == ("警用服装购置", 55.72, "万元")


def test_a_unit_form_whose_task_block_prints_the_total_with_its_unit():
    doc = extract_files([CORPUS_WIDE / "xian-886914c5e0.pdf"])
    (f,) = [f for f in doc.forms if f.layout == "unit"]
    assert (f.amount, f.money_unit, f.location) == (5093.76, "万元", {"page": 45})
    assert [(i.level1, i.name, i.value) for i in f.indicators][:2] == [
        ("成本指标", "物业管理服务成本", "≤191.98万元"),
        ("产出指标", "综合窗口设置数量", "≤92人"),
    ]


@pytest.fixture(scope="module")
def beijing_water():
    return [f for f in extract_files([CORPUS_WIDE / "beijing-19894b8491.pdf"]).forms if f.layout == "tabular"]


def test_projects_under_a_name_cell_merged_over_pages_take_its_name(beijing_water):
    """北京市水务局 预算12表 pp.39–42: the 项目名称 cell of 11000021Y000000390843-信息系统运维类项目 is merged over ten
    blocks, each with its own 项目总额 and 绩效目标; its text is printed (outside the grid's rows) on every page
    it spans, and the pages whose name column is blank draw no column there. Ten forms of that name, none named
    by its amount."""
    assert not [
        f.project for f in beijing_water if f.project is None or f.project.replace(",", "").replace(".", "").isdigit()
    ]
    first = [(f.project, f.amount, f.location) for f in beijing_water[:11]]
    name = "11000021Y000000390843-信息系统运维类项目"
    assert [a for p, a, _ in first if p == name] == [
        65.574,
        29.742252,
        85.1568,
        10.514756,
        64.196166,
        80.5,
        12.5634,
        42.466764,
        26.448943,
        41.3834,
    ]
    assert first[10] == ("11000022T000000391739-培训类项目", 198.0, {"page": 42})
    assert [len(f.indicators) for f in beijing_water[:3]] == [12, 11, 15]
    i = beijing_water[2].indicators[0]
    assert (i.level1, i.level2, i.name, i.value) == (
        "成本指标",
        "经济成本指标",
        "应用系统技术运维服务费成本",
        "≤18.24万元",
    )


def test_an_amount_whose_cell_wraps_onto_the_next_page_is_joined(beijing_water):
    # p.61 prints 3,327.5954 at the foot of the amount cell, p.62 its last digits 37 at the top
    name = "11000022Y000000430160-水利工程日常维修养护费"
    got = [(f.amount, f.location) for f in beijing_water if f.project == name]
    assert got[:4] == [
        (1532.553759, {"page": 59}),
        (1353.144093, {"page": 61}),
        (3327.595437, {"page": 61}),
        (6242.482756, {"page": 62}),
    ]
    assert 37.0 not in [f.amount for f in beijing_water]


def test_a_name_run_below_its_cell_stays_with_its_project(beijing_water):
    # p.94: 11000024Y000002890113-北京市南水北调大宁管理处信息系 | 统运维类项 runs below its block into the next one,
    # whose name (11000024Y000002890218-…) is printed whole overleaf
    got = {f.amount: f.project for f in beijing_water if f.location in ({"page": 94}, {"page": 95})}
    assert got[9.3804].endswith("大宁管理处信息系统运维类项")
    assert got[17.1334] == "11000024Y000002890218-北京市十三陵水库管理处信息系统运维类项目"


def test_a_header_under_text_clipped_from_the_page_before_still_heads_the_table():
    # 北京市公安局公安交通管理局 预算表12 p.59 (printed again over its page): the name and amount cells of p.58's
    # last project are drawn again, clipped, under the header, glyph by glyph between 项目名称's and 项目总额's
    # (项目名称 over 11000026T00000375…); the page is still that table, its projects with their amounts
    doc = extract_files([CORPUS_WIDE / "beijing-d345f76d4b.pdf"])
    on_59 = [f for f in doc.forms if f.location.get("page") == 59]
    assert [(f.layout, f.project, f.amount, len(f.indicators)) for f in on_59] == [
        ("tabular", "11000026T000003812458-远郊老旧信号灯标准化升级改造项目", 1655.0, 5)
    ]
    assert [(i.name, i.value) for i in on_59[0].indicators][:2] == [
        ("设备采购与建设费", "≤1616万元"),
        ("监理费", "≤39万元"),
    ]
    # p.58's last project goes on at the top of p.59: its name's last line, drawn on both pages, taken once
    (signs,) = [f for f in doc.forms if f.amount == 1276.74]
    assert signs.project == "11000026T000003750189-四环路（剩余部分）交通标志优化改造项目"
    assert [i.name for i in signs.indicators][4:] == [
        "设计部分",
        "施工部分",
        "过往市民及周边群众满意度",
        "交通标志引导服务优化率",
    ]
