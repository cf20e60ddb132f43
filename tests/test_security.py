"""Hardening, tried as an attacker would: open redirects, security headers and no inline script, stored
XSS through a document's unit and project names on every page, spreadsheet formulas in downloads,
upload limits (size, count, type, names), and a PDF renderer that fetches nothing."""

from __future__ import annotations

import csv
import http.server
import io
import os
import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from access_helpers import concrete, every_route
from conftest import SAMPLES

UNIT = "兴县人民代表大会常务委员会办公室"
XSS_UNIT = "<img src=x onerror=alert(1)>"
XSS_PROJECT = '=HYPERLINK("http://evil.example","x")<script>alert(2)</script>'


@pytest.fixture
def hostile(db_url, tmp_path, monkeypatch):
    """The service (auth off, as on a laptop) holding a document whose unit and project names carry
    markup and a formula — as a hostile or careless publisher could print them."""
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "cache"))
    text = next(SAMPLES.glob("000_*.txt")).read_text(encoding="utf-8")
    text = text.replace(UNIT, XSS_UNIT + UNIT).replace(
        "2023年乡镇人大代表活动经费", XSS_PROJECT + "2023年乡镇人大代表活动经费"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "hostile.txt").write_text(text, encoding="utf-8")
    app = create_app(db_url)
    ingest(app.state.engine, [tmp_path / "docs"])
    check_versions(app.state.engine)
    with TestClient(app) as c:
        doc = c.get("/api/documents").json()["items"][0]
        c.ids = {
            "document_id": doc["id"],
            "unit": doc["unit"],
            "index": 0,
            "row": 0,
            "finding_id": c.get("/api/findings").json()["items"][0]["id"],
        }
        yield c
    app.state.engine.dispose()


