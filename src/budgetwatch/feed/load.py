"""Loading a batch: one transaction; rows validated a chunk at a time (feed/validate.py), staged (COPY /
executemany into a temporary table, feed/stage.py) and upserted from there by their unique keys in one statement
per table, so memory stays flat and a re-load changes nothing. A batch with more than REJECT_LIMIT of its rows
rejected loads nothing (its rejects are kept); payments are joined to their 指标 as they are written, in SQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from operator import itemgetter

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Insert

from ..store.schema import table_of
from .bulk import CsvFile, load_copied
from .codes import Bad
from .direct import load_direct
from .model import (
    TABLES,
    Agency,
    BudgetLine,
    FeedBatch,
    FeedReject,
    FeedSetting,
    FeedSource,
    Payment,
    PaymentApplication,
)
from .regions import ensure_region
from .stage import Stage
from .validate import REASONS, Reject, Validator

REJECT_LIMIT = 0.2  # (derived) more than this share of a batch's rows bad: the batch is refused whole
CHUNK = 5000
MAX_REJECTS_KEPT = 10000  # rejects stored per batch; the count goes on beyond
ORDER = ("lines", "adjustments", "applications", "payments")  # references point backwards in this order
TABLE_ZH = {"lines": "指标", "adjustments": "指标调整", "applications": "支付申请", "payments": "支付凭证"}


@dataclass
class Part:
    """One stream of rows of one canonical table (a file, a pushed body, a pulled view)."""

    table: str
    rows: Iterable[tuple[int, dict]]  # (row number, {canonical field: value as sent})
    file: str | None = None
    scales: dict[str, Decimal] = field(default_factory=dict)
    source_table: str = "PAY_VOUCHER_BILL"
    fatal: Reject | None = None  # the file cannot be read as a whole (encoding, columns, table)
    csv: CsvFile | None = None  # a CSV file the bulk path may COPY instead of reading `rows`


@dataclass
class Report:
    batch_id: int | None
    status: str  # loaded | partial | rejected | repeat (the batch was received before)
    region: str
    year: int
    rows_in: int = 0
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    synthetic: bool = False

    def to_dict(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "status": self.status,
            "region": self.region,
            "fiscal_year": self.year,
            "rows_in": self.rows_in,
            "rows_loaded": self.rows_loaded,
            "rows_unchanged": self.rows_unchanged,
            "rows_rejected": self.rows_rejected,
            "tables": self.tables,
            "synthetic": self.synthetic,
            "rejects": [r.to_dict() for r in self.rejects[:1000]],
        }


def salt(conn: Connection) -> str:
    """$BUDGETWATCH_FEED_SALT, else a random salt made once per database."""
    env = os.environ.get("BUDGETWATCH_FEED_SALT")
    if env:
        return env
    t = table_of(FeedSetting)
    v = conn.execute(select(t.c.value).where(t.c.key == "payee_salt")).scalar()
    if v is None:
        v = secrets.token_hex(16)
        conn.execute(t.insert().values(key="payee_salt", value=v))
    return v


def _new_id(conn: Connection, statement: Insert) -> int:
    """The id of the one row an INSERT writes (a one-row INSERT has its key)."""
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return key[0]


def source_id(conn: Connection, region: str, kind: str, name: str, preset: str | None = None) -> int:
    t = table_of(FeedSource)
    sid = conn.execute(select(t.c.id).where(t.c.region_code == region, t.c.kind == kind, t.c.name == name)).scalar()
    if sid is None:
        sid = _new_id(
            conn,
            t.insert().values(
                region_code=region, kind=kind, name=name, preset=preset, view_names={}, ip_allowlist=[], enabled=True
            ),
        )
    return sid


def previous(conn: Connection, source: int, external_id: str) -> Report | None:
    t = table_of(FeedBatch)
    b = conn.execute(select(t).where(t.c.source_id == source, t.c.external_batch_id == external_id)).first()
    if b is None:
        return None
    rep = Report(
        b.id,
        "repeat",
        b.region_code,
        b.fiscal_year,
        b.rows_in,
        b.rows_loaded,
        b.rows_unchanged,
        b.rows_rejected,
        dict((b.report or {}).get("tables", {})),
        synthetic=b.synthetic,
    )
    rep.rejects = stored_rejects(conn, b.id, limit=1000)
    return rep


def stored_rejects(conn: Connection, batch_id: int, limit: int | None = None) -> list[Reject]:
    t = table_of(FeedReject)
    q = select(t).where(t.c.batch_id == batch_id).order_by(t.c.id)
    if limit:
        q = q.limit(limit)
    return [Reject(r.source_table, r.row_no, r.code, r.message_zh, r.field, r.file, r.raw) for r in conn.execute(q)]


def load_batch(
    engine: Engine,
    parts: list[Part],
    *,
    region: str,
    year: int,
    source_kind: str,
    source_name: str,
    external_id: str,
    sha256: str | None = None,
    as_of: date | None = None,
    preset: str | None = None,
    files: list[str] | None = None,
    submitted_by: str | None = None,
    synthetic: bool = False,
    region_name: str | None = None,
    region_aliases: tuple = (),
) -> Report:
    """Load one batch in one transaction (see the module). A batch seen before (same source, same external
    id) changes nothing and answers its first report with status `repeat`."""
    with engine.begin() as conn:
        region = ensure_region(conn, region, region_name, region_aliases)
        # the batch row as written: loading, or rejected when a refused batch is recorded after the rollback
        described = dict(
            region_code=region,
            fiscal_year=year,
            as_of=as_of,
            submitted_by=submitted_by,
            external_batch_id=external_id,
            sha256=sha256,
            preset=preset,
            files=files or [],
            synthetic=synthetic,
            report={},
        )
        sid = source_id(conn, region, source_kind, source_name, preset)
        seen = previous(conn, sid, external_id)
        if seen is not None:
            return seen
        batch = _new_id(conn, insert(table_of(FeedBatch)).values(source_id=sid, status="loading", **described))
        loader = _Loader(conn, batch, region, year, salt(conn))
        loader.payment_parts = sum(p.table == "payments" for p in parts)
        for part in sorted(parts, key=lambda p: ORDER.index(p.table)):
            loader.load(part)
        loader.finish()
        report = loader.report()
        report.synthetic = synthetic
        if report.status != "rejected":
            _record(conn, report)
            return report
        conn.rollback()  # nothing of a refused batch is kept but the batch and its reasons
    with engine.begin() as conn:
        ensure_region(conn, region, region_name, region_aliases)
        sid = source_id(conn, region, source_kind, source_name, preset)
        report.batch_id = _new_id(
            conn, insert(table_of(FeedBatch)).values(source_id=sid, status="rejected", **described)
        )
        report.rows_loaded = report.rows_unchanged = 0
        _record(conn, report)
    return report


def _record(conn: Connection, report: Report) -> None:
    t = table_of(FeedBatch)
    conn.execute(
        update(t)
        .where(t.c.id == report.batch_id)
        .values(
            status=report.status,
            rows_in=report.rows_in,
            rows_loaded=report.rows_loaded,
            rows_unchanged=report.rows_unchanged,
            rows_rejected=report.rows_rejected,
            report={"tables": report.tables},
        )
    )
    kept = report.rejects[:MAX_REJECTS_KEPT]
    for i in range(0, len(kept), CHUNK):
        conn.execute(
            insert(table_of(FeedReject)),
            [
                {
                    "batch_id": report.batch_id,
                    "source_table": r.table,
                    "file": r.file,
                    "row_no": r.row_no,
                    "field": r.field,
                    "code": r.code,
                    "message_zh": r.message,
                    "raw": r.raw,
                }
                for r in kept[i : i + CHUNK]
            ],
        )


class _Loader:
    def __init__(self, conn: Connection, batch: int, region: str, year: int, salt: str):
        self.conn, self.batch, self.region, self.year, self.salt = conn, batch, region, year, salt
        lt = table_of(BudgetLine)
        self.known_lines = set(
            conn.scalars(select(lt.c.src_id).where(lt.c.region_code == region, lt.c.fiscal_year == year))
        )
        self.rejects: list[Reject] = []
        self.rows_in = 0
        self.rejected = 0
        self.valid: dict[str, int] = {}
        self.agencies: dict[str, str | None] = {}
        self.stages: dict[str, Stage] = {}
        self.seq = 0
        self.fatal = False
        self.payment_parts = 0  # of the batch (the direct path takes a batch's only payments file)

    def load(self, part: Part) -> None:
        if part.fatal is not None:
            self._fatal(part.fatal)
            return
        if load_direct(self, part, self.payment_parts) or load_copied(self, part):
            return
        v = Validator(
            part.table,
            self.region,
            self.year,
            self.salt,
            self.known_lines,
            self.agencies,
            part.scales,
            part.source_table,
        )
        rows = iter(part.rows)
        try:
            while chunk := list(islice(rows, CHUNK)):
                self.rows_in += len(chunk)
                good, bad = v.chunk(chunk, part.file)
                for rejects in bad:
                    self._reject(rejects)
                if good:
                    self._flush(part, good)
        except Bad as e:  # a file unreadable past some row: the batch is refused
            self._fatal(Reject(part.table, None, e.code, e.message, None, part.file))

    def _fatal(self, reject: Reject) -> None:
        self.fatal = True
        self.rejects.insert(0, reject)

    def _reject(self, rejects: list[Reject]) -> None:
        self.rejected += 1
        if len(self.rejects) < MAX_REJECTS_KEPT:
            self.rejects += rejects

    def _flush(self, part: Part, rows: list[tuple[int, tuple]]) -> None:
        """Valid rows of a chunk into the table's staging table (duplicates are found there, at the end)."""
        stage = self.stages.get(part.table)
        if stage is None:
            stage = self.stages[part.table] = Stage(self.conn, part.table, self.region, self.year, self.batch)
        seq = self.seq
        stage.write([(seq + i, row_no, part.file, *values) for i, (row_no, values) in enumerate(rows)])
        self.seq = seq + len(rows)
        self.valid[part.table] = self.valid.get(part.table, 0) + len(rows)

    def finish(self) -> None:
        for table in ORDER:
            stage = self.stages.get(table)
            if stage is None:
                continue
            for d in stage.duplicates():
                where = (
                    f"（与第{d.first_row}行相同）"
                    if d.first_file == d.file
                    else f"（与{d.first_file or '本批次'}第{d.first_row}行相同）"
                )
                self._reject(
                    [Reject(table, d.row_no, "E_DUP", f"主键“{d.key}”在本批次中重复{where}", "src_id", d.file)]
                )
                self.valid[table] -= 1
        if self.report_status() != "rejected":
            for table in ORDER:
                if table in self.stages:
                    self.stages[table].upsert()
            self._agencies()
            if self.stages.keys() & {"lines", "applications"}:
                link_payments(self.conn, self.region, self.year, self.batch)
        for stage in self.stages.values():
            stage.drop()

    def _agencies(self) -> None:
        t = table_of(Agency)
        have = {
            r.agency_code: r.agency_name
            for r in self.conn.execute(
                select(t.c.agency_code, t.c.agency_name).where(
                    t.c.region_code == self.region, t.c.fiscal_year == self.year
                )
            )
        }
        for code, name in self.agencies.items():
            if code not in have:
                self.conn.execute(
                    t.insert().values(
                        region_code=self.region,
                        fiscal_year=self.year,
                        agency_code=code,
                        agency_name=name,
                        batch_id=self.batch,
                    )
                )
            elif name and have[code] != name:
                self.conn.execute(
                    update(t)
                    .where(t.c.region_code == self.region, t.c.fiscal_year == self.year, t.c.agency_code == code)
                    .values(agency_name=name)
                )

    def report_status(self) -> str:
        if self.fatal or self.rows_in and self.rejected / self.rows_in > REJECT_LIMIT:
            return "rejected"
        return "partial" if self.rejected else "loaded"

    def report(self) -> Report:
        tables: dict[str, dict[str, int]] = {}
        loaded = 0
        for name, n_valid in self.valid.items():
            t = TABLES[name]
            n = self.conn.execute(select(func.count()).select_from(t).where(t.c.batch_id == self.batch)).scalar_one()
            loaded += n
            tables[name] = {"valid": n_valid, "loaded": n, "unchanged": n_valid - n}
        for r in self.rejects:
            tables.setdefault(r.table, {"valid": 0, "loaded": 0, "unchanged": 0})
        for name in tables:
            tables[name]["rejected"] = len({(r.file, r.row_no) for r in self.rejects if r.table == name})
        valid = sum(self.valid.values())
        return Report(
            self.batch,
            self.report_status(),
            self.region,
            self.year,
            self.rows_in,
            loaded,
            valid - loaded,
            self.rejected,
            tables,
            list(self.rejects),
        )


