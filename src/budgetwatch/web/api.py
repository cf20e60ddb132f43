"""/api: JSON for every page, downloads, decisions and uploads. Stable ids: documents by document id,
tables by their position in the document, findings by finding id."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as FastPath
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ..checks import RULES
from ..checks.rule import FAMILIES, SEVERITY_ZH
from . import queries as Q
from .fastjson import FastJSONRoute

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def session(request: Request):
    """The request's database session, limited to the regions its principal may see (access/scope.py)."""
    from ..access.scope import scoped_session
    with scoped_session(request.app.state.engine, request.scope.get("budgetwatch.scope")) as s:
        yield s


Limit = Query(50, ge=1, le=500, description="page size")
Offset = Query(0, ge=0, le=10**9, description="items to skip")
ListFmt = Query(None, pattern="^(html|json|csv|xlsx)$", description="html (default), json, or a csv/xlsx download")
MAX_ID = 2**31 - 1   # ids are 32-bit integers in PostgreSQL
DocumentId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="the document's stable id")]
FindingId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="the finding's id")]
NOT_FOUND = {404: {"description": "no such document, table, finding or unit (JSON: {\"detail\": …})"}}
router = APIRouter(prefix="/api", tags=["api"], route_class=FastJSONRoute, responses=NOT_FOUND)


Level = Literal["中央", "省级", "市级", "区县级", "乡镇街道"]


@router.get("/documents")
def list_documents(year: int | None = Query(None, ge=1990, le=2100), stage: Literal["budget", "final"] | None = None,
                   scope: Literal["department", "unit"] | None = None, q: str | None = Query(None, max_length=100),
                   region: str | None = Query(None, max_length=20), level: Level | None = None,
                   limit: int = Limit, offset: int = Offset, s: Session = Depends(session)):
    """总览: the newest version of each document with its key totals and finding counts; region and level
    are read from the unit's name."""
    return Q.documents(s, year, stage, scope, q, limit, offset, region, level).to_dict()


def get_document(s: Session, document_id: int) -> dict:
    d = Q.document(s, document_id)
    if d is None:
        raise HTTPException(404, f"no document with id {document_id}")
    return d


@router.get("/documents/{document_id}")
def document_json(document_id: DocumentId, s: Session = Depends(session)):
    """文档: the canonical extraction of the newest version, its findings and its versions."""
    d = get_document(s, document_id)
    return {"id": d["id"], "version": d["version"], "versions": d["versions"], "document": d["doc"].to_dict(),
            "findings": [f.to_dict() for f in d["findings"]]}


@router.get("/documents/{document_id}/tables/{index}/rows/{row}")
def row_json(document_id: DocumentId, index: Annotated[int, FastPath(ge=0, le=10_000)],
             row: Annotated[int, FastPath(ge=0, le=1_000_000)], s: Session = Depends(session)):
    """One row of a table as printed (document id, table index, row index — in the newest version): its
    figures as read and as printed, where it is printed, and the findings on it."""
    from .table_html import finding_cells, source_link
    d = get_document(s, document_id)
    doc = d["doc"]
    if not 0 <= index < len(doc.tables) or not 0 <= row < len(doc.tables[index].rows):
        raise HTTPException(404, f"document {document_id} has no table {index} row {row}")
    t, r = doc.tables[index], doc.tables[index].rows[row]
    by_cell, _ = finding_cells(doc, d["findings"])
    prefix = f"c-{index}-{row}-"
    on_row = [f.to_dict() for cid, fs in by_cell.items() if cid.startswith(prefix) for f in fs]
    return {"document": document_id, "version": d["version"], "table": {"index": index, "title": t.title,
            "kind": t.kind, "money_unit": t.money_unit}, "row": row, **r.to_dict(), "printed": dict(r.printed),
            "source": {k: source_link(document_id, doc, r, k) for k in r.values}, "findings": on_row}


