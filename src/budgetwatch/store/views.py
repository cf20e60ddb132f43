"""Views for reading the database with other tools (Datasette, DuckDB, plain SQL): `cells_wan`, every figure
with its document, table and row, its amount also in 万元. Kept out of the migrations: SQLite's table
rebuilds (Alembic batch mode) fail while a view names the table, so `migrate` drops the views before an
upgrade and they are made again after it."""

from __future__ import annotations

from sqlalchemy import inspect, text

from ..vocab.units import sql_to_wan

VIEWS = {
    "cells_wan": """
select v.document_id, v.number as version, v.unit_name as unit, v.year, v.stage, v.scope, v.region, v.level,
       t.ordinal + 1 as table_no, t.kind as table_kind, t.title as table_title, t.money_unit,
       r.ordinal + 1 as row_no, r.side, r.code, r.name as row_name, r.subtotal, c.column_key, c.printed,
       c.amount, c.amount * """
    + sql_to_wan("t.money_unit")
    + """ as amount_wan,
       coalesce(c.page, r.page) as page, coalesce(c.line, r.line) as line, c.ocr,
       case when v.id in ({newest}) then 1 else 0 end as latest
from cells c join table_rows r on r.id = c.row_id join tables t on t.id = r.table_id
     join document_versions v on v.id = t.version_id"""
}
# a table printed without a money unit is read in 万元, as the checks read it (vocab/units.py)


def drop_views(conn) -> None:
    for name in VIEWS:
        conn.execute(text(f"drop view if exists {name}"))


def ensure_views(conn) -> None:
    from .newest import newest_ids  # the one definition of "newest", written out as this database's SQL

    newest = str(newest_ids().compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    present = set(inspect(conn).get_view_names())
    for name, sql in VIEWS.items():
        if name not in present:
            conn.execute(text(f"create view {name} as {sql.format(newest=newest)}"))
