"""CPU seconds per scanned page: budgetwatch's OCR (read/ocr.py as `extract` runs it) vs the same pipeline
with RapidOCR's default engine settings (a thread pool, the skew found on the full page), in one run, on
corpus table pages rasterised to an image-only PDF at 150 dpi; with the load it ran under and peak memory.
The issue's budget is 5 s of CPU a page.

    python benchmarks/ocr_throughput.py [--pages N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from budgetwatch.read import ocr

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
# dense and plain, ruled and lightly ruled, 元 and 6-decimal 万元, 预算 and 决算 (as tests/test_ocr.py)
PAGES = [
    ("guangdong-foshan-guidaojiaotongju-2019-juesuan.pdf", 8),
    ("shaanxi-xian-minzhengju-2021-yusuan.pdf", 42),
    ("jilin-changchun-xinfangju-2026-yusuan.pdf", 11),
    ("beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf", 21),
    ("shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf", 10),
]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _scan(pages, out: str) -> None:
    images = [
        pdfium.PdfDocument(CORPUS / name)[page - 1].render(scale=150 / 72).to_pil().convert("L") for name, page in pages
    ]
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])


def _per_page(path: str) -> list[float]:
    doc = pdfium.PdfDocument(path)
    out = []
    for i in range(len(doc)):
        t = _cpu()
        ocr.ocr_page(doc, i)
        out.append(_cpu() - t)
    return out


def _defaults():
    """RapidOCR's own engine settings and the skew found on the full page: the baseline."""
    from rapidocr import RapidOCR

    engine = RapidOCR(
        params={"Global.log_level": "warning", "Global.use_cls": False, "Global.max_side_len": ocr.MAX_SIDE}
    )
    skew = ocr._skew
    return engine, lambda gray: skew(gray, 1.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=len(PAGES), help="only the first N pages")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scan.pdf")
        _scan(PAGES[: args.pages], path)
        load = os.getloadavg()[0]
        ocr._ocr_engine()  # models loaded once, outside the pages' times
        ours = _per_page(path)
        ocr._engine, ocr._skew = _defaults()
        base = _per_page(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"load average {load:.1f} on {os.cpu_count()} CPUs; {len(ours)} pages at 150 dpi, read at {ocr.SCALE * 72:.0f} dpi"
    )
    print("budgetwatch CPU s/page:", " ".join(f"{v:.2f}" for v in ours), f"median {statistics.median(ours):.2f}")
    print("baseline    CPU s/page:", " ".join(f"{v:.2f}" for v in base), f"median {statistics.median(base):.2f}")
    print(
        f"ratio baseline/budgetwatch {statistics.median(base) / statistics.median(ours):.2f}x; "
        f"budget 5 s/page: {'met' if max(ours) <= 5 else 'NOT met'} (max {max(ours):.2f}); peak RSS {peak} MiB"
    )


if __name__ == "__main__":
    main()
