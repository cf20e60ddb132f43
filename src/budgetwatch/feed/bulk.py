"""PostgreSQL: a payments CSV is COPYed as it is, as text, into a temporary raw table and validated there, without
a Python step per row. Each column's distinct texts are parsed once in Python by the parsers the row-by-row path
uses (feed/codes.py, feed/validate.py) and go back by COPY as small lookup tables; amounts written plainly
(`-1234.5`) are cast in SQL. One INSERT … SELECT joins the raw rows to the lookups into the batch's staging table
(feed/stage.py); from there duplicates and the upsert are the same as on the row-by-row path.

A row a lookup does not settle (a bad value, a missing field, no key, a key too long) is read back and validated
by the Validator itself, so its rejects are exactly those of the row-by-row path. A file COPY would read otherwise
than Python's csv module (a quote inside an unquoted field, a line of its own `\\.`, a blank row, a header spread
over lines) or that COPY refuses (a short row, bytes not in the encoding) rolls back to a savepoint and takes the
row-by-row path; so do XLSX files, other tables and SQLite."""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from . import codes
from .codes import Bad
from .stage import Stage
from .validate import _ECO, LIMITS, Validator, account_parts, payee_kind

# the loader and its parts (feed/load.py, which calls this module) are typed Any: no import back
WS = "".join(c for c in map(chr, range(0x110000)) if c.isspace())  # what str.strip() strips
# an amount written plainly, as ^-?[0-9]{1,15}(\.[0-9]{1,2})?$ (Decimal(t) == t::numeric, to the 分, under 1e15):
# its shape, each digit as 9, is one of these; a hashed list costs a third of the regular expression per row
PLAIN_SHAPES = [s + "9" * n + f for s in ("", "-") for n in range(1, 16) for f in ("", ".9", ".99")]
SEP = "\x1f"  # joins the ATTRS texts into one key; a file holding it takes the row-by-row path
BLOCK = 1 << 20
FETCH = 20000
_FIELD = rb'(?:[^",\r\n]*|"(?:[^"\r\n]|"")*")'
_QUOTED_LINE = re.compile(_FIELD + rb"(?:," + _FIELD + rb")*\r?")  # quotes only around whole fields
_END_MARK = re.compile(rb"(?m)^\\\.\r?$")  # COPY's end of data
_names = itertools.count(1)


@dataclass
class CsvFile:
    """What the bulk path needs of a CSV file: its encoding, header and column mapping (feed/presets.py)."""

    path: Path
    encoding: str
    header: list[str]
    columns: dict[int, tuple[str, Decimal]]  # column index → (canonical field, scale)


class Unfit(Exception):
    """The file is one COPY would read otherwise than the row-by-row path."""


def load_copied(loader: Any, part: Any) -> bool:
    """The part loaded into its staging table by the bulk path (True), or nothing done (False)."""
    conn = loader.conn
    if conn.dialect.name != "postgresql" or part.table != "payments" or part.csv is None:
        return False
    import psycopg

    savepoint = conn.begin_nested()
    try:
        stage = _Copied(loader, part).run()
    except (Unfit, psycopg.errors.DataError):
        savepoint.rollback()
        return False
    savepoint.commit()
    loader.stages[part.table] = stage
    return True


def _blocks(f: CsvFile) -> Iterator[bytes]:
    """The data rows as UTF-8, in blocks ending at a line end; the header checked to be the first line."""
    decoder = None if f.encoding.startswith("utf-8") else codecs.getincrementaldecoder(f.encoding)()
    first, carry = True, b""
    with open(f.path, "rb") as fh:
        while True:
            block = fh.read(BLOCK)
            final = not block
            if decoder is not None:
                try:
                    block = decoder.decode(block, final).encode("utf-8")
                except UnicodeDecodeError:
                    raise Unfit from None
            data = carry + block
            if not final:
                cut = data.rfind(b"\n") + 1
                if not cut:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            if first:
                first = False
                data = data.removeprefix(codecs.BOM_UTF8)
                end = data.find(b"\n") + 1 or len(data)
                try:
                    header = next(csv.reader([data[:end].decode("utf-8")]))
                except (UnicodeDecodeError, StopIteration, csv.Error):
                    raise Unfit from None
                if header != f.header:
                    raise Unfit
                data = data[end:]
            _check(data)
            yield data
            if final:
                return


