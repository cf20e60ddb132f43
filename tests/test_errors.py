"""A refused file carries the code of its refusal beside its one-line message, across the reader's child
process and into the ingest's outcome; the message names the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from budgetwatch.errors import Code, InputError
from budgetwatch.pipeline import ingest_one
from budgetwatch.read.formats import read_source
from budgetwatch.store.db import open_db

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "一般公共预算")
    return path


def _file(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


CASES = [
    (_file("empty.txt", b""), Code.empty, "empty file"),
    (_file("bin.txt", bytes(range(256)) * 8), Code.binary, "binary data"),
    (lambda d: _zip(d / "archive.pdf"), Code.wrong_format, "a ZIP archive, not an XLSX workbook"),
    (lambda d: HOSTILE / "encrypted.pdf", Code.encrypted, "encrypted PDF"),
    (lambda d: d, Code.unreadable, "is a directory"),
]


@pytest.mark.parametrize("make,code,words", CASES, ids=[c[1].value for c in CASES])
def test_a_refusal_has_its_code_and_its_one_line(make, code, words, tmp_path):
    path = make(tmp_path)
    if not path.exists():
        pytest.skip(f"{path} missing")
    with pytest.raises(InputError) as e:
        read_source(path)
    assert e.value.code is code and words in str(e.value) and str(e.value).startswith(str(path))
    assert "\n" not in str(e.value) and code.zh


def test_the_ingest_outcome_keeps_the_code(tmp_path):
    engine = open_db(f"sqlite:///{tmp_path / 'bw.db'}")
    prose = tmp_path / "letter.txt"
    prose.write_text("各位代表：\n" + "今年的工作很多，我们会继续努力，把各项工作做得更好。\n" * 30, encoding="utf-8")
    out = ingest_one(engine, [prose], check=True)
    assert out.status == "failed" and out.code is Code.not_a_disclosure
    assert out.message == f"{prose}: not a budget disclosure: no budget table or performance form found"


def test_each_code_has_its_http_status_and_the_cli_says_its_label():
    """The web answers a refusal by its kind — the content unusable 422, a kind not read 415, too large 413,
    the checks failing (the server's fault) 500 — and the CLI's one line says the code's label."""
    import subprocess
    import sys

    from budgetwatch.errors import NotFound, Refusal

    assert [Code.encrypted.http_status, Code.wrong_format.http_status, Code.too_large.http_status] == [422, 415, 413]
    assert Code.checks_failed.http_status == 500 and Code.other.http_status == 400
    assert InputError("a.pdf", "encrypted PDF", Code.encrypted).http_status == 422
    assert Refusal("a.pdf: 不符", Code.wrong_format).http_status == 415 and isinstance(Refusal("x"), ValueError)
    assert NotFound("finding", [7]).http_status == 404 and str(NotFound("finding", [7])) == "no finding with id 7"
    pdf = HOSTILE / "encrypted.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} missing")
    r = subprocess.run([sys.executable, "-m", "budgetwatch", "extract", str(pdf)], capture_output=True, text=True)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode != 0 and len(lines) == 1
    assert lines[0].startswith(f"budgetwatch: error ({Code.encrypted.zh}): {pdf}") and "encrypted PDF" in lines[0]
