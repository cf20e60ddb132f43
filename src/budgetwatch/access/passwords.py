"""Passwords: argon2id hashes (argon2-cffi), and the policy (≥ 10 characters of 3 kinds)."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .settings import MIN_PASSWORD

_hasher = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile
# verified when the login is unknown, so that a wrong login costs the same time as a wrong password
_DUMMY = _hasher.hash("not a password of anybody")


class WeakPassword(ValueError):
    pass


def check_policy(password: str, login: str = "") -> None:
    """Raise WeakPassword (a Chinese message) unless the password is long and mixed enough."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"密码至少 {MIN_PASSWORD} 个字符")
    kinds = sum(
        any(test(c) for c in password)
        for test in (
            str.islower,
            str.isupper,
            str.isdigit,
            lambda c: not c.isalnum() or unicodedata.category(c).startswith("Lo"),
        )
    )
    if kinds < 3:
        raise WeakPassword("密码须含大写字母、小写字母、数字、符号中的至少三类")
    if login and login.lower() in password.lower():
        raise WeakPassword("密码不得包含用户名")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
