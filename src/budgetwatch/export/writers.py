"""Writers take documents from the model and write one file atomically (temp file, then rename)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

from ..model import DOCUMENT_KEYS, FIGURE_FIELDS, Document, Indicator, figures
from ..vocab.columns import COLUMN_ZH
from ..vocab.enums import Side, labels
from .headers import header_grid, header_path

COLUMN_LABELS = COLUMN_ZH
SIDE_LABELS: dict[str | None, str] = {k: v for k, v in labels(Side).items()}  # a row's side may be None
CSV_FIELDS = ["document", *DOCUMENT_KEYS, *FIGURE_FIELDS]  # one row per figure (model.py)
# each CSV column's Chinese heading, by field name: a field added to the model without one fails at import
CSV_FIELDS_ZH = {
    "document": "文档id",
    "unit": "单位",
    "year": "年度",
    "stage": "阶段",
    "scope": "口径",
    "table_no": "表序号",
    "table_kind": "表类型",
    "table_title": "表名",
    "money_unit": "金额单位",
    "row_no": "行序号",
    "side": "收/支",
    "code": "科目编码",
    "name": "项目",
    "gov_name": "政府预算经济分类",
    "column": "栏目键",
    "column_label": "栏目",
    "amount": "金额",
    "printed": "原文",
    "line": "行号",
    "page": "页码",
}
if list(CSV_FIELDS_ZH) != CSV_FIELDS:
    raise RuntimeError(f"CSV_FIELDS_ZH does not head {CSV_FIELDS} in order")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?%?$")


def neutralise(value):
    """A CSV cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) gets a
    leading apostrophe; numbers, also printed ones like "-5.00", stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


class safe_csv:
    """Wraps a csv writer (or DictWriter): every row written is neutralised cell by cell."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        if isinstance(row, dict):
            return self.writer.writerow({k: neutralise(v) for k, v in row.items()})
        return self.writer.writerow([neutralise(v) for v in row])

    def writeheader(self):
        return self.writer.writeheader()


def append_row(ws, values) -> None:
    """`ws.append`, with the control characters XLSX cannot hold removed from text (a reviewer's reason
    pasted from elsewhere, a converter's stray byte) instead of failing the whole download. Text that
    starts with "=" stays text: openpyxl would otherwise write it as a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def atomic_write(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bw-", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600; a file written by `open` respects the umask
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process's umask (read by setting it, then restoring it): files are written as `open` would."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def to_json(docs: list[Document]) -> str:
    payload = docs[0].to_dict() if len(docs) == 1 else [d.to_dict() for d in docs]
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def csv_rows(docs: list[Document], doc_ids: list[int | str] | None = None):
    for d_i, doc in enumerate(docs):
        ident = doc_ids[d_i] if doc_ids else d_i + 1
        head = {"document": ident, **{k: getattr(doc, k) for k in DOCUMENT_KEYS}}
        for fig in figures(doc):
            yield {**head, **{k: "" if v is None else v for k, v in fig.items()}}  # an empty cell, never "None"


def to_csv(docs: list[Document], doc_ids=None, lang: str = "en") -> str:
    """One row per figure; `lang="zh"`: Chinese column headings (the values are the same)."""
    buf = io.StringIO()
    w = safe_csv(csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n"))
    if lang == "zh":
        w.writerow(CSV_FIELDS_ZH)
    else:
        w.writeheader()
    for row in csv_rows(docs, doc_ids):
        w.writerow(row)
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 Chinese CSV correctly


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "表"
    name, n = base, 2
    while name in used:
        name = f"{base[:26]}_{n}"
        n += 1
    used.add(name)
    return name


def _header_rows(ws, t, head: list[str], keys: list[str]) -> int:
    """The table's headings as printed, from the sheet's next row: one row per header level, a parent merged
    over its children and a heading without children merged down; returns how many rows they take."""
    from openpyxl.styles import Alignment, Font

    grid = header_grid([header_path(t, k) for k in keys])
    top, depth, lead = ws.max_row + 1, len(grid), len(head)
    for level, cells in enumerate(grid):
        line: list = (head if level == 0 else [None] * lead) + [None] * len(keys)
        for c in cells:
            line[lead + c.col] = c.text
        append_row(ws, line)
    merges = [(top, i, top + depth - 1, i) for i in range(1, lead + 1)] if depth > 1 else []
    for level, cells in enumerate(grid):
        for c in cells:
            if c.colspan > 1 or c.rowspan > 1:
                col = lead + c.col + 1
                merges.append((top + level, col, top + level + c.rowspan - 1, col + c.colspan - 1))
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    for row in ws.iter_rows(min_row=top, max_row=top + depth - 1):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    return depth


def to_xlsx(docs: list[Document]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .xlsx_style import style_sheet

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for doc in docs:
        for t in doc.tables:
            ws = wb.create_sheet(_sheet_name(t.title, used))
            append_row(ws, [t.title])
            ws["A1"].font = Font(bold=True)
            append_row(ws, [f"单位：{doc.unit or ''}", "", f"金额单位：{t.money_unit or ''}"])
            keys = list(t.columns) or sorted({k for r in t.rows for k in r.values})
            has_side = any(r.side for r in t.rows)
            has_gov = any(r.gov_name for r in t.rows)
            head = (["收/支"] if has_side else []) + ["科目编码", "项目"] + (["政府预算经济分类"] if has_gov else [])
            depth = _header_rows(ws, t, head, keys)
            for r in t.rows:
                lead = ([SIDE_LABELS.get(r.side, "")] if has_side else []) + [r.code or "", r.name]
                if has_gov:
                    lead.append(r.gov_name or "")
                append_row(ws, lead + [r.values.get(k) for k in keys])
            style_sheet(ws, header_row=2 + depth)
            ws.print_title_rows = f"3:{2 + depth}"
            if t.empty:
                append_row(ws, ["本表无数据"])
        if doc.forms:
            ws = wb.create_sheet(_sheet_name("绩效目标", used))
            append_row(ws, ["项目", "金额", "金额单位", "一级指标", "二级指标", "三级指标", "指标值"])
            for f in doc.forms:
                indicators: list[Indicator | None] = [*f.indicators] or [None]  # a form without: one line
                for ind in indicators:
                    append_row(
                        ws,
                        [
                            f.project or "（整体支出）",
                            f.amount,
                            f.money_unit,
                            ind.level1 if ind else "",
                            ind.level2 if ind else "",
                            ind.name if ind else "",
                            ind.value if ind else "",
                        ],
                    )
            style_sheet(ws, money_columns={2})
    if not wb.worksheets:
        wb.create_sheet("空")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
