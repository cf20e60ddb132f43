"""Every XLSX budgetwatch writes keeps a finance office's habits (export, 问题清单, web lists, 审查报告): bold
frozen headings with an autofilter, amounts as #,##0.00 numbers, widths from the contents, landscape pages
fitted to the width repeating the headings; CSV with Chinese headings on request."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from conftest import SAMPLES

BW = [sys.executable, "-m", "budgetwatch"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('xl') / 'bw.db'}", cache=False)
    ingest(app.state.engine, [SAMPLES])
    check_versions(app.state.engine)
    with TestClient(app) as c:
        yield c


def assert_habits(ws, header_row: int = 1, top: int | None = None) -> None:
    """`top`: the first of several heading rows (a table printed with a multi-level header), `header_row` the last."""
    top = top or header_row
    heads = [c for c in ws[top] if c.value is not None]
    assert heads and all(c.font.bold for c in heads), ws.title
    assert ws.freeze_panes == f"A{header_row + 1}", ws.title
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{header_row}:"), ws.title
    assert ws.print_title_rows in (f"{top}:{header_row}", f"${top}:${header_row}"), ws.title
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(c.value)) or c.value in ("#",) for c in heads[:3]), ws.title
    floats = [c for row in ws.iter_rows(min_row=header_row + 1) for c in row if isinstance(c.value, float)]
    assert all(c.number_format == "#,##0.00" for c in floats), ws.title
    assert ws.column_dimensions["B"].width and ws.column_dimensions["B"].width >= 6, ws.title


def last_heading_row(ws, top: int = 3) -> int:
    """A table's headings start on row `top`; a multi-level header merges its lead cells (科目编码) down over
    all its rows."""
    return max([r.max_row for r in ws.merged_cells.ranges if r.min_row == top and r.min_col == 1], default=top)


def sheets(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets


def test_web_lists_reports_and_tables_download_with_the_habits(client):
    for url in ("/?format=xlsx", "/units?format=xlsx", "/compare?year=2023&format=xlsx", "/api/findings.xlsx"):
        ws = sheets(client.get(url).content)[0]
        assert_habits(ws)
    findings = sheets(client.get("/api/findings.xlsx").content)[0]
    heads = [c.value for c in findings[1]]
    value = next(r for r in findings.iter_rows(min_row=2) if r[heads.index("规则")].value == "C06")[
        heads.index("提供值")
    ]
    assert value.value == -0.5 and value.number_format == "#,##0.00"  # a number, not the text "-0.50"
    for ws in sheets(client.get("/documents/1/report.xlsx").content):
        assert_habits(ws)
    table = sheets(client.get("/api/documents/1/tables/0.xlsx").content)[0]
    assert_habits(table, header_row=last_heading_row(table), top=3)
    assert any(c.value == 1506.8 and c.number_format == "#,##0.00" for row in table.iter_rows() for c in row)


def test_export_xlsx_and_chinese_csv(client, tmp_path):
    db = str(client.app.state.engine.url)
    out = tmp_path / "all.xlsx"
    assert subprocess.run(BW + ["export", "--all", "--format", "xlsx", "--out", str(out), "--db", db]).returncode == 0
    wb = load_workbook(out)
    for ws in wb.worksheets:
        if ws.title.startswith("绩效目标"):
            assert_habits(ws)
        else:
            assert_habits(ws, header_row=last_heading_row(ws), top=3)
    zh = subprocess.run(BW + ["export", "1", "--format", "csv", "--lang", "zh", "--db", db], capture_output=True)
    head = next(csv.reader(io.StringIO(zh.stdout.decode("utf-8-sig"))))
    assert head[:4] == ["文档id", "单位", "年度", "阶段"] and "金额" in head and "原文" in head
    en = subprocess.run(BW + ["export", "1", "--format", "csv", "--db", db], capture_output=True)
    assert next(csv.reader(io.StringIO(en.stdout.decode("utf-8-sig"))))[0] == "document"
    web = client.get("/api/documents/1/tables/0.csv").content.decode("utf-8-sig")
    assert web.splitlines()[0].startswith("文档id,单位")
