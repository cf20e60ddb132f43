"""Performance-form layouts read by their header's columns, each on the real page that shows it (values
read off the rendered page): a grid that prints an explanation column between the indicator and its
value (长春 预算表11, 指标解释), a tabular form headed 单位（项目）名称 whose comparison sits in 指标值类型
and whose project is printed again overleaf under a unit subtotal row (长沙 pp.22-23)."""
from __future__ import annotations

import pytest

from budgetwatch.extract import extract_files
from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def changchun():
    return extract_files([CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])


@pytest.fixture(scope="module")
def changsha():
    return extract_files([CORPUS / "hunan-changsha-zhijiaojidi-2026-yusuan.pdf"])


def test_an_explanation_column_between_name_and_value_is_not_the_value(changchun):
    f = next(f for f in changchun.forms if f.project == "2026年信访接待中心运行费")
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert got == [("产出指标", "数量指标", "专项检查开展次数", ">=12次"),
                   ("成本指标", "经济成本指标", "办公用房使用维护成本", "<=116万元"),
                   ("效益指标", "社会效益指标", "长效管理机制健全性", ">=100百分比"),
                   ("满意度指标", "服务对象满意度指标", "上访群众满意度", ">=100百分比")]
    assert [i.value for f in changchun.forms for i in f.indicators if i.name == "临聘人员满意度"] == [">=100分", ">=100百分比"]


def test_a_unit_project_form_is_one_form_across_its_pages(changsha):
    (f,) = [f for f in changsha.forms if f.project is not None]
    assert (f.project, f.amount, f.money_unit, f.location) == ("经常性运转经费（水电气）", 270.0, "万元", {"page": 22})
    got = [(i.level1, i.level2, i.name, i.value) for i in f.indicators]
    assert len(got) == 12
    # rows under merged 一级/二级 cells carry their levels; 指标值类型 ＝ / ≥ is the comparison
    assert got[1] == ("成本指标", "经济成本指标", "电费", "=140万元")
    assert got[5] == ("产出指标", "数量指标", "用电量", "=653.99万度")
    assert got[6] == ("产出指标", "质量指标", "水电气设备运行安全率", "=100%")   # p.23, after the repeated name
    assert got[8] == ("产出指标", "时效指标", "及时支付", "≥90%")
