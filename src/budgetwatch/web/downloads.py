"""Every list the service shows also downloads as CSV or XLSX (`?format=csv|xlsx` on its page), with
Chinese column headings: what a reviewer pastes into a spreadsheet."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from starlette.responses import Response

from ..export.writers import append_row, safe_csv
from ..export.xlsx_style import style_sheet

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(rows: list[dict], columns: dict[str, str], name: str, fmt: str) -> Response:
    """`rows` as a download: `columns` maps each row key to its heading, in order."""
    keys = list(columns)
    if fmt == "csv":
        buf = io.StringIO()
        w = safe_csv(csv.writer(buf))
        w.writerow(columns.values())
        for r in rows:
            w.writerow(["" if r.get(k) is None else r.get(k) for k in keys])
        body, media = ("\ufeff" + buf.getvalue()).encode("utf-8"), CSV  # BOM: Excel reads the Chinese
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = name[:31]
        append_row(ws, list(columns.values()))
        for r in rows:
            append_row(ws, [r.get(k) for k in keys])
        style_sheet(ws)
        out = io.BytesIO()
        wb.save(out)
        body, media = out.getvalue(), XLSX
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
