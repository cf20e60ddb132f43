"""“三公”经费 tables printed across in two blocks, 当年预算 | 上年结转结余, each with its own 小计 and items
(长春市信访局 预算表7, p12, read off the rendered page): each item has its figure in each block."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


def test_each_item_is_read_in_both_blocks():
    doc = extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    (t,) = [t for t in doc.tables if t.kind == "three_public"]
    rows = {r.name: r.values for r in t.rows}
    # 三公经费合计 7.61 = 当年预算 › 小计 7.61 + 上年结转结余 › 小计 0.00
    assert rows["合计"] == {"total": 7.61, "current": 7.61, "carryover": 0.0}
    assert rows["公务用车运行维护费"]["current"] == pytest.approx(6.75)
    assert rows["公务用车购置及运行费"]["current"] == pytest.approx(6.75)
    assert rows["公务接待费"] == {"current": 0.86, "carryover": 0.0}  # no item total is printed: none is made
    assert all(set(r.boxes) == set(r.values) for r in t.rows)  # every figure is one the page prints
    assert {n: v["carryover"] for n, v in rows.items()} == dict.fromkeys(rows, 0.0)
    # 因公出国（境）费 is the 小计 under its heading (因公出国（境）费 | 科研因公出国（境）费用 are its parts), not 合计
    abroad = next(r for r in t.rows if r.name == "因公出国（境）费")
    assert abroad.boxes["current"][0] == pytest.approx(70.1, abs=1.5)
    assert t.columns == ["total", "current", "carryover"]


def test_the_total_printed_beside_the_blocks_is_no_sum_of_items_it_lacks():
    """A06 adds the items up column by column: 三公经费合计 (`total`) has no item column beside it here, so it is
    compared with none; each block's 小计 is with its items (7.61 = 0.00 + 6.75 + 0.86, 0.00 = 0.00 + …)."""
    from budgetwatch.checks import run_checks

    doc = extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    assert [f for f in run_checks(doc) if f.rule == "A06"] == []
    (t,) = [t for t in doc.tables if t.kind == "three_public"]
    reception = next(r for r in t.rows if r.name == "公务接待费")
    reception.values["current"] = 1.86  # a misprint in the 当年预算 block: the 小计 7.61 no longer adds up
    (found,) = [f for f in run_checks(doc) if f.rule == "A06"]
    assert found.value == 7.61 and found.expected == 8.61


def test_headings_drawn_past_their_cells_keep_their_neighbours_labels():
    """西安市安监局 2019 表13 p32: 公务用车购置及运行维护费 is too wide for its cell and drawn clipped, its 公 and 费
    in the cells beside (read 公公务接待费, 费会议费); 公务用车运行维护 has its 费 clipped at the cell's foot.
    2019年: 会议费 19.06, 公务用车运行维护费 24.00 (the page), both read."""
    doc = extract_files([CORPUS / "shaanxi-xian-anjianju-2019-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "three_public")
    rows = {r.name: r.values["total"] for r in t.rows}
    assert rows["会议费"] == pytest.approx(19.06)
    assert rows["公务用车运行维护费"] == pytest.approx(24.0)
    assert rows["公务接待费"] == pytest.approx(4.38) and rows["合计"] == pytest.approx(28.38)


def test_two_labels_abutting_across_a_ruling_stay_two():
    """上海市文化和旅游局执法总队 财政拨款收支预算总表 p12: 政府性基金预算 | 国有资本经营预算 fill their cells, their
    glyphs close across the ruling: two columns, not one."""
    path = CORPUS_WIDE / "shanghai-211f0eab3b.pdf"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    t = next(t for t in extract_files([path]).tables if t.kind == "fiscal_summary")
    assert {"gpb", "gf", "soe"} <= set(t.columns)
