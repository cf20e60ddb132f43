"""The pages a deputy reads, on a 390 px phone in a real browser: nothing wider than the screen (wide
tables scroll inside themselves), the menu and the filters usable; screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from test_web_e2e import ARTIFACTS, browser, server  # noqa: F401  (fixtures)

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    "path,name", [("/", "overview"), ("/documents/1", "document"), ("/findings", "findings"), ("/units", "units")]
)
def test_pages_fit_a_390px_phone(server, browser, path, name):  # noqa: F811
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"] + 1, f"{path} is {overflow}px wide on a {PHONE['width']}px screen"
    for a in page.locator("header.top nav a").all():  # every menu entry on the screen, none cut off
        box = a.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, a.inner_text()
    if path == "/":
        assert page.locator("#documents th", has_text="地区").is_hidden()
        assert page.locator("#documents a.doc-link").first.is_visible()
        q = page.locator("form.filters input[name=q]").bounding_box()
        assert q["width"] >= 120  # a field one can type into with a thumb
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mobile-{name}.png"), full_page=False)
    page.close()
