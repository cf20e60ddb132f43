"""一级/二级指标 levels read off the rendered pages (pdftoppm -r 80) of real forms: a 二级 cell merged over
rows that repeat their 一级 label, a 一级 label printed apart from its rows in the middle of a 二级 block."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


def _read(folder, name):
    if not (folder / name).is_file():
        pytest.skip(f"{folder / name} is absent")
    return extract_files([folder / name])


def _levels(form, start, n):
    i = next(k for k, ind in enumerate(form.indicators) if ind.name.startswith(start))
    return [(ind.level1, ind.level2) for ind in form.indicators[i : i + n]]


def test_a_repeated_level1_leaves_the_merged_level2_above_it():
    """烟台市自然资源和规划局 p66: 绩效指标 | 产出指标 printed on every row, 数量指标 merged over two rows; the
    second row's 二级 cell is blank and not ruled: it is 数量指标 too."""
    doc = _read(CORPUS_WIDE, "yantai-14bd9b1dc8.pdf")
    form = next(f for f in doc.forms if f.project == "自然资源开发利用卫星遥感监测")
    assert _levels(form, "烟台市全域0.3米遥感影像期数", 3) == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
    ]


def test_a_level1_label_printed_apart_does_not_end_the_level2_block():
    """西安市商务局 p74: 产出指标, the label of the 一级 cell merged over p73-p74, is drawn outside the page's grid
    between 指标5 and 指标6 of the 时效指标 block; 指标6-12 stay 时效指标 (dates: 2022年11月30日前完成)."""
    doc = _read(CORPUS_WIDE, "xian-41cd3dcb95.pdf")
    form = next(f for f in doc.forms if f.project == "专用项目" and f.amount == pytest.approx(52729.96))
    levels = _levels(form, "指标5：举办国际经贸交流合作推介会", 8)
    assert levels == [("产出指标", "时效指标")] * 8
