"""HTML of absolutely positioned text (what PDF-to-HTML converters publish): real corpus pages turned into such
HTML — PDFium's own text runs as boxes, with and without ruling boxes — read back into the same tables as the PDF."""

from __future__ import annotations

from html import escape

import pypdfium2 as pdfium
import pytest

from budgetwatch.extract.document import extract_files
from budgetwatch.read.pdf import open_pdf, read_page

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus

PDF = CORPUS / "fujian-quanzhou-gonganju-2026-yusuan.pdf"
PAGES = (10, 19)  # 收支预算总表 (two-sided), “三公”经费 table


def converted(pdf, pages, rulings: bool) -> str:
    doc = pdfium.PdfDocument(pdf)
    out = ['<html><head><meta charset="utf-8"><title>converted</title></head><body>']
    for pno in pages:
        page = doc[pno - 1]
        height, tp = page.get_height(), page.get_textpage()
        out.append(f'<div class="pf" data-page-no="{pno}" style="position:relative">')
        for i in range(tp.count_rects()):
            left, bottom, right, top = tp.get_rect(i)
            text = tp.get_text_bounded(left, bottom, right, top).strip()
            if text:  # px = pt × 4/3, as converters write them
                out.append(
                    f'<div style="position:absolute;left:{left * 4 / 3:.1f}px;top:{(height - top) * 4 / 3:.1f}px;'
                    f"width:{(right - left) * 4 / 3:.1f}px;height:{(top - bottom) * 4 / 3:.1f}px;"
                    f'font-size:{(top - bottom) * 4 / 3:.1f}px">{escape(text)}</div>'
                )
        if rulings:
            edges = read_page(open_pdf(pdf), pno - 1)
            out += [
                f'<div style="position:absolute;left:{a * 4 / 3:.1f}px;top:{y * 4 / 3:.1f}px;width:{(b - a) * 4 / 3:.1f}px;'
                f'height:1px"></div>'
                for y, a, b in edges.hedges
            ]
            out += [
                f'<div style="position:absolute;left:{x * 4 / 3:.1f}px;top:{a * 4 / 3:.1f}px;width:1px;'
                f'height:{(b - a) * 4 / 3:.1f}px"></div>'
                for x, a, b in edges.vedges
            ]
        out.append("</div>")
    doc.close()
    return "\n".join(out + ["</body></html>"])


def rows(doc, kind):
    t = next(t for t in doc.tables if t.kind == kind)
    return [(r.side, r.name, r.values) for r in t.rows]


@pytest.fixture(scope="module")
def from_pdf():
    return extract_files([PDF])


@pytest.mark.parametrize("rulings", [True, False], ids=["with-ruling-boxes", "text-only"])
def test_positioned_html_reads_like_the_pdf(tmp_path, from_pdf, rulings):
    path = tmp_path / "converted.html"
    path.write_text(converted(PDF, PAGES, rulings), encoding="utf-8")
    doc = extract_files([path])
    assert doc.format == "html"
    for kind in ("summary", "three_public"):
        assert rows(doc, kind) == rows(from_pdf, kind), kind
    summary = next(t for t in doc.tables if t.kind == "summary")
    assert summary.money_unit == "万元" and summary.location == {"page": 1}