def link_payments(conn: Connection, region: str, year: int, batch: int | None = None) -> None:
    """Each payment's 指标: through its 支付申请 (PAY_VOUCHER.BGT_ID), else the one line of the same unit, 功能,
    经济 and project, else none. A batch's own payments are linked as they are written (feed/stage.py); after a
    batch that brought lines or applications (`batch`), only the other payments they may concern are looked at:
    unlinked ones, those on a changed line, those with a changed line's attributes, those of a changed
    application. Without `batch`: every payment of the region-year. Only rows whose link changes are written."""
    p, a, bl = table_of(Payment), table_of(PaymentApplication), table_of(BudgetLine)
    here = and_(p.c.region_code == region, p.c.fiscal_year == year)
    if batch is not None:
        mine = and_(bl.c.region_code == region, bl.c.fiscal_year == year, bl.c.batch_id == batch)
        here = and_(
            here,
            p.c.batch_id != batch,
            or_(
                p.c.line_match == "none",
                exists().where(mine, bl.c.src_id == p.c.line_src_id),
                exists().where(mine, bl.c.agency_code == p.c.agency_code, bl.c.exp_func_code == p.c.exp_func_code),
                exists().where(
                    a.c.region_code == region,
                    a.c.fiscal_year == year,
                    a.c.batch_id == batch,
                    a.c.pay_cert_id == p.c.src_id,
                ),
            ),
        )
    app_line = (
        select(a.c.line_src_id)
        .where(
            a.c.region_code == p.c.region_code,
            a.c.fiscal_year == p.c.fiscal_year,
            a.c.pay_cert_id == p.c.src_id,
            a.c.is_deleted.is_(False),
        )
        .order_by(a.c.src_id)
        .limit(1)
        .scalar_subquery()
    )
    conn.execute(
        update(p)
        .where(
            here,
            p.c.line_match.is_distinct_from("given"),
            app_line.is_not(None),
            or_(p.c.line_match.is_distinct_from("app"), p.c.line_src_id.is_distinct_from(app_line)),
        )
        .values(line_src_id=app_line, line_match="app")
    )
    same = and_(
        bl.c.region_code == p.c.region_code,
        bl.c.fiscal_year == p.c.fiscal_year,
        bl.c.agency_code == p.c.agency_code,
        bl.c.exp_func_code == p.c.exp_func_code,
        bl.c.dep_eco_code.is_not_distinct_from(p.c.dep_eco_code),
        bl.c.pro_code.is_not_distinct_from(p.c.pro_code),
        bl.c.is_deleted.is_(False),
    )
    n_same = select(func.count()).where(same).scalar_subquery()
    one = select(func.min(bl.c.src_id)).where(same).scalar_subquery()
    open_ = and_(here, or_(p.c.line_match.is_(None), p.c.line_match.in_(("attributes", "none"))))
    conn.execute(
        update(p)
        .where(
            open_,
            n_same == 1,
            or_(p.c.line_match.is_distinct_from("attributes"), p.c.line_src_id.is_distinct_from(one)),
        )
        .values(line_src_id=one, line_match="attributes")
    )
    conn.execute(
        update(p)
        .where(open_, n_same != 1, p.c.line_match.is_distinct_from("none"))
        .values(line_src_id=None, line_match="none")
    )


def parts_rows(
    header_map: dict[int, tuple[str, Decimal]], rows: Iterable[list[str]], start: int = 1
) -> Iterator[tuple[int, dict]]:
    """Rows of cells → (row number, {canonical field: text}) by a column mapping."""
    fields = [f for f, _s in header_map.values()]
    idx = list(header_map)
    need = max(idx) + 1 if idx else 0
    pick = itemgetter(*idx) if len(idx) > 1 else (lambda row: (row[idx[0]],)) if idx else (lambda row: ())
    for n, row in enumerate(rows, start):
        if len(row) >= need:
            yield n, dict(zip(fields, pick(row)))
        else:  # a short row: the missing cells are empty
            yield n, {f: (row[i] if i < len(row) else "") for i, f in zip(idx, fields)}


def reason_zh(code: str) -> str:
    return REASONS.get(code, code)
