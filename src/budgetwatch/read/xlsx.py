"""XLSX exports → lines: each sheet's rows in order (one table per sheet or several); a merged
cell's value sits in its first column, as in a PDF grid. A sheet that prints no title gets its
sheet name as the title line."""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

from ..errors import Code, InputError
from .formats import Source
from .text import Line, clean, make_line

MAX_CELLS = 1_000_000  # a disclosure workbook holds thousands; openpyxl needs ~1 KiB and ~40 µs a cell
MAX_UNCOMPRESSED = 512 * 1024 * 1024


def read_xlsx(path: str | Path) -> Source:
    import openpyxl

    p = Path(path)
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            if "xl/workbook.xml" not in names:
                raise InputError(path, "a ZIP archive, not an XLSX workbook", code=Code.wrong_format)
            if sum(i.file_size for i in z.infolist()) > MAX_UNCOMPRESSED:
                raise InputError(
                    path, "XLSX expands to more than 512 MiB: refused (decompression bomb?)", code=Code.too_large
                )
            census = _census(z)
            if census > MAX_CELLS:
                raise InputError(
                    path,
                    f"{census} cells (merged ranges counted): more than the {MAX_CELLS} cells "
                    "of a disclosure workbook: refused",
                    code=Code.too_large,
                )
    # a damaged central directory surfaces as any of these; a member name flagged UTF-8 that is not, as
    # UnicodeDecodeError; an unknown compression method, as NotImplementedError
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError, NotImplementedError):
        raise InputError(path, "damaged XLSX: not a readable ZIP archive", code=Code.damaged) from None
    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise InputError(path, f"unreadable XLSX: {type(e).__name__}: {e}", code=Code.damaged) from None
    lines: list[Line] = []
    cells_seen = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        if ws.max_row * ws.max_column > MAX_CELLS:  # iterating a sparse sheet creates every cell of its grid
            raise InputError(
                path,
                f"sheet {ws.title} spans {ws.max_row} rows × {ws.max_column} columns: "
                f"more than the {MAX_CELLS} cells of a disclosure workbook: refused",
                code=Code.too_large,
            )
        rows = []
        for row in ws.iter_rows(values_only=True):
            cells_seen += len(row)
            if cells_seen > MAX_CELLS:
                raise InputError(path, f"more than {MAX_CELLS} cells: not a disclosure workbook", code=Code.too_large)
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
        raise InputError(path, "workbook without data", code=Code.empty)
    return Source(path=str(path), format="xlsx", lines=lines, encoding="xlsx")


_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _census(z: zipfile.ZipFile) -> int:
    """Cells the worksheets ask for, counted in their XML before openpyxl builds them: <c> elements and
    the area of merged ranges (openpyxl makes an object for every cell a merge covers)."""
    total = 0
    for info in z.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with z.open(info) as f:
            tail = b""
            while True:
                chunk = f.read(1 << 20)
                data = tail + chunk
                cut = len(data) - 256 if chunk else len(data)  # a tag across the cut is counted next time
                total += sum(1 for m in _CELL.finditer(data) if m.start() < cut)
                total += sum(_area(m) for m in _MERGE.finditer(data) if m.start() < cut)
                tail = data[max(cut, 0) :]
                if total > MAX_CELLS or not chunk:
                    break
        if total > MAX_CELLS:
            break
    return total


def _area(m) -> int:
    return (abs(_col(m[3]) - _col(m[1])) + 1) * (abs(int(m[4]) - int(m[2])) + 1)


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
