"""一级/二级指标 levels read off the rendered pages (pdftoppm -r 80) of real forms: a 二级 cell merged over
rows that repeat their 一级 label, a 一级 label printed apart from its rows in the middle of a 二级 block, a
二级 block running over a page whose label is printed only overleaf (or clipped, outside the page), a ruled
blank 二级 cell that governs no row."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

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


@pytest.fixture(scope="module")
def safety():
    return _read(CORPUS, "shaanxi-xian-anjianju-2019-yusuan.pdf")  # 西安市安全生产监督管理局 2019


def test_a_block_labelled_overleaf_takes_that_label(safety):
    """p34: the 质量指标 block's first four rows (指标1-4) are at the page's foot under a ruled blank 二级 cell;
    its label is printed on p35 (and clipped below p34). They are 质量指标, not the 数量指标 block's above."""
    form = safety.forms[0]
    quality = [ind for ind in form.indicators if ind.level2 == "质量指标"]
    assert len(quality) == 15
    assert quality[0].name.startswith("指标1：保障经费使用率") and quality[0].page == 34
    # p35: 产出指标, the 一级 label printed apart at its cell's middle, does not end the 质量指标 block
    assert [ind.level2 for ind in form.indicators if ind.page == 35][:11] == ["质量指标"] * 11


def test_every_block_of_the_form_keeps_its_own_label(safety):
    """p36/p37: 社会效益指标 and 可持续影响指标 blocks open at a page's foot, their labels overleaf (the first
    printed apart and wrapped: 社会效益 | 指标); each of the fifteen 指标 of a block has its label."""
    form = safety.forms[0]
    counts: dict = {}
    for ind in form.indicators:
        counts[ind.level2] = counts.get(ind.level2, 0) + 1
    assert counts == {
        "数量指标": 15,
        "质量指标": 15,
        "时效指标": 15,
        "成本指标": 15,
        "经济效益指标": 1,
        "社会效益指标": 15,
        "生态效益指标": 1,
        "可持续影响指标": 15,
        "服务对象满意度指标": 15,
    }


def test_a_block_of_both_levels_opened_at_a_pages_foot_takes_the_labels_overleaf():
    """西安市审计局 (xian-fc67fad175.pdf) p42: the last two rows open a block whose 一级 and 二级 cells are both
    blank and ruled above; p43's first row prints 产出指标 | 数量指标. They are not 成本指标 | 经济成本指标."""
    doc = _read(CORPUS_WIDE, "xian-fc67fad175.pdf")
    form = next(f for f in doc.forms if f.location.get("page") == 42)
    assert _levels(form, "造价员", 4) == [("成本指标", "经济成本指标")] + [("产出指标", "数量指标")] * 3


def test_a_ruled_blank_level2_cell_governs_no_row():
    """北京市卫健委 预算14表 p147: the block 高血压患者基层规范管理服务率 … under 产出指标 is ruled apart from the
    数量指标 block above it and prints no 二级 label (on the page or overleaf): its rows have none."""
    doc = extract_files(
        [
            CORPUS / "beijing-shi-weijianwei-2026-yusuan.part1-text.pdf",
            CORPUS / "beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf",
        ]
    )
    form = next(f for f in doc.forms if any(i.name == "高血压患者基层规范管理服务率" for i in f.indicators))
    assert _levels(form, "宫颈癌、乳腺癌筛查目标人群覆盖率", 6) == [("产出指标", "数量指标")] + [
        ("产出指标", None)
    ] * 4 + [("效益指标", "社会效益指标")]
