"""总览 (the newest version of each document with its totals and finding counts) and 文档 (one document:
its tables as printed, findings beside their cells, the 说明 marked), with their /api twins: the
document's JSON, one row, one table as CSV/XLSX/JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path as FastPath, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ...checks.rollup import FormRollup, roll_up
from ...checks.rule import SEVERITY_ZH
from ...errors import NotFound
from ...vocab.enums import Scope, Severity, Stage, labels
from .. import deps, queries as Q
from ..deps import CSV, XLSX, DocumentId, Level, session
from ..fastjson import FastJSON, FastJSONRoute
from ..table_html import finding_cells, form_rows, inline_forms, inline_tables, table_body, table_head

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)
DOCUMENT_COLUMNS = {
    "id": "文档id",
    "unit": "单位",
    "region": "地区",
    "level": "层级",
    "year": "年度",
    "stage_zh": "阶段",
    "scope_zh": "口径",
    "income_total": "收入总计(万元)",
    "expenditure_total": "支出总计(万元)",
    "error": "错误",
    "warn": "警告",
    "info": "提示",
}


@router.get("/api/documents")
def list_documents(
    year: int | None = Query(None, ge=1990, le=2100),
    stage: Stage | None = None,
    scope: Scope | None = None,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, max_length=20),
    level: Level | None = None,
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    s: Session = Depends(session),
):
    """总览: the newest version of each document with its key totals and finding counts; region and level
    are read from the unit's name."""
    return Q.documents(s, year, stage, scope, q, limit, offset, region, level).to_dict()


def get_document(s: Session, document_id: int) -> dict:
    d = Q.document(s, document_id)
    if d is None:
        raise NotFound("document", [document_id])
    return d


@router.get("/api/documents/{document_id}")
def document_json(document_id: DocumentId, s: Session = Depends(session)):
    """文档: the canonical extraction of the newest version, its findings and its versions."""
    d = get_document(s, document_id)
    return {
        "id": d["id"],
        "version": d["version"],
        "versions": d["versions"],
        "document": d["doc"].to_dict(),
        "findings": [f.to_dict() for f in d["findings"]],
        # the 问题清单 as a reviewer writes it: a rule on many forms is one line naming them (checks/rollup.py)
        "rollups": [x.to_dict() for x in roll_up(d["findings"]) if isinstance(x, FormRollup)],
    }


@router.get("/api/documents/{document_id}/tables/{index}/rows/{row}")
def row_json(
    document_id: DocumentId,
    index: Annotated[int, FastPath(ge=0, le=10_000)],
    row: Annotated[int, FastPath(ge=0, le=1_000_000)],
    s: Session = Depends(session),
):
    """One row of a table as printed (document id, table index, row index — in the newest version): its
    figures as read and as printed, where it is printed, and the findings on it."""
    from ..table_html import source_link

    d = get_document(s, document_id)
    doc = d["doc"]
    if not 0 <= index < len(doc.tables) or not 0 <= row < len(doc.tables[index].rows):
        raise NotFound("row", [row], by="numbered", where=f"in table {index} of document {document_id}")
    t, r = doc.tables[index], doc.tables[index].rows[row]
    by_cell, _ = finding_cells(doc, d["findings"])
    prefix = f"c-{index}-{row}-"
    on_row = [f.to_dict() for cid, fs in by_cell.items() if cid.startswith(prefix) for f in fs]
    return {
        "document": document_id,
        "version": d["version"],
        "table": {
            "index": index,
            "title": t.title,
            "kind": t.kind,
            "money_unit": t.money_unit,
            "file": t.location.get("file") or (doc.files[0].name if len(doc.files) == 1 else None),
        },
        "row": row,
        **r.to_dict(),
        "printed": dict(r.printed),
        "source": {k: source_link(document_id, doc, r, k, t.location) for k in r.values},
        "findings": on_row,
    }


@router.get("/api/documents/{document_id}/tables/{index}.{fmt}")
def table_download(
    document_id: DocumentId,
    index: Annotated[int, FastPath(ge=0, le=10_000)],
    fmt: Literal["csv", "xlsx", "json"],
    lang: Literal["en", "zh"] = "zh",
    s: Session = Depends(session),
):
    """One table as CSV, XLSX or JSON (index = its position in the document, from 0)."""
    from ...export.writers import to_csv, to_xlsx

    d = get_document(s, document_id)
    doc = d["doc"]
    if not 0 <= index < len(doc.tables):
        raise NotFound("table", [index], by="numbered", where=f"in document {document_id}")
    one = type(doc)(
        unit=doc.unit,
        year=doc.year,
        stage=doc.stage,
        scope=doc.scope,
        format=doc.format,
        files=doc.files,
        tables=[doc.tables[index]],
    )
    name = f"document-{document_id}-table-{index}"
    if fmt == "json":
        return doc.tables[index].to_dict()
    if fmt == "csv":
        return Response(
            to_csv([one], [document_id], lang).encode("utf-8"),
            media_type=CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        to_xlsx([one]), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
    )


