"""The one document model that travels from extraction through storage to checks and the web.

Dataclasses mirror the canonical JSON (`budgetwatch.extraction/v1`); `to_dict()` emits it and
`from_dict()` reads it back, so the database round trip can be tested for equality.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

from . import SCHEMA
from .vocab.claims import CLAIM_ZH
from .vocab.columns import column_label


@dataclass
class Row:
    name: str | None
    values: dict[str, float] = field(default_factory=dict)
    code: str | None = None
    side: str | None = None
    gov_name: str | None = None
    subtotal: bool = False
    block: str | None = None
    line: int | None = None  # where the row was printed (text input)
    page: int | None = None  # where the row was printed (PDF input)
    printed: dict[str, str] = field(default_factory=dict)  # column key -> text as printed
    boxes: dict[str, Sequence[float]] = field(default_factory=dict)  # column key -> (x0, top, x1, bottom) (PDF)
    ocr: bool = False  # the row's figures were read by OCR (less certain)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.side:
            d["side"] = self.side
        if self.code:
            d["code"] = self.code
        d["name"] = self.name
        if self.gov_name:
            d["gov_name"] = self.gov_name
        if self.block:
            d["block"] = self.block
        if self.subtotal:
            d["subtotal"] = True
        d["values"] = dict(self.values)
        loc = {}
        if self.page is not None:
            loc["page"] = self.page
        if self.line is not None:
            loc["line"] = self.line
        if loc:
            d["location"] = loc
        if self.boxes:
            d["boxes"] = {k: list(b) for k, b in self.boxes.items()}
        if self.ocr:
            d["ocr"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Row:
        loc = d.get("location") or {}
        return cls(
            name=d.get("name"),
            values=dict(d.get("values") or {}),
            code=d.get("code"),
            side=d.get("side"),
            gov_name=d.get("gov_name"),
            subtotal=bool(d.get("subtotal")),
            block=d.get("block"),
            line=loc.get("line"),
            page=loc.get("page"),
            boxes={k: list(b) for k, b in (d.get("boxes") or {}).items()},
            ocr=bool(d.get("ocr")),
        )


# a row's fields kept one per row (the store's columns); values, printed, boxes and ocr are per cell
ROW_COLUMNS: tuple[str, ...] = ("code", "name", "side", "gov_name", "subtotal", "block", "line", "page")
ROW_CELL_FIELDS: tuple[str, ...] = ("values", "printed", "boxes", "ocr")


@dataclass
class Table:
    kind: str
    title: str
    money_unit: str | None
    location: dict[str, Any]  # page (PDF) or line (text); file, in a document read from several files
    rows: list[Row] = field(default_factory=list)
    empty: bool = False
    columns: list[str] = field(default_factory=list)  # column keys in printed order
    # column key -> its printed header path, outermost first (上年结转 › 小计), where the table prints one
    headers: dict[str, list[str]] = field(default_factory=dict)
    read_quality: str | None = None  # "doubtful" when the reading is likely wrong (extract/quality.py)
    quality_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "money_unit": self.money_unit,
            "location": dict(self.location),
            "empty": self.empty,
            "columns": list(self.columns),
            "rows": [r.to_dict() for r in self.rows],
        }
        if self.headers:  # an extra field the spec allows ("Fields not listed here may be added freely")
            d["headers"] = {k: list(p) for k, p in self.headers.items()}
        if self.read_quality:
            d.update(read_quality=self.read_quality, quality_reason=self.quality_reason)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Table:
        return cls(
            kind=d["kind"],
            title=d.get("title") or "",
            money_unit=d.get("money_unit"),
            location=dict(d.get("location") or {}),
            empty=bool(d.get("empty")),
            columns=list(d.get("columns") or []),
            headers={k: list(p) for k, p in (d.get("headers") or {}).items()},
            rows=[Row.from_dict(r) for r in d.get("rows") or []],
            read_quality=d.get("read_quality"),
            quality_reason=d.get("quality_reason"),
        )


# a table's fields kept one column each, as they are (a dict as JSON, NULL when empty); `location` is kept as line
# and page, the rows in their table; read_quality is the extractor's verdict, not kept
TABLE_COLUMNS: tuple[str, ...] = ("kind", "title", "money_unit", "empty", "columns", "headers")


@dataclass
class Indicator:
    level1: str | None
    level2: str | None
    name: str
    value: str
    line: int | None = None
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.level1:
            d["level1"] = self.level1
        if self.level2:
            d["level2"] = self.level2
        d["name"] = self.name
        d["value"] = self.value
        if self.page is not None:
            d["location"] = {"page": self.page}
        elif self.line is not None:
            d["location"] = {"line": self.line}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Indicator:
        return cls(
            level1=d.get("level1"),
            level2=d.get("level2"),
            name=d.get("name") or "",
            value=d.get("value") or "",
            line=(d.get("location") or {}).get("line"),
            page=(d.get("location") or {}).get("page"),
        )


INDICATOR_COLUMNS: tuple[str, ...] = ("level1", "level2", "name", "value", "line", "page")


@dataclass
class Form:
    project: str | None
    amount: float | None
    money_unit: str | None
    location: dict[str, Any]  # as a table's
    indicators: list[Indicator] = field(default_factory=list)
    layout: str = "declaration"  # declaration (申报表) | tabular (公开表) | unit (整体)
    pages: int = 1  # printed parts merged into this form
    info: dict[str, str] = field(default_factory=dict)  # the unit form's header facts (编制数, 在职人员…)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "project": self.project,
            "amount": self.amount,
            "money_unit": self.money_unit,
            "location": dict(self.location),
            "layout": self.layout,
            "pages": self.pages,
            "indicators": [i.to_dict() for i in self.indicators],
        }
        if self.info:
            d["info"] = dict(self.info)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Form:
        return cls(
            project=d.get("project"),
            amount=d.get("amount"),
            money_unit=d.get("money_unit"),
            location=dict(d.get("location") or {}),
            layout=d.get("layout") or "declaration",
            pages=int(d.get("pages") or 1),
            info=dict(d.get("info") or {}),
            indicators=[Indicator.from_dict(i) for i in d.get("indicators") or []],
        )


# a form's fields kept one column each, as they are; its amount is checked against what the column holds,
# `location` is kept as line and page, the indicators in theirs (INDICATOR_COLUMNS)
FORM_COLUMNS: tuple[str, ...] = ("project", "money_unit", "layout", "pages", "info")


@dataclass
class TextLine:
    """A line of the document's prose (the 说明, 概况, notes), where it was printed."""

    text: str
    line: int | None = None
    page: int | None = None
    file: str | None = None  # the file's name, in a document read from several (as a table's location["file"])

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "location": self.location}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TextLine:
        loc = d.get("location") or {}
        return cls(text=d.get("text") or "", line=loc.get("line"), page=loc.get("page"), file=loc.get("file"))

    @property
    def location(self) -> dict[str, Any]:
        loc: dict[str, Any] = {"page": self.page} if self.page is not None else {"line": self.line}
        if self.file is not None:
            loc["file"] = self.file
        return loc


