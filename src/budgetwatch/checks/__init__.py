"""Checks (预警): the rule catalogue run over one document (and, for family F, its neighbours)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..model import Document
from .rule import RULES, SEVERITIES, Finding, Rule, TemplateError
from .view import DocView, Neighbour, PeerShares

from . import arithmetic, cross_table, narrative, performance, completeness, across  # noqa: E402,F401  (register)
from .across import neighbour  # noqa: E402
from . import reconcile  # noqa: E402,F401  (family R: the 联网 feed against the disclosure; runs on a ReconcileView)
from . import form_review, wording, consistency  # noqa: E402,F401  (register)
from . import read_quality  # noqa: E402  (registers A00)

__all__ = ["RULES", "Finding", "Rule", "run_checks"]
log = logging.getLogger(__name__)


def rule_failed(r: Rule, view: DocView, e: Exception) -> Finding:
    """A rule that could not complete on this document, reported as its finding (the reviewer must know
    the check was not made); the other rules and documents go on."""
    return Finding(
        rule=r.id,
        family=r.family,
        severity="warn",
        confidence=1.0,
        file=view.file,
        message=f"规则{r.id}（{r.title}）未能完成本文档的检查：{type(e).__name__}: {str(e)[:200]}",
        suggestion="此项检查未完成，请人工核对相关内容，并将本文档报告给系统维护人员。",
        evidence={"claim": "rule-failed", "error": f"{type(e).__name__}: {str(e)[:200]}"},
    )


def run_checks(
    doc: Document,
    history: Sequence[Document | Neighbour] | None = None,
    peers: Sequence[Document | Neighbour] | None = None,
    only: set[str] | None = None,
    peer_shares: PeerShares | None = None,
) -> list[Finding]:
    """Every rule (or those in `only`) over `doc`; family F compares it with `history` (the same unit's other
    documents) and `peers` (other units, same year and stage), given whole or as their key figures — or, for
    the peers, as `peer_shares` counted beside the stored figures."""
    view = DocView(
        doc,
        history=[neighbour(d) for d in history or []],
        peers=[neighbour(d) for d in peers or []],
        peer_shares=peer_shares,
    )
    out: list[Finding] = []
    for r in RULES.values():
        if only and r.id not in only:
            continue
        try:
            out.extend(r.run(view))
        except TemplateError:  # a template's mistake (strict under test only): the rule's author must see it
            raise
        except Exception as e:  # one rule's failure is this document's finding, not the end of the checks
            log.warning("rule %s failed on %s: %s: %s", r.id, view.file, type(e).__name__, e)
            log.debug("rule %s failed", r.id, exc_info=True)  # the traceback, for those who ask for it
            out.append(rule_failed(r, view, e))
    out = read_quality.without_doubtful_arithmetic(view, out)
    seen, unique = set(), []
    for f in out:
        if f.fingerprint not in seen:
            seen.add(f.fingerprint)
            unique.append(f)
    order: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
    unique.sort(key=lambda f: (order[f.severity], f.page or 0, f.line or 0, f.rule))
    return unique
