"""Findings as a 问题清单: JSON (an array of findings), CSV and XLSX with Chinese column names."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

from ..checks.rule import SEVERITY_ZH, Finding, fmt_value, value_kind
from ..vocab.enums import Status, labels
from .writers import append_row, safe_csv
from .xlsx_style import WHOLE_FORMATS, style_sheet

CSV_COLUMNS = (
    "编号",
    "文档",
    "规则",
    "类别",
    "严重程度",
    "可信度",
    "位置",
    "表",
    "行",
    "栏",
    "提供值",
    "期望值",
    "差额",
    "单位",
    "说明",
    "审查意见建议",
    "处理状态",
    "处理理由",
)
STATUS_ZH = labels(Status)


def finding_row(doc_label: str, f: Finding) -> list:
    kind = value_kind(f.rule)
    return [
        f.id,
        doc_label,
        f.rule,
        f.family,
        SEVERITY_ZH[f.severity],
        round(f.confidence, 2),
        f.location,
        f.table_title or "",
        " ".join(x for x in (f.row_code, f.row_name) if x),
        f.column or "",
        fmt_value(f.value, kind),
        fmt_value(f.expected, kind),
        fmt_value(f.difference, kind),
        f.money_unit or "",
        f.message,
        f.suggestion or "",
        STATUS_ZH.get(f.status, f.status),
        f.reason or "",
    ]


def findings_json(groups: list[tuple[dict, list[Finding]]]) -> str:
    out = []
    for meta, fs in groups:
        for f in fs:
            out.append({**f.to_dict(), "document": meta})
    return json.dumps(out, ensure_ascii=False, indent=1)


def findings_csv(groups: list[tuple[dict, list[Finding]]]) -> str:
    buf = io.StringIO()
    w = safe_csv(csv.writer(buf))
    w.writerow(CSV_COLUMNS)
    for meta, fs in groups:
        for f in fs:
            w.writerow(finding_row(meta["label"], f))
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 CSV as Chinese text


def findings_xlsx(groups: list[tuple[dict, list[Finding]]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    append_row(ws, list(CSV_COLUMNS))
    amounts = CSV_COLUMNS.index("提供值")
    kinds: list[str] = []
    for meta, fs in groups:
        for f in fs:
            row = finding_row(meta["label"], f)
            row[amounts : amounts + 3] = [f.value, f.expected, f.difference]  # numbers, formatted by the sheet
            append_row(ws, row)
            kinds.append(value_kind(f.rule))
    style_sheet(ws, money_columns={amounts + 1, amounts + 2, amounts + 3})
    for r, kind in enumerate(kinds, start=2):  # a count or a year is whole: not #,##0.00
        if kind in WHOLE_FORMATS:
            for c in range(amounts + 1, amounts + 4):
                ws.cell(row=r, column=c).number_format = WHOLE_FORMATS[kind]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
