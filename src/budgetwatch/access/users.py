"""Accounts and memberships: what `budgetwatch user …` and the admin page do, each change audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit, passwords
from .permissions import ROLES
from .regions import ensure_region, is_code
from .sessions import end_all
from .tables import Membership, User


class UserError(ValueError):
    pass


def _user(s: Session, login: str) -> User:
    u = s.scalars(select(User).where(User.login == login)).first()
    if u is None:
        raise UserError(f"no user {login}")
    return u


def _role(role: str) -> str:
    if role not in ROLES or role == "superadmin":
        raise UserError(f"role {role}: choose one of {', '.join(r for r in ROLES if r != 'superadmin')}")
    return role


def _region(code: str) -> str:
    if not is_code(code):
        raise UserError(f"region {code}: a 9-digit 财政区划 code is needed (e.g. 141123000)")
    return code


def add(
    engine: Engine,
    actor: audit.Actor,
    login: str,
    display_name: str,
    password: str,
    superadmin: bool = False,
    must_change: bool = False,
) -> int:
    login = login.strip()
    if not login or len(login) > 64 or not all(c.isalnum() or c in "._-@" for c in login):
        raise UserError(f"login {login!r}: letters, digits and . _ - @ only, at most 64")
    try:
        passwords.check_policy(password, login)
    except passwords.WeakPassword as e:
        raise UserError(str(e)) from None
    with Session(engine) as s, s.begin():
        if s.scalars(select(User).where(User.login == login)).first():
            raise UserError(f"user {login} exists")
        u = User(
            login=login,
            display_name=display_name or login,
            password_hash=passwords.hash_password(password),
            superadmin=superadmin,
            must_change=must_change,
        )
        s.add(u)
        s.flush()
        uid = u.id
    audit.record(engine, actor, "user_change", "ok", "user", login, {"change": "add", "superadmin": superadmin})
    return uid


def set_password(
    engine: Engine, actor: audit.Actor, login: str, password: str, must_change: bool = False, old: str | None = None
) -> None:
    """A new password (an admin's reset sets must_change); `old` is checked when a user changes their own.
    Every session of the user ends."""
    try:
        passwords.check_policy(password, login)
    except passwords.WeakPassword as e:
        raise UserError(str(e)) from None
    with Session(engine) as s, s.begin():
        u = _user(s, login)
        if old is not None and not passwords.verify(u.password_hash, old):
            raise UserError("原密码不正确")
        u.password_hash, u.must_change, u.failed_count, u.locked_until = (
            passwords.hash_password(password),
            must_change,
            0,
            None,
        )
        end_all(s, u.id)
    audit.record(engine, actor, "user_change", "ok", "user", login, {"change": "password", "must_change": must_change})


def grant(
    engine: Engine,
    actor: audit.Actor,
    login: str,
    region: str,
    role: str,
    descend: bool = False,
    agency: str | None = None,
) -> None:
    _role(role), _region(region)
    with Session(engine) as s, s.begin():
        u = _user(s, login)
        ensure_region(s.connection(), region)  # the tenant tree holds every region someone is a member of
        m = s.scalars(
            select(Membership).where(
                Membership.user_id == u.id, Membership.region_code == region, Membership.role == role
            )
        ).first()
        if m is None:
            s.add(Membership(user_id=u.id, region_code=region, role=role, descend=descend, agency_code=agency))
        else:
            m.descend, m.agency_code = descend, agency
    audit.record(
        engine,
        actor,
        "permission_change",
        "ok",
        "user",
        login,
        {"change": "grant", "region": region, "role": role, "descend": descend, "agency": agency},
    )


def revoke(engine: Engine, actor: audit.Actor, login: str, region: str, role: str | None = None) -> int:
    with Session(engine) as s, s.begin():
        u = _user(s, login)
        q = select(Membership).where(Membership.user_id == u.id, Membership.region_code == region)
        if role:
            q = q.where(Membership.role == role)
        gone = list(s.scalars(q))
        for m in gone:
            s.delete(m)
    audit.record(
        engine,
        actor,
        "permission_change",
        "ok",
        "user",
        login,
        {"change": "revoke", "region": region, "role": role, "removed": len(gone)},
    )
    return len(gone)


def set_active(engine: Engine, actor: audit.Actor, login: str, active: bool) -> None:
    with Session(engine) as s, s.begin():
        u = _user(s, login)
        u.active = active
        if not active:
            end_all(s, u.id)
    audit.record(engine, actor, "user_change", "ok", "user", login, {"change": "active" if active else "deactivate"})


def listing(s: Session, regions: frozenset[str] | None = None) -> list[dict]:
    """Users with their memberships; only those with a membership in `regions` when given (a tenant admin)."""
    out = []
    for u in s.scalars(select(User).order_by(User.login)):
        ms = list(s.scalars(select(Membership).where(Membership.user_id == u.id).order_by(Membership.id)))
        if regions is not None and not any(m.region_code in regions for m in ms):
            continue
        out.append(
            {
                "id": u.id,
                "login": u.login,
                "display_name": u.display_name,
                "superadmin": u.superadmin,
                "active": u.active,
                "must_change": u.must_change,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
                "memberships": [
                    {
                        "region": m.region_code,
                        "role": m.role,
                        "role_zh": ROLES[m.role],
                        "descend": m.descend,
                        "agency": m.agency_code,
                    }
                    for m in ms
                ],
            }
        )
    return out
