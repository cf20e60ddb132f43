"""The pages a deputy reads, on a 390 px phone in a real browser: nothing wider than the screen (wide
tables scroll inside themselves), the menu and the filters usable; screenshots in test-artifacts/."""
from __future__ import annotations

import pytest

from conftest import CORPUS, needs_corpus
from test_web_e2e import ARTIFACTS, browser, server  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("path,name", [("/", "overview"), ("/documents/1", "document"), ("/findings", "findings"),
                                       ("/units", "units")])
def test_pages_fit_a_390px_phone(server, browser, path, name):  # noqa: F811
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"] + 1, f"{path} is {overflow}px wide on a {PHONE['width']}px screen"
    for a in page.locator("header.top nav a").all():   # every menu entry on the screen, none cut off
        box = a.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, a.inner_text()
    if path == "/":
        assert page.locator("#documents th", has_text="地区").is_hidden()
        assert page.locator("#documents a.doc-link").first.is_visible()
        q = page.locator("form.filters input[name=q]").bounding_box()
        assert q["width"] >= 120   # a field one can type into with a thumb
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mobile-{name}.png"), full_page=False)
    page.close()


@needs_corpus
def test_upload_a_two_file_disclosure_becomes_one_document(server, browser):  # noqa: F811
    """Beijing publishes the 说明 and the 报表 as two PDFs: chosen together, they are one document."""
    parts = sorted(CORPUS.glob("beijing-shi-sifaju-2026-yusuan.part*.pdf"))
    assert len(parts) == 2
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    before = page.request.get(server + "/api/documents").json()["total"]
    page.goto(server + "/upload")
    page.set_input_files("input[name=file]", [str(p) for p in parts])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/documents/*", timeout=600_000)
    heading = page.locator("h1").inner_text()
    assert "北京市司法局" in heading and "未识别" not in heading
    files = page.locator("p.muted").first.inner_text()
    assert all(p.name in files for p in parts)
    assert page.request.get(server + "/api/documents").json()["total"] == before + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-two-files.png"))
    page.close()
