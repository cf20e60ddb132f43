"""Hostile inputs: one clear line naming the file, exit ≠ 0, nothing written, bounded memory/time."""

import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus

DATA = Path(__file__).parent / "data"
CLI = [sys.executable, "-m", "budgetwatch"]


def _run(args, cwd):
    return subprocess.run(CLI + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def _bomb(path: Path, megabytes: int) -> None:
    """One page whose content stream inflates to `megabytes` MiB of spaces."""
    co = zlib.compressobj(9)
    data = b"".join(co.compress(b" " * (1 << 20)) for _ in range(megabytes)) + co.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    real = (CORPUS / "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(real[: len(real) // 2])
    with zipfile.ZipFile(d / "archive.pdf", "w") as z:
        z.writestr("a.txt", "not a pdf")
    big = pdfium.PdfDocument.new()
    for _ in range(2001):
        big.new_page(595, 842)
    big.save(d / "2001-pages.pdf")
    _bomb(d / "bomb.pdf", 3000)
    for name in ("encrypted.pdf", "zero-pages.pdf"):
        (d / name).write_bytes((DATA / "hostile" / name).read_bytes())
    return d


@pytest.mark.parametrize(
    "name, problem",
    [
        ("truncated.pdf", "damaged PDF"),
        ("archive.pdf", "a ZIP archive"),
        ("2001-pages.pdf", "2001 pages"),
        ("bomb.pdf", "decompression bomb"),
        ("encrypted.pdf", "encrypted PDF"),
        ("zero-pages.pdf", "damaged PDF"),
    ],
)
def test_hostile_pdf_gives_one_clear_error_and_writes_nothing(hostile, tmp_path, name, problem):
    r = _run(["extract", str(hostile / name)], tmp_path)
    assert r.returncode != 0 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and problem in lines[0]
    db = tmp_path / "bw.db"
    r = _run(["ingest", str(hostile / name), "--db", f"sqlite:///{db}"], tmp_path)
    assert r.returncode != 0 and name in r.stdout + r.stderr
    import sqlite3

    if db.exists():
        assert sqlite3.connect(db).execute("select count(*) from documents").fetchone()[0] == 0
