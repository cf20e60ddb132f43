"""A document published as two files (its 说明 and its tables): pages restart at 1 in each, so every table,
form, line of the 说明 and finding says which file it is printed in — read, stored, checked and linked."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from budgetwatch.checks import run_checks
from budgetwatch.checks.claims import document_claims
from budgetwatch.checks.narrative import _where
from budgetwatch.checks.view import DocView
from budgetwatch.extract.document import extract_files
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.read.formats import read_source
from budgetwatch.store.findings import load_findings
from budgetwatch.store.repository import latest_versions, load_version
from budgetwatch.store.schema import TableRecord
from budgetwatch.web.app import create_app

from conftest import CORPUS

TEXT, TABLES = "beijing-shi-sifaju-2026-yusuan.part1-text.pdf", "beijing-shi-sifaju-2026-yusuan.part2-tables.pdf"
needs_pair = pytest.mark.skipif(
    not all((CORPUS / n).exists() for n in (TEXT, TABLES)), reason="the 司法局 pair is not in ../shared/corpus"
)


@pytest.fixture(scope="module")
def pair():
    return extract_files([CORPUS / TEXT, CORPUS / TABLES])


@needs_pair
def test_every_part_knows_its_file(pair):
    assert {t.location["file"] for t in pair.tables} == {TABLES}
    assert {f.location["file"] for f in pair.forms} == {TABLES}
    text_pages = {ln.page for ln in pair.narrative if ln.file == TEXT}
    assert text_pages and text_pages == {ln.page for ln in pair.narrative if ln.page in text_pages}
    # a page number of the 说明 is a page of a table too: only the file tells them apart
    assert text_pages & {t.location["page"] for t in pair.tables}
    assert all(t.location.get("file") is None for t in extract_files([CORPUS / TABLES]).tables)  # one file: as before


@needs_pair
def test_a_finding_names_the_file_its_page_is_in(pair):
    view = DocView(pair)
    on_tables = [f for f in run_checks(pair) if f.page is not None]
    assert on_tables and all(f.file == TABLES for f in on_tables)
    assert on_tables[0].location.startswith(f"{TABLES} · 第{on_tables[0].page}页")
    t = view.table("gpb_expenditure")
    assert view.at(t, t.rows[0])["file"] == TABLES
    # the 说明's figures (and the notes under tables): a finding on one points at the page of the file it is on
    printed = {n: read_source(CORPUS / n).lines for n in (TEXT, TABLES)}
    where = [(_where(view, c)["file"], c.page, view.paragraphs[c.paragraph].text) for c in document_claims(view)]
    assert TEXT in {f for f, _, _ in where}
    for f, page, text in where:
        assert any(ln.page == page and ln.text and text.startswith(ln.text.strip()) for ln in printed[f]), (f, page)


@needs_pair
def test_the_store_keeps_each_part_s_file_and_the_crop_opens_it(db_url, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (TEXT, TABLES):
        shutil.copy(CORPUS / name, folder / name)
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url)
    ingest(app.state.engine, [folder])
    check_versions(app.state.engine)
    with Session(app.state.engine) as s:
        (v,) = latest_versions(s)
        doc = load_version(s, v.id)
        assert extract_files([folder / TEXT, folder / TABLES]).to_dict() == doc.to_dict()
        found = [f for f in load_findings(s, [v.id])[v.id] if f.page is not None]
        assert found and {f.file for f in found} == {TABLES}
        document_id = v.document_id
    with TestClient(app) as c:
        page = c.get(f"/documents/{document_id}").text
        assert f"/documents/{document_id}/source.png?file=1&amp;page=" in page and TABLES in page
        ti, t = next((i, t) for i, t in enumerate(doc.tables) if any(r.boxes for r in t.rows))
        ri = next(i for i, r in enumerate(t.rows) if r.boxes)
        row = c.get(f"/api/documents/{document_id}/tables/{ti}/rows/{ri}").json()
        assert row["table"]["file"] == TABLES
        link = next(iter(row["source"].values()))
        assert link.startswith(f"/documents/{document_id}/source.png?file=1&page=")
        png = c.get(link)
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        assert c.get(link.replace("file=1", "file=2")).status_code == 404
        listed = list(csv.DictReader(io.StringIO(c.get("/api/findings.csv").content.decode("utf-8-sig"))))
        paged = [r for r in listed if "页" in r["位置"]]  # the 问题清单 export says which file each page is of
        assert paged and all(r["位置"].startswith(f"{TABLES} · 第") for r in paged)
    with Session(app.state.engine) as s:  # stored before files were kept per table: no file, no link, as before
        s.execute(update(TableRecord).values(file_no=None))
        s.commit()
        old = load_version(s, v.id)
    assert all("file" not in t.location for t in old.tables) and DocView(old).at(old.tables[0])["file"] is None
