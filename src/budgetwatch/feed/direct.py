"""PostgreSQL, the common case of a payments file: validated in the loader and COPYed straight into payments, with
no raw, staging or lookup table. The rows are read and validated exactly as on the row-by-row path (as its csv
reader reads them, the Validator a chunk at a time: the same rows, the same typed rejects); each valid row's 指标
is found in the loader — given in the row, else the one line of the same unit, 功能, 经济 and project (stage.py's
rule), from a map of the region-year's lines — and the row goes out by one COPY while the next chunk is validated, so the loader
and the server work side by side and memory holds one chunk and the lines' map.

It is taken only where nothing but new rows can arise, so that a plain insert is what the upsert would have done:
no payment of the region-year and source table is stored yet, the batch brings no lines or 支付申请 (payments are
linked through those only after the batch's own are upserted) and none are stored for the region-year (the link
through a 支付申请 is the SQL path's), and the file is the batch's only payments part. A key seen twice in the file
breaks the unique key: the part is rolled back to a savepoint and loaded again by the other paths, which name the
duplicates (E_DUP); so does anything the file's reader or the COPY refuses."""

from __future__ import annotations

import csv
import gc
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from sqlalchemy import Boolean, Numeric, String, text

from .codes import Bad
from .model import TABLES
from .validate import COLUMNS, Validator

CHUNK = 5000
QUEUED = 64
_COLS = COLUMNS["payments"]


def load_direct(loader: Any, part: Any, payment_parts: int) -> bool:
    """The part loaded straight into payments (True), or nothing done (False: the loader's state as it was)."""
    conn = loader.conn
    if (
        conn.dialect.name != "postgresql"
        or part.table != "payments"
        or part.csv is None
        or payment_parts != 1
        or loader.stages.keys() & {"lines", "applications", "payments"}
    ):
        return False
    import psycopg

    here = {"r": loader.region, "y": loader.year, "s": part.source_table}
    stored = conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM payments WHERE region_code = :r AND fiscal_year = :y AND source_table = :s) "
            "OR EXISTS (SELECT 1 FROM payment_applications WHERE region_code = :r AND fiscal_year = :y "
            "AND is_deleted = false)"
        ),
        here,
    ).scalar()
    if stored:
        return False
    state = (
        loader.rows_in,
        loader.rejected,
        len(loader.rejects),
        loader.seq,
        dict(loader.valid),
        dict(loader.agencies),
    )
    savepoint = conn.begin_nested()
    try:
        _Direct(loader, part).run()
    except (Bad, psycopg.errors.IntegrityError, psycopg.errors.DataError):
        savepoint.rollback()
        loader.rows_in, loader.rejected, n_rejects, loader.seq, loader.valid, loader.agencies = state
        del loader.rejects[n_rejects:]
        return False
    savepoint.commit()
    return True


class _Direct:
    def __init__(self, loader: Any, part: Any):
        self.loader, self.part = loader, part
        self.conn = loader.conn
        # the region-year's lines by unit, 功能, 经济, project: (the smallest id, how many)
        self.lines = {
            (r[0], r[1], r[2], r[3]): (r[4], r[5])
            for r in self.conn.execute(
                text(
                    "SELECT agency_code, exp_func_code, COALESCE(dep_eco_code, ''), COALESCE(pro_code, ''), "
                    "min(src_id), count(*) FROM budget_lines WHERE region_code = :r AND fiscal_year = :y "
                    "AND is_deleted = false AND agency_code IS NOT NULL AND exp_func_code IS NOT NULL "
                    "GROUP BY 1, 2, 3, 4"
                ),
                {"r": loader.region, "y": loader.year},
            )
        }

    def run(self) -> None:
        """Without the cyclic garbage collector: the loop makes no cycles (its lists and tuples go by reference
        counting), and the collector's passes over a million rows' short-lived containers cost a quarter of the
        loader's time."""
        was = gc.isenabled()
        gc.disable()
        try:
            self._run()
        finally:
            if was:
                gc.enable()

    def _run(self) -> None:
        loader, part = self.loader, self.part
        v = Validator(
            "payments",
            loader.region,
            loader.year,
            loader.salt,
            loader.known_lines,
            loader.agencies,
            part.scales,
            part.source_table,
        )
        head = [_text(loader.region), str(loader.year), str(loader.batch)]
        cols = ", ".join(("region_code", "fiscal_year", "batch_id", *_COLS))
        fields = [(i, f) for i, (f, _s) in part.csv.columns.items()]  # a field sent twice: its last column
        need = max(i for i, _f in fields) + 1
        driver = self.conn.connection.driver_connection
        first = 1
        with driver.cursor() as cur, cur.copy(f"COPY payments ({cols}) FROM STDIN", writer=_writer(cur)) as cp:
            for chunk in _chunks(part.csv):  # the file read again: the part's stream stays for the other paths
                if not chunk:
                    continue
                if min(map(len, chunk)) < need:  # a short row: its missing cells are empty (as parts_rows)
                    chunk = [r if len(r) >= need else r + [""] * (need - len(r)) for r in chunk]
                cells = list(zip(*chunk))
                n = len(chunk)
                values, errs = v.by_column(range(first, first + n), {f: cells[i] for i, f in fields}, part.file)
                first += n
                loader.rows_in += n
                for i in sorted(errs):
                    loader._reject(errs[i])
                if errs:
                    keep = [i for i in range(n) if i not in errs]
                    values = {c: [col[i] for i in keep] for c, col in values.items()}
                self._link(values)
                n_good = n - len(errs)
                if n_good:
                    out = [[h] * n_good for h in head] + [_FORMAT[c](values[c]) for c in _COLS]
                    cp.write(("\n".join(map("\t".join, zip(*out))) + "\n").encode())
                loader.seq += n_good
                loader.valid["payments"] = loader.valid.get("payments", 0) + n_good

    def _link(self, values: dict[str, list]) -> None:
        """Each row's 指标: given, else the one line of its unit, 功能, 经济 and project, else none."""
        lines, match, get = values["line_src_id"], values["line_match"], self.lines.get
        units = zip(values["agency_code"], values["exp_func_code"], values["dep_eco_code"], values["pro_code"])
        for i, (agency, func, eco, pro) in enumerate(units):
            if lines[i] is None:
                one = get((agency, func, eco or "", pro or "")) if agency and func else None
                lines[i], match[i] = (one[0], "attributes") if one and one[1] == 1 else (None, "none")


