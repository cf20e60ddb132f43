"""Answers to GET requests, kept until the data changes. Stored versions never change; what changes is
new versions (ingest, upload), new findings (checks) and reviewers' decisions — a token of those, read
at most once a second, retires the cached answers, and so does any POST through the service.

Answers are kept in memory and in a folder on disk named after the token, shared by every worker process
of `serve --workers N` (a worker's memory serves its own repeats; the folder serves what another worker
already computed) and surviving restarts while the data stays the same."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from ..store.schema import DecisionRecord, FindingRecord, Version

MAX_BODY = 8 * 1024 * 1024
MAX_ENTRIES = 2000


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
            for old in self.root.iterdir():   # answers of data that has since changed
                if old.is_dir() and old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            self.folder = None   # no disk layer: memory only

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


class ResponseCache(BaseHTTPMiddleware):
    def __init__(self, app, engine, ttl: float = 1.0, folder: Path | None = None):
        super().__init__(app)
        self.engine, self.ttl = engine, ttl
        self.token, self.checked = None, 0.0
        self.store: dict[str, tuple[int, bytes, dict]] = {}
        self.disk = DiskAnswers(folder or default_folder(str(engine.url)))
        self.lock = threading.Lock()

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self.checked < self.ttl:
            return
        with Session(self.engine) as s:
            # ids alone repeat when a database is emptied and filled again: the newest rows' times do not
            version = s.execute(select(Version.id, Version.ingested_at)
                                .where(Version.id == select(func.max(Version.id)).scalar_subquery())).first()
            # findings keep their ids across re-checks (store/findings.py): the newest check time tells
            finding = s.execute(select(func.count(FindingRecord.id), func.max(FindingRecord.checked_at))).first()
            token = (tuple(version or ()), tuple(finding or ()), s.scalar(select(func.count(DecisionRecord.id))),
                     s.scalar(select(func.max(DecisionRecord.decided_at))))
        with self.lock:
            if token != self.token:
                self.store.clear()
                self.token = token
                self.disk.use(token)
            self.checked = now

    async def dispatch(self, request: Request, call_next):
        if request.method != "GET" or request.url.path.startswith(("/static", "/health")):
            response = await call_next(request)
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                with self.lock:
                    self.store.clear()
                    self.checked = 0.0
            return response
        self._fresh()
        key = str(request.url)
        hit = self.store.get(key) or self.disk.get(key)
        if hit is not None:
            status, body, headers = hit
            self.store.setdefault(key, hit)
            return Response(body, status_code=status, headers=headers)
        response = await call_next(request)
        if response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        if len(body) <= MAX_BODY:
            with self.lock:
                if len(self.store) >= MAX_ENTRIES:
                    self.store.clear()
                self.store[key] = (200, body, headers)
            self.disk.put(key, 200, body, headers)
        return Response(body, status_code=200, headers=headers)
