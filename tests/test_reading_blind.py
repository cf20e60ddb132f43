"""Readings checked row by row against the rendered pages of documents drawn at random (seed 20261202) from
../shared/corpus-wide: each test asserts figures read off the page, and failed before its fix."""

from __future__ import annotations

import pytest

from budgetwatch.checks import run_checks
from budgetwatch.checks.narrative import claims
from budgetwatch.checks.view import DocView
from budgetwatch.extract import extract_files

from conftest import CORPUS_WIDE

pytestmark = pytest.mark.skipif(not CORPUS_WIDE.is_dir(), reason=f"{CORPUS_WIDE} is absent")


def _doc(name):
    path = CORPUS_WIDE / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return extract_files([path])


def _table(doc, kind, page):
    ts = [t for t in doc.tables if t.kind == kind and t.location.get("page") == page]
    assert len(ts) == 1, [(t.kind, t.title, t.location) for t in doc.tables]
    return ts[0]


def test_a_procurement_category_letter_is_not_the_rows_name():
    # 重庆市人民政府办公厅 2026 表九 (p21): 项目编号 A | 项目 货物; the letter is a category code, not a
    # 功能分类 code, and the row is named by its 项目 cell
    rows = _table(_doc("chongqing-3be48d9f27.pdf"), "procurement", 21).rows
    assert [(r.name, r.code, r.values) for r in rows] == [
        ("合计", None, {"total": 4542.69, "gpb": 4542.69}),
        ("货物", None, {"total": 110.0, "gpb": 110.0}),
        ("服务", None, {"total": 4432.69, "gpb": 4432.69}),
    ]


def test_the_government_economic_class_named_in_its_own_column_is_the_rows_gov_name():
    # 西安市工信局 2022 表8 (p34): 部门经济科目编码 | 部门经济科目名称 | 政府经济科目编码 | 政府经济科目名称
    rows = _table(_doc("xian-627c16eab5.pdf"), "gpb_basic", 34).rows
    got = [(r.code, r.name, r.gov_name, r.values["total"]) for r in rows if r.code in ("30101", "30108", "30113")]
    assert got == [
        ("30101", "基本工资", "工资奖金津补贴", 6057979.2),
        ("30101", "基本工资", "工资福利支出", 4536780.0),
        ("30108", "机关事业单位基本养老保险缴费", "社会保障缴费", 1739478.59),
        ("30108", "机关事业单位基本养老保险缴费", "工资福利支出", 1291759.0),
        ("30113", "住房公积金", "住房公积金", 1710978.67),
        ("30113", "住房公积金", "工资福利支出", 1474386.33),
    ]
    assert rows[1].code == "301" and rows[1].gov_name is None  # the 类 row prints no 政府经济科目


def test_a_level1_label_cut_by_the_page_break_governs_the_rows_on_both_pages():
    # 西安市工信局 2022 表14 (p52-53), 中小企业、民营经济综合服务信息费: 效 | 经济效益指标 | 指标1 … is the
    # last row of p52, 益指标 | (blank) | 指标2 … the first of p53
    forms = [f for f in _doc("xian-627c16eab5.pdf").forms if f.project == "中小企业、民营经济综合服务信息费"]
    assert len(forms) == 1
    got = [(i.level1, i.level2, i.name, i.value) for i in forms[0].indicators]
    assert got[11:15] == [
        ("产出指标", "成本指标", "指标2：国家中小企业公共示范服务平台申报材料打印", "0.8万元"),
        ("效益指标", "经济效益指标", "指标1：提高中小企业信息平台发展服务能力", "提升"),
        ("效益指标", "经济效益指标", "指标2：网站和公众号的满意度", "提升"),
        ("效益指标", "社会效益指标", "指标1：提高本单位社会影响力，提高发展服务能力", "提高"),
    ]
    assert not any(i.name == "益指标" for i in forms[0].indicators)


def test_a_table_noted_as_having_no_amount_this_year_is_empty():
    # 深圳市发改委 2026 表10 (p38) and 表11 (p39): one line of 0.00 and 注：本表本年无发生额。
    doc = _doc("shenzhen-917c89371d.pdf")
    assert _table(doc, "gf_expenditure", 38).empty
    assert _table(doc, "soe", 39).empty
    assert not _table(doc, "three_public", 37).empty  # its figures are not all zero


def test_a_lone_column_headed_by_the_stage_word_is_the_total():
    # 广州市人民政府办公厅 2026 表1 (p5): 收入 › 项目 | 预算 and 支出 › 项目 | 预算
    rows = _table(_doc("guangzhou-ffddedc938.pdf"), "summary", 5).rows
    by = {(r.side, r.name): r.values for r in rows}
    assert by[("income", "预算拨款")] == {"total": 16410.71}
    assert by[("expenditure", "一般公共服务支出")] == {"total": 8812.33}
    assert by[("expenditure", "住房保障支出")] == {"total": 4735.85}
    assert by[("income", "收入总计")] == {"total": 16410.71}


