"""上传: one file, or the files of one disclosure (paired as the CLI pairs a folder's), kept, ingested and
checked — POST /api/upload and the page with its form."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse

from .. import deps
from ..fastjson import FastJSONRoute

router = APIRouter(tags=["api"], route_class=FastJSONRoute, responses=deps.NOT_FOUND)


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
    from ...access.scope import upload_region
    from ...pipeline import ingest_upload as run
    region = upload_region(request)
    return run(request.app.state.engine, [(u.filename, u.file) for u in uploads], upload_dir(request), region.stamp)


@router.post("/api/upload", responses={400: {"description": "the file was refused (the reason in `detail`)"}})
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


@router.get("/upload", include_in_schema=False)
def upload_page(request: Request):
    return deps.render(request, "upload.html", {"error": None})


@router.post("/upload", include_in_schema=False)
def upload_form(request: Request, file: list[UploadFile] = File(...)):
    try:
        ids = ingest_upload(request, file)
    except ValueError as e:
        return deps.render(request, "upload.html", {"error": str(e)}, status=400)
    return RedirectResponse(f"/documents/{ids[0]}", status_code=303)
