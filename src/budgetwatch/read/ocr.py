"""Scanned pages → the same glyphs and ruling edges as a text-layer page, by OCR.

The page is rendered (pypdfium2), straightened (the skew of its long ruling lines), its rulings
found by morphology and its text read by RapidOCR, whose Chinese models ship inside the wheel
(optional extra `budgetwatch[ocr]`). The result is a `PdfPage`, so `layout.py` lays it out
exactly as it lays out a text-layer page; its lines are marked `ocr`.
"""

from __future__ import annotations

import math
import re

from .pdf import Glyph, PdfPage

SCALE = 250 / 72
MIN_RULE_PX = 50  # a ruling is at least this long (pixels at SCALE)
MAX_SKEW_DEG = 5.0
MAX_SIDE = 3000  # RapidOCR shrinks larger images before detection

_engine = None


def available() -> bool:
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def _ocr_engine():
    global _engine
    if _engine is None:
        import logging

        from rapidocr import RapidOCR

        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        # table pages carry no upside-down text lines: the angle classifier only costs time. One thread: a
        # pool's threads spin while they wait, which on a busy machine more than doubles the CPU a page takes
        # (18.9 → 7.7 s a page, benchmarks/ocr_throughput.py)
        _engine = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.use_cls": False,
                "Global.max_side_len": MAX_SIDE,
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
    return _engine


def _skew(gray, shrink: float = 0.5) -> float:
    """Angle (degrees) of the page's long horizontal rulings; 0 when there are none. Found on the page at half
    its size: the angle is the same within a few hundredths of a degree, for a seventh of the time."""
    import cv2
    import numpy as np

    if shrink != 1:
        gray = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    h, w = gray.shape
    binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    lines = cv2.HoughLinesP(binary, 1, np.pi / 1800, threshold=w // 4, minLineLength=w // 4, maxLineGap=8)
    if lines is None:
        return 0.0
    angles = []
    for x1, y1, x2, y2 in lines.reshape(-1, 4):
        a = math.degrees(math.atan2(y2 - y1, x2 - x1))
        if abs(a) <= MAX_SKEW_DEG:
            angles.append(a)
    return float(np.median(angles)) if angles else 0.0


def _straighten(gray):
    import cv2

    angle = _skew(gray)
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rulings(gray) -> tuple[list, list]:
    """Horizontal and vertical ruling segments (pixels): (y, x0, x1) and (x, y0, y1).

    Scanned rulings are faint and broken by noise: gaps along the line are closed first, then
    only long runs survive the opening, so characters' strokes do not count as rulings."""
    import cv2

    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 7)
    out = []
    for horizontal in (True, False):
        along = (lambda n: (n, 1)) if horizontal else (lambda n: (1, n))
        mask = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along(9)))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along(MIN_RULE_PX)))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        segs = []
        for x, y, w, h, _area in stats[1:n]:
            if horizontal and h <= 12:
                segs.append((y + h / 2, x, x + w))
            elif not horizontal and w <= 12:
                segs.append((x + w / 2, y, y + h))
        out.append(segs)
    return out[0], out[1]


_NUMBERISH = re.compile(r"^-?[\dOolI]{1,3}(?:[.,][\dOolI]+)+$")
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})


def fix_number(text: str) -> str:
    """OCR's usual slips inside an amount: 4.178.197558 → 4,178.197558; O/l for 0/1.

    With two or more separators all but the last are thousands separators; the last is the
    decimal point unless it is followed by exactly three digits and repeats the others."""
    t = text.strip()
    if not _NUMBERISH.match(t):
        return text
    t = t.translate(_DIGIT_LOOKALIKES)
    parts = re.split(r"[.,]", t)
    seps = re.findall(r"[.,]", t)
    if len(seps) < 2:
        return t
    if len(parts[-1]) == 3 and len(set(seps)) == 1 and all(len(p) == 3 for p in parts[1:]):
        return ",".join([parts[0], *parts[1:]])
    if all(len(p) == 3 for p in parts[1:-1]):
        return ",".join(parts[:-1]) + "." + parts[-1]
    return t


def _glyphs(boxes, texts, scale: float) -> list[Glyph]:
    """Each recognised text box → one glyph per character, spread evenly over the box."""
    out = []
    for box, text in zip(boxes, texts):
        text = fix_number((text or "").strip())
        if not text:
            continue
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        # plain floats: numpy scalars would reach the rows' boxes and break `extract --json`
        x0, x1, top, bottom = (float(v) / scale for v in (min(xs), max(xs), min(ys), max(ys)))
        step = (x1 - x0) / len(text)
        for i, ch in enumerate(text):
            if ch.isspace():
                continue
            out.append(Glyph(ch, x0 + i * step, top, x0 + (i + 1) * step, bottom))
    return out


def _inside_text(seg, horizontal: bool, boxes) -> bool:
    """A 'ruling' lying within one recognised text box is a stroke of a large character."""
    pos, a, b = seg
    for box in boxes:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if horizontal and y0 < pos < y1 and a >= x0 - 3 and b <= x1 + 3:
            return True
        if not horizontal and x0 < pos < x1 and a >= y0 - 3 and b <= y1 + 3:
            return True
    return False


def ocr_page(doc, index: int) -> PdfPage:
    import numpy as np

    page = doc[index]
    try:
        image = page.render(scale=SCALE, grayscale=True).to_pil().convert("L")
        width, height = page.get_size()
    finally:
        page.close()
    gray = _straighten(np.asarray(image))
    result = _ocr_engine()(gray)
    boxes = result.boxes if result.boxes is not None else []
    texts = result.txts or ()
    hs, vs = _rulings(gray)
    hs = [s for s in hs if not _inside_text(s, True, boxes)]
    vs = [s for s in vs if not _inside_text(s, False, boxes)]
    return PdfPage(
        number=index + 1,
        width=width,
        height=height,
        glyphs=_glyphs(boxes, texts, SCALE),
        hedges=[(float(y) / SCALE, float(a) / SCALE, float(b) / SCALE) for y, a, b in hs],
        vedges=[(float(x) / SCALE, float(a) / SCALE, float(b) / SCALE) for x, a, b in vs],
    )
