"""What an attacker tries first: redirects to another site, pages framed or fed script, oversized or
disguised uploads, spreadsheet formulas in downloaded cells, and tracebacks on error pages."""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Code, Refusal
from ..read.formats import BY_NAME, BY_SUFFIX
from .settings import max_upload_bytes

# ---- redirects -------------------------------------------------------------------------------------


def safe_back(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site ("/findings?x=1"), else `default`: "//host/x", "/\\host",
    "https://host", "javascript:…" and control characters all leave the site or smuggle something."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(unicodedata.category(c)[0] == "C" for c in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# ---- uploads ---------------------------------------------------------------------------------------

ALLOWED = {suffix: fmt.name for suffix, fmt in BY_SUFFIX.items()}  # the readers' formats (read/formats.py)
MAX_NAME = 120


class Refused(Refusal):
    """An upload's name or bytes refused before anything is kept."""


def safe_name(name: str | None) -> str:
    """A file name to keep beside its digest: the last path part, letters/digits/CJK and `._-()` only,
    no leading dot, at most MAX_NAME characters — never a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c if c.isalnum() or c in "._-()（）" else "_" for c in base).lstrip("._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix[:10]
    if not stem:
        raise Refused("a file name is needed")
    stem = stem[: MAX_NAME - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def sniff(path: Path) -> str:
    """The kind of the file by its first bytes, checked against its suffix; Refused when they disagree."""
    suffix = path.suffix.lower()
    kind = ALLOWED.get(suffix)
    if kind is None:
        raise Refused(f"{path.name}: 不支持的文件类型（可上传 {'、'.join(sorted(set(ALLOWED)))}）", Code.wrong_format)
    with open(path, "rb") as f:
        head = f.read(4096)
    fmt = BY_NAME[kind]
    if fmt.binary:
        ok = fmt.matches is not None and fmt.matches(head)
    else:  # text and HTML: no NUL bytes, not an archive or executable in disguise
        ok = b"\x00" not in head and not head.startswith((b"PK\x03\x04", b"%PDF-", b"\x7fELF", b"MZ"))
        if ok and b"\x00" in head:
            ok = False
    if not ok:
        raise Refused(f"{path.name}: 文件内容与扩展名 {suffix} 不符", Code.wrong_format)
    return kind


# ---- response headers ------------------------------------------------------------------------------


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def csp(nonce: str, path: str) -> str:
    """The pages run only the service's own script files (their data sits in JSON script elements); the
    nonce is there for a page that must inline one. Swagger UI (/docs) starts itself with an inline script."""
    script = "'self' 'unsafe-inline'" if path == "/docs" else f"'self' 'nonce-{nonce}'"
    return (
        "default-src 'self'; "
        f"script-src {script}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def security_headers(nonce: str, path: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", csp(nonce, path).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


def body_limit() -> int:
    """The largest request body accepted (an upload and its form fields)."""
    return max_upload_bytes() + 256 * 1024


# ---- the PDF renderer -----------------------------------------------------------------------------

# Chromium prints the report page and nothing else: a CSP inside the page forbids every load but inline
# styles and data: images, and the flags give it no network (a dead proxy for every host, loopback too,
# no DNS) and none of its own background traffic.
OFFLINE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
CHROMIUM_OFFLINE = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-extensions",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def offline_html(html: str) -> str:
    """`html` with the offline CSP as the first thing in its head."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{OFFLINE_CSP}">'
    low = html[:2000].lower()
    i = low.find("<head")
    if i >= 0:
        j = html.index(">", i) + 1
        return html[:j] + meta + html[j:]
    return meta + html
