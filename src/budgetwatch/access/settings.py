"""The access settings, read from the environment when asked (tests and `serve` set them per process)."""

from __future__ import annotations

import ipaddress
import os

IDLE_MINUTES = 30  # 等保 登录失败处理 / 自动退出: an idle session ends
ABSOLUTE_HOURS = 12
LOCK_AFTER = 5  # failures in a row lock the account …
LOCK_MINUTES = 15  # … for this long
LOGIN_PER_MINUTE = 10  # attempts from one address (rate limit on /login)
MIN_PASSWORD = 10
SESSION_COOKIE = "bw_session"


def auth_on() -> bool:
    value = os.environ.get("BUDGETWATCH_AUTH", "off").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"BUDGETWATCH_AUTH={value}: choose on or off")
    return value == "on"


def secure_cookies() -> bool:
    """`Secure` cookies when served behind https (BUDGETWATCH_HTTPS=1)."""
    return os.environ.get("BUDGETWATCH_HTTPS", "0") == "1"


def max_upload_bytes() -> int:
    return int(float(os.environ.get("BUDGETWATCH_MAX_UPLOAD_MB", "50")) * 1024 * 1024)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
