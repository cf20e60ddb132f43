"""Performance forms in corpus layouts the seeds do not have: Beijing's 预算12表 (every project in one table,
指标性质 | 指标值 | 度量单位 in columns of their own, pages that drop the empty first column), Beijing's 预算14表
(转移支付 forms named after the table number), Xi'an's 专项资金整体绩效目标表 (one form per 专项, some
headers printed without rulings, a grid without its header row)."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def beijing():
    return extract_files(
        [
            CORPUS / "beijing-shi-jiaowei-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-jiaowei-2026-yusuan.part2-tables.pdf",
        ]
    )


@pytest.fixture(scope="module")
def xian():
    return extract_files([CORPUS / "shaanxi-xian-renshe-2020-yusuan.pdf"])


def _form(doc, start):
    return next(f for f in doc.forms if f.project and f.project.startswith(start))


def test_a_table_of_project_forms_is_one_form_per_project(beijing):
    tabular = [f for f in beijing.forms if f.layout == "tabular"]
    assert len(tabular) > 500 and not any(f.project.startswith(("预算12表", "预算表12")) for f in tabular)
    f = _form(beijing, "11000022T000000476959-")  # p.37, under the header
    assert f.amount == pytest.approx(243.2) and f.money_unit == "万元"
    got = {i.name: (i.level1, i.level2, i.value) for i in f.indicators}
    # 性质 | 值 | 单位 joined as a reader writes them; 定性 | 优 stays 优; 成本指标 as a 一级 over 经济成本指标
    assert got["总成本"] == ("成本指标", "经济成本指标", "≤243.2万元")
    assert got["参与培训人员满意度"] == ("满意度指标", "服务对象满意度指标", "≥95%")
    assert got["测试员培训"] == ("产出指标", "时效指标", "≤7月")
    assert next(v for k, v in got.items() if k.startswith("普通话是中华文化"))[2] == "优"


def test_pages_that_drop_the_empty_first_column_keep_names_and_amounts(beijing):
    f = _form(beijing, "11000024T000002843404-")  # p.46: the project code is in the first cell there
    assert f.amount == pytest.approx(5.217)
    assert [(i.name, i.value) for i in f.indicators][:2] == [("持续影响时间", "=1年"), ("本年总成本", "≤111.63万元")]
    assert not any(f.project.replace(".", "").isdigit() for f in beijing.forms if f.project)


def test_a_title_led_by_its_table_number_names_the_project(beijing):
    names = [f.project for f in beijing.forms if f.layout == "declaration"]
    assert "促进教育事业均衡发展共同事权转移支付" in names and "教育改革发展专项转移支付" in names


def test_special_fund_forms_are_split_per_fund(xian):
    names = [f.project for f in xian.forms if f.layout == "declaration"]
    assert names[-6:] == [
        "市级就业补助及创业贷款贴息资金",
        "博士后创新基地资助资金",
        "高技能人才奖励资金",
        "伯乐奖",
        "城乡居民养老保险",
        "技工学校国家助学金和免学费",
    ]
    # only 实施期资金总额 is printed: it is the form's money
    assert _form(xian, "伯乐奖").amount == 100 and _form(xian, "城乡居民养老保险").amount == 30000
    # “专项（项目）名称 伯乐奖” printed as one line started a form of its own
    assert len(_form(xian, "高技能人才奖励资金").indicators) == 8
    # a grid whose first row is 绩效指标 | 产出指标 | 数量指标 | … (no header row) is read
    last = _form(xian, "技工学校国家助学金和免学费")
    assert len(last.indicators) == 9 and last.indicators[0].level2 == "数量指标"
    assert all(
        not i.name.startswith(("专项", "主管部门", "资金金额", "总体目标")) for f in xian.forms for i in f.indicators
    )


def test_a_project_whose_rows_start_at_the_foot_of_a_page_keeps_them():
    """北京卫健委 p.40→41: 医改管理与政策组织实施工作's block opens (ruled above) at the foot of p.40 with four 产出指标
    rows; its name and amount are printed overleaf (and once more below the grid). The rows are its own, not the
    previous project's, and the overflow text is not a project."""
    from budgetwatch.checks import run_checks

    doc = extract_files(
        [
            CORPUS / "beijing-shi-weijianwei-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf",
        ]
    )
    reform = _form(doc, "11000022T000000443864-")
    assert [i.name for i in reform.indicators][:4] == ["政策咨询", "会议次数", "会议出勤率", "项目完成时间"]
    assert len(reform.indicators) == 8 and reform.amount == pytest.approx(6.9)
    assert len(_form(doc, "11000022T000000443774-").indicators) == 10
    import re

    assert not [f.project for f in doc.forms if f.project and re.match(r"^\d{4}-", f.project)]  # 3864-医改管…
    assert not [f for f in run_checks(doc) if f.rule == "D08" and "443864" in (f.row_name or "")]


