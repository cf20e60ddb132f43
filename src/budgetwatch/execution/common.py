"""What every family G rule shares: it runs on a FeedView only, and its hits name their subject (line, project,
unit, payee, function, payment, region) so the finding's fingerprint is rule + subject (+ aspect)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import wraps

from ..vocab.enums import WarningLevel, labels
from .view import FeedView, pct, rate

LEVEL_ZH = labels(WarningLevel)


def on_feed(fn):
    """A family G rule runs over a FeedView only (over a document's DocView it finds nothing)."""

    @wraps(fn)
    def run(view):
        if isinstance(view, FeedView):
            yield from fn(view)

    return run


def fingerprint(rule: str, subject_type: str | None, subject_id: str | None, aspect: str | None = None) -> str:
    key = "|".join(str(x or "") for x in (rule, subject_type, subject_id, aspect))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def hit(
    view: FeedView,
    subject_type: str,
    subject_id: str,
    agency: str | None,
    *,
    level: str | None = None,
    aspect: str | None = None,
    evidence: dict | None = None,
    **kw,
) -> dict:
    ev = {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "agency_code": agency,
        "as_of": view.as_of.isoformat(),
        "region": view.region,
        "fiscal_year": view.year,
        **(evidence or {}),
    }
    if level:
        ev["level"] = level
    if aspect:
        ev["aspect"] = aspect
    for k in ("value", "expected", "difference"):
        if isinstance(kw.get(k), Decimal):
            kw[k] = float(kw[k])
    kw.setdefault("money_unit", "元")
    who = kw.pop("who", None) or (view.agencies.get(agency or "", {}).get("agency_name") if agency else None)
    kw.setdefault("table_title", f"{who or ''}（{agency}）" if agency else None)
    return {"evidence": ev, "who": who or agency or "", **kw}


def line_label(r) -> str:
    """A line as a reviewer reads it: 功能 经济 and the project (or the 经济 item's name)."""
    name = r.pro_name or r.dep_eco_name or ""
    return " ".join(x for x in (r.exp_func_code, r.dep_eco_code, name) if x)


__all__ = ["on_feed", "hit", "fingerprint", "line_label", "pct", "rate", "LEVEL_ZH"]
