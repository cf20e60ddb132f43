"""ms per PDF page: budgetwatch (read + layout + extract, as `extract` runs it) vs a plain pdfplumber
`extract_text()` + `extract_tables()` baseline, on the same corpus files, in one run; with peak memory.
Times are CPU seconds (this process and the reader's child together), so a loaded machine does not
inflate them; wall time is printed beside the medians.

    python benchmarks/pdf_throughput.py [--files N] [FOLDER]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import pypdfium2 as pdfium

from budgetwatch.extract import extract_files
from budgetwatch.read.pdf_lines import read_pdf

WALL: dict[str, list[float]] = {"ours": [], "base": []}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the guarded reader)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, path: Path, wall: list[float] | None = None) -> float:
    c, t = _cpu(), time.perf_counter()
    fn(path)
    if wall is not None:
        wall.append(time.perf_counter() - t)
    return _cpu() - c


def _ours(path: Path) -> float:
    return _timed(lambda p: extract_files([p]), path, WALL["ours"])


def _ours_inprocess(path: Path) -> float:
    return _timed(read_pdf, path)


def _plumb(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()


def _baseline(path: Path) -> float:
    return _timed(_plumb, path, WALL["base"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(Path(__file__).parent.parent.parent / "shared" / "corpus"))
    ap.add_argument("--files", type=int, default=0, help="only the first N files (0: all)")
    args = ap.parse_args()
    files = sorted(Path(args.folder).glob("*.pdf"))
    if args.files:
        files = files[: args.files]
    ours, inproc, base = [], [], []
    pages_total = 0
    for f in files:
        n = len(pdfium.PdfDocument(str(f)))
        pages_total += n
        try:
            ours.append(_ours(f) * 1000 / n)
        except Exception:  # a narrative-only file is not a document on its own
            ours.append(_timed(read_pdf, f, WALL["ours"]) * 1000 / n)
        inproc.append(_ours_inprocess(f) * 1000 / n)
        base.append(_baseline(f) * 1000 / n)
        print(f"{f.name[:55]:55} {n:4d} p  budgetwatch {ours[-1]:7.1f} ms/p  baseline {base[-1]:7.1f} ms/p  (CPU)")
    mo, mb = statistics.median(ours), statistics.median(base)
    wo, wb = sum(WALL["ours"]) * 1000 / pages_total, sum(WALL["base"]) * 1000 / pages_total
    print(f"\n{len(files)} files, {pages_total} pages")
    print(
        f"median CPU ms/page: budgetwatch {mo:.1f} (reading alone {statistics.median(inproc):.1f}), "
        f"pdfplumber baseline {mb:.1f}; baseline/budgetwatch = {mb / mo:.1f}x"
    )
    print(f"wall ms/page over all pages: budgetwatch {wo:.1f}, baseline {wb:.1f}")
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"peak memory: this process {self_kb / 1024:.0f} MiB (includes the baseline), "
        f"largest reader child {child_kb / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
