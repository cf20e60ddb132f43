"""Reading errors found by checking the corpus report's failing identities (and the known open errors of
issue 12) against the rendered pages: each test reads the real page and asserts the figures and names
printed on it (100-dpi render and pdfplumber's cells, never the program's own output)."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE

pytestmark = pytest.mark.skipif(
    not (CORPUS.is_dir() and CORPUS_WIDE.is_dir()), reason=f"{CORPUS} or {CORPUS_WIDE} is absent"
)


def _tables(doc, kind):
    return [t for t in doc.tables if t.kind == kind]


def _on_page(doc, kind, page):
    ts = [t for t in _tables(doc, kind) if any(r.page == page for r in t.rows)]
    assert len(ts) == 1, [(t.kind, t.title, t.location) for t in doc.tables]
    return ts[0]


@pytest.mark.parametrize(
    "name, page, items",
    [
        # 烟台市人社局 2026 公开表7 (p23): 2025年预算数 | 2026年预算数, each 合计 | 因公出国（境）经费 | 公务用车… |
        # 公务接待费. 2025's 因公出国 is blank, so 2026's 5.00 must not lose its column to it:
        # 2026: 合计 20.60 = 5.00 + 4.00 + 11.60
        (
            "yantai-2b7c02fc3c.pdf",
            23,
            {
                "因公出国（境）费": 5.0,
                "公务用车购置及运行费": 4.0,
                "公务用车运行维护费": 4.0,
                "公务接待费": 11.6,
                "合计": 20.6,
            },
        ),
        # 烟台市司法局 2026 公开表7 (p21): the car's purchase printed 公务用车购置经费; 2026: 42.26 = 37.25 + 5.01,
        # 37.25 = 15.20 + 22.05 (it was not read: 购置经费 named no item)
        (
            "yantai-eb7c214eef.pdf",
            21,
            {
                "公务用车购置及运行费": 37.25,
                "公务用车购置费": 15.2,
                "公务用车运行维护费": 22.05,
                "公务接待费": 5.01,
                "合计": 42.26,
            },
        ),
    ],
    ids=["blank-last-year", "gouzhi-jingfei"],
)
def test_three_public_items_of_this_year_when_last_years_cells_are_blank(name, page, items):
    doc = extract_files([CORPUS_WIDE / name])
    rows = {r.name: r.values for r in _on_page(doc, "three_public", page).rows}
    assert rows == {k: {"total": v} for k, v in items.items()}


def test_a_name_cut_by_the_page_break_is_finished_on_the_next_page():
    # 杭州市交通运输局 2026 表2 收入预算总表: the last row of p24 prints 杭州市综合交通运输研究 | 5,290.70 …,
    # and the first ruled row of p25 holds only 中心 in the 单位名称 column
    doc = extract_files([CORPUS_WIDE / "hangzhou-f6a1e1efad.pdf"])
    income = _tables(doc, "income")[0]
    names = [r.name for r in income.rows]
    assert "杭州市综合交通运输研究中心" in names and "中心" not in names
    row = next(r for r in income.rows if r.name == "杭州市综合交通运输研究中心")
    assert (row.page, row.values["total"], row.values["business"]) == (24, 5290.7, 5290.7)
    assert names[names.index("杭州市综合交通运输研究中心") + 1] == "杭州市交通运输发展保障中心"


def test_a_row_cut_by_the_page_break_with_a_wrapped_figure_is_one_row():
    # 杭州市公安局 2026 表2 收入预算总表: p21's last row prints 杭州市机动 | 14,549.64 | 14,549.64 | 12,437.3 |
    # 2,112.28; its wrapped cells end atop p22: 车驾驶员考试 / 服务中心 and the 6 of 事业收入 12,437.36
    doc = extract_files([CORPUS / "zhejiang-hangzhou-gonganju-2026-yusuan.pdf"])
    income = _tables(doc, "income")[0]
    rows = {r.name: r for r in income.rows}
    assert "车驾驶员考试服务中心" not in rows and "杭州市机动" not in rows
    row = rows["杭州市机动车驾驶员考试服务中心"]
    assert row.page == 21
    assert row.values == {"total": 14549.64, "current": 14549.64, "business": 12437.36, "other": 2112.28}
    # the first row of p22 that is a row of its own keeps its figures
    assert rows["杭州市道路交通事故社会救助基金管理服务中心（杭州市公安综合保障服务中心）"].values == {
        "total": 6314.47,
        "current": 6314.47,
        "gpb": 214.95,
        "business": 6099.52,
    }


def test_a_table_printed_again_overleaf_keeps_one_total_and_stops_before_the_narratives_score_table():
    # 佛山市轨道交通局 2019 决算: 收入决算表 is printed on p8 and again on p9 with its title, header and the
    # same 合计 line (1668.14 …); p29, six pages of 说明 later, prints a 项目名称 | 自评分数 table that is
    # no part of 政府性基金预算财政拨款收入支出决算表 (p22-23)
    doc = extract_files([CORPUS / "guangdong-foshan-guidaojiaotongju-2019-juesuan.pdf"])
    income = _tables(doc, "income")[0]
    totals = [r for r in income.rows if r.name == "合计"]
    assert len(totals) == 1 and totals[0].page == 8 and totals[0].values["total"] == 1668.14
    assert [r.code for r in income.rows if r.page == 9] == ["221", "22102", "2210201"]
    gf = _tables(doc, "gf_expenditure")[0]
    assert sorted({r.page for r in gf.rows}) == [22, 23]
    assert [r.name for r in gf.rows].count("合计") == 1
    assert not any("自评" in r.name or r.name == "质量抽检和试验检测管理" for t in doc.tables for r in t.rows)


def test_a_procurement_row_without_a_special_fund_name_is_named_by_its_economic_subject():
    # 江苏省高级人民法院 2017 十二、政府采购预算表 (p17): under 审判专项业务费 a second 经济科目 印刷费 | 8.00
    # with a blank 专项名称, then its item 印刷品 | 分散自行组织 | 8.00
    doc = extract_files([CORPUS / "jiangsu-sheng-gaojifayuan-2017-yusuan.pdf"])
    rows = [(r.name, r.values["total"]) for r in _tables(doc, "procurement")[0].rows if r.page == 17]
    assert rows[5:9] == [("审判专项业务费", 15.0), ("其他办公设备", 15.0), ("印刷费", 8.0), ("印刷品", 8.0)]
    assert all(r.name for t in doc.tables for r in t.rows)


def test_a_misprinted_class_code_is_not_the_rows_name():
    # 上海市普陀区社会福利院 2024 支出预算总表 (p9) prints 类 7 (for 210) | 11 | 02 | 事业单位医疗 | 503,724
    doc = extract_files([CORPUS / "shanghai-putuo-shehuifuliyuan-2024-danwei-yusuan.pdf"])
    for kind, page in (("expenditure", 9), ("gpb_expenditure", 11)):
        row = next(r for r in _on_page(doc, kind, page).rows if r.code == "2101102")
        assert (row.name, row.values) == ("事业单位医疗", {"total": 503724.0, "basic": 503724.0})


def test_a_figure_overflowing_into_the_cell_on_its_left_stays_whole_in_its_own():
    # 北京市司法局 2026 预算13表 (p47), 其他资金: 合计 107.000000 | 基本支出 57.000000 | 项目支出 50.000000;
    # the 5 of 57.000000 is drawn over the last 0 of 107.000000, left of the cell's ruling
    doc = extract_files(
        [
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf",
        ]
    )
    table = _tables(doc, "unit_performance")[0]
    other = {r.name: r.values["total"] for r in table.rows if r.block == "其他资金"}
    assert other == {"合计": 107.0, "基本支出": 57.0, "项目支出": 50.0}


def test_a_figure_wrapped_in_a_cell_too_short_for_it_stays_in_its_own_row():
    # 福州市商务局 2026 收支预算总表 (p11): the last two rows print 24995.9 | 4 wrapped in the 预算数 cell of 本年支出合计
    # and of 支出合计, the two lines centred on a row a little too short for them (the first rises past the ruling
    # above, the second runs past the one below): 支出合计 is 24995.94, not 4, and 结转下年支出 above it is 0.00
    doc = extract_files([CORPUS_WIDE / "fuzhou-c884f990bd.pdf"])
    rows = {(r.side, r.name): r.values for r in _on_page(doc, "summary", 11).rows}
    assert rows[("expenditure", "本年支出合计")] == {"total": 24995.94}
    assert rows[("expenditure", "结转下年支出")] == {"total": 0.0}
    assert rows[("expenditure", "支出合计")] == {"total": 24995.94}
    assert rows[("income", "收入合计")] == {"total": 24995.94}
