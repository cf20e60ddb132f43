"""`budgetwatch debug-page`: what the PDF reader finds on one page, drawn over the rendered page (as
pdfplumber's visual debugging draws chars, edges and table cells) — the view to open when a table reads wrong.

    glyph boxes  thin grey        every character's box from the text layer
    rulings      red              the drawn lines the reader took as rulings (pdf.py)
    grid         green            the column and row lines of each ruled table (layout.py)
    cells        blue             each cell the reader made, as it hands it on (its text's box)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Code, InputError
from .settings import LAYOUT, LayoutSettings

GLYPH, RULING, GRID, CELL = (150, 150, 150), (220, 0, 0), (0, 160, 0), (0, 70, 255)


@dataclass
class PageDrawing:
    page: int
    size: tuple[int, int]  # the PNG's pixels
    scale: float  # pixels per point
    glyphs: int
    rulings: int
    grids: list[tuple[list[float], list[float]]]  # each grid's column and row positions (points)
    cells: list[tuple[float, float, float, float]] = field(default_factory=list)  # boxes drawn (points)


def draw_page(path: str, number: int, out: str, scale: float = 2.0, settings: LayoutSettings = LAYOUT) -> PageDrawing:
    """Render page `number` (1-based) of the PDF at `path`, draw what the reader found, write the PNG `out`."""
    from PIL import ImageDraw

    from .layout import page_grids, page_rows
    from .pdf import open_pdf, read_page

    doc = open_pdf(path)
    try:
        if not 1 <= number <= len(doc):
            raise InputError(path, f"page {number}: the PDF has {len(doc)} pages", code=Code.other)
        page = read_page(doc, number - 1, path)
        pdf_page = doc[number - 1]
        try:
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf_page.close()
    finally:
        doc.close()
    grids = page_grids(page, settings)
    rows = page_rows(page, settings)
    pen = ImageDraw.Draw(image)

    def px(box):
        return [round(v * scale) for v in box]

    for g in page.glyphs:
        pen.rectangle(px((g.x0, g.top, g.x1, g.bottom)), outline=GLYPH, width=1)
    for y, x0, x1 in page.hedges:
        pen.line(px((x0, y, x1, y)), fill=RULING, width=2)
    for x, y0, y1 in page.vedges:
        pen.line(px((x, y0, x, y1)), fill=RULING, width=2)
    for grid in grids:
        for x in grid.xs:
            pen.line(px((x, grid.ys[0], x, grid.ys[-1])), fill=GRID, width=1)
        for y in grid.ys:
            pen.line(px((grid.xs[0], y, grid.xs[-1], y)), fill=GRID, width=1)
    cells = [b for row in rows for b in row.boxes if b is not None]
    for b in cells:
        pen.rectangle(px(b), outline=CELL, width=2)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return PageDrawing(
        page=number,
        size=image.size,
        scale=scale,
        glyphs=len(page.glyphs),
        rulings=len(page.hedges) + len(page.vedges),
        grids=[(list(g.xs), list(g.ys)) for g in grids],
        cells=cells,
    )


def debug_page(path: str | Path, number: int, out: str | Path, scale: float = 2.0) -> PageDrawing:
    """`draw_page` in the bounded reader child (a crafted PDF crashes the child, not the caller)."""
    from .formats import sniff
    from .guard import run_guarded

    if sniff(path) != "pdf":
        raise InputError(path, "not a PDF: debug-page draws the pages of a PDF", code=Code.wrong_format)
    return run_guarded(draw_page, str(path), number, str(out), scale)
