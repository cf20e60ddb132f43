"""The Chinese pages: 总览, 文档, 问题, 上传, 规则. Each renders what its /api twin returns; `?format=json`
returns that JSON from the page's own address."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ..checks.rule import FAMILIES, SEVERITY_ZH, fmt_amount
from . import api
from . import queries as Q
from .app import render
from .downloads import table_response
from .fastjson import FastJSON
from .table_html import finding_cells, table_body, table_head

router = APIRouter(include_in_schema=False)
Fmt = Query(None, pattern="^(html|json)$")
DOCUMENT_COLUMNS = {"id": "文档id", "unit": "单位", "region": "地区", "level": "层级", "year": "年度", "stage_zh": "阶段",
                    "scope_zh": "口径", "income_total": "收入总计(万元)", "expenditure_total": "支出总计(万元)",
                    "error": "错误", "warn": "警告", "info": "提示"}


@router.get("/")
def overview(request: Request, year: int | None = Query(None, ge=1990, le=2100),
             stage: Literal["budget", "final"] | None = None, scope: Literal["department", "unit"] | None = None,
             q: str | None = Query(None, max_length=100), region: str | None = Query(None, max_length=20),
             level: str | None = Query(None, pattern="^(中央|省级|市级|区县级|乡镇街道)?$"),
             limit: int = api.Limit, offset: int = api.Offset,
             format: str | None = api.ListFmt, s: Session = Depends(api.session)):
    if format in ("csv", "xlsx"):   # the whole filtered list, not one page of it
        every = Q.documents(s, year, stage, scope, q or None, 10**6, 0, region or None, level or None)
        return table_response([{**d, **d["findings"]} for d in every.items], DOCUMENT_COLUMNS, "documents", format)
    page = Q.documents(s, year, stage, scope, q or None, limit, offset, region or None, level or None)
    if format == "json":
        return FastJSON(page.to_dict())
    return render(request, "overview.html", {"page": page, "fmt": fmt_amount,
                                             "f": dict(year=year, stage=stage, scope=scope, q=q, region=region, level=level)})


def _paragraphs(doc, findings) -> list[tuple[str, str, object]]:
    """The 说明 as paragraphs, each marked: bad (a 说明 finding quotes it), ok (it quotes figures that
    every check found consistent) or plain."""
    from ..checks.claims import AMOUNT_RX
    from ..checks.view import DocView
    claims = [f.evidence.get("claim") or "" for f in findings if f.family in ("C", "F")]
    out = []
    for p in DocView(doc).paragraphs:
        bad = any(c and (c[:40] in p.text or p.text[:40] in c) for c in claims)
        out.append(("bad" if bad else "ok" if AMOUNT_RX.search(p.text) else "plain", p.text, p.page or p.line))
    return out


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: api.DocumentId, format: str | None = Fmt, s: Session = Depends(api.session)):
    if format == "json":
        return FastJSON(api.document_json(document_id, s))
    d = api.get_document(s, document_id)
    counts = {k: sum(1 for f in d["findings"] if f.severity == k) for k in ("error", "warn", "info")}
    by_cell, target = finding_cells(d["doc"], d["findings"])
    return render(request, "document.html", {
        "d": d, "doc": d["doc"], "counts": counts, "target": target, "fmt": fmt_amount,
        "head": table_head, "body": lambda ti: table_body(d["id"], d["doc"], ti, by_cell), "sev": SEVERITY_ZH, "paragraphs": _paragraphs(d["doc"], d["findings"]),
        "stage_zh": Q.STAGE_ZH, "scope_zh": Q.SCOPE_ZH})


@router.get("/findings")
def findings_page(request: Request, filters: dict = Depends(api.finding_filters), limit: int = api.Limit,
                  offset: int = api.Offset, format: str | None = Fmt, s: Session = Depends(api.session)):
    page = Q.findings(s, **filters, limit=limit, offset=offset)
    if format == "json":
        return FastJSON(page.to_dict())
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(request, "findings.html", {"page": page, "f": filters, "query": query, "sev": SEVERITY_ZH,
                                             "families": FAMILIES, "fmt": fmt_amount})


@router.post("/findings/{finding_id}/decision")
def decide_form(request: Request, finding_id: api.FindingId, status: Literal["accepted", "dismissed"] = Form(...),
                reason: str = Form(..., min_length=1, max_length=2000, pattern=api.NO_NUL),
                by: str = Form(..., min_length=1, max_length=100, pattern=api.NO_NUL),
                back: str = Form("/findings"), s: Session = Depends(api.session)):
    api.decide(finding_id, api.Decision(status=status, reason=reason, by=by), s)
    from ..access.hardening import safe_back
    return RedirectResponse(safe_back(back, "/findings"), status_code=303)


@router.post("/findings/{finding_id}/undo")
def undo_form(request: Request, finding_id: api.FindingId,
              by: str = Form(..., min_length=1, max_length=100, pattern=api.NO_NUL),
              back: str = Form("/findings"), s: Session = Depends(api.session)):
    api.undo(finding_id, api.Undo(by=by), s)
    return RedirectResponse(back if back.startswith("/") else "/findings", status_code=303)


@router.get("/upload")
def upload_page(request: Request):
    return render(request, "upload.html", {"error": None})


@router.post("/upload")
def upload_form(request: Request, file: list[UploadFile] = File(...)):
    try:
        ids = api.ingest_upload(request, file)
    except ValueError as e:
        return render(request, "upload.html", {"error": str(e)}, status=400)
    return RedirectResponse(f"/documents/{ids[0]}", status_code=303)


@router.get("/rules")
def rules_page(request: Request, format: str | None = Fmt,
               region: str | None = Query(None, pattern=r"^\d{9}$")):
    rules = api.rules(request, region)
    if format == "json":
        return FastJSON(rules)
    return render(request, "rules.html", {"rules": rules})
