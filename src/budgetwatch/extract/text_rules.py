"""Small lexical rules shared by the extractors: amounts, codes, enumerations, money units."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..vocab.units import UNIT_PATTERN

_AMOUNT = re.compile(r"^[-−－]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PAREN_NEG = re.compile(r"^[（(]\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*[）)]$")
ENUM = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[）)、.．]|[（(]\d+[）)]|\d+[、．](?!\d)|\d+\.(?!\d)|[①-⑳])\s*")
# the heading of a top-level part of a document's prose (五、关于一般公共预算支出表的说明): ENUM's first level
PART_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff（）()、“”《》])\s+(?=[\u4e00-\u9fff（）()、“”《》])")
YEAR = re.compile(r"(20\d{2})\s*年")
MONEY_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*(" + UNIT_PATTERN + ")")
HEADER_UNIT = re.compile(r"[（(]\s*(" + UNIT_PATTERN + r")\s*[）)]")
# a page's number printed under its text (- 34 -, —8—, 12, 第 3 页，共 45 页): not part of the prose
PAGE_FOOTER = re.compile(r"^[\s\-—–－·]*(?:第\s*)?\d{1,4}\s*(?:页\s*)?(?:[，,]?\s*共\s*\d{1,4}\s*页)?[\s\-—–－·]*$")


def parse_amount(s: str | None) -> Decimal | None:
    """'1,506.80' → 1506.80; '(12.5)' → -12.5; anything else → None."""
    if not s:
        return None
    t = s.replace(" ", "").replace("，", ",")
    m = _PAREN_NEG.match(t)
    if m:
        t = "-" + m.group(1)
    if not _AMOUNT.match(t):
        return None
    t = t.replace(",", "").replace("−", "-").replace("－", "-")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


_MONEY_SUFFIX = re.compile(r"\s*(" + UNIT_PATTERN + r")$")


def parse_money(s: str | None) -> Decimal | None:
    """An amount that may carry its unit in the cell (2,080.76万元), as forms print them."""
    return parse_amount(_MONEY_SUFFIX.sub("", s)) if s else None


_FRACTION = re.compile(r"\.(\d+)")


def decimals(printed: str | None) -> int:
    """Digits printed after a figure's point; 2, the tables' usual, where nothing was printed."""
    t = (printed or "").strip()
    if not t:
        return 2
    m = _FRACTION.search(t)
    return len(m.group(1)) if m else 0


def half_unit(printed: str | None) -> float:
    """Half a unit of a printed figure's last digit: how far its rounding may be from the true amount
    (0.005 for two decimals, 0.5 for none)."""
    return 0.5 * 10 ** -decimals(printed)


def is_code(s: str | None) -> bool:
    return bool(s) and s is not None and s.isdigit() and 2 <= len(s) <= 9


def strip_enum(s: str) -> str:
    """Drop one leading enumeration (一、 （一） 1. ①) from a row label."""
    return ENUM.sub("", s, count=1).strip()


def squash(s: str | None) -> str:
    """Remove whitespace a converter put inside Chinese words ('合 计' → '合计')."""
    if not s:
        return ""
    s = _CJK_GAP.sub("", s.strip())
    return re.sub(r"\s+", " ", s)


_SPACE = re.compile(r"\s+")


def nospace(s: str | None) -> str:
    """NFKC, whitespace dropped. The extractors ask it millions of times a county, mostly of the same short
    labels and cells: those are remembered (a long paragraph is not)."""
    if s and len(s) <= 80:
        return _nospace_short(s)
    return _SPACE.sub("", unicodedata.normalize("NFKC", s or ""))


@lru_cache(maxsize=1 << 15)
def _nospace_short(s: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", s))


def money_unit_in(text: str) -> str | None:
    m = MONEY_UNIT.search(nospace(text))
    return m.group(1) if m else None


def header_money_unit(text: str) -> str | None:
    m = HEADER_UNIT.search(nospace(text))
    return m.group(1) if m else None
