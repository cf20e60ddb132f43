"""Bad input: one clear line naming the file and the problem, exit code ≠ 0, nothing written."""

from __future__ import annotations

import codecs
import subprocess
import sys

import pytest

from budgetwatch.errors import InputError
from budgetwatch.extract import extract_files

from conftest import seed

BW = [sys.executable, "-m", "budgetwatch"]


def run(*args, cwd=None):
    return subprocess.run(BW + list(args), capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "empty file"),
        (b"   \n\n  ", "empty file"),
        (bytes(range(256)) * 40, "binary data"),
        (b"\x81\x30\xfe\xff\xc3\x28\x80\x80\x80abc" * 50, "undecodable bytes"),
        ("今天天气很好，我们去公园散步。\n".encode() * 20, "not a budget disclosure"),
    ],
)
def test_bad_input_one_line_error(tmp_path, content, problem):
    f = tmp_path / "input.txt"
    f.write_bytes(content)
    with pytest.raises(InputError) as e:
        extract_files([f])
    assert problem in str(e.value) and str(f) in str(e.value)
    r = run("extract", str(f), "--json")
    assert r.returncode != 0 and r.stdout == ""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(f) in lines[0] and problem in lines[0]


def test_missing_file(tmp_path):
    r = run("extract", str(tmp_path / "nope.txt"))
    assert r.returncode != 0 and "nope.txt" in r.stderr and "cannot read" in r.stderr


def test_ingest_of_bad_file_writes_no_document(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    db = tmp_path / "x.db"
    r = run("ingest", str(bad), "--db", f"sqlite:///{db}")
    assert r.returncode == 1 and "binary data" in r.stderr
    r = run("export", "--all", "--db", f"sqlite:///{db}")
    assert r.returncode == 0 and r.stdout.strip() == "[]"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_give_the_same_extraction(tmp_path, encoding):
    src = seed("001")
    text = src.read_text(encoding="utf-8")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        pytest.skip(f"{encoding} cannot encode this document")
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)
    f = tmp_path / src.name
    f.write_bytes(data)
    a, b = extract_files([f]).to_dict(), extract_files([src]).to_dict()
    a["source"] = b["source"] = None
    assert a == b