@dataclass
class SourceFile:
    name: str
    sha256: str
    path: str | None = None
    size: int | None = None
    encoding: str | None = None


@dataclass
class Document:
    unit: str | None
    year: int | None
    stage: str | None
    scope: str | None
    format: str
    files: list[SourceFile] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    narrative: list[TextLine] = field(default_factory=list)  # prose outside tables and forms

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": {
                "files": [f.name for f in self.files],
                "sha256": [f.sha256 for f in self.files],
                "format": self.format,
            },
            "unit": self.unit,
            "year": self.year,
            "stage": self.stage,
            "scope": self.scope,
            "tables": [t.to_dict() for t in self.tables],
            "performance_forms": [f.to_dict() for f in self.forms],
            "narrative": [t.to_dict() for t in self.narrative],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        src = d.get("source") or {}
        files = [SourceFile(name=n, sha256=s) for n, s in zip(src.get("files") or [], src.get("sha256") or [])]
        return cls(
            unit=d.get("unit"),
            year=d.get("year"),
            stage=d.get("stage"),
            scope=d.get("scope"),
            format=src.get("format") or "text",
            files=files,
            tables=[Table.from_dict(t) for t in d.get("tables") or []],
            forms=[Form.from_dict(f) for f in d.get("performance_forms") or []],
            narrative=[TextLine.from_dict(t) for t in d.get("narrative") or []],
        )


# a document's fields each of its stored versions keeps, one column each (`unit` as unit_name, beside the units
# table; the files in theirs)
VERSION_COLUMNS: tuple[str, ...] = ("format", "year", "stage", "scope")


# ---- one figure, flattened with its row and table: a row of the CSV export, a record of Spark's `cells` -------

DOCUMENT_KEYS: tuple[str, ...] = ("unit", "year", "stage", "scope")  # what tells documents apart (store: documents)
FIGURE_FIELDS: tuple[str, ...] = (
    *("table_no", "table_kind", "table_title", "money_unit"),  # its table, numbered from 1 as a reader counts
    *("row_no", "side", "code", "name", "gov_name"),  # its row (ROW_COLUMNS' printed words)
    *("column", "column_label", "amount", "printed", "line", "page"),  # the figure, and where it is printed
)


