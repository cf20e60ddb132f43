"""Lines → Document: find table and form titles, hand each segment to its parser, add meta.

Several files given together are one document (narrative and tables published separately);
their lines are read in the order given, each keeping its own line numbers.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import Code, InputError
from ..model import Document, Form, SourceFile, Table, TextLine
from ..read import progress
from ..read.formats import read_source
from ..read.text import Line
from . import forms as F, forms_tabular as T, quality
from .meta import find_scope, find_stage, find_unit, find_year
from .tables import EMPTY_NOTE, TableContext, find_money_unit, parse_table
from .text_rules import ENUM, nospace, squash
from .unit_forms import parse_unit_form
from .vocabulary import TABLE_NUMBER, classify_title


class UnreadPagesWarning(UserWarning):
    """Scanned pages of a partly scanned PDF were skipped because the OCR extra is not installed."""


_SECTION_BREAK = ("第三部分", "第四部分", "名词解释", "情况说明")
_BLANK_FORM_LINES = 30  # a text document's blank form: its note within this many lines of the title


def find_titles(lines: list[Line]) -> list[tuple[int, str]]:
    """(index, kind) of every line that titles a table or a form."""
    out = []
    contents: set[int] | None = None
    for i, ln in enumerate(lines):
        if ln.is_row or not ln.text:
            continue
        kind = classify_title(ln.text)
        if kind is None:
            continue
        if kind != "project_form" and not _followed_by_table(lines, i):
            continue
        if kind == "project_form":
            contents = _contents(lines) if contents is None else contents
            if i in contents and not _followed_by_table(lines, i):
                continue  # 十二、项目支出绩效目标表 listed in the 目录, not a form's title
        out.append((i, kind))
    return out


_PAGE_NUMBER = re.compile(r"^[-—－]?\d{1,3}[-—－]?$")
_PART = re.compile(r"^第[一二三四五六七八九十\d]{1,3}部分")
_PROSE = re.compile(r"[。，；;！？：:]")
_LISTED_MAX = 40  # a 目录 entry's length at most, in characters


def _contents(lines: list[Line]) -> set[int]:
    """The lines of each 目录: from the line reading 目录 on, while every line lists a part (第二部分 …), a
    section or a table (十二、项目支出绩效目标表), or is a page number; a grid row or a line of prose ends it."""
    out: set[int] = set()
    for i, ln in enumerate(lines):
        if ln.is_row or nospace(ln.text) != "目录":
            continue
        for k in range(i + 1, len(lines)):
            t = nospace(lines[k].text)
            if not t:
                continue
            listed = _PAGE_NUMBER.match(t) or _PART.match(t) or (ENUM.match(t) or classify_title(t))
            if lines[k].is_row or not listed or len(t) > _LISTED_MAX or _PROSE.search(t):
                break
            out.add(k)
    return out


_TABLE_NUMBER = re.compile(rf"^(?:{TABLE_NUMBER})$")
_SUBTITLE = re.compile(r"^[（(][^（()）]{2,40}[)）]$")


def _with_subtitles(lines: list[Line]) -> list[Line]:
    """A title's parenthesised subtitle on the next line (（按支出经济分类科目）) is part of the title:
    two tables with the same first line and different subtitles are different tables. A title broken over
    two lines (…“三公”经费及 / 会议费、培训费支出预算表) is one title."""
    out = list(lines)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.is_row or b.is_row or not a.text or not b.text or len(a.text) > 40 or a.text.endswith(("。", "：", ":")):
            continue
        if a.page is not None and a.page != b.page or _TABLE_NUMBER.match(nospace(a.text)):
            continue  # 表2 above 收入决算表 is its number, not the first half of its title
        if classify_title(a.text) is None and (
            classify_title(b.text) in (None, "other")
            or a.text.endswith(("及", "和", "与", "、", "暨", "的"))
            or len(nospace(b.text)) <= 12
            or _wraps_into(a, b)
        ):  # 支出预算表: a fragment
            joined = a.text + b.text
            kind = classify_title(joined)
            if kind not in (None, "other") and len(joined) <= 60:
                out[i] = replace(a, text=joined, cells=(joined,))
                out[i + 1] = replace(b, text="", cells=("",))
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.is_row or b.is_row or not a.text or not _SUBTITLE.match(nospace(b.text)):
            continue
        if classify_title(a.text) and not classify_title(b.text):
            out[i] = replace(a, text=a.text + b.text, cells=(a.text + b.text,))
            out[i + 1] = replace(b, text="", cells=("",))
    return out


def _followed_by_table(lines: list[Line], i: int) -> bool:
    """A real title is followed, within a few lines, by a 单位 line or table rows."""
    seen = 0
    for ln in lines[i + 1 : i + 14]:
        if ln.is_row:
            return True
        if ln.text:
            seen += 1
            t = nospace(ln.text)
            if classify_title(ln.text) or any(s in t for s in _SECTION_BREAK) or seen > 6:
                return False
    return False


def _merge_continuations(lines: list[Line], titles: list[tuple[int, str]]) -> list[tuple[int, str, list[int]]]:
    """A table printed across pages repeats its title (or prints 续表): one table, several parts.

    Returns (title index, kind, [title indices of the parts]) in printed order.
    """
    out: list[tuple[int, str, list[int]]] = []
    for i, kind in titles:
        t = nospace(lines[i].text)
        if out and kind not in ("project_form", "unit_performance"):
            pi, pkind, parts = out[-1]
            same = nospace(lines[pi].text) == t and pkind == kind
            cont = kind == pkind and ("续" in t) and ("续表" in t or t.endswith(("（续）", "(续)")))
            if same or cont:
                parts.append(i)
                continue
        out.append((i, kind, [i]))
    return out


def _segment_end(lines: list[Line], start: int, stop: int) -> int:
    """A table's body runs to the next title, but never into a new part of the document, nor past a page
    of prose without any of its rows: rows after that are an untitled table of the 说明 (自评分数)."""
    row_page, prose = None, False
    for k in range(start + 1, stop):
        ln = lines[k]
        if ln.heading and not ln.is_row and any(s in nospace(ln.text) for s in _SECTION_BREAK):
            return k
        if ln.is_row:
            if prose and ln.page is not None and row_page is not None and ln.page > row_page + 1:
                return k
            row_page, prose = ln.page, False
        elif ln.text.rstrip().endswith("。"):
            prose = True
    return stop


def _wraps_into(a: Line, b: Line) -> bool:
    """A centred title too long for one line: the first line is the wider one, the second sits right
    under it in the same type size, on the same centre (…_全国民航反 / 电诈中心建设项目绩效目标表)."""
    if not a.boxes or not b.boxes or len(a.boxes) != 1 or len(b.boxes) != 1 or not a.boxes[0] or not b.boxes[0]:
        return False
    (ax0, at, ax1, ab), (bx0, bt, bx1, bb) = a.boxes[0], b.boxes[0]
    size = ab - at
    return (
        size > 0
        and abs((bb - bt) - size) < 0.15 * size
        and 0 <= bt - ab < size
        and ax1 - ax0 > bx1 - bx0
        and abs((ax0 + ax1) - (bx0 + bx1)) / 2 < size
    )


def extract_lines(lines: list[Line], fmt: str = "text", files: list[SourceFile] | None = None) -> Document:
    lines = _with_subtitles(lines)
    titles = find_titles(lines)
    title_texts = [lines[i].text for i, _ in titles]
    year = find_year(lines, title_texts)
    stage = find_stage(lines, title_texts)
    unit = find_unit(lines)
    doc = Document(unit=unit, year=year, stage=stage, scope=find_scope(lines), format=fmt, files=files or [])
    ctx = TableContext(year=year, stage=stage, unit=unit)
    prev_form: Form | None = None
    reader = None
    prev_unit = None  # the last 整体 form, its grid reader, title and budget table: a part overleaf goes on
    starts = [i for i, _ in titles]
    in_tables: set[int] = set()
    for i, kind, parts in _merge_continuations(lines, titles):
        body = []
        for p in parts:
            k = starts.index(p)
            stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
            end = _segment_end(lines, p, stop) if kind not in ("project_form", "unit_performance") else stop
            body.extend(lines[p + 1 : end])
            in_tables.update(_table_lines(lines, p, end))
        title = lines[i]
        if kind == "project_form":
            produced = False
            if T.is_tabular(body):
                new, prev_form, reader = T.parse_tabular(title, body, prev_form, reader)
                doc.forms.extend(new)
                produced = bool(new)
            else:
                for part in _split_declarations(body):
                    form, reader, merged = F.parse_declaration(
                        title if part is body else part[0], part, prev_form, reader
                    )
                    if not form.indicators and form.amount is None:
                        continue  # a heading (（7）项目绩效目标表) over the forms, not a form
                    produced = True
                    if not merged:
                        doc.forms.append(form)
                    prev_form = form
            if not produced and (blank := _blank_form(title, body)) is not None:
                doc.tables.append(blank)  # the form printed blank, 故此表无数据: an empty table (spec)
            continue
        if kind == "unit_performance":
            goes_on: tuple | None = prev_unit if prev_unit and _continues(prev_unit[2], prev_unit[0], title) else None
            form, table, unit_reader = parse_unit_form(title, body, goes_on[:2] if goes_on else None)
            if goes_on and not _restarts_unit_form(goes_on[0], form, goes_on[3], table):
                goes_on[0].indicators.extend(form.indicators)
                goes_on[0].pages += 1
                continue
            if table is not None:
                doc.tables.append(table)
            doc.forms.append(form)
            prev_unit = (form, unit_reader, title, table) if unit_reader else None
            prev_form = None
            continue
        table = parse_table(title, body, kind, ctx)
        doc.tables.append(table)
        if ctx.found_inside and not any(t.kind == "admin_operating" for t in doc.tables):
            doc.tables.extend(ctx.found_inside)
        ctx.found_inside.clear()
    _default_money_units(doc)
    quality.mark(doc.tables)
    # everything printed outside tables and forms: the 说明, the cover, the 目录 (rows of title | page)
    doc.narrative = [
        TextLine(ln.text, line=None if ln.page is not None else ln.no, page=ln.page, file=ln.file)
        for k, ln in enumerate(lines)
        if k not in in_tables and ln.text
    ]
    return doc


def _blank_form(title: Line, body: list[Line]) -> Table | None:
    """A form's grid printed without a project, an amount or an indicator, under a note that the table has no
    data this year (备注：本单位主管无市级财力安排的重点专项资金，故此表无数据): no form, an empty table. Only
    a note on the title's own page counts (or, in text, within the form's first lines)."""
    own = [ln for ln in body if ln.page == title.page] if title.page is not None else body[:_BLANK_FORM_LINES]
    notes = [ln for ln in own if not ln.is_row and ln.text]
    if not any(EMPTY_NOTE.search(nospace(n.text)) for n in notes):
        return None
    return Table(
        kind="other",
        title=squash(title.text),
        money_unit=find_money_unit(title, notes, []),
        location=title.location,
        empty=True,
    )


def _continues(title: Line, form: Form, part: Line) -> bool:
    """A 整体 form's title printed again at the top of the next page."""
    last = max([i.page for i in form.indicators if i.page is not None] or [title.page or 0])
    return part.page is not None and nospace(part.text) == nospace(title.text) and part.page == last + 1


