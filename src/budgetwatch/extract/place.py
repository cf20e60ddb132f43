"""Where a unit sits: the region it belongs to and its level (中央, 省级, 市级, 区县级, 乡镇街道).

Read first from the unit's name, which usually carries its administrative prefix (上海市普陀区…街道办事处,
江苏省高级人民法院, 国家信访局); a name without one (上海科技大学附属学校) is placed by the document's cover
line (上海市2026年市级单位预算, 祁连县2023年部门预算), else left unplaced rather than guessed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..vocab.enums import Level

MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
LEVELS = tuple(level.value for level in Level)
_PROVINCE = re.compile(r"^(.{2,3}?(?:省|自治区)|北京市|上海市|天津市|重庆市|内蒙古|广西|西藏|宁夏|新疆)")
_CITY = re.compile(r"^(.{2,5}?(?:市|州|盟|地区))")
_COUNTY = re.compile(r"^(.{1,6}?(?:区|县|旗))")
_TOWN = re.compile(r"^.{0,8}?(?:街道|镇|乡)(?:办事处|人民政府|政府|党委|$)")  # not 城乡建设局
_CENTRAL = re.compile(r"^(国家|中共中央|中央|全国|国务院|最高人民|中华人民共和国|海关总署|审计署)")
# a cover line: 上海市2026年市级单位预算 / 祁连县2023年部门预算 / 江苏省省级部门决算
_COVER = re.compile(
    r"^(?P<place>\S{2,12}?(?:省|自治区|市|州|盟|区|县|旗))(?:\d{4}年(?:度)?)?"
    r"(?P<tier>省级|市级|州级|区级|县级|本级)?(?:部门|单位)(?:预算|决算)"
)
COVER_LINES = 40  # the cover and the first lines of the 说明 name the place of a unit whose name does not
_TIER = {"省级": Level.province.value, "州级": Level.city.value, "区级": Level.county.value, "县级": Level.county.value}


def place(unit: str | None, lines: Iterable[str] = ()) -> dict:
    """{"region": the leading place name, "level": one of LEVELS or None}; `lines` are the document's
    first lines, consulted only when the name carries no place."""
    found = _from_name(unit)
    if found["region"] is None:
        for text in lines:
            m = _COVER.match(re.sub(r"\s+", "", text))
            if m:
                return _from_cover(m.group("place"), m.group("tier"))
    return found


def document_place(doc) -> dict:
    """place() of an extracted document: its unit, else its first lines."""
    return place(doc.unit, (ln.text for ln in doc.narrative[:COVER_LINES]))


def _from_cover(region: str, tier: str | None) -> dict:
    named = _from_name(region)
    level = named["level"]
    if tier == "市级":  # the city's own departments; a municipality's are provincial
        level = "省级" if region in MUNICIPALITIES else "市级"
    elif tier in _TIER:
        level = _TIER[tier]
    return {"region": named["region"] or region, "level": level}


def _from_name(unit: str | None) -> dict:
    n = re.sub(r"\s+", "", unit or "")
    if not n:
        return {"region": None, "level": None}
    if _CENTRAL.match(n):
        return {"region": "中央", "level": "中央"}
    n = re.sub(r"^中共", "", n)  # 中共上海市普陀区委社会工作部: the party committee's place
    region, rest, level = None, n, None
    m = _PROVINCE.match(rest)
    if m:
        region, rest, level = m.group(1), rest[m.end() :], "省级"
    m = _CITY.match(rest) if region not in MUNICIPALITIES else None
    if m and not rest.startswith(("市级", "市本级")):
        region, rest, level = region or m.group(1), rest[m.end() :], "市级"
    m = _COUNTY.match(rest)
    if m and not re.match(r"^(区级|县级|区本级)", rest):
        region, rest, level = region or m.group(1), rest[m.end() :], "区县级"  # 兴县…: a county on its own
    if level is not None and _TOWN.match(re.sub(r"^人民政府", "", rest)):
        level = "乡镇街道"
    return {"region": region, "level": level}
