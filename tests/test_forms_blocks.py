"""北京 预算12表 (项目支出绩效目标表): many projects in one ruled grid over many pages, each a block of rows
whose name and amount cells are merged over its indicator rows. Which project a row belongs to, read off
the rendered pages (pdftoppm -r 70) and pdfplumber's words; the cost caps a block holds are what D09 sums."""

from __future__ import annotations

import pytest

from budgetwatch.checks import run_checks
from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus

LEVEL_WORDS = ("产出指标", "成本指标", "效益指标", "数量指标", "质量指标", "时效指标")


def _read(folder, name):
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return extract_files([folder / name])


@pytest.fixture(scope="module")
def emergency():
    return _read(CORPUS_WIDE, "beijing-f988a95d4a.pdf")  # 北京市应急管理局


@pytest.fixture(scope="module")
def assets():
    return _read(CORPUS_WIDE, "beijing-8bc0e59b2f.pdf")  # 北京市国资委


def _by_amount(doc, amount):
    (f,) = [f for f in doc.forms if f.amount == pytest.approx(amount)]
    return f


def _caps(form):
    return [i.value for i in form.indicators if i.level1 == "成本指标"]


def test_a_page_inside_one_projects_cells_opens_no_block(emergency):
    """pp.22–27: 应急指挥中心信息化技术保障项目 opens at p.22's middle and runs to p.25; pp.23–24 lie inside its
    merged cells, whose rulings are drawn apart from the indicators' grid, so every row there is ruled above
    its first (indicator) column only. Its name and amount are printed on p.24, outside the grid rows."""
    first = _by_amount(emergency, 45.134)
    assert first.project == "11000022T000000447427-安全生产标准化（二级）创建评审组织及核查服务"
    assert len(first.indicators) == 9 and _caps(first) == ["≤259480元", "≤191860元"]
    second = _by_amount(emergency, 299.6336)
    assert second.project == "11000022T000000447576-应急指挥中心信息化技术保障项目"
    assert len(second.indicators) == 15
    assert _caps(second) == ["≤9.064万元", "≤56.992万元", "≤234万元"]
    assert (second.indicators[0].page, second.indicators[-1].page) == (22, 25)
    third = _by_amount(emergency, 280.6996)
    assert third.project == "11000022T000000447587-市应急指挥中心基础环境维保费用"
    assert (
        len(third.indicators) == 20
        and third.indicators[-1].name == "各相关单位对北京市应急指挥中心的应急管理保障能力满"
    )
    assert _caps(third) == ["≤147.5562万元", "≤22.02万元", "≤48万元", "≤15万元", "≤60万元"]
    # a row of a page inside the block names no project: no level words run into a name
    assert not [f.project for f in emergency.forms if any(w in (f.project or "") for w in LEVEL_WORDS)]


def test_a_projects_cost_caps_are_checked_against_its_own_amount(emergency):
    """D09 on the same pages: the old reading summed three projects' caps (592.6322) against 45.134. The two
    found now are the document's own: p.22 prints caps 9.064 + 56.992 + 234 over a project of 299.6336."""
    d09 = {f.message for f in run_checks(emergency, only={"D09"}) if f.page in (21, 22, 25)}
    assert d09 == {
        "项目“11000022T000000447576-应急指挥中心信息化技术保障项目”的成本指标合计300.056万元，超过项目资金299.6336万元。",
        "项目“11000022T000000447587-市应急指挥中心基础环境维保费用”的成本指标合计292.5762万元，超过项目资金280.6996万元。",
    }


