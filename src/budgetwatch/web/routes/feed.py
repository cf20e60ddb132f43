"""联网数据 pages: regions with feed data; per region and year the batches (status, counts, rejects), the units
with budget / adjusted / paid and the reconciliation findings; per batch its rejects (CSV download); per unit its
lines with the disclosed row each is linked to. Every page has its JSON twin under /api/feed (or ?format=json)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path as FastPath, Query, Request
from sqlalchemy.orm import Session

from ...checks.rule import SEVERITY_ZH
from ...errors import NotFound
from ...feed import push, queries as FQ
from ...feed.reconcile import stored_findings
from ...vocab.enums import BatchStatus, labels
from .. import deps, feed_scope as scope
from ..downloads import table_response
from ..fastjson import FastJSON
from ..templating import render

router = APIRouter(tags=["联网数据"])
router.include_router(push.router)
Region = Annotated[str, FastPath(pattern=r"^\d{9}$", description="9-digit 财政区划 code")]
Year = Annotated[int, FastPath(ge=1990, le=2100)]
Agency = Annotated[str, FastPath(min_length=1, max_length=40, pattern=r"^[^\x00/]+$")]
BatchId = Annotated[int, FastPath(ge=1, le=deps.MAX_ID)]
AsOf = Query(None, description="paid and adjusted up to this date (YYYY-MM-DD)")
STATUS_ZH = labels(BatchStatus)
BATCH_COLUMNS = {
    "id": "批次",
    "source": "来源",
    "as_of": "截至",
    "received_at": "接收时间",
    "status": "状态",
    "rows_in": "收到行数",
    "rows_loaded": "入库/更新",
    "rows_unchanged": "未变",
    "rows_rejected": "拒收",
    "synthetic": "合成数据",
}
UNIT_COLUMNS = {
    "agency_code": "单位编码",
    "agency_name": "单位名称",
    "lines": "指标数",
    "budget": "年初指标(元)",
    "adjusted": "调整(元)",
    "current": "调整后指标(元)",
    "paid": "已支付(元)",
    "paid_share": "支付进度",
}


def _conn(s: Session):
    return s.connection()


def region_json(s: Session, region: str, year: int, as_of: date | None, request: Request | None = None) -> dict:
    c = _conn(s)
    r = FQ.region(c, region)
    if r is None:
        raise NotFound("feed data", [region], by="for region")
    engine = s.get_bind().engine
    mine = scope.own_batches(request, region) if request is not None else None
    unmatched = FQ.unmatched_payments(c, region, year, batches=mine)
    if request is not None and scope.masks_payees(request, region):
        scope.mask_rows(unmatched)
    return {
        "region": r,
        "fiscal_year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "batches": FQ.batch_list(c, region, year, only=mine),
        "units": FQ.units(c, region, year, as_of),
        "findings": stored_findings(engine, region, year),
        "unmatched_payments": unmatched,
    }


def batch_json(s: Session, batch_id: int, request: Request | None = None) -> dict:
    c = _conn(s)
    b = FQ.batch(c, batch_id)
    if (
        b is None
        or request is not None
        and scope.detail_regions(request) is not None
        and b["region_code"] not in (scope.detail_regions(request) or ())
    ):
        raise NotFound("batch", [batch_id])  # another region's batch: not found, as a document
    mine = scope.own_batches(request, b["region_code"]) if request is not None else None
    if mine is not None and batch_id not in set(c.scalars(mine)):
        raise NotFound("batch", [batch_id])  # a finance uploader sees its own batches only
    rejects = FQ.reject_rows(c, batch_id)
    if request is not None and scope.masks_payees(request, b["region_code"]):
        for r in rejects:  # the rows as sent carry payees: a deputy sees the reason, not the person
            r["raw"] = {k: v for k, v in (r.get("raw") or {}).items() if not k.startswith("payee")}
    return {"batch": b, "rejects": rejects}


def unit_json(s: Session, region: str, year: int, agency: str, as_of: date | None) -> dict:
    c = _conn(s)
    units = [u for u in FQ.units(c, region, year, as_of) if u["agency_code"] == agency]
    if not units:
        raise NotFound("unit", [agency], by="with code", where=f"in the feed of {region} {year}")
    return {
        "region": FQ.region(c, region),
        "fiscal_year": year,
        "unit": units[0],
        "as_of": as_of.isoformat() if as_of else None,
        "lines": FQ.unit_lines(c, region, year, agency, as_of),
        "findings": stored_findings(s.get_bind().engine, region, year, agency),
    }


@router.get("/api/feed/regions")
def regions_api(request: Request, s: Session = Depends(deps.session)):
    """Regions with feed data, each year with its batch and row counts (those of the caller's scope)."""
    return {"regions": scope.visible(request, FQ.regions(_conn(s)))}


@router.get("/api/feed/regions/{region}/{year}")
def region_api(
    request: Request, region: Region, year: Year, as_of: date | None = AsOf, s: Session = Depends(deps.session)
):
    """A region-year: batches, units (budget / adjusted / paid), reconciliation findings, unmatched payments."""
    return region_json(s, region, year, as_of, request)


@router.get("/api/feed/batches/{batch_id}")
def batch_api(request: Request, batch_id: BatchId, s: Session = Depends(deps.session)):
    """A batch and every row it rejected, with the typed reason."""
    return batch_json(s, batch_id, request)


@router.get("/api/feed/regions/{region}/{year}/units/{agency}")
def unit_api(region: Region, year: Year, agency: Agency, as_of: date | None = AsOf, s: Session = Depends(deps.session)):
    """A unit's lines: 年初指标, adjusted, paid to date, and the disclosed row each is linked to."""
    return unit_json(s, region, year, agency, as_of)


@router.get("/feed", include_in_schema=False)
def feed_index(request: Request, format: str | None = deps.ListFmt, s: Session = Depends(deps.session)):
    rows = scope.visible(request, FQ.regions(_conn(s)))
    if format == "json":
        return FastJSON({"regions": rows})
    if format in ("csv", "xlsx"):
        return table_response(
            rows,
            {
                "code": "区划",
                "name": "名称",
                "level": "层级",
                "fiscal_year": "年度",
                "batches": "批次",
                "rows_loaded": "入库行数",
                "rows_rejected": "拒收行数",
            },
            "feed-regions",
            format,
        )
    return render(request, "feed_index.html", {"regions": rows})


@router.get("/feed/batches/{batch_id}", include_in_schema=False)
def batch_page(
    request: Request, batch_id: BatchId, format: str | None = deps.ListFmt, s: Session = Depends(deps.session)
):
    data = batch_json(s, batch_id, request)
    if format == "json":
        return FastJSON(data)
    if format in ("csv", "xlsx"):
        return table_response(data["rejects"], FQ.REJECT_COLUMNS, f"feed-batch-{batch_id}-rejects", format)
    return render(request, "feed_batch.html", {"d": data, "status_zh": STATUS_ZH, "columns": FQ.REJECT_COLUMNS})


@router.get("/feed/{region}/{year}", include_in_schema=False)
def region_page(
    request: Request,
    region: Region,
    year: Year,
    as_of: date | None = AsOf,
    format: str | None = deps.ListFmt,
    s: Session = Depends(deps.session),
):
    data = region_json(s, region, year, as_of, request)
    if format == "json":
        return FastJSON(data)
    if format in ("csv", "xlsx"):
        return table_response(data["units"], UNIT_COLUMNS, f"feed-{region}-{year}-units", format)
    return render(request, "feed_region.html", {"d": data, "status_zh": STATUS_ZH, "sev": SEVERITY_ZH})


@router.get("/feed/{region}/{year}/units/{agency}", include_in_schema=False)
def unit_page(
    request: Request,
    region: Region,
    year: Year,
    agency: Agency,
    as_of: date | None = AsOf,
    format: str | None = deps.ListFmt,
    s: Session = Depends(deps.session),
):
    data = unit_json(s, region, year, agency, as_of)
    if format == "json":
        return FastJSON(data)
    if format in ("csv", "xlsx"):
        rows = [
            {**ln, "disclosed": "；".join(f"{k['row_code'] or ''}{k['row_name'] or ''}" for k in ln["links"])}
            for ln in data["lines"]
        ]
        return table_response(rows, FQ.LINE_COLUMNS, f"feed-{region}-{year}-{agency}", format)
    return render(request, "feed_unit.html", {"d": data, "sev": SEVERITY_ZH})


AGENCY_COLUMNS = {
    "agency_code": "单位编码",
    "agency_name": "联网单位名称",
    "unit_name": "匹配的公开单位",
    "match_zh": "匹配方式",
    "match_score": "相似度",
}
MATCH_ZH = {"code": "部门编码", "name": "名称", "fuzzy": "名称相近", "manual": "人工确认", None: "未匹配"}


def agencies_json(s: Session, region: str, year: int) -> dict:
    """A region-year's feed agencies with the stored unit each is matched to, and the units to choose from."""
    from ...feed.match import candidate_units
    from ...feed.model import Agency as AgencyRow

    c = _conn(s)
    if FQ.region(c, region) is None:
        raise NotFound("feed data", [region], by="for region")
    units = candidate_units(s, region, year)
    names = {u["unit_id"]: u["name"] for u in units}
    a = AgencyRow.__table__
    rows = [
        {
            "agency_code": r.agency_code,
            "agency_name": r.agency_name,
            "unit_id": r.unit_id,
            "unit_name": names.get(r.unit_id),
            "match": r.match,
            "match_zh": MATCH_ZH.get(r.match, r.match),
            "match_score": r.match_score,
        }
        for r in c.execute(
            a.select()
            .where(a.c.region_code == region, a.c.fiscal_year == year)
            .order_by(a.c.unit_id.is_not(None), a.c.agency_code)
        )
    ]
    return {
        "region": FQ.region(c, region),
        "fiscal_year": year,
        "agencies": rows,
        "units": units,
        "unmatched": sum(1 for r in rows if r["unit_id"] is None),
    }


@router.get("/feed/{region}/{year}/agencies", include_in_schema=False)
def agencies_page(
    request: Request, region: Region, year: Year, format: str | None = deps.ListFmt, s: Session = Depends(deps.session)
):
    """单位匹配: each feed agency and its stored unit (by code, name, fuzzy name, or by hand); the unmatched
    first, each with a form to confirm its unit."""
    data = agencies_json(s, region, year)
    if format == "json":
        return FastJSON(data)
    if format in ("csv", "xlsx"):
        return table_response(data["agencies"], AGENCY_COLUMNS, f"feed-{region}-{year}-agencies", format)
    return render(request, "feed_agencies.html", {"d": data})


@router.post("/feed/{region}/{year}/agencies/{agency}/match", include_in_schema=False)
async def agency_match(request: Request, region: Region, year: Year, agency: Agency):
    """Staff confirm an agency's unit (form field unit_id; empty clears a manual match). Audited (a decision)."""
    from starlette.responses import RedirectResponse

    from ...feed.match import set_manual_match

    form = await request.form()
    raw = str(form.get("unit_id") or "").strip()
    if raw and not raw.isdigit():
        raise HTTPException(422, "unit_id: a number")
    engine = request.app.state.engine
    with Session(engine) as s, s.begin():
        try:
            done = set_manual_match(s, region, year, agency, int(raw) if raw else None)
        except KeyError:
            raise NotFound("agency", [agency], by="with code", where=f"in the feed of {region} {year}") from None
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
    request.scope["budgetwatch.audit_detail"] = {"agency": agency, "unit_id": done["unit_id"], "before": done["before"]}
    if "application/json" in request.headers.get("accept", ""):
        return done
    return RedirectResponse(f"/feed/{region}/{year}/agencies", status_code=303)
