"""代表服务 in a real browser on a phone-sized screen (390 × 844): a deputy signs in, sees 我的地区, asks
about a key figure with the 提问 button, staff and the 责任单位 answer, and the deputy reads the reply.
Debian's chromium through Playwright against a real uvicorn server in server mode; the screenshots are
kept in test-artifacts/ (deputy-390-region.png, deputy-390-question.png)."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from test_web_e2e import _free_port

from access_helpers import PASSWORD, A, make_users, place_samples
from conftest import ROOT

CHROMIUM = os.environ.get("BUDGETWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_AUTH", "on")
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "cache"))
    from budgetwatch.web.app import create_app

    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}")
    make_users(app.state.engine)
    docs = place_samples(app.state.engine)
    # a synthetic 联网 year for 兴县 (the feed's generator and loader): the deputy's execution curve
    from budgetwatch.extract import extract_files
    from budgetwatch.feed.load_files import load_files
    from budgetwatch.feed.synth_pay import generate

    from conftest import SAMPLES

    generate(extract_files([next(SAMPLES.glob("000_*.txt"))]), tmp_path / "feed", region=A, region_name="兴县")
    load_files(app.state.engine, [tmp_path / "feed"], region=A, year=2023)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", docs
    srv.should_exit = True
    thread.join(5)


def staff_client(base: str, login: str) -> httpx.Client:
    c = httpx.Client(base_url=base)
    assert c.post("/login", data={"login": login, "password": PASSWORD}).status_code in (200, 303)
    c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf"]
    return c


def test_a_deputy_asks_and_reads_the_reply_on_a_phone(server):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium is required in CI but missing at {CHROMIUM}")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    base, docs = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.goto(f"{base}/deputy")
        assert "/login" in page.url  # no session: the login page, and back here after it
        problems.clear()  # (the redirect itself is not a problem)
        page.fill("input[name=login]", "deputy-a")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button")
        page.wait_for_url(f"{base}/deputy")
        assert page.locator("h1").inner_text() == "我的地区"
        card = page.locator(".card", has_text="兴县人民代表大会常务委员会办公室").first
        assert "1,506.80" in card.inner_text() or "1506.8" in card.inner_text()
        assert "祁连" not in page.content()  # region B is not the deputy's
        assert page.locator("section.execution tbody tr").count() == 12  # the execution curve, month by month
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        page.screenshot(path=str(ARTIFACTS / "deputy-390-region.png"), full_page=True)
        card.locator("a.ask").first.click()  # 提问 on 收入总计
        assert "收入总计" in page.locator("#target-label").inner_text()
        page.fill("input[name=title]", "收入总计为何比上年增加")
        page.fill("textarea[name=body]", "请说明 2023 年收入总计增加的主要原因。")
        page.click("form.stack button")
        page.wait_for_url(lambda url: "/questions/" in url)
        assert page.locator("#q-status").inner_text() == "待受理"
        qid = page.url.rsplit("/", 1)[1]
        # staff and the 责任单位 handle it (through the API, as their own screens would)
        staff, finance = staff_client(base, "staff-a"), staff_client(base, "finance-a")
        assert staff.post(f"/api/questions/{qid}/accept", json={}).json()["status"] == "accepted"
        due = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        staff.post(
            f"/api/questions/{qid}/assign",
            json={"responsible_name": "兴县财政局", "responsible_code": "AG01", "due_at": due},
        )
        assert (
            finance.post(
                f"/api/questions/{qid}/reply", json={"body": "主要是代表活动经费和联络站运行经费增加。"}
            ).json()["status"]
            == "replied"
        )
        page.reload()
        assert page.locator("#q-status").inner_text() == "已答复"
        assert "主要是代表活动经费和联络站运行经费增加。" in page.locator("ol.events").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "deputy-390-question.png"), full_page=True)
        page.goto(f"{base}/questions")
        assert page.locator("a.card.q").count() == 1 and "已答复" in page.locator("a.card.q").inner_text()
        browser.close()
    assert not problems, problems  # no script errors, no CSP refusals