def figures(doc: Document):
    """Each figure of `doc` as a FIGURE_FIELDS record, table by table, row by row, column by column."""
    for t_no, t in enumerate(doc.tables, start=1):
        for r_no, r in enumerate(t.rows, start=1):
            for k, v in r.values.items():
                yield {
                    "table_no": t_no,
                    "table_kind": t.kind,
                    "table_title": t.title,
                    "money_unit": t.money_unit,
                    "row_no": r_no,
                    "side": r.side,
                    "code": r.code,
                    "name": r.name,
                    "gov_name": r.gov_name,
                    "column": k,
                    "column_label": column_label(k),
                    "amount": v,
                    "printed": r.printed.get(k),
                    "line": r.line,
                    "page": r.page,
                }


# ---- what the checks report -------------------------------------------------------------------------------


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    family: str = ""
    confidence: float = 1.0
    page: int | None = None
    line: int | None = None
    file: str | None = None
    table_kind: str | None = None
    table_title: str | None = None
    row_code: str | None = None
    row_name: str | None = None
    column: str | None = None
    value: float | None = None
    expected: float | None = None
    difference: float | None = None
    money_unit: str | None = None
    suggestion: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    id: int | None = None  # set once stored
    status: str = "open"  # open | accepted | dismissed (reviewer's decision)
    reason: str | None = None

    @property
    def fingerprint(self) -> str:
        """Same defect, same fingerprint, across re-checks and versions (values excluded on purpose:
        a corrected figure that still disagrees is the same defect)."""
        key = "|".join(
            str(x or "")
            for x in (
                self.rule,
                self.table_kind,
                self.table_title,
                self.row_code,
                self.row_name,
                self.column,
                self.evidence.get("claim"),
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    @property
    def location(self) -> str:
        where = f"第{self.page}页" if self.page is not None else (f"第{self.line}行" if self.line is not None else "")
        parts = [self.file or "", where, self.table_title or ""]
        if self.row_code or self.row_name:
            parts.append(" ".join(x for x in (self.row_code, self.row_name) if x))
        return " · ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "rule": self.rule,
            "family": self.family,
            "severity": self.severity,
            "confidence": self.confidence,
            "file": self.file,
            "page": self.page,
            "line": self.line,
            "table": self.table_title,
            "table_kind": self.table_kind,
            "row_code": self.row_code,
            "row_name": self.row_name,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "difference": self.difference,
            "money_unit": self.money_unit,
            "message": self.message,
            "suggestion": self.suggestion,
            "status": self.status,
            "reason": self.reason,
            "fingerprint": self.fingerprint,
        }
        if self.evidence:
            d["evidence"] = self.evidence
        return d


FINDING_AMOUNTS = ("value", "expected", "difference")  # the figures compared, in the finding's money_unit
FINDING_DECISION = ("id", "status", "reason")  # set by the store and by reviewers, not by a rule
# the fields a finding is stored with, one column each (amounts as decimals, evidence as JSON, apart)
FINDING_COLUMNS = tuple(
    f.name for f in fields(Finding) if f.name not in (*FINDING_AMOUNTS, *FINDING_DECISION, "evidence")
)


# ---- key figures: one document's, in 万元 (analysis/figures.py computes them, store/figures.py keeps them) ----

# read from the tables' facts, each named as the 说明 names it
KEY_FIGURES: dict[str, str] = {
    k: CLAIM_ZH[k]
    for k in (
        "income_total",
        "expenditure_total",
        "basic",
        "project",
        "personnel",
        "public",
        "three_public",
        "admin_operating",
        "carryover",
    )
}
# derived from those and the 概况's staff number
DERIVED_FIGURES: dict[str, str] = {
    "staff": "实有人数",
    "carryover_share": "结转占收入%",
    "public_per_head": "人均公用经费",
    "project_share": "项目支出占比%",
}
KEY_FIGURE_FIELDS: tuple[str, ...] = (*KEY_FIGURES, *DERIVED_FIGURES)  # besides `classes` (功能分类 类 → 万元)
# the figures 比较 ranks the units of a year by, each under an index of its own (store/figures.py)
RankedFigure = Literal["income_total", "three_public", "public_per_head", "carryover_share", "project_share"]
RANKED_FIGURES: tuple[str, ...] = get_args(RankedFigure)
