"""`budgetwatch user|token|audit`: accounts and memberships, machine tokens, the audit log."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from .common import DbOption, _open, console, err, fail

user_app = typer.Typer(no_args_is_help=True, help="Accounts and their roles in regions (server mode).")
token_app = typer.Typer(no_args_is_help=True, help="Machine tokens for feed pushes (shown once, stored hashed).")
audit_app = typer.Typer(no_args_is_help=True, help="The append-only audit log: verify its hash chain, export it.")


def _password(prompt: str) -> str:
    """From $BUDGETWATCH_PASSWORD (scripts) or typed twice; never an argument (it would sit in shell history)."""
    value = os.environ.get("BUDGETWATCH_PASSWORD")
    if value:
        return value
    if not sys.stdin.isatty():
        fail("no password: set BUDGETWATCH_PASSWORD or run in a terminal")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("再输入一次: ") != first:
        fail("the two passwords differ")
    return first


def _run(fn, *args, **kw):
    from ..access.users import UserError

    try:
        return fn(*args, **kw)
    except UserError as e:
        fail(str(e))


@user_app.command("add")
def user_add(
    login: str = typer.Argument(...),
    name: str = typer.Option("", "--name", help="display name"),
    region: str | None = typer.Option(None, help="9-digit region code of a first membership"),
    role: str | None = typer.Option(None, help="admin | staff | deputy | finance | auditor"),
    descend: bool = typer.Option(False, help="the membership covers the region's descendants"),
    superadmin: bool = typer.Option(False, help="an unrestricted account"),
    must_change: bool = typer.Option(True, help="the user changes the password at first login"),
    db: str | None = DbOption,
):
    """Create an account (password from $BUDGETWATCH_PASSWORD or typed)."""
    from ..access import users
    from ..access.audit import cli_actor

    if (region is None) != (role is None):
        fail("--region and --role go together")
    engine = _open(db)
    _run(users.add, engine, cli_actor(), login, name, _password("密码"), superadmin=superadmin, must_change=must_change)
    if region:
        _run(users.grant, engine, cli_actor(), login, region, role, descend)
    console.print(f"user {login} added" + (f": {role} in {region}" if region else ""))


@user_app.command("passwd")
def user_passwd(
    login: str,
    must_change: bool = typer.Option(True, help="the user changes it at next login"),
    db: str | None = DbOption,
):
    """Set a new password (ends the user's sessions)."""
    from ..access import users
    from ..access.audit import cli_actor

    _run(users.set_password, _open(db), cli_actor(), login, _password("新密码"), must_change=must_change)
    console.print(f"password of {login} changed")


@user_app.command("grant")
def user_grant(
    login: str,
    region: str,
    role: str,
    descend: bool = typer.Option(False),
    agency: str | None = typer.Option(None, help="finance: the 责任单位 code it answers for"),
    db: str | None = DbOption,
):
    """Give a user a role in a region."""
    from ..access import users
    from ..access.audit import cli_actor

    _run(users.grant, _open(db), cli_actor(), login, region, role, descend, agency)
    console.print(f"{login}: {role} in {region}" + ("（含下级）" if descend else ""))


@user_app.command("revoke")
def user_revoke(login: str, region: str, role: str | None = typer.Argument(None), db: str | None = DbOption):
    """Take a user's role (or every role) in a region away."""
    from ..access import users
    from ..access.audit import cli_actor

    n = _run(users.revoke, _open(db), cli_actor(), login, region, role)
    console.print(f"{login}: {n} membership(s) in {region} removed")


@user_app.command("list")
def user_list(db: str | None = DbOption):
    """Accounts and their memberships."""
    from rich.table import Table
    from sqlalchemy.orm import Session

    from ..access import users

    t = Table("用户名", "姓名", "角色与地区", "状态")
    with Session(_open(db)) as s:
        for u in users.listing(s):
            roles = "；".join(f"{m['region']} {m['role_zh']}" for m in u["memberships"])
            t.add_row(
                u["login"],
                u["display_name"],
                ("超级管理员 " if u["superadmin"] else "") + roles,
                "正常" if u["active"] else "停用",
            )
    console.print(t)


@token_app.command("create")
def token_create(
    name: str,
    region: str = typer.Option(..., help="9-digit region code"),
    role: str = typer.Option("finance"),
    ip: list[str] = typer.Option([], help="allowed address or network"),
    days: int | None = typer.Option(None, min=1, help="expires after this many days"),
    owner: str | None = typer.Option(
        None, help="the account (login) whose machine it is: its pushes are that account's"
    ),
    db: str | None = DbOption,
):
    """Create a machine token; it is printed once and only its hash is kept."""
    from datetime import timedelta

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from ..access import audit, tokens
    from ..access.regions import is_code
    from ..access.tables import User

    if not is_code(region):
        fail(f"region {region}: a 9-digit 财政区划 code is needed")
    engine = _open(db)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    try:
        with Session(engine) as s, s.begin():
            if owner is not None and s.scalars(select(User.id).where(User.login == owner)).first() is None:
                fail(f"--owner {owner}: no such account")
            rec, raw = tokens.create(s, name, region, role, ip, expires, owner)
            prefix = rec.prefix
    except ValueError as e:
        fail(str(e))
    audit.record(
        engine,
        audit.cli_actor(),
        "token_change",
        "ok",
        "token",
        prefix,
        {"change": "create", "region": region, "role": role, "ip": ip, "owner": owner},
    )
    err.print("the token is shown once; keep it in the sender's secret store:")
    sys.stdout.write(raw + "\n")


@token_app.command("revoke")
def token_revoke(prefix: str, db: str | None = DbOption):
    """Revoke a token by its prefix (bw_<prefix>_…)."""
    from sqlalchemy.orm import Session

    from ..access import audit, tokens

    engine = _open(db)
    with Session(engine) as s, s.begin():
        found = tokens.revoke(s, prefix)
    if not found:
        fail(f"no token with prefix {prefix}")
    audit.record(engine, audit.cli_actor(), "token_change", "ok", "token", prefix, {"change": "revoke"})
    console.print(f"token {prefix} revoked")


@audit_app.command("verify")
def audit_verify(
    file: Path | None = typer.Option(None, "--file", help="verify an exported JSONL file instead"),
    db: str | None = DbOption,
):
    """Re-compute the hash chain; exit 1 at the first record that does not match."""
    from ..access import audit

    if file is not None:
        try:
            with open(file, encoding="utf-8") as f:
                verdict = audit.verify_rows(audit.read_export(f))
        except (OSError, ValueError, KeyError) as e:
            fail(f"{file}: cannot read the export: {e}")
    else:
        verdict = audit.verify(_open(db))
    if not verdict.ok:
        err.print(
            f"[bold red]audit chain broken:[/] {verdict.problem} (after {verdict.count - 1} good records)",
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"audit chain intact: {verdict.count} records")


@audit_app.command("export")
def audit_export(
    out: Path = typer.Option(..., "--out", "-o", help="JSONL file to write"),
    before: datetime | None = typer.Option(None, help="only records before this time (UTC)"),
    db: str | None = DbOption,
):
    """Write the log as JSONL with its hashes (for retention ≥ 180 days; `verify --file` re-checks it)."""
    from ..access import audit
    from ..export.writers import atomic_write

    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    engine = _open(db)
    lines = [audit.export_line(r) for r in audit.rows(engine, before)]
    atomic_write(out, ("\n".join(lines) + "\n" if lines else "").encode("utf-8"))
    audit.record(engine, audit.cli_actor(), "export", "ok", "audit_log", str(out), {"records": len(lines)})
    console.print(f"wrote {out} ({len(lines)} records)")
