"""The JSON API and the pages on SQLite and PostgreSQL: every endpoint's happy path, filters,
pagination, bad ids → 404 JSON, bad parameters → 422, downloads, decisions, uploads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from budgetwatch.catalogue import RULES
from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from conftest import CORPUS, SAMPLES, needs_corpus


@pytest.fixture
def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url)
    ingest(app.state.engine, [SAMPLES])
    check_versions(app.state.engine)
    with TestClient(app) as c:
        yield c


def ended(client, job_url: str, seconds: float = 600) -> dict:
    """The job's JSON once it is done or failed."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        job = client.get("/api" + job_url).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def doc_id(client, unit):
    return next(d["id"] for d in client.get("/api/documents").json()["items"] if d["unit"] == unit)


def test_documents_list_filters_and_pagination(client):
    body = client.get("/api/documents").json()
    assert body["total"] == 3 and len(body["items"]) == 3
    xing = next(d for d in body["items"] if d["unit"] == "兴县人民代表大会常务委员会办公室")
    assert (xing["year"], xing["stage"], xing["income_total"], xing["expenditure_total"]) == (
        2023,
        "budget",
        1506.8,
        1506.8,
    )
    assert xing["findings"]["error"] >= 1
    assert [d["year"] for d in client.get("/api/documents?year=2025").json()["items"]] == [2025]
    assert client.get("/api/documents?q=祁连").json()["total"] == 1
    assert [d["unit"] for d in client.get("/api/documents?region=祁连").json()["items"]] == ["祁连县人大常委会办公室"]
    assert client.get("/api/documents?level=区县级").json()["total"] == 3 and xing["level"] == "区县级"
    assert client.get("/api/documents?level=省级").json()["total"] == 0
    assert client.get("/api/documents?level=村级").status_code == 422
    page = client.get("/api/documents?limit=2&offset=2").json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 2)
    assert client.get("/?format=json").json() == client.get("/api/documents").json()
    for bad in ("limit=0", "limit=501", "offset=-1", "year=abc", "stage=draft"):
        r = client.get(f"/api/documents?{bad}")
        assert r.status_code == 422 and r.json()["detail"]


def test_document_endpoint_and_404(client):
    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    body = client.get(f"/api/documents/{i}").json()
    assert body["document"]["unit"] == "兴县人民代表大会常务委员会办公室"
    assert any(f["rule"] == "C06" for f in body["findings"])
    assert client.get(f"/documents/{i}?format=json").json() == body
    r = client.get("/api/documents/999")
    assert r.status_code == 404 and r.json() == {"detail": "no document with id 999"}
    assert client.get("/api/documents/abc").status_code == 422
    assert client.get("/documents/999").status_code == 404


def test_table_downloads(client):
    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/documents/{i}/tables/0.csv").content.decode("utf-8-sig"))))
    assert any(
        r.get("amount") in ("1506.8", "1506.80", "1506.800000") or "1506.8" in ",".join(r.values()) for r in rows
    )
    wb = load_workbook(io.BytesIO(client.get(f"/api/documents/{i}/tables/0.xlsx").content))
    assert wb.worksheets[0].max_row > 5
    assert client.get(f"/api/documents/{i}/tables/0.json").json()["kind"] == "summary"
    assert client.get(f"/api/documents/{i}/tables/99.csv").status_code == 404
    assert client.get(f"/api/documents/{i}/tables/0.pdf").status_code == 422


