"""Hand-verified gold for 12 corpus documents (11 provinces and a central department, 预算 and 决算, the
Beijing two-file document, Jiangsu 2017 and 2019, one with performance forms): every asserted table was
compared cell by cell with the rendered page (see each file's `note`). The extractor must meet the
issue's thresholds on them."""
from __future__ import annotations

import json
import sys
from collections import defaultdict

import pytest

from budgetwatch.extract import extract_files
from conftest import CORPUS, ROOT, needs_corpus

pytestmark = needs_corpus

sys.path.insert(0, str(ROOT / "tools"))
import score  # noqa: E402

GOLD = sorted((ROOT / "tests" / "data" / "gold-corpus").glob("*.json"))


@pytest.fixture(scope="module")
def totals():
    total = defaultdict(int)
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        cand = extract_files([CORPUS / f for f in gold["source"]["files"]]).to_dict()
        for k, v in score.score_doc(gold, cand).items():
            total[k] += v
    return score.summary(total), total


def test_the_gold_set_covers_what_the_issue_asks():
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in GOLD]
    assert len(golds) >= 12
    provinces = {p.name.split("-")[0] for p in GOLD}
    assert len(provinces - {"zhongyang"}) >= 8
    assert {g["stage"] for g in golds} == {"budget", "final"}
    assert any(len(g["source"]["files"]) == 2 and g["source"]["files"][0].startswith("beijing") for g in golds)
    assert {g["year"] for g in golds if g["unit"] == "江苏省高级人民法院"} == {2017, 2019}
    assert any(g["performance_forms"] for g in golds)
    assert all(g.get("note") for g in golds)


def test_extraction_meets_the_thresholds_on_the_gold(totals):
    s, raw = totals
    assert raw["cells_gold"] >= 400 and raw["forms_gold"] >= 2
    assert s["cells_R"] >= 0.995 and s["cells_P"] >= 0.995, s
    assert s["tables_R"] == 1.0 and s["meta"] == 1.0, s
    assert s["forms_R"] >= 0.99 and s["ind_R"] >= 0.98 and s["levels"] >= 0.99, s
