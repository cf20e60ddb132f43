"""The audit log: one row per security-relevant event (time, principal, role, region, address, action,
object, outcome), append-only and hash-chained: each row's hash covers the previous row's hash and its
own canonical JSON, so changing or removing a row breaks `budgetwatch audit verify` from there on.

Rows are written in their own short transaction, so a refused or failed action is recorded too. Two
writers racing for the same previous row collide on the unique `prev_hash`; the loser re-reads and retries."""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .tables import AuditRecord

GENESIS = "0" * 64
FIELDS = (
    "at",
    "request_id",
    "principal_id",
    "principal_login",
    "role",
    "region_code",
    "ip",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "detail",
)


@dataclass
class Actor:
    """Who acts: a signed-in principal on the web, or the operating-system user on the CLI."""

    id: int | None = None
    login: str | None = None
    role: str | None = None
    region_code: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except Exception:  # no passwd entry in a container
        who = "unknown"
    return Actor(login=f"cli:{who}", role="cli")


def cli_record(engine: Engine, action: str, object_type: str, object_id=None, detail: dict | None = None) -> None:
    """A CLI write in the audit log (the operating-system user as principal)."""
    record(engine, cli_actor(), action, "ok", object_type, object_id, detail)


def _utc_text(at: datetime) -> str:
    if at.tzinfo is None:  # SQLite hands back naive datetimes: they were written in UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: dict) -> str:
    data = {k: row.get(k) for k in FIELDS}
    data["at"] = _utc_text(row["at"])
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain_hash(prev_hash: str, row: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode("utf-8")).hexdigest()


def record(
    engine: Engine,
    actor: Actor,
    action: str,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: object = None,
    detail: dict | None = None,
) -> int:
    """Append one record; its id."""
    row = {
        "request_id": actor.request_id,
        "principal_id": actor.id,
        "principal_login": actor.login,
        "role": actor.role,
        "region_code": actor.region_code,
        "ip": actor.ip,
        "user_agent": (actor.user_agent or "")[:300] or None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id)[:200],
        "outcome": outcome,
        "detail": json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
    }
    for attempt in range(20):
        row["at"] = datetime.now(UTC)
        try:
            with Session(engine) as s, s.begin():
                prev = s.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)) or GENESIS
                rec = AuditRecord(**row, prev_hash=prev, hash=chain_hash(prev, row))
                s.add(rec)
                s.flush()
                return rec.id
        except (IntegrityError, OperationalError):
            if attempt == 19:
                raise
    raise AssertionError("unreachable")


def rows(
    engine: Engine, before: datetime | None = None, batch: int = 1000, regions: frozenset[str] | None = None
) -> Iterator[dict]:
    """Every record in order, as dicts (with id, prev_hash and hash), `before` a time if given; only those
    of `regions` if given (a region's auditor: such an export is not a whole chain)."""
    last = 0
    while True:
        with Session(engine) as s:
            q = select(AuditRecord).where(AuditRecord.id > last)
            if before is not None:
                q = q.where(AuditRecord.at < before)
            if regions is not None:
                q = q.where(AuditRecord.region_code.in_(regions))
            recs = list(s.scalars(q.order_by(AuditRecord.id).limit(batch)))
            out = [
                {"id": r.id, **{k: getattr(r, k) for k in FIELDS}, "prev_hash": r.prev_hash, "hash": r.hash}
                for r in recs
            ]
        if not out:
            return
        yield from out
        last = out[-1]["id"]


@dataclass
class Verdict:
    ok: bool
    count: int
    bad_id: int | None = None
    problem: str = ""


def verify_rows(records) -> Verdict:
    prev, n = GENESIS, 0
    for r in records:
        n += 1
        if r["prev_hash"] != prev:
            return Verdict(False, n, r["id"], f"record {r['id']}: previous hash does not match record before it")
        if chain_hash(prev, r) != r["hash"]:
            return Verdict(False, n, r["id"], f"record {r['id']}: content does not match its hash")
        prev = r["hash"]
    return Verdict(True, n)


def verify(engine: Engine) -> Verdict:
    return verify_rows(rows(engine))


def export_line(r: dict) -> str:
    """One JSONL line; `verify_rows` re-checks a file of them (the chain travels with the export)."""
    return json.dumps({**r, "at": _utc_text(r["at"])}, ensure_ascii=False, sort_keys=True, default=str)


def read_export(lines) -> Iterator[dict]:
    for line in lines:
        if line.strip():
            r = json.loads(line)
            r["at"] = datetime.strptime(r["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            yield r
