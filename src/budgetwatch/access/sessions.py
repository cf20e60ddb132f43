"""Login and server-side sessions. A session is a random 32-byte token in an HttpOnly, SameSite=Lax
cookie; the database keeps only its SHA-256. Sessions end after IDLE_MINUTES without a request and
ABSOLUTE_HOURS after login. Five failed logins in a row lock the account for LOCK_MINUTES; more than
LOGIN_PER_MINUTE attempts from one address in a minute are refused (counted in the audit log, so every
worker process sees the same count)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import overload

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit, passwords
from .principal import Grant, Principal
from .regions import descendants
from .settings import ABSOLUTE_HOURS, IDLE_MINUTES, LOCK_AFTER, LOCK_MINUTES, LOGIN_PER_MINUTE
from .tables import AuditRecord, Membership, SessionRecord, TenantSetting, User

TOUCH_SECONDS = 60  # last_seen is written at most once a minute per session


def now() -> datetime:
    return datetime.now(UTC)


@overload
def aware(t: datetime) -> datetime: ...
@overload
def aware(t: None) -> None: ...
def aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def csrf_for(raw_token: str) -> str:
    """The session's CSRF token: derived from the cookie's secret, so only its holder can compute it."""
    return hmac.new(raw_token.encode(), b"budgetwatch csrf", hashlib.sha256).hexdigest()


@dataclass
class LoginResult:
    token: str | None = None
    user_id: int | None = None
    must_change: bool = False
    problem: str = ""  # bad | locked | inactive | rate


def rate_limited(engine: Engine, ip: str | None) -> bool:
    since = now() - timedelta(minutes=1)
    with Session(engine) as s:
        n = s.scalar(
            select(func.count(AuditRecord.id)).where(
                AuditRecord.ip == ip,
                AuditRecord.at >= since,
                AuditRecord.action.in_(("login", "login_failed", "login_refused")),
            )
        )
    return (n or 0) >= LOGIN_PER_MINUTE


def login(engine: Engine, login_name: str, password: str, actor: audit.Actor) -> LoginResult:
    """Check the password; on success a new session (its raw token). Every attempt is audited."""
    actor.login = login_name[:64]
    if rate_limited(engine, actor.ip):
        audit.record(engine, actor, "login_refused", "denied", "user", login_name[:64], {"reason": "rate"})
        return LoginResult(problem="rate")
    with Session(engine) as s, s.begin():
        user = s.scalars(select(User).where(User.login == login_name)).first()
        ok = passwords.verify(user.password_hash if user else None, password)
        t = now()
        if user is not None and user.locked_until is not None and aware(user.locked_until) > t:
            problem = "locked"
        elif user is None or not ok:
            problem = "bad"
            if user is not None:
                user.failed_count += 1
                if user.failed_count >= LOCK_AFTER:
                    user.locked_until, user.failed_count = t + timedelta(minutes=LOCK_MINUTES), 0
                    problem = "locked_now"
        elif not user.active:
            problem = "inactive"
        else:
            problem = ""
            user.failed_count, user.locked_until, user.last_login_at = 0, None, t
            if user.password_hash and passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            raw = secrets.token_urlsafe(32)
            s.add(
                SessionRecord(
                    token_sha256=sha256(raw),
                    user_id=user.id,
                    created_at=t,
                    last_seen=t,
                    ip=actor.ip,
                    user_agent=(actor.user_agent or "")[:300],
                )
            )
        uid = user.id if user else None
        must_change = bool(user and user.must_change)
    actor.id = uid
    if problem:
        audit.record(engine, actor, "login_failed", "denied", "user", uid, {"reason": problem})
        return LoginResult(problem="locked" if problem.startswith("locked") else problem)
    audit.record(engine, actor, "login", "ok", "user", uid)
    return LoginResult(token=raw, user_id=uid, must_change=must_change)


def end(engine: Engine, raw_token: str) -> None:
    with Session(engine) as s, s.begin():
        rec = s.scalars(select(SessionRecord).where(SessionRecord.token_sha256 == sha256(raw_token))).first()
        if rec is not None and rec.ended_at is None:
            rec.ended_at = now()


def end_all(s: Session, user_id: int) -> None:
    """End every session of a user (password change or reset, deactivation)."""
    for rec in s.scalars(
        select(SessionRecord).where(SessionRecord.user_id == user_id, SessionRecord.ended_at.is_(None))
    ):
        rec.ended_at = now()


def known_codes(s: Session) -> set[str]:
    """Region codes in use (documents and memberships), placed in the tree by their digits where the
    regions table does not list them."""
    from ..store.schema import Version

    used = {c for c in s.scalars(select(Version.region_code).distinct()) if c is not None}
    return used | set(s.scalars(select(Membership.region_code).distinct()))


def principal_of(s: Session, user: User, via: str, **kw) -> Principal:
    grants = tuple(
        Grant(m.region_code, m.role, m.descend, m.agency_code)
        for m in s.scalars(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id))
    )
    roots = {g.region_code for g in grants if g.descend}
    tree = descendants(s, roots, known_codes(s)) if roots else {}
    below = set().union(*tree.values()) if tree else set()
    detail = (
        frozenset(
            s.scalars(
                select(TenantSetting.region_code).where(
                    TenantSetting.region_code.in_(below), TenantSetting.parent_sees_detail.is_(True)
                )
            )
        )
        if below
        else frozenset()
    )
    return Principal(
        id=user.id,
        login=user.login,
        display_name=user.display_name,
        superadmin=user.superadmin,
        grants=grants,
        via=via,
        must_change=user.must_change,
        tree=tree,
        parent_detail=detail,
        submitter=f"user:{user.login}",
        **kw,
    )


def resolve(engine: Engine, raw_token: str, ip: str | None = None) -> Principal | None:
    """The principal of a session cookie, or None when the session is unknown, ended or timed out."""
    t = now()
    with Session(engine) as s:
        rec = s.scalars(select(SessionRecord).where(SessionRecord.token_sha256 == sha256(raw_token))).first()
        if rec is None or rec.ended_at is not None:
            return None
        user = s.get(User, rec.user_id)
        idle, born = t - aware(rec.last_seen), t - aware(rec.created_at)
        if (
            user is None
            or not user.active
            or idle > timedelta(minutes=IDLE_MINUTES)
            or born > timedelta(hours=ABSOLUTE_HOURS)
        ):
            rec.ended_at = t
            s.commit()
            return None
        if idle.total_seconds() > TOUCH_SECONDS:
            rec.last_seen = t
            s.commit()
        return principal_of(s, user, "session", csrf=csrf_for(raw_token), ip=ip)
