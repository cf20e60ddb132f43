"""Performance forms whose headings and level cells the framework's labels do not describe: a title wrapped
over two lines under a 单位编码_单位名称_ prefix, a 三级 cell printing a level label, 一级/二级 outside the
framework (一般性支出情况), the next section's heading under a grid, a value run overleaf (福建 泉州)."""

from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files

from conftest import CORPUS, CORPUS_WIDE, needs_corpus

pytestmark = needs_corpus


def _wide(name):
    if not CORPUS_WIDE.is_dir():
        pytest.skip(f"{CORPUS_WIDE} is absent")
    return extract_files([CORPUS_WIDE / name])


@pytest.fixture(scope="module")
def gonganju():
    return extract_files([CORPUS / "fujian-quanzhou-gonganju-2026-yusuan.pdf"])


def _rows(form):
    return [(i.level1, i.level2, i.name, i.value) for i in form.indicators]


def test_a_wrapped_title_names_the_whole_project_without_its_unit_prefix(gonganju):
    by_page = {f.location["page"]: f.project for f in gonganju.forms}
    # p.27: 301007_泉州市公安局晋江国际机场分局_全国民航反 / 电诈中心建设项目绩效目标表
    assert by_page[27] == "全国民航反电诈中心建设"
    assert by_page[26] == "机场公安综合修缮改造" and by_page[28] == "科技兴警"


def test_a_level_label_printed_as_the_third_level_is_its_name(gonganju):
    by_page = {f.location["page"]: f for f in gonganju.forms}
    assert _rows(by_page[31])[-1] == ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥95%")
    assert _rows(by_page[37])[6:8] == [
        ("效益指标", "生态效益指标", "社会效益指标", "≥100%"),
        ("效益指标", "经济效益指标", "社会效益指标", "≥100%"),
    ]


def test_a_value_run_overleaf_is_joined_and_the_next_heading_ends_the_grid(gonganju):
    (form,) = [f for f in gonganju.forms if f.location["page"] == 50]
    assert form.indicators[-2].value.endswith("构建共建共治共享的社会治理新格局")  # “局” printed on p.51
    assert form.indicators[-1].name == "服务对象满意度" and len(form.indicators) == 7
    (unit,) = [f for f in gonganju.forms if f.layout == "unit"]
    assert not any("说明" in i.value or "目标表" in i.value for f in gonganju.forms for i in f.indicators)
    assert _rows(unit)[0] == ("一般性支出情况", "一般性支出情况", "“三公”经费控制率", "≤100%")


def test_levels_outside_the_framework_in_another_units_form():
    # 泉州市人民政府办公室 p.37: 一般性支出情况 merged over three rows in both level columns
    doc = _wide("quanzhou-2f9ff5c856.pdf")
    (unit,) = [f for f in doc.forms if f.layout == "unit"]
    assert _rows(unit)[:3] == [
        ("一般性支出情况", "一般性支出情况", "“三公”经费控制率", "≤100%"),
        ("一般性支出情况", "一般性支出情况", "“三公”经费违规使用次数", "≤0次"),
        ("一般性支出情况", "一般性支出情况", "会议费、差旅费超标准使用次数", "≤0次"),
    ]
    assert _rows(unit)[-1] == ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%")


def test_a_header_printed_again_overleaf_gives_no_levels():
    # 重庆 p.20 repeats 指标名称 | 指标性质 | 指标值 | 计量单位 | 指标权重(%) | 是否核心 over a grid without levels
    doc = _wide("chongqing-bcd5320f71.pdf")
    on_20 = [i for f in doc.forms for i in f.indicators if i.page == 20]
    assert on_20 and all(i.level1 is None and i.level2 is None for i in on_20)


def test_the_glossary_after_the_last_form_is_not_read_as_indicators():
    # 烟台 住建局: 第四部分 / 名词解释 follows the last 项目绩效目标表 (its “…按 / 有关规定上缴的收入。” was a value)
    doc = extract_files([CORPUS / "shandong-yantai-zhujianju-2026-yusuan.pdf"])
    assert doc.forms and not any("收入" in i.value and "。" in i.value for f in doc.forms for i in f.indicators)