@router.get("/", include_in_schema=False)
def overview(
    request: Request,
    year: int | None = Query(None, ge=1990, le=2100),
    stage: Stage | None = None,
    scope: Scope | None = None,
    q: str | None = Query(None, max_length=100),
    region: str | None = Query(None, max_length=20),
    level: str | None = Query(None, pattern="^(中央|省级|市级|区县级|乡镇街道)?$"),
    limit: int = deps.Limit,
    offset: int = deps.Offset,
    format: str | None = deps.ListFmt,
    s: Session = Depends(session),
):
    def page(n: int, skip: int):
        return Q.documents(s, year, stage, scope, q or None, n, skip, region or None, level or None)

    def table():  # the whole filtered list, not one page of it
        return [{**d, **d["findings"]} for d in page(10**6, 0).items], DOCUMENT_COLUMNS, "documents"

    if format in ("csv", "xlsx"):
        return deps.respond(request, format, "overview.html", {}, table=table)
    shown = page(limit, offset)
    return deps.respond(
        request,
        format,
        "overview.html",
        lambda: {
            "page": shown,
            "f": dict(year=year, stage=stage, scope=scope, q=q, region=region, level=level),
        },
        data=shown.to_dict(),
    )


def _paragraphs(doc, findings) -> list[tuple[str, str, int | None]]:
    """The 说明 as paragraphs, each marked: bad (a 说明 finding quotes it), ok (it quotes figures that
    every check found consistent) or plain."""
    from ...checks.claims import AMOUNT_RX
    from ...checks.view import DocView

    claims = [f.evidence.get("claim") or "" for f in findings if f.family in ("C", "F")]
    out = []
    for p in DocView(doc).paragraphs:
        bad = any(c and (c[:40] in p.text or p.text[:40] in c) for c in claims)
        out.append(("bad" if bad else "ok" if AMOUNT_RX.search(p.text) else "plain", p.text, p.page or p.line))
    return out


@router.get("/documents/{document_id}", include_in_schema=False)
def document_page(
    request: Request, document_id: DocumentId, format: str | None = deps.Fmt, s: Session = Depends(session)
):
    if format == "json":
        return FastJSON(document_json(document_id, s))
    d = get_document(s, document_id)
    counts = {k: sum(1 for f in d["findings"] if f.severity == k) for k in labels(Severity)}
    by_cell, target = finding_cells(d["doc"], d["findings"])
    return deps.render(
        request,
        "document.html",
        {
            "d": d,
            "doc": d["doc"],
            "counts": counts,
            "target": target,
            "lines": roll_up(d["findings"]),
            "head": table_head,
            "body": lambda ti: table_body(d["id"], d["doc"], ti, by_cell),
            "inline": inline_tables(d["doc"]),
            "forms_inline": inline_forms(d["doc"]),
            "indicators": form_rows,
            "sev": SEVERITY_ZH,
            "paragraphs": _paragraphs(d["doc"], d["findings"]),
            "stage_zh": Q.STAGE_ZH,
            "scope_zh": Q.SCOPE_ZH,
        },
    )


@router.get("/documents/{document_id}/tables/{index}.html", include_in_schema=False)
def table_rows_html(
    document_id: DocumentId, index: Annotated[int, FastPath(ge=0, le=10_000)], s: Session = Depends(session)
):
    """The rows of one table of the 文档 page, as the page writes them (with their findings): what the page
    fetches for a table it did not write whole (table_html.INLINE_FIGURES)."""
    from fastapi.responses import HTMLResponse

    d = get_document(s, document_id)
    if not 0 <= index < len(d["doc"].tables):
        raise NotFound("table", [index], by="numbered", where=f"in document {document_id}")
    by_cell, _ = finding_cells(d["doc"], d["findings"])
    return HTMLResponse(table_body(d["id"], d["doc"], index, by_cell))


@router.get("/documents/{document_id}/forms/{index}.html", include_in_schema=False)
def form_rows_html(
    document_id: DocumentId, index: Annotated[int, FastPath(ge=0, le=100_000)], s: Session = Depends(session)
):
    """The indicator rows of one 绩效目标表 of the 文档 page: what the page fetches when a form it did not
    write whole is opened (table_html.INLINE_INDICATORS)."""
    from fastapi.responses import HTMLResponse

    doc = get_document(s, document_id)["doc"]
    if not 0 <= index < len(doc.forms):
        raise NotFound("form", [index], by="numbered", where=f"in document {document_id}")
    return HTMLResponse(form_rows(doc.forms[index]))
