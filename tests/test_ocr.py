"""Scans: corpus table pages printed to an image-only PDF at 150 dpi with blur, noise and a slight
skew are read by OCR (the `budgetwatch[ocr]` extra, installed with the dev extra) and give back
the amounts of the text layer."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFilter

from budgetwatch.errors import InputError
from budgetwatch.extract.document import extract_files, extract_lines
from budgetwatch.read.formats import read_source
from budgetwatch.read.pdf_lines import read_pdf

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus

# dense and plain, ruled and lightly ruled, 元 and 6-decimal 万元, 预算 and 决算, four provinces
PAGES = [
    ("guangdong-foshan-guidaojiaotongju-2019-juesuan.pdf", 8),
    ("shaanxi-xian-minzhengju-2021-yusuan.pdf", 42),
    ("jilin-changchun-xinfangju-2026-yusuan.pdf", 11),
    ("beijing-shi-weijianwei-2026-yusuan.part2-tables.pdf", 21),
]
_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$|^-?\d{1,3}(?:,\d{3})+$")


def _amounts(lines, page: int) -> list[str]:
    return [
        c.replace(" ", "").replace(",", "")
        for ln in lines
        if ln.page == page
        for c in ln.cells
        if _AMOUNT.match(c.replace(" ", ""))
    ]


def _scan(name: str, page: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = pdfium.PdfDocument(CORPUS / name)[page - 1].render(scale=150 / 72).to_pil().convert("L")
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    img = img.rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC, fillcolor=255)
    noisy = np.asarray(img).astype(np.float32) + rng.normal(0, 12, size=(img.height, img.width))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "scanned.pdf"
    images = [_scan(name, page, seed) for seed, (name, page) in enumerate(PAGES)]
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


@pytest.fixture(scope="module")
def ocr_source(scanned):
    return read_source(scanned)  # the text layer child, then the OCR child


def test_scanned_pages_recover_98_percent_of_amounts(scanned, ocr_source):
    assert read_pdf(scanned).ocr_pages == [1, 2, 3, 4]  # no text layer at all
    src = ocr_source
    assert src.ocr_read and all(ln.ocr for ln in src.lines)
    found = total = 0
    for k, (name, page) in enumerate(PAGES, start=1):
        want = Counter(_amounts(read_pdf(CORPUS / name).lines, page))
        got = Counter(_amounts(src.lines, k))
        found += sum((want & got).values())
        total += sum(want.values())
    assert total > 500
    assert found / total >= 0.98, f"{found}/{total}"


def test_scanned_figures_reach_the_model_marked_ocr(ocr_source):
    doc = extract_lines(ocr_source.lines, "pdf")
    rows = [r for t in doc.tables for r in t.rows if r.values]
    assert rows and all(r.ocr for r in rows)
    assert {r.page for r in rows} >= {1, 2, 3, 4}
    income = next(t for t in doc.tables if t.kind == "income" and t.location.get("page") == 1)
    assert income.title == "收入决算表"
    row = next(r for r in income.rows if r.code == "2140101")  # Foshan 决算: 行政运行
    assert row.name == "行政运行" and row.values["total"] == 609.30 and row.page == 1


def test_without_the_extra_the_error_names_the_pages(scanned, monkeypatch):
    import budgetwatch.read.ocr as ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(InputError) as e:
        extract_files([scanned])
    assert "page 1, 2, 3, 4" in str(e.value) and "budgetwatch[ocr]" in str(e.value)


def test_a_partly_scanned_pdf_without_the_extra_warns_and_keeps_the_text_pages(scanned, tmp_path, monkeypatch):
    import budgetwatch.read.ocr as ocr
    from budgetwatch.extract.document import UnreadPagesWarning

    monkeypatch.setattr(ocr, "available", lambda: False)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"), [5])  # 收支总表
    mixed.import_pages(pdfium.PdfDocument(scanned), [0])
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    with pytest.warns(UnreadPagesWarning, match="page 2 without a text layer not read"):
        doc = extract_files([path])
    assert [t.kind for t in doc.tables][:1] == ["summary"] and {r.page for t in doc.tables for r in t.rows} == {1}


def test_ocr_boxes_are_plain_floats_so_extract_json_can_write_them():
    """RapidOCR gives numpy boxes; a numpy scalar in a row's box made `extract --json` crash."""
    import json

    import numpy as np

    from budgetwatch.read.ocr import _glyphs

    boxes = np.array([[[10.0, 20.0], [60.0, 20.0], [60.0, 32.0], [10.0, 32.0]]], dtype=np.float32)
    glyphs = _glyphs(boxes, ["1,234.50"], 2.0)
    assert "".join(g.ch for g in glyphs) == "1,234.50"
    assert all(type(v) is float for g in glyphs for v in (g.x0, g.x1, g.top, g.bottom))
    json.dumps([[g.x0, g.top, g.x1, g.bottom] for g in glyphs])


