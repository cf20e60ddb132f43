"""Tables as printed: a column under a multi-level heading keeps its printed header path (部门预算 › 公共预算拨款 ›
小计) through extraction, the database (SQLite and PostgreSQL), the 文档 page and the XLSX export, instead of a
label told apart by its column number (小计（第6列）).

The document's 支出总表 (page 43) prints, as seen on `pdftoppm -r 80 -f 43 -l 43`: 总计 | 部门预算 over nine
columns — 合计, 公共预算拨款 (over 小计 and 其中：专项资金列入部门预算的项目), 政府性基金拨款, 事业收入,
事业单位经营收入, 对附属单位上缴收入, 上年实户资金余额, 其他收入."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from budgetwatch.export.headers import header_path
from budgetwatch.export.writers import to_xlsx
from budgetwatch.extract import extract_files
from budgetwatch.pipeline import ingest_one
from budgetwatch.store.repository import load_version
from budgetwatch.vocab.columns import column_label as label
from budgetwatch.web.app import create_app

from conftest import CORPUS

DOC = CORPUS / "shaanxi-xian-minzhengju-2021-yusuan.pdf"
pytestmark = pytest.mark.skipif(not DOC.exists(), reason=f"corpus document {DOC.name} absent")
TITLE = "2021年部门综合预算支出总表"
NUMBERED = re.compile(r"（第\d+列）")


def _table(doc):
    return next(t for t in doc.tables if t.title == TITLE)


@pytest.fixture(scope="module")
def extracted():
    return extract_files([DOC])


def test_columns_keep_their_printed_header_path(extracted):
    t = _table(extracted)
    numbered = [k for k in t.columns if NUMBERED.search(label(k))]
    assert numbered, "the table's repeated labels (合计, 小计) are what the path tells apart"
    paths = [header_path(t, k) for k in t.columns]
    assert ["部门预算", "公共预算拨款", "小计"] in paths and ["部门预算", "合计"] in paths
    assert not [p for p in paths if NUMBERED.search(" › ".join(p))]
    assert sum(p[0] == "部门预算" for p in paths) == 9 and paths[0] == ["总计"]


def test_headers_survive_the_database(engine, extracted):
    out = ingest_one(engine, [DOC])
    with Session(engine) as s:
        doc = load_version(s, out.version_id)
    assert [t.headers for t in doc.tables] == [t.headers for t in extracted.tables]
    assert _table(doc).headers and doc.to_dict() == extracted.to_dict()


def test_xlsx_has_the_printed_header_rows(engine):
    out = ingest_one(engine, [DOC])
    with Session(engine) as s:
        doc = load_version(s, out.version_id)
    wb = load_workbook(io.BytesIO(to_xlsx([doc])))
    ws = next(ws for ws in wb.worksheets if ws["A1"].value == TITLE)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=5)]
    lead = rows[0].index("总计")
    assert rows[0][lead + 1] == "部门预算" and rows[1][lead + 2] == "公共预算拨款" and rows[2][lead + 2] == "小计"
    merged = {str(r) for r in ws.merged_cells.ranges}
    col = lambda i: get_column_letter(i + 1)
    assert f"{col(lead + 1)}3:{col(lead + 9)}3" in merged  # 部门预算 over its nine columns
    assert f"{col(lead)}3:{col(lead)}5" in merged  # 总计 has no children: down over three rows
    assert ws.freeze_panes == "A6" and not any(NUMBERED.search(str(v)) for v in rows[2] if v)


def test_page_shows_the_printed_header_rows(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url)
    out = ingest_one(app.state.engine, [DOC])
    with TestClient(app) as c:
        html = c.get(f"/documents/{out.document_id}").text
    head = next(h for h in re.findall(r"<thead>(.*?)</thead>", html, re.S) if "专项资金列入部门预算的项目" in h)
    assert '<th colspan="9">部门预算</th>' in head and '<th colspan="2">公共预算拨款</th>' in head
    assert 'rowspan="3">总计</th>' in head and ">小计</th>" in head and not NUMBERED.search(head)
    assert head.count("<tr>") == 3
