"""Text-layer PDF → glyphs and ruling edges per page (pypdfium2), in display coordinates.

Display coordinates: origin at the page's top-left as it is shown (page /Rotate applied),
y growing downwards, in points. `layout.py` turns glyphs and edges into lines of cells.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as R

from ..errors import Code, InputError
from .settings import LAYOUT

MAX_PAGES = 1000  # a disclosure runs to a few hundred pages; more is not one document
MAX_GLYPHS_PER_PAGE = 60000
MAX_OBJECTS_PER_PAGE = 200000
MAX_FORM_DEPTH = 4


class Glyph:
    """One character's box in display coordinates; its centre and height computed once (the layout asks
    for them millions of times a document)."""

    __slots__ = ("ch", "x0", "top", "x1", "bottom", "cx", "cy", "size")

    def __init__(self, ch: str, x0: float, top: float, x1: float, bottom: float):
        self.ch, self.x0, self.top, self.x1, self.bottom = ch, x0, top, x1, bottom
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2
        self.size = bottom - top

    def _key(self) -> tuple:
        return (self.ch, self.x0, self.top, self.x1, self.bottom)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glyph) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Glyph({self.ch!r}, {self.x0}, {self.top}, {self.x1}, {self.bottom})"


@dataclass
class PdfPage:
    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph]
    hedges: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vedges: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    images: int = 0  # image objects covering much of the page


class _Transform:
    """Content space (y up, possibly rotated page) → display space (y down)."""

    def __init__(self, page: pdfium.PdfPage):
        x0, y0, x1, y1 = page.get_cropbox()
        self.ox, self.oy = x0, y0
        self.w0, self.h0 = x1 - x0, y1 - y0
        self.rot = page.get_rotation() % 360

    @property
    def size(self) -> tuple[float, float]:
        return (self.h0, self.w0) if self.rot in (90, 270) else (self.w0, self.h0)

    def point(self, x: float, y: float) -> tuple[float, float]:
        x -= self.ox
        y -= self.oy
        if self.rot == 90:
            return y, x
        if self.rot == 180:
            return self.w0 - x, y
        if self.rot == 270:
            return self.h0 - y, self.w0 - x
        return x, self.h0 - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def open_pdf(path: str | Path) -> pdfium.PdfDocument:
    p = Path(path)
    try:
        with open(p, "rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}", code=Code.unreadable) from None
    if not head:
        raise InputError(path, "empty file", code=Code.empty)
    if head.startswith(b"PK\x03\x04"):
        raise InputError(path, "a ZIP archive, not a PDF", code=Code.wrong_format)
    if b"%PDF-" not in head:
        raise InputError(path, "not a PDF: no %PDF header", code=Code.wrong_format)
    try:
        doc = pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise InputError(path, "encrypted PDF: it needs a password", code=Code.encrypted) from None
        m = re.search(r"PDFium: ([^)]+)", msg)
        reason = (m.group(1) if m else msg).strip().lower()
        if reason == "success":  # PDFium found no page tree it could load
            reason = "no page tree (zero pages or a broken catalogue)"
        raise InputError(path, f"damaged PDF: {reason}", code=Code.damaged) from None
    n = len(doc)
    if n == 0:
        doc.close()
        raise InputError(path, "PDF has no pages", code=Code.empty)
    if n > MAX_PAGES:
        doc.close()
        raise InputError(
            path, f"{n} pages: more than the {MAX_PAGES} pages of any single disclosure", code=Code.too_large
        )
    return doc


def read_page(doc: pdfium.PdfDocument, index: int, path: str = "") -> PdfPage:
    page = doc[index]
    try:
        tf = _Transform(page)
        width, height = tf.size
        textpage = page.get_textpage()
        try:
            glyphs = _glyphs(textpage, tf, path, index)
        finally:
            textpage.close()
        out = PdfPage(number=index + 1, width=width, height=height, glyphs=glyphs)
        _walk_objects(page, tf, out, path)
        return out
    finally:
        page.close()


def _glyphs(textpage, tf: _Transform, path: str, index: int) -> list[Glyph]:
    tp = textpage.raw
    n = R.FPDFText_CountChars(tp)
    if n > MAX_GLYPHS_PER_PAGE:
        raise InputError(
            path, f"page {index + 1} has {n} characters: not a disclosure page", code=Code.not_a_disclosure
        )
    rect = R.FS_RECTF()
    get_box = R.FPDFText_GetLooseCharBox
    out: list[Glyph] = []
    skip = ("\u3000", "\xa0", "\ufffe", "\uffff")
    upright = tf.rot == 0  # the common case, inlined: the same arithmetic as tf.box
    ox, oy, h0 = tf.ox, tf.oy, tf.h0
    append = out.append
    for k, ch in enumerate(_chars(tp, n)):
        if ch <= " " or ch in skip:
            continue
        get_box(tp, k, rect)
        if upright:
            ax, bx = rect.left - ox, rect.right - ox
            ay, by = h0 - (rect.bottom - oy), h0 - (rect.top - oy)
            x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
            top, bottom = (ay, by) if ay <= by else (by, ay)
        else:
            x0, top, x1, bottom = tf.box(rect.left, rect.bottom, rect.right, rect.top)
        if x1 - x0 <= 0 or bottom - top <= 0:
            continue
        append(Glyph(ch, x0, top, x1, bottom))
    return out


def _chars(tp, n: int) -> str:
    """The page's n characters, index for index: the whole text in one call (one call per character was a
    third of the glyphs' cost) where it is one UTF-16 unit per index — it leaves out a character without a
    code (one fewer unit), and gives one beyond the BMP as a surrogate pair (one more, decoded to one
    character): n units written that decode to n characters have neither. Else one call per character.
    (Where the two calls differ otherwise, both give a code the glyphs skip: 2 against U+FFFE, on 29 of
    10,141 corpus pages.)"""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    written = R.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    if written == n + 1:  # n units and the terminator
        text = buf.raw[: 2 * n].decode("utf-16-le", "surrogatepass")
        if len(text) == n:
            return text
    return "".join(chr(R.FPDFText_GetUnicode(tp, k)) for k in range(n))


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(m: tuple, parent: tuple) -> tuple:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = parent
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _matrix(obj) -> tuple:
    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk_objects(page: pdfium.PdfPage, tf: _Transform, out: PdfPage, path: str) -> None:
    """Collect axis-aligned edges of stroked/filled paths (table rulings) and large images."""
    raw = page.raw
    count = R.FPDFPage_CountObjects(raw)
    if count > MAX_OBJECTS_PER_PAGE:
        raise InputError(
            path, f"page {out.number} has {count} drawing objects: not a disclosure page", code=Code.not_a_disclosure
        )
    budget = [MAX_OBJECTS_PER_PAGE]
    objs = (R.FPDFPage_GetObject(raw, i) for i in range(count))
    _walk(objs, _IDENTITY, tf, out, 0, budget, path)


def _walk(objs, parent: tuple, tf: _Transform, out: PdfPage, depth: int, budget: list, path: str) -> None:
    fl, fb, fr, ft = (ctypes.c_float() for _ in range(4))
    for obj in objs:
        budget[0] -= 1
        if budget[0] < 0:
            raise InputError(
                path,
                f"page {out.number} has too many drawing objects: not a disclosure page",
                code=Code.not_a_disclosure,
            )
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_PATH:
            _path_edges(obj, parent, tf, out, (fl, fb, fr, ft))
        elif kind == R.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            m = _compose(_matrix(obj), parent)
            n = R.FPDFFormObj_CountObjects(obj)
            _walk((R.FPDFFormObj_GetObject(obj, i) for i in range(n)), m, tf, out, depth + 1, budget, path)
        elif kind == R.FPDF_PAGEOBJ_IMAGE and R.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
            (x0, y0), (x1, y1) = _apply(parent, fl.value, fb.value), _apply(parent, fr.value, ft.value)
            if abs(x1 - x0) * abs(y1 - y0) > LAYOUT.image_share * out.width * out.height:
                out.images += 1


def _path_edges(obj, parent: tuple, tf: _Transform, out: PdfPage, box) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not R.FPDFPath_GetDrawMode(obj, fill, stroke) or (fill.value == 0 and not stroke.value):
        return
    fl, fb, fr, ft = box
    if not R.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
        return
    corners = [tf.point(*_apply(parent, x, y)) for x, y in ((fl.value, fb.value), (fr.value, ft.value))]
    x0, x1 = sorted((corners[0][0], corners[1][0]))
    y0, y1 = sorted((corners[0][1], corners[1][1]))
    w, h = x1 - x0, y1 - y0
    bg, thin, long = LAYOUT.background_share, LAYOUT.ruling_thickness, LAYOUT.ruling_length
    if w > bg * out.width and h > bg * out.height:
        return  # a page background, not a ruling
    if h < thin and w > long:
        out.hedges.append(((y0 + y1) / 2, x0, x1))
        return
    if w < thin and h > long:
        out.vedges.append(((x0 + x1) / 2, y0, y1))
        return
    if w < thin or h < thin:
        return
    m = _compose(_matrix(obj), parent)
    for sub in _subpaths(obj, m, tf):
        if stroke.value:
            for a, b in zip(sub, sub[1:]):
                _edge(out, a, b)
        else:  # a filled shape is a ruling only when thin; a wide one is cell shading
            xs, ys = [p[0] for p in sub], [p[1] for p in sub]
            if max(ys) - min(ys) < thin and max(xs) - min(xs) > long:
                out.hedges.append(((max(ys) + min(ys)) / 2, min(xs), max(xs)))
            elif max(xs) - min(xs) < thin and max(ys) - min(ys) > long:
                out.vedges.append(((max(xs) + min(xs)) / 2, min(ys), max(ys)))


def _subpaths(obj, m: tuple, tf: _Transform) -> list[list[tuple[float, float]]]:
    """The path's points in display space, one list per subpath, closed ones closed."""
    n = R.FPDFPath_CountSegments(obj)
    px, py = ctypes.c_float(), ctypes.c_float()
    subs: list[list[tuple[float, float]]] = []
    for i in range(n):
        seg = R.FPDFPath_GetPathSegment(obj, i)
        if not R.FPDFPathSegment_GetPoint(seg, px, py):
            continue
        pt = tf.point(*_apply(m, px.value, py.value))
        if R.FPDFPathSegment_GetType(seg) == R.FPDF_SEGMENT_MOVETO or not subs:
            subs.append([pt])
        else:
            subs[-1].append(pt)
        if R.FPDFPathSegment_GetClose(seg):
            subs[-1].append(subs[-1][0])
    return subs


def _edge(out: PdfPage, a: tuple[float, float], b: tuple[float, float]) -> None:
    (ax, ay), (bx, by) = a, b
    straight, long = LAYOUT.stroke_straight, LAYOUT.ruling_length
    if abs(ay - by) < straight and abs(ax - bx) > long:
        out.hedges.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif abs(ax - bx) < straight and abs(ay - by) > long:
        out.vedges.append(((ax + bx) / 2, min(ay, by), max(ay, by)))
