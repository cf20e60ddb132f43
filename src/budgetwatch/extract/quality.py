"""Is a table's reading trustworthy? A table whose figures fail many of its own sums at once, whose
sums fail by a digit dropped (11,476.19 read as 1,476.19), or whose codes cannot be 功能分类 codes was
most likely misread: it is marked doubtful, with the reason, so its arithmetic is not reported as the
document's defects (the checks give one 提示 instead)."""

from __future__ import annotations

from ..model import Row, Table
from ..vocab.kinds import FUNCTION_KINDS
from .codes import function_code_valid
from .text_rules import half_unit

MANY = 3  # rows failing their sums in one table …
SHARE = 0.3  # … and this share of the rows checked


def _digits(v: float, printed: str | None) -> str:
    t = (printed or f"{v:.2f}").replace(",", "").replace(" ", "").lstrip("-")
    return t.replace(".", "")


def digit_dropped(longer: str, shorter: str) -> bool:
    """`shorter` is `longer` with one digit removed."""
    if len(longer) != len(shorter) + 1 or not shorter:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _sums(t: Table):
    """(whole row, key, whole value, Σ parts, the parts' (row, key)) of the table's own sums: a 类/款 and the
    codes printed under it, and 合计 = 基本支出 + 项目支出 within a row."""
    coded = [(r, r.code) for r in t.rows if r.code and r.code.isdigit() and not r.side and not r.block]
    for i, (r, code) in enumerate(coded):
        kids: list[Row] = []
        kid_codes: list[str] = []
        for c, c_code in coded[i + 1 :]:
            if not (c_code.startswith(code) and len(c_code) > len(code)):
                break
            if not any(len(a) < len(c_code) and c_code.startswith(a) for a in kid_codes):
                kids.append(c)
                kid_codes.append(c_code)
        if not kids:
            continue
        for k, v in r.values.items():
            if k.startswith("x:"):
                continue
            yield r, k, v, sum(c.values.get(k, 0.0) for c in kids), [(c, k) for c in kids if k in c.values]
    for r in t.rows:
        vs = r.values
        if "total" in vs and "basic" in vs and "project" in vs:
            yield r, "total", vs["total"], vs["basic"] + vs["project"], [(r, "basic"), (r, "project")]


def assess(t: Table) -> tuple[str | None, str | None]:
    """("doubtful", reason) or (None, None)."""
    if t.empty:
        return None, None
    if t.kind in FUNCTION_KINDS:
        bad = [r.code for r in t.rows if r.code and not function_code_valid(r.code)]
        if bad:
            return "doubtful", f"编码{'、'.join(bad[:3])}{'等' if len(bad) > 3 else ''}不是功能分类科目编码"
    checked, failed = set(), set()  # rows: one misread figure fails its row in one column, a misreading many rows
    for r, k, whole, parts, cells in _sums(t):
        checked.add(id(r))
        # each printed figure is rounded to its last digit (786781502.8 for 786781502.82; 767.54 over nine
        # parts adding to 767.56): a sum off by no more than those roundings together is not misread
        rounding = half_unit(r.printed.get(k)) + sum(half_unit(c.printed.get(key)) for c, key in cells)
        if abs(whole - parts) <= max(0.015, rounding + 1e-9):
            continue
        failed.add(id(r))
        single = cells[0][0] if len(cells) == 1 else None
        w = _digits(whole, r.printed.get(k))
        p = _digits(parts, single.printed.get(k) if single is not None else None)
        if digit_dropped(w, p) or digit_dropped(p, w):
            where = f"{r.code or ''}{r.name or ''}"
            return "doubtful", f"“{where}”的金额{whole:g}与其组成部分之和{parts:.2f}相差一位数字，疑似漏读"
    if len(failed) >= MANY and len(failed) >= SHARE * len(checked):
        return "doubtful", f"本表{len(checked)}行加总中有{len(failed)}行不相符"
    return None, None


def mark(tables: list[Table]) -> None:
    for t in tables:
        t.read_quality, t.quality_reason = assess(t)
