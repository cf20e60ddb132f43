"""单位 (one unit across years, with charts), 比较 (peers side by side), 项目 (search over projects,
targets and indicators). Each page also answers `?format=json`."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..analysis.figures import KEYS, figures_many
from ..checks.rule import fmt_amount
from ..store.schema import FormRecord, IndicatorRecord, RowRecord, TableRecord, Version
from . import api
from . import queries as Q
from .app import render
from .downloads import table_response
from .fastjson import FastJSON, FastJSONRoute

router = APIRouter(route_class=FastJSONRoute, responses=api.NOT_FOUND)
FIGURE_COLUMNS = {**KEYS, "staff": "实有人数", "public_per_head": "人均公用经费", "carryover_share": "结转占收入%",
                  "project_share": "项目支出占比%"}


@router.get("/api/units")
def units(s: Session = Depends(api.session)):
    """Units with their documents (years and stages)."""
    out: dict[str, list] = {}
    for v in Q.newest_versions(s):
        out.setdefault(v.unit_name or "", []).append({"id": v.document_id, "year": v.year, "stage": v.stage})
    return [{"unit": u, "documents": d} for u, d in sorted(out.items()) if u]


@router.get("/units", include_in_schema=False)
def units_page(request: Request, format: str | None = api.ListFmt, s: Session = Depends(api.session)):
    data = units(s)
    if format in ("csv", "xlsx"):
        rows = [{"unit": u["unit"], "n": len(u["documents"]),
                 "years": "、".join(f"{d['year']}{Q.STAGE_ZH.get(d['stage'], '')}" for d in u["documents"])} for u in data]
        return table_response(rows, {"unit": "单位", "n": "文档数", "years": "年度"}, "units", format)
    if format == "json":
        return FastJSON(data)
    return render(request, "units.html", {"units": data, "stage_zh": Q.STAGE_ZH})


@router.get("/api/units/{unit}")
def unit_json(unit: str, s: Session = Depends(api.session)):
    """单位: one unit across years — key figures per document (万元)."""
    versions = Q.newest_versions(s, unit_name=unit)
    if not versions:
        from fastapi import HTTPException
        raise HTTPException(404, f"no unit named {unit}")
    figures = figures_many(s, [v.id for v in versions])
    return {"unit": unit, "documents": [{"id": v.document_id, **figures[v.id]} for v in versions]}


@router.get("/units/{unit}", include_in_schema=False)
def unit_page(request: Request, unit: str, format: str | None = api.ListFmt, s: Session = Depends(api.session)):
    data = unit_json(unit, s)
    if format in ("csv", "xlsx"):
        rows = [{**d, "stage_zh": Q.STAGE_ZH.get(d["stage"], "")} for d in data["documents"]]
        return table_response(rows, {"id": "文档id", "year": "年度", "stage_zh": "阶段", **FIGURE_COLUMNS}, "unit", format)
    if format == "json":
        return FastJSON(data)
    return render(request, "unit.html", {"data": data, "keys": KEYS, "fmt": fmt_amount, "stage_zh": Q.STAGE_ZH})


@router.get("/api/compare")
def compare_json(year: int = Query(..., ge=1990, le=2100), stage: Literal["budget", "final"] = "budget",
                 q: str | None = Query(None, max_length=50, description="unit names containing this (e.g. 人大, 公安)"),
                 sort: Literal["income_total", "three_public", "public_per_head", "carryover_share", "project_share"] = "income_total",
                 s: Session = Depends(api.session)):
    """比较: units of one year and stage side by side, ranked."""
    versions = [v for v in Q.newest_versions(s, year=year, stage=stage) if not q or q in (v.unit_name or "")]
    figures = figures_many(s, [v.id for v in versions])
    rows = [{"id": v.document_id, **figures[v.id]} for v in versions]
    rows.sort(key=lambda r: (r.get(sort) is None, -(r.get(sort) or 0)))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return {"year": year, "stage": stage, "q": q, "sort": sort, "items": rows}


@router.get("/compare", include_in_schema=False)
def compare_page(request: Request, year: int | None = Query(None, ge=1990, le=2100),
                 stage: Literal["budget", "final"] = "budget", q: str | None = Query(None, max_length=50),
                 sort: Literal["income_total", "three_public", "public_per_head", "carryover_share", "project_share"] = "income_total",
                 format: str | None = api.ListFmt, s: Session = Depends(api.session)):
    years = sorted({v.year for v in Q.newest_versions(s) if v.year}, reverse=True)
    data = compare_json(year or (years[0] if years else 2000), stage, q or None, sort, s)
    if format in ("csv", "xlsx"):
        return table_response(data["items"], {"rank": "排名", "unit": "单位", "id": "文档id", **FIGURE_COLUMNS},
                              "compare", format)
    if format == "json":
        return FastJSON(data)
    return render(request, "compare.html", {"data": data, "years": years, "fmt": fmt_amount})


@router.get("/api/projects")
def projects_json(q: str = Query(..., min_length=1, max_length=100), limit: int = api.Limit, offset: int = api.Offset,
                  s: Session = Depends(api.session)):
    """项目: projects (project tables and performance forms) whose name, target or indicator contains `q`."""
    newest = Q._latest()
    latest = select(Version.id).join(newest, (Version.document_id == newest.c.document_id) & (Version.number == newest.c.n))
    like = f"%{q}%"
    forms = (select(FormRecord, Version).join(Version, Version.id == FormRecord.version_id)
             .where(FormRecord.version_id.in_(latest))
             .where(or_(FormRecord.project.like(like),
                        FormRecord.id.in_(select(IndicatorRecord.form_id).where(
                            or_(IndicatorRecord.name.like(like), IndicatorRecord.value.like(like)))))))
    rows = (select(RowRecord, TableRecord, Version).join(TableRecord, TableRecord.id == RowRecord.table_id)
            .options(selectinload(RowRecord.cells))
            .join(Version, Version.id == TableRecord.version_id)
            .where(TableRecord.version_id.in_(latest), TableRecord.kind.in_(("projects", "projects_carryover")),
                   RowRecord.subtotal.is_(False), RowRecord.name.like(like)))
    n_forms = s.scalar(select(func.count()).select_from(forms.subquery()))
    total = n_forms + s.scalar(select(func.count()).select_from(rows.subquery()))
    items = []
    page = list(s.execute(forms.order_by(FormRecord.id).limit(limit).offset(offset)))
    matching: dict[int, list] = {}   # only the indicators that match, not every indicator of the forms
    for i in s.scalars(select(IndicatorRecord).where(IndicatorRecord.form_id.in_([f.id for f, _ in page]),
                                                     or_(IndicatorRecord.name.like(like), IndicatorRecord.value.like(like)))
                       .order_by(IndicatorRecord.form_id, IndicatorRecord.ordinal)):
        matching.setdefault(i.form_id, []).append({"level1": i.level1, "level2": i.level2, "name": i.name, "value": i.value})
    for f, v in page:
        inds = matching.get(f.id, [])
        items.append({"source": "绩效目标表", "project": f.project, "amount": float(f.amount) if f.amount is not None else None,
                      "money_unit": f.money_unit, "page": f.page, "line": f.line, "indicators": inds,
                      "document": {"id": v.document_id, "unit": v.unit_name, "year": v.year}})
    if len(items) < limit:
        skip = max(0, offset - n_forms)
        for r, t, v in s.execute(rows.order_by(RowRecord.id).limit(limit - len(items)).offset(skip)):
            amount = next((float(c.amount) for c in r.cells if c.column_key == "total"), None)
            items.append({"source": t.title, "project": r.name, "amount": amount, "money_unit": t.money_unit,
                          "page": r.page, "line": r.line, "indicators": [],
                          "document": {"id": v.document_id, "unit": v.unit_name, "year": v.year}})
    return {"q": q, "total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/projects", include_in_schema=False)
def projects_page(request: Request, q: str | None = Query(None, max_length=100), limit: int = api.Limit,
                  offset: int = api.Offset, format: str | None = api.ListFmt,
                  s: Session = Depends(api.session)):
    if format in ("csv", "xlsx"):   # every match, not one page of them; no search: the headings alone
        rows = [{**i, "unit": i["document"]["unit"], "year": i["document"]["year"], "document": i["document"]["id"],
                 "indicators": "；".join(f"{x['name']} {x['value']}" for x in i["indicators"])}
                for i in (projects_json(q, 10**6, 0, s)["items"] if q else [])]
        return table_response(rows, {"source": "来源", "project": "项目", "amount": "金额", "money_unit": "金额单位",
                                     "unit": "单位", "year": "年度", "document": "文档id", "indicators": "匹配的指标"},
                              "projects", format)
    data = projects_json(q, limit, offset, s) if q else {"q": "", "total": 0, "items": []}
    if format == "json":
        return FastJSON(data)
    return render(request, "projects.html", {"data": data, "fmt": fmt_amount})
