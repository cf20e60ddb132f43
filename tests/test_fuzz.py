"""Fuzzing the readers, the extractor, the checks and the store with inputs generated from real files: the
samples and a few corpus files read in place, truncated, bit-flipped, spliced, re-encoded, inflated and
given absurd numbers. Seeded: a failure names its case, and the same case comes back on every run.

Every case must end in a document or in one InputError line naming the file — never another exception
(a traceback for the user) — with bounded memory; documents are checked (no rule may crash) and a sample
is stored (a refused file stores nothing). A sample of cases goes through the real CLI too."""

from __future__ import annotations

import io
import json
import random
import re
import resource
import sqlite3
import subprocess
import sys
import traceback
from functools import cache
from pathlib import Path

import pytest

from budgetwatch.checks import run_checks
from budgetwatch.errors import InputError
from budgetwatch.extract.document import extract_files
from budgetwatch.read import formats as source_mod
from budgetwatch.read.formats import sniff

from conftest import CORPUS, SEEDS

SEED = 19
CHUNKS = 16  # the cases are split so xdist can share them out
PER_SEED = {"text": 170, "html": 150, "xlsx": 150, "pdf": 100}  # 3 texts, 1 HTML, 1 XLSX, 2 PDFs: 1,010 cases
CLI_EVERY = 40  # one case in 40 also through `budgetwatch ingest` (a subprocess)
STORE_EVERY = 8  # one case in 8 stored (ingest_one with its checks) in an SQLite database
MEM_LIMIT_MB = 3072  # the test process and the readers' children stay below this
CLI = [sys.executable, "-m", "budgetwatch"]
CORPUS_PDFS = (
    "shanghai-shi-zhongyiwenxianguan-2026-danwei-yusuan.pdf",
    "jiangsu-sheng-shengweibangongting-2018-yusuan.part2-tables.pdf",
)
CORPUS_HTML = "yunnan-kunming-shenjiju-2026-yusuan.html"
ABSURD = [
    "9" * 200 + ".00",
    "1e308",
    "-0",
    "NaN",
    "∞",
    "1,2,3,4.5.6",
    "0." + "0" * 300 + "1",
    "99999999999999999999.99",
    "-" + "8" * 40,
    "１２３．４５",
    "1.5E+30",
    "(" * 50 + "1" + ")" * 50,
]
_AMOUNT = re.compile(rb"\d[\d,]*\.\d{2}")
PROGRESS = re.compile(r"^入库 \d+/\d+ 个文件$")  # ingest's progress line in a log (not an error)


@cache
def seeds(folder: str) -> dict[str, list[tuple[str, bytes]]]:
    """Seed files by kind: the samples, and (when present) corpus files; the XLSX is built from a sample's
    rows and the PDFs are the first pages of corpus PDFs, to keep each read short."""
    tmp = Path(folder)
    out = {"text": [(p.name, p.read_bytes()) for p in SEEDS], "html": [], "xlsx": [], "pdf": []}
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in SEEDS[1].read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in (line.split("|")[1:-1] if line.strip().startswith("|") else [line])]
        ws.append([float(c.replace(",", "")) if re.fullmatch(r"-?[\d,]+\.\d+", c) else c for c in cells])
    buf = io.BytesIO()
    wb.save(buf)
    out["xlsx"].append(("sample.xlsx", buf.getvalue()))
    if CORPUS.is_dir():
        out["html"].append((CORPUS_HTML, (CORPUS / CORPUS_HTML).read_bytes()))
        import pypdfium2 as pdfium

        for name in CORPUS_PDFS:
            src = pdfium.PdfDocument(str(CORPUS / name))
            part = pdfium.PdfDocument.new()
            part.import_pages(src, list(range(min(3, len(src)))))
            path = tmp / f"first-pages-{name}"
            part.save(path)
            out["pdf"].append((path.name, path.read_bytes()))
    return out


# ---- mutations: each takes (rng, bytes, kind) and returns bytes ----


