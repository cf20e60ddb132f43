"""地区: the regions a principal sees — its own in detail, those below a membership with `descend` as
summaries (documents, budget totals, findings by rule, open questions) — with JSON twins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from ...access.principal import Scope
from ...access.regions import is_code, region_names
from ...analysis.figures import figures_many
from ...errors import NotFound
from .. import queries as Q
from ..fastjson import FastJSONRoute

router = APIRouter(route_class=FastJSONRoute)


def _scope(request: Request) -> Scope:
    return request.scope.get("budgetwatch.scope") or Scope(None)


def summary(s: Session, code: str) -> dict:
    """One region summed up: its newest documents' totals (万元), findings by rule, open questions."""
    versions = Q.region_versions(s, code)
    figures = figures_many(s, [v.id for v in versions])
    by_rule = Q.findings_by_rule(s, [v.id for v in versions])
    open_q = Q.open_questions(s, code)

    def total(key):
        vals = [figures[v.id][key] for v in versions if figures[v.id].get(key) is not None]
        return round(sum(vals), 2) if vals else None

    return {
        "code": code,
        "name": region_names(s).get(code),
        "documents": len(versions),
        "years": sorted({v.year for v in versions if v.year}),
        "income_total": total("income_total"),
        "expenditure_total": total("expenditure_total"),
        "money_unit": "万元",
        "findings_by_rule": dict(sorted(by_rule.items())),
        "open_questions": open_q,
    }


@router.get("/api/regions")
def regions_json(request: Request):
    """The regions the principal sees: `detail` (its own) and `summary` (below a membership with descend)."""
    scope = _scope(request)
    with Session(request.app.state.engine) as s:
        names = region_names(s)
        if scope.detail is None:  # unrestricted
            detail = sorted(Q.region_codes(s) | set(names))
            return {"detail": [{"code": c, "name": names.get(c)} for c in detail], "summary": []}
        return {
            "detail": [{"code": c, "name": names.get(c)} for c in sorted(scope.detail)],
            "summary": [{"code": c, "name": names.get(c)} for c in sorted(scope.summary)],
        }


@router.get("/api/regions/{code}/summary")
def region_summary(request: Request, code: str):
    """One region's summary; 404 for a region outside the principal's detail and summary regions."""
    scope = _scope(request)
    if not is_code(code) or not (scope.detail is None or code in scope.detail or code in scope.summary):
        raise NotFound("region", [code], by="with code")
    with Session(request.app.state.engine) as s:  # summary regions are outside the detail scope: read them here
        return summary(s, code)


for _route in router.routes:  # access_wiring lists them in the schema in server mode only
    # Starlette types router.routes as BaseRoute (these are APIRoutes); `documented` is a flag of ours
    _route.documented = _route.include_in_schema  # type: ignore[attr-defined]
