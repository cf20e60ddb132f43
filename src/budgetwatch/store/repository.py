"""Document model ⇄ database rows. `save_version` writes one version; `load_version` reads it back
into the same model, so JSON from the database equals JSON from `extract`."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, inspect as sa_inspect, select
from sqlalchemy.orm import Session

from .. import SCHEMA
from ..errors import Code, InputError, NotFound
from ..extract.place import document_place
from ..model import (
    FORM_COLUMNS,
    INDICATOR_COLUMNS,
    ROW_COLUMNS,
    TABLE_COLUMNS,
    VERSION_COLUMNS,
    Document,
    Form,
    Indicator,
    Row,
    SourceFile,
    Table,
    TextLine,
)
from .bulk import loaded, write_content
from .newest import is_newest, mark_newest
from .regions import region_for_disclosure
from .schema import (
    CellRecord,
    DocumentRecord,
    FormRecord,
    IndicatorRecord,
    NarrativeLineRecord,
    RowRecord,
    SourceFileRecord,
    TableRecord,
    Unit,
    Version,
)
from .search import index_version


def content_sha(file_shas: list[str]) -> str:
    """Identity of a set of bytes: the files' sha256, in the order they form the document."""
    return hashlib.sha256("\n".join(file_shas).encode()).hexdigest()


def document_key(doc: Document) -> str:
    if doc.unit and doc.year:
        return f"{doc.unit}|{doc.year}|{doc.stage or ''}|{doc.scope or ''}"
    return "file:" + "+".join(f.name for f in doc.files)


def find_version_by_content(session: Session, sha: str) -> Version | None:
    return session.scalars(select(Version).where(Version.content_sha256 == sha)).first()


MAX_DIGITS = 18  # NUMERIC(24, 6): digits before the point


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _amount(doc: Document, v, line, page) -> Decimal | None:
    """A figure as stored; one the columns cannot hold (a 200-digit 'amount') refuses the document on
    both back-ends alike, naming where it is printed."""
    d = _dec(v)
    if d is not None and (not d.is_finite() or d.adjusted() >= MAX_DIGITS):
        where = f"page {page}" if page is not None else f"line {line}"
        raise InputError(
            doc.files[0].path if doc.files else "document",
            f"{where}: amount {str(v)[:24]}… has more than {MAX_DIGITS} digits: not a budget figure",
            code=Code.bad_figure,
        )
    return d


def save_version(session: Session, doc: Document) -> Version:
    """Add `doc` as the newest version of its document (creating unit and document as needed)."""
    unit = None
    if doc.unit:
        unit = session.scalars(select(Unit).where(Unit.name == doc.unit)).first()
        if unit is None:
            unit = Unit(name=doc.unit)
            session.add(unit)
    key = document_key(doc)
    rec = session.scalars(select(DocumentRecord).where(DocumentRecord.key == key)).first()
    if rec is None:
        rec = DocumentRecord(key=key, unit=unit, year=doc.year, stage=doc.stage, scope=doc.scope)
        session.add(rec)
        session.flush()
    number = (session.scalar(select(func.max(Version.number)).where(Version.document_id == rec.id)) or 0) + 1
    place = document_place(doc)
    v = Version(
        document=rec,
        number=number,
        content_sha256=content_sha([f.sha256 for f in doc.files]),
        schema=SCHEMA,
        unit_name=doc.unit,
        **{k: getattr(doc, k) for k in VERSION_COLUMNS},
        **place,
        region_code=region_for_disclosure(session.connection(), place["region"]),  # by the name it prints
    )
    for i, f in enumerate(doc.files):
        v.files.append(
            SourceFileRecord(ordinal=i, name=f.name, path=f.path, sha256=f.sha256, size=f.size, encoding=f.encoding)
        )
    session.add(v)
    session.flush()
    write_content(session, v.id, doc, lambda val, line, page: _amount(doc, val, line, page))
    mark_newest(session, v)
    index_version(session, v)
    session.flush()
    return v


