"""Reading capabilities shown on real pages of documents without gold (../shared/corpus-wide), each
asserting the figures read off the rendered page."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS_WIDE

pytestmark = pytest.mark.skipif(not CORPUS_WIDE.is_dir(), reason=f"{CORPUS_WIDE} is absent")


def _table(doc, kind, page):
    ts = [t for t in doc.tables if t.kind == kind and t.location.get("page") == page]
    assert len(ts) == 1, [(t.kind, t.title, t.location) for t in doc.tables]
    return ts[0]


def test_repeated_glyphs_of_a_font_with_wide_boxes_are_all_kept():
    # 重庆市经信委 2026 表二 (p8): the font's glyph boxes are twice its advance and taller than wide, so
    # the second 1 of 11,476.19 sits half a box from the first; it is a real digit, not a fake-bold double
    doc = extract_files([CORPUS_WIDE / "chongqing-ba3f623fa0.pdf"])
    rows = {r.code or r.name: r.values for r in _table(doc, "income", 8).rows}
    assert rows["合计"] == {
        "total": 244895.02,
        "gpb": 192446.79,
        "special": 13486.02,
        "business": 18308.57,
        "operating": 10248.98,
        "other": 10404.66,
    }
    assert rows["205"] == {
        "total": 64945.4,
        "gpb": 32368.57,
        "special": 12063.96,
        "business": 11476.19,
        "other": 9036.68,
    }
    assert rows["2050303"] == {
        "total": 20703.82,
        "gpb": 11879.94,
        "special": 1968.82,
        "business": 2483.51,
        "other": 4371.55,
    }
    assert rows["2060404"] == {"total": 22800.0, "gpb": 22800.0}


def test_a_tables_file_gets_no_year_from_its_figures_and_pairs_with_its_narrative():
    # 北京市市场监管局: the tables file's first figures (98,098.872806) held “2086”, which kept it from
    # its 说明 (2026); read alone its year comes from its forms' titles (2026年…), paired from the 说明's cover
    from budgetwatch.extract.pairing import profile, read_documents

    tables, narrative = CORPUS_WIDE / "beijing-8408cafe28.pdf", CORPUS_WIDE / "beijing-d9fd45f9ec.pdf"
    assert profile(tables).year is None and extract_files([tables]).year == 2026
    groups = [g for g, _ in read_documents([narrative, tables])]
    assert groups == [[narrative, tables]]
    doc = extract_files(groups[0])
    assert (doc.unit, doc.year, doc.stage) == ("北京市市场监督管理局", 2026, "budget")


def test_unit_from_a_cover_naming_it_before_the_year_and_from_a_grid_cell():
    # 北京市统计局: cover “北京市统计局部门2026年度 / 部门预算信息公开”
    assert extract_files([CORPUS_WIDE / "beijing-ffea07b58d.pdf"]).unit == "北京市统计局"
    # 北京市国资委 tables file: no cover, no 部门名称 line; p37 prints 部门名称 | 北京市人民政府国有资产监督管理委员会
    assert extract_files([CORPUS_WIDE / "beijing-8bc0e59b2f.pdf"]).unit == "北京市人民政府国有资产监督管理委员会"
    # 北京市气象局: “单位：北京市人工影响天气中心;全市14个区设气象局,…” is a sentence, not the unit
    assert extract_files([CORPUS_WIDE / "beijing-bcf00dbe0b.pdf"]).unit == "北京市气象局"


def test_unit_from_a_cover_title_wrapped_inside_its_last_word():
    # 烟台 covers print “2026年烟台市人民政府办公室部 / 门预算”: the 部 of 部门预算 ends the first line, and
    # the 目录 on the next page (第二部分 2026年部门预算表) must not take the cover's first line as its unit
    assert extract_files([CORPUS_WIDE / "yantai-802acd73d2.pdf"]).unit == "烟台市人民政府办公室"
    assert extract_files([CORPUS_WIDE / "yantai-d188fc6c20.pdf"]).unit == "烟台市工业和信息化局"


def test_a_wrapped_line_run_past_its_rows_ruling_stays_with_its_cell():
    # 北京市生态环境局 2026 预算03表 (p5 of its tables file): rows too short for a two-line 功能科目 name draw
    # the second line (支出, 缴费支出) clipped over the next row's top ruling; it belongs to the row above,
    # and the next row keeps its code (it read 支出2101199-其他行政事业单位医疗, without a code)
    doc = extract_files([CORPUS_WIDE / "beijing-5f952c0811.pdf", CORPUS_WIDE / "beijing-95417c5026.pdf"])
    t = _table(doc, "expenditure", 3)
    rows = [(r.code, r.name, r.values) for r in t.rows if r.page == 5]
    assert rows[:11] == [
        ("2080505", "机关事业单位基本养老保险缴费支出", {"total": 1649.37102, "basic": 1649.37102}),
        ("2080506", "机关事业单位职业年金缴费支出", {"total": 462.604128, "basic": 462.604128}),
        ("2080506", "机关事业单位职业年金缴费支出", {"total": 824.689716, "basic": 824.689716}),
        ("2080599", "其他行政事业单位养老支出", {"total": 3.785, "basic": 3.785}),
        ("2101101", "行政单位医疗", {"total": 699.723372, "basic": 699.723372}),
        ("2101101", "行政单位医疗", {"total": 141.815412, "basic": 141.815412}),
        ("2101102", "事业单位医疗", {"total": 1399.545936, "basic": 1399.545936}),
        ("2101102", "事业单位医疗", {"total": 9.882288, "basic": 9.882288}),
        ("2101103", "公务员医疗补助", {"total": 86.856588, "basic": 86.856588}),
        ("2101199", "其他行政事业单位医疗支出", {"total": 38.5452, "basic": 38.5452}),
        ("2101199", "其他行政事业单位医疗支出", {"total": 12.846, "basic": 12.846}),
    ]
    assert all(r.code for r in t.rows if r.name[:2] in ("支出", "缴费"))
    # … and past the table's bottom ruling, the page's last row keeps its name's last line (p8: one code,
    # one name, else E14 sees 2110199 printed under two names)
    last = [r for r in t.rows if r.page == 8][-1]
    assert (last.code, last.name, last.values) == (
        "2110199",
        "其他环境保护管理事务支出",
        {"total": 43.564, "basic": 38.8, "project": 4.764},
    )
    assert {r.name for r in t.rows if r.code == "2110199"} == {"其他环境保护管理事务支出"}
    # 北京市水务局 p11 likewise: its last row's 水利工程运行与 | 维护, the second line below the ruling
    water = extract_files([CORPUS_WIDE / "beijing-116f55d82c.pdf", CORPUS_WIDE / "beijing-19894b8491.pdf"])
    t = _table(water, "expenditure", 5)
    last = [r for r in t.rows if r.page == 11][-1]
    assert (last.code, last.name, last.values["total"]) == ("2130306", "水利工程运行与维护", 91.2075)
    assert {r.name for r in t.rows if r.code == "2130306"} == {"水利工程运行与维护"}
