"""What every route shares: the scoped database session, paging, the formats a page answers in, the
filters of the lists, and `respond()` — one page is HTML, its JSON twin and (for lists) a CSV/XLSX
download, the way Datasette answers every table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, Path as FastPath, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..vocab import enums as vocab
from .downloads import CSV, XLSX, table_response  # noqa: F401  (re-exported: the routes' download types)
from .fastjson import FastJSON
from .templating import render


async def session(request: Request):
    """The request's database session, limited to the regions its principal may see (access/scope.py).

    Made and let go on the event loop, not in two more trips to the handler threads (a tenth of a small
    page's CPU): making one reads nothing, and a FastJSONRoute's handler closes its own before it returns,
    in its thread (fastjson.py). One still open here holds a connection, whose release (a ROLLBACK) is
    I/O: it goes to a thread."""
    from ..access.scope import scoped_session

    s = scoped_session(request.app.state.engine, request.scope.get("budgetwatch.scope"))
    try:
        yield s
    finally:
        if s.in_transaction():
            await run_in_threadpool(s.close)
        else:
            s.close()  # nothing begun: nothing to release


Limit = Query(50, ge=1, le=500, description="page size")
Offset = Query(0, ge=0, le=10**9, description="items to skip")
ListFmt = Query(None, pattern="^(html|json|csv|xlsx)$", description="html (default), json, or a csv/xlsx download")
Fmt = Query(None, pattern="^(html|json)$")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
DocumentId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="the document's stable id")]
FindingId = Annotated[int, FastPath(ge=1, le=MAX_ID, description="the finding's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": 'no such document, table, finding or unit (JSON: {"detail": …})'}
}
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused as a bad parameter on both back-ends

Level = vocab.Level  # FastAPI validates a parameter typed with a vocab StrEnum
Year = Query(None, ge=1990, le=2100)


def finding_filters(
    rule: str | None = Query(None, max_length=8),
    family: Literal["A", "B", "C", "D", "E", "F"] | None = None,
    severity: vocab.Severity | None = None,
    status: vocab.Status | None = None,
    unit: str | None = Query(None, max_length=100),
    year: int | None = Query(None, ge=1990, le=2100),
    document: int | None = Query(None, ge=1, le=MAX_ID),
    region: str | None = Query(None, pattern=r"^\d{9}$", description="the 9-digit 财政区划 code"),
) -> dict:
    return dict(
        rule=rule,
        family=family,
        severity=severity,
        status=status,
        unit=unit,
        year=year,
        document=document,
        region=region,
    )


FindingFilters = Annotated[dict, Depends(finding_filters)]


def respond(
    request: Request,
    fmt: str | None,
    template: str,
    ctx: Callable[[], dict] | dict,
    data=None,
    table: Callable[[], tuple[list[dict], dict[str, str], str]] | None = None,
) -> Response:
    """The page in the format asked: `json` → `data`; `csv`/`xlsx` → `table()` = (rows, {key: heading},
    file name), computed only then (a download is the whole list, not one page); else `template`
    rendered with `ctx` (a dict, or a function giving it)."""
    if fmt in ("csv", "xlsx") and table is not None:
        rows, columns, name = table()
        return table_response(rows, columns, name, fmt)
    if fmt == "json":
        return FastJSON(data)
    return render(request, template, ctx() if callable(ctx) else ctx)
