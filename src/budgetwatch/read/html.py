"""HTML disclosures → lines: `<table>` rows become cells (colspan/rowspan keep positions, a
spanning cell's text in its first column, as in a PDF grid); other text becomes lines at block
boundaries. Navigation around the article is dropped by keeping the deepest element that holds
most of the page's text; the page <title> goes first, as the cover."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from ..errors import Code, InputError
from .formats import Source
from .text import clean, make_line

MAX_HTML_BYTES = 64 * 1024 * 1024
MAX_CELLS = 1_000_000  # a disclosure's tables hold thousands; spans are expanded, so a few bytes of colspan/rowspan can ask for millions
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "tr",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "center",
    "dd",
    "dt",
    "hr",
}
_DROP = ("script", "style", "noscript", "select", "button", "iframe", "svg", "form", "textarea")
_WS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")


def read_html(path: str | Path) -> Source:
    try:
        return _read_html(path)
    except ValueError as e:  # lxml refuses text with NUL or control characters when it builds nodes
        raise InputError(path, f"unreadable HTML: {str(e).splitlines()[0][:200]}", code=Code.damaged) from None


def _read_html(path: str | Path) -> Source:
    p = Path(path)
    data = p.read_bytes()
    if not data.strip():
        raise InputError(path, "empty file", code=Code.empty)
    if len(data) > MAX_HTML_BYTES:
        raise InputError(
            path, f"too large for an HTML disclosure ({len(data) // (1024 * 1024)} MiB)", code=Code.too_large
        )
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as e:
        raise InputError(path, f"unreadable HTML: {e}", code=Code.damaged) from None
    title = root.findtext(".//title") or ""
    for el in root.xpath("|".join(f"//{t}" for t in _DROP)):
        el.drop_tree()
    from .html_positioned import is_positioned, read_positioned

    if is_positioned(root):  # a PDF converted to HTML: text boxes at absolute positions
        lines = read_positioned(root)
        if not lines:
            raise InputError(path, "HTML page without text", code=Code.empty)
        return Source(path=str(path), format="html", lines=lines, encoding="html")
    body = root.find("body") if root.find("body") is not None else root
    content = _content_root(body)
    rows: list[tuple[str, ...]] = []
    if title.strip():
        rows.append((clean(_WS.sub(" ", title)),))
    try:
        _emit(content, rows)
    except _TooManyCells as e:
        raise InputError(
            path,
            f"HTML table of more than {MAX_CELLS} cells ({e}; a colspan/rowspan bomb?): refused",
            code=Code.too_large,
        ) from None
    lines = []
    for cells in rows:
        ln = make_line(len(lines) + 1, cells)
        if ln:
            lines.append(ln)
    if not lines:
        raise InputError(path, "HTML page without text", code=Code.empty)
    return Source(path=str(path), format="html", lines=lines, encoding="html")


def _text_len(el) -> int:
    return len(re.sub(r"\s+", "", el.text_content() or ""))


def _content_root(body):
    """The deepest element holding ≥ 70% of the page's text: the article, without the menus."""
    total = _text_len(body)
    node = body
    while True:
        best = None
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if _text_len(child) >= 0.7 * total:
                best = child
                break
        if best is None or best.tag == "table":
            return node
        node = best


def _emit(el, rows: list) -> None:
    """Walk the tree: tables → rows of cells, everything else → text lines at block boundaries."""
    buf: list[str] = []
    cells = [0]

    def flush():
        text = _WS.sub(" ", "".join(buf)).strip()
        for part in text.split("\n"):
            if part.strip():
                rows.append((part.strip(),))
        buf.clear()

    def walk(node):
        if not isinstance(node.tag, str):
            if node.tail:
                buf.append(node.tail)
            return
        tag = node.tag.lower()
        if tag == "table":
            flush()
            table = _table_rows(node)
            cells[0] += sum(len(r) for r in table)
            if cells[0] > MAX_CELLS:
                raise _TooManyCells(f"{len(rows) + len(table)} rows in all")
            rows.extend(table)
        else:
            if tag in _BLOCK:
                buf.append("\n")
            if node.text:
                buf.append(node.text)
            for child in node:
                walk(child)
            if tag in _BLOCK:
                buf.append("\n")
        if node.tail:
            buf.append(node.tail)

    if el.text:
        buf.append(el.text)
    for child in el:
        walk(child)
    flush()


class _TooManyCells(Exception):
    pass


def _table_rows(table) -> list[tuple[str, ...]]:
    out: list[list[str]] = []
    cells = 0
    carry: dict[int, int] = {}  # column → rows still covered by a rowspan above
    for tr in table.iter("tr"):
        if tr.getparent() is not None and _nearest_table(tr) is not table:
            continue  # a row of a nested table
        row: list[str] = []
        col = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while carry.get(col, 0) > 0:
                row.append("")
                carry[col] -= 1
                col += 1
            span = _int(cell.get("colspan"))
            down = _int(cell.get("rowspan"))
            row.append(_WS.sub(" ", cell.text_content() or "").strip())
            row.extend([""] * (span - 1))
            if down > 1:
                for k in range(col, col + span):
                    carry[k] = down - 1
            col += span
        while carry.get(col, 0) > 0:
            row.append("")
            carry[col] -= 1
            col += 1
        cells += len(row)
        if cells > MAX_CELLS:
            raise _TooManyCells(f"{len(out)} rows")
        if any(row):
            out.append(row)
    width = max((len(r) for r in out), default=0)
    if width * len(out) > MAX_CELLS:
        raise _TooManyCells(f"{len(out)} rows × {width} columns")
    return [tuple(r + [""] * (width - len(r))) for r in out]


def _nearest_table(el):
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _int(v) -> int:
    try:
        return max(1, min(int(v), 200))
    except (TypeError, ValueError):
        return 1