def _check(data: bytes) -> None:
    """Python's csv and COPY read the same cells: quotes only around whole fields, on one line; no `\\.`. And
    no SEP, so that the joined ATTRS texts split back as they were."""
    if _END_MARK.search(data) or SEP.encode() in data:
        raise Unfit
    i = data.find(b'"')
    while i >= 0:
        start = data.rfind(b"\n", 0, i) + 1
        end = data.find(b"\n", i)
        end = len(data) if end < 0 else end
        if not _QUOTED_LINE.fullmatch(data, start, end):
            raise Unfit
        i = data.find(b'"', end)


# low-cardinality fields, looked up together as one key, their texts joined by SEP (their distinct combinations
# are few; one text, not 15 columns: the planner would count 200^15 groups and sort instead of hashing; not an
# array either, whose building and hashing cost twice the joining)
ATTRS = [
    "exp_func",
    "dep_eco",
    "gov_eco",
    "is_deleted",
    "agency_code",
    "agency_name",
    "pro_code",
    "fund_type_code",
    "pay_type_code",
    "pay_type_name",
    "set_mode_code",
    "set_mode_name",
    "payee_bank",
    "region",
    "year",
]
ATTR_VALUES = [  # the columns Lookups._attrs gives an ATTRS key, in its order
    "exp_func_code",
    "exp_func_code_raw",
    "dep_eco_code",
    "dep_eco_code_raw",
    "gov_eco_code",
    "gov_eco_code_raw",
    "is_deleted",
    "agency_code",
    "pro_code",
    "fund_type_code",
    "pay_type_code",
    "pay_type_name",
    "set_mode_code",
    "set_mode_name",
    "payee_bank",
]
AGENCY_CODE, AGENCY_NAME = ATTRS.index("agency_code"), ATTRS.index("agency_name")  # the unit, noted per key
TRIMMED = ("src_id", "voucher_no", "purpose", "abstract", "contract_no", "payee_credit_code")  # stripped in SQL