def test_findings_filters_downloads_and_decisions(client):
    all_ = client.get("/api/findings?limit=500").json()
    assert all_["total"] == len(all_["items"]) > 10
    errors = client.get("/api/findings?severity=error&limit=500").json()["items"]
    assert errors and all(f["severity"] == "error" for f in errors)
    assert {f["rule"] for f in client.get("/api/findings?family=D&limit=500").json()["items"]} <= {
        r for r in RULES if r.startswith("D")
    }
    c06 = client.get("/api/findings?rule=C06").json()["items"]
    assert len(c06) == 1 and c06[0]["document"]["year"] == 2023
    assert client.get("/api/findings?unit=祁连&rule=D07").json()["total"] >= 1
    assert client.get("/api/findings?severity=fatal").status_code == 422
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/api/findings.csv?rule=C06").content.decode("utf-8-sig"))))
    assert len(csv_rows) == 1 and csv_rows[0]["规则"] == "C06" and csv_rows[0]["差额"] == "-2.50"
    assert load_workbook(io.BytesIO(client.get("/api/findings.xlsx").content))["问题清单"].max_row == all_["total"] + 1
    fid = c06[0]["id"]
    r = client.post(f"/api/findings/{fid}/decision", json={"status": "dismissed", "reason": "上年数调整", "by": "李"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert client.get("/api/findings?status=dismissed").json()["items"][0]["id"] == fid
    assert client.get("/api/findings?status=open&rule=C06").json()["total"] == 0
    assert (
        client.post("/api/findings/99999/decision", json={"status": "accepted", "reason": "x", "by": "y"}).status_code
        == 404
    )
    assert (
        client.post(f"/api/findings/{fid}/decision", json={"status": "maybe", "reason": "x", "by": "y"}).status_code
        == 422
    )
    # the page form does the same and returns to the list
    r = client.post(
        f"/findings/{fid}/decision",
        data={"status": "accepted", "reason": "核实属实", "by": "王"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and client.get("/api/findings?status=accepted").json()["total"] == 1


@needs_corpus
def test_count_findings_print_whole_counts_everywhere(client):
    """D07 on a sample disclosure (000, 祁连): its value is how many indicators cannot be assessed, printed as a
    count (3, not 3.00) on the 问题清单 page, in the CSV and the 审查报告's values line, formatted #,##0 in the
    XLSX; the JSON keeps the number. An amount's finding (C06) keeps its two decimals."""
    from budgetwatch.checks import run_checks
    from budgetwatch.extract import extract_files
    from budgetwatch.web.report_content import values_line

    from conftest import seed

    d07 = client.get("/api/findings?rule=D07&limit=1").json()["items"][0]
    n = d07["value"]
    assert isinstance(n, float) and n == int(n) >= 1 and d07["money_unit"] == "个"
    page = client.get("/findings?rule=D07").text
    assert f'<td class="num">{int(n)}</td>' in page and f'<td class="num">{n:.2f}</td>' not in page
    row = next(csv.DictReader(io.StringIO(client.get("/api/findings.csv?rule=D07").content.decode("utf-8-sig"))))
    assert row["提供值"] == str(int(n))
    ws = load_workbook(io.BytesIO(client.get("/api/findings.xlsx?rule=D07").content))["问题清单"]
    col = [c.value for c in ws[1]].index("提供值") + 1
    assert ws.cell(2, col).value == n and ws.cell(2, col).number_format == "#,##0"
    f = next(f for f in run_checks(extract_files([seed("000")]), only={"D07"}) if f.rule == "D07")
    assert values_line(f) == f"报表数 {int(f.value)}个"
    c06 = next(csv.DictReader(io.StringIO(client.get("/api/findings.csv?rule=C06").content.decode("utf-8-sig"))))
    assert re.fullmatch(r"-?[\d,]+\.\d{2,}", c06["提供值"])


def test_missing_region_unit_job_and_batch_are_404_pages_and_json(client):
    """A region without feed data, a unit, a job and a feed batch that are not stored: 404 with one line naming
    it — JSON under /api (and with ?format=json), the error page otherwise — as a missing document is."""
    missing = {
        "/feed/999999999/2023": "no feed data for region 999999999",
        "/units/无此单位": "no unit named 无此单位",
        "/jobs/99999": "no job with id 99999",
        "/feed/batches/99999": "no batch with id 99999",
        "/execution/999999999/2023": "no feed data for region 999999999",
    }
    api = {
        "/feed/999999999/2023": "/api/feed/regions/999999999/2023",
        "/execution/999999999/2023": "/execution/999999999/2023?format=json",
    }
    for page, detail in missing.items():
        for url in (api.get(page, "/api" + page), page + "?format=json"):
            r = client.get(url)
            assert (r.status_code, r.json()) == (404, {"detail": detail}), url
        r = client.get(page)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), page
        assert f'<p class="error">{detail}</p>' in r.text, page
    assert client.get("/api/regions/x/summary").json() == {"detail": "no region with code x"}


def test_upload_ingests_checks_and_reports_errors(client, tmp_path):
    pdf = CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"
    with open(pdf, "rb") as f:
        r = client.post("/api/upload", files={"file": (pdf.name, f, "application/pdf")})
    assert r.status_code == 200
    i = r.json()["id"]
    body = client.get(f"/api/documents/{i}").json()
    assert body["document"]["unit"] == "长春市信访局" and any(f["rule"] == "A02" for f in body["findings"])
    # every figure links to its place on the kept source page
    row = next(
        r for t in body["document"]["tables"] if t["kind"] == "gpb_basic" for r in t["rows"] if r.get("code") == "301"
    )
    box = ",".join(str(round(x, 1)) for x in row["boxes"]["total"])
    png = client.get(f"/documents/{i}/source.png?page={row['location']['page']}&box={box}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert f"/documents/{i}/source.png?page=11" in client.get(f"/documents/{i}").text
    assert client.get(f"/documents/{i}/source.png?page=999&box=1,2,3,4").status_code == 404
    assert client.get(f"/documents/{i}/source.png?page=1&box=abc").status_code == 422
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF")
    with open(bad, "rb") as f:  # the form answers at once with the job, whose page says why it failed
        r = client.post("/upload", files={"file": ("empty.pdf", f, "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job = ended(client, r.headers["location"])
    assert job["status"] == "failed" and job["documents"] == []
    page = client.get(r.headers["location"]).text
    assert "empty.pdf" in page and "无法读取" in page
    assert client.get("/api/documents").json()["total"] == 4


def test_text_figures_link_to_their_line(client):
    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    assert f"/documents/{i}/source.txt?line=105" in client.get(f"/documents/{i}").text  # 收入总计 1506.80
    page = client.get(f"/documents/{i}/source.txt?line=105").text
    assert '<tr class="hl"><td class="num muted">105</td><td>收入总计 | 1506.80 | 支出总计' in page
    assert client.get(f"/documents/{i}/source.txt?line=999999").status_code == 404
    assert client.get(f"/documents/{i}/source.txt?line=0").status_code == 422


def test_pages_render_in_chinese(client):
    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    assert "总览" in client.get("/").text
    page = client.get(f"/documents/{i}").text
    assert "问题清单" in page and "2023年预算收支总表" in page
    # a finding on a table as a whole (D01: the project table against the forms) points to the table
    d01 = next(f for f in client.get(f"/api/findings?document={i}&rule=D01").json()["items"])
    assert f'id="f-{d01["id"]}" data-target="t-' in page
    assert "C06" in client.get("/findings").text
    assert "预警规则" in client.get("/rules").text and client.get("/rules?format=json").json()[0]["id"] == "A01"
    rules = client.get("/api/rules").json()

    assert (
        len(rules) == len(RULES) >= 40
        and {r["family"] for r in rules} == set("ABCDEFGR")
        and all(r["message"] for r in rules)
    )
    assert "上传" in client.get("/upload").text
    # 代表服务: a document that prints no 收支总表 (祁连's sample: only 绩效目标表) says so, not an empty figure
    cards = client.get("/deputy").text.split('<div class="card">')[1:]
    qilian = next(c for c in cards if "祁连县" in c)
    assert qilian.count("未列示") == 2 and all("未列示" not in c for c in cards if "兴县" in c)
    assert client.get("/openapi.json").json()["info"]["title"].startswith("budgetwatch")


def test_unit_compare_projects_and_reports(client):
    from urllib.parse import quote

    units = client.get("/api/units").json()
    assert {u["unit"] for u in units} >= {"兴县人民代表大会常务委员会办公室", "祁连县人大常委会办公室"}
    xing = client.get("/api/units/" + quote("兴县人民代表大会常务委员会办公室")).json()
    fig = xing["documents"][0]
    assert (fig["income_total"], fig["basic"], fig["project"], fig["three_public"], fig["staff"]) == (
        1506.8,
        618.71,
        888.08,
        2.0,
        28,
    )
    assert fig["classes"]["一般公共服务"] == 1319.13
    assert client.get("/units/" + quote("兴县人民代表大会常务委员会办公室")).status_code == 200
    assert client.get("/api/units/" + quote("没有这个单位")).status_code == 404
    # the 单位 pager offers a next page exactly while units follow (read as one name more, not counted)
    pages = [client.get(f"/units?limit=1&offset={i}").text for i in range(len(units))]
    assert ['rel="next"' in p for p in pages] == [True] * (len(units) - 1) + [False]
    assert [u["unit"] for u in units if u["unit"] in pages[-1]] == [units[-1]["unit"]]
    cmp = client.get("/api/compare?year=2023&sort=three_public").json()
    assert [r["rank"] for r in cmp["items"]] == list(range(1, len(cmp["items"]) + 1))
    assert cmp["items"][0]["unit"] == "兴县人民代表大会常务委员会办公室"
    assert client.get("/api/compare?year=2023&sort=nonsense").status_code == 422
    assert "比较" in client.get("/compare?year=2023").text
    hits = client.get("/api/projects?q=预算联网").json()
    assert hits["total"] >= 3 and all("预算联网" in (i["project"] or "") or i["indicators"] for i in hits["items"])
    assert any(i["source"] == "绩效目标表" and i["document"]["unit"] == "祁连县人大常委会办公室" for i in hits["items"])
    assert client.get("/api/projects?q=").status_code == 422
    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    html = client.get(f"/documents/{i}/report.html").text
    assert "审查报告" in html and "C06" in html and "1,506.80" in html and "<svg" in html and "问题按类别" in html
    # the key figures drawn too: 基本支出 618.71 and 项目支出 888.08 as bars, 功能分类 by 类
    assert "支出结构" in html and "618.71" in html and "888.08" in html and "一般公共服务" in html
    batch = client.get("/reports/batch.html?year=2023").text
    assert "（2份）" in batch and "各文档错误与警告" in batch and "兴县" in batch and "祁连县" in batch
    assert client.get("/reports/batch.html?year=2023&region=祁连").text.count('class="evidence"') >= 1
    assert "兴县人民" not in client.get("/reports/batch.html?region=祁连").text
    assert "/reports/batch.pdf?year=2023" in client.get("/?year=2023").text  # from the 总览 filters
    xlsx = load_workbook(io.BytesIO(client.get(f"/documents/{i}/report.xlsx").content))
    assert xlsx.sheetnames[:2] == ["关键数据", "问题清单"] and xlsx["关键数据"]["B2"].value == 1506.8
    pdf = client.get(f"/documents/{i}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/reports/batch.xlsx?year=2023").status_code == 200
    assert client.get("/reports/batch.docx?year=2023").status_code == 200
    assert client.get("/documents/999/report.html").status_code == 404


def test_parameters_found_by_fuzzing_are_refused_or_handled(client):
    """Cases schemathesis found against the OpenAPI schema (500s before): ids beyond 32 bits, offsets beyond
    the database's integers, NUL characters (PostgreSQL text cannot hold them), control characters in a
    reviewer's reason (XLSX cannot hold them)."""
    assert client.get("/api/documents/99999999999999999999").status_code == 422
    assert client.get("/api/documents?offset=318404764133821382656").status_code == 422
    assert client.get("/api/findings.xlsx?document=10000000000000000001").status_code == 422
    assert client.get("/api/documents?q=a%00b").status_code == 422
    f = client.get("/api/findings").json()["items"][0]
    bad = client.post(
        f"/api/findings/{f['id']}/decision", json={"status": "dismissed", "reason": "a\u0000b", "by": "x"}
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/findings/{f['id']}/decision", json={"status": "dismissed", "reason": "见\u0018附件", "by": "预算工委"}
    )
    assert ok.status_code == 200
    xlsx = load_workbook(io.BytesIO(client.get(f"/documents/{f['document']['id']}/report.xlsx").content))
    reasons = [c.value for row in xlsx["问题清单"].iter_rows() for c in row if c.value and "附件" in str(c.value)]
    assert reasons == ["见附件"]
    assert client.get("/api/findings.xlsx").status_code == 200


@pytest.fixture
def changchun(db_url, tmp_path, monkeypatch):
    """长春市信访局 2026 (corpus): its 支出总表 prints 20140 信访事务 当年预算小计 1378.41 where its 项 add to 903.85
    (2014002 prints 小计 0.00 beside 项目 458.00) — the document's own defect, checked on the page (p.8)."""
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url)
    ingest(app.state.engine, [CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"])
    check_versions(app.state.engine)
    with TestClient(app) as c:
        yield c


@needs_corpus
def test_a_cell_finding_points_to_its_cell_and_row_at_stable_addresses(changchun):
    import re

    client = changchun
    i = doc_id(client, "长春市信访局")
    a02 = next(
        f for f in client.get(f"/api/findings?document={i}&rule=A02").json()["items"] if f["row_code"] == "20140"
    )
    assert (a02["row_name"], a02["column"], a02["value"]) == ("信访事务", "current", 1378.41)
    page = client.get(f"/documents/{i}").text
    cid = re.search(f'id="f-{a02["id"]}" data-target="(c-[0-9-]+)"', page).group(1)
    assert re.search(f'<td class="num has-f sev-[a-z]+" id="{cid}" title="A02[^"]*">(<a [^>]+>)?1,?378.41<', page)
    one = client.get(f"/api/findings/{a02['id']}").json()
    assert one["rule"] == "A02" and one["document"]["id"] == i and one["fingerprint"] == a02["fingerprint"]
    assert client.get("/api/findings/2147483647").status_code == 404
    doc = client.get(f"/api/documents/{i}").json()["document"]
    ti = next(k for k, t in enumerate(doc["tables"]) if t["title"] == a02["table"])
    ri = next(k for k, r in enumerate(doc["tables"][ti]["rows"]) if r.get("code") == "20140")
    row = client.get(f"/api/documents/{i}/tables/{ti}/rows/{ri}").json()
    assert row["name"] == "信访事务" and row["values"]["current"] == 1378.41
    assert "A02" in [f["rule"] for f in row["findings"]]
    assert row["source"]["current"].startswith(f"/documents/{i}/source.png?page=8")
    assert client.get(f"/api/documents/{i}/tables/{ti}/rows/99999").status_code == 404
    assert client.get(f"/api/documents/{i}/tables/{ti}/rows/-1").status_code == 422


@needs_corpus
def test_every_figure_of_a_page_links_to_the_crop_its_row_api_names(changchun):
    """The 文档 page writes its thousands of crop links a row at a time (web/table_html.py); each is the
    link the row's API gives (`source_link`: the figure's page and box, every edge to one decimal)."""
    import re

    from sqlalchemy.orm import Session

    from budgetwatch.web import queries
    from budgetwatch.web.table_html import source_link

    i = doc_id(changchun, "长春市信访局")
    page = changchun.get(f"/documents/{i}").text
    links = dict(re.findall(r'id="(c-\d+-\d+-\d+)"[^>]*><a class="src" target="_blank" href="([^"]+)"', page))
    with Session(changchun.app.state.engine) as s:
        doc = queries.document(s, i)["doc"]
    named = {
        f"c-{ti}-{ri}-{t.columns.index(k)}": source_link(i, doc, r, k).replace("&", "&amp;")
        for ti, t in enumerate(doc.tables)
        for ri, r in enumerate(t.rows)
        for k in r.values
    }
    assert len(named) > 300 and links == named


def test_every_list_downloads_as_csv_and_xlsx(client):
    from urllib.parse import quote

    text = client.get("/?format=csv&level=区县级").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["文档id", "单位", "地区"] and len(rows) == 4  # heading + the 3 county documents
    assert any(r[1] == "兴县人民代表大会常务委员会办公室" and r[7] == "1506.8" for r in rows)
    wb = load_workbook(io.BytesIO(client.get("/compare?year=2023&format=xlsx").content))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "排名" and ws.max_row == 3
    unit = client.get("/units/" + quote("兴县人民代表大会常务委员会办公室") + "?format=csv").content.decode("utf-8-sig")
    assert "1506.8" in unit and "“三公”经费" in unit.splitlines()[0]
    assert len(list(csv.reader(io.StringIO(client.get("/units?format=csv").content.decode("utf-8-sig"))))) == 4
    proj = list(csv.reader(io.StringIO(client.get("/projects?q=预算联网&format=csv").content.decode("utf-8-sig"))))
    assert proj[0][0] == "来源" and len(proj) >= 4
    assert client.get("/?format=pdf").status_code == 422
    assert "format=csv" in client.get("/").text


def test_every_api_operation_is_exercised_here():
    """Each operation the OpenAPI schema lists is requested somewhere in the tests (this file for the
    document service; the feed, execution and access routes in their own test modules)."""
    import re
    from pathlib import Path

    source = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    app = create_app("sqlite://")
    paths = list(app.openapi()["paths"])
    assert len(paths) >= 18
    for path in paths:
        fixed = re.split(r"\{", path)[0]  # the part before the first parameter
        assert fixed in source, path


def test_decisions_show_who_and_can_be_undone(client):
    f = client.get("/api/findings?rule=C06").json()["items"][0]
    client.post(f"/api/findings/{f['id']}/decision", json={"status": "dismissed", "reason": "已核实", "by": "王审查"})
    page = client.get("/findings?status=dismissed").text
    assert "王审查" in page and "撤销" in page and f'id="f-{f["id"]}"' in page
    hist = client.get(f"/api/findings/{f['id']}/history").json()
    assert [(h["action"], h["status"], h["by"]) for h in hist] == [("decide", "dismissed", "王审查")]
    undone = client.post(f"/api/findings/{f['id']}/undo", json={"by": "王审查"})
    assert undone.status_code == 200 and undone.json()["status"] == "open"
    assert client.post(f"/api/findings/{f['id']}/undo", json={"by": "王审查"}).status_code == 409
    assert client.get("/api/findings/2147483647/history").status_code == 404
    back = client.post(
        f"/findings/{f['id']}/decision",
        data={"status": "accepted", "reason": "属实", "by": "李审查"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert client.post(f"/findings/{f['id']}/undo", data={"by": "李审查"}, follow_redirects=False).status_code == 303
    assert client.get(f"/api/findings/{f['id']}").json()["status"] == "open"


def test_two_sided_tables_print_side_by_side_with_reader_labels(client):
    from budgetwatch.vocab.columns import column_label as label

    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    html = client.get(f"/documents/{i}").text
    block = html.split("收支总表")[1].split("</table>")[0]
    assert ">收入</th>" in block and ">支出</th>" in block and 'class="side-name"' in block
    assert (
        label("x:人员经费#11") == "人员经费（第11列）"
        and label("personnel") == "人员经费"
        and label("x:其他") == "其他"
    )


def test_a_large_documents_page_writes_its_first_tables_and_fetches_the_rest(client, monkeypatch):
    """A 文档 page writes its tables whole up to table_html.INLINE_FIGURES figures (and its 绩效目标表 up to
    INLINE_INDICATORS indicators); each later table's rows, or form's indicators, come from their own URL,
    the same rows as the page writes when it writes them all."""
    import re

    from budgetwatch.web import table_html

    i = doc_id(client, "兴县人民代表大会常务委员会办公室")
    whole = client.get(f"/documents/{i}").text
    assert "data-src=" not in whole  # a small document is written whole
    doc = client.get(f"/api/documents/{i}").json()["document"]
    sizes = [sum(len(r["values"]) for r in t["rows"]) for t in doc["tables"]]
    assert len(sizes) > 2 and doc["performance_forms"]
    monkeypatch.setattr(table_html, "INLINE_FIGURES", sizes[0] + sizes[1])
    monkeypatch.setattr(table_html, "INLINE_INDICATORS", len(doc["performance_forms"][0]["indicators"]))
    page = client.get(f"/documents/{i}?budget=small").text  # another address: not the response cache's answer
    lazy = re.findall(r'<tbody data-src="(/documents/\d+/tables/(\d+)\.html)">', page)
    shown = [ti for ti, t in enumerate(doc["tables"]) if t["rows"] or not t.get("empty")]  # not 空表
    assert [int(t) for _, t in lazy] == [ti for ti in shown if ti >= 2]
    tbody = lambda html, ti: re.search(rf'id="t-{ti}".*?<tbody>\n(.*?)\n</tbody>', html, re.S).group(1)
    for url, ti in lazy:
        assert client.get(url).text == tbody(whole, ti)
    assert tbody(page, 1) == tbody(whole, 1)
    forms = re.findall(r'<tbody data-src="(/documents/\d+/forms/(\d+)\.html)"></tbody>', page)
    assert [int(f) for _, f in forms] == list(range(1, len(doc["performance_forms"])))
    for url, fi in forms:
        rows = client.get(url).text
        assert rows.count("<tr>") == len(doc["performance_forms"][int(fi)]["indicators"]) and rows in whole
    assert client.get(f"/documents/{i}/tables/{len(sizes)}.html").status_code == 404
    assert client.get(f"/documents/{i}/forms/{len(doc['performance_forms'])}.html").status_code == 404


def test_no_two_routes_of_different_modules_match_one_address():
    """The routers are tried the most asked first (routes/__init__.py): that changes no answer only while
    no address is matched by routes of two modules (or of a module and the app's own)."""
    import pkgutil
    from importlib import import_module

    from starlette.routing import compile_path

    import budgetwatch.web.routes as pages

    def walk(router):
        for route in router.routes:
            yield from walk(route.original_router) if hasattr(route, "original_router") else [route]

    routes = [("app", p) for p in ("/health", "/docs", "/openapi.json", "/static/{path:path}")]
    for m in pkgutil.iter_modules(pages.__path__):
        module = import_module(f"budgetwatch.web.routes.{m.name}")
        routes += [(m.name, r.path) for r in walk(module.router)] if hasattr(module, "router") else []
    assert len(routes) > 60
    for owner, path in routes:
        for value in ("1", "x", "1.csv", "110000000"):
            address = re.sub(r"\{[^}]+\}", value, path)
            others = [(o, p) for o, p in routes if o != owner and compile_path(p)[0].match(address)]
            assert not others, (owner, path, address, others)


def test_every_request_gives_its_database_connection_back(client):
    """A page's session is closed in its handler's thread, or by deps.session after it: none is left holding
    a connection, whatever the page answered (pages of both kinds of route, errors included)."""
    pool = client.app.state.engine.pool
    first = client.get("/api/documents").json()["items"][0]["id"]
    for url in (
        "/",
        f"/documents/{first}",
        f"/api/documents/{first}",
        "/findings",
        "/units",
        "/compare",
        "/projects?q=培训",
        "/api/documents/999999",
        "/documents/999999",
        "/execution",
        "/feed",
        "/rules",
    ):
        client.get(url)
        assert pool.checkedout() == 0, url
