"""End to end in a real browser: Playwright driving Debian's chromium against a real uvicorn server.
Open 总览, open a document, click a finding and see its cell highlighted, download CSV and XLSX, upload
a PDF and, from its job's page, see its findings; every page that draws charts draws them, with nothing the
browser refuses (the CSP allows no inline script). Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import csv
import io
import os
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from budgetwatch.execution.run import check_feed
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.synth_pay import generate
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.store.repository import latest_versions, load_version
from budgetwatch.web.app import create_app

from conftest import CORPUS, ROOT, SAMPLES, needs_corpus

REGION, YEAR = "141123000", 2023
CHROMIUM = os.environ.get("BUDGETWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('web') / 'bw.db'}"
    app = create_app(db)
    ingest(app.state.engine, [SAMPLES])
    check_versions(app.state.engine)
    # a synthetic 联网 feed of 兴县's sample, loaded and checked, for the 执行监控 pages
    with Session(app.state.engine) as s:
        doc = next(load_version(s, v.id) for v in latest_versions(s) if (v.unit_name or "").startswith("兴县"))
    feed = tmp_path_factory.mktemp("feed")
    generate(doc, feed, region=REGION, region_name="兴县", seed=1)
    assert load_files(app.state.engine, [feed], region=REGION, year=YEAR).status == "loaded"
    check_feed(app.state.engine, REGION, YEAR, date(YEAR, 12, 28))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium is required in CI but missing at {CHROMIUM}")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_overview_document_finding_highlight_and_downloads(server, browser, tmp_path):
    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    assert page.locator("#documents tbody tr").count() == 3
    shot(page, "1-overview")
    page.get_by_role("link", name="兴县人民代表大会常务委员会办公室").click()
    page.wait_for_selector("#findings")
    assert "问题清单" in page.content()
    shot(page, "2-document")
    finding = page.locator("li.finding[data-target^='t-']").first  # a finding on a table (D01: no form for a project)
    target = finding.get_attribute("data-target")
    finding.click()
    table = page.locator(f"#{target}")
    assert "hl" in (table.get_attribute("class") or "") and table.is_visible()
    shot(page, "3-finding-highlighted")
    with page.expect_download() as d:
        page.locator("#t-0 a.dl", has_text="CSV").click()
    text = Path(d.value.path()).read_text(encoding="utf-8-sig")
    assert "1506.8" in text and len(list(csv.reader(io.StringIO(text)))) > 5
    with page.expect_download() as d:
        page.locator("#t-0 a.dl", has_text="XLSX").click()
    assert load_workbook(io.BytesIO(Path(d.value.path()).read_bytes())).worksheets[0].max_row > 5
    page.close()


@needs_corpus
def test_upload_a_pdf_and_see_its_findings(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/upload")
    page.set_input_files("input[type=file]", str(CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/jobs/*")  # the upload's job: its page links to the document when done
    page.wait_for_selector("#job[data-status=done] a.doc-link", timeout=600_000)
    page.locator("#job-documents a.doc-link").first.click()
    page.wait_for_url("**/documents/*")
    assert "长春市信访局" in page.locator("h1").inner_text()
    assert page.locator("li.finding", has_text="A02").count() >= 2
    finding = page.locator("li.finding[data-target^='c-']", has_text="A02").first  # a finding on a figure
    target = finding.get_attribute("data-target")
    finding.click()
    cell = page.locator(f"#{target}")
    assert "hl" in (cell.get_attribute("class") or "") and cell.is_visible()
    shot(page, "4-uploaded-pdf")
    page.goto(server + "/findings?rule=A02")
    assert page.locator("#finding-list tbody tr").count() >= 2
    shot(page, "5-findings-filtered")
    page.close()


def test_every_chart_is_drawn_and_the_browser_refuses_nothing(server, browser):
    """The pages with charts draw them from their own JSON through static scripts: an inline script would be
    blocked by the Content-Security-Policy and leave an empty box (as the 执行 pages once did)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused: list[str] = []
    page.on("console", lambda m: m.type == "error" and refused.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: refused.append(f"{page.url}: {e}"))
    page.goto(server + "/units")
    unit = page.locator("table a[href^='/units/']").first.get_attribute("href")
    charts = {
        unit: ["#trend", "#structure"],
        "/compare": ["#bars"],
        f"/execution/{REGION}/{YEAR}": ["#rates"],
        f"/execution/{REGION}/{YEAR}/units/001": ["#cum", "#classes"],
    }
    for path, boxes in charts.items():
        page.goto(server + path)
        for box in boxes:
            page.wait_for_selector(f"{box} canvas", timeout=10_000)
        shot(page, "6-charts-" + path.strip("/").replace("/", "-"))
    assert refused == []


def test_a_large_documents_later_tables_come_when_asked(server, browser, monkeypatch):
    """With the page's figure budget at one table, a finding on a figure of a later table is clicked: its
    table's rows are fetched and the figure highlighted; a table's button fetches its rows, and so does
    scrolling to it; opening a 绩效目标表 written without its indicators fetches them."""
    from budgetwatch.web import table_html

    monkeypatch.setattr(table_html, "INLINE_FIGURES", 1)
    monkeypatch.setattr(table_html, "INLINE_INDICATORS", 0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script("delete window.IntersectionObserver")  # first without fetching on scroll
    page.goto(server + "/")
    page.get_by_role("link", name="阳城县人民代表大会常务委员会办公室").click()
    page.wait_for_selector("#findings")
    assert page.locator(".table-block tbody[data-src]").count() > 2
    finding = page.locator("li.finding[data-target^='c-1-']").first
    target = finding.get_attribute("data-target")
    assert page.locator(f"#{target}").count() == 0  # not on the page yet
    finding.click()
    page.wait_for_selector(f"#{target}.hl")
    assert page.locator(f"#{target}").is_visible()
    assert page.locator("#t-1 tbody[data-src]").count() == 0 and page.locator("#t-1 tbody tr").count() > 5
    page.locator("#t-2 button.load-table").click()
    page.locator("#t-2 tbody[data-src]").wait_for(state="detached")
    form = page.locator("#forms details").first
    assert form.locator("tbody tr").count() == 0
    form.locator("summary").click()
    form.locator("tbody tr").first.wait_for()
    assert form.locator("tbody tr").count() > 2
    url = page.url
    page.close()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    last = page.locator(".table-block:has(tbody[data-src])").last  # scrolled to: its rows come
    block = last.get_attribute("id")
    last = page.locator(f"#{block}")
    last.scroll_into_view_if_needed()
    last.locator("tbody[data-src]").wait_for(state="detached")
    assert last.locator("tbody tr").count() > 1
    shot(page, "6-lazy-tables")
    page.close()
