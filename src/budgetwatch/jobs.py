"""The worker that runs the background jobs of store/jobs.py in a server process: an upload goes through
`pipeline.ingest_upload` (read → extract → store → checks) with the readers' progress, a re-check through
`pipeline.check`. One worker thread per process (the machine's cores go to reading); several processes
(`serve --workers N`) share the queue by its claims.

Progress is kept in memory where the job runs (the job page of this process reads it at once) and written to
the table by a second thread every FLUSH_SECONDS — never by the job's own thread, which may be holding the
database's write lock while the checks run (SQLite would have it wait for itself)."""

from __future__ import annotations

import contextlib
import itertools
import logging
import shutil
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy.engine import Engine

from .store import jobs as queue
from .store.jobs import Progress
from .store.schema import JobRecord

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # an idle worker looks at the queue this often (a submit here wakes it at once)
FLUSH_SECONDS = 0.5
RECOVER_SECONDS = 30.0
HEARTBEAT_SECONDS = 20.0  # well inside store/jobs.py's STALE_SECONDS
IDLE_SECONDS = 60.0
STAGING = ".jobs"  # under the uploads folder: the files of queued jobs, until their job ends

_counter = itertools.count()


def stage_upload(root: Path, files: list) -> list[list[str]]:
    """The uploaded (name, stream) pairs written under root/.jobs/<random>/ for a job to ingest, with the
    names and bytes refused at once that the pipeline would refuse (no name, the same name twice, an
    executable named .pdf); [[display name, staged path], …]."""
    from .pipeline import upload_names, vet_uploaded

    names = upload_names([name for name, _ in files])
    folder = root / STAGING / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        paths = []
        for (_, stream), name in zip(files, names):
            with open(folder / name, "wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
            paths.append(folder / name)
        vet_uploaded(paths)
    except BaseException:
        _drop_staging(folder)
        raise
    return [[name, str(path)] for name, path in zip(names, paths)]


def _drop_staging(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # .jobs itself, once no job waits: the uploads folder holds only documents
        folder.parent.rmdir()


class Runner:
    def __init__(self, engine: Engine, uploads: Path):
        self.engine = engine
        self.uploads = uploads
        self.worker = queue.worker_name(next(_counter))
        self.live: dict[int, Progress] = {}  # the jobs running here, as far as they have come
        self._wake = threading.Event()
        self._ended: dict[int, threading.Event] = {}
        self._stop = threading.Event()
        self._stop.set()  # not started
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    # ---- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> Runner:
        """The worker threads, started (again) unless they run: an idle worker ends after IDLE_SECONDS, so a
        server's runner costs nothing between uploads and a test's runner does not outlive its database."""
        with self._lock:
            if self._stop.is_set() or not (self._threads and self._threads[0].is_alive()):
                self._stop = stop = threading.Event()  # this generation's: an ending one keeps its own
                self._threads = [
                    threading.Thread(
                        target=target, args=(stop,), name=f"budgetwatch-jobs{target.__name__}", daemon=True
                    )
                    for target in (self._loop, self._flush)
                ]
                for t in self._threads:
                    t.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(wait)

    # ---- submitting and waiting -------------------------------------------------------------------------

    def submit_upload(self, files: list, region: str | None, by: str | None) -> int:
        staged = stage_upload(self.uploads, files)
        try:
            job = queue.submit(self.engine, "upload", {"files": staged, "root": str(self.uploads)}, region, by)
        except BaseException:
            _drop_staging(Path(staged[0][1]).parent)
            raise
        return self._queued(job)

    def submit_check(self, document_ids: list[int], region: str | None, by: str | None) -> int:
        return self._queued(queue.submit(self.engine, "check", {"documents": document_ids}, region, by))

    def _queued(self, job_id: int) -> int:
        self._ended.setdefault(job_id, threading.Event())
        self.start()
        self._wake.set()
        return job_id

    def wait(self, job_id: int, timeout: float | None = None) -> JobRecord | None:
        """The job once it has ended (done or failed), or as it stands after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        ended = self._ended.setdefault(job_id, threading.Event())
        while True:
            job = queue.get(self.engine, job_id)
            if job is None or job.status in ("done", "failed"):
                return job
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return job
            ended.wait(min(1.0, left) if left is not None else 1.0)  # another process's job: poll the table

    def progress_of(self, job: JobRecord) -> Progress:
        live = self.live.get(job.id)
        return (
            live if live is not None and job.status == "running" else Progress(job.stage, job.done, job.total, job.file)
        )

    # ---- the worker -------------------------------------------------------------------------------------

    def _loop(self, stop: threading.Event) -> None:
        last_recover = 0.0
        idle_since = time.monotonic()
        while not stop.is_set():
            try:
                if time.monotonic() - last_recover > RECOVER_SECONDS:
                    queue.recover(self.engine, self._resumable)
                    last_recover = time.monotonic()
                job = queue.claim(self.engine, self.worker)
            except Exception:  # the database is away for a moment: try again later
                log.warning("job queue unavailable", exc_info=True)
                job = None
            if job is not None:
                self._run(job)
                idle_since = time.monotonic()
                continue
            if time.monotonic() - idle_since > IDLE_SECONDS:
                with self._lock:  # a submit after this sees the thread gone and starts another
                    if not self._wake.is_set():
                        stop.set()
                        return
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    @staticmethod
    def _resumable(job: JobRecord) -> bool:
        if job.kind == "upload":
            return all(Path(path).is_file() for _, path in job.params.get("files", []))
        return True

    def _run(self, job: JobRecord) -> None:
        self.live[job.id] = Progress("read" if job.kind == "upload" else "check")

        def heard(stage: str, done: int, total: int, path: str) -> None:
            self.live[job.id] = Progress(stage, done, total, Path(path).name if path else None)

        try:
            ids = self._upload(job, heard) if job.kind == "upload" else self._check(job)
        except ValueError as e:  # the input was refused: the reason, in one line (and its code: errors.Refusal)
            self._end(job, error=str(e), refused=True, code=getattr(e, "code", None))
        except OSError as e:  # the uploads folder is full or unwritable
            self._end(job, error=f"cannot keep the upload: {e.strerror or e}")
        except Exception as e:
            log.error("job %s failed", job.id, exc_info=True)
            self._end(job, error=f"内部错误：{type(e).__name__}: {e}")
        else:
            self._end(job, ids=ids)

    def _upload(self, job: JobRecord, heard) -> list[int]:
        from .access.scope import UploadRegion
        from .pipeline import ingest_upload

        files = job.params["files"]
        root = Path(job.params.get("root") or self.uploads)  # the submitter's, whichever process runs it
        with contextlib.ExitStack() as opened:
            streams = [opened.enter_context(open(path, "rb")) for _, path in files]
            return ingest_upload(
                self.engine,
                [(name, f) for (name, _), f in zip(files, streams)],
                root,
                UploadRegion(job.region_code).stamp,
                progress=heard,
            )

    def _check(self, job: JobRecord) -> list[int]:
        from .pipeline import check

        ids = list(job.params.get("documents") or [])
        self.live[job.id] = Progress("check", 0, len(ids))
        check(self.engine, ids)
        return ids

    def _end(
        self,
        job: JobRecord,
        ids: list[int] | None = None,
        error: str | None = None,
        refused: bool = False,
        code: str | None = None,
    ) -> None:
        if job.kind == "upload" and job.params.get("files"):
            _drop_staging(Path(job.params["files"][0][1]).parent)  # kept under its digest, or refused
        if error is None:
            queue.finish(self.engine, job.id, ids or [])
        else:
            queue.fail(self.engine, job.id, error, refused, code)
        self.live.pop(job.id, None)
        self._ended.setdefault(job.id, threading.Event()).set()

    def _flush(self, stop: threading.Event) -> None:
        """The live progress written to the table every FLUSH_SECONDS when it changed, and at least every
        HEARTBEAT_SECONDS while a job runs (its heartbeat: another process knows this worker is alive)."""
        written: dict[int, tuple[Progress, float]] = {}
        while not stop.wait(FLUSH_SECONDS) or self.live:
            if stop.is_set():
                time.sleep(FLUSH_SECONDS)  # stopping with a job still running: its last words still go out
            for jid, p in list(self.live.items()):
                last = written.get(jid)
                if last is not None and last[0] == p and time.monotonic() - last[1] < HEARTBEAT_SECONDS:
                    continue
                try:
                    queue.report(self.engine, jid, p)
                    written[jid] = (p, time.monotonic())
                except Exception:  # a busy database: the next round writes it
                    pass
            for jid in set(written) - set(self.live):
                written.pop(jid)


_runners: dict[int, Runner] = {}
_runners_lock = threading.Lock()


def runner_for(engine: Engine, uploads: Path) -> Runner:
    """The process's one runner for `engine` (started on first use, and at the server's start to pick up the
    jobs a restart interrupted)."""
    with _runners_lock:
        r = _runners.get(id(engine))
        if r is None or r.engine is not engine:
            r = _runners[id(engine)] = Runner(engine, uploads)
    return r.start()