def test_a_project_named_on_a_page_inside_its_cells(assets):
    """pp.22–24: 国企改制改革… opens at p.22's foot; p.23 lies inside its cells and prints its name and
    amount in their middle. The rows at p.21's foot are 财务决算审计质量检查's (named atop p.22)."""
    reform = _by_amount(assets, 236.58)
    assert reform.project == "11000022T000000453167-国企改制改革重大事项自主创新等工作经费"
    assert len(reform.indicators) == 20
    assert [i.page for i in reform.indicators].count(22) == 4 and reform.indicators[-1].page == 24
    assert _caps(_by_amount(assets, 23.0)) == []
    audit = _by_amount(assets, 920.0)
    assert len(audit.indicators) == 10 and audit.indicators[0].page == 21 and audit.indicators[0].name == "反馈意见"
    # p.27's foot: the name cell's first lines printed in the block's first row, the rest atop p.28
    check = _by_amount(assets, 264.64)
    assert check.project == "11000022T000000454178-市管企业共性问题、违规经营性投资责任追究及审计监督检查"
    assert len(check.indicators) == 8
    assert _by_amount(assets, 446.5845).project == "11000022T000000454057-市属企业财务统计、检查与绩效评价"
    assert [len(_by_amount(assets, a).indicators) for a in (45.2908, 62.4278, 39.212)] == [7, 8, 9]


def test_a_block_opened_at_a_pages_foot_named_from_both_pages():
    """北京市公安局公安交通管理局 p.57's last block: its name's first lines in its first row, the rest clipped
    below the grid and printed again atop p.58 (another table part, under the header printed again)."""
    doc = _read(CORPUS_WIDE, "beijing-d345f76d4b.pdf")
    lights = _by_amount(doc, 1228.0)
    assert lights.project == "11000026T000003712938-道路交通信号灯专用设备采购项目（第四期）"
    assert [(i.page, i.name, i.value) for i in lights.indicators][:3] == [
        (57, "设备利用率", "≥95%"),
        (57, "监理费", "≤30万元"),
        (57, "设备建设费", "≤1198万元"),
    ]
    assert len(lights.indicators) == 6
    assert _caps(_by_amount(doc, 63.94)) == ["≤2.28万元", "≤61.66万元"]


def test_a_name_drawn_again_clipped_over_the_next_pages_header_is_the_same_project():
    """北京市公安局公安交通管理局 pp.21–22: the last block of p.21 draws its name and amount again over p.22's
    header (2754-监理、设计、 | 200.870000, the middle of its name cell): the project goes on, its last row
    is p.22's first."""
    doc = _read(CORPUS_WIDE, "beijing-d345f76d4b.pdf")
    (audit,) = [f for f in doc.forms if f.amount == 200.87]
    assert audit.project == "11000022T000000432754-监理、设计、审计及其他项目（标志标线）"
    assert len(audit.indicators) == 7
    assert (audit.indicators[-1].page, audit.indicators[-1].name) == (22, "交通设施建设工作任务保障率")
    assert _by_amount(doc, 2400.0).project == "11000022T000000433318-机动车和驾驶员管理经费"
    assert len(_by_amount(doc, 2400.0).indicators) == 11


def test_a_research_projects_caps_stay_with_it():
    """北京市卫健委 p.129: 结研所肺癌免疫治疗… (250) holds 12 rows, its caps 30 + 2 + 3; the block below is
    耳研所改革与发展 (named overleaf), not more of its rows."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    doc = extract_files([CORPUS / "beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf"])
    lung = _by_amount(doc, 250.0)
    assert lung.project == "11000026T000003721026-结研所肺癌免疫治疗应答机制与精准诊疗体系的研究"
    assert len(lung.indicators) == 12 and _caps(lung) == ["≤30万元", "≤2万元", "≤3万元"]
    (ear,) = [f for f in doc.forms if f.project == "11000023T000002047818-耳研所改革与发展"]
    assert ear.amount == 800.0 and ear.indicators[0].page == 129 and ear.indicators[0].name == "参与培训人员满意度"


def test_a_cells_text_run_past_a_short_row_stays_with_its_cell(emergency):
    """p.22: the rows of 成本指标 are too short for their 三级指标 texts, whose last line (障) is drawn clipped
    past the ruling below, a little higher than the next row's own first line and over it, glyph over glyph
    (法定节假日值守运维保 | 障 over 周末及特殊…, read 障周末及特殊…)."""
    caps = [i for i in _by_amount(emergency, 299.6336).indicators if i.page == 22][:3]
    assert [(i.name, i.value) for i in caps] == [
        ("法定节假日值守运维保障", "≤9.064万元"),
        ("周末及特殊时期运维保障", "≤56.992万元"),
        ("日常运维保障。", "≤234万元"),
    ]
