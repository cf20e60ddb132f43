"""The JSON push: `POST /api/feed/batches` — one table's rows per request, validated like a file (feed/validate.py),
idempotent by batch id (a repeat answers the first report with 200), authenticated by the region's token.

In server mode (BUDGETWATCH_AUTH=on) the token is a machine token (`budgetwatch token create`), resolved by the
access gate: the batch is recorded as submitted by it (or by the account owning it), which is what makes it that
finance principal's own batch. With auth off, a region's token is the environment variable
BUDGETWATCH_FEED_TOKEN_<region> (e.g. BUDGETWATCH_FEED_TOKEN_141123000); the feed source records the variable's
name, never the token."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool

from .load import Part, load_batch
from .presets import map_header
from .validate import REASONS, Reject

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
TOKEN_ENV = "BUDGETWATCH_FEED_TOKEN_{region}"
Cell = str | int | Decimal | bool | None

router = APIRouter(prefix="/api/feed", tags=["联网数据"])


class PushBatch(BaseModel):
    """One delivery of one table: rows of column → value, named as the preset names them."""

    model_config = ConfigDict(extra="forbid")
    batch_id: str = Field(..., min_length=1, max_length=100, pattern=r"^[^\x00]+$")
    region: str = Field(..., pattern=r"^\d{9}$", description="9-digit 财政区划 code")
    fiscal_year: int = Field(..., ge=1990, le=2100)
    as_of: date | None = None
    table: Literal["lines", "adjustments", "applications", "payments"]
    preset: Literal["yth", "legacy", "zh"] = "yth"
    rows: list[dict[str, Cell]] = Field(..., max_length=MAX_ROWS)

    @field_validator("rows")
    @classmethod
    def _columns(cls, rows):
        for r in rows:
            if len(r) > 200 or any(len(k) > 100 for k in r):
                raise ValueError("a row has more than 200 columns or a column name over 100 characters")
        return rows


def token_ok(request: Request, region: str) -> bool:
    expected = os.environ.get(TOKEN_ENV.format(region=region))
    given = request.headers.get("authorization", "")
    if not expected or not given.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(given[7:].strip().encode(), expected.encode())


def _submitter(request: Request, region: str) -> str:
    """Who pushes the batch. In server mode the gate has resolved the request's principal (a machine token, or a
    session): it must be one that may upload `region`'s feed. Otherwise the region's environment token."""
    p = request.scope.get("budgetwatch.principal")
    if p is not None and p.via != "local":
        if not (p.can("feed_upload") and p.scope("feed_upload").sees(region)):
            raise HTTPException(403, f"this principal may not push the feed of region {region}")
        return p.batch_owner()
    if not token_ok(request, region):
        raise HTTPException(401, f"a valid token for region {region} is required (Authorization: Bearer …)")
    return "env:" + TOKEN_ENV.format(region=region)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise HTTPException(413, f"body over {MAX_BYTES // (1024 * 1024)} MB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise HTTPException(413, f"body over {MAX_BYTES // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def _text(v: Cell) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)


@router.post(
    "/batches",
    status_code=201,
    responses={
        200: {"description": "this batch id was received before: its first report, nothing changed"},
        401: {"description": "no or wrong token for the region"},
        413: {"description": "body over 20 MB"},
        422: {"description": "malformed body"},
    },
)
async def push_batch(request: Request):
    """Receive one table's rows for a region-year (JSON body: PushBatch). 201 with the validation report (typed
    rejects in Chinese; status rejected when the batch is refused whole); 200 with the first report for a batch
    id seen before."""
    raw = await _body(request)
    try:
        obj = json.loads(raw, parse_float=Decimal)  # amounts stay exact
        body = PushBatch.model_validate(obj)
    except (ValueError, ValidationError) as e:
        detail = e.errors(include_url=False, include_context=False) if isinstance(e, ValidationError) else str(e)
        return JSONResponse({"detail": json.loads(json.dumps(detail, default=str))}, status_code=422)
    submitter = _submitter(request, body.region)
    header = sorted({k for r in body.rows for k in r})
    mapping = map_header(header, body.table, body.preset)
    fatal = None
    if mapping.missing:
        fatal = Reject(
            body.table, None, "E_COLUMN", f"{REASONS['E_COLUMN']}：{'、'.join(mapping.missing)}（按{body.preset}列名）"
        )
    fields = {header[i]: f for i, (f, _s) in mapping.columns.items()}
    scales = {f: s for f, s in mapping.columns.values() if s != 1}
    rows = ((n, {fields[k]: _text(v) for k, v in r.items() if k in fields}) for n, r in enumerate(body.rows, 1))
    part = Part(body.table, rows, None, scales, fatal=fatal)
    engine = request.app.state.engine

    def run():  # in a worker thread: a large batch must not hold up the event loop
        rep = load_batch(
            engine,
            [part],
            region=body.region,
            year=body.fiscal_year,
            source_kind="api",
            source_name="api",
            external_id=body.batch_id,
            sha256=hashlib.sha256(raw).hexdigest(),
            as_of=body.as_of,
            preset=body.preset,
            submitted_by=submitter,
        )
        if submitter.startswith("env:"):
            _note_token_env(engine, body.region)
        return rep

    rep = await run_in_threadpool(run)
    return JSONResponse(rep.to_dict(), status_code=200 if rep.status == "repeat" else 201)


def _note_token_env(engine, region: str) -> None:
    from sqlalchemy import update

    from ..store.schema import table_of
    from .model import FeedSource

    t = table_of(FeedSource)
    with engine.begin() as c:
        c.execute(
            update(t)
            .where(t.c.region_code == region, t.c.kind == "api", t.c.token_env.is_(None))
            .values(token_env=TOKEN_ENV.format(region=region))
        )


def rows_as_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CSV rows (all text) as a push body's rows: empty cells left out."""
    return [{k: v for k, v in r.items() if v not in ("", None)} for r in rows]
