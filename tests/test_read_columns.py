"""Column keys from multi-level headers, on the real pages that print them (values read off the render)."""
from __future__ import annotations

from budgetwatch.extract import extract_files
from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def test_a_subtotal_under_this_years_budget_is_the_current_column():
    # 长春 支出总表（预算表3） p.8: 合计 | 当年预算 › 小计 · 基本支出 · 项目支出 … | 上年结转结余 › 小计 …
    doc = extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    t = next(t for t in doc.tables if t.kind == "expenditure")
    total = t.rows[0]
    assert (total.name, total.values["total"], total.values["current"], total.values["carryover"]) == \
        ("总计：", 1682.76, 1682.76, 0.0)
    assert next(r for r in t.rows if r.code == "2014002").values["current"] == 0.0
