"""HTML that places text at absolute positions (PDF-to-HTML converters: one box per text run, `left`/`top`
in px, pages as containers) → the same glyphs `layout.py` lays out for a PDF, so its tables come back as
rows of cells. Rulings drawn as thin absolutely positioned boxes are read as edges."""

from __future__ import annotations

import re

from .layout import page_rows
from .pdf import Glyph, PdfPage
from .settings import LAYOUT
from .text import Line, make_line

_NUM = r"(-?\d+(?:\.\d+)?)(px|pt)?"
_PROP = {k: re.compile(rf"(?:^|;)\s*{k}\s*:\s*{_NUM}", re.I) for k in ("left", "top", "width", "height", "font-size")}
_ABS = re.compile(r"position\s*:\s*absolute", re.I)
_PAGE = re.compile(r"(^|\s)(pf|page)(\s|$|\d)", re.I)
MIN_BOXES = 20


def _num(style: str, key: str) -> float | None:
    m = _PROP[key].search(style or "")
    if not m:
        return None
    v = float(m.group(1))
    return v * 4 / 3 if (m.group(2) or "px").lower() == "pt" else v


def positioned_boxes(root) -> list:
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and _ABS.search(el.get("style") or "")
        and _num(el.get("style"), "left") is not None
        and _num(el.get("style"), "top") is not None
    ]


def is_positioned(root) -> bool:
    boxes = positioned_boxes(root)
    return sum(1 for el in boxes if (el.text or "").strip()) >= MIN_BOXES


def _advance(ch: str, size: float) -> float:
    return size if ord(ch) > 0x2E80 else size * LAYOUT.latin_advance


def _page_of(el) -> object:
    p = el.getparent()
    while p is not None:
        if _PAGE.search(p.get("class") or "") or p.get("data-page-no") or p.get("data-page-number"):
            return p
        p = p.getparent()
    return None


def read_positioned(root) -> list[Line]:
    """Every page's boxes → glyphs (text runs spread by character width) and edges → laid-out lines."""
    pages: dict[int, tuple[object, list]] = {}
    order: list[int] = []
    for el in positioned_boxes(root):
        pg = _page_of(el)
        key = id(pg)
        if key not in pages:
            pages[key] = (pg, [])
            order.append(key)
        pages[key][1].append(el)
    lines: list[Line] = []
    for number, key in enumerate(order, start=1):
        glyphs: list[Glyph] = []
        hedges: list[tuple[float, float, float]] = []
        vedges: list[tuple[float, float, float]] = []
        for el in pages[key][1]:
            style = el.get("style") or ""
            x, y = _num(style, "left") or 0.0, _num(style, "top") or 0.0  # positioned_boxes keeps boxes with both
            w, h = _num(style, "width"), _num(style, "height")
            text = re.sub(r"\s+", " ", el.text_content() or "").strip()
            if not text:
                if w is not None and h is not None and (h <= LAYOUT.html_ruling < w):
                    hedges.append((y + h / 2, x, x + w))
                elif w is not None and h is not None and (w <= LAYOUT.html_ruling < h):
                    vedges.append((x + w / 2, y, y + h))
                continue
            size = _num(style, "font-size") or (h if h and h < LAYOUT.html_max_box_font else LAYOUT.html_font_size)
            natural = sum(_advance(c, size) for c in text)
            scale = (w / natural) if w and natural else 1.0
            cx = x
            for ch in text:
                adv = _advance(ch, size) * scale
                if not ch.isspace():
                    glyphs.append(Glyph(ch, cx, y, cx + adv, y + size))
                cx += adv
        if not glyphs:
            continue
        page = PdfPage(
            number=number,
            width=max(g.x1 for g in glyphs) + 10,
            height=max(g.bottom for g in glyphs) + 10,
            glyphs=glyphs,
            hedges=hedges,
            vedges=vedges,
        )
        for row in page_rows(page):
            ln = make_line(
                len(lines) + 1,
                row.cells,
                page=number,
                boxes=tuple(row.boxes),
                spans=tuple(row.spans),
                ruled=row.ruled,
            )
            if ln:
                lines.append(ln)
    return lines
