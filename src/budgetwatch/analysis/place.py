"""Where a unit sits, read from its name: the region it belongs to and its level (中央, 省级, 市级, 区县级,
乡镇街道). Names carry their administrative prefix (上海市普陀区…街道办事处, 江苏省高级人民法院, 国家信访局)."""
from __future__ import annotations

import re

MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_PROVINCE = re.compile(r"^(.{2,3}?(?:省|自治区)|北京市|上海市|天津市|重庆市|内蒙古|广西|西藏|宁夏|新疆)")
_CITY = re.compile(r"^(.{2,5}?(?:市|州|盟|地区))")
_COUNTY = re.compile(r"^(.{1,6}?(?:区|县|旗))")
_TOWN = re.compile(r"(街道|镇|乡)(办事处)?|街道")
_CENTRAL = re.compile(r"^(国家|中共中央|中央|全国|国务院|最高人民|中华人民共和国|海关总署|审计署)")


def place(unit: str | None) -> dict:
    """{"region": the leading place name, "level": 中央 | 省级 | 市级 | 区县级 | 乡镇街道 | None}."""
    n = re.sub(r"\s+", "", unit or "")
    if not n:
        return {"region": None, "level": None}
    if _CENTRAL.match(n):
        return {"region": "中央", "level": "中央"}
    n = re.sub(r"^中共", "", n)   # 中共上海市普陀区委社会工作部: the party committee's place
    region, rest, level = None, n, None
    m = _PROVINCE.match(rest)
    if m:
        region, rest, level = m.group(1), rest[m.end():], "省级"
    m = _CITY.match(rest) if region not in MUNICIPALITIES else None
    if m and not rest.startswith(("市级", "市本级")):
        region, rest, level = region or m.group(1), rest[m.end():], "市级"
    m = _COUNTY.match(rest)
    if m and not re.match(r"^(区级|县级|区本级)", rest):
        region, rest, level = region or m.group(1), rest[m.end():], "区县级"   # 兴县…: a county on its own
    if level is not None and _TOWN.search(rest[:12]):
        level = "乡镇街道"
    return {"region": region, "level": level}
