"""CPU seconds per scanned page and the amounts they give back: budgetwatch's OCR (read/ocr.py with
`settings.OCR`, as `extract` runs it) vs the reader as it was before (text found on the page as rendered,
lines padded to RapidOCR's 320 pixels, the skew found by a Hough transform), in one run, each in its own
process (so each has its own peak memory). Pages: corpus table pages rasterised to an image-only PDF at
150 dpi, and the rasterised document of the gold set (tests/data/gold-corpus, "scan"). Amounts are counted
against the text layer of the same pages. The issue's budget is 5 s of CPU a page.

    python benchmarks/ocr_throughput.py [--pages N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium

from budgetwatch.read import ocr
from budgetwatch.read.pdf_lines import _page_lines, read_pdf
from budgetwatch.read.settings import OCR

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# dense and plain, ruled and lightly ruled, 元 and 6-decimal 万元, 预算 and 决算 (as tests/test_ocr.py)
PAGES = [
    ("guangdong-foshan-guidaojiaotongju-2019-juesuan.pdf", 8),
    ("shaanxi-xian-minzhengju-2021-yusuan.pdf", 42),
    ("jilin-changchun-xinfangju-2026-yusuan.pdf", 11),
    ("beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf", 21),
    ("shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf", 10),
]
CONFIGS = {
    "before": replace(OCR, detect_side=0, rec_min_width=320),
    "now": OCR,
}
_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$|^-?\d{1,3}(?:,\d{3})+$")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _gold_scan() -> list[tuple[str, int]]:
    for f in sorted((ROOT / "tests" / "data" / "gold-corpus").glob("*.json")):
        scan = json.loads(f.read_text()).get("scan")
        if scan:
            return [(scan["of"], p) for p in scan["pages"]]
    raise SystemExit("no scan in tests/data/gold-corpus")


def _scan(pages, out: str) -> None:
    images = [
        pdfium.PdfDocument(CORPUS / name)[page - 1].render(scale=150 / 72).to_pil().convert("L") for name, page in pages
    ]
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])


def _amounts(lines, page: int) -> Counter:
    return Counter(
        c.replace(" ", "").replace(",", "")
        for ln in lines
        if ln.page == page
        for c in ln.cells
        if _AMOUNT.match(c.replace(" ", ""))
    )


def _hough_skew(gray, st) -> float:
    """The skew as the reader found it before: a Hough transform over the half-size page."""
    import cv2
    import numpy as np

    gray = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    w = gray.shape[1]
    binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    lines = cv2.HoughLinesP(binary, 1, np.pi / 1800, threshold=w // 4, minLineLength=w // 4, maxLineGap=8)
    angles = [
        math.degrees(math.atan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in ([] if lines is None else lines.reshape(-1, 4))
    ]
    angles = [a for a in angles if abs(a) <= st.max_skew_deg]
    return float(np.median(angles)) if angles else 0.0


def _run(config: str, path: str, pages) -> dict:
    """One config in this process: CPU and amounts found / in the text layer, page by page."""
    st = CONFIGS[config]
    if config == "before":
        ocr._skew = _hough_skew
    ocr._ocr_engine(st)  # models loaded once, outside the pages' times
    doc = pdfium.PdfDocument(path)
    out = []
    for i, (name, page) in enumerate(pages):
        t = _cpu()
        lines = _page_lines(ocr.ocr_page(doc, i, st), 1, ocr=True)
        cpu = _cpu() - t
        want, got = _amounts(read_pdf(CORPUS / name).lines, page), _amounts(lines, i + 1)
        out.append({"cpu": cpu, "found": sum((want & got).values()), "total": sum(want.values())})
    return {"pages": out, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def _child(config: str, path: str, pages) -> dict:
    cmd = [sys.executable, __file__, "--child", config, path, json.dumps(pages)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def _line(label: str, pages: list[dict]) -> str:
    cpu = [p["cpu"] for p in pages]
    found, total = sum(p["found"] for p in pages), sum(p["total"] for p in pages)
    return f"{' '.join(f'{v:.2f}' for v in cpu)}  median {statistics.median(cpu):.2f} max {max(cpu):.2f}; {label} {found}/{total}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=len(PAGES), help="only the first N corpus pages")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        config, path, pages = args.child
        print(json.dumps(_run(config, path, [tuple(p) for p in json.loads(pages)])))
        return
    corpus, gold = PAGES[: args.pages], _gold_scan()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scan.pdf")
        _scan(corpus + gold, path)
        load = os.getloadavg()
        res = {c: _child(c, path, corpus + gold) for c in CONFIGS}
        load_after = os.getloadavg()[0]
    print(
        f"load average {load[0]:.1f} (5 min {load[1]:.1f}) → {load_after:.1f} on {os.cpu_count()} CPUs; "
        f"{len(corpus)} corpus pages + {len(gold)} of the gold scan, at 150 dpi, read at {OCR.dpi:.0f} dpi"
    )
    n = len(corpus)
    for c, r in res.items():
        print(f"{c:6} CPU s/page: {_line('amounts', r['pages'][:n])}; gold scan amounts ", end="")
        gp = r["pages"][n:]
        print(f"{sum(p['found'] for p in gp)}/{sum(p['total'] for p in gp)}; peak RSS {r['rss']} MiB")
    now = [p["cpu"] for p in res["now"]["pages"]]
    before = [p["cpu"] for p in res["before"]["pages"]]
    print(
        f"ratio before/now {statistics.median(before) / statistics.median(now):.2f}x; "
        f"budget 5 s/page: {'met' if max(now) <= 5 else 'NOT met'} (max {max(now):.2f})"
    )


if __name__ == "__main__":
    main()