@router.get("/documents/{document_id}/tables/{index}.{fmt}")
def table_download(document_id: DocumentId, index: Annotated[int, FastPath(ge=0, le=10_000)],
                   fmt: Literal["csv", "xlsx", "json"], lang: Literal["en", "zh"] = "zh",
                   s: Session = Depends(session)):
    """One table as CSV, XLSX or JSON (index = its position in the document, from 0)."""
    from ..export.writers import to_csv, to_xlsx
    d = get_document(s, document_id)
    doc = d["doc"]
    if not 0 <= index < len(doc.tables):
        raise HTTPException(404, f"document {document_id} has no table {index}")
    one = type(doc)(unit=doc.unit, year=doc.year, stage=doc.stage, scope=doc.scope, format=doc.format,
                    files=doc.files, tables=[doc.tables[index]])
    name = f"document-{document_id}-table-{index}"
    if fmt == "json":
        return doc.tables[index].to_dict()
    if fmt == "csv":
        return Response(to_csv([one], [document_id], lang).encode("utf-8"), media_type=CSV,
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(to_xlsx([one]), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def finding_filters(rule: str | None = Query(None, max_length=8), family: Literal["A", "B", "C", "D", "E", "F"] | None = None,
                    severity: Literal["error", "warn", "info"] | None = None,
                    status: Literal["open", "accepted", "dismissed"] | None = None,
                    unit: str | None = Query(None, max_length=100), year: int | None = Query(None, ge=1990, le=2100),
                    document: int | None = Query(None, ge=1, le=MAX_ID)) -> dict:
    return dict(rule=rule, family=family, severity=severity, status=status, unit=unit, year=year, document=document)


@router.get("/findings")
def list_findings(filters: dict = Depends(finding_filters), limit: int = Limit, offset: int = Offset,
                  s: Session = Depends(session)):
    """问题: findings of the newest versions, filtered, with the reviewer's decision."""
    return Q.findings(s, **filters, limit=limit, offset=offset).to_dict()


@router.get("/findings.{fmt}")
def findings_download(fmt: Literal["csv", "xlsx"], filters: dict = Depends(finding_filters), s: Session = Depends(session)):
    """The filtered 问题清单 as CSV or XLSX (columns 规则, 严重程度, 位置, 提供值, 期望值, 差额, 说明 …)."""
    from ..export.findings import findings_csv, findings_xlsx
    page = Q.findings(s, **filters, limit=100000, offset=0, objects=True)
    groups: dict[int, tuple[dict, list]] = {}
    for f, meta in page.items:
        label = f"{meta['unit'] or ''} {meta['year'] or ''}年{meta['stage_zh']}"
        groups.setdefault(meta["id"], ({"label": label}, []))[1].append(f)
    data = list(groups.values())
    if fmt == "csv":
        return Response(findings_csv(data).encode("utf-8"), media_type=CSV,
                        headers={"Content-Disposition": 'attachment; filename="findings.csv"'})
    return Response(findings_xlsx(data), media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="findings.xlsx"'})


NO_NUL = r"^[^\x00]*$"   # PostgreSQL text cannot hold NUL: refused as a bad parameter on both back-ends


class Decision(BaseModel):
    status: Literal["accepted", "dismissed"]
    reason: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)
    by: str = Field(min_length=1, max_length=100, pattern=NO_NUL)


@router.get("/findings/{finding_id}")
def finding_json(finding_id: FindingId, s: Session = Depends(session)):
    """One finding by its id, with the reviewer's decision and its document."""
    from ..store.findings import load_findings
    from ..store.schema import FindingRecord, Version
    rec = s.get(FindingRecord, finding_id)
    if rec is None:
        raise HTTPException(404, f"no finding with id {finding_id}")
    v = s.get(Version, rec.version_id)
    f = next(x for x in load_findings(s, [v.id])[v.id] if x.id == finding_id)
    return {**f.to_dict(), "document": {"id": v.document_id, "version": v.number, "unit": v.unit_name,
                                        "year": v.year, "stage": v.stage}}


@router.post("/findings/{finding_id}/decision")
def decide(finding_id: FindingId, body: Decision, s: Session = Depends(session)):
    """Accept or dismiss a finding; kept across re-checks and new versions of the document."""
    from ..store.findings import decide as store_decide
    try:
        f = store_decide(s, finding_id, body.status, body.reason, body.by)
    except KeyError:
        raise HTTPException(404, f"no finding with id {finding_id}") from None
    s.commit()
    return f.to_dict()


class Undo(BaseModel):
    by: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    reason: str | None = Field(None, max_length=2000, pattern=NO_NUL)


@router.post("/findings/{finding_id}/undo", responses={409: {"description": "the finding has no decision to undo"}})
def undo(finding_id: FindingId, body: Undo, s: Session = Depends(session)):
    """Take back the latest decision on a finding (the one before it is in force again, or none)."""
    from ..store.findings import undo as store_undo
    try:
        f = store_undo(s, finding_id, body.by, body.reason)
    except KeyError:
        raise HTTPException(404, f"no finding with id {finding_id}") from None
    except ValueError as e:
        raise HTTPException(409, str(e)) from None
    s.commit()
    return f.to_dict()


@router.get("/findings/{finding_id}/history")
def decision_history(finding_id: FindingId, s: Session = Depends(session)):
    """Every decision and undo on the finding (who, when, why), oldest first."""
    from ..store.findings import history
    try:
        return history(s, finding_id)
    except KeyError:
        raise HTTPException(404, f"no finding with id {finding_id}") from None


@router.get("/rules")
def rules(request: Request,
          region: str | None = Query(None, pattern=r"^\d{9}$", description="thresholds in force in this region")):
    """The rule catalogue, with each rule's thresholds in force (defaults, settings file, admin table)."""
    from ..execution.settings import effective_thresholds
    th = effective_thresholds(region, request.app.state.engine)
    return [{"id": r.id, "title": r.title, "family": r.family, "family_zh": FAMILIES[r.family],
             "severity": r.severity, "severity_zh": SEVERITY_ZH[r.severity], "compares": r.compares,
             "applies": r.applies, "message": r.message, "suggestion": r.suggestion,
             "thresholds": th.get(r.id, {})} for r in RULES.values()]


def upload_dir(request: Request) -> Path:
    """Where uploaded files are kept (their figures link back to their pages): $BUDGETWATCH_UPLOADS, else an
    `uploads` folder beside the SQLite file, else ./uploads."""
    import os
    url = str(request.app.state.engine.url)
    if os.environ.get("BUDGETWATCH_UPLOADS"):
        return Path(os.environ["BUDGETWATCH_UPLOADS"])
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///"):]).resolve().parent / "uploads"
    return Path("uploads").resolve()


def ingest_upload(request: Request, uploads: list[UploadFile]) -> list[int]:
    """The uploaded files kept, ingested and checked by the pipeline, stamped with the uploader's region."""
    from ..access.scope import upload_region
    from ..pipeline import ingest_upload as run
    region = upload_region(request)
    return run(request.app.state.engine, [(u.filename, u.file) for u in uploads], upload_dir(request), region.stamp)


@router.post("/upload", responses={400: {"description": "the file was refused (the reason in `detail`)"}})
def upload(request: Request, file: list[UploadFile] = File(...)):
    """上传: ingest and check one file (PDF, TXT, HTML, XLSX), or the files of one disclosure (several `file`
    fields, paired like a folder's); returns the (first) document id and all of them."""
    try:
        ids = ingest_upload(request, file)
    except ValueError as e:
        raise HTTPException(400, str(e)) from None
    except OSError as e:   # the uploads folder is full or unwritable: nothing was kept
        raise HTTPException(503, f"cannot keep the upload: {e.strerror or e}") from None
    return {"id": ids[0], "ids": ids, "url": f"/documents/{ids[0]}"}
