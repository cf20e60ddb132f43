"""export: JSON from the database equals extract; CSV one row per cell; XLSX one sheet per table."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from openpyxl import load_workbook

from budgetwatch.extract import extract_files

from conftest import SAMPLES, seed

BW = [sys.executable, "-m", "budgetwatch"]


def bw(*args):
    r = subprocess.run(BW + list(args), capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def test_cli_export_json_csv_xlsx(db_url, tmp_path):
    bw("ingest", str(SAMPLES), "--db", db_url)
    doc = extract_files([seed("000")])
    exported = json.loads(bw("export", "1", "--db", db_url))
    assert exported == json.loads(bw("extract", str(seed("000")), "--json")) == doc.to_dict()

    rows = list(csv.DictReader(io.StringIO(bw("export", "1", "--format", "csv", "--db", db_url).decode("utf-8-sig"))))
    assert len(rows) == sum(len(r.values) for t in doc.tables for r in t.rows)
    first = rows[0]
    assert (
        first["table_kind"],
        first["name"],
        first["column"],
        float(first["amount"]),
        first["printed"],
        first["line"],
    ) == ("summary", "一般公共预算", "total", 1486.8, "1486.80", "72")

    out = tmp_path / "doc.xlsx"
    bw("export", "1", "--format", "xlsx", "--out", str(out), "--db", db_url)
    wb = load_workbook(out)
    assert len(wb.sheetnames) == len(doc.tables) + 1  # one per table, plus the 绩效目标 sheet
    ws = wb[wb.sheetnames[1]]
    assert ws["A1"].value == "2023年预算收入总表"
    # printed in two header rows: 本年收入 over 合计 | 一般公共预算 | …, 上年结转 alone
    header, under = [c.value for c in ws[3]], [c.value for c in ws[4]]
    assert header[:3] == ["科目编码", "项目", "本年收入"] and under[2:4] == ["合计", "一般公共预算"]
    assert header[
        -1
    ] == "上年结转" and f"{ws.cell(3, len(header)).coordinate}:{ws.cell(4, len(header)).coordinate}" in {
        str(r) for r in ws.merged_cells.ranges
    }
    assert [c.value for c in ws[6]][:3] == ["201", "一般公共服务支出", 1299.13]

    everything = json.loads(bw("export", "--all", "--db", db_url))
    assert isinstance(everything, list) and len(everything) == 3


def test_export_bad_id_and_format(tmp_path):
    db = f"sqlite:///{tmp_path / 'e.db'}"
    r = subprocess.run(BW + ["export", "7", "--db", db], capture_output=True, text=True)
    assert r.returncode != 0 and "no document with id 7" in r.stderr
    r = subprocess.run(BW + ["export", "--all", "--format", "pdf", "--db", db], capture_output=True, text=True)
    assert r.returncode != 0 and "--format pdf" in r.stderr