class _Copied:
    def __init__(self, loader: Any, part: Any):
        assert part.csv is not None
        self.loader, self.part, self.csv = loader, part, part.csv
        self.conn = loader.conn
        driver = self.conn.connection.driver_connection
        assert driver is not None
        self.driver = driver
        self.cur = driver.cursor()
        n = next(_names)
        self.raw, self.odd = f"feed_raw_{n}", f"feed_odd_{n}"
        self.fields = {f: i for i, (f, _s) in self.csv.columns.items()}
        self.params = {"ws": WS, "year": str(loader.year), "source_table": part.source_table}

    def sql(self, q: str, params: dict | None = None):
        return self.cur.execute(q, {**self.params, **(params or {})})

    def run(self) -> Stage:
        loader = self.loader
        if "src_id" not in self.fields:
            raise Unfit  # content keys are made row by row
        self._copy()
        # the lookups are small: hashed, the raw rows never sorted (the planner sorts them to merge-join the
        # two-column keys otherwise); no JIT (its compiling cost more than the statement saves)
        self.sql("SET LOCAL work_mem = '64MB'; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off")
        self.sql(f"ANALYZE {self.raw} (_row)")  # its row count
        total, maps = self._distinct()
        stage = loader.stages.get("payments") or Stage(self.conn, "payments", loader.region, loader.year, loader.batch)
        seq0 = loader.seq
        self._insert(stage, seq0, maps)
        self.sql(f"CREATE TEMPORARY TABLE {self.odd} (_row_no integer) ON COMMIT DROP")
        odd = self.sql(  # one scan of the staging table, not two
            f"WITH gone AS (DELETE FROM {stage.name} WHERE NOT _ok RETURNING _row_no) "
            f"INSERT INTO {self.odd} SELECT _row_no FROM gone"
        ).rowcount
        rejected = self._odd_rows(stage, seq0, odd)  # may find the file unfit: before anything is counted
        stage.rows += total - odd
        maps.note_agencies()
        loader.rows_in += total
        loader.seq = seq0 + total
        loader.valid["payments"] = loader.valid.get("payments", 0) + total - rejected
        for name in (self.raw, self.odd, *maps.table.values()):
            self.sql(f"DROP TABLE {name}")
        return stage

    # — raw rows in —
    def _copy(self) -> None:
        n = len(self.csv.header)
        cols = ", ".join(f"c{i}" for i in range(n))
        self.sql(
            f"CREATE TEMPORARY TABLE {self.raw} (_row bigint GENERATED ALWAYS AS IDENTITY, "
            f"{', '.join(f'c{i} text' for i in range(n))}) ON COMMIT DROP"
        )
        with self.cur.copy(f"COPY {self.raw} ({cols}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({cols}))") as cp:
            for block in _blocks(self.csv):
                cp.write(block)

    def c(self, field: str) -> str:
        """A field's cell as sent, or '' when no column carries it."""
        i = self.fields.get(field)
        return f"r.c{i}" if i is not None else "''::text"

    def attrs_key(self) -> str:
        return f" || '{SEP}' || ".join(self.c(f) for f in ATTRS)

    def _plain_amount(self) -> str:
        """The rows whose amount is written plainly (in 元): cast in SQL, not looked up."""
        ax, a = self.c("amount_x"), self.c("amount")
        shapes = "ARRAY[" + ", ".join(f"'{s}'" for s in PLAIN_SHAPES) + "]"
        plain = lambda cell: f"translate({cell}, '012345678', '999999999') = ANY({shapes})"  # noqa: E731
        tests = []
        if self.part.scales.get("amount_x", 1) == 1 and "amount_x" in self.fields:
            tests.append(plain(ax))
        if self.part.scales.get("amount", 1) == 1 and "amount" in self.fields:
            tests.append(f"{ax} = '' AND {plain(a)}")
        return " OR ".join(f"({t})" for t in tests) or "false"

    # — distinct keys out, parsed, back as lookups —
    def keys(self) -> dict[str, list[str]]:
        c = self.c
        return {
            "attrs": [self.attrs_key()],
            "day": [c("pay_date_x"), c("pay_date")],
            "upd": [c("updated_at")],
            "amount": [f"CASE WHEN r._plain THEN NULL ELSE {c(f)} END" for f in ("amount_x", "amount")],
            "line": [f"NULLIF({c('line_src_id')}, '')"],
            "acct": [f"NULLIF({c('payee_account')}, '')"],
            "payee": [c("payee_name"), c("payee_kind")],
        }

    def _distinct(self) -> tuple[int, Lookups]:
        """One scan: each lookup's distinct keys (GROUPING SETS) and the row count. Whether the amount is plain is
        tested once per row (OFFSET 0: not once per key column)."""
        keys = self.keys()
        exprs = [e for k in keys.values() for e in k]
        names = [f"k{i}" for i in range(len(exprs))]
        it = iter(names)
        sets = ["(" + ", ".join(next(it) for _ in k) + ")" for k in keys.values()]
        q = (
            f"SELECT {', '.join(names)}, {', '.join(f'GROUPING({k})' for k in names)}, min(_row), count(*) "
            f"FROM (SELECT _row, {', '.join(f'{e} AS {k}' for e, k in zip(exprs, names))} "
            f"FROM (SELECT *, {self._plain_amount()} AS _plain FROM {self.raw} r OFFSET 0) r) s "
            f"GROUP BY GROUPING SETS ({', '.join(sets)}, ())"
        )
        maps = Lookups(self.loader, self.part)
        total, width = 0, len(names)
        with self.driver.cursor(name=f"feed_keys_{next(_names)}") as named:
            named.execute(q, self.params)
            while rows := named.fetchmany(FETCH):
                for row in rows:
                    values, grouped = row[:width], row[width : 2 * width]
                    pos = 0
                    for kind, k in keys.items():
                        if not any(grouped[pos : pos + len(k)]):
                            maps.add(kind, values[pos : pos + len(k)], row[-2])
                            break
                        pos += len(k)
                    else:
                        total = row[-1]
                maps.flush(self.cur, final=False)
        maps.flush(self.cur, final=True)
        return total, maps

    # — the settled rows into the staging table —
    def _insert(self, stage: Stage, seq0: int, maps: Lookups) -> None:
        c = self.c
        v = {f: f"a.{f}" for f in ATTR_VALUES}
        v.update({f: f"NULLIF(btrim({c(f)}, %(ws)s), '')" for f in TRIMMED})
        ax, a = c("amount_x"), c("amount")
        v.update(
            source_table="%(source_table)s",
            src_id="left(pu.src_id, 40)",  # a longer one is refused (the row is odd), but must fit the stage
            line_src_id="ln.v",
            line_match="CASE WHEN ln.v IS NOT NULL THEN 'given' END",
            amount=f"CASE WHEN am.t IS NULL THEN (CASE WHEN {ax} <> '' THEN {ax} ELSE {a} END)::numeric ELSE am.v END",
            pay_date="d.v",
            pay_month="d.m",
            payee_name="p.name",
            payee_account_tail="ac.tail",
            payee_account_hash="ac.hash",
            payee_kind="p.kind",
            purpose=(
                "CASE WHEN pu.p <> '' AND pu.ab <> '' AND pu.p <> pu.ab THEN pu.p || ' ' || pu.ab "
                "ELSE COALESCE(NULLIF(pu.p, ''), NULLIF(pu.ab, '')) END"
            ),
            src_updated_at="up.v",
        )
        ok = (
            "pu.src_id <> '' AND char_length(pu.src_id) <= 40 AND a.ok AND d.ok AND up.ok "
            "AND (ln.t IS NULL OR ln.ok) AND (am.t IS NULL OR am.ok)"
        )
        # a text too long for its column: the Validator's E_LENGTH (src_id is refused above), cut to fit the stage
        limited = [(col, n) for col, n in LIMITS["payments"] if col in v and col != "src_id"]
        ok += "".join(f" AND COALESCE(char_length({v[col]}), 0) <= {n}" for col, n in limited)
        v.update({col: f"left({v[col]}, {n})" for col, n in limited})
        cols = list(stage.columns)
        select = f"{', '.join(v[col] for col in cols)}, COALESCE({ok}, false)"
        on = lambda alias, fields: " AND ".join(f"{alias}.k{i} = {c(f)}" for i, f in enumerate(fields))  # noqa: E731
        joins = ""
        for kind, alias, cond in (
            ("attrs", "a", f"a.k0 = {self.attrs_key()}"),
            ("day", "d", on("d", ("pay_date_x", "pay_date"))),
            ("upd", "up", on("up", ("updated_at",))),
            ("amount", "am", on("am", ("amount_x", "amount"))),
            ("line", "ln", on("ln", ("line_src_id",))),
            ("acct", "ac", on("ac", ("payee_account",))),
            ("payee", "p", on("p", ("payee_name", "payee_kind"))),
        ):
            if maps.count[kind]:
                joins += f" LEFT JOIN {maps.table[kind]} {alias} ON {cond}"
            else:  # an empty lookup (no amount but plain ones, no line given): its NULLs without a join per row
                select = re.sub(rf"(?<![\w.]){alias}\.(\w+)", partial(_null, kind), select)
        q = (
            f"INSERT INTO {stage.name} (_seq, _row_no, _file, {', '.join(cols)}, _ok) "
            f"SELECT {seq0 - 1} + r._row, r._row, %(file)s, {select} "
            f"FROM {self.raw} r CROSS JOIN LATERAL (SELECT btrim({c('src_id')}, %(ws)s) AS src_id, "
            f"btrim({c('purpose')}, %(ws)s) AS p, btrim({c('abstract')}, %(ws)s) AS ab OFFSET 0) pu{joins}"
        )
        self.sql(q, {"file": self.part.file})

    # — the rows no lookup settles: the Validator's own verdict —
    def _odd_rows(self, stage: Stage, seq0: int, odd: int) -> int:
        if not odd:
            return 0
        loader, part = self.loader, self.part
        n = len(self.csv.header)
        blank = self.sql(
            f"SELECT count(*) FROM {self.raw} r JOIN {self.odd} o ON o._row_no = r._row "
            f"WHERE btrim(concat({', '.join(f'r.c{i}' for i in range(n))}), %(ws)s) = ''"
        ).fetchone()[0]
        if blank:
            raise Unfit  # Python skips blank rows and numbers the others
        v = Validator(
            "payments", loader.region, loader.year, loader.salt, loader.known_lines, {}, part.scales, part.source_table
        )
        fields = sorted(self.fields.items(), key=lambda x: x[1])
        cells = ", ".join(f"r.c{i}" for _f, i in fields)
        rejected = 0
        with self.driver.cursor(name=f"feed_odd_{next(_names)}") as named:
            named.execute(
                f"SELECT r._row, {cells} FROM {self.raw} r JOIN {self.odd} o ON o._row_no = r._row ORDER BY r._row"
            )
            while rows := named.fetchmany(FETCH):
                chunk = [(r[0], dict(zip((f for f, _i in fields), r[1:]))) for r in rows]
                good, bad = v.chunk(chunk, part.file)
                for rejects in bad:
                    loader._reject(rejects)
                rejected += len(bad)
                if good:
                    stage.write([(seq0 + row_no - 1, row_no, part.file, *values) for row_no, values in good])
        return rejected


