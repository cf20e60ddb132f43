"""规则: the rule catalogue with each rule's thresholds in force — /api/rules and the page."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from ...catalogue import RULES
from ...checks.rule import FAMILIES, SEVERITY_ZH
from .. import deps
from ..fastjson import FastJSON, FastJSONRoute

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)


@router.get("/api/rules")
def rules(
    request: Request,
    region: str | None = Query(None, pattern=r"^\d{9}$", description="thresholds in force in this region"),
):
    """The rule catalogue, with each rule's thresholds in force (defaults, settings file, admin table)."""
    from ...execution.settings import effective_thresholds

    th = effective_thresholds(region, request.app.state.engine)
    return [
        {
            "id": r.id,
            "title": r.title,
            "family": r.family,
            "family_zh": FAMILIES[r.family],
            "severity": r.severity,
            "severity_zh": SEVERITY_ZH[r.severity],
            "compares": r.compares,
            "applies": r.applies,
            "message": r.message,
            "suggestion": r.suggestion,
            "thresholds": th.get(r.id, {}),
        }
        for r in RULES.values()
    ]


@router.get("/rules", include_in_schema=False)
def rules_page(request: Request, format: str | None = deps.Fmt, region: str | None = Query(None, pattern=r"^\d{9}$")):
    found = rules(request, region)
    if format == "json":
        return FastJSON(found)
    return deps.render(request, "rules.html", {"rules": found})
