"""比较: the units of one year and stage side by side, ranked by a key figure — /api/compare and the page
(also CSV/XLSX)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from ...model import RankedFigure
from ...vocab.enums import Stage
from .. import deps, queries as Q
from ..deps import session
from ..fastjson import FastJSONRoute
from .units import FIGURE_COLUMNS

router = APIRouter(route_class=FastJSONRoute, responses=deps.NOT_FOUND)
Sort = RankedFigure


Limit = Query(50, ge=1, le=5000, description="units per page")  # as long as the other lists' pages


@router.get("/api/compare")
def compare_json(
    year: int = Query(..., ge=1990, le=2100),
    stage: Stage = Stage.budget,
    q: str | None = Query(None, max_length=50, description="unit names containing this (e.g. 人大, 公安)"),
    sort: Sort = "income_total",
    limit: int = Limit,
    offset: int = deps.Offset,
    s: Session = Depends(session),
):
    """比较: units of one year and stage side by side, ranked (`rank` counts from the first of all)."""
    page = Q.compare(s, year, stage, q, sort, limit, offset)
    return {
        "year": year,
        "stage": stage,
        "q": q,
        "sort": sort,
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "items": page.items,
    }


@router.get("/compare", include_in_schema=False)
def compare_page(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100),
    stage: Stage = Stage.budget,
    q: str | None = Query(None, max_length=50),
    sort: Sort = "income_total",
    limit: int = Limit,
    offset: int = deps.Offset,
    format: str | None = deps.ListFmt,
    s: Session = Depends(session),
):
    years = Q.years(s)
    chosen = year or (years[0] if years else 2000)

    def table():  # every unit, not one page
        return (
            compare_json(chosen, stage, q or None, sort, 10**6, 0, s)["items"],
            {"rank": "排名", "unit": "单位", "id": "文档id", **FIGURE_COLUMNS},
            "compare",
        )

    if format in ("csv", "xlsx"):
        return deps.respond(request, format, "compare.html", {}, table=table)
    data = compare_json(chosen, stage, q or None, sort, limit, offset, s)
    return deps.respond(request, format, "compare.html", {"data": data, "years": years}, data=data)
