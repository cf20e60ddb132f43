"""Uploading in a real browser (Playwright, Debian's chromium, a real uvicorn server): a disclosure published
as two files (北京: 说明 and 报表) and a scan (corpus pages printed to an image-only PDF, as test_ocr makes
them). The form answers at once with the job's page; the page shows the reading page by page (and the OCR of
the scan), then 完成 with one document each. Screenshots of the job pages in test-artifacts/."""

from __future__ import annotations

import re
import time

from test_web_e2e import ARTIFACTS, browser, server  # noqa: F401  (fixtures)

from conftest import CORPUS, needs_corpus

pytestmark = needs_corpus
SCAN_PAGES = ("jilin-changchun-xinfangju-2026-yusuan.pdf", (1, 6, 11))  # cover, 收支总表, 基本支出


def _watch(page, shot: str, running: str, seconds: float = 900) -> list[str]:
    """The job page's messages, each once, until the job ends; a screenshot when a message first matches
    `running`, and one when done."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    shot_running = False
    while time.monotonic() < deadline:
        msg = page.locator("#job-message").inner_text()
        if msg and (not seen or seen[-1] != msg):
            seen.append(msg)
        status = page.locator("#job").get_attribute("data-status")
        if status == "running" and not shot_running and re.search(running, msg):
            page.screenshot(path=str(ARTIFACTS / f"{shot}-running.png"))
            shot_running = True
        if status in ("done", "failed"):  # the message may have changed since it was read: read it again
            msg = page.locator("#job-message").inner_text()
            if seen[-1] != msg:
                seen.append(msg)
            break
        time.sleep(0.15)
    page.screenshot(path=str(ARTIFACTS / f"{shot}-done.png"))
    return seen


def _scan(tmp_path):
    from test_ocr import _scan as scan_page

    name, pages = SCAN_PAGES
    images = [scan_page(name, p, seed) for seed, p in enumerate(pages)]
    path = tmp_path / "扫描件.pdf"
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


def test_upload_two_files_and_a_scan_watching_the_job(server, browser, tmp_path):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    parts = sorted(CORPUS.glob("beijing-shi-sifaju-2026-yusuan.part*.pdf"))
    assert len(parts) == 2
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    before = page.request.get(server + "/api/documents").json()["total"]

    page.goto(server + "/upload")
    page.set_input_files("input[name=file]", [str(p) for p in parts])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/jobs/*")
    seen = _watch(page, "job-two-files", r"已读取 \d+/\d+ 页")
    # watched live: the job's stages before it ends. A 50-page text layer can be read between two polls of the
    # page (under a second on an idle machine), so its page counts are not always seen here; that every page
    # is reported is tested in test_jobs.py
    assert len(seen) >= 2 and any(re.search(r"读取|抽取|检查", m) for m in seen[:-1]), seen
    assert seen[-1] == "完成：1 份文档", seen
    links = page.locator("#job-documents a.doc-link")
    assert links.count() == 1
    links.first.click()
    page.wait_for_url("**/documents/*")
    heading = page.locator("h1").inner_text()
    assert "北京市司法局" in heading and "未识别" not in heading
    assert all(p.name in page.locator("p.muted").first.inner_text() for p in parts)
    assert page.request.get(server + "/api/documents").json()["total"] == before + 1

    scan = _scan(tmp_path)
    page.goto(server + "/upload")
    page.set_input_files("input[name=file]", str(scan))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/jobs/*")
    seen = _watch(page, "job-scan", "OCR 中")
    assert any("OCR 中" in m for m in seen), seen
    assert seen[-1] == "完成：1 份文档", seen
    page.locator("#job-documents a.doc-link").first.click()
    page.wait_for_url("**/documents/*")
    assert "长春市信访局" in page.locator("h1").inner_text()
    assert scan.name in page.locator("p.muted").first.inner_text()
    assert page.request.get(server + "/api/documents").json()["total"] == before + 2
    page.close()
