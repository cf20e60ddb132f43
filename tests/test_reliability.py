"""Reliability under hostile input: every reader bounded (memory, CPU time — not wall time), size and cell
limits with one clear line, nothing stored unless reading, extraction and checks all complete, a failing
rule reported for its document only, no rule super-linear in the length of a sentence."""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from budgetwatch import pipeline
from budgetwatch.checks import RULES, run_checks
from budgetwatch.errors import InputError
from budgetwatch.extract import extract_files
from budgetwatch.pipeline import ingest_one
from budgetwatch.read import guard
from budgetwatch.read.formats import read_source
from budgetwatch.store.schema import DocumentRecord, Version

from conftest import SAMPLES, seed

CLI = [sys.executable, "-m", "budgetwatch"]


def one_error_line(args, cwd, name, problem, timeout=180):
    r = subprocess.run(CLI + args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert any(name in ln and problem in ln for ln in lines), r.stderr[-2000:]
    return r, lines


def _burn(path, seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return path


def _wait(path, seconds):
    time.sleep(seconds)
    return path


def test_guard_counts_cpu_time_not_wall_time():
    # a child that waits (a loaded machine, a slow disk) is not killed by a CPU limit it does not use
    assert guard.run_guarded(_wait, "slow.pdf", 2.5, seconds=1) == "slow.pdf"
    with pytest.raises(InputError, match=r"slow\.pdf: reading used more than 1 s of CPU"):
        guard.run_guarded(_burn, "slow.pdf", 30, seconds=1)


def test_guard_without_resource_module_reads_in_a_spawned_child(monkeypatch):
    """Windows has no `resource`: the reader still runs in a child, under a wall-clock limit."""
    monkeypatch.setattr(guard, "resource", None)
    src = read_source(seed("001"))
    assert src.format == "text" and len(src.lines) > 100


def _xlsx_with_sheet(path, sheet_xml: bytes):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))


SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bombs")
    cell = '<td colspan="200" rowspan="200">1</td>'
    (d / "colspan.html").write_text(
        "<html><body><table>" + ("<tr>" + cell * 200 + "</tr>") * 40 + "</table></body></html>"
    )
    _xlsx_with_sheet(
        d / "1.2M-cells.xlsx",
        SHEET
        + b"".join(
            b'<row r="%d">' % r
            + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in (b"A", b"B", b"C", b"D"))
            + b"</row>"
            for r in range(1, 300_002)
        )
        + b"</sheetData></worksheet>",
    )
    _xlsx_with_sheet(
        d / "merged.xlsx",
        SHEET + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
        b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>',
    )
    _xlsx_with_sheet(
        d / "sparse.xlsx",
        SHEET + b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
        b'<c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    )
    text = seed("001").read_text(encoding="utf-8")
    (d / "huge.txt").write_text(text * (17 * 1024 * 1024 // len(text.encode()) + 1), encoding="utf-8")
    return d


@pytest.mark.parametrize(
    "name, problem",
    [
        ("colspan.html", "colspan/rowspan bomb"),
        ("1.2M-cells.xlsx", "cells of a disclosure workbook"),
        ("merged.xlsx", "cells of a disclosure workbook"),
        ("sparse.xlsx", "1048576 rows × 16384 columns"),
        ("huge.txt", "too large for a text disclosure"),
    ],
)
def test_size_and_cell_bombs_give_one_clear_line_and_store_nothing(bombs, tmp_path, name, problem):
    with pytest.raises(InputError, match=re.escape(problem)):
        read_source(bombs / name)
    one_error_line(["extract", str(bombs / name)], tmp_path, name, problem)
    db = tmp_path / "bw.db"
    one_error_line(["ingest", str(bombs / name), "--db", f"sqlite:///{db}"], tmp_path, name, problem)
    assert sqlite3.connect(db).execute("select count(*) from document_versions").fetchone()[0] == 0


def test_an_xlsx_whose_member_name_is_flagged_utf8_but_is_not_is_damaged(tmp_path):
    """A flipped byte in a member name whose UTF-8 flag is set made zipfile raise UnicodeDecodeError
    (fuzz case 673) and `extract` print a traceback."""
    path = tmp_path / "flagged.xlsx"
    _xlsx_with_sheet(path, SHEET + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last member's central-directory entry
    data[central + 9] |= 0x08  # flag bit 11 (high byte): the name is UTF-8
    data[central + 46] = 0x81  # …and its first byte is not
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged XLSX"):
        read_source(path)
    one_error_line(["extract", str(path)], tmp_path, "flagged.xlsx", "damaged XLSX")


def test_a_failing_rule_is_reported_for_its_document_and_the_others_run(monkeypatch):
    doc = extract_files([seed("001")])
    before = run_checks(doc)
    rule = RULES["A01"]

    def broken(view):
        raise OverflowError("numerical result out of range")
        yield  # pragma: no cover

    monkeypatch.setitem(RULES, "A01", type(rule)(**{**rule.__dict__, "fn": broken}))
    after = run_checks(doc)
    failed = [f for f in after if f.rule == "A01"]
    assert len(failed) == 1 and "未能完成" in failed[0].message and "OverflowError" in failed[0].message
    assert {f.fingerprint for f in before if f.rule != "A01"} == {f.fingerprint for f in after if f.rule != "A01"}


def test_check_all_survives_a_poisoned_document(tmp_path):
    db = tmp_path / "bw.db"
    url = f"sqlite:///{db}"
    r = subprocess.run(CLI + ["ingest", str(SAMPLES), "--db", url, "--no-check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)  # a row no reading makes (a hand-edited or damaged database): columns not a list
    con.execute("update tables set columns = '5' where version_id = 1")
    con.commit()
    r = subprocess.run(
        CLI + ["check", "--all", "--db", url, "--format", "json"], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    import json

    found = json.loads(r.stdout)
    assert {f["document"]["id"] for f in found} == {1, 2, 3}
    failed = [f for f in found if "未能完成" in f["message"]]
    assert failed and {f["document"]["id"] for f in failed} == {1}  # reported for that document only


def test_200_digit_amounts_refuse_the_document_on_both_back_ends(engine, tmp_path):
    lines = seed("001").read_text(encoding="utf-8").splitlines()
    for i, ln in enumerate(lines):
        if re.search(r"\d\.\d\d", ln):
            lines[i] = re.sub(r"\d[\d,]*\.\d\d", "9" * 200 + ".00", ln, count=1)
            break
    f = tmp_path / "absurd.txt"
    f.write_text("\n".join(lines), encoding="utf-8")
    out = ingest_one(engine, [f], check=True)
    assert out.status == "failed" and "absurd.txt" in out.message and "more than 18 digits" in out.message
    with Session(engine) as s:
        assert s.scalar(select(func.count(Version.id))) == 0


def test_a_document_whose_checks_fail_is_not_stored(engine, monkeypatch):
    def explode(*_a, **_k):
        raise RuntimeError("the checks broke")

    monkeypatch.setattr(pipeline, "check_in_session", explode)
    out = ingest_one(engine, [seed("001")], check=True)
    assert out.status == "failed" and "checks failed, nothing stored" in out.message
    with Session(engine) as s:
        assert s.scalar(select(func.count(Version.id))) == 0
        assert s.scalar(select(func.count(DocumentRecord.id))) == 0


def test_a_failing_upload_answers_json_and_does_not_become_the_newest_version(db_url, tmp_path, monkeypatch):
    from budgetwatch.web.app import create_app

    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url, cache=False)
    with TestClient(app) as client:
        with open(seed("001"), "rb") as f:
            assert client.post("/api/upload", files={"file": ("a.txt", f, "text/plain")}).status_code == 200
        changed = seed("001").read_bytes() + "\n补充说明。\n".encode()

        def explode(*_a, **_k):
            raise RuntimeError("the checks broke")

        monkeypatch.setattr(pipeline, "check_in_session", explode)
        r = client.post("/api/upload", files={"file": ("a.txt", changed, "text/plain")})
        assert (
            r.status_code == 500 and "checks failed" in r.json()["detail"]
        )  # Code.checks_failed: not the file's fault
        docs = client.get("/api/documents").json()["items"]
        assert [d["version"] for d in docs] == [1]
    assert len(list((tmp_path / "uploads").iterdir())) == 1  # the refused file is not kept


def test_a_long_sentence_is_checked_in_linear_time(tmp_path):
    """A 说明 of one 1.4 MB sentence: E02's findall of [^。；]*X[^。；]* (and C01's search of all earlier
    claims) took hours on it; the whole ingest with its checks must finish well inside the timeout."""
    text = seed("001").read_text(encoding="utf-8")
    f = tmp_path / "long.txt"
    f.write_text(text + "\n政府性基金" + "一般公共预算拨款1万元，比上年增长12.5%，" * 60000 + "\n", encoding="utf-8")
    r = subprocess.run(
        CLI + ["ingest", str(f), "--db", f"sqlite:///{tmp_path / 'bw.db'}"], capture_output=True, text=True, timeout=240
    )
    assert r.returncode == 0 and "新入库 1" in r.stdout, r.stderr[-2000:]


def test_an_exhausted_pool_answers_503_json_and_health_still_answers(tmp_path, monkeypatch):
    """Every connection held (a burst of slow requests): a page waits the bounded pool timeout and answers
    503 JSON; /health never touches the pool. Through the response cache, whose token query is a DB read."""
    from budgetwatch.pipeline import ingest
    from budgetwatch.web.app import create_app

    monkeypatch.setenv("BUDGETWATCH_POOL_TIMEOUT", "0.5")
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "cache"))
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}")
    ingest(app.state.engine, [seed("001")])
    engine = app.state.engine
    with TestClient(app) as client:
        assert client.get("/api/documents").status_code == 200
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
        try:
            client.get("/health")
            start = time.monotonic()
            r = client.get("/api/documents?year=2025")  # not cached: needs the database
            assert r.status_code == 503 and "retry" in r.json()["detail"] and r.headers["retry-after"]
            assert time.monotonic() - start < 20  # the default pool wait is 30 s
            assert client.get("/health").json() == {"ok": True}
        finally:
            for c in held:
                c.close()
        assert client.get("/api/documents?year=2025").status_code == 200


def test_a_server_process_is_ready_before_it_answers(tmp_path):
    """`serve`'s app compiles every template and freezes the start's objects out of the garbage collector
    before it answers: a cold crowd's first pages pay neither (benchmarks/cold_load.py). An app made for a
    test or a script does neither."""
    import gc

    from budgetwatch.web.app import create_app
    from budgetwatch.web.templating import templates

    names = templates.env.list_templates(extensions=["html"])
    gc.unfreeze()
    templates.env.cache.clear()
    with TestClient(create_app(f"sqlite:///{tmp_path / 'a.db'}", cache=False)):
        assert gc.get_freeze_count() == 0 and not templates.env.cache
    try:
        with TestClient(create_app(f"sqlite:///{tmp_path / 'b.db'}", cache=False, serving=True)) as client:
            assert gc.get_freeze_count() > 10_000
            assert len(templates.env.cache) == len(names) > 20
            assert client.get("/health").json() == {"ok": True}
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("auth", ["off", "on"])
def test_a_server_process_has_run_its_pages_before_it_answers(db_url, tmp_path, monkeypatch, auth):
    """`serve`'s app answers its main pages and their JSON, a document's too, to itself before it answers
    anyone: the first visitors' pages compile no SQL (a fifth of a cold crowd's first pages, benchmarks/
    cold_load.py). Nothing of it is kept (response cache, documents read), sent or, in server mode,
    audited; an app made for a test or a script does none of it."""
    import gc

    from budgetwatch.access.tables import AuditRecord
    from budgetwatch.store import repository
    from budgetwatch.store.db import open_db
    from budgetwatch.web.app import WARM_PAGES, create_app

    engine = open_db(db_url)
    pipeline.ingest(engine, [SAMPLES], check=True)
    with Session(engine) as s:
        last = s.scalar(select(func.max(Version.document_id)))  # the warm-up reads the first
    engine.dispose()
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    monkeypatch.setenv("BUDGETWATCH_AUTH", auth)
    with TestClient(create_app(db_url)) as client:
        plain = len(client.app.state.engine._compiled_cache)  # the start's own queries, no page's
    try:
        with TestClient(create_app(db_url, serving=True)) as client:
            cc = client.app.state.engine._compiled_cache
            assert len(cc) > plain + 10 and not repository._LOADED
            assert not [p for p in (tmp_path / "answers").rglob("*") if p.is_file()]
            with Session(client.app.state.engine) as s:
                assert s.scalar(select(func.count(AuditRecord.id))) == 0
            compiled = set(cc)
            if auth == "on":
                return  # the visitors would log in first
            for page in WARM_PAGES:
                for url in (page.format(id=last), page.format(id=last) + "?format=json"):
                    assert client.get(url).status_code == 200, url
            assert [str(cc[k]) for k in set(cc) - compiled] == []  # no statement compiled for them
    finally:
        gc.unfreeze()