def truncate(rng, data, kind):
    return data[: rng.randrange(0, max(1, len(data)))]


def flip_bits(rng, data, kind):
    b = bytearray(data)
    for _ in range(rng.choice((1, 2, 8, 64, 512))):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def splice(rng, data, kind):
    """Delete, repeat or overwrite a chunk with random bytes."""
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randrange(1, 4096))
    op = rng.randrange(3)
    if op == 0:
        return data[:i] + data[j:]
    if op == 1:
        return data[:j] + data[i:j] * rng.randrange(2, 20) + data[j:]
    return data[:i] + rng.randbytes(j - i) + data[j:]


def reencode(rng, data, kind):
    text = data.decode("utf-8", errors="replace")
    enc = rng.choice(
        [
            "latin-1",
            "big5",
            "shift_jis",
            "euc-kr",
            "cp1252",
            "utf-16-le",
            "utf-16-be",
            "utf-32",
            "koi8-r",
            "utf-7",
            "mojibake",
        ]
    )
    if enc == "mojibake":
        return text.encode("utf-8").decode("latin-1").encode("utf-8")
    return text.encode(enc, errors="replace")


def absurd_numbers(rng, data, kind):
    return _AMOUNT.sub(lambda m: rng.choice(ABSURD).encode() if rng.random() < 0.3 else m.group(0), data)


def inflate(rng, data, kind):
    """Bombs within the size limits: repeated content, one enormous line or row, spans, nesting, NULs."""
    op = rng.randrange(5)
    if op == 0:
        return data * rng.randrange(5, 30)
    if op == 1:
        return (
            data
            + b"\n"
            + rng.choice([b"\t", b"|", "一般公共预算".encode(), b"1,", b"<td>"]) * rng.randrange(10**4, 10**6)
        )
    if op == 2 and kind in ("html", "text"):
        cell = b'<td colspan="%d" rowspan="%d">1</td>' % (rng.randrange(1, 10**6), rng.randrange(1, 10**6))
        return b"<html><body><table>" + (b"<tr>" + cell * rng.randrange(1, 300) + b"</tr>") * 50 + b"</table>" + data
    if op == 3:
        n = rng.randrange(100, 20000)
        return b"<html><body>" + b"<div>" * n + data + b"</div>" * n
    return data.replace(b"\n", b"\n\x00", rng.randrange(1, 1000))


MUTATIONS = [truncate, flip_bits, splice, reencode, absurd_numbers, inflate]
WEIGHTS = {
    "text": [2, 3, 3, 2, 3, 1],
    "html": [2, 3, 3, 2, 3, 1],
    "xlsx": [3, 4, 3, 0, 0, 1],
    "pdf": [3, 4, 3, 0, 0, 1],
}


def cases() -> list[tuple[int, str, int, str]]:
    """(case number, kind, seed index, mutation names) for every case, the same on every run."""
    rng = random.Random(SEED)
    out = []
    counts = {"text": len(SEEDS), "html": 1, "xlsx": 1, "pdf": len(CORPUS_PDFS)}
    for kind, per in PER_SEED.items():
        for s in range(counts[kind]):
            for _ in range(per):
                muts = rng.choices(MUTATIONS, WEIGHTS[kind], k=rng.choice((1, 1, 2)))
                out.append((len(out), kind, s, "+".join(m.__name__ for m in muts)))
    return out


CASES = cases()
NAMES = {m.__name__: m for m in MUTATIONS}


def make(tmp: Path, case) -> Path | None:
    n, kind, s, muts = case
    available = seeds(str(tmp.parent))[kind]
    if s >= len(available):
        return None  # a corpus seed, and the corpus is absent
    name, data = available[s]
    rng = random.Random(f"{SEED}-{n}")
    for m in muts.split("+"):
        data = NAMES[m](rng, data, kind) if data else data
    path = tmp / f"case{n:04d}-{muts}-{name}"
    path.write_bytes(data)
    return path


