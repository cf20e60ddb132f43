"""A large database built cheaply from a small one: every stored document copied K times inside the
database (one INSERT … SELECT per table over the copies' numbers, ids shifted, unit names and document keys
marked with the copy's number), so that 53 documents become 53 × (K + 1) with the same tables, cells, findings, key figures and
search entries — what a province's server holds, without reading K × 53 files. The copies are new units of
the same years and stages, so 比较 and 单位 grow with them. The indexes and the full-text index end as ingest
keeps them (on PostgreSQL built once after the copy, then VACUUM ANALYZE; SQLite's FTS5 index is rebuilt once),
and the findings' counts per facet (store/tallies.py) are counted once over the copies.

    python benchmarks/scale_db.py --db URL --copies K
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import func, inspect, select, text

# the tables holding the documents, parents first; each row's id and its parent ids are shifted per copy
TABLES = (
    "units",
    "documents",
    "document_versions",
    "source_files",
    "tables",
    "table_rows",
    "cells",
    "performance_forms",
    "indicators",
    "narrative_lines",
    "findings",
    "key_figures",
    "search_entries",
)
MARKED = {("units", "name"), ("documents", "key"), ("document_versions", "unit_name")}  # unique per copy


def _columns(table):
    return [c for c in table.columns]


def clone(engine, copies: int) -> int:
    """Copy every document `copies` times; returns the number of documents afterwards.

    One INSERT … SELECT per table over the numbers 1…K, ordered by copy so that each copy's rows lie together as
    ingest would write them. On PostgreSQL the secondary indexes are dropped first and built once at the end, and
    foreign-key triggers are off while copying (the ids are shifted consistently): rebuilding an index once is
    much cheaper than keeping it through 14M inserts."""
    from budgetwatch.store.schema import Base

    meta = Base.metadata
    with engine.begin() as c:
        pg = c.dialect.name == "postgresql"
        present = set(inspect(c).get_table_names())
        tables = [t for t in TABLES if t in meta.tables and t in present]  # an older schema has fewer
        top = {t: c.scalar(select(func.max(meta.tables[t].c[_key(meta.tables[t])]))) or 0 for t in tables}
        indexes = _drop_indexes(c, tables) if pg else []
        if pg:
            c.execute(text("set local session_replication_role = replica"))
            c.execute(text("set local work_mem = '256MB'"))
        for name in tables:
            t = meta.tables[name]
            exprs = []
            for col in _columns(t):
                q = f'"{col.name}"'
                fk = next(iter(col.foreign_keys), None)
                if col.primary_key and fk is None:
                    exprs.append(f"{q} + k * {top[name]}")
                elif fk is not None and fk.column.table.name in top:
                    exprs.append(f"{q} + k * {top[fk.column.table.name]}")
                elif (name, col.name) in MARKED:
                    exprs.append(f"{q} || ' #' || k")
                elif name == "search_entries" and col.name == "ref_id":
                    exprs.append(
                        f"{q} + k * case kind when 'row' then {top['table_rows']} when 'indicator' "
                        f"then {top['indicators']} else {top['performance_forms']} end"
                    )
                elif name == "search_entries" and col.name == "form_id":
                    exprs.append(f"{q} + k * {top['performance_forms']}")
                else:
                    exprs.append(q)
            cols = ", ".join(f'"{col.name}"' for col in _columns(t))
            c.execute(
                text(
                    f"with recursive copy(k) as (select 1 union all select k + 1 from copy where k < {copies}) "
                    f"insert into {name} ({cols}) select {', '.join(exprs)} from {name}, copy "
                    f"where {_key(t)} <= {top[name]} order by k, {_key(t)}"
                )
            )
        if not pg:
            if "search_entries" in tables:
                c.execute(text("insert into search_fts(search_fts) values ('rebuild')"))
        else:
            c.execute(text("set local maintenance_work_mem = '512MB'"))
            for ddl in indexes:
                c.execute(text(ddl))
            for name in tables:  # ids were given explicitly: move the sequences past them
                t = meta.tables[name]
                if "id" in t.c and not next(iter(t.c.id.foreign_keys), None):
                    c.execute(
                        text(f"select setval(pg_get_serial_sequence('{name}', 'id'), (select max(id) from {name}))")
                    )
        if "finding_tallies" in present:  # the counts per facet are kept by the sessions, which the copy bypassed
            from budgetwatch.store.tallies import rebuild

            rebuild(c)
        n = c.scalar(text("select count(*) from documents"))
    if pg:  # what autovacuum would have done on a server that grew by ingest: statistics and the visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("vacuum analyze"))
    return n


def _drop_indexes(c, tables) -> list[str]:
    """Drop the indexes of `tables` that back no constraint; returns the statements that build them again."""
    rows = c.execute(
        text(
            "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i "
            "join pg_class t on t.oid = i.indrelid where t.relname = any(:tables) "
            "and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)"
        ),
        {"tables": list(tables)},
    ).all()
    for index, _ in rows:
        c.execute(text(f"drop index {index}"))
    # a partitioned table's index is defined ON ONLY the parent: built again, it must reach the partitions
    return [ddl.replace(" ON ONLY ", " ON ") for _, ddl in rows]


def _key(t) -> str:
    return "id" if "id" in t.c else next(c.name for c in t.columns if c.primary_key)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--copies", type=int, required=True)
    a = ap.parse_args(argv)
    from budgetwatch.store.db import open_db

    engine = open_db(a.db)
    t = time.perf_counter()
    n = clone(engine, a.copies)
    print(f"{n} documents after {a.copies} copies, in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
