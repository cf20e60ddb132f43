"""A table's column headings as printed: each column's header path (上年结转 › 小计), and the grid of header
cells a page or a spreadsheet draws from them — a parent spanning its children, a heading without children
spanning the rows below it. Shared by the 文档 page and the XLSX export so both show the same heading."""

from __future__ import annotations

from dataclasses import dataclass

from ..vocab.columns import column_label


@dataclass(frozen=True)
class HeaderCell:
    text: str
    col: int  # 0-based, among the value columns
    colspan: int
    rowspan: int
    leaf: bool  # names one column (a parent names the group below it)


def header_path(table, key: str) -> list[str]:
    """The printed path of column `key`, outermost first; a column read without one keeps its label."""
    path: list[str] = []
    for p in table.headers.get(key) or ():
        if p and (not path or path[-1] != p):  # a cell merged downwards is read once per header row
            path.append(p)
    return path or [column_label(key)]


def header_grid(paths: list[list[str]]) -> list[list[HeaderCell]]:
    """One list of cells per header row. Adjacent columns sharing a parent get one cell spanning them."""
    depth = max((len(p) for p in paths), default=1)
    rows: list[list[HeaderCell]] = []
    for level in range(depth):
        cells, j = [], 0
        while j < len(paths):
            p = paths[j]
            if len(p) <= level:  # covered by its leaf's rowspan from a row above
                j += 1
            elif len(p) == level + 1:
                cells.append(HeaderCell(p[level], j, 1, depth - level, True))
                j += 1
            else:
                end = j + 1
                while end < len(paths) and len(paths[end]) > level + 1 and paths[end][: level + 1] == p[: level + 1]:
                    end += 1
                cells.append(HeaderCell(p[level], j, end - j, 1, False))
                j = end
        rows.append(cells)
    return rows
