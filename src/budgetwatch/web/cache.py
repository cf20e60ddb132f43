"""Answers to GET requests, kept until the data changes. Stored versions never change; what changes is
new versions (ingest, upload), new findings (checks) and reviewers' decisions — a token of those, read
at most once a second, retires the cached answers, and so does any POST through the service.

Answers are kept in memory and in a folder on disk named after the token, shared by every worker process
of `serve --workers N` (a worker's memory serves its own repeats; the folder serves what another worker
already computed) and surviving restarts while the data and the code stay the same: the token includes a
stamp of the package's files, so a server restarted on other code (an upgrade) renders its pages anew.

A cold page is computed once by the whole server: in a process, its other requests wait for the first;
across processes, the first takes a lock on a file of the key (flock: the kernel drops it when its holder
dies) and the other workers poll for its stored answer — for at most COMPUTE_WAIT, then compute it too."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no lock across processes, each worker computes its own cold pages
    fcntl = None  # type: ignore[assignment]

import anyio
import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import __version__
from ..store.schema import DecisionRecord, FindingRecord, Version

MAX_BODY = 8 * 1024 * 1024
MAX_ENTRIES = 2000
LIGHT_THREADS = 4  # the cache's own file reads and token query: never queued behind the handlers' renders
COMPUTE_WAIT = 10.0  # seconds a worker waits for another's cold page before computing it itself (never wedged)
FREE = -1  # DiskAnswers.claim: no lock to hold (none possible), compute


async def light(fn, *args):
    """`fn(*args)` in a thread of the cache's own small pool, not the handlers' (where a cold crowd's page
    renders would make every cache hit wait its turn behind them)."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=_limiter())


_LIGHT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop → its limiter


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    if loop not in _LIGHT:
        _LIGHT[loop] = anyio.CapacityLimiter(LIGHT_THREADS)
    return _LIGHT[loop]


def code_stamp(root: Path = Path(__file__).resolve().parent.parent) -> str:
    """The version and every source, template and static file of the package (name, size, time): answers
    rendered by other code are stale even when the data is not."""
    h = hashlib.sha1(__version__.encode())
    for p in sorted(root.rglob("*")):
        if p.suffix in {".py", ".html", ".js", ".css"} and p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:12]


CODE_STAMP = code_stamp()


def default_folder(url: str) -> Path:
    named = os.environ.get("BUDGETWATCH_CACHE_DIR")
    if named:
        return Path(named)
    return Path(tempfile.gettempdir()) / f"budgetwatch-cache-{hashlib.sha1(url.encode()).hexdigest()[:12]}"


class DiskAnswers:
    """One folder per data token; a file per URL (status, headers, body), written atomically."""

    def __init__(self, root: Path):
        self.root = root
        self.folder: Path | None = None

    def use(self, token) -> None:
        name = hashlib.sha1(repr(token).encode()).hexdigest()[:16]
        self.folder = self.root / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.root.iterdir():  # answers of data that has since changed
                if old.is_dir() and old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            self.folder = None  # no disk layer: memory only

    def _path(self, key: str) -> Path | None:
        return self.folder / hashlib.sha1(key.encode()).hexdigest() if self.folder else None

    def get(self, key: str):
        path = self._path(key)
        try:
            raw = path.read_bytes() if path else None
        except OSError:
            return None
        if not raw:
            return None
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
        return meta["status"], body, meta["headers"]

    def lock_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path.with_name(path.name + ".lock") if path else None

    def claim(self, key: str):
        """The stored answer of `key`, or the right to compute it: a descriptor holding the key's lock (close
        it when the answer is stored), FREE when no lock can be had; None while another process holds it."""
        path = self.lock_path(key)
        if path is None or fcntl is None:
            return self.get(key) or FREE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return self.get(key) or FREE
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self.get(key)  # another worker is computing it: its answer, once stored
        except OSError:
            os.close(fd)
            return self.get(key) or FREE
        hit = self.get(key)  # stored by the holder just before it let go
        if hit is not None:
            os.close(fd)
            return hit
        return fd

    def put(self, key: str, status: int, body: bytes, headers: dict) -> None:
        path = self._path(key)
        if path is None:
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_bytes(json.dumps({"status": status, "headers": headers}).encode() + b"\n" + body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)


