"""A version's tables, rows, cells, forms and narrative written in set inserts, not object by object: the ORM's
unit of work spent a third of an ingest's CPU on the ~10k cells of a county document. Rows and tables get
their ids back from one INSERT … RETURNING per level (SQLAlchemy's insertmanyvalues, in parameter order);
cells, the bulk, go in one executemany — on PostgreSQL in one COPY."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from ..model import FORM_COLUMNS, INDICATOR_COLUMNS, ROW_COLUMNS, TABLE_COLUMNS, Document
from .schema import CellRecord, FormRecord, IndicatorRecord, NarrativeLineRecord, RowRecord, TableRecord

CELL_COLUMNS = (
    "row_id",
    "ordinal",
    "column_key",
    "amount",
    "printed",
    "line",
    "page",
    "x0",
    "top",
    "x1",
    "bottom",
    "ocr",
)


def stored(value):
    """A model field as its column keeps it: a dict as JSON, NULL when empty; a list as a list; else as it is."""
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, list) else v for k, v in value.items()} or None
    if isinstance(value, list):
        return list(value)
    return value


def loaded(record_type, name: str, value):
    """A column's value as the model field `name` of `record_type` holds it: an empty container for NULL."""
    f = record_type.__dataclass_fields__[name]
    if f.default_factory is dict:
        return dict(value or {})
    if f.default_factory is list:
        return list(value or [])
    return value


def _ids(session: Session, record, values: list[dict]) -> list[int]:
    if not values:
        return []
    q = insert(record).returning(record.id, sort_by_parameter_order=True)
    return list(session.scalars(q, values))


def write_content(session: Session, version_id: int, doc: Document, amount: Callable) -> None:
    """Everything of `doc` below its version row; `amount(value, line, page)` is the stored figure (it refuses
    one the columns cannot hold)."""
    tables = doc.tables
    ordinals: dict[str | None, int] = {f.name: i for i, f in enumerate(doc.files)}
    file_no = ordinals.get  # a location's file as its ordinal (None: not named, a one-file document)
    table_ids = _ids(
        session,
        TableRecord,
        [
            dict(
                version_id=version_id,
                ordinal=ti,
                line=t.location.get("line"),
                page=t.location.get("page"),
                file_no=file_no(t.location.get("file")),
                **{k: stored(getattr(t, k)) for k in TABLE_COLUMNS},
            )
            for ti, t in enumerate(tables)
        ],
    )
    rows = [(tid, ri, r) for tid, t in zip(table_ids, tables) for ri, r in enumerate(t.rows)]
    row_ids = _ids(
        session,
        RowRecord,
        [dict(table_id=tid, ordinal=ri, **{k: getattr(r, k) for k in ROW_COLUMNS}) for tid, ri, r in rows],
    )
    cells = []
    for rid, (_, _, r) in zip(row_ids, rows):
        for ci, (k, val) in enumerate(r.values.items()):
            box = r.boxes.get(k) or (None, None, None, None)
            cells.append(
                (
                    rid,
                    ci,
                    k,
                    amount(val, r.line, r.page),
                    r.printed.get(k),
                    r.line,
                    r.page,
                    box[0],
                    box[1],
                    box[2],
                    box[3],
                    bool(r.ocr),
                )
            )
    _write_cells(session, cells)
    form_ids = _ids(
        session,
        FormRecord,
        [
            dict(
                version_id=version_id,
                ordinal=fi,
                amount=amount(f.amount, f.location.get("line"), f.location.get("page")),
                line=f.location.get("line"),
                page=f.location.get("page"),
                file_no=file_no(f.location.get("file")),
                **{k: stored(getattr(f, k)) for k in FORM_COLUMNS},
            )
            for fi, f in enumerate(doc.forms)
        ],
    )
    indicators = [
        dict(form_id=fid, ordinal=ii, **{k: getattr(i, k) for k in INDICATOR_COLUMNS})
        for fid, f in zip(form_ids, doc.forms)
        for ii, i in enumerate(f.indicators)
    ]
    if indicators:
        session.execute(insert(IndicatorRecord), indicators)
    narrative = [
        dict(version_id=version_id, ordinal=ni, text=t.text, line=t.line, page=t.page, file_no=file_no(t.file))
        for ni, t in enumerate(doc.narrative)
    ]
    if narrative:
        session.execute(insert(NarrativeLineRecord), narrative)


def _write_cells(session: Session, cells: list[tuple]) -> None:
    if not cells:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        raw = conn.connection.driver_connection  # the transaction's own connection: COPY is inside it
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY cells ({', '.join(CELL_COLUMNS)}) FROM STDIN") as copy:
            for c in cells:
                copy.write_row(c)
        return
    # Core's executemany on the table, not the ORM's bulk path (which builds a mapping per cell again)
    conn.execute(insert(cast(Table, CellRecord.__table__)), [dict(zip(CELL_COLUMNS, c)) for c in cells])
