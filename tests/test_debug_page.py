"""`budgetwatch debug-page` on real corpus pages: the PNG is the page at its size, and the cell boxes drawn
are the cells the reader hands on (the boxes of its lines on that page), drawn where they are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from budgetwatch.read.debug_page import CELL, GRID, debug_page
from budgetwatch.read.formats import read_source

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
RULED = CORPUS / "beijing-shi-jiaowei-2026-yusuan.part2-tables.pdf"  # a ruled 收入总表 on page 3
UNRULED = CORPUS / "guangdong-zhuhai-shangwuju-2026-yusuan.pdf"  # tables without rulings


def _reader_boxes(path: Path, page: int) -> set[tuple]:
    return {tuple(b) for ln in read_source(path).lines if ln.page == page for b in (ln.boxes or ()) if b is not None}


@pytest.mark.parametrize("path,page,scale", [(RULED, 3, 2.0), (UNRULED, 5, 1.5)])
def test_the_drawing_is_the_page_and_its_cells_are_the_readers(path, page, scale, tmp_path):
    if not path.exists():
        pytest.skip(f"{path.name} not in ../shared/corpus")
    pdfplumber = pytest.importorskip("pdfplumber")
    out = tmp_path / "page.png"
    d = debug_page(path, page, out, scale)
    with pdfplumber.open(path) as pdf:  # an independent reading of the page's size
        p = pdf.pages[page - 1]
        want = (p.width * scale, p.height * scale)
    img = Image.open(out).convert("RGB")
    assert img.size == d.size
    assert all(abs(got - w) <= 1 for got, w in zip(img.size, want)), (img.size, want)
    reader = _reader_boxes(path, page)
    assert reader and set(d.cells) == reader
    for x0, top, x1, _bottom in reader:  # each cell's outline is drawn at its place, over everything else
        assert img.getpixel((round(x0 * scale), round(top * scale))) == CELL
        assert img.getpixel((round(x1 * scale), round(top * scale))) == CELL


def test_a_ruled_page_shows_its_grid(tmp_path):
    if not RULED.exists():
        pytest.skip(f"{RULED.name} not in ../shared/corpus")
    d = debug_page(RULED, 3, tmp_path / "p3.png")
    assert d.rulings > 0 and len(d.grids) == 1
    xs, ys = d.grids[0]
    img = Image.open(tmp_path / "p3.png").convert("RGB")
    # the grid's outer frame is drawn, and every cell drawn lies inside it
    x_mid = round((xs[0] + xs[-1]) / 2 * d.scale)
    assert GRID in {img.getpixel((x_mid, round(ys[-1] * d.scale) + dy)) for dy in (-1, 0, 1)}
    assert all(xs[0] - 1 <= b[0] and b[2] <= xs[-1] + 1 and ys[0] - 1 <= b[1] and b[3] <= ys[-1] + 1 for b in d.cells)


def test_the_command_writes_the_png_and_refuses_what_is_not_a_pdf(tmp_path):
    if not RULED.exists():
        pytest.skip(f"{RULED.name} not in ../shared/corpus")
    cli = [sys.executable, "-m", "budgetwatch", "debug-page"]
    out = tmp_path / "d.png"
    r = subprocess.run(cli + [str(RULED), "--page", "3", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0 and out.exists() and f"{len(_reader_boxes(RULED, 3))} cells" in r.stdout, r.stderr
    text = tmp_path / "a.txt"
    text.write_text("一般公共预算\n", encoding="utf-8")
    r = subprocess.run(cli + [str(text), "--page", "1"], capture_output=True, text=True)
    assert r.returncode == 2 and "not a PDF" in r.stderr and r.stderr.count("\n") == 1
    r = subprocess.run(cli + [str(RULED), "--page", "5000", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and "page 5000" in r.stderr
