"""Reading capabilities of issue 12 (point 1) that no other test shows, each on the real page that shows it
(../shared/corpus or ../shared/corpus-wide), asserting the figures read off the rendered page."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


def _wide(name):
    if not CORPUS_WIDE.is_dir():
        pytest.skip(f"{CORPUS_WIDE} is absent")
    return extract_files([CORPUS_WIDE / name])


def _only(doc, kind, page):
    ts = [t for t in doc.tables if t.kind == kind and t.location.get("page") == page]
    assert len(ts) == 1, [(t.kind, t.title, t.location) for t in doc.tables]
    return ts[0]


def _items(table):
    return {r.name: r.values for r in table.rows}


def test_three_public_printed_with_year_rows_under_item_and_funding_source_columns():
    # 深圳市公安局 表9 p.37: 预算单位 | 年度 | 总计 › 一般公共预算 · 政府性基金预算 · 国有资本经营预算 | 因公出国(境)费 › …
    # | 公务用车购置及运行维护费 › 小计 · 公务用车购置费 · 公务用车运行维护费 › …; rows 2025年 | 2026年 | 增减变化金额
    doc = extract_files([CORPUS / "guangdong-shenzhen-gonganju-2026-yusuan.pdf"])
    zero = {"gf": 0.0, "soe": 0.0}
    assert _items(_only(doc, "three_public", 37)) == {
        "合计": {"gpb": 3086.94, **zero},
        "因公出国（境）费": {"gpb": 123.85, **zero},
        "公务接待费": {"gpb": 52.99, **zero},
        "公务用车购置及运行费": {"gpb": 2910.1, **zero},
        "公务用车购置费": {"gpb": 667.1, **zero},
        "公务用车运行维护费": {"gpb": 2243.0, **zero},
    }


def test_three_public_year_rows_of_the_department_then_its_units():
    # 深圳市建筑工务署 表9 p.57: the department's 2025年 | 2026年 | 增减变化金额 rows, then each unit's; the cover
    # “2026年深圳市建筑工务署部门预算” gives the year (p.2's 说明 names 2025年部门预算 first)
    doc = _wide("shenzhen-b03dee1eff.pdf")
    assert (doc.unit, doc.year) == ("深圳市建筑工务署", 2026)
    got = {n: v["gpb"] for n, v in _items(_only(doc, "three_public", 57)).items()}
    assert got == {
        "合计": 100.22,
        "因公出国（境）费": 77.2,
        "公务接待费": 1.0,
        "公务用车购置及运行费": 22.02,
        "公务用车购置费": 0.0,
        "公务用车运行维护费": 22.02,
    }


@pytest.fixture(scope="module")
def zhujianju():
    return extract_files([CORPUS / "shandong-yantai-zhujianju-2026-yusuan.pdf"])


def test_form_amount_labelled_annual_budget_total_in_a_funds_block_in_wan(zhujianju):
    # p.37: 项目资金（万元） | 年度预算资金总额： 87.45 | 其中：财政拨款 87.45 | 其他资金 0.00
    f = next(f for f in zhujianju.forms if f.location.get("page") == 37)
    assert (f.project, f.amount, f.money_unit) == ("城市更新城市体检", 87.45, "万元")
    assert [(i.level1, i.level2, i.name, i.value) for i in f.indicators][:2] == [
        ("成本指标", "经济成本", "项目总成本", "≤87.45万元"),
        ("产出指标", "数量指标", "建设城市体检平台数量", "=1个"),
    ]
    # the document prints 年度预算资金总额 on 76 forms: each is a form with its amount
    assert len(zhujianju.forms) == 76 and all(f.amount is not None for f in zhujianju.forms)


def test_a_form_continued_overleaf_under_the_running_title_is_one_form(zhujianju):
    # pp.74-75: every page prints 政策和项目预算绩效目标表 on top; p.75 goes on with the grid of p.74's
    # 房地产发展研究及宣传推介 (no 项目名称, no 资金 of its own): not a form named 政策和项目预算
    assert not [f for f in zhujianju.forms if f.project == "政策和项目预算"]
    (f,) = [f for f in zhujianju.forms if f.location.get("page") == 74]
    assert (f.project, f.amount, f.pages) == ("房地产发展研究及宣传推介", 100.0, 2)
    assert [(i.page, i.level2, i.name, i.value) for i in f.indicators][-3:] == [
        (75, "社会效益指标", "规范房地产开发企业销售人员及房地产经纪机构从业人员行为", "作用显著"),
        (75, "可持续影响指标", "房地产市场供需平衡、结构合理", "作用显著"),
        (75, "服务对象满意度指标", "活动参与人员满意度", "≥90%"),
    ]


def test_an_unknown_innermost_header_under_a_known_parent_is_an_x_column():
    # 深圳市公安局 表2 收入总表 p.19: 本年收入 › 单位资金 › 事业收入 | 事业单位经营收入 | 上级补助收入 | 附属单位上缴收入 |
    # 其他收入: 上级补助收入 is not 单位资金 (unit_funds), it keeps its header
    doc = extract_files([CORPUS / "guangdong-shenzhen-gonganju-2026-yusuan.pdf"])
    (row,) = _only(doc, "income", 19).rows
    assert row.values == {
        "total": 204397.58,
        "gpb": 200641.34,
        "gf": 0.0,
        "soe": 0.0,
        "special": 0.0,
        "business": 0.0,
        "operating": 0.0,
        "x:上级补助收入": 0.0,
        "x:附属单位上缴收入": 0.0,
        "other": 1140.0,
        "carryover": 2616.24,
    }


@pytest.mark.parametrize(
    "name, page, second, row",
    [
        # 西安市司法局 p.88: 成本指标 › 经济成本 | 社会成本 › 服务需求平均响应时间(时) ≤3
        ("xian-83dd0b120b.pdf", 88, 1, ("成本指标", "社会成本", "服务需求平均响应时间(时)", "≤3")),
        # 烟台市科学技术局 p.34: 绩效指标 | 成本指标 | 生态环境成本 | 成本控制 | ≤18万元
        ("yantai-107303e1f2.pdf", 34, 1, ("成本指标", "生态环境成本", "成本控制", "≤18万元")),
    ],
)
def test_cost_indicators_under_social_and_environmental_cost(name, page, second, row):
    (f,) = [f for f in _wide(name).forms if f.location.get("page") == page]
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert got[second] == row and got[0][:2] == ("成本指标", "经济成本")


def test_a_self_assessment_score_table_is_not_a_form():
    # 佛山市轨道交通局 2019 决算 p.29: 项目名称 | 自评分数 (质量抽检和试验检测管理 100 …) under the 绩效自评 说明
    doc = extract_files([CORPUS / "guangdong-foshan-guidaojiaotongju-2019-juesuan.pdf"])
    assert doc.forms == []
    assert not [r for t in doc.tables for r in t.rows if (r.name or "").startswith("质量抽检")]


def test_a_title_drawn_inside_the_tables_own_ruled_frame():
    # 北京市司法局 tables file: 预算01表 收支总表 and 金额单位：万元 are printed in the top rows of the table's own
    # (invisibly) ruled frame; each title still starts its table, and the tables after it are not its rows
    doc = extract_files(
        [
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
        ]
    )
    summary = _only(doc, "summary", 1)
    assert (summary.title, summary.money_unit) == ("预算01表收支总表", "万元")
    assert (summary.rows[0].name, summary.rows[0].values) == ("一般公共预算拨款收入", {"total": 29569.515638})
    assert [(t.location["page"], t.title[:4]) for t in doc.tables][:4] == [
        (1, "预算01"),
        (3, "预算02"),
        (4, "预算03"),
        (9, "预算04"),
    ]
    assert not [r for t in doc.tables for r in t.rows if "预算" in (r.name or "") and "表" in (r.name or "")]
    assert len([f for f in doc.forms if f.layout == "tabular"]) == 30  # 预算12表 after the tables


def test_decimals_wrapped_onto_a_second_line_inside_their_cell():
    # 重庆市商务委员会 表一/表二 (pp.8-9): the text layer breaks 174,900 / .64 inside each amount cell
    doc = _wide("chongqing-0d1282d352.pdf")
    summary = {(r.side, r.name): r.values["total"] for r in _only(doc, "summary", 8).rows}
    assert summary[("income", "合计")] == summary[("expenditure", "合计")] == 174900.64
    assert summary[("income", "一般公共预算资金")] == 101833.84 and summary[("expenditure", "教育支出")] == 55670.32
    rows = {r.code: r.values for r in _only(doc, "income", 9).rows if r.code}
    assert rows["2011350"] == {"total": 8945.61, "gpb": 2732.59, "business": 484.7, "operating": 5727.32, "other": 1.0}


def test_low_sitting_punctuation_stays_on_its_own_line():
    # 江苏高院 2019 p.5: “…江苏省高级人民法院机关（本级）、 / 徐州铁路运输法院。” — the 、 sits below the line (a
    # reader of tight boxes puts it on a line of its own); it ends its line, the next line does not take it
    doc = extract_files([CORPUS / "jiangsu-sheng-gaojifayuan-2019-yusuan.pdf"])
    texts = [t.text for t in doc.narrative if t.page == 5]
    k = next(i for i, t in enumerate(texts) if t.endswith("江苏省高级人民法院机关（本级）、"))
    assert texts[k + 1] == "徐州铁路运输法院。"


def _pair(stem):
    return [CORPUS / f"{stem}.part1-text.pdf", CORPUS / f"{stem}.part2-tables.pdf"]


@pytest.mark.parametrize(
    "files, amount",
    [
        # 总体资金情况（万元） › 预算支出总额 | 财政拨款 › 合计 …
        (_pair("beijing-shi-sifaju-2026-yusuan"), 23083.340436),
        (_pair("beijing-shi-jiaowei-2026-yusuan"), 3923076.626242),
        (_pair("beijing-shi-weijianwei-2026-yusuan"), 862282.85999),
        # 年度预算安排（万元） | 资金总额; 年度预算申请 › 资金总额 | 按收入性质分 | 按支出性质分
        ([CORPUS / "fujian-quanzhou-gonganju-2026-yusuan.pdf"], 81562.56),
        ([CORPUS / "hunan-changsha-zhijiaojidi-2026-yusuan.pdf"], 656.73),
        # no money block of its own: 年度主要任务 with 预算金额（万元） columns, their 金额合计 row
        ([CORPUS / "shaanxi-xian-anjianju-2019-yusuan.pdf"], 3643.37),
        ([CORPUS / "shaanxi-xian-gonganju-2026-yusuan.pdf"], 344447.7),
        ([CORPUS / "shaanxi-xian-minzhengju-2021-yusuan.pdf"], 87203.19),
        ([CORPUS / "shaanxi-xian-renshe-2020-yusuan.pdf"], 182066.56),
    ],
    ids=lambda v: v[0].name.split(".")[0] if isinstance(v, list) else str(v),
)
def test_every_unit_form_of_the_corpus_is_a_unit_performance_table_with_its_amount(files, amount):
    doc = extract_files(files)
    (form,) = [f for f in doc.forms if f.layout == "unit"]
    (table,) = [t for t in doc.tables if t.kind == "unit_performance"]
    assert (form.amount, form.money_unit, table.rows[0].values["total"]) == (amount, "万元", amount)
    assert form.indicators


def test_a_unit_named_only_as_the_forms_implementer(tmp_path):
    # p.37 of 烟台市住建局 on its own (no cover, no 部门名称 line): 主管部门及代码 | 253_烟台市住房和城乡建设局 |
    # 实施单位 | 烟台市住房和城乡建设局
    import pypdfium2 as pdfium

    one = pdfium.PdfDocument.new()
    one.import_pages(pdfium.PdfDocument(CORPUS / "shandong-yantai-zhujianju-2026-yusuan.pdf"), [36])
    one.save(tmp_path / "p37.pdf")
    doc = extract_files([tmp_path / "p37.pdf"])
    assert doc.unit == "烟台市住房和城乡建设局"
    assert [(f.project, f.amount) for f in doc.forms] == [("城市更新城市体检", 87.45)]


def test_code_level_labels_printed_in_the_total_row(tmp_path):
    # 决算 layout: 类 | 款 | 项 under 功能分类科目编码 share the ruled row of 合计 and its figures. No page of the
    # corpora prints it, so a one-page PDF is drawn to show it (tests/pdf_maker.py)
    from pdf_maker import FONT, ruled_table

    if not FONT.exists():
        pytest.skip(f"{FONT} (a CJK font) is absent")
    path = tmp_path / "final.pdf"
    rows = [
        ["项目", "", "", "", "本年支出合计", "基本支出", "项目支出"],
        ["功能分类科目编码", "", "", "科目名称", "", "", ""],
        ["类", "款", "项", "合计", "100.00", "60.00", "40.00"],
        ["201", "", "", "一般公共服务支出", "100.00", "60.00", "40.00"],
        ["", "01", "", "人大事务", "100.00", "60.00", "40.00"],
        ["", "", "01", "行政运行", "60.00", "60.00", ""],
        ["", "", "02", "一般行政管理事务", "40.00", "", "40.00"],
    ]
    merged = [(0, 0, 0, 3), (1, 0, 1, 2), (0, 4, 1, 4), (0, 5, 1, 5), (0, 6, 1, 6)]
    ruled_table(path, "2024年支出决算表", rows, [40, 30, 30, 150, 90, 80, 80], merged)
    (t,) = extract_files([path]).tables
    assert [(r.code, r.name, r.values) for r in t.rows] == [
        (None, "合计", {"total": 100.0, "basic": 60.0, "project": 40.0}),
        ("201", "一般公共服务支出", {"total": 100.0, "basic": 60.0, "project": 40.0}),
        ("20101", "人大事务", {"total": 100.0, "basic": 60.0, "project": 40.0}),
        ("2010101", "行政运行", {"total": 60.0, "basic": 60.0}),
        ("2010102", "一般行政管理事务", {"total": 40.0, "project": 40.0}),
    ]


def test_earlier_years_wording_in_a_pdf(tmp_path):
    # 一般预算 for 一般公共预算, 基金预算 for 政府性基金预算: no page of the corpora prints them (their grids print
    # 政府性基金预算 wrapped as 政府性 / 基金预算), so a one-page PDF shows them (the text form: test_older_wording.py)
    from pdf_maker import FONT, ruled_table

    if not FONT.exists():
        pytest.skip(f"{FONT} (a CJK font) is absent")
    path = tmp_path / "older.pdf"
    rows = [
        ["科目编码", "科目名称", "合计", "一般预算拨款", "基金预算拨款"],
        ["", "合计", "150.00", "120.00", "30.00"],
        ["201", "一般公共服务支出", "150.00", "120.00", "30.00"],
    ]
    ruled_table(path, "2014年部门收入总表", rows, [60, 150, 80, 90, 90])
    (t,) = extract_files([path]).tables
    assert t.kind == "income" and t.rows[0].values == {"total": 150.0, "gpb": 120.0, "gf": 30.0}


def test_a_row_printing_the_cost_level_in_both_level_columns():
    # 北京市卫健委 预算14表 p.149 (育儿补贴): 成本指标 | 成本指标 | 育儿补贴国家基础标准 | 3600元/人/年
    doc = extract_files(_pair("beijing-shi-weijianwei-2026-yusuan"))
    got = [(i.level1, i.level2, i.value) for f in doc.forms for i in f.indicators if i.name == "育儿补贴国家基础标准"]
    assert got == [("成本指标", "成本指标", "3600元/人/年")]


def test_a_character_the_font_gives_no_code_keeps_the_rest_of_the_page_in_place(tmp_path):
    # pdfium's page text leaves out a character without a Unicode code (here one beyond the font), so its
    # indexes no longer match the glyphs' after it: the reader must not take its characters from that text
    from budgetwatch.read.pdf_lines import read_pdf
    from pdf_maker import FONT, ruled_table

    if not FONT.exists():
        pytest.skip(f"{FONT} (a CJK font) is absent")
    path = tmp_path / "uncoded.pdf"
    ruled_table(
        path, "部门收入总表", [["项目", "金额"], ["\U00020000类项目", "12.50"], ["其他收入", "3.00"]], [200, 100]
    )
    got = [ln.cells for ln in read_pdf(path).lines if ln.is_row]
    assert got == [("项目", "金额"), ("类项目", "12.50"), ("其他收入", "3.00")]
