"""A PDF → lines of cells, page by page (pdf.py reads a text layer, ocr.py a scan, layout.py lays out)."""

from __future__ import annotations

from pathlib import Path

from . import progress
from .formats import Source
from .layout import page_rows
from .pdf import PdfPage, open_pdf, read_page
from .settings import LAYOUT
from .text import Line, make_line

OCR_SECONDS_PER_PAGE = 60  # CPU seconds allowed per scanned page (RapidOCR needs ~2-5)
OCR_MEM_MB = 4096  # ONNX Runtime reserves more address space than PDFium


def _page_lines(page: PdfPage, first_no: int, ocr: bool = False) -> list[Line]:
    out: list[Line] = []
    for row in page_rows(page):
        ln = make_line(
            first_no + len(out),
            row.cells,
            page=page.number,
            boxes=tuple(row.boxes),
            spans=tuple(row.spans),
            ruled=row.ruled,
            ocr=ocr,
        )
        if ln:
            out.append(ln)
    return out


def read_pdf(path: str | Path) -> Source:
    """The text layer of every page; pages that are only an image are listed in `ocr_pages`."""
    doc = open_pdf(path)
    lines: list[Line] = []
    scanned: list[int] = []
    npages = len(doc)
    try:
        for i in range(npages):
            page = read_page(doc, i, str(path))
            progress.report("read", i + 1, npages, str(path))
            if len(page.glyphs) < LAYOUT.min_glyphs and page.images:
                scanned.append(page.number)
                continue
            lines.extend(_page_lines(page, len(lines) + 1))
    finally:
        doc.close()
    return Source(path=str(path), format="pdf", lines=lines, pages=npages, ocr_pages=scanned)


def read_scanned(path: str | Path, numbers: list[int]) -> list[Line]:
    """The given 1-based pages read by OCR (the `budgetwatch[ocr]` extra)."""
    from .ocr import ocr_page

    doc = open_pdf(path)
    lines: list[Line] = []
    try:
        for k, n in enumerate(numbers):
            progress.report("ocr", k, len(numbers), str(path))  # before the page: OCR takes seconds a page
            lines.extend(_page_lines(ocr_page(doc, n - 1), len(lines) + 1, ocr=True))
        progress.report("ocr", len(numbers), len(numbers), str(path))
    finally:
        doc.close()
    return lines


def read_pdf_source(path: str | Path) -> Source:
    """Text layer in one bounded child; scanned pages, when the OCR extra is installed, in another."""
    from dataclasses import replace

    from .guard import run_guarded
    from .ocr import available

    src = run_guarded(read_pdf, str(path))
    if not src.ocr_pages or not available():
        return src
    scanned = run_guarded(
        read_scanned,
        str(path),
        src.ocr_pages,
        mem_mb=OCR_MEM_MB,
        seconds=60 + OCR_SECONDS_PER_PAGE * len(src.ocr_pages),
    )
    merged = sorted(src.lines + scanned, key=lambda ln: (ln.page, ln.ocr, ln.no))
    lines = [replace(ln, no=i) for i, ln in enumerate(merged, start=1)]
    return Source(path=src.path, format="pdf", lines=lines, pages=src.pages, ocr_pages=src.ocr_pages, ocr_read=True)
