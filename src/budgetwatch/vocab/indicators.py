"""Performance indicators (绩效指标): the level-1 and level-2 labels of the national framework and the
labels of a form's frame (headings, not indicators)."""

from __future__ import annotations

# the level-1 labels every project's targets must cover (D rules), and 成本指标 (level 1 since 2021)
REQUIRED_LEVEL1: tuple[str, ...] = ("产出指标", "效益指标", "满意度指标")
LEVEL1: tuple[str, ...] = (*REQUIRED_LEVEL1, "成本指标")
LEVEL2_PARENT: dict[str, str] = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "经济效益": "效益指标",
    "社会效益": "效益指标",
    "生态效益": "效益指标",
    "可持续影响": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "服务对象满意度": "满意度指标",
    "满意度": "满意度指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
    "经济成本": "成本指标",
    "社会成本": "成本指标",
    "生态环境成本": "成本指标",
}
# 成本指标 of these kinds are not money (财预〔2021〕101号: 社会成本、生态环境成本 are harms borne, e.g. 投诉≤3起)
NON_MONEY_COSTS: tuple[str, ...] = ("社会成本", "生态环境成本", "生态成本")
FRAME_LABELS: frozenset[str] = frozenset(
    {
        "绩效指标",
        "年度绩效指标",
        "实施期绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "指标名称",
        "绩效目标",
        "年度指标值",
        "实施期指标值",
    }
)
