"""Checks (预警): the rule catalogue run over one document (and, for family F, its neighbours)."""
from __future__ import annotations

from ..model import Document
from .rule import RULES, SEVERITIES, Finding, Rule
from .view import DocView

from . import arithmetic, cross_table, narrative, performance, completeness, across  # noqa: E402,F401  (register)
from . import read_quality  # noqa: E402  (registers A10)

__all__ = ["RULES", "Finding", "Rule", "run_checks"]


def run_checks(doc: Document, history: list[Document] | None = None, peers: list[Document] | None = None,
               only: set[str] | None = None) -> list[Finding]:
    view = DocView(doc, history=history or [], peers=peers or [])
    out: list[Finding] = []
    for r in RULES.values():
        if only and r.id not in only:
            continue
        out.extend(r.run(view))
    out = read_quality.without_doubtful_arithmetic(view, out)
    seen, unique = set(), []
    for f in out:
        if f.fingerprint not in seen:
            seen.add(f.fingerprint)
            unique.append(f)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    unique.sort(key=lambda f: (order[f.severity], f.page or 0, f.line or 0, f.rule))
    return unique
