"""Document meta — unit, year, stage, scope — from the cover, table headers and titles."""

from __future__ import annotations

import re
from collections import Counter

from ..read.text import Line
from ..vocab.enums import Stage, labels
from ..vocab.units import DISCLOSED_UNITS, alternation
from .text_rules import nospace

_UNIT_LINE = re.compile(r"^(?:部门名称|单位名称|编制部门|编制单位|预算单位|填报单位|部门|单位)\s*[:：]\s*(.+)$")
_COVER = re.compile(r"(20\d{2})\s*年\s*度?\s*(?:[省市区县镇乡]级|本级)?\s*(部门|单位)?\s*(综合)?\s*(预算|决算)")
_ORG_END = re.compile(
    r"(办公室|办公厅|委员会|局|院|厅|委|办|中心|所|站|馆|校|学校|部|会|处|队|社|署|街道办事处|政府|医院|园|室|宫|台|协会|联合会|法院|检察院)$"
)
_DEBRIS = re.compile(r"^[\d\s.·…\-—]*$")


def _unit_from_line(text: str) -> str | None:
    m = _UNIT_LINE.match(nospace(text))
    if not m:
        return None
    u = re.split(r"单位[:：]|金额单位|[（(]?单位[：:]", m.group(1))[0]
    u = re.sub(r"^\d+[-—－]", "", u).strip()
    if re.search(r"[;；,，。、]", u):
        return None  # a sentence of the 说明 (单位：…;全市14个区设…), not a name
    return u if 2 <= len(u) <= 60 and not u.startswith(DISCLOSED_UNITS) else None


def _unit_from_row(cells) -> str | None:
    """部门名称 | 北京市…委员会 printed as cells of a form's or table's grid (no 部门名称 line, no cover)."""
    vals = [nospace(c) for c in cells if c and nospace(c)]
    if len(vals) >= 2 and re.fullmatch(r"(部门|单位|预算单位|实施单位|主管部门)(名称)?", vals[0]) and _org(vals[1]):
        return vals[1]
    return None


def cover_text(lines: list[Line]) -> str:
    """The cover: the first lines before the 目录 (a converter splits it over several lines)."""
    parts: list[str] = []
    for ln in lines[:60]:
        t = nospace(ln.text)
        if not t:
            continue
        if ln.is_row:
            break  # a table's figures are not the cover (98,098.872806 holds no year 2086)
        if t.startswith("目录") or t.startswith("第一部分") or len(parts) >= 10:
            break
        parts.append(t)
    return "".join(parts)


def _org(name: str) -> bool:
    bare = re.sub(r"[（(][^（()）]{1,12}[）)]$", "", name)
    return 2 <= len(bare) <= 50 and bool(_ORG_END.search(bare))


def _unit_from_cover_text(cover: str) -> str | None:
    for pat in (
        r"20\d{2}年度?(?P<unit>.+?)(?:部门|单位)(?:综合)?(?:预算|决算)",
        r"^(?P<unit>.+?)(?:20\d{2})?年度?(?:部门|单位)(?:综合)?(?:预算|决算)",
    ):
        m = re.search(pat, cover)
        if m:
            u = re.sub(r"(?<=.{4})(部门|单位)$", "", m.group("unit"))  # 北京市统计局部门 2026年度部门预算
            if _org(u):
                return u
    return None


_UNIT_NOISE = re.compile(r"^(?:附件\d*[:：]?|20\d{2}年度?)+")


def find_unit(lines: list[Line]) -> str | None:
    u = _find_unit(lines)
    if u:
        u = _UNIT_NOISE.sub("", u) or u
    return u


def _find_unit(lines: list[Line]) -> str | None:
    """部门名称/单位名称 lines decide; else the cover; else the prefix of a title."""
    named: Counter[str] = Counter()
    for ln in lines:
        if ln.is_row:
            continue
        u = _unit_from_line(ln.text)
        if u:
            named[u] += 1
    if named:
        return named.most_common(1)[0][0]
    cover = _cover_unit(lines) or _unit_from_cover_text(cover_text(lines))
    if cover:
        return cover
    in_grid = Counter(u for u in (_unit_from_row(ln.cells) for ln in lines if ln.is_row) if u)
    if in_grid:
        return in_grid.most_common(1)[0][0]
    for ln in lines[:400]:
        t = nospace(ln.text)
        m = re.match(r"^(.{2,40}?)(20\d{2})年?度?(部门|单位)?(综合)?(预算|决算)", t)
        if m and _ORG_END.search(m.group(1)):
            return m.group(1)
    # last: the unit that carries out the forms' projects (主管部门及代码 | … | 实施单位 | 烟台市住房和城乡建设局)
    doing = Counter(u for u in (_implementer_in_row(ln.cells) for ln in lines if ln.is_row) if u)
    return doing.most_common(1)[0][0] if doing else None


