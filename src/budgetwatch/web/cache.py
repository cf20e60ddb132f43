"""Answers to GET requests, kept until the data changes. Stored versions never change; what changes is
new versions (ingest, upload), new findings (checks) and reviewers' decisions — a token of those,
read at most once a second, empties the cache, and so does any POST through the service."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from ..store.schema import DecisionRecord, FindingRecord, Version

MAX_BODY = 8 * 1024 * 1024
MAX_ENTRIES = 2000


class ResponseCache(BaseHTTPMiddleware):
    def __init__(self, app, engine, ttl: float = 1.0):
        super().__init__(app)
        self.engine, self.ttl = engine, ttl
        self.token, self.checked = None, 0.0
        self.store: dict[str, tuple[int, bytes, dict]] = {}
        self.lock = threading.Lock()

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self.checked < self.ttl:
            return
        with Session(self.engine) as s:
            token = (s.scalar(select(func.max(Version.id))), s.scalar(select(func.max(FindingRecord.id))),
                     s.scalar(select(func.count(DecisionRecord.id))), s.scalar(select(func.max(DecisionRecord.decided_at))))
        with self.lock:
            if token != self.token:
                self.store.clear()
                self.token = token
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
        hit = self.store.get(key)
        if hit is not None:
            status, body, headers = hit
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
        return Response(body, status_code=200, headers=headers)
