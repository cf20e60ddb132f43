"""Tenancy on the 联网 feed's and 执行监控's pages. They read with SQLAlchemy Core, outside the ORM session
whose criteria scope the document routes (access/scope.py), so each read is limited here: a region in the
address is checked by the gate (access/gate.py); lists keep the regions of the request's scope; an object
named by id (a batch, an execution finding) outside the scope is not found (404), as a document would be.

A finance uploader reads the payee-level rows of its own batches only (the matrix: "read payments — own
batches"): `own_batches` gives the batch ids its reads are limited to; the other batches' findings reach it
with their person payees masked.

Payee names are personal data: a principal who reads the payments only as a deputy (the roles matrix:
"units only; person payees masked") sees a unit payee's name, a person's as its first character and "*"
(王*), and no account digits — in rows, payee lists and the findings' messages alike."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..access.permissions import PAYEE_NAMES
from ..access.principal import LOCAL, Principal
from ..errors import NotFound

MASK = "*"


def detail_regions(request: Request) -> frozenset[str] | None:
    """The regions whose detail the request may read; None: every region (auth off, superadmin)."""
    scope = request.scope.get("budgetwatch.scope")
    return None if scope is None or scope.unrestricted else scope.detail


def visible(request: Request, rows: list[dict], key: str = "code") -> list[dict]:
    regions = detail_regions(request)
    return rows if regions is None else [r for r in rows if r.get(key) in regions]


def require_region(request: Request, region: str | None, what: str, ident) -> None:
    """Another region's `what` (a finding, a batch) is not found, as one that is not stored."""
    regions = detail_regions(request)
    if regions is not None and region not in regions:
        raise NotFound(what, [ident])


def masks_payees(request: Request, region: str) -> bool:
    p: Principal = request.scope.get("budgetwatch.principal") or LOCAL
    if p.superadmin:
        return False
    return not any(g.role in PAYEE_NAMES and p.covers(g, region) for g in p.grants)


def own_batches(request: Request, region: str):
    """None when the request reads all of `region`'s payments; else (a finance uploader: "own batches") the
    SELECT of the ids of the batches it submitted, for a `batch_id IN (…)` on the payee-level reads."""
    from ..feed.model import FeedBatch

    p: Principal = request.scope.get("budgetwatch.principal") or LOCAL
    if not p.own_batches_only(region):
        return None
    b = FeedBatch.__table__
    return select(b.c.id).where(b.c.region_code == region, b.c.submitted_by == p.batch_owner())


def masks_finding_payees(request: Request, region: str) -> bool:
    """Findings name payees of any batch: masked for a deputy and for a finance uploader (own batches only)."""
    return masks_payees(request, region) or own_batches(request, region) is not None


def masked(name: str | None) -> str | None:
    return name[:1] + MASK if name else name


def mask_rows(rows: list[dict]) -> list[dict]:
    """Payment or payee rows: a person's name masked, account digits dropped."""
    for r in rows:
        if r.get("payee_kind") == "person":
            r["payee_name"] = masked(r.get("payee_name"))
        if "payee_account_tail" in r:
            r["payee_account_tail"] = None
    return rows


def mask_findings(c: Connection, region: str, year: int, findings: list[dict]) -> list[dict]:
    """Each finding's text and evidence with the person payees it names masked."""
    from ..feed.model import Payment

    names = {str(_payee(f)) for f in findings if _payee(f)}
    if not names:
        return findings
    p = Payment.__table__
    persons = set(
        c.scalars(
            select(p.c.payee_name)
            .distinct()
            .where(
                p.c.region_code == region,
                p.c.fiscal_year == year,
                p.c.payee_kind == "person",
                p.c.payee_name.in_(names),
            )
        )
    )
    for f in findings:
        name = _payee(f)
        if name not in persons:
            continue
        hidden = masked(name) or ""
        for k in ("message", "suggestion", "subject_id"):
            if isinstance(f.get(k), str):
                f[k] = f[k].replace(name, hidden)
        if "payee" in f:
            f["payee"] = hidden
        if isinstance(f.get("evidence"), dict):
            f["evidence"] = {**f["evidence"], "payee": hidden}
    return findings


def _payee(f: dict) -> Any:
    return (f.get("evidence") or {}).get("payee") or f.get("payee")
