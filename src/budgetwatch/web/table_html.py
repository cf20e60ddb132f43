"""The 文档 page's tables as printed, built in Python rather than in the template: a large document has
thousands of figures, and each figure carries its source link and its findings (a template loop per cell
took a quarter of a second on a 1,000-row document)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from ..checks.rule import fmt_amount
from ..export.headers import header_grid, header_path
from ..model import Document

# figures a 文档 page writes into its HTML at most: the tables after those that fill it come empty and are
# fetched as the reader scrolls to them (or clicks a finding on them), so a page costs the same however
# large its document (a county 决算 of 5,000 figures took 60 ms to write whole)
INLINE_FIGURES = 1200


def inline_tables(doc: Document) -> int:
    """How many of the document's first tables its page writes whole: those within INLINE_FIGURES figures
    (the first always)."""
    seen = 0
    for ti, t in enumerate(doc.tables):
        seen += sum(len(r.values) for r in t.rows)
        if seen > INLINE_FIGURES:
            return max(ti, 1)
    return len(doc.tables)


INLINE_INDICATORS = 300  # and indicator rows of its 绩效目标表 (folded): later forms' are fetched when opened


def inline_forms(doc: Document) -> int:
    """How many of the document's first forms its page writes with their indicators (INLINE_INDICATORS)."""
    seen = 0
    for fi, f in enumerate(doc.forms):
        seen += len(f.indicators)
        if seen > INLINE_INDICATORS:
            return fi
    return len(doc.forms)


def form_rows(form) -> Markup:
    """A 绩效目标表's indicator rows (一级, 二级, 三级 指标, 指标值)."""
    return Markup(
        "".join(
            f"<tr><td>{escape(i.level1 or '')}</td><td>{escape(i.level2 or '')}</td><td>{escape(i.name or '')}</td>"
            f"<td>{escape(i.value or '')}</td></tr>"
            for i in form.indicators
        )
    )


def finding_cells(doc: Document, findings) -> tuple[dict, dict]:
    """Where each finding points: {cell id: [findings]} and {finding id: element id}. A finding on a row
    (by its code or its name) points to the figure it names, else the row's first figure; a finding on a
    table as a whole points to the table."""
    by_row: dict[tuple, list] = {}
    whole: dict[str, list] = {}
    for f in findings:
        keys = [k for k in (f.row_code, f.row_name) if k]
        for k in keys:
            by_row.setdefault((f.table_title, k), []).append(f)
        if not keys and f.table_title:
            whole.setdefault(f.table_title, []).append(f)
    by_cell: dict = {}
    target: dict = {}
    for ti, t in enumerate(doc.tables):
        for f in whole.get(t.title, ()):
            target.setdefault(f.id, f"t-{ti}")
        for ri, r in enumerate(t.rows):
            for key in dict.fromkeys(k for k in (r.code, r.name) if k):
                for f in by_row.get((t.title, key), ()):
                    if f.id in target:
                        continue
                    col = f.column if f.column in r.values else next(iter(r.values), None)
                    if col is None:
                        continue
                    cid = f"c-{ti}-{ri}-{t.columns.index(col) if col in t.columns else 0}"
                    target[f.id] = cid
                    by_cell.setdefault(cid, []).append(f)
    return by_cell, target


def file_param(doc: Document, where: dict) -> str | None:
    """Which file of the document a crop is of, as the crop link's parameter: none for a document of one
    file, `file=N&` for one read from several (pages restart in each) where the table's location names its
    file; None where it cannot be told (stored before files were kept per table)."""
    if len(doc.files) == 1:
        return ""
    names = [f.name for f in doc.files]
    name = where.get("file")
    return f"file={names.index(name)}&" if name in names else None


def source_link(doc_id: int, doc: Document, r, k: str, where: dict | None = None) -> str | None:
    """Where a printed figure can be seen: a crop of its PDF page (in its table's file, `where`), or its line
    in the text file."""
    box = r.boxes.get(k)
    which = file_param(doc, where or {})
    if which is not None and r.page and box:
        return f"/documents/{doc_id}/source.png?{which}page={r.page}&box={_box(box)}"
    if len(doc.files) != 1:
        return None
    if r.line and doc.format == "text":
        return f"/documents/{doc_id}/source.txt?line={r.line}"
    return None


def _box(box) -> str:
    """A figure's box as its crop link gives it: each edge to one decimal, as str(round(x, 1)) writes it
    (".1f" writes the same digits for a float, correctly rounded, in a quarter of the time)."""
    x0, top, x1, bottom = box
    if (
        type(x0) is type(top) is type(x1) is type(bottom) is float
        and -1e15 < x0 < 1e15
        and -1e15 < top < 1e15
        and -1e15 < x1 < 1e15
        and -1e15 < bottom < 1e15
    ):
        return f"{x0:.1f},{top:.1f},{x1:.1f},{bottom:.1f}"
    return f"{round(x0, 1)},{round(top, 1)},{round(x1, 1)},{round(bottom, 1)}"