def test_no_open_redirect(hostile):
    fid = hostile.ids["finding_id"]
    for back in (
        "//example.org/x",
        "/\\example.org",
        "https://example.org/",
        "javascript:alert(1)",
        "/\t/example.org",
        "///example.org",
        "/%0d%0aLocation:%20http://example.org",
    ):
        r = hostile.post(
            f"/findings/{fid}/decision",
            data={"status": "accepted", "reason": "r", "by": "b", "back": back},
            follow_redirects=False,
        )
        assert (
            r.status_code == 303
            and r.headers["location"] in ("/findings", back)
            and not r.headers["location"].startswith("//")
        ), back
        assert "example.org" not in r.headers["location"] or back.startswith("/%0d"), back
    r = hostile.post(
        f"/findings/{fid}/decision",
        data={"status": "accepted", "reason": "r", "by": "b", "back": "/findings?severity=error"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/findings?severity=error"  # a path on the site stays allowed
    r = hostile.get("/login?back=//example.org/x")
    assert 'value="/"' in r.text and "example.org" not in r.text


def test_security_headers_and_no_inline_script(hostile):
    for url in (
        "/",
        f"/documents/{hostile.ids['document_id']}",
        "/findings",
        f"/units/{hostile.ids['unit']}",
        "/compare",
        "/api/documents",
        "/health",
        "/no-such-page",
    ):
        r = hostile.get(url)
        h = r.headers
        csp = h["content-security-policy"]
        script = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, url
        assert (h["x-content-type-options"], h["x-frame-options"], h["referrer-policy"]) == (
            "nosniff",
            "DENY",
            "same-origin",
        )
        if h["content-type"].startswith("text/html"):
            inline = [
                s for s in re.findall(r"<script([^>]*)>", r.text) if "src=" not in s and "application/json" not in s
            ]
            assert not inline, (url, inline)


def test_stored_xss_never_reaches_a_page(hostile):
    """Every route of the app (from its route list) answers without the markup the document carries."""
    seen_pages = 0
    for method, path in every_route(hostile.app):
        if method != "GET" or path in ("/docs", "/openapi.json") or path.endswith("/source.png"):
            continue
        url, _ = concrete(method, path, hostile.ids)
        for u in (url, url + ("&" if "?" in url else "?") + "format=json"):
            r = hostile.get(u)
            assert r.status_code < 500, (u, r.status_code)
            kind = r.headers.get("content-type", "")
            if kind.startswith("text/html"):
                seen_pages += 1
                assert "<imgsrc" not in r.text and "<script>alert" not in r.text, u  # the markup, unescaped
    assert seen_pages >= 12
    page = hostile.get(f"/documents/{hostile.ids['document_id']}").text
    assert "&lt;imgsrc=xonerror=alert(1)&gt;" in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_formulas_in_downloads_are_neutralised(hostile):
    fid, doc = hostile.ids["finding_id"], hostile.ids["document_id"]
    hostile.post(
        f"/api/findings/{fid}/decision", json={"status": "accepted", "reason": "=cmd|' /C calc'!A0", "by": "@SUM(1+1)"}
    )
    rows = list(csv.reader(io.StringIO(hostile.get("/api/findings.csv?status=accepted").content.decode("utf-8-sig"))))
    cells = [c for r in rows for c in r]
    assert "'=cmd|' /C calc'!A0" in cells and not any(c.startswith(("=", "+", "@")) for c in cells)
    projects = hostile.get(f"/api/documents/{doc}/tables/0.csv").content.decode("utf-8-sig")
    table_cells = [c for r in csv.reader(io.StringIO(projects)) for c in r]
    assert not any(c.startswith(("=", "+", "@")) for c in table_cells)
    assert any(c.startswith("-") or re.match(r"^-?\d", c) for c in table_cells)  # numbers stay numbers
    everywhere = []
    for url in (
        "/api/findings.xlsx?status=accepted",
        f"/documents/{doc}/report.xlsx",
        "/?format=xlsx",
        "/projects?q=HYPERLINK&format=xlsx",
    ):
        wb = load_workbook(io.BytesIO(hostile.get(url).content))
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                everywhere += [c for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert everywhere, "the hostile texts should be in the workbooks"
    assert all(c.data_type == "s" for c in everywhere)  # text, never a formula
    csv_projects = hostile.get("/projects?q=HYPERLINK&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_projects and "\n=HYPERLINK" not in csv_projects and ",=HYPERLINK" not in csv_projects


def test_upload_limits(hostile, tmp_path, monkeypatch):
    pdf_like = b"MZ\x90\x00\x03" + b"\x00" * 100
    r = hostile.post("/api/upload", files={"file": ("report.pdf", pdf_like, "application/pdf")})
    assert r.status_code == 415 and "不符" in r.json()["detail"]  # Code.wrong_format
    r = hostile.post("/api/upload", files={"file": ("tool.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 415 and "不支持" in r.json()["detail"]
    r = hostile.post("/api/upload", files=[("file", (f"{i}.txt", b"x", "text/plain")) for i in range(11)])
    assert r.status_code == 400 and "at most 10 files" in r.json()["detail"]
    monkeypatch.setenv("BUDGETWATCH_MAX_UPLOAD_MB", "1")
    r = hostile.post("/api/upload", files={"file": ("big.txt", b"a" * (2 * 1024 * 1024), "text/plain")})
    assert r.status_code == 413
    monkeypatch.delenv("BUDGETWATCH_MAX_UPLOAD_MB")
    sample = next(SAMPLES.glob("001_*.txt")).read_bytes()
    r = hostile.post("/api/upload", files={"file": ("../../../etc/cron.d/evil.txt", sample, "text/plain")})
    assert r.status_code == 200
    uploads = Path(os.environ["BUDGETWATCH_UPLOADS"])
    kept = [p for p in uploads.rglob("*") if p.is_file()]
    assert [p.name for p in kept] == ["evil.txt"] and kept[0].parent.parent == uploads
    assert not (tmp_path.parent / "etc").exists()


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("content-type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(
    not Path(os.environ.get("BUDGETWATCH_CHROMIUM", "/usr/bin/chromium")).exists(), reason="no chromium"
)
def test_the_pdf_renderer_fetches_nothing(tmp_path):
    from budgetwatch.web.reports import _pdf

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{base}/css">'
        f'<style>@import url("{base}/import"); body {{ background: url("{base}/bg") }}</style></head><body>'
        f'<h1>审查报告</h1><img src="{base}/img"><img src="file://{tmp_path}/secret.png"><iframe src="{base}/frame"></iframe>'
        f'<script src="{base}/script"></script><script>fetch("{base}/fetch"); new Image().src = "{base}/js";</script>'
        f'<object data="{base}/object"></object><link rel="prefetch" href="{base}/prefetch"></body></html>'
    )
    try:
        pdf = _pdf(html)
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and _Counter.hits == []


def test_error_pages_never_carry_a_traceback(hostile, monkeypatch):
    from budgetwatch.web import queries

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail: /srv/budgetwatch/db password=hunter2")

    monkeypatch.setattr(queries, "documents", broken)
    client = TestClient(hostile.app, raise_server_exceptions=False)
    for url in ("/?year=2023", "/api/documents?year=2023"):  # not cached
        r = client.get(url)
        assert r.status_code == 500
        assert "Traceback" not in r.text and "secret detail" not in r.text and "hunter2" not in r.text


def test_serve_beyond_loopback_refuses_auth_off(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "BUDGETWATCH_AUTH"}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetwatch",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "1",
            "--db",
            f"sqlite:///{tmp_path / 'bw.db'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode != 0 and "BUDGETWATCH_AUTH=on" in r.stderr and len(r.stderr.strip().splitlines()) == 1