def _restarts_unit_form(previous: Form, part: Form, table, part_table) -> bool:
    """A second form, not a page of the first: its grid starts with the first one's first indicator, or it
    prints another budget."""
    if (
        previous.indicators
        and part.indicators
        and nospace(previous.indicators[0].name) == nospace(part.indicators[0].name)
    ):
        return True
    same = lambda t: [(r.name, r.values) for r in t.rows] if t is not None else None  # noqa: E731
    return part_table is not None and table is not None and same(part_table) != same(table)


def _table_lines(lines: list[Line], start: int, end: int) -> set[int]:
    """The lines a table or form owns: up to its last row and the notes under it, less any run of prose
    inside the segment (a 说明 printed between a table and an untitled one after it)."""
    own = set(range(start, _table_end(lines, start, end)))
    run: list[int] = []
    for k in range(start + 1, end + 1):
        ln = lines[k] if k < end else None
        if ln is not None and not ln.is_row and ln.text:
            run.append(k)
            continue
        texts = [lines[i].text for i in run]
        if sum(map(len, texts)) >= 60 and any(t.rstrip().endswith("。") for t in texts):
            own.difference_update(run)  # sentences, not a title or a note
        run = []
    return own


def _table_end(lines: list[Line], start: int, end: int) -> int:
    """A table's own lines end at its last row; the notes under it (注：…, 空表说明) and any 说明 printed
    after the last table are the document's narrative."""
    return max((k for k in range(start, end) if lines[k].is_row), default=start) + 1