def _cells(doc_id: int, doc: Document, ti: int, by_cell: dict):
    """The function writing the <td> of a row's figures of table `ti` (row index, row, column keys): what
    is the same for every figure of the table, or of the row, is worked out once (a county document has
    thousands of figures). The links are `source_link`'s, written with their & escaped."""
    index: dict[str, str] = {}
    for i, k in enumerate(doc.tables[ti].columns):
        index.setdefault(k, str(i))  # a key printed twice: its first column, as list.index gives
    which = file_param(doc, doc.tables[ti].location)
    linked = len(doc.files) == 1
    png = f"/documents/{doc_id}/source.png?{(which or '').replace('&', '&amp;')}page="
    txt = f"/documents/{doc_id}/source.txt?line=" if doc.format == "text" else None
    fmt = fmt_amount

    def row_cells(ri: int, r, keys) -> list[str]:
        prefix = f"c-{ti}-{ri}-"
        values, boxes = r.values, r.boxes
        page = f"{png}{r.page}&amp;box=" if which is not None and r.page else None
        line = f"{txt}{r.line}" if linked and txt and r.line else None
        ocr = r.ocr
        out = []
        for k in keys:
            cid = prefix + index[k]
            fs = by_cell.get(cid) if by_cell else None
            if fs:
                cls = f"num has-f sev-{fs[0].severity}"
                title = f' title="{escape(" · ".join(f"{f.rule} {f.message}" for f in fs))}"'
            else:
                cls, title = "num", ""
            if k not in values:
                out.append(f'<td class="{cls}" id="{cid}"{title}></td>')
                continue
            text = fmt(values[k])
            box = boxes.get(k) if page else None
            href = f"{page}{_box(box)}" if box else line
            if href:  # digits, letters and ?&=/,.- only: & is its one character to escape, done above
                text = f'<a class="src" target="_blank" href="{href}">{text}</a>'
            if ocr:  # read from a scan: worth a look at the page before quoting
                cls += " ocr"
                title = title or ' title="OCR 识别的数字，请核对原件"'
            out.append(f'<td class="{cls}" id="{cid}"{title}>{text}</td>')
        return out

    return row_cells


def _halves(t) -> tuple[list, list, list[str], list[str]] | None:
    """A two-sided table (收支总表) as printed: its income rows and columns beside its expenditure ones."""
    if not (t.rows and any(r.side == "income" for r in t.rows) and any(r.side == "expenditure" for r in t.rows)):
        return None
    inc = [(ri, r) for ri, r in enumerate(t.rows) if r.side == "income"]
    exp = [(ri, r) for ri, r in enumerate(t.rows) if r.side != "income"]
    cols = lambda rows: [k for k in t.columns if any(k in r.values for _, r in rows)]
    return inc, exp, cols(inc), cols(exp)


def table_body(doc_id: int, doc: Document, ti: int, by_cell: dict) -> Markup:
    t = doc.tables[ti]
    cells_of = _cells(doc_id, doc, ti, by_cell)
    halves = _halves(t)
    if halves:
        inc, exp, inc_cols, exp_cols = halves
        out = []
        for i in range(max(len(inc), len(exp))):
            cells = []
            for rows, cols in ((inc, inc_cols), (exp, exp_cols)):
                if i < len(rows):
                    ri, r = rows[i]
                    cells.append(f'<td class="side-name">{escape(r.name or "")}</td>')
                    cells.extend(cells_of(ri, r, cols))
                else:
                    cells.append("<td></td>" * (len(cols) + 1))
            out.append(f"<tr>{''.join(cells)}</tr>")
        return Markup("\n".join(out))
    out = []
    sided = any(x.side for x in t.rows)
    for ri, r in enumerate(t.rows):
        where = f"第{r.page}页" if r.page else f"第{r.line}行" if r.line else ""
        code = f' data-code="{escape(r.code)}"' if r.code else ""
        cells = (
            [f"<td>{'收入' if r.side == 'income' else '支出' if r.side == 'expenditure' else ''}</td>"] if sided else []
        )
        cells.append(f"<td>{escape(r.code or '')}</td><td>{escape(r.name or '')}</td>")
        cells.extend(cells_of(ri, r, t.columns))
        out.append(f'<tr class="lvl-{len(r.code) if r.code else 0}"{code} title="{where}">{"".join(cells)}</tr>')
    return Markup("\n".join(out))


def _span(name: str, n: int) -> str:
    return f' {name}="{n}"' if n > 1 else ""


def _th(c) -> str:
    """A header cell: a column's heading aligned with its figures, a parent's centred over its group."""
    cls = ' class="num"' if c.leaf else ""
    return f"<th{cls}{_span('colspan', c.colspan)}{_span('rowspan', c.rowspan)}>{escape(c.text)}</th>"


def _heads(t, keys: list[str]) -> tuple[list[str], int]:
    """The header rows' cells of the value columns `keys` as printed (parents spanning their children), and
    how many header rows they take."""
    grid = header_grid([header_path(t, k) for k in keys])
    return ["".join(_th(c) for c in cells) for cells in grid], len(grid)


def table_head(t) -> Markup:
    halves = _halves(t)
    if halves:
        _, _, inc_cols, exp_cols = halves
        # each half under its own 收入/支出 heading: the innermost printed heading names the column
        th = lambda ks: "".join(f'<th class="num">{escape(header_path(t, k)[-1])}</th>' for k in ks)
        return Markup(
            f'<tr><th colspan="{len(inc_cols) + 1}">收入</th><th colspan="{len(exp_cols) + 1}">支出</th></tr>'
            f"<tr><th>项目</th>{th(inc_cols)}<th>项目</th>{th(exp_cols)}</tr>"
        )
    rows, depth = _heads(t, list(t.columns))
    span = _span("rowspan", depth)
    side = f"<th{span}>栏</th>" if any(r.side for r in t.rows) else ""
    first = f"<tr>{side}<th{span}>科目编码</th><th{span}>名称</th>{rows[0]}</tr>"
    return Markup(first + "".join(f"<tr>{r}</tr>" for r in rows[1:]))