def test_a_frame_label_printed_again_on_every_ruled_row_is_no_indicator():
    # 福州 交警支队 p.28 (printed 26): 绩效目标 / 指标 wrapped in the first column of the header and of every row,
    # each row ruled apart; pp.23-36 print one such form each, six indicators
    doc = _wide("fuzhou-69f79ec3c5.pdf")
    by_page = {f.location["page"]: f for f in doc.forms}
    assert _rows(by_page[28]) == [
        ("成本指标", "经济成本指标", "交通指挥调度运维成本", "≤350万元"),
        ("产出指标", "数量指标", "交通堵情疏导次数", "≥3万起"),
        ("产出指标", "质量指标", "发布交通通行状态研判报告数量", "≥12篇"),
        ("产出指标", "时效指标", "交通堵情疏导及时性", "≤20分钟"),
        ("效益指标", "生态效益指标", "高峰拥堵延时指数", "≤2.2比值"),
        ("满意度指标", "服务对象满意度指标", "接处警满意率", "≥90%"),
    ]
    assert all(len(by_page[p].indicators) == 6 for p in range(28, 35))


def test_a_frame_label_beside_the_level_columns_is_not_the_name_column(xian_renshe):
    # 西安 人社局 2020 表16 p.58: 绩效 / 指 / 标 (vertical) | 一级指标 | 二级指标 | 指标内容 | 指标值, 产出指标 and
    # 效益指标 drawn vertically over their rows; the form goes on at the top of p.59
    f = next(f for f in xian_renshe.forms if f.location["page"] == 58)
    rows = _rows(f)
    assert rows[0] == (
        "产出指标",
        "数量指标",
        "指标：公益性岗位人数；劳动保障协理员人数；就业见习补贴",
        "1000个;2243个;5000人",
    )
    assert rows[3] == ("产出指标", "时效指标", "指标2：完成时间节点", "1-4季度")
    assert rows[5] == ("效益指标", "经济效益指标", "/", "/")
    assert rows[-1][:2] == ("满意度指标", "服务对象满意度指标") and rows[-1][3] == "≧95%;≧95%;≧95%"
    assert len(rows) == 10
    assert [len(g.indicators) for g in xian_renshe.forms if g.location["page"] in range(59, 63)] == [12, 8, 9, 9]


@pytest.fixture(scope="module")
def xian_renshe():
    return extract_files([CORPUS / "shaanxi-xian-renshe-2020-yusuan.pdf"])


def test_a_header_leaving_the_level1_cell_blank_still_heads_the_grid():
    """西安市工信局 2022 表15 部门整体支出绩效目标表 (pp.56–59, read off the rendered pages): the grid's header
    prints | 二级指标 | 指标内容 | 指标值 with the 一级指标 cell blank; its rows print 产出指标… there."""
    doc = _wide("xian-627c16eab5.pdf")
    (unit,) = [f for f in doc.forms if f.project is None and f.amount == 5364.27]
    rows = [(i.page, i.level1, i.level2, i.name, i.value) for i in unit.indicators]
    assert rows[:2] == [
        (56, "产出指标", "数量指标", "指标1：人员工资支付率", "100%"),
        (56, "产出指标", "数量指标", "指标2：编制市政务诚信整体建设报告；区县政务诚信评估报告", "1份;13份"),
    ]
    assert (57, "产出指标", "成本指标", "指标1：履职经费成本", "4660.78万元") in rows
    assert (58, "效益指标", "生态效益指标", "指标3：能源浪费", "减少") in rows
    assert rows[-1] == (59, "满意度指标", "服务对象满意度指标", "指标8：用户满意度", "100%")
    assert len({r[2] for r in rows}) == 9 and len(rows) >= 68  # 69 printed, 指标8：办公设备一批 with no value
