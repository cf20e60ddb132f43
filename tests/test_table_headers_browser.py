"""The 文档 page's multi-level headings as chromium draws them (Debian chromium through Playwright against a real
uvicorn server): on the 支出总表 of shaanxi-xian-minzhengju-2021 (page 43, as `pdftoppm -r 80 -f 43 -l 43`
shows it), 部门预算 spans 合计 … 其他收入, 公共预算拨款 spans 小计 and 其中…, 总计 stands through all three header
rows. The screenshot is kept in test-artifacts/table-headers.png."""

from __future__ import annotations

import os
import threading
import time

import pytest
import uvicorn

from budgetwatch.pipeline import ingest_one
from test_web_e2e import _free_port

from conftest import CORPUS, ROOT

CHROMIUM = os.environ.get("BUDGETWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
DOC = CORPUS / "shaanxi-xian-minzhengju-2021-yusuan.pdf"
pytestmark = [
    pytest.mark.skipif(not DOC.exists(), reason=f"corpus document {DOC.name} absent"),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no chromium at {CHROMIUM}"),
]


@pytest.fixture
def page_url(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "cache"))
    from budgetwatch.web.app import create_app

    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}")
    out = ingest_one(app.state.engine, [DOC])
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/documents/{out.document_id}"
    srv.should_exit = True
    thread.join(5)


def test_parent_headings_span_their_columns_in_the_browser(page_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1500, "height": 900})
        page.goto(page_url)
        table = page.locator("table", has=page.locator("th", has_text="专项资金列入部门预算的项目")).last
        table.scroll_into_view_if_needed()
        th = lambda text: table.locator(f"thead th:text-is('{text}')").bounding_box()
        dept, public, total = th("部门预算"), th("公共预算拨款"), th("总计")
        first, last = th("合计"), th("其他收入")
        sub, of_which = th("小计"), table.locator("thead th", has_text="专项资金列入部门预算的项目").bounding_box()
        assert abs(dept["x"] - first["x"]) < 1 and abs(dept["x"] + dept["width"] - last["x"] - last["width"]) < 1
        assert (
            abs(public["x"] - sub["x"]) < 1
            and abs(public["x"] + public["width"] - of_which["x"] - of_which["width"]) < 1
        )
        assert abs(total["y"] - dept["y"]) < 1 and abs(total["y"] + total["height"] - sub["y"] - sub["height"]) < 1
        align = table.locator("thead th:text-is('部门预算')").evaluate("e => getComputedStyle(e).textAlign")
        assert align == "center"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "table-headers.png"))
        browser.close()