def test_extract_json_of_a_scan_carries_its_ocr_rows(tmp_path):
    """`budgetwatch extract --json` on an image-only PDF (pp.10 and 16 of 上海市中医文献馆 2026 rasterised at
    150 dpi, as the gold set's scan): the OCR rows come out as JSON, meta read off the pages themselves."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "tools"))
    import gold_draft

    scan = tmp_path / "scan.pdf"
    gold_draft.rasterise(str(CORPUS / "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf"), [10, 16], str(scan))
    r = subprocess.run([sys.executable, "-m", "budgetwatch", "extract", str(scan), "--json"], capture_output=True)
    assert r.returncode == 0, r.stderr.decode()[-400:]
    doc = json.loads(r.stdout)
    doc = doc[0] if isinstance(doc, list) else doc
    # 编制单位：上海市中医文献馆; 2026年预算单位财政拨款收支预算总表 (a unit's budget); 2026年单位“三公”经费…
    assert [doc[k] for k in ("unit", "year", "stage", "scope")] == ["上海市中医文献馆", 2026, "budget", "unit"]
    fiscal, three = doc["tables"]
    rows = {(r["side"], r["name"]): r["values"] for r in fiscal["rows"]}
    assert rows[("income", "收入总计")] == {"total": 26935500.0}
    assert rows[("expenditure", "卫生健康支出")] == {"total": 22058264.0, "gpb": 22058264.0}
    assert {r["name"]: r["values"]["total"] for r in three["rows"]}["合计"] == 3.48
    assert all(r.get("ocr") for t in doc["tables"] for r in t["rows"])


def test_the_skew_is_found_from_the_rulings_of_each_scanned_page():
    """The angle each test page was turned by (`_scan`), found again within a tenth of a degree, on lightly
    ruled pages too (Beijing p.21: its thin rulings break into pieces under the noise)."""
    from budgetwatch.read.ocr import _skew
    from budgetwatch.read.settings import OCR

    for seed, (name, page) in enumerate(PAGES):
        turned = np.random.default_rng(seed).uniform(-1.2, 1.2)
        img = _scan(name, page, seed)
        img = img.resize((round(img.width * OCR.dpi / 150), round(img.height * OCR.dpi / 150)))
        assert abs(_skew(np.asarray(img), OCR) + turned) < 0.1, (name, turned)


def test_text_found_on_the_shrunk_page_is_cut_at_the_column_rulings(tmp_path):
    """Text lines are found on the page shrunk to `OCR.detect_side`, where the gap between an amount and the
    next column's name closes (上海市中医文献馆 p.10: one box `26,935,500一、社会保障和就业支出`); the ruling
    between them cuts it, and each cell keeps its own text."""
    from budgetwatch.read.ocr import ocr_page
    from budgetwatch.read.pdf_lines import _page_lines

    path = tmp_path / "scan.pdf"
    img = pdfium.PdfDocument(CORPUS / "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf")[9].render(
        scale=150 / 72
    )
    img.to_pil().convert("L").save(path, "PDF", resolution=150)
    lines = _page_lines(ocr_page(pdfium.PdfDocument(path), 0), 1, ocr=True)
    first = next(ln.cells for ln in lines if ln.cells and ln.cells[0] == "一、一般公共预算资金")
    assert first[:5] == ("一、一般公共预算资金", "26,935,500", "一、社会保障和就业支出", "4,048,577", "4,048,577")
