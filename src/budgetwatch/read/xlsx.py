"""XLSX exports → lines: each sheet's rows in order (one table per sheet or several); a merged
cell's value sits in its first column, as in a PDF grid. A sheet that prints no title gets its
sheet name as the title line."""
from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

from ..errors import InputError
from .source import Source
from .text import Line, clean, make_line

MAX_CELLS = 2_000_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024


def read_xlsx(path: str | Path) -> Source:
    import openpyxl
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            if "xl/workbook.xml" not in names:
                raise InputError(path, "a ZIP archive, not an XLSX workbook")
            if sum(i.file_size for i in z.infolist()) > MAX_UNCOMPRESSED:
                raise InputError(path, "XLSX expands to more than 512 MiB: refused (decompression bomb?)")
    except zipfile.BadZipFile:
        raise InputError(path, "damaged XLSX: not a readable ZIP archive") from None
    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise InputError(path, f"unreadable XLSX: {type(e).__name__}: {e}") from None
    lines: list[Line] = []
    cells_seen = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        rows = []
        for row in ws.iter_rows(values_only=True):
            cells_seen += len(row)
            if cells_seen > MAX_CELLS:
                raise InputError(path, f"more than {MAX_CELLS} cells: not a disclosure workbook")
            rows.append(tuple(clean(_fmt(v)) for v in row))
        rows = _trim(rows)
        if not rows:
            continue
        if ws.title and _filled(rows[0]) > 1:
            lines.append(Line(no=len(lines) + 1, text=ws.title, cells=(ws.title,)))
        for cells in rows:
            ln = make_line(len(lines) + 1, cells if _filled(cells) > 1 else (" ".join(c for c in cells if c),))
            if ln:
                lines.append(ln)
    if not lines:
        raise InputError(path, "workbook without data")
    return Source(path=str(path), format="xlsx", lines=lines, encoding="xlsx")


def _filled(cells) -> int:
    return sum(1 for c in cells if c)


def _trim(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return [r[:width] for r in rows]


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        s = f"{v:.6f}".rstrip("0").rstrip(".")
        return s
    if isinstance(v, (datetime, date)):
        return v.isoformat()[:10]
    return str(v)
