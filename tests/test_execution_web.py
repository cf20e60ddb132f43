"""The 执行监控 pages on a synthetic feed of sample 000 (seeded anomalies): each page, its JSON twin and its
CSV/XLSX download; decisions posted; the monthly report as HTML, XLSX and PDF (Chromium, read back with
pypdfium2) with what changed since the month before."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from budgetwatch.execution.run import check_feed
from budgetwatch.feed.load_files import load_files
from budgetwatch.feed.synth_pay import generate
from budgetwatch.pipeline import ingest
from budgetwatch.store.repository import latest_versions, load_version
from budgetwatch.web.app import create_app

from conftest import seed

R, Y = "141123000", 2023


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exec-web")
    app = create_app(f"sqlite:///{tmp}/web.sqlite", cache=False)
    engine = app.state.engine
    ingest(engine, [seed("000")])
    with Session(engine) as s:
        doc = load_version(s, latest_versions(s)[-1].id)
    generate(doc, tmp / "f1", region=R, region_name="兴县", seed=5, anomalies=("A2", "A3", "A6"))
    generate(doc, tmp / "f2", region=R, region_name="兴县", seed=6, agency="002")
    for f in ("f1", "f2"):
        assert load_files(engine, [tmp / f], region=R, year=Y).status == "loaded"
    for m in (8, 9):
        check_feed(engine, R, Y, date(Y, m, 30 if m == 9 else 31))
    with TestClient(app) as c:
        yield c


def test_overview_units_and_flags(client):
    body = client.get(f"/execution/{R}/{Y}?format=json").json()
    assert body["as_of"] == f"{Y}-09-30" and body["time_share"] == 0.75
    units = {u["agency_code"]: u for u in body["units"]}
    assert set(units) == {"001", "002"}
    assert units["001"]["red"] >= 1 and units["002"]["flag"] == ""
    page = client.get(f"/execution/{R}/{Y}")
    assert page.status_code == 200 and "序时进度" in page.text and "echarts.min.js" in page.text
    rows = list(csv.reader(io.StringIO(client.get(f"/execution/{R}/{Y}?format=csv").content.decode("utf-8-sig"))))
    assert rows[0][0] == "单位编码" and len(rows) == 3
    assert client.get(f"/execution/{R}/{Y}?as_of=bad").status_code == 422
    assert client.get(f"/execution/999999999/{Y}?format=json").status_code == 404


def test_unit_line_payee_and_findings_pages(client):
    unit = client.get(f"/execution/{R}/{Y}/units/001?format=json").json()
    assert len(unit["months"]["cumulative"]) == 12 and unit["lines"] and unit["findings"]
    assert float(unit["months"]["cumulative"][8]) == pytest.approx(float(unit["unit"]["paid"]))
    g03 = next(f for f in unit["findings"] if f["rule"] == "G03")
    line = client.get(f"/execution/{R}/{Y}/lines/{g03['subject_id']}?format=json").json()
    assert [f["rule"] for f in line["findings"]] == ["G03"] and line["payments"]
    assert sum(float(p["amount"]) for p in line["payments"]) == pytest.approx(float(g03["value"]))
    assert "规则比较" in client.get(f"/execution/{R}/{Y}/lines/{g03['subject_id']}").text
    g06 = client.get(f"/execution/{R}/{Y}/findings?rule=G06&format=json").json()["findings"]
    assert len(g06) == 1
    payee = g06[0]["evidence"]["payee"]
    p = client.get(f"/execution/{R}/{Y}/payees", params={"payee": payee, "format": "json"}).json()
    assert len(p["payments"]) >= 4 and [f["rule"] for f in p["findings"]] == ["G06"]
    listing = client.get(f"/execution/{R}/{Y}/payees?format=json").json()["payees"]
    assert listing and float(listing[0]["total"]) >= float(listing[-1]["total"])
    wb = load_workbook(io.BytesIO(client.get(f"/execution/{R}/{Y}/findings?format=xlsx").content))
    assert wb.active.max_row == 1 + len(client.get(f"/execution/{R}/{Y}/findings?format=json").json()["findings"])


def test_decisions_from_the_page_api(client):
    (f,) = client.get(f"/execution/{R}/{Y}/findings?rule=G06&format=json").json()["findings"]
    r = client.post(
        f"/api/execution/findings/{f['id']}/decision", json={"status": "accepted", "reason": "已核实", "by": "预算工委"}
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert client.get(f"/execution/{R}/{Y}/findings?status=accepted&format=json").json()["findings"][0]["id"] == f["id"]
    assert (
        client.post(
            "/api/execution/findings/99999/decision", json={"status": "accepted", "reason": "x", "by": "y"}
        ).status_code
        == 404
    )


def test_monthly_report(client):
    data = client.get(f"/execution/{R}/{Y}/report.json?month=9").json()
    assert data["before"] == f"{Y}-08-31"
    assert {g["rule"] for g in data["groups"]} >= {"G03", "G06"}
    assert any(f["rule"] == "G06" for f in data["new"])  # the split payments are in September
    html = client.get(f"/execution/{R}/{Y}/report.html?month=9").text
    assert "审查意见" in html and "与上月相比" in html and "<svg" in html
    wb = load_workbook(io.BytesIO(client.get(f"/execution/{R}/{Y}/report.xlsx?month=9&agency=001").content))
    assert wb.sheetnames[:2] == ["关键数据", "执行预警"]
    pdf = client.get(f"/execution/{R}/{Y}/report.pdf?month=9")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "预算执行分析报告" in text and "G06" in text


def test_the_kept_figures_count_what_the_live_pages_count(tmp_path):
    """执行总览 read from a run's kept figures and the 联网数据 page summed live give each unit the same 已支付 —
    a payment that matches no 指标 (seeded U1: 12,800.00 in June) counted in both — and the same budgets."""
    app = create_app(f"sqlite:///{tmp_path}/kept.sqlite", cache=False)
    engine = app.state.engine
    ingest(engine, [seed("000")])
    with Session(engine) as s:
        doc = load_version(s, latest_versions(s)[-1].id)
    generate(doc, tmp_path / "f", region=R, region_name="兴县", seed=5, anomalies=("U1",))
    assert load_files(engine, [tmp_path / "f"], region=R, year=Y).status == "loaded"
    day = date(Y, 9, 30)
    check_feed(engine, R, Y, day)
    with TestClient(app) as c:
        kept = c.get(f"/execution/{R}/{Y}?as_of={day}&format=json").json()
        live = c.get(f"/feed/{R}/{Y}?as_of={day}&format=json").json()
    assert live["unmatched_payments"] and any(p["amount"] == "12800.00" for p in live["unmatched_payments"])
    figures = lambda us: {u["agency_code"]: (u["current"], u["paid"]) for u in us if u["current"] != "0.00"}  # noqa: E731
    assert figures(kept["units"]) == figures(live["units"]) != {}
    assert kept["totals"]["paid"] == round(sum(float(u["paid"]) for u in live["units"]), 2)
