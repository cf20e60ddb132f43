"""二级指标 labels that a converter packed to the top of the grid.

A 二级指标 label is a cell merged over its indicators' rows. Some converters write such cells one per row from
the grid's first row down, whatever rows they spanned: the labels come out in the right order, but beside
the wrong indicators (质量指标 beside 培训次数, 满意度指标 beside 培训成本), and the rows below the last label carry
none. The sign is that every labelled row comes before every unlabelled one. Only then, and only when the
indicators' own names disagree with where the labels put them, the indicators are re-grouped: the printed
labels keep their order, each keeps at least one indicator, and each indicator goes to the group its name
fits (及时率 → 时效指标, …成本 → 成本指标, 满意度 → 满意度指标)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Indicator
from ..vocab.indicators import LEVEL2_PARENT
from .text_rules import nospace

# what an indicator's name says about its 二级指标, most specific first
_CLASSES = [
    ("满意度", re.compile(r"满意")),
    ("时效", re.compile(r"及时|时效|时限|期限|按时|按期|完成时间|时间节点")),
    ("成本", re.compile(r"成本|费用|单价|经费")),
    ("生态效益", re.compile(r"生态|环境|绿化|排放|节能|污染")),
    ("经济效益", re.compile(r"经济|收益|增收")),
    ("可持续影响", re.compile(r"可持续|长效|长期|机制|制度|健全")),
    ("质量", re.compile(r"合格|达标|准确|质量|覆盖|验收|通过率|出席|完成率|完好|正确|规范")),
    ("数量", re.compile(r"数量|次数|人数|个数|场次|期数|份数|册数|户数|件数")),
    ("社会效益", re.compile(r"应用|采纳|能力|水平|意识|社会|群众|公众|影响|效果|作用")),
]
MIN_LABELLED, MIN_UNLABELLED, MIN_GAIN = 3, 2, 2


def name_class(name: str) -> str | None:
    n = nospace(name)
    return next((c for c, rx in _CLASSES if rx.search(n)), None)


def label_class(label: str | None) -> str | None:
    """The class of a 二级指标 label (社会效益指标 → 社会效益, 经济成本指标 → 成本)."""
    if not label:
        return None
    if "满意" in label:
        return "满意度"
    if "成本" in label:
        return "成本"
    return next((c for c, _ in _CLASSES if label.startswith(c)), None)


def _fit(name: str, label: str | None) -> int:
    said, group = name_class(name), label_class(label)
    if said is None or group is None:
        return 0
    return 1 if said == group else -1


@dataclass
class PrintedRow:
    """An indicator as read, with the labels printed on its row and the levels carried down to it."""

    indicator: Indicator
    labels: list[str]
    level1: str | None
    level2: str | None


def realign(rows: list[PrintedRow]) -> None:
    """`rows`: the grid's indicators so far, in order. Sets each indicator's levels: as carried down, or
    re-grouped when the labels were packed to the top (called after every row: the last call decides)."""
    for r in rows:
        r.indicator.level1, r.indicator.level2 = r.level1, r.level2
    labelled = [bool(r.labels) and not _self_named(r) for r in rows]
    k = next((i for i, lab in enumerate(labelled) if not lab), len(rows))
    if k < MIN_LABELLED or len(rows) - k < MIN_UNLABELLED or any(labelled[k:]):
        return
    groups = [lab for r in rows[:k] for lab in r.labels if lab not in ("产出指标", "效益指标")]
    if not groups or len(groups) > len(rows):
        return
    names = [r.indicator.name for r in rows]
    now = sum(_fit(n, r.level2 or r.level1) for n, r in zip(names, rows))
    best, choice = _best_grouping(names, groups)
    if best - now < MIN_GAIN:
        return
    for r, g in zip(rows, choice):
        ind, label = r.indicator, groups[g]
        if label in LEVEL2_PARENT:
            ind.level1, ind.level2 = LEVEL2_PARENT[label], label
        else:  # a 一级 label printed alone: keep a 二级 the indicator's own cell names (服务对象满意度指标)
            own = nospace(ind.name)
            ind.level1 = label
            ind.level2 = own if LEVEL2_PARENT.get(own) == label else None


def _self_named(r: PrintedRow) -> bool:
    """A row whose only name is its label (服务对象满意度指标 | ≥95%): the label names the indicator itself."""
    return len(r.labels) == 1 and nospace(r.indicator.name) == r.labels[0]


def _best_grouping(names: list[str], groups: list[str]) -> tuple[int, list[int]]:
    """Monotone assignment of names to groups (each group non-empty) maximising the fit; ties keep an
    indicator in the earlier group."""
    n, m = len(names), len(groups)
    neg = -(10**9)
    score = [[neg] * m for _ in range(n)]
    back = [[0] * m for _ in range(n)]
    score[0][0] = _fit(names[0], groups[0])
    for i in range(1, n):
        for g in range(min(i + 1, m)):
            stay = score[i - 1][g]
            move = score[i - 1][g - 1] if g else neg
            prev = g if stay >= move else g - 1
            if max(stay, move) == neg:
                continue
            score[i][g] = max(stay, move) + _fit(names[i], groups[g])
            back[i][g] = prev
    choice, g = [0] * n, m - 1
    for i in range(n - 1, -1, -1):
        choice[i] = g
        g = back[i][g]
    return score[n - 1][m - 1], choice