def test_pages_that_repeat_the_title_over_their_own_funds_are_forms_of_their_own():
    """北京卫健委 预算14表 公共卫生及计划生育扶助保障共同事权转移支付: pp.147–149 repeat the title, and each prints
    its own 转移支付名称 (…-基本公共卫生服务方向 / 计划生育服务方向 / 育儿补贴方向) and 年度金额: three forms, named by
    the 转移支付名称 cell (values read off the rendered pages)."""
    TABLES = "beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf"  # a pair's locations name their file
    doc = extract_files([CORPUS / "beijing-shi-weijianwei-2026-yusuan.part1-text.pdf", CORPUS / TABLES])
    forms = [f for f in doc.forms if (f.project or "").startswith("公共卫生及计划生育扶助保障共同事权转移支付")]
    assert [(f.project.split("-")[-1], f.amount, f.money_unit, f.location, len(f.indicators)) for f in forms] == [
        ("基本公共卫生服务方向", 35541.8, "万元", {"page": 147, "file": TABLES}, 21),
        ("计划生育服务方向", 75124.14, "万元", {"page": 148, "file": TABLES}, 7),
        ("育儿补贴方向", 7560.0, "万元", {"page": 149, "file": TABLES}, 6),
    ]
    assert [(i.level2, i.name, i.value) for i in forms[2].indicators][2:4] == [
        ("成本指标", "育儿补贴国家基础标准", "3600元/人/年"),
        ("社会效益指标", "政策知晓率", "≥90%"),
    ]


def _wide(name):
    if not CORPUS_WIDE.is_dir():
        pytest.skip(f"{CORPUS_WIDE} is absent")
    return extract_files([CORPUS_WIDE / name])


def _by_amount(doc, amount):
    (f,) = [f for f in doc.forms if f.amount == pytest.approx(amount)]
    return f


def test_a_block_ruled_above_its_amount_cell_is_the_next_projects():
    """北京市市场监管局 预算12表 (read off the rendered pages): the table's empty first column is ruled only at
    its top and bottom, so a block opens where a ruling crosses the project's amount cell."""
    doc = _wide("beijing-8408cafe28.pdf")
    # p.25: 计量监督管理服务's block opens at the page's foot, its name and amount printed overleaf (p.26), under
    # the table's two header rows printed again there
    metrology = _by_amount(doc, 245.34)
    assert metrology.project == "11000022T000000491472-计量监督管理服务" and len(metrology.indicators) == 11
    assert [(i.page, i.name, i.value) for i in metrology.indicators][:2] == [
        (25, "计量监督管理服务成本", "≤245.34万元"),
        (
            25,
            "按照法律法规规定，加强计量监督管理，保障国家计量单位制的统一和量值的准确可靠，确保证书报告等结论准确、有效",
            "符合标准",
        ),
    ]
    assert [i.name for i in _by_amount(doc, 144.529).indicators][-1] == "项目期限"
    assert len(_by_amount(doc, 144.529).indicators) == 5
    # p.24's last two rows open 消费维权工作经费's block (its name and amount at the top of p.25)
    assert [i.name for i in _by_amount(doc, 324.55).indicators][:2] == ["法律咨询服务", "网站全年维护更新信息"]
    assert len(_by_amount(doc, 184.1948).indicators) == 5
    # p.31→32: a name cell merged over several projects (167.37, 587.22 …), printed on p.32; the blocks below
    # p.31's 167.37 block and at p.32's foot are 587.22's and 46.00's
    assert _by_amount(doc, 167.37).project == "11000024T000002655272-检验检测日常运行保障"
    assert len(_by_amount(doc, 167.37).indicators) == 6 and len(_by_amount(doc, 587.22).indicators) == 7
    assert _by_amount(doc, 46.0).project == "11000024T000002784210-专用设备购置"
    assert len(_by_amount(doc, 46.0).indicators) == 8


def test_a_name_cell_merged_over_a_page_keeps_its_projects():
    """北京市水务局 预算12表 pp.102–104: 安保项目's name cell is merged over four amounts, over two pages; the last
    row of p.102 opens the 302.43 block."""
    doc = _wide("beijing-19894b8491.pdf")
    first, second = _by_amount(doc, 363.87), _by_amount(doc, 302.43)
    assert len(first.indicators) == 12 and first.indicators[-1].name == "单位职工满意度"
    assert (second.indicators[0].page, second.indicators[0].name) == (102, "服务市民、游客人数")
    for amount in (363.87, 302.43, 655.54, 273.62):
        assert _by_amount(doc, amount).project == "11000025T000003322006-安保项目"


def test_a_table_of_projects_and_their_goals_has_no_indicators():
    # 杭州市司法局 2026 表11 项目支出绩效表 (pp. 39–40): 单位名称 | 项目名称 | 金额 | 绩效目标, one row a project, the
    # 绩效目标 a sentence (提高刑事执行水平,筑牢争当城市范例的平安防线。 for 法治保障 479.75): no indicator grid
    doc = extract_files([CORPUS_WIDE / "hangzhou-425299ae81.pdf"])
    forms = [f for f in doc.forms if f.location.get("page") in (39, 40)]
    assert len(forms) == 31 and not any(f.indicators for f in forms)
    assert [(f.project, f.amount) for f in forms[4:6]] == [("法治保障", 479.75), ("日常保障运行", 967.8)]
    assert (forms[-1].project, forms[-1].amount) == ("法律援助", 317.82)
