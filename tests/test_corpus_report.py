"""tools/corpus_report.py's measure of forms with an amount where the page prints one: a form read without an
amount counts as a miss only where a second reader (pdfplumber's text of the form's page) finds a money label
followed by a figure; the summary prints both shares."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS_WIDE, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import corpus_report  # noqa: E402

pytestmark = pytest.mark.skipif(not CORPUS_WIDE.is_dir(), reason=f"{CORPUS_WIDE} is absent")

SUMMARY = "SUMMARY forms: {n}, with an amount {a} = {share}; where one is printed: {a}/{p} = {printed_share}"


@pytest.fixture(scope="module")
def chongqing():
    # 重庆市商务委员会 2026: two 项目绩效目标表 with their 年度资金总额, and 表十 部门整体绩效目标表 (p25) that
    # prints 当年整体绩效目标 and indicators only (指标名称 | 指标性质 | 指标值 | …), no money figure
    path = CORPUS_WIDE / "chongqing-0d1282d352.pdf"
    return path, extract_files([path])


def test_a_form_whose_page_prints_no_money_is_no_miss(chongqing, capsys):
    path, doc = chongqing
    r = corpus_report.report_of([path], ("ok", doc))
    assert (r.forms, r.forms_amount, r.forms_unprinted) == (3, 2, 1)
    assert [(page, printed) for page, _, _, printed in r.forms_missed] == [(25, False)]
    corpus_report.summary([r])
    out = capsys.readouterr().out
    assert SUMMARY.format(n=3, a=2, share="66.67%", p=2, printed_share="100.00%") in out


def test_a_form_read_without_the_amount_its_page_prints_is_a_miss(chongqing, capsys):
    path, doc = chongqing
    dropped = next(f for f in doc.forms if f.amount is not None)
    page = dropped.location["page"]
    doc = replace(doc, forms=[replace(f, amount=None) if f is dropped else f for f in doc.forms])
    r = corpus_report.report_of([path], ("ok", doc))
    assert (r.forms, r.forms_amount, r.forms_unprinted) == (3, 1, 1)
    assert sorted((p, printed) for p, _, _, printed in r.forms_missed) == sorted([(25, False), (page, True)])
    corpus_report.summary([r])
    out = capsys.readouterr().out
    assert SUMMARY.format(n=3, a=1, share="33.33%", p=2, printed_share="50.00%") in out