def _num(v) -> float | None:
    return None if v is None else float(v)


def _loc(line, page, file: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {}
    if page is not None:
        loc["page"] = page
    if line is not None:
        loc["line"] = line
    if file is not None:
        loc["file"] = file
    return loc


@functools.cache
def _reads() -> dict[str, Any]:
    """load_version's statements, built once with the version as a parameter: building and keying them anew
    for every document cost a tenth of its loading."""
    T, R, C, I, F, N = TableRecord, RowRecord, CellRecord, IndicatorRecord, FormRecord, NarrativeLineRecord  # noqa: E741
    vid: Any = bindparam("vid")
    S = SourceFileRecord
    return {
        "files": select(S.name, S.sha256, S.path, S.size, S.encoding).where(S.version_id == vid).order_by(S.ordinal),
        "tables": select(T.id, T.line, T.page, T.file_no, *(getattr(T, k) for k in TABLE_COLUMNS))
        .where(T.version_id == vid)
        .order_by(T.ordinal),
        "cells": select(C.row_id, C.column_key, C.amount, C.printed, C.x0, C.top, C.x1, C.bottom, C.ocr)
        .join(R, R.id == C.row_id)
        .join(T, T.id == R.table_id)
        .where(T.version_id == vid)
        .order_by(C.row_id, C.ordinal),
        "rows": select(R.id, R.table_id, *(getattr(R, k) for k in ROW_COLUMNS))
        .join(T, T.id == R.table_id)
        .where(T.version_id == vid)
        .order_by(R.table_id, R.ordinal),
        "indicators": select(I.form_id, *(getattr(I, k) for k in INDICATOR_COLUMNS))
        .join(F, F.id == I.form_id)
        .where(F.version_id == vid)
        .order_by(I.form_id, I.ordinal),
        "forms": select(F.id, F.amount, F.line, F.page, F.file_no, *(getattr(F, k) for k in FORM_COLUMNS))
        .where(F.version_id == vid)
        .order_by(F.ordinal),
        "narrative": select(N.text, N.line, N.page, N.file_no).where(N.version_id == vid).order_by(N.ordinal),
    }


def load_version(session: Session, version_id: int) -> Document:
    """A stored version as the document model, read in a handful of set queries (not row by row), as plain
    tuples through the session's connection: ORM objects and ORM result handling cost more than the reading."""
    v = session.get(Version, version_id)
    if v is None:
        raise NotFound("version", [version_id])
    session.flush()  # the reads below go by the connection, which does not flush what is pending
    reads, c, at = _reads(), session.connection(), {"vid": version_id}
    # the files as rows, unless the session holds them already: a lazy load of ORM objects cost a seventh of a
    # document's loading
    files = v.files if "files" not in sa_inspect(v).unloaded else c.execute(reads["files"], at).all()
    doc = Document(
        unit=v.unit_name,
        **{k: getattr(v, k) for k in VERSION_COLUMNS},
        files=[SourceFile(name=f.name, sha256=f.sha256, path=f.path, size=f.size, encoding=f.encoding) for f in files],
    )
    names = [f.name for f in doc.files]
    file_of = lambda no: None if no is None or no >= len(names) else names[no]  # noqa: E731
    tables = c.execute(reads["tables"], at).all()
    # a row's cells as its Row's dicts, filled in one pass over plain tuples: name lookups on each result row,
    # four passes per row, were most of the time of a document of 5,000 figures
    cells: dict[int, tuple[dict, dict, dict, list]] = {}
    for row_id, key, amount, as_printed, x0, top, x1, bottom, ocr in c.execute(reads["cells"], at).all():
        got = cells.get(row_id)
        if got is None:
            got = cells[row_id] = ({}, {}, {}, [False])
        got[0][key] = float(amount)  # a cell's amount is NOT NULL
        if as_printed:
            got[1][key] = as_printed
        if x0 is not None:
            got[2][key] = (x0, top, x1, bottom)  # a tuple of floats: untracked by the garbage collector
        if ocr:
            got[3][0] = True
    rows: dict[int, list[Row]] = {}
    for r in c.execute(reads["rows"], at).all():
        values, printed, boxes, read = cells.pop(r[0]) if r[0] in cells else ({}, {}, {}, [False])
        rows.setdefault(r[1], []).append(
            Row(**dict(zip(ROW_COLUMNS, r[2:])), values=values, printed=printed, boxes=boxes, ocr=read[0])
        )
    for t in tables:
        doc.tables.append(
            Table(
                **{k: loaded(Table, k, x) for k, x in zip(TABLE_COLUMNS, t[4:])},
                location=_loc(t[1], t[2], file_of(t[3])),
                rows=rows.get(t[0], []),
            )
        )
    indicators: dict[int, list[Indicator]] = {}
    for form_id, *fields in c.execute(reads["indicators"], at):
        indicators.setdefault(form_id, []).append(Indicator(**dict(zip(INDICATOR_COLUMNS, fields))))
    for form_id, amount, line, page, file_no, *fields in c.execute(reads["forms"], at):
        doc.forms.append(
            Form(
                **{k: loaded(Form, k, x) for k, x in zip(FORM_COLUMNS, fields)},
                amount=_num(amount),
                location=_loc(line, page, file_of(file_no)),
                indicators=indicators.get(form_id, []),
            )
        )
    doc.narrative = [
        TextLine(text_, line=line, page=page, file=file_of(file_no))
        for text_, line, page, file_no in c.execute(reads["narrative"], at)
    ]
    return doc


def latest_versions(session: Session) -> list[Version]:
    """The newest version of every document, oldest document first."""
    return list(session.scalars(select(Version).where(is_newest()).order_by(Version.document_id)))


# Documents read, newest use last. Bounded by what they hold, not by their number: every object kept is walked
# again by each of the garbage collector's full passes, which stop the process (1,800 objects a document on
# average, 2.6 a figure: 512 documents cost a 117 ms pause at 20k documents, 6 in 500 pages)
LOADED_WEIGHT = 100_000  # figures, indicators and 说明 lines of the documents kept, at most (the 53 corpus: 60k)
_LOADED: OrderedDict[tuple, tuple[Document, int]] = OrderedDict()
_loaded_weight = 0
_loaded_lock = threading.Lock()  # a server answers in several threads


def forget_loaded() -> None:
    """Empty `load_version_cached`'s documents (a server's warm-up reads one it must not keep)."""
    global _loaded_weight
    with _loaded_lock:
        _LOADED.clear()
        _loaded_weight = 0


def weight(doc: Document) -> int:
    """What a document kept costs the collector, roughly: its figures, indicators and lines."""
    figures = sum(len(r.values) for t in doc.tables for r in t.rows)
    return figures + sum(len(f.indicators) for f in doc.forms) + len(doc.narrative)


def load_version_cached(session: Session, version_id: int) -> Document:
    """`load_version`, kept for the process's next requests while it is among the most recently used
    (LOADED_WEIGHT): a version's content never changes (the key carries the content hash, as ids are reused
    when a database is reset). Callers must not change the document."""
    global _loaded_weight
    v = session.get(Version, version_id)
    if v is None:
        raise NotFound("version", [version_id])
    key = (str(session.get_bind().engine.url), v.id, v.content_sha256)
    with _loaded_lock:
        held = _LOADED.get(key)
        if held is not None:
            _LOADED.move_to_end(key)
            return held[0]
    doc = load_version(session, v.id)
    w = weight(doc)
    with _loaded_lock:
        if key in _LOADED:  # read meanwhile by another thread
            return _LOADED[key][0]
        while _LOADED and _loaded_weight + w > LOADED_WEIGHT:
            _loaded_weight -= _LOADED.popitem(last=False)[1][1]
        if w <= LOADED_WEIGHT:  # one heavier than the whole budget is not kept at all
            _LOADED[key] = (doc, w)
            _loaded_weight += w
    return doc