def test_a_code_in_brackets_before_the_name_is_the_rows_code():
    # 广州市人民政府办公厅 2026 表6 (p14): [301]工资福利支出, [30101]基本工资 … in one cell
    rows = _table(_doc("guangzhou-ffddedc938.pdf"), "gpb_basic", 14).rows
    got = [(r.code, r.name, r.values) for r in rows[:4]]
    assert got == [
        (None, "合计", {"total": 14913.65}),
        ("301", "工资福利支出", {"total": 10613.19}),
        ("30101", "基本工资", {"total": 1525.99}),
        ("30102", "津贴补贴", {"total": 4246.66}),
    ]
    assert (rows[-1].code, rows[-1].name, rows[-1].values) == ("30399", "其他对个人和家庭的补助", {"total": 0.08})


def test_names_cut_by_the_page_break_in_several_blocks_of_one_line_read_whole():
    # 西安市工信局 2022 表1 收支总表 (p20-22): 收入 | 支出功能分类 | 部门预算支出经济科目 | 政府预算支出经济分类, side
    # by side; line 12's (5)资本性支出 | (基本建设) and 11、债务利息及费用支 | 出 run on atop p21, line 37's
    # 其中：财政拨款 | 资金结转 atop p22
    rows = _table(_doc("xian-627c16eab5.pdf"), "summary", 20).rows
    by_block = {}
    for r in rows:
        by_block.setdefault((r.side, r.block), []).append((r.page, r.name, r.values["total"]))
    income = by_block[("income", None)]
    assert income[-4:] == [
        (21, "上年结转", 0.0),
        (21, "财政拨款资金结转", 0.0),
        (22, "非财政拨款资金结余", 0.0),
        (22, "收入总计", 1059464715.06),
    ]
    dept, gov = (v for k, v in by_block.items() if k[1])
    assert dept[9:13] == [
        (20, "对个人和家庭补助", 0.0),
        (20, "债务利息及费用支出", 0.0),
        (20, "资本性支出(基本建设)", 0.0),
        (21, "资本性支出", 732067.92),
    ]
    assert gov[9:13] == [
        (20, "对个人和家庭的补助", 2792724.4),
        (20, "对社会保障基金补助", 0.0),
        (20, "债务利息及费用支出", 0.0),
        (21, "债务还本支出", 0.0),
    ]
    assert "债务利息及费用支" not in [n for _, n, _ in gov]


def test_a_form_printed_blank_with_a_note_that_it_has_no_data_is_an_empty_table():
    # 重庆市人民政府办公厅 2026 表十一 (p23): 2026年市级重点专项资金绩效目标表（一级项目）, 单位：万元, its grid
    # (项目名称 | 主管部门, 当年预算 | 市级支出 | 补助区县, 项目概况, 当年绩效目标, 绩效指标) blank, and
    # 备注：本单位主管无市级财力安排的重点专项资金，故此表无数据
    doc = _doc("chongqing-3be48d9f27.pdf")
    t = _table(doc, "other", 23)
    assert (t.title, t.money_unit, t.empty, t.rows) == (
        "2026年市级重点专项资金绩效目标表（一级项目）",
        "万元",
        True,
        [],
    )
    assert not [f for f in doc.forms if f.location.get("page") == 23]
    # 表十二 (p24) overleaf is a form with its figures
    assert [(f.project, f.amount, len(f.indicators)) for f in doc.forms if f.location.get("page") == 24] == [
        ("市政府办公厅业务及日常运行项目", 8534.17, 11)
    ]


def test_a_project_spending_table_by_economic_class_is_an_economic_table():
    # 广州市人民政府办公厅 2026 表7 (p16): 一般公共预算项目支出情况表（按经济分类科目）, 部门预算支出经济科目 | 预算:
    # rows [302]商品和服务支出 … [310]资本性支出, not projects
    doc = _doc("guangzhou-ffddedc938.pdf")
    assert not [t for t in doc.tables if t.kind == "projects" and t.location.get("page") == 16]
    rows = _table(doc, "gpb_economic", 16).rows
    assert [(r.code, r.name, r.values) for r in rows] == [
        (None, "合计", {"total": 1497.06}),
        ("302", "商品和服务支出", {"total": 1432.54}),
        ("30201", "办公费", {"total": 139.32}),
        ("30202", "印刷费", {"total": 78.27}),
        ("30204", "手续费", {"total": 0.1}),
        ("30207", "邮电费", {"total": 16.29}),
        ("30211", "差旅费", {"total": 291.15}),
        ("30212", "因公出国（境）费用", {"total": 215.6}),
        ("30213", "维修（护）费", {"total": 268.98}),
        ("30215", "会议费", {"total": 3.0}),
        ("30216", "培训费", {"total": 22.29}),
        ("30226", "劳务费", {"total": 23.88}),
        ("30227", "委托业务费", {"total": 130.85}),
        ("30299", "其他商品和服务支出", {"total": 242.82}),
        ("310", "资本性支出", {"total": 64.52}),
        ("31002", "办公设备购置", {"total": 14.8}),
        ("31007", "信息网络及软件购置更新", {"total": 49.72}),
    ]
    assert _table(doc, "projects", 21).title == "部门预算项目支出及其他支出预算表"  # the project list stays one


