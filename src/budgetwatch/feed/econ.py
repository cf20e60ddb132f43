"""经济分类 vocabulary: 部门预算经济分类 款 names → 5-digit codes (as disclosures print them in the 基本支出分经济科目表),
the 政府预算经济分类 款 each falls under, and the 三公 items of a 三公 table."""

from __future__ import annotations

import re

from ..vocab.classes import DEPARTMENT_ECONOMIC_CLASSES, DEPARTMENT_ECONOMIC_ITEMS, THREE_PUBLIC_ITEMS
from .codes import normalise_name

_BY_NAME = {normalise_name(v): k for k, v in DEPARTMENT_ECONOMIC_ITEMS.items()}
# a 经济分类 类 row's name, compared as names are (normalise_name) → its code (vocab/classes.py)
CLASS_NAMES = {normalise_name(name): code for code, name in DEPARTMENT_ECONOMIC_CLASSES.items()}


def dep_code(name: str, klass: str | None = None) -> str | None:
    """The 款 code of a printed 经济 item name (`因公出国（境）费` ≈ 因公出国（境）费用), else the class's 99 item."""
    n = normalise_name(name)
    if n in _BY_NAME:
        return _BY_NAME[n]
    for known, code in _BY_NAME.items():
        if n and (known.startswith(n) or n.startswith(known)) and (klass is None or code.startswith(klass)):
            return code
    return f"{klass}99" if klass else None


def gov_code(dep: str) -> str:
    """The 政府预算经济分类 款 of a 部门 款 (机关工资福利 501, 机关商品和服务 502, 对个人和家庭 509, 资本性 503)."""
    if dep.startswith("301"):
        return {
            "30108": "50102",
            "30109": "50102",
            "30110": "50102",
            "30111": "50102",
            "30112": "50102",
            "30113": "50103",
        }.get(dep, "50101" if dep <= "30107" else "50199")
    if dep.startswith("302"):
        return {
            "30215": "50202",
            "30216": "50203",
            "30227": "50205",
            "30217": "50206",
            "30212": "50207",
            "30231": "50208",
            "30213": "50209",
        }.get(dep, "50201" if dep <= "30211" else "50299")
    if dep.startswith("303"):
        return "50905" if dep in ("30301", "30302") else "50901" if dep != "30399" else "50999"
    if dep.startswith("310"):
        return "50306" if dep in ("31002", "31003") else "50399"
    return "59999"


THREE_PUBLIC_KEYWORDS = tuple(sorted((i.code, re.compile(i.word)) for i in THREE_PUBLIC_ITEMS if i.code and i.word))


def three_public_item(name: str | None) -> str | None:
    """The 经济 code of a 三公 table row (因公出国（境）费 → 30212 …); None for 合计 and the 购置及运行 subtotal."""
    n = normalise_name(name)
    if not n or "合计" in n or ("购置" in n and "运行" in n):
        return None
    for code, rx in THREE_PUBLIC_KEYWORDS:
        if rx.search(n):
            return code
    return None
