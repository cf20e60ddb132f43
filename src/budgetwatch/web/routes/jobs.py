"""任务: a background job (an upload, a re-check) as it runs — /jobs/{id} (the page follows its progress and
links to the document when done) and /api/jobs/{id}; POST /api/jobs/check re-checks documents as a job.
A job is seen by whoever may upload in its region (the session's scope, like the documents)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path as FastPath, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...store.jobs import Progress
from ...store.schema import DocumentRecord, JobRecord, Version
from .. import deps
from ..deps import MAX_ID, session
from ..fastjson import FastJSONRoute
from .upload import runner

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)
JobId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="the job's id")]

STAGE_ZH = {"queued": "排队中", "read": "读取", "ocr": "OCR 识别", "extract": "抽取", "check": "检查", "done": "完成"}
KIND_ZH = {"upload": "上传", "check": "重新检查"}
STATUS_ZH = {"queued": "排队中", "running": "进行中", "done": "完成", "failed": "失败"}


def describe(job: JobRecord, p: Progress) -> str:
    """The job's state in one Chinese line: 已读取 12/21 页, OCR 中… 3/21 页, 抽取, 检查, 完成, or the error."""
    if job.status == "failed":
        return f"无法读取：{job.error}" if job.refused else f"失败：{job.error}"
    if job.status == "done":
        n = len(job.result or [])
        return f"完成：{n} 份文档" if job.kind == "upload" else f"完成：已重新检查 {n} 份文档"
    if job.status == "queued":
        return "排队中…"
    name = f"{p.file}：" if p.file else ""
    if p.stage == "read":
        return f"{name}已读取 {p.done}/{p.total} 页" if p.total else f"{name}读取中…"
    if p.stage == "ocr":
        return f"{name}文字层已读取，OCR 中… 已识别扫描页 {p.done}/{p.total}"
    if p.stage == "extract":
        return f"{name}抽取表格和说明…"
    if p.stage == "check":
        return "检查中…"
    return STAGE_ZH.get(p.stage, p.stage)


def _job(request: Request, s: Session, job_id: int) -> dict:
    job = s.scalars(select(JobRecord).where(JobRecord.id == job_id)).first()  # scoped: another region's is absent
    if job is None:
        raise NotFound("job", [job_id])
    p = runner(request).progress_of(job)
    ids = job.result or []
    units = (
        dict(
            s.execute(
                select(Version.document_id, Version.unit_name)
                .where(Version.document_id.in_(ids))
                .order_by(Version.number)
            ).all()
        )
        if ids
        else {}
    )
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_zh": KIND_ZH.get(job.kind, job.kind),
        "status": job.status,
        "status_zh": STATUS_ZH.get(job.status, job.status),
        "stage": p.stage,
        "stage_zh": STAGE_ZH.get(p.stage, p.stage),
        "done": p.done,
        "total": p.total,
        "file": p.file,
        "message": describe(job, p),
        "error": job.error,
        "files": [name for name, _ in (job.params or {}).get("files", [])],
        "documents": [{"id": i, "unit": units.get(i), "url": f"/documents/{i}"} for i in ids],
        "created_by": job.created_by,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "url": f"/jobs/{job.id}",
    }


@router.get("/api/jobs/{job_id}")
def job_json(request: Request, job_id: JobId, s: Session = Depends(session)):
    """任务: a background job's status (queued, running, done, failed), stage and progress (pages read, scanned
    pages recognised), a one-line message, and its documents once done (or its error)."""
    return _job(request, s, job_id)


@router.get("/jobs/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: JobId, format: str | None = deps.Fmt, s: Session = Depends(session)):
    data = _job(request, s, job_id)
    return deps.respond(request, format, "job.html", {"job": data}, data=data)


@router.post(
    "/api/jobs/check", status_code=202, responses={202: {"description": "the job, to follow at /api/jobs/{id}"}}
)
def check_job(
    request: Request,
    documents: list[int] = Body(..., embed=True, min_length=1, max_length=10000),
    s: Session = Depends(session),
):
    """重新检查: run the checks of the given documents again, as a background job; 202 with its address."""
    seen = set(s.scalars(select(DocumentRecord.id).where(DocumentRecord.id.in_(documents))).all())
    missing = [d for d in documents if d not in seen]
    if missing:
        raise NotFound("document", missing[:1])
    regions = set(s.scalars(select(Version.region_code).where(Version.document_id.in_(seen))).all())
    if len(regions) == 1:  # the job belongs where its documents do: whoever sees them sees it
        region = next(iter(regions))
    else:
        from ...access.scope import upload_region

        try:
            region = upload_region(request).code
        except ValueError as e:
            raise HTTPException(400, str(e)) from None
    who = request.scope.get("budgetwatch.principal")
    job_id = runner(request).submit_check(sorted(seen), region, getattr(who, "login", None))
    return JSONResponse(
        {"job": job_id, "url": f"/jobs/{job_id}", "api": f"/api/jobs/{job_id}"},
        status_code=202,
        headers={"Location": f"/api/jobs/{job_id}"},
    )
