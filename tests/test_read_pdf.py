"""Text-layer PDFs from the corpus: grids, merged cells, split codes, pages of one table, rotation."""

import pytest

from budgetwatch.extract import extract_files
from budgetwatch.read.formats import read_source

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def _doc(name):
    return extract_files([CORPUS / name])


def _table(doc, kind, page=None):
    return next(t for t in doc.tables if t.kind == kind and (page is None or t.location == {"page": page}))


def _row(table, code=None, name=None):
    return next(r for r in table.rows if (code is None or r.code == code) and (name is None or r.name == name))


def test_jiangsu_ruled_tables_values_pages_and_boxes():
    doc = _doc("jiangsu-sheng-jianchayuan-2019-yusuan.pdf")
    assert (doc.unit, doc.year, doc.stage, doc.format) == ("江苏省人民检察院", 2019, "budget", "pdf")
    gpb = _table(doc, "gpb_expenditure")
    assert gpb.location == {"page": 16} and gpb.money_unit == "万元"
    row = _row(gpb, "2040401")
    assert row.name == "行政运行" and row.values["total"] == 12268.62 and row.page == 16
    x0, top, x1, bottom = row.boxes["total"]
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842  # evidence: where on the page
    summary = _table(doc, "summary")
    income = {r.name: r.values.get("total") for r in summary.rows if r.side == "income"}
    assert income["收入合计"] == 24169.74


def test_split_codes_printed_without_leading_zero_are_completed():
    # 普陀 prints 类 | 款 cells, and 款 "02" as the number 2
    doc = _doc("shanghai-putuo-wanlijiedao-2024-yusuan.pdf")
    basic = _table(doc, "gpb_basic")
    assert _row(basic, "30102").name == "津贴补贴"
    assert _row(basic, "30102").values["total"] == 16623810
    assert _row(basic, "30107").values["total"] == 11447100
    assert not [r for r in basic.rows if r.code and len(r.code) == 4]


def test_table_continued_on_a_page_with_another_grid_keeps_its_columns():
    doc = _doc("beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf")
    gpb = _table(doc, "gpb_expenditure")
    rows = [r for r in gpb.rows if r.page == 21 and r.code == "2100199"]
    assert rows and all(abs(r.values["total"] - r.values["basic"] - r.values.get("project", 0)) < 0.01 for r in rows)
    assert any(r.values.get("basic") == 1285.955706 and r.values.get("personnel") == 1227.637688 for r in rows)


def test_rotated_pages_read_in_display_order():
    doc = _doc("jiangsu-sheng-shengweibangongting-2018-yusuan.part2-tables.pdf")
    kinds = {t.kind for t in doc.tables}
    assert {"summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure"} <= kinds
    assert all(r.values for t in doc.tables for r in t.rows)


def test_subtitle_keeps_two_tables_with_one_first_line_apart():
    doc = _doc("shaanxi-xian-minzhengju-2021-yusuan.pdf")
    titles = [t.title for t in doc.tables if t.title.startswith("2021年部门综合预算一般公共预算支出明细表")]
    assert len(titles) == 2 and titles[0] != titles[1]


def test_pdf_lines_carry_page_and_column_bands():
    src = read_source(CORPUS / "guangdong-zhuhai-shangwuju-2026-yusuan.pdf")
    assert src.format == "pdf" and src.pages == 36
    rows = [ln for ln in src.lines if ln.is_row]
    assert rows and all(ln.page and ln.spans and len(ln.spans) == len(ln.cells) for ln in rows)


@pytest.mark.parametrize("name", ["yunnan-kunming-shenjiju-2026-yusuan.html"])
def test_html_narrative_page(name):
    doc = _doc(name)
    assert (doc.unit, doc.year, doc.stage, doc.format) == ("昆明市审计局(汇总)", 2026, "budget", "html")