def test_a_form_listed_in_the_contents_is_no_form_and_takes_no_lines():
    # 北京市统计局 2026 说明 (beijing-ffea07b58d p1), 目录 › 第二部分 2026年度部门预算报表: 一、收支总表 … 十二、项目支出
    # 绩效目标表, 十三、部门整体支出绩效目标表; its tables (beijing-e2ee9b3de1) print the 22 forms
    doc = extract_files([CORPUS_WIDE / "beijing-ffea07b58d.pdf", CORPUS_WIDE / "beijing-e2ee9b3de1.pdf"])
    toc = [x.text for x in doc.narrative if x.file == "beijing-ffea07b58d.pdf" and x.page == 1]
    assert toc[2:] == [
        "目 录",
        "第一部分2026年度部门预算情况说明",
        "一、部门情况说明",
        "二、收入预算情况说明",
        "三、支出预算情况说明",
        "四、财政拨款“三公”经费预算情况说明",
        "五、其他情况说明",
        "六、名词解释",
        "第二部分2026年度部门预算报表",
        "一、收支总表",
        "二、收入总表",
        "三、支出总表",
        "四、财政拨款收支总表",
        "五、一般公共预算支出表",
        "六、一般公共预算基本支出表",
        "七、政府性基金预算支出表",
        "八、国有资本经营预算支出表",
        "九、财政拨款“三公”经费支出表",
        "十、政府采购预算明细表",
        "十一、财政拨款政府购买服务明细表",
        "十二、项目支出绩效目标表",
        "十三、部门整体支出绩效目标表",
        "-1-",
    ]
    assert len(doc.forms) == 22 and all(f.location["file"] == "beijing-e2ee9b3de1.pdf" for f in doc.forms)
    # 北京市交通委员会 2026 说明 (beijing-54ec8472d6): the same 目录 line took the 说明 under it for a form's
    # body, and its 北京市城市道路挖掘修复费标准 (p9-10, 15 rows) with it
    narrative = [x.text for x in _doc("beijing-54ec8472d6.pdf").narrative if x.page in (9, 10)]
    assert "十二、项目支出绩效目标表" not in narrative
    fees = [t for t in narrative if t.split()[0].isdigit() and t.endswith(("㎡", "/m", "座"))]
    assert [f.split()[0] for f in fees] == [str(n) for n in range(1, 16)]
    assert fees[0] == "1 快速路、主干路沥青路面 沥青砼15cm+水稳18cm+无机料36cm（69cm） 342元/㎡"
    assert fees[-1] == "15 沥青路面铣刨加铺（5cm) 137元/㎡"


def test_a_class_quoted_as_a_subject_in_the_explanation_is_the_claims_class():
    # 上海交通职业技术学院 2026 说明 (p6), 财政拨款支出主要内容如下：1.“教育支出”科目23,689万元 … 4.“住房保障支出”
    # 科目913万元; the 一般公共预算支出功能分类预算表 (p13, 元) prints 205 教育支出 236,893,390 … 221 住房保障支出
    # 9,131,460
    doc = _doc("shanghai-34775480bd.pdf")
    got = [(c.page, c.class_name, c.amount) for c in claims(DocView(doc)) if "科目" in c.label]
    assert got == [(6, "教育", 23689.0), (6, "社会保障和就业", 4469.0), (6, "卫生健康", 1370.0), (6, "住房保障", 913.0)]
    rows = _table(doc, "gpb_expenditure", 13).rows
    assert [(r.code, r.name, r.values["total"]) for r in rows if r.code and len(r.code) == 3] == [
        ("205", "教育支出", 236893390.0),
        ("208", "社会保障和就业支出", 44691820.0),
        ("210", "卫生健康支出", 13697230.0),
        ("221", "住房保障支出", 9131460.0),
    ]
    assert not [f for f in run_checks(doc, only={"C01"}) if f.page == 6]  # each agrees with its 类 row


def test_labels_printed_without_figures_atop_the_next_page_finish_no_total():
    # 湖州 退役军人事务局 2026 表04 (p22-23): p22 ends 本年收入合计 5973.01; p23 repeats the title and header, then
    # 上年结转结余 / 一般公共预算 / 政府性基金预算 / 国有资本经营预算 with no figure, then 收入总计 5973.01
    rows = _table(_doc("huzhou-914fa90d9f.pdf"), "fiscal_summary", 22).rows
    income = [(r.page, r.name, r.values) for r in rows if r.side == "income"]
    assert income[-2:] == [(22, "本年收入合计", {"total": 5973.01}), (23, "收入总计", {"total": 5973.01})]
    # 西安市交通运输局 2022 表1 (p27-29): line 31 本年支出合计 ends p28 in each part; p29 opens with line 32, 上年结转 |
    # 结转下年 | 结转下年 | 结转下年, numbered and without figures
    rows = _table(_doc("xian-ff80a8a239.pdf"), "summary", 27).rows
    assert [r.name for r in rows if r.page == 28 and r.values.get("total") == 74868.34] == ["本年收入合计"] + [
        "本年支出合计"
    ] * 3
