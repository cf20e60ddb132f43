"""“三公”经费 tables printed across in two blocks, 当年预算 | 上年结转结余, each with its own 小计 and items
(长春市信访局 预算表7, p12, read off the rendered page): each item has its figure in each block."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def test_each_item_is_read_in_both_blocks():
    doc = extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    (t,) = [t for t in doc.tables if t.kind == "three_public"]
    rows = {r.name: r.values for r in t.rows}
    # 三公经费合计 7.61 = 当年预算 › 小计 7.61 + 上年结转结余 › 小计 0.00
    assert rows["合计"] == {"total": 7.61, "current": 7.61, "carryover": 0.0}
    assert rows["公务用车运行维护费"]["current"] == pytest.approx(6.75)
    assert rows["公务用车购置及运行费"]["current"] == pytest.approx(6.75)
    assert rows["公务接待费"] == {"current": 0.86, "carryover": 0.0, "total": 0.86}
    assert {n: v["carryover"] for n, v in rows.items()} == dict.fromkeys(rows, 0.0)
    # 因公出国（境）费 is the 小计 under its heading (因公出国（境）费 | 科研因公出国（境）费用 are its parts), not 合计
    abroad = next(r for r in t.rows if r.name == "因公出国（境）费")
    assert abroad.boxes["current"][0] == pytest.approx(70.1, abs=1.5)
    assert t.columns == ["total", "current", "carryover"]
