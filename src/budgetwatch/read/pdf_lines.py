"""A text-layer PDF → lines of cells, page by page (pdf.py reads, layout.py lays out)."""
from __future__ import annotations

from pathlib import Path

from .layout import page_rows
from .pdf import open_pdf, read_page
from .source import Source
from .text import Line, make_line

MIN_GLYPHS = 8   # fewer characters than this on a page with a large image: a scanned page


def read_pdf(path: str | Path) -> Source:
    doc = open_pdf(path)
    lines: list[Line] = []
    scanned: list[int] = []
    npages = len(doc)
    try:
        for i in range(npages):
            page = read_page(doc, i, str(path))
            if len(page.glyphs) < MIN_GLYPHS and page.images:
                scanned.append(page.number)
                continue
            for row in page_rows(page):
                ln = make_line(len(lines) + 1, row.cells, page=page.number, boxes=tuple(row.boxes),
                               spans=tuple(row.spans))
                if ln:
                    lines.append(ln)
    finally:
        doc.close()
    return Source(path=str(path), format="pdf", lines=lines, pages=npages, ocr_pages=scanned)