class Lookups:
    """The distinct keys of one payments file, parsed as Validator parses them (the stripped texts), written by
    COPY into one small table per lookup: key columns k0…, then the values."""

    VALUES = {
        "attrs": [f"{f} text" for f in ATTR_VALUES if f != "is_deleted"] + ["is_deleted boolean", "ok boolean"],
        "day": ["v date", "m integer", "ok boolean"],
        "upd": ["v timestamptz", "ok boolean"],
        "amount": ["v numeric", "ok boolean", "t text"],
        "line": ["v text", "ok boolean", "t text"],
        "acct": ["tail text", "hash text"],
        "payee": ["name text", "kind text"],
    }
    WIDTH = {"attrs": 1, "day": 2, "upd": 1, "amount": 2, "line": 1, "acct": 1, "payee": 2}

    def __init__(self, loader: Any, part: Any):
        self.loader, self.part = loader, part
        self.rows: dict[str, list[tuple]] = {k: [] for k in self.VALUES}
        self.agencies: list[tuple[int, str, str]] = []
        self.table: dict[str, str] = {}
        self.count = dict.fromkeys(self.VALUES, 0)

    def add(self, kind: str, key: tuple, first_row: int) -> None:
        if key[0] is None:  # no lookup needed
            return
        texts = key[0].split(SEP) if kind == "attrs" else key  # attrs: the ATTRS texts joined (one hash key)
        if kind == "attrs":
            self.agencies.append((first_row, texts[AGENCY_CODE], texts[AGENCY_NAME]))
        self.rows[kind].append((*key, *getattr(self, "_" + kind)(*(t.strip() for t in texts))))

    def flush(self, cur, final: bool) -> None:
        if not self.table:
            n = next(_names)
            for kind, cols in self.VALUES.items():
                self.table[kind] = f"feed_map_{kind}_{n}"
                keys = [f"k{i} text" for i in range(self.WIDTH[kind])]
                cur.execute(f"CREATE TEMPORARY TABLE {self.table[kind]} ({', '.join(keys + cols)}) ON COMMIT DROP")
        for kind, rows in self.rows.items():
            self.count[kind] += len(rows)
            if rows:
                with cur.copy(f"COPY {self.table[kind]} FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
                rows.clear()
        if final:
            for name in self.table.values():
                # a lookup's key is unique (its columns together): so the planner hashes the lookup, not the rows
                cur.execute(f"ALTER TABLE {name} ALTER COLUMN k0 SET (n_distinct = -1)")
                cur.execute(f"ANALYZE {name}")

    def note_agencies(self) -> None:
        """As Validator._note_agencies over the rows in order: each code's first non-empty name."""
        seen = self.loader.agencies
        for _first, code_text, name_text in sorted(self.agencies):
            code, name = _agency(code_text.strip(), name_text.strip()), name_text.strip() or None
            if code and (code not in seen or name and not seen[code]):
                seen[code] = name

    # one per lookup: the values of the stripped key texts, as Validator parses them
    def _attrs(self, func, dep, gov, deleted, code, name, *plain) -> tuple:
        ok = True
        out: list = []
        for text, parse, required in (
            (func, codes.func_code, True),
            (dep, _ECO["dep"], False),
            (gov, _ECO["gov"], False),
        ):
            raw, _name = codes.split_code_name(text)
            value = None
            if raw is None:
                ok = ok and not required  # 功能: E_CODE or E_REQUIRED
            else:
                try:
                    value = parse(raw)
                except Bad:
                    ok = False
            out += [value, raw]
        try:
            flag = codes.flag(deleted) if deleted else False
        except Bad:
            flag, ok = False, False
        agency = _agency(code, name)
        *kept, region, year = plain
        ok = ok and agency is not None and (not year or year == str(self.loader.year))
        if region:
            try:
                ok = ok and codes.region_code(region) == self.loader.region
            except Bad:
                ok = False
        return (*out, agency, *(t or None for t in kept), flag, ok)

    def _parsed(self, t: str, parse, empty_ok: bool = True) -> tuple:
        if not t:
            return None, empty_ok
        try:
            return parse(t), True
        except Bad:
            return None, False

    def _day(self, x: str, t: str) -> tuple:
        v, ok = self._parsed(x or t, codes.day, empty_ok=False)
        year = self.loader.year
        return v, v and v.month, ok and year - 1 <= v.year <= year + 1

    def _upd(self, t: str) -> tuple:
        return self._parsed(t, codes.moment)

    def _amount(self, x: str, t: str) -> tuple:
        field = "amount_x" if x else "amount"
        scale = self.part.scales.get(field, 1)
        return (*self._parsed(x or t, lambda s: codes.amount(s, scale), empty_ok=False), "x")

    def _line(self, t: str) -> tuple:
        return t or None, not t or t in self.loader.known_lines, "x"

    def _acct(self, t: str) -> tuple:
        return account_parts(t, self.loader.salt) if t else (None, None)

    def _payee(self, name: str, declared: str) -> tuple:
        return name or None, payee_kind(name or None, declared)


def _null(kind: str, ref: re.Match) -> str:
    """A lookup's column `alias.name` as a typed NULL."""
    return f"NULL::{dict(col.split() for col in Lookups.VALUES[kind])[ref[1]]}"


def _agency(code: str, name: str) -> str | None:
    """The unit's code; from its name when only the name is sent (older exports)."""
    import hashlib

    if code:
        return code
    return "n:" + hashlib.sha1(codes.normalise_name(name).encode()).hexdigest()[:16] if name else None
