"""What the rules look at: one document, its tables by kind, amounts in 万元, its 说明 as paragraphs,
and (for family F) the other documents of the same unit and its peers, as their key figures (Neighbour)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import overload

from ..extract.text_rules import PAGE_FOOTER, PART_HEADING, half_unit, nospace
from ..model import Document, Row, Table
from ..vocab.units import TOTAL_NAMES, UNIT_TOTAL_NAMES, names_pattern, to_wan

TOTAL_NAME = re.compile(names_pattern(TOTAL_NAMES, UNIT_TOTAL_NAMES))


def envelope(cells: list[tuple[Row, str]], factor: float = 1.0) -> float:
    """Rounding envelope of a sum: each printed figure is off by up to half a unit of its last digit."""
    return sum(half_unit(r.printed.get(k)) for r, k in cells if r.values.get(k)) * factor + 1e-9


def name_of(row: Row) -> str:
    return nospace(row.name or "")


# a line wrapped after the lead of a list (…，其中：) — the list is the rest of the sentence
_LIST_LEAD = re.compile(r"[^。；;：:\s]{2}[，,]\s*(?:其中|包括|分别为|具体为)[：:]$")


@dataclass
class Paragraph:
    text: str
    page: int | None
    line: int | None
    file: str | None = None  # in a document read from several files: the one it starts in


@dataclass(frozen=True)
class Section:
    """A part of the 说明 under one top-level heading (五、关于一般公共预算支出表的说明): the heading's
    paragraph (its index in DocView.paragraphs) and text."""

    start: int
    heading: str


@dataclass(frozen=True)
class Neighbour:
    """Another document as family F compares with it: whose it is, its year and stage, and its key figures in
    万元 (model.KEY_FIGURES) — not the document itself, so that checking one document costs the same with 50
    and with 20k documents stored (the pipeline reads these from the key_figures table)."""

    unit: str | None
    year: int | None
    stage: str | None
    figures: dict[str, float | None]


@dataclass(frozen=True)
class PeerShares:
    """F03's comparison where it was counted beside the stored figures (store/figures.peer_shares) rather than
    from a list of peers: how many documents of other units of the year and stage have a carry-over share
    (上年结转 / 收入总计), and the median of their shares (None when there are none)."""

    others: int
    median: float | None


@dataclass
class DocView:
    doc: Document
    history: list[Neighbour] = field(default_factory=list)  # same unit, other years/stages
    peers: list[Neighbour] = field(default_factory=list)  # same year and stage (a rule skips its own unit's)
    peer_shares: PeerShares | None = None  # given instead of `peers` when one document is checked among many

    def tables(self, *kinds: str) -> list[Table]:
        return [t for t in self.doc.tables if t.kind in kinds]

    def table(self, kind: str) -> Table | None:
        """The document's table of that kind. Of several, the one whose title names the kind's own scope: a
        财政拨款支出表（功能科目） covers every fund, so beside a 一般公共预算支出表 (江苏's 公开05表 and 07表)
        it is not the document's 一般公共预算 table."""
        ts = [t for t in self.doc.tables if t.kind == kind and not t.empty and t.rows]
        if kind == "gpb_expenditure" and len(ts) > 1:
            ts.sort(key=lambda t: "一般公共预算" not in nospace(t.title or ""))
        return ts[0] if ts else None

    @staticmethod
    def factor(t: Table) -> float:
        return to_wan(1.0, t.money_unit)

    @overload
    def wan(self, t: Table, v: float) -> float: ...
    @overload
    def wan(self, t: Table, v: None) -> None: ...
    @overload
    def wan(self, t: Table, v: float | None) -> float | None: ...
    def wan(self, t: Table, v: float | None) -> float | None:
        return None if v is None else v * self.factor(t)

    @property
    def file(self) -> str | None:
        return self.doc.files[0].name if len(self.doc.files) == 1 else None

    def file_of(self, where) -> str | None:
        """The file a table's or form's location (a dict), a narrative line or a paragraph was printed in:
        pages restart in each file of a document read from several; else the document's only file."""
        f = where.get("file") if isinstance(where, dict) else getattr(where, "file", None)
        return f or self.file

    def at(self, t: Table, row: Row | None = None, column: str | None = None, wan: bool = False) -> dict:
        """The location fields of a finding about a table (and a row, a column); `wan`: its figures are
        given in 万元 (compared across tables)."""
        loc = {
            "table_kind": t.kind,
            "table_title": t.title,
            "money_unit": "万元" if wan else t.money_unit,
            "file": self.file_of(t.location),  # a row is printed in its table's file
            "page": (row.page if row else None) or t.location.get("page"),
            "line": (row.line if row else None) or t.location.get("line"),
            "table": t.title,
        }
        if row is not None:
            loc.update(row_code=row.code, row_name=row.name, name=row.name or row.code or "")
        if column:
            loc["column"] = column
        return loc

    def total_row(self, t: Table, side: str | None = None) -> Row | None:
        for r in t.rows:
            if r.side == side and not r.code and TOTAL_NAME.match(name_of(r)):
                return r
        rows = [r for r in t.rows if r.side == side and r.values]
        if len(rows) == 1 and not rows[0].name and not rows[0].code:
            return rows[0]  # a one-row table without a name column: its row is the total
        return None

    def find_row(self, t: Table, pattern: str, side: str | None = None) -> Row | None:
        rx = re.compile(pattern)
        for r in t.rows:
            if (side is None or r.side == side) and rx.search(name_of(r)):
                return r
        return None

    @cached_property
    def paragraphs(self) -> list[Paragraph]:
        """The 说明 joined into paragraphs: a converter or a PDF breaks a sentence across lines and pages
        (the page's number printed between the halves is not part of it), and a line wrapped right after
        其中： goes on with the list."""
        out: list[Paragraph] = []
        buf: list[str] = []
        start = None
        for ln in self.doc.narrative:
            t = ln.text.strip()
            if not t or PAGE_FOOTER.match(t):
                continue
            if start is None:
                start = ln
            buf.append(t)
            if (t.endswith(("。", "：", ":")) and not _LIST_LEAD.search(t)) or len(t) < 12:
                out.append(Paragraph("".join(buf), start.page, start.line, start.file))
                buf, start = [], None
        if buf and start is not None:
            out.append(Paragraph("".join(buf), start.page, start.line, start.file))
        return out

    @cached_property
    def sections(self) -> list[Section]:
        """The 说明's parts in order, read once for every rule that asks which part a paragraph is in."""
        return [Section(i, p.text) for i, p in enumerate(self.paragraphs) if PART_HEADING.match(p.text)]

    def section_of(self, paragraph: int) -> Section | None:
        """The part the paragraph (an index in `paragraphs`) is in: the last heading at or above it."""
        starts = [s.start for s in self.sections]
        i = bisect_right(starts, paragraph)
        return self.sections[i - 1] if i else None

    @cached_property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)
