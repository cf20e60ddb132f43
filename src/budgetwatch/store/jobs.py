"""Long work as background jobs, in a table of the same database: an upload to read, extract and check,
a re-check. A job is queued with what it needs (the uploaded files kept on disk, the documents to check),
claimed by one worker (an UPDATE that only one claimant wins, so several server processes share the
queue), reports its stage and progress, and ends done (its documents) or failed (one line). A job whose
worker stopped — a server restart, a killed process — is found by its silent heartbeat or its dead
process and queued again (its files are still there), or failed with the reason after MAX_ATTEMPTS."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from .schema import JobRecord, table_of, utcnow

KINDS = ("upload", "check")
STATUSES = ("queued", "running", "done", "failed")
STALE_SECONDS = 120  # a running job's heartbeat older than this: its worker is gone
MAX_ATTEMPTS = 2  # a job started this often without ending is failed, not retried again


@dataclass
class Progress:
    stage: str
    done: int = 0
    total: int = 0
    file: str | None = None


def submit(engine: Engine, kind: str, params: dict, region: str | None = None, by: str | None = None) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    with engine.begin() as c:
        key = c.execute(
            table_of(JobRecord)
            .insert()
            .values(
                kind=kind,
                status="queued",
                stage="queued",
                done=0,
                total=0,
                params=params,
                region_code=region,
                created_by=by,
                created_at=utcnow(),
                attempts=0,
            )
        ).inserted_primary_key
    assert key is not None  # an INSERT of one row has its key
    return key[0]


def claim(engine: Engine, worker: str) -> JobRecord | None:
    """The oldest queued job, now running under `worker`; None when the queue is empty."""
    t = table_of(JobRecord)
    with engine.begin() as c:
        for (jid,) in c.execute(select(t.c.id).where(t.c.status == "queued").order_by(t.c.id).limit(5)):
            now = utcnow()
            won = c.execute(
                update(t)
                .where(t.c.id == jid, t.c.status == "queued")
                .values(status="running", worker=worker, started_at=now, heartbeat_at=now, attempts=t.c.attempts + 1)
            ).rowcount
            if won:
                row = c.execute(select(t).where(t.c.id == jid)).one()
                return JobRecord(**row._asdict())
    return None


def report(engine: Engine, job_id: int, p: Progress) -> None:
    t = table_of(JobRecord)
    with engine.begin() as c:
        c.execute(
            update(t)
            .where(t.c.id == job_id, t.c.status == "running")
            .values(stage=p.stage, done=p.done, total=p.total, file=p.file, heartbeat_at=utcnow())
        )


def finish(engine: Engine, job_id: int, document_ids: list[int]) -> None:
    t = table_of(JobRecord)
    with engine.begin() as c:
        c.execute(
            update(t)
            .where(t.c.id == job_id)
            .values(status="done", stage="done", result=document_ids, finished_at=utcnow(), heartbeat_at=utcnow())
        )


def fail(engine: Engine, job_id: int, error: str, refused: bool = False, code: str | None = None) -> None:
    t = table_of(JobRecord)
    line = (error.splitlines() or [""])[0][:500]
    with engine.begin() as c:
        c.execute(
            update(t)
            .where(t.c.id == job_id)
            .values(status="failed", error=line, refused=refused, code=code, finished_at=utcnow())
        )


def get(engine: Engine, job_id: int) -> JobRecord | None:
    t = table_of(JobRecord)
    with engine.connect() as c:
        row = c.execute(select(t).where(t.c.id == job_id)).one_or_none()
    return JobRecord(**row._asdict()) if row else None


def worker_name(n: int = 0) -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{n}"


def _gone(worker: str | None, heartbeat: datetime | None, now: datetime) -> bool:
    """The worker of a running job is gone: a process of this host that no longer runs (or this very
    process, restarted under the same pid), or a heartbeat silent for STALE_SECONDS."""
    host, _, rest = (worker or "").partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname()[:60] and pid.isdigit():
        if int(pid) == os.getpid():
            return False  # ours, running now
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    if heartbeat is not None and heartbeat.tzinfo is None:
        heartbeat = heartbeat.replace(tzinfo=now.tzinfo)
    return heartbeat is None or now - heartbeat > timedelta(seconds=STALE_SECONDS)


def recover(engine: Engine, resumable) -> list[int]:
    """Running jobs whose worker is gone: queued again when `resumable(job)` (its inputs are still there)
    and it has not been tried MAX_ATTEMPTS times, else failed with the reason. The ids recovered."""
    t = table_of(JobRecord)
    now = utcnow()
    out = []
    with engine.begin() as c:
        rows = c.execute(select(t).where(t.c.status == "running")).all()
        for row in rows:
            job = JobRecord(**row._asdict())
            if not _gone(job.worker, job.heartbeat_at, now):
                continue
            if job.attempts < MAX_ATTEMPTS and resumable(job):
                values = dict(status="queued", stage="queued", done=0, total=0, file=None, worker=None)
            else:
                why = (
                    "服务器重启，任务中断：上传的文件已不在，请重新上传"
                    if job.attempts < MAX_ATTEMPTS
                    else f"任务已启动 {job.attempts} 次均未完成（服务器中断或读取过重），请检查文件后重新上传"
                )
                values = dict(status="failed", error=why, refused=False, finished_at=now)
            if c.execute(
                update(t).where(t.c.id == job.id, t.c.status == "running", t.c.worker == job.worker).values(**values)
            ).rowcount:
                out.append(job.id)
    return out
