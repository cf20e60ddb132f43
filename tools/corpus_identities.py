"""The internal identities the corpus report counts, on one extracted document (the arithmetic of checks/,
family A, without its severity and wording), and the codes of 功能分类 tables that cannot be 功能分类 codes."""

from __future__ import annotations

import re

from budgetwatch.checks.arithmetic import children as _children, row_groups, row_identity_holds, three_public_items
from budgetwatch.checks.view import DocView, envelope
from budgetwatch.extract.codes import function_code_valid
from budgetwatch.extract.text_rules import nospace
from budgetwatch.vocab.kinds import FUNCTION_KINDS

TOTAL_NAMES = re.compile(r"^(合计|总计|小计|本年支出合计|本年收入合计)$")


def identities(doc):
    """Yield (ok, description, page) for every applicable identity."""
    for t in doc.tables:
        if t.empty:
            continue
        for r in t.rows:
            v = r.values
            for whole, parts in row_groups(t, v):
                ok = row_identity_holds(t, r, whole, parts)
                s = sum(v[k] for k in parts)
                yield (
                    ok,
                    f"{t.title} | {r.code or ''} {r.name}: {whole} {v[whole]} vs {'+'.join(parts)} = {s:.2f}",
                    r.page or r.line,
                )
        coded = [r for r in t.rows if r.code and r.code.isdigit() and not r.side and not r.block]
        if coded:
            keys = [k for k in t.columns if not k.startswith("x:")]
            for i, r in enumerate(coded):
                kids = _children(coded, i)
                if kids:
                    yield from _column_sums(t, r, kids, keys, f"{r.code} {r.name}", f"Σ{len(kids)}")
            classes = [c for c in coded if len(c.code) == 3]
            totals = [
                r
                for r in t.rows
                if not r.code and r.name and TOTAL_NAMES.match(nospace(r.name)) and not r.side and not r.block
            ]
            if classes and totals:
                yield from _column_sums(t, totals[0], classes, keys, "合计", "Σ类")
        if t.kind == "three_public":
            yield from _three_public(doc, t)
    for t in doc.tables:
        if t.kind not in ("summary", "fiscal_summary"):
            continue
        inc = [r for r in t.rows if r.side == "income" and r.block is None and r.name and "总计" in nospace(r.name)]
        exp = [
            r for r in t.rows if r.side == "expenditure" and r.block is None and r.name and "总计" in nospace(r.name)
        ]
        if inc and exp and "total" in inc[-1].values and "total" in exp[-1].values:
            a, b = inc[-1].values["total"], exp[-1].values["total"]
            yield abs(a - b) <= 0.005, f"{t.title} | 收入总计 {a} vs 支出总计 {b}", inc[-1].page or inc[-1].line


def _three_public(doc, t):
    """三公 合计 = 因公出国（境）费 + 公务用车购置及运行费 + 公务接待费 (an item not printed is zero)."""
    total, it = three_public_items(DocView(doc), t)
    car = [it["car"]] if "car" in it else [it[k] for k in ("purchase", "running") if k in it]
    items = [it[k] for k in ("abroad",) if k in it] + car + [it[k] for k in ("reception",) if k in it]
    if total is not None and len(items) >= 2 and total not in items:
        keys = [k for k in t.columns if not k.startswith("x:")] or list(total.values)
        keys = [k for k in keys if any(k in i.values for i in items)]  # as A06: a column an item prints
        yield from _column_sums(t, total, items, keys, "三公合计", "Σ三公")


def _column_sums(t, whole, parts, keys, label, sigma):
    """whole = Σ parts in every value column the whole row prints."""
    for k in keys:
        if k not in whole.values:
            continue
        s = sum(c.values.get(k, 0.0) for c in parts)
        ok = abs(s - whole.values[k]) <= envelope([(c, k) for c in parts] + [(whole, k)])
        yield ok, f"{t.title} | {label} [{k}] {whole.values[k]} vs {sigma} = {s:.2f}", whole.page or whole.line


def bad_codes(doc) -> list[tuple[int | None, str]]:
    """(page, description) of every code in a 功能分类 table that is not a 功能分类 code."""
    out = []
    for t in doc.tables:
        if t.kind not in FUNCTION_KINDS:
            continue
        for r in t.rows:
            if r.code and not function_code_valid(r.code):
                out.append((r.page or r.line, f"{t.title} | {r.code} {r.name}"))
    return out
