"""上传: one file, or the files of one disclosure (paired as the CLI pairs a folder's), kept, ingested and
checked as a background job (jobs.py) — POST /api/upload and the page with its form. The form answers at
once with the job's page (/jobs/{id}: its progress, then the document); the API waits for the job unless
asked not to (`?wait=false`: 202 and the job's address)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse

from ...errors import Code
from .. import deps
from ..fastjson import FastJSONRoute

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)


def uploads_root(engine) -> Path:
    """Where uploaded files are kept (their figures link back to their pages): $BUDGETWATCH_UPLOADS, else an
    `uploads` folder beside the SQLite file, else ./uploads."""
    import os

    url = str(engine.url)
    if os.environ.get("BUDGETWATCH_UPLOADS"):
        return Path(os.environ["BUDGETWATCH_UPLOADS"])
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///") :]).resolve().parent / "uploads"
    return Path("uploads").resolve()


def upload_dir(request: Request) -> Path:
    return uploads_root(request.app.state.engine)


def runner(request: Request):
    from ...jobs import runner_for

    return runner_for(request.app.state.engine, upload_dir(request))


def submit_upload(request: Request, uploads: list[UploadFile]) -> int:
    """The upload queued as a job of the uploader's region (ValueError: refused at once, nothing kept)."""
    from ...access.scope import upload_region

    region = upload_region(request)
    who = request.scope.get("budgetwatch.principal")
    return runner(request).submit_upload(
        [(u.filename, u.file) for u in uploads], region.code, getattr(who, "login", None)
    )


@router.post(
    "/api/upload",
    responses={
        400: {"description": "the upload was refused (the reason in `detail`)"},
        413: {"description": "a file too large"},
        415: {"description": "a file of a kind not read, or whose bytes are not what its name says"},
        422: {"description": "a file whose content cannot be read as a disclosure (empty, encrypted, scanned…)"},
        500: {"description": "the checks failed on the document: nothing kept"},
        202: {"description": "with wait=false: the job, to follow at /api/jobs/{id}"},
    },
)
def upload(
    request: Request,
    file: list[UploadFile] = File(...),
    wait: bool = Query(True, description="wait for the job to end (false: answer 202 at once)"),
):
    """上传: ingest and check one file (PDF, TXT, HTML, XLSX), or the files of one disclosure (several `file`
    fields, paired like a folder's), as a background job; returns the (first) document id, all of them and
    the job's id — or, with `wait=false`, 202 with the job's address at once."""
    try:
        job_id = submit_upload(request, file)
    except ValueError as e:  # refused at once: errors.Refusal answers with its code's status
        raise HTTPException(getattr(e, "http_status", 400), str(e)) from None
    except OSError as e:  # the uploads folder is full or unwritable: nothing was kept
        raise HTTPException(503, f"cannot keep the upload: {e.strerror or e}") from None
    if not wait:
        return JSONResponse(
            {"job": job_id, "url": f"/jobs/{job_id}", "api": f"/api/jobs/{job_id}"},
            status_code=202,
            headers={"Location": f"/api/jobs/{job_id}"},
        )
    job = runner(request).wait(job_id)
    if job is None or job.status != "done":
        error = job.error if job is not None else "the job is gone"
        raise HTTPException(_status(job), error)
    ids = job.result or []
    return {"id": ids[0], "ids": ids, "url": f"/documents/{ids[0]}", "job": job_id}


def _status(job) -> int:
    """A refused upload by its code (errors.py: 422 content, 415 kind, 413 size, 500 checks failed); 503 when
    the server could not run it."""
    if job is None or not job.refused:
        return 503
    return Code(job.code).http_status if job.code else 400


@router.get("/upload", include_in_schema=False)
def upload_page(request: Request):
    return deps.render(request, "upload.html", {"error": None})


@router.post("/upload", include_in_schema=False)
def upload_form(request: Request, file: list[UploadFile] = File(...)):
    try:
        job_id = submit_upload(request, file)
    except ValueError as e:
        return deps.render(request, "upload.html", {"error": str(e)}, status=400)
    except OSError as e:
        return deps.render(request, "upload.html", {"error": f"无法保存上传的文件：{e.strerror or e}"}, status=503)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
