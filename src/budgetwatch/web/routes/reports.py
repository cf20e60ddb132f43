"""审查报告 of one document and of a batch (the 总览 filters), as HTML, PDF, DOCX or XLSX (made in
web/reports.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...vocab.enums import Scope, Stage
from .. import deps, queries as Q
from ..reports import IssuerQuery, ReportFmt, _entries, _respond

router = APIRouter(tags=["reports"], responses=deps.NOT_FOUND)


@router.get("/documents/{document_id}/report.{fmt}")
def document_report(
    request: Request,
    document_id: deps.DocumentId,
    fmt: ReportFmt,
    issuer: str | None = IssuerQuery,
    s: Session = Depends(deps.session),
):
    """审查报告 of one document: cover, 总体情况, 主要问题 by rule, the 问题清单 and the dismissed findings as
    annexes (HTML with print CSS, PDF, DOCX, XLSX)."""
    v = Q.latest_version(s, document_id)
    if v is None:
        raise NotFound("document", [document_id])
    entries = _entries(s, [v])
    title = f"关于{entries[0]['label'].replace(' ', '')}公开文件的审查报告"
    return _respond(request, title, entries, fmt, f"report-{document_id}", issuer)


@router.get("/reports/batch.{fmt}")
def batch_report(
    request: Request,
    fmt: ReportFmt,
    year: int | None = Query(None, ge=1990, le=2100),
    stage: Stage | None = None,
    scope: Scope | None = None,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, max_length=20),
    level: deps.Level | None = None,
    issuer: str | None = IssuerQuery,
    s: Session = Depends(deps.session),
):
    """审查报告 of a batch: the documents the 总览 filters select (year, stage, scope, unit name, region, level)."""
    page = Q.documents(s, year, stage, scope, q or None, limit=100000, offset=0, region=region or None, level=level)
    from ...store.schema import Version

    versions = [s.get(Version, d["version_id"]) for d in page.items]
    what = "".join(
        x
        for x in (
            region or "",
            level or "",
            q or "",
            f"{year}年" if year else "",
            Q.SCOPE_ZH.get(scope or "", ""),
            Q.STAGE_ZH.get(stage or "", ""),
        )
        if x
    )
    title = f"关于{what or '全部'}公开文件的审查报告（{len(versions)}份）"
    return _respond(request, title, _entries(s, versions), fmt, "report-batch", issuer)
