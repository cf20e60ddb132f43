"""The habits of a spreadsheet a finance office hands round, applied to every XLSX budgetwatch writes (export,
问题清单, web downloads, 审查报告): bold frozen headings, an autofilter, amounts as #,##0.00, column widths
from their contents, landscape pages fitted to the width with the headings repeated on every page."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..vocab.enums import ValueKind

MONEY = "#,##0.00"
WHOLE_FORMATS: dict[str, str] = {
    ValueKind.quantity: "#,##0",
    ValueKind.year: "0",
}  # a finding's values that are no amount
MAX_WIDTH = 60
WRAP_FROM = 40  # text columns wider than this wrap instead of growing


def _width(value) -> float:
    if value is None:
        return 0
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in longest)  # a CJK character takes two columns


def style_sheet(ws, header_row: int = 1, money_columns: set[int] | None = None) -> None:
    """Style `ws` whose headings are on `header_row` (1-based) and data below it. Float cells (or every cell
    of `money_columns`, 1-based) get the money format."""
    last_col, last_row = ws.max_column, ws.max_row
    if last_col == 0 or last_row < header_row:
        return
    for c in ws[header_row]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [0.0] * (last_col + 1)
    for row in ws.iter_rows(min_row=header_row, max_row=last_row):
        for c in row:
            if c.row > header_row and (
                isinstance(c.value, float)
                or (money_columns and c.column in money_columns and isinstance(c.value, (int, float)))
            ):
                c.number_format = MONEY
            widths[c.column] = max(widths[c.column], _width(c.value))
    for i in range(1, last_col + 1):
        width = min(MAX_WIDTH, max(6, widths[i] + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if widths[i] > WRAP_FROM:
            for (c,) in ws.iter_rows(min_row=header_row + 1, max_row=last_row, min_col=i, max_col=i):
                c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last_col)}{last_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
