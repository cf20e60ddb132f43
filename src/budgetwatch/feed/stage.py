"""A batch's validated rows go first into a temporary staging table — COPY on PostgreSQL, one executemany of plain
tuples on SQLite — and from there into the feed table in one INSERT … SELECT … ON CONFLICT DO UPDATE per table.
The database then does the set work the loader used to do row by row in Python: duplicates of a key within the
batch (the first row stands), the payment → 指标 link (through its 支付申请, else the one line of the same unit,
功能, 经济 and project), and "unchanged" (a row is rewritten only when some value differs, so it keeps its batch).
Python memory stays flat in the row count: nothing of the batch is held but one chunk."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, text
from sqlalchemy.engine import Connection

from .model import KEYS, TABLES
from .validate import COLUMNS

_names = itertools.count(1)
_LOADER_SET = ("region_code", "fiscal_year")


@dataclass
class Duplicate:
    row_no: int
    file: str | None
    key: str
    first_row: int
    first_file: str | None


class Stage:
    """The staging table of one canonical table in one batch (on the loading transaction's connection)."""

    def __init__(self, conn: Connection, table: str, region: str, year: int, batch: int):
        if not re.fullmatch(r"\d{9}", region):
            raise ValueError(f"region code {region!r}")
        self.conn, self.table, self.region, self.year, self.batch = conn, table, region, int(year), int(batch)
        self.dialect = conn.dialect
        self.pg = self.dialect.name == "postgresql"
        target = TABLES[table]
        self.columns = COLUMNS[table]
        self.name = f"feed_stage_{table}_{next(_names)}"
        cols: list[Column[Any]] = [Column("_seq", Integer), Column("_row_no", Integer), Column("_file", String(400))]
        cols += [Column(c, target.c[c].type) for c in self.columns]
        written = list(cols)
        cols.append(Column("_ok", Boolean))  # the bulk path's verdict on a row (feed/bulk.py); unset here
        dialect_kw: dict[str, Any] = {"postgresql_on_commit": "DROP"} if self.pg else {}
        self.t = Table(self.name, MetaData(), *cols, prefixes=["TEMPORARY"], **dialect_kw)
        self.t.create(conn)
        self.rows = 0
        self.key = [k for k in KEYS[table] if k not in _LOADER_SET]
        self._q = self.dialect.identifier_preparer.quote
        if not self.pg:
            procs = [c.type._cached_bind_processor(self.dialect) for c in written]
            self._procs = [(i, p) for i, p in enumerate(procs) if p is not None]
            marks = ", ".join("?" * len(written))
            self._insert = f"INSERT INTO {self.name} ({', '.join(c.name for c in written)}) VALUES ({marks})"
        self._written = ", ".join(self._q(c.name) for c in written)

    def write(self, rows: list[tuple]) -> None:
        """rows: (seq, row number, file, *values in COLUMNS order)."""
        raw = self.conn.connection.driver_connection
        assert raw is not None  # the loading transaction's connection, open
        if self.pg:
            with raw.cursor() as cur, cur.copy(f"COPY {self.name} ({self._written}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        else:
            procs = self._procs
            if procs:
                out = []
                for r in rows:
                    cells = list(r)
                    for i, p in procs:
                        if cells[i] is not None:
                            cells[i] = p(cells[i])
                    out.append(cells)
                raw.executemany(self._insert, out)
            else:
                raw.executemany(self._insert, rows)
        self.rows += len(rows)

    def duplicates(self) -> list[Duplicate]:
        """Rows whose key an earlier row of the batch already has (in staging order)."""
        if not self.rows:
            return []
        key = ", ".join(self.key)
        on = " AND ".join(f"s.{k} = d.{k}" for k in self.key)
        sql = (
            f"SELECT s._row_no, s._file, s.src_id, f._row_no, f._file FROM {self.name} s "
            f"JOIN (SELECT {key}, min(_seq) AS m FROM {self.name} GROUP BY {key} HAVING count(*) > 1) d ON {on} "
            f"JOIN {self.name} f ON f._seq = d.m WHERE s._seq <> d.m ORDER BY s._seq"
        )
        self.dups = [Duplicate(*r) for r in self.conn.execute(text(sql))]
        return self.dups

    def upsert(self) -> None:
        """Into the feed table: the first row of each key; an existing row only where some value differs."""
        if not self.rows:
            return
        target = TABLES[self.table].name
        q = self._q
        exprs = {c: f"s.{q(c)}" for c in self.columns}
        joins = ""
        if self.table == "payments":
            joins, exprs["line_src_id"], exprs["line_match"] = self._payment_link()
        where = "1 = 1"
        if getattr(self, "dups", None):
            key = ", ".join(self.key)
            where = f"s._seq IN (SELECT min(_seq) FROM {self.name} GROUP BY {key})"
        cols = ", ".join(q(c) for c in self.columns)
        keys = ", ".join(KEYS[self.table])
        data = [c for c in self.columns if c not in self.key]
        rows = f"SELECT {', '.join(f'{exprs[c]} AS {q(c)}' for c in self.columns)} FROM {self.name} s {joins} WHERE {where}"
        if self.pg:
            self._update_then_insert(target, rows, data)
            return
        sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in data)
        differs = " OR ".join(f"{target}.{q(c)} IS DISTINCT FROM excluded.{q(c)}" for c in data)
        sql = (
            f"INSERT INTO {target} (region_code, fiscal_year, batch_id, {cols}) "
            f"SELECT '{self.region}', {self.year}, {self.batch}, {', '.join(exprs[c] for c in self.columns)} "
            f"FROM {self.name} s {joins} WHERE {where} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {sets}, batch_id = excluded.batch_id WHERE {differs}"
        )
        self.conn.execute(text(sql))

    def _update_then_insert(self, target: str, rows: str, data: list[str]) -> None:
        """PostgreSQL: the rows already there updated where some value differs, then the new ones inserted
        plainly — not by ON CONFLICT, whose speculative insertion costs a third more per row. Loads of one
        region-year take turns (a transaction-scoped advisory lock), so no other load adds a key between the two
        statements; the unique key stays the guard."""
        q = self._q
        self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"feed:{self.region}:{self.year}"})
        t = f"SELECT * FROM {target} WHERE region_code = '{self.region}' AND fiscal_year = {self.year}"
        on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in self.key)
        sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in data)
        differs = " OR ".join(f"t.{q(c)} IS DISTINCT FROM s.{q(c)}" for c in data)
        self.conn.execute(
            text(
                f"UPDATE {target} t SET {sets}, batch_id = {self.batch} FROM ({rows}) s "
                f"WHERE t.region_code = '{self.region}' AND t.fiscal_year = {self.year} AND {on} AND ({differs})"
            )
        )
        cols = ", ".join(q(c) for c in self.columns)
        self.conn.execute(
            text(
                f"INSERT INTO {target} (region_code, fiscal_year, batch_id, {cols}) "
                f"SELECT '{self.region}', {self.year}, {self.batch}, {cols} FROM ({rows}) s "
                f"WHERE NOT EXISTS (SELECT 1 FROM ({t}) t WHERE {on})"
            )
        )

    def _payment_link(self) -> tuple[str, str, str]:
        """Given in the row, else through its 支付申请 (the one with the smallest id), else the one line of the same
        unit, 功能, 经济 and project (none when no line or several lines match)."""
        here = f"region_code = '{self.region}' AND fiscal_year = {self.year} AND is_deleted = false"
        joins = (
            "LEFT JOIN (SELECT pay_cert_id, line_src_id FROM (SELECT pay_cert_id, line_src_id, ROW_NUMBER() OVER "
            f"(PARTITION BY pay_cert_id ORDER BY src_id) AS rn FROM payment_applications WHERE {here}) x "
            "WHERE rn = 1) ap ON ap.pay_cert_id = s.src_id "
            "LEFT JOIN (SELECT agency_code, exp_func_code, COALESCE(dep_eco_code, '') AS eco, "
            "COALESCE(pro_code, '') AS pro, min(src_id) AS line, count(*) AS n FROM budget_lines "
            f"WHERE {here} GROUP BY agency_code, exp_func_code, COALESCE(dep_eco_code, ''), COALESCE(pro_code, '')) u "
            "ON u.agency_code = s.agency_code AND u.exp_func_code = s.exp_func_code "
            "AND u.eco = COALESCE(s.dep_eco_code, '') AND u.pro = COALESCE(s.pro_code, '')"
        )
        line = (
            "CASE WHEN s.line_src_id IS NOT NULL THEN s.line_src_id WHEN ap.line_src_id IS NOT NULL "
            "THEN ap.line_src_id WHEN u.n = 1 THEN u.line END"
        )
        match = (
            "CASE WHEN s.line_src_id IS NOT NULL THEN 'given' WHEN ap.line_src_id IS NOT NULL THEN 'app' "
            "WHEN u.n = 1 THEN 'attributes' ELSE 'none' END"
        )
        return joins, line, match

    def drop(self) -> None:
        self.conn.execute(text(f"DROP TABLE IF EXISTS {self.name}"))
