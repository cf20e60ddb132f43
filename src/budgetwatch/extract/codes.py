"""功能分类 / 经济分类 codes written in full, whether printed whole, split into 类/款/项 cells,
or abbreviated (`01` under `201`)."""

from __future__ import annotations

from decimal import Decimal

from ..vocab.classes import VALID_CLASS_CODES

TOLERANCE = Decimal("0.015")


class CodeTracker:
    """Carries the last 类/款/项 down a table so abbreviated codes can be completed.

    A two-digit code after a 项 is ambiguous (the next 项, or a new 款). The table's own totals
    decide: once the 项 printed under the current 款 add up to the 款's amount, the 款 is closed and
    the next two-digit code opens a new 款.
    """

    def __init__(self, econ: bool):
        self.econ = econ
        self.lei: str | None = None
        self.kuan: str | None = None
        self.last_level = 0
        self.kuan_amount: Decimal | None = None
        self.kuan_children = Decimal(0)

    def resolve(self, pieces: dict[str, str], amount: Decimal | None) -> str | None:
        if not pieces:
            return None
        if any(k in pieces for k in ("类", "款", "项")):
            return self._split(pieces, amount)
        return self._single(pieces["code"], amount)

    def _split(self, p: dict[str, str], amount: Decimal | None) -> str | None:
        lei, kuan, xiang = p.get("类"), p.get("款"), p.get("项")
        # a split cell may also hold the whole code (converters merge cells)
        for part in (lei, kuan, xiang):
            if part and len(part) in (5, 7) and part[:1] in "123456789":
                return self._single(part, amount)
        if lei and not kuan and not xiang:
            return self._set(lei, amount)
        if kuan:
            base = lei or self.lei
            if not base:
                return None
            code = base + kuan[-2:]
            if xiang:
                return self._set(code + xiang[-2:], amount)
            return self._set(code, amount)
        if xiang and self.kuan:
            return self._set(self.kuan + xiang[-2:], amount)
        return None

    def _single(self, code: str, amount: Decimal | None) -> str | None:
        if len(code) in (3, 5, 7) or (self.econ and len(code) in (3, 5)):
            return self._set(code, amount)
        if len(code) == 2 and self.lei:
            if self.econ:
                return self._set(self.lei + code, amount)
            if self.last_level == 3 or not self.kuan:
                return self._set(self.lei + code, amount)
            if self.last_level == 5:
                return self._set(self.kuan + code, amount)
            # after a 项: a new 款 once the open 款 is fully accounted for
            if self.kuan_amount is not None and abs(self.kuan_children - self.kuan_amount) <= TOLERANCE:
                return self._set(self.lei + code, amount)
            return self._set(self.kuan + code, amount)
        return code  # an unusual length is kept as printed

    def _set(self, code: str, amount: Decimal | None) -> str:
        level = len(code)
        if level == 3:
            self.lei, self.kuan = code, None
            self.kuan_amount, self.kuan_children = None, Decimal(0)
        elif level == 5:
            self.lei, self.kuan = code[:3], code
            self.kuan_amount, self.kuan_children = amount, Decimal(0)
        elif level == 7:
            self.lei = code[:3]
            if self.kuan != code[:5]:
                self.kuan, self.kuan_amount, self.kuan_children = code[:5], None, Decimal(0)
            self.kuan_children += amount or 0
        self.last_level = level
        return code


def function_code_valid(code: str) -> bool:
    """Whether a code written in full can be a 功能分类 code (3, 5 or 7 digits, a known 类, no 00 part):
    款 and 项 are two digits from 01 (99 is 其他…)."""
    if not code.isdigit() or len(code) not in (3, 5, 7) or code[:3] not in VALID_CLASS_CODES:
        return False
    return all(code[i : i + 2] != "00" for i in range(3, len(code), 2))
