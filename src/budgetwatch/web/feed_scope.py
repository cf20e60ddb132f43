"""Tenancy on the 联网 feed's and 执行监控's pages. They read with SQLAlchemy Core, outside the ORM session
whose criteria scope the document routes (access/scope.py), so each read is limited here: a region in the
address is checked by the gate (access/gate.py); lists keep the regions of the request's scope; an object
named by id (a batch, an execution finding) outside the scope is not found (404), as a document would be.

Payee names are personal data: a principal who reads the payments only as a deputy (the roles matrix:
"units only; person payees masked") sees a unit payee's name, a person's as its first character and "*"
(王*), and no account digits — in rows, payee lists and the findings' messages alike."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..access.permissions import PAYEE_NAMES
from ..access.principal import LOCAL, Principal

MASK = "*"


def detail_regions(request: Request) -> frozenset[str] | None:
    """The regions whose detail the request may read; None: every region (auth off, superadmin)."""
    scope = request.scope.get("budgetwatch.scope")
    return None if scope is None or scope.unrestricted else scope.detail


def visible(request: Request, rows: list[dict], key: str = "code") -> list[dict]:
    regions = detail_regions(request)
    return rows if regions is None else [r for r in rows if r.get(key) in regions]


def require_region(request: Request, region: str | None, what: str) -> None:
    regions = detail_regions(request)
    if regions is not None and region not in regions:
        raise HTTPException(404, what)


def masks_payees(request: Request, region: str) -> bool:
    p: Principal = request.scope.get("budgetwatch.principal") or LOCAL
    if p.superadmin:
        return False
    for g in p.grants:
        if g.role not in PAYEE_NAMES:
            continue
        if (
            g.region_code == region
            or g.descend
            and region in p.tree.get(g.region_code, ())
            and region in p.parent_detail
        ):
            return False
    return True


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