def _implementer_in_row(cells) -> str | None:
    vals = [nospace(c) for c in cells if c and nospace(c)]
    for label, name in zip(vals, vals[1:]):
        if label == "实施单位" and _org(name):
            return name
    return None


def _cover_unit(lines: list[Line]) -> str | None:
    """The organisation name printed on the cover, just above 'YYYY年度部门预算'."""
    for i, ln in enumerate(lines[:80]):
        t = nospace(ln.text)
        m = _COVER.search(t)
        if not m:
            continue
        prefix = re.sub(r"^第[一二三四五六七八九十\d]+部分", "", t[: m.start()])
        if len(prefix) >= 4 and _org(prefix):
            return prefix
        for prev in reversed(lines[max(0, i - 6) : i]):
            if prev.page != ln.page:
                break  # the cover names the unit on its own page, not the page before a 目录 line
            p = re.sub(r"(?<=.{4})(部门|单位)$", "", nospace(prev.text))  # 北京市教育委员会部门
            if not p or _DEBRIS.match(p):
                continue
            if len(p) >= 4 and _org(p) and not re.search(r"目录|公开|说明", p):
                return p
        break
    return None


def _cover_match(lines: list[Line]):
    """The cover's year, scope and stage: the cover text before the 目录 first (2026年深圳市建筑工务署部门预算
    — a 说明 line of the first pages may name another year: 比2025年部门预算…), then a cover line."""
    cover = cover_text(lines)
    m = _COVER.search(cover)
    if m:
        return m
    if re.search(alternation(tuple(labels(Stage).values())), cover):
        y = re.search(r"(?<![\d.,])(20\d{2})(?![\d.,])", cover)
        kind = re.search(r"(部门|单位)?(综合)?(预算|决算)", cover)
        if y and kind:
            return re.match(
                r"(\d{4})(部门|单位)?(综合)?(预算|决算)",
                y.group(1) + (kind.group(1) or "") + (kind.group(2) or "") + kind.group(3),
            )
    for ln in lines[:80]:
        m = _COVER.search(nospace(ln.text))
        if m:
            return m
    return None


def find_year(lines: list[Line], titles: list[str]) -> int | None:
    m = _cover_match(lines)
    if m:
        return int(m.group(1))
    years: Counter[int] = Counter()
    for t in titles:
        for y in re.findall(r"(20\d{2})\s*年?", t):
            years[int(y)] += 1
    if years:
        return years.most_common(1)[0][0]
    for ln in lines[:200]:
        m = re.search(r"(20\d{2})\s*年", ln.text)
        if m:
            return int(m.group(1))
    return None


def find_stage(lines: list[Line], titles: list[str]) -> str:
    m = _cover_match(lines)
    if m:
        return "final" if m.group(4) == "决算" else "budget"
    fin = sum("决算" in t for t in titles)
    bud = sum("预算" in t for t in titles)
    return "final" if fin > bud else "budget"


_TITLE_SUBJECT = re.compile(
    r"(部门|单位)(?=财政拨款|[“\"]三公|收入|支出|收支|一般公共预算|政府性基金|国有资本|项目支出|基本支出|整体支出|政府采购)"
)


def find_scope(lines: list[Line]) -> str | None:
    m = _cover_match(lines)
    if m and m.group(2):
        return "department" if m.group(2) == "部门" else "unit"
    counts: Counter[str] = Counter()
    for ln in lines:
        t = nospace(ln.text)
        counts["department"] += len(re.findall(r"部门(?:综合)?(?:预算|决算)", t))
        counts["unit"] += len(re.findall(r"单位(?:综合)?(?:预算|决算)(?!单位)", t))
    if not counts["department"] and not counts["unit"]:
        # no cover (a few pages, a scan): the tables' titles name whose they are (2026年预算单位财政拨款收支预算总表,
        # 单位“三公”经费…预算表 / 部门收支总表)
        for ln in lines:
            if not ln.is_row:
                for who in _TITLE_SUBJECT.findall(nospace(ln.text)):
                    counts["department" if who == "部门" else "unit"] += 1
    if not counts["department"] and not counts["unit"]:
        return None
    return "department" if counts["department"] >= counts["unit"] else "unit"
