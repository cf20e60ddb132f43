"""The printed figure itself: a crop of the source PDF page around a cell, or the lines of a text source
around a line — where every figure of a document links to."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ...errors import NotFound
from .. import deps, queries as Q

router = APIRouter(tags=["reports"], responses=deps.NOT_FOUND)


@router.get("/documents/{document_id}/source.png")
def source_crop(
    document_id: deps.DocumentId,
    page: int = Query(..., ge=1, le=1000),
    box: str = Query(..., pattern=r"^[\d.]+,[\d.]+,[\d.]+,[\d.]+$", description="x0,top,x1,bottom in points"),
    file: int | None = Query(None, ge=0, le=1000, description="which of the document's files (from 0), if several"),
    s: Session = Depends(deps.session),
):
    """The printed figure itself: a crop of its PDF page around the cell, the cell outlined in red."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    v = Q.latest_version(s, document_id)
    if v is None:
        raise NotFound("document", [document_id])
    if file is None and len(v.files) != 1 or file is not None and file >= len(v.files):
        raise HTTPException(404, "the source PDF of this document is not available on the server")
    chosen = v.files[file or 0]  # the document's only file, or the one asked for (pages restart in each)
    pdfs = [chosen.path] if chosen.path and chosen.name.lower().endswith(".pdf") else []
    if not pdfs or not Path(pdfs[0]).exists():
        raise HTTPException(404, "the source PDF of this document is not available on the server")
    x0, top, x1, bottom = (float(x) for x in box.split(","))
    doc = pdfium.PdfDocument(pdfs[0])
    try:
        if page > len(doc):
            raise HTTPException(404, f"the source has no page {page}")
        scale = 2.0
        img = doc[page - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()
    pad = 60
    ImageDraw.Draw(img).rectangle(
        [x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3], outline=(214, 40, 40), width=3
    )
    crop = img.crop((0, max(0, int(top * scale) - pad), img.width, min(img.height, int(bottom * scale) + pad)))
    out = io.BytesIO()
    crop.save(out, "PNG")
    return Response(out.getvalue(), media_type="image/png")


@router.get("/documents/{document_id}/source.txt", response_class=HTMLResponse)
def source_lines(
    document_id: deps.DocumentId,
    line: int = Query(..., ge=1, le=10_000_000),
    context: int = Query(6, ge=0, le=50),
    s: Session = Depends(deps.session),
):
    """The printed figure in a text source: its line, marked, with the lines around it."""
    from html import escape

    from ...read.text import read_text

    v = Q.latest_version(s, document_id)
    if v is None:
        raise NotFound("document", [document_id])
    texts = [
        f.path
        for f in v.files
        if f.path and Path(f.path).exists() and not f.name.lower().endswith((".pdf", ".xlsx", ".html", ".htm"))
    ]
    if len(v.files) != 1 or not texts:
        raise HTTPException(404, "the source text of this document is not available on the server")
    lines = read_text(texts[0]).lines
    if line > len(lines):
        raise HTTPException(404, f"the source has no line {line}")
    rows = []
    for ln in lines[max(0, line - 1 - context) : line + context]:
        mark = ' class="hl"' if ln.no == line else ""
        rows.append(
            f'<tr{mark}><td class="num muted">{ln.no}</td><td>{escape(" | ".join(c for c in ln.cells if c))}</td></tr>'
        )
    return HTMLResponse(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="stylesheet" '
        f'href="/static/style.css"><title>第{line}行</title></head><body><main><h1>{escape(v.files[0].name)} '
        f'第{line}行</h1><table class="grid">{"".join(rows)}</table></main></body></html>'
    )
