"""Machine tokens (a finance bureau's feed pushes): `bw_<prefix>_<secret>`, shown once at creation; the
database keeps the prefix (to find it) and the SHA-256 of the secret. Each is scoped to one region and
one role, optionally to a list of addresses, and may expire."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .permissions import ROLES
from .principal import Grant, Principal
from .sessions import aware, now, sha256
from .tables import ApiToken


def create(
    s: Session,
    name: str,
    region_code: str,
    role: str = "finance",
    ip_allowlist: list[str] | None = None,
    expires_at: datetime | None = None,
    owner_login: str | None = None,
) -> tuple[ApiToken, str]:
    if role not in ROLES or role == "superadmin":
        raise ValueError(f"role {role}: choose one of {', '.join(r for r in ROLES if r != 'superadmin')}")
    for net in ip_allowlist or ():
        ipaddress.ip_network(net, strict=False)  # ValueError on a bad address
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    rec = ApiToken(
        prefix=prefix,
        secret_sha256=sha256(secret),
        name=name,
        region_code=region_code,
        role=role,
        ip_allowlist=list(ip_allowlist or []),
        expires_at=expires_at,
        owner_login=owner_login,
    )
    s.add(rec)
    s.flush()
    return rec, f"bw_{prefix}_{secret}"


def revoke(s: Session, prefix: str) -> bool:
    rec = s.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).first()
    if rec is None:
        return False
    rec.revoked_at = rec.revoked_at or now()
    return True


def _allowed_ip(allow: list[str], ip: str | None) -> bool:
    if not allow:
        return True
    try:
        addr = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(n, strict=False) for n in allow)


def resolve(engine: Engine, raw: str, ip: str | None) -> Principal | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "bw":
        return None
    with Session(engine) as s:
        rec = s.scalars(select(ApiToken).where(ApiToken.prefix == parts[1])).first()
        if rec is None or not hmac.compare_digest(rec.secret_sha256, sha256(parts[2])):
            return None
        t = now()
        if (
            rec.revoked_at is not None
            or (rec.expires_at and aware(rec.expires_at) < t)
            or not _allowed_ip(rec.ip_allowlist or [], ip)
        ):
            return None
        rec.last_used_at = t
        s.commit()
        return Principal(
            id=None,
            login=f"token:{rec.name}",
            display_name=rec.name,
            via="token",
            ip=ip,
            grants=(Grant(rec.region_code, rec.role),),
            submitter=f"user:{rec.owner_login}" if rec.owner_login else f"token:{rec.prefix}",
        )
