"""项目: search over projects (project tables and performance forms), their targets and indicators —
/api/projects and the page (every match as CSV/XLSX)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from .. import deps, queries as Q
from ..deps import session
from ..fastjson import FastJSONRoute

NOTHING_TO_LOOK_UP = "搜索词不含文字或数字（只有标点或空格），无法检索：请输入项目名称、绩效目标或指标中的字词"

router = APIRouter(route_class=FastJSONRoute, responses=deps.NOT_FOUND)


@router.get("/api/projects")
def projects_json(
    q: str = Query(..., min_length=1, max_length=100),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    s: Session = Depends(session),
):
    """项目: projects (project tables and performance forms) whose name, target or indicator contains `q`;
    `capped`: a word so common that only the first matches the index yields were read (`total` counts those);
    `note`: why nothing was looked up (a `q` without a letter or digit)."""
    total, items, capped = Q.projects(s, q, limit, offset)
    out = {"q": q, "total": total, "capped": capped, "limit": limit, "offset": offset, "items": items}
    return out if Q.searchable(q) else {**out, "note": NOTHING_TO_LOOK_UP}


@router.get("/projects", include_in_schema=False)
def projects_page(
    request: Request,
    q: str | None = Query(None, max_length=100),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    format: str | None = deps.ListFmt,
    s: Session = Depends(session),
):
    def table():  # every match, not one page of them; no search: the headings alone
        rows = [
            {
                **i,
                "unit": i["document"]["unit"],
                "year": i["document"]["year"],
                "document": i["document"]["id"],
                "indicators": "；".join(f"{x['name']} {x['value']}" for x in i["indicators"]),
            }
            for i in (projects_json(q, 10**6, 0, s)["items"] if q else [])
        ]
        return (
            rows,
            {
                "source": "来源",
                "project": "项目",
                "amount": "金额",
                "money_unit": "金额单位",
                "unit": "单位",
                "year": "年度",
                "document": "文档id",
                "indicators": "匹配的指标",
            },
            "projects",
        )

    if format in ("csv", "xlsx"):
        return deps.respond(request, format, "projects.html", {}, table=table)
    data = projects_json(q, limit, offset, s) if q else {"q": "", "total": 0, "items": []}
    return deps.respond(request, format, "projects.html", {"data": data}, data=data)
