"""A rule is a small self-describing unit; a finding is what it reports.

Each rule declares its id, Chinese title, family (A arithmetic · B cross-table · C 说明 · D performance
targets · E completeness · F across documents), severity, what it compares, when it applies, and the
Chinese message and suggestion templates its findings are written with. `@rule(...)` registers it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model import Finding
from ..vocab.enums import Family, Severity, ValueKind, labels

SEVERITIES = tuple(Severity)  # most severe first
SEVERITY_ZH = labels(Severity)
FAMILIES = labels(Family)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    family: str
    severity: str
    compares: str
    applies: str
    message: str  # str.format template over the finding's fields and extra keys
    suggestion: str
    fn: Callable[..., Iterator[dict]]
    thresholds: dict[str, Any] = field(default_factory=dict)  # defaults; family G: overridable per region
    value_kind: str = ValueKind.money  # what its findings' value, expected and difference count

    def run(self, view) -> list[Finding]:
        out = []
        for hit in self.fn(view):
            out.append(self.finding(**hit))
        return out

    def finding(self, severity: str | None = None, confidence: float = 1.0, **kw) -> Finding:
        fields = {k: kw.pop(k) for k in list(kw) if k in Finding.__dataclass_fields__}
        ctx = {**fields, **kw}
        for k in ("value", "expected", "difference"):
            if isinstance(ctx.get(k), float):
                ctx[k] = fmt_value(ctx[k], self.value_kind)
        ctx.setdefault("unit", fields.get("money_unit") or "")
        message = self.message.format_map(_Blank(ctx))
        suggestion = self.suggestion.format_map(_Blank(ctx))
        return Finding(
            rule=self.id,
            family=self.family,
            severity=severity or self.severity,
            confidence=confidence,
            message=message,
            suggestion=suggestion,
            evidence=dict(fields.get("evidence") or {}),
            **{k: v for k, v in fields.items() if k != "evidence"},
        )


class TemplateError(KeyError):
    """A rule's message or suggestion names a placeholder its finding lacks (raised under test only)."""


class _Blank(dict):
    """A placeholder the finding lacks prints as nothing in production (a reviewer reads a shorter sentence),
    but fails under test: BUDGETWATCH_STRICT_TEMPLATES=1 (tests/conftest.py) raises TemplateError, which the
    checks let through instead of reporting the rule as failed."""

    def __missing__(self, key):
        if os.environ.get("BUDGETWATCH_STRICT_TEMPLATES") == "1":
            raise TemplateError(f"template placeholder {{{key}}} has no value in the finding (given: {sorted(self)})")
        return ""


def fmt_amount(v: float | None) -> str:
    if v is None:
        return ""
    if not math.isfinite(v):  # a misread figure of hundreds of digits
        return f"{v}"
    whole, frac = f"{v:,.6f}".split(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"  # at least two decimals, as amounts are printed


def fmt_value(v: float | None, kind: str = ValueKind.money) -> str:
    """A finding's value as its rule's kind prints it: a count or a year whole (3, 2023), an amount or a
    ratio with its decimals."""
    if v is None or not math.isfinite(v) or kind not in (ValueKind.quantity, ValueKind.year) or v != round(v):
        return fmt_amount(v)
    return f"{v:,.0f}" if kind == ValueKind.quantity else f"{v:.0f}"


def value_kind(rule_id: str) -> str:
    """The kind of a stored finding's values, from its rule (a rule no longer registered: money)."""
    r = RULES.get(rule_id)
    return r.value_kind if r is not None else ValueKind.money


def fmt_finding_value(rule_id: str, v: float | None) -> str:
    return fmt_value(v, value_kind(rule_id))


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    title: str,
    *,
    family: str,
    severity: str,
    compares: str,
    applies: str,
    message: str,
    suggestion: str,
    thresholds: dict[str, Any] | None = None,
    value_kind: str = ValueKind.money,
):
    assert severity in SEVERITIES and family in FAMILIES and value_kind in set(ValueKind), id

    def register(fn):
        assert id not in RULES, f"duplicate rule id {id}"
        RULES[id] = Rule(
            id, title, family, severity, compares, applies, message, suggestion, fn, dict(thresholds or {}), value_kind
        )
        return fn

    return register
