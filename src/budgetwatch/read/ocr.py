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
from .settings import OCR, OcrSettings

_engines: dict = {}


def available() -> bool:
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def _ocr_engine(st: OcrSettings = OCR):
    if st not in _engines:
        import logging

        from rapidocr import RapidOCR

        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        # table pages carry no upside-down text lines: the angle classifier only costs time
        detect = {"Det.limit_type": "max", "Det.limit_side_len": st.detect_side} if st.detect_side else {}
        _engines[st] = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.use_cls": False,
                "Global.max_side_len": st.max_side,
                "EngineConfig.onnxruntime.intra_op_num_threads": st.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": st.threads,
                "Rec.rec_img_shape": [3, 48, st.rec_min_width],
                "Rec.rec_batch_num": st.rec_batch,
                **detect,
            }
        )
    return _engines[st]


def _skew(gray, st: OcrSettings) -> float:
    """Angle (degrees) of the page's long horizontal rulings; 0 when there are none.

    On the page shrunk by `skew_shrink`, the runs of ink longer than `skew_run` keep the rulings (at up to
    `max_skew_deg` a ruling's pixel rows still run that far) and drop the text; each long piece's slope is
    fitted to its pixels. A Hough transform over the whole page took 1-2 s a page for the same angle."""
    import cv2
    import numpy as np

    gray = cv2.resize(gray, None, fx=st.skew_shrink, fy=st.skew_shrink, interpolation=cv2.INTER_AREA)
    w = gray.shape[1]
    binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (st.skew_run, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rise = math.tan(math.radians(st.max_skew_deg))
    angles = []
    for i, (x, y, cw, ch, _area) in enumerate(stats[1:n], start=1):
        if cw < w * st.skew_min_share or ch > cw * rise + st.skew_thickness:
            continue
        ys, xs = np.nonzero(labels[y : y + ch, x : x + cw] == i)
        angles.append(math.degrees(math.atan(np.polyfit(xs, ys, 1)[0])))
    return float(np.median(angles)) if angles else 0.0


def _straighten(gray, st: OcrSettings):
    import cv2

    angle = _skew(gray, st)
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rulings(gray, min_px: int) -> tuple[list, list]:
    """Horizontal and vertical ruling segments (pixels): (y, x0, x1) and (x, y0, y1).

    Scanned rulings are faint and broken by noise: gaps along the line are closed first, then
    only long runs survive the opening, so characters' strokes do not count as rulings."""
    import cv2

    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 7)
    out = []
    for horizontal in (True, False):
        along = (lambda n: (n, 1)) if horizontal else (lambda n: (1, n))
        mask = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along(9)))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along(min_px)))
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


def _inside_text(seg, horizontal: bool, boxes, st: OcrSettings) -> bool:
    """A 'ruling' lying within one recognised text box is a stroke of a large character."""
    pos, a, b = seg
    m = st.ruling_px
    for box in boxes:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if horizontal and y0 < pos < y1 and a >= x0 - m and b <= x1 + m:
            return True
        if not horizontal and x0 < pos < x1 and a >= y0 - m and b <= y1 + m:
            return True
    return False


def _split_at_rulings(boxes, vs, st: OcrSettings) -> list:
    """Text boxes cut where a vertical ruling crosses them top to bottom: on a page shrunk for detection the
    gap between two cells' texts closes and one box holds both (`26,935,500一、社会保障…`), whose characters
    would then be spread over both cells; a box reaching over its cell's ruling is trimmed to it (a piece too
    narrow for a character is dropped). A stroke of a large character (a title's 扌) is no longer than its
    box: a cut needs a ruling `rule_reach` times the box's height."""
    import numpy as np

    cover, reach, m = st.rule_cover, st.rule_reach, st.ruling_px
    out = []
    for box in boxes:
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        h = y1 - y0
        cuts = sorted(
            x for x, a, b in vs if x0 < x < x1 and a <= y0 + cover * h and b >= y1 - cover * h and b - a >= reach * h
        )
        if not cuts:
            out.append(np.asarray(box, dtype=np.float32))
            continue
        edges = [x0, *cuts, x1]
        for a, b in zip(edges, edges[1:]):
            a, b = a + (m if a > x0 else 0), b - (m if b < x1 else 0)  # off the ruling's own pixels
            if b - a >= h * st.min_piece:
                out.append(np.array([[a, y0], [b, y0], [b, y1], [a, y1]], dtype=np.float32))
    return out


def _read_text(gray, vs, st: OcrSettings) -> tuple[list, list]:
    """Text boxes and their texts: lines found (on the page shrunk to `detect_side`), cut at the rulings,
    then recognised from the page at full resolution."""
    engine = _ocr_engine(st)
    found = engine(gray, use_rec=False)
    if found.boxes is None or not len(found.boxes):
        return [], []
    boxes = _split_at_rulings(found.boxes, vs, st)
    if not boxes:
        return [], []
    read = engine.recognize_txt(engine.crop_text_regions(engine.load_img(gray), boxes))
    kept = [(b, t) for b, t, sc in zip(boxes, read.txts, read.scores) if t.strip() and sc >= engine.text_score]
    return [b for b, _ in kept], [t for _, t in kept]


def ocr_page(doc, index: int, st: OcrSettings = OCR) -> PdfPage:
    import numpy as np

    scale = st.dpi / 72
    page = doc[index]
    try:
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
        width, height = page.get_size()
    finally:
        page.close()
    gray = _straighten(np.asarray(image), st)
    hs, vs = _rulings(gray, st.min_rule_px)
    boxes, texts = _read_text(gray, vs, st)
    hs = [s for s in hs if not _inside_text(s, True, boxes, st)]
    vs = [s for s in vs if not _inside_text(s, False, boxes, st)]
    return PdfPage(
        number=index + 1,
        width=width,
        height=height,
        glyphs=_glyphs(boxes, texts, scale),
        hedges=[(float(y) / scale, float(a) / scale, float(b) / scale) for y, a, b in hs],
        vedges=[(float(x) / scale, float(a) / scale, float(b) / scale) for x, a, b in vs],
    )
