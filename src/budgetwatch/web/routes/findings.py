"""问题: findings of the newest versions with filters, one finding, the reviewer's decisions (decide,
undo, history) — the /api routes and the page with its forms."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ...checks.rule import FAMILIES, SEVERITY_ZH, fmt_finding_value
from ...errors import NotFound
from ...vocab import enums as vocab
from .. import deps, queries as Q
from ..deps import CSV, NO_NUL, XLSX, FindingId, session
from ..fastjson import FastJSON, FastJSONRoute

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)
FACET_NAMES = {"rule": "规则", "severity": "严重程度", "status": "状态", "year": "年度", "region": "地区"}


@router.get("/api/findings")
def list_findings(
    filters: dict = Depends(deps.finding_filters),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    s: Session = Depends(session),
):
    """问题: findings of the newest versions, filtered, with the reviewer's decision; `facets`: their counts per
    rule, severity, status, year and region under the other active filters."""
    facets, total = Q.finding_facets(s, **filters)
    return {**Q.findings(s, **filters, limit=limit, offset=offset, total=total).to_dict(), "facets": facets}


@router.get("/api/findings.{fmt}")
def findings_download(
    fmt: Literal["csv", "xlsx"], filters: dict = Depends(deps.finding_filters), s: Session = Depends(session)
):
    """The filtered 问题清单 as CSV or XLSX (columns 规则, 严重程度, 位置, 提供值, 期望值, 差额, 说明 …)."""
    from ...export.findings import findings_csv, findings_xlsx

    page = Q.findings(s, **filters, limit=100000, offset=0, objects=True)
    groups: dict[int, tuple[dict, list]] = {}
    for f, meta in page.items:
        label = f"{meta['unit'] or ''} {meta['year'] or ''}年{meta['stage_zh']}"
        groups.setdefault(meta["id"], ({"label": label}, []))[1].append(f)
    data = list(groups.values())
    if fmt == "csv":
        return Response(
            findings_csv(data).encode("utf-8"),
            media_type=CSV,
            headers={"Content-Disposition": 'attachment; filename="findings.csv"'},
        )
    return Response(
        findings_xlsx(data), media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="findings.xlsx"'}
    )


class Decision(BaseModel):
    status: vocab.Decision
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)
    by: str = Field(min_length=1, max_length=100, pattern=NO_NUL)


@router.get("/api/findings/{finding_id}")
def finding_json(finding_id: FindingId, s: Session = Depends(session)):
    """One finding by its id, with the reviewer's decision and its document."""
    found = Q.finding(s, finding_id)
    if found is None:
        raise NotFound("finding", [finding_id])
    f, v = found
    return {
        **f.to_dict(),
        "document": {"id": v.document_id, "version": v.number, "unit": v.unit_name, "year": v.year, "stage": v.stage},
    }


@router.post("/api/findings/{finding_id}/decision")
def decide(finding_id: FindingId, body: Decision, s: Session = Depends(session)):
    """Accept or dismiss a finding; kept across re-checks and new versions of the document."""
    from ...store.findings import decide as store_decide

    f = store_decide(s, finding_id, body.status, body.reason, body.by)  # NotFound: 404
    s.commit()
    return f.to_dict()


class Undo(BaseModel):
    by: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    reason: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


@router.post("/api/findings/{finding_id}/undo", responses={409: {"description": "the finding has no decision to undo"}})
def undo(finding_id: FindingId, body: Undo, s: Session = Depends(session)):
    """Take back the latest decision on a finding (the one before it is in force again, or none)."""
    from ...store.findings import undo as store_undo

    try:
        f = store_undo(s, finding_id, body.by, body.reason)  # NotFound: 404
    except ValueError as e:
        raise HTTPException(409, str(e)) from None
    s.commit()
    return f.to_dict()


@router.get("/api/findings/{finding_id}/history")
def decision_history(finding_id: FindingId, s: Session = Depends(session)):
    """Every decision and undo on the finding (who, when, why), oldest first."""
    from ...store.findings import history

    return history(s, finding_id)  # NotFound: 404


@router.get("/findings", include_in_schema=False)
def findings_page(
    request: Request,
    filters: dict = Depends(deps.finding_filters),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    format: str | None = deps.Fmt,
    s: Session = Depends(session),
):
    facets, total = Q.finding_facets(s, **filters)
    page = Q.findings(s, **filters, limit=limit, offset=offset, total=total)
    if format == "json":
        return FastJSON({**page.to_dict(), "facets": facets})
    query = urlencode({k: v for k, v in filters.items() if v})
    for name, values in facets.items():  # each count links to the list with that value chosen (or let go)
        for f in values:
            chosen = {**{k: v for k, v in filters.items() if v}, name: None if f["selected"] else f["value"]}
            f["href"] = "/findings?" + urlencode({k: v for k, v in chosen.items() if v is not None})
    return deps.render(
        request,
        "findings.html",
        {
            "page": page,
            "f": filters,
            "query": query,
            "sev": SEVERITY_ZH,
            "families": FAMILIES,
            "fmtv": fmt_finding_value,
            "facets": facets,
            "facet_names": FACET_NAMES,
        },
    )


@router.post("/findings/{finding_id}/decision", include_in_schema=False)
def decide_form(
    request: Request,
    finding_id: FindingId,
    status: vocab.Decision = Form(...),
    reason: str = Form(..., min_length=1, max_length=2000, pattern=NO_NUL),
    by: str = Form(..., min_length=1, max_length=100, pattern=NO_NUL),
    back: str = Form("/findings"),
    s: Session = Depends(session),
):
    decide(finding_id, Decision(status=status, reason=reason, by=by), s)
    from ...access.hardening import safe_back

    return RedirectResponse(safe_back(back, "/findings"), status_code=303)


@router.post("/findings/{finding_id}/undo", include_in_schema=False)
def undo_form(
    request: Request,
    finding_id: FindingId,
    by: str = Form(..., min_length=1, max_length=100, pattern=NO_NUL),
    back: str = Form("/findings"),
    s: Session = Depends(session),
):
    undo(finding_id, Undo(by=by), s)
    return RedirectResponse(back if back.startswith("/") else "/findings", status_code=303)
