"""Corpus report: per document, meta, the tables found vs the tables its 目录 lists, and the
internal identities (row total = parts; 合计 = Σ类; 类 = Σ款; 款 = Σ项; 收入总计 = 支出总计)
on the extracted numbers, with every violation listed by page.

    python tools/corpus_report.py [FILES or folders...] [--violations]
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from budgetwatch.extract.document import extract_files
from budgetwatch.extract.text_rules import nospace
from budgetwatch.store.ingest import discover

from budgetwatch.checks.arithmetic import children as _children, row_groups, row_identity_holds
from budgetwatch.checks.completeness import toc_kinds
from budgetwatch.checks.view import DocView, envelope

TOTAL_NAMES = re.compile(r"^(合计|总计|小计|本年支出合计|本年收入合计)$")


def identities(doc):
    """Yield (ok, description, page) for every applicable identity (the arithmetic of checks/, family A)."""
    for t in doc.tables:
        for r in t.rows:
            v = r.values
            for whole, parts in row_groups(t, v):
                ok = row_identity_holds(t, r, whole, parts)
                s = sum(v[k] for k in parts)
                yield ok, f"{t.title} | {r.code or ''} {r.name}: {whole} {v[whole]} vs {'+'.join(parts)} = {s:.2f}", r.page or r.line
        coded = [r for r in t.rows if r.code and r.code.isdigit() and not r.side]
        if not coded:
            continue
        keys = [k for k in t.columns if not k.startswith("x:")]
        for i, r in enumerate(coded):
            kids = _children(coded, i)
            if kids:
                yield from _column_sums(t, r, kids, keys, f"{r.code} {r.name}", f"Σ{len(kids)}")
        classes = [c for c in coded if len(c.code) == 3]
        totals = [r for r in t.rows if not r.code and r.name and TOTAL_NAMES.match(nospace(r.name)) and not r.side]
        if classes and totals:
            yield from _column_sums(t, totals[0], classes, keys, "合计", "Σ类")
    for t in doc.tables:
        if t.kind not in ("summary", "fiscal_summary"):
            continue
        inc = [r for r in t.rows if r.side == "income" and r.block is None and r.name and "总计" in nospace(r.name)]
        exp = [r for r in t.rows if r.side == "expenditure" and r.block is None and r.name and "总计" in nospace(r.name)]
        if inc and exp and "total" in inc[-1].values and "total" in exp[-1].values:
            a, b = inc[-1].values["total"], exp[-1].values["total"]
            yield abs(a - b) <= 0.005, f"{t.title} | 收入总计 {a} vs 支出总计 {b}", inc[-1].page or inc[-1].line


def _column_sums(t, whole, parts, keys, label, sigma):
    """whole = Σ parts in every value column the whole row prints."""
    for k in keys:
        if k not in whole.values:
            continue
        s = sum(c.values.get(k, 0.0) for c in parts)
        ok = abs(s - whole.values[k]) <= envelope([(c, k) for c in parts] + [(whole, k)])
        yield ok, f"{t.title} | {label} [{k}] {whole.values[k]} vs {sigma} = {s:.2f}", whole.page or whole.line


def main(argv):
    show = "--violations" in argv
    args = [a for a in argv if not a.startswith("--")]
    files = discover([Path(a) for a in args])
    total_ok = total = 0
    for group in files:
        name = " + ".join(p.name for p in group)
        try:
            doc = extract_files(group)
        except Exception as e:  # report and go on
            print(f"{name}: ERROR {e}")
            continue
        res = list(identities(doc))
        ok = sum(1 for r in res if r[0])
        total_ok += ok
        total += len(res)
        toc = toc_kinds(DocView(doc))            # the 目录 as rule E01 reads it
        found = {t.kind for t in doc.tables}
        missing = [title for kind, title in toc if kind not in found]
        meta = all([doc.unit, doc.year, doc.stage, doc.scope])
        print(f"{name}: unit={doc.unit} year={doc.year} stage={doc.stage} scope={doc.scope} meta={'ok' if meta else 'INCOMPLETE'} "
              f"tables={len(doc.tables)} forms={len(doc.forms)} toc={len(toc)} missing={missing} identities {ok}/{len(res)}")
        if show:
            for good, desc, where in res:
                if not good:
                    print(f"    VIOLATION p{where}: {desc}")
    pct = 100.0 * total_ok / total if total else 100.0
    print(f"TOTAL identities held: {total_ok}/{total} = {pct:.2f}%")


if __name__ == "__main__":
    main(sys.argv[1:])