def read_in_process(path: Path):
    """The reader picked by the bytes, called in this process (the bounded child is tested by the CLI cases)."""
    fmt = sniff(path)
    if fmt == "pdf":  # PDFium is C: a file that crashes it must crash a child, not the test
        return source_mod.read_source(path)
    return source_mod.BY_NAME[fmt].read_function()(str(path))


def run_case(path: Path, engine=None) -> str | None:
    """None when the case ended as it must, else what went wrong."""
    try:
        src = read_in_process(path)
        doc = extract_files([path], {path: src})
    except InputError as e:
        msg = str(e)
        if "\n" in msg or str(path) not in msg or not e.problem.strip():
            return f"not one line naming the file: {msg[:300]!r}"
        return _stored(engine, path, expect_failure=True) if engine is not None else None
    except Exception:
        return "traceback: " + "".join(traceback.format_exc().splitlines(True)[-3:])
    try:
        json.dumps(doc.to_dict(), ensure_ascii=False)  # (a 400-digit amount is Infinity: the store refuses it)
    except ValueError as e:
        return f"the document's JSON is not valid: {e}"
    crashed = [f.message for f in run_checks(doc) if f.evidence.get("claim") == "rule-failed"]
    if crashed:
        return "a rule crashed: " + crashed[0][:300]
    return _stored(engine, path, expect_failure=False) if engine is not None else None


def _stored(engine, path: Path, expect_failure: bool) -> str | None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from budgetwatch.pipeline import ingest_one
    from budgetwatch.store.schema import Version

    with Session(engine) as s:
        before = s.scalar(select(func.count(Version.id)))
    out = ingest_one(engine, [path], check=True)
    with Session(engine) as s:
        after = s.scalar(select(func.count(Version.id)))
    if out.status == "failed":
        if after != before:
            return f"a failed ingest stored a version: {out.message}"
        if "\n" in out.message or path.name not in out.message:
            return f"ingest failure not one line naming the file: {out.message[:300]!r}"
        if not expect_failure and "database error" in out.message:
            return f"stored document failed in the database: {out.message[:300]}"
        return None
    if expect_failure:
        return f"read failed but ingest stored it: {out.status}"
    return None


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_fuzzed_inputs_end_in_a_document_or_one_clear_line(chunk, tmp_path):
    from budgetwatch.store.db import open_db

    engine = open_db(f"sqlite:///{tmp_path / 'fuzz.db'}")
    mine = [c for c in CASES if c[0] % CHUNKS == chunk]
    problems, ran = [], 0
    for case in mine:
        path = make(tmp_path, case)
        if path is None:
            continue
        ran += 1
        problem = run_case(path, engine if case[0] % STORE_EVERY == 0 else None)
        if problem:
            problems.append(f"case {case[0]} ({case[1]}, {case[3]}): {problem}")
        path.unlink()
    engine.dispose()
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    assert peak < MEM_LIMIT_MB * 1024, f"peak memory {peak // 1024} MiB"
    assert ran >= len(mine) // 2 and not problems, "\n".join(problems)


def test_the_suite_has_a_thousand_cases():
    assert len(CASES) >= 1000


@pytest.mark.parametrize("case", [c for c in CASES if c[0] % CLI_EVERY == 0], ids=lambda c: f"case{c[0]}-{c[3]}")
def test_fuzzed_inputs_through_the_cli(case, tmp_path):
    """The real command: exit ≠ 0 with exactly one line on stderr naming the file (or a stored document),
    no traceback, nothing stored for a refused file."""
    path = make(tmp_path, case)
    if path is None:
        pytest.skip("corpus absent")
    db = tmp_path / "bw.db"
    r = subprocess.run(
        CLI + ["ingest", str(path), "--db", f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    versions = sqlite3.connect(db).execute("select count(*) from document_versions").fetchone()[0]
    if r.returncode == 0:
        assert versions == 1
        return
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not PROGRESS.match(ln)]
    assert len(lines) == 1 and path.name in lines[0], r.stderr[-3000:]
    assert versions == 0
