"""Parsing and normalising what finance exports print: amounts (元, or 万元 when the header says so), dates,
功能/经济 codes (`2010101 行政运行`, `[30201]办公费`), 财政区划 codes. Each parser returns the value or raises Bad
with a typed reason (feed/validate.py turns it into a reject)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from ..vocab.classes import (
    DEPARTMENT_ECONOMIC_CLASSES,
    FUNCTION_CLASSES,
    GOVERNMENT_ECONOMIC_CLASSES,
)

CENT = Decimal("0.01")
WAN = Decimal(10000)


class Bad(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


_CODE_NAME = re.compile(r"^\s*[\[［【(（]?\s*([0-9]{3,20})\s*[\]］】)）]?\s*[-—:：.、]?\s*(.*?)\s*$")


def split_code_name(text: str | None) -> tuple[str | None, str | None]:
    """`2010101 行政运行` / `[30201]办公费` / `30201-办公费` → (code, name); a bare code or a bare name stays."""
    if text is None:
        return None, None
    t = str(text).strip()
    if not t:
        return None, None
    m = _CODE_NAME.match(t)
    if m:
        return m.group(1), (m.group(2) or None)
    return None, t


def func_code(raw: str) -> str:
    """A 功能 code: digits, 类 known; 项 level (7 digits) kept, local extensions beyond 7 cut (raw is kept)."""
    code = raw.strip()
    if not code.isdigit() or len(code) not in (3, 5) and len(code) < 7:
        raise Bad("E_CODE", f"功能分类科目“{raw}”不是3、5或7位及以上的数字编码")
    if code[:3] not in FUNCTION_CLASSES:
        raise Bad("E_CODE", f"功能分类科目“{raw}”的类级“{code[:3]}”不在支出功能分类中")
    return code[:7]


def eco_code(raw: str, kind: str) -> str:
    """An 经济 code: 部门 (3xx) or 政府 (5xx), 类 (3 digits) or 款 (5 digits)."""
    code = raw.strip()
    classes = DEPARTMENT_ECONOMIC_CLASSES if kind == "dep" else GOVERNMENT_ECONOMIC_CLASSES
    label = "部门预算经济分类" if kind == "dep" else "政府预算经济分类"
    if not code.isdigit() or len(code) < 3:
        raise Bad("E_CODE", f"{label}科目“{raw}”不是数字编码")
    if code[:3] not in classes:
        raise Bad("E_CODE", f"{label}科目“{raw}”的类级“{code[:3]}”不在{label}中")
    return code[:5]


def region_code(raw: str) -> str:
    code = str(raw).strip()
    if len(code) == 6 and code.isdigit():  # a 行政区划 code: the region itself (township part 000)
        code += "000"
    if len(code) != 9 or not code.isdigit():
        raise Bad("E_REGION", f"财政区划代码“{raw}”不是9位数字")
    return code


_AMOUNT_JUNK = str.maketrans({",": "", "，": "", " ": "", "\u3000": "", "¥": "", "￥": "", "元": ""})


def amount(raw: str, scale: Decimal | int = 1) -> Decimal:
    """`1,234.56`, `(12.50)` (negative), `-3`, in 元 (×10,000 when the column is in 万元), exact to the 分."""
    t = str(raw).translate(_AMOUNT_JUNK)
    neg = t.startswith("(") and t.endswith(")") or t.startswith("（") and t.endswith("）")
    if neg:
        t = t[1:-1]
    try:
        v = Decimal(t)
    except InvalidOperation:
        raise Bad("E_AMOUNT", f"金额“{raw}”不是数字") from None
    if not v.is_finite():
        raise Bad("E_AMOUNT", f"金额“{raw}”不是数字")
    v = -v if neg else v
    if scale != 1:
        v = v * scale
    q = v.quantize(CENT)
    if q != v:
        raise Bad("E_AMOUNT", f"金额“{raw}”精度超过分")
    if abs(q) >= Decimal("1e15"):
        raise Bad("E_AMOUNT", f"金额“{raw}”超出范围")
    return q


_DATE = re.compile(r"^\s*(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?$")


def day(raw: str) -> date:
    """`2023-06-28`, `20230628`, `2023/6/28`, `2023年6月28日`, with or without a time after it."""
    m = _DATE.match(str(raw))
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    raise Bad("E_DATE", f"日期“{raw}”无法识别（应为YYYY-MM-DD、YYYYMMDD或YYYY/MM/DD）")


_TIME = re.compile(r"^\s*(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def moment(raw: str) -> datetime:
    """An update time: a date with an optional time of day (taken as UTC)."""
    m = _TIME.match(str(raw))
    if m:
        try:
            return datetime(
                int(m.group(1)),
                int(m.group(2)),
                int(m.group(3)),
                int(m.group(4) or 0),
                int(m.group(5) or 0),
                int(m.group(6) or 0),
                tzinfo=UTC,
            )
        except ValueError:
            pass
    raise Bad("E_DATE", f"时间“{raw}”无法识别")


TRUE = {"1", "true", "t", "y", "yes", "是"}
FALSE = {"0", "false", "f", "n", "no", "否", ""}


def flag(raw: str) -> bool:
    t = str(raw).strip().lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    raise Bad("E_VALUE", f"“{raw}”不是是/否标志")


def normalise_name(name: str | None) -> str:
    """Names compared across feed and disclosure: no spaces, full-width folded, brackets unified, a leading
    year (“2023年”, “2025年度”) dropped."""
    if not name:
        return ""
    t = str(name).translate(_FOLD)
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"^(19|20)\d{2}年度?", "", t)
    return t


_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, ord("【"): ord("["), ord("】"): ord("]")}