def _first(ln: Line) -> str:
    return nospace(next((c for c in ln.cells if c), "")) if ln.is_row else nospace(ln.text.split(maxsplit=1)[0])


def _split_declarations(body: list[Line]) -> list[list[Line]]:
    """Consecutive 申报表 printed without a title between them each start at 项目名称 (or 专项（项目）名称)."""
    starts = [k for k, ln in enumerate(body) if F.project_named(ln) and _first(ln) != "项目"]
    if len(starts) <= 1:
        return [body]
    parts = [body[: starts[1]]]
    for a, b in zip(starts[1:], starts[2:] + [len(body)]):
        parts.append(body[a:b])
    return parts


def _default_money_units(doc: Document) -> None:
    """A table that prints no unit uses the unit most tables of the document print."""
    units = Counter(t.money_unit for t in doc.tables if t.money_unit)
    common = units.most_common(1)[0][0] if units else None
    for t in doc.tables:
        if not t.money_unit:
            t.money_unit = common


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_files(paths: Sequence[str | Path], sources: dict | None = None) -> Document:
    """Extract one document from one or more files (read/ picks the reader by the file's bytes);
    `sources` holds what was already read of them, by path."""
    lines: list[Line] = []
    files = []
    formats = []
    for p in paths:
        p = Path(p)
        src = (sources or {}).get(p) or read_source(p)
        files.append(
            SourceFile(name=p.name, sha256=sha256_file(p), path=str(p), size=p.stat().st_size, encoding=src.encoding)
        )
        formats.append(src.format)
        if src.ocr_pages and not src.ocr_read and not src.lines:
            raise InputError(
                p,
                f"scanned pages without a text layer ({_pages(src.ocr_pages)}): install budgetwatch[ocr] to read them",
                code=Code.scanned_without_ocr,
            )
        if src.ocr_pages and not src.ocr_read:  # read what has text, say what was left out
            warnings.warn(
                f"{p}: {_pages(src.ocr_pages)} without a text layer not read; install budgetwatch[ocr] to read them",
                UnreadPagesWarning,
                stacklevel=2,
            )
        base = lines[-1].no if lines else 0
        name = p.name if len(paths) > 1 else None  # which file a page number is of
        lines.extend(
            replace(ln, no=base + ln.no if ln.page is not None else ln.no, file=name)
            if ln.page is not None or name
            else ln
            for ln in src.lines
        )
    fmt = formats[0] if len(set(formats)) == 1 else "mixed"
    progress.report("extract", 0, 1, str(paths[0]) if paths else "")
    doc = extract_lines(lines, fmt, files)
    if not doc.tables and not doc.forms and not (doc.unit and doc.year and doc.stage and _narrative(lines)):
        raise InputError(
            ", ".join(str(p) for p in paths),
            "not a budget disclosure: no budget table or performance form found",
            code=Code.not_a_disclosure,
        )
    return doc


def _narrative(lines: list[Line]) -> bool:
    """A 说明 published on its own (its tables in another file): dozens of prose lines."""
    return sum(1 for ln in lines if not ln.is_row and len(ln.text) >= 18) >= 20


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return f"page {shown}" + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")