def _writer(cur: Any) -> Any:
    """psycopg's queued writer: a thread sends while the loader validates the next chunk (the plain writer waits
    until each chunk is sent, i.e. nearly parsed by the server: the two would take turns). Its queue bounded
    at QUEUED pieces of at most 128 kB (psycopg's is 1024), so memory stays flat when the server is the slower."""
    from queue import Queue

    from psycopg.copy import QueuedLibpqWriter

    w = QueuedLibpqWriter(cur)
    if isinstance(getattr(w, "_queue", None), Queue):  # a private attribute (psycopg 3.1–3.3): else its own bound
        w._queue = type(w._queue)(maxsize=QUEUED)  # its own class (3.3's get() can be interrupted)
    return w


def _chunks(f: Any) -> Iterator[list[list[str]]]:
    """The data rows, CHUNK lines at a time, as files.open_sheet reads them (its csv reader, blank rows left
    out): a run of lines without a quote, a carriage return or a NUL is split at its commas — what csv makes of
    it, at a fifth of the cost; from the first line with one, csv reads the rest."""
    with open(f.path, encoding=f.encoding, newline="") as fh:
        try:
            next(csv.reader(fh))  # the header
            while lines := list(islice(fh, CHUNK)):
                block = "".join(lines)
                if '"' in block or "\r" in block or "\x00" in block:
                    reader = csv.reader(chain(lines, fh))
                    while rows := list(islice(reader, CHUNK)):
                        yield _filled(rows)
                    return
                rows = [line.split(",") for line in block.split("\n")]
                if block.endswith("\n"):
                    rows.pop()
                yield _filled(rows)
        except UnicodeDecodeError:
            raise Bad("E_ENCODING", "") from None  # the other paths say where, and refuse the file


def _filled(rows: list[list[str]]) -> list[list[str]]:
    """Blank rows out (open_sheet's rule: no cell with more than white space)."""
    return [r for r in rows if r and r[0].strip() or "".join(r).strip()]


# COPY's text format, a column at a time
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _text(x: str) -> str:
    return x.translate(_ESCAPES)


def _strings(col: list) -> list[str]:
    blob = "\x01".join(filter(None, col))
    if any(c in blob for c in "\\\t\n\r"):
        return [_NULL if x is None else x.translate(_ESCAPES) for x in col]
    return [_NULL if x is None else x for x in col]


def _plain(col: list) -> list[str]:  # numbers: their str() is PostgreSQL's input
    return [_NULL if x is None else str(x) for x in col]


def _repeated(col: list) -> list[str]:
    """Dates, moments, months: str() as _plain, once per distinct value (a year has few; str of one is slow)."""
    memo = {None: _NULL}
    out = []
    for x in col:
        t = memo.get(x)
        if t is None:
            t = memo[x] = str(x)
        out.append(t)
    return out


def _bools(col: list) -> list[str]:
    return [_NULL if x is None else "t" if x else "f" for x in col]


def _formatter(t) -> Any:
    if isinstance(t, Boolean):
        return _bools
    if isinstance(t, String):
        return _strings
    return _plain if isinstance(t, Numeric) else _repeated


_FORMAT = {c: _formatter(TABLES["payments"].c[c].type) for c in _COLS}
