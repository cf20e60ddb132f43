"""Small ruled-table PDFs drawn with PDFium (pypdfium2's raw API), for a layout no page of the corpora shows
(reportlab is not a dependency)."""

from __future__ import annotations

import ctypes
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def ruled_table(path, title: str, rows: list[list[str]], widths: list[float], merged=(), height: float = 20) -> None:
    """One A4 page: `title` above a grid of `rows` × `widths`; each (r0, c0, r1, c1) in `merged` is one cell
    (no rulings inside it, its text in its top-left cell)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    data = FONT.read_bytes()
    buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = raw.FPDFText_LoadFont(pdf, buf, len(data), raw.FPDF_FONT_TRUETYPE, 1)

    def text(s: str, x: float, y: float, size: float = 9) -> None:
        obj = raw.FPDFPageObj_CreateTextObj(pdf, font, size)
        w = ctypes.create_string_buffer((s + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(obj, ctypes.cast(w, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        raw.FPDFPage_InsertObject(page.raw, obj)

    def line(x0: float, y0: float, x1: float, y1: float) -> None:
        p = raw.FPDFPageObj_CreateNewPath(x0, y0)
        raw.FPDFPath_LineTo(p, x1, y1)
        raw.FPDFPageObj_SetStrokeColor(p, 0, 0, 0, 255)
        raw.FPDFPageObj_SetStrokeWidth(p, 0.5)
        raw.FPDFPath_SetDrawMode(p, 0, 1)
        raw.FPDFPage_InsertObject(page.raw, p)

    def inside(r: float, c: float) -> bool:  # a point strictly inside a merged cell (half-integer grid units)
        return any(r0 < r < r1 + 1 and c0 < c < c1 + 1 for r0, c0, r1, c1 in merged)

    text(title, 220, 780, 14)
    xs = [40.0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [740 - k * height for k in range(len(rows) + 1)]
    for r in range(len(rows) + 1):  # horizontal rulings, a column band at a time
        for c in range(len(widths)):
            if not inside(r, c + 0.5):
                line(xs[c], ys[r], xs[c + 1], ys[r])
    for c in range(len(widths) + 1):
        for r in range(len(rows)):
            if not inside(r + 0.5, c):
                line(xs[c], ys[r], xs[c], ys[r + 1])
    for r, cells in enumerate(rows):
        for c, s in enumerate(cells):
            if s:
                text(s, xs[c] + 3, ys[r] - height + 6)
    raw.FPDFPage_GenerateContent(page.raw)
    pdf.save(str(path))