class ResponseCache:
    """The cache as a plain ASGI middleware (not Starlette's BaseHTTPMiddleware, whose task and stream per
    request cost more than a whole cache hit): a hit is sent from memory as it was kept."""

    def __init__(self, app, engine, ttl: float = 1.0, folder: Path | None = None):
        self.app = app
        self.engine, self.ttl = engine, ttl
        self.token: tuple | None = None
        self.checked = 0.0
        self.store: dict[str, tuple[int, bytes, dict]] = {}
        self.disk = DiskAnswers(folder or default_folder(str(engine.url)))
        self.lock = threading.Lock()
        self.refreshing = asyncio.Lock()  # one token query at a time, however many requests
        self.computing: dict[str, asyncio.Event] = {}  # a cold page is computed once, not once per client

    def key(self, scope) -> str:
        """What identifies an answer: its URL (an answer that depends on who asks must add that here: in
        server mode the session and its grants, set by access/gate.py)."""
        return str(Request(scope).url) + scope.get("budgetwatch.cache_key", "")

    async def _fresh_async(self) -> None:
        """The data token, read in the threadpool: a database wait (pool exhausted) never blocks the loop."""
        if time.monotonic() - self.checked < self.ttl:
            return
        async with self.refreshing:
            if time.monotonic() - self.checked >= self.ttl:
                await light(self._fresh)

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self.checked < self.ttl:
            return
        with Session(self.engine) as s:
            # ids alone repeat when a database is emptied and filled again: the newest rows' times do not
            version = s.execute(
                select(Version.id, Version.ingested_at).where(
                    Version.id == select(func.max(Version.id)).scalar_subquery()
                )
            ).first()
            # findings keep their ids across re-checks (store/findings.py): the newest check time tells
            finding = s.execute(select(func.count(FindingRecord.id), func.max(FindingRecord.checked_at))).first()
            token = (
                CODE_STAMP,
                tuple(version or ()),
                tuple(finding or ()),
                s.scalar(select(func.count(DecisionRecord.id))),
                s.scalar(select(func.max(DecisionRecord.decided_at))),
            )
        with self.lock:
            if token != self.token:
                self.store.clear()
                self.token = token
                self.disk.use(token)
            self.checked = now

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method = scope["method"]
        if method != "GET" or scope["path"].startswith(("/static", "/health")):
            await self.app(scope, receive, send)
            if method not in ("GET", "HEAD", "OPTIONS"):
                with self.lock:
                    self.store.clear()
                    self.checked = 0.0
            return
        try:
            await self._fresh_async()
        except SQLAlchemyTimeout:
            return await busy()(scope, receive, send)
        if scope.get("budgetwatch.warm"):  # the server's warm-up (app.py): the data token read, no answer kept
            return await self.app(scope, receive, send)
        key = self.key(scope)
        while True:
            pending = self.computing.get(key)
            if pending is not None and key not in self.store:
                await pending.wait()  # another request is computing this answer: take it when ready
                if key not in self.store:
                    break  # it was not kept (not a 200): compute our own
            hit = self.store.get(key) or await light(self.disk.get, key)
            if hit is not None:
                self.store.setdefault(key, hit)
                return await _send(send, *hit)
            if self.computing.get(key) is None:
                break
        done = self.computing[key] = asyncio.Event()
        try:
            claim = await self._claim(key)
            if isinstance(claim, tuple):  # another worker's answer
                self.store.setdefault(key, claim)
                return await _send(send, *claim)
            try:
                await self._compute(scope, receive, send, key)
            finally:
                if claim != FREE:
                    os.close(claim)  # the lock goes with it (no disk write)
        finally:
            self.computing.pop(key, None)
            done.set()

    async def _claim(self, key: str):
        """The stored answer of a key another worker is computing, or the right to compute it (a lock held,
        or FREE): polled in the cache's threads with the loop free between polls (5 ms, doubling to 50 ms),
        for at most COMPUTE_WAIT; a holder that died has lost its lock, one that hangs is waited out."""
        deadline, pause = time.monotonic() + COMPUTE_WAIT, 0.005
        while True:
            claim = await light(self.disk.claim, key)
            if claim is not None:
                return claim
            if time.monotonic() >= deadline:
                return FREE
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _compute(self, scope, receive, send, key: str) -> None:
        """The app's answer; a 200 is held whole, kept (if a plain read's, of at most MAX_BODY) and then
        sent, so that a client asking again, of any worker, finds it; anything else is sent as it comes."""
        start: dict = {}
        chunks: list[bytes] = []

        async def hold(message):
            if message["type"] == "http.response.start":
                start.update(message)
            if start.get("status") != 200:
                await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, hold)
        if start.get("status") != 200:
            return
        body = b"".join(chunks)
        if len(body) <= MAX_BODY and not scope.get("budgetwatch.no_cache"):  # access/gate.py: not a plain read
            raw = start.get("headers", [])
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw if k.lower() != b"content-length"}
            with self.lock:
                if len(self.store) >= MAX_ENTRIES:
                    self.store.clear()
                self.store[key] = (200, body, headers)
            await light(self.disk.put, key, 200, body, headers)
        await send(start)  # as the app wrote it
        await send({"type": "http.response.body", "body": body})


async def _send(send, status: int, body: bytes, headers: dict) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def busy() -> JSONResponse:
    """The database is saturated: say so at once (503, retry shortly) rather than hold the client."""
    return JSONResponse(
        {"detail": "服务繁忙，请稍后重试 (the database is busy: retry shortly)"},
        status_code=503,
        headers={"Retry-After": "2"},
    )
