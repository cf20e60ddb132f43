"""单位: the units with their documents, and one unit across years with its key figures (charts on the
page) — /api/units, /api/units/{unit} and their pages, each also CSV/XLSX."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from ...analysis.figures import KEYS
from ...errors import NotFound
from ...model import DERIVED_FIGURES
from .. import deps, queries as Q
from ..deps import session
from ..fastjson import FastJSONRoute

router = APIRouter(route_class=FastJSONRoute, responses=deps.NOT_FOUND)
# the key figures (model.py) as the 单位 and 比较 tables show them, the per-head figure before the shares
FIGURE_COLUMNS = {
    **KEYS,
    **{k: DERIVED_FIGURES[k] for k in ("staff", "public_per_head", "carryover_share", "project_share")},
}


# a page as long as the other lists': the page costs what it shows, however many units are stored
UnitLimit = Query(50, ge=1, le=10000, description="units per page")


@router.get("/api/units")
def units(limit: int = UnitLimit, offset: int = deps.Offset, s: Session = Depends(session)):
    """Units with their documents (years and stages), by name: `limit` units from `offset`."""
    return Q.units(s, limit, offset)


@router.get("/units", include_in_schema=False)
def units_page(
    request: Request,
    limit: int = UnitLimit,
    offset: int = deps.Offset,
    format: str | None = deps.ListFmt,
    s: Session = Depends(session),
):
    def table():  # every unit, not one page
        return (
            [
                {
                    "unit": u["unit"],
                    "n": len(u["documents"]),
                    "years": "、".join(f"{d['year']}{Q.STAGE_ZH.get(d['stage'], '')}" for d in u["documents"]),
                }
                for u in Q.units(s)
            ],
            {"unit": "单位", "n": "文档数", "years": "年度"},
            "units",
        )

    if format in ("csv", "xlsx"):
        return deps.respond(request, format, "units.html", {}, table=table)
    more: list = []
    data = Q.units(s, limit, offset, more)
    return deps.respond(
        request,
        format,
        "units.html",
        lambda: {"units": data, "stage_zh": Q.STAGE_ZH, "more": bool(more), "limit": limit, "offset": offset},
        data=data,
    )


@router.get("/api/units/{unit}")
def unit_json(unit: str, s: Session = Depends(session)):
    """单位: one unit across years — key figures per document (万元)."""
    data = Q.unit(s, unit)
    if data is None:
        raise NotFound("unit", [unit], by="named")
    return data


@router.get("/units/{unit}", include_in_schema=False)
def unit_page(request: Request, unit: str, format: str | None = deps.ListFmt, s: Session = Depends(session)):
    data = unit_json(unit, s)

    def table():
        return (
            [{**d, "stage_zh": Q.STAGE_ZH.get(d["stage"], "")} for d in data["documents"]],
            {"id": "文档id", "year": "年度", "stage_zh": "阶段", **FIGURE_COLUMNS},
            "unit",
        )

    return deps.respond(
        request,
        format,
        "unit.html",
        {"data": data, "keys": KEYS, "stage_zh": Q.STAGE_ZH},
        data=data,
        table=table,
    )
