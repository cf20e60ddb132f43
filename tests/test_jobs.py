"""Uploads and re-checks as background jobs (store/jobs.py, jobs.py): the readers' progress reaches the
pipeline's caller page by page; the API answers at once with the job and /api/jobs/{id} follows it to its
document; a job interrupted by a server restart is run again when its files are still there and failed with
the reason when not; a job is seen only by those who may upload in its region. SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pypdfium2 as pdfium
from fastapi.testclient import TestClient

from budgetwatch.jobs import stage_upload
from budgetwatch.pipeline import ingest_upload
from budgetwatch.store import jobs as queue
from budgetwatch.store.db import open_db
from budgetwatch.web.app import create_app

from access_helpers import placed, signed_in  # noqa: F401  (fixture)
from conftest import CORPUS, SAMPLES, needs_corpus


def ended(client: TestClient, job: int, seconds: float = 600) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        body = client.get(f"/api/jobs/{job}").json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@needs_corpus
def test_the_readers_report_every_page_then_extraction_and_checks(tmp_path):
    pdf = CORPUS / "jilin-changchun-xinfangju-2026-yusuan.pdf"
    pages = len(pdfium.PdfDocument(pdf))
    engine = open_db(f"sqlite:///{tmp_path / 'bw.db'}")
    heard = []
    with open(pdf, "rb") as f:
        ids = ingest_upload(engine, [(pdf.name, f)], tmp_path / "uploads", progress=lambda *e: heard.append(e))
    assert len(ids) == 1
    reads = [(done, total) for stage, done, total, _ in heard if stage == "read"]
    assert reads == [(i, pages) for i in range(1, pages + 1)]  # from the reader's child, page by page
    stages = [stage for stage, *_ in heard]
    assert stages.index("extract") > stages.index("read") and stages[-1] == "check"
    assert all(path.endswith(pdf.name) for stage, _, _, path in heard if stage in ("read", "extract"))
    engine.dispose()


def test_an_upload_answers_at_once_and_its_job_leads_to_the_document(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(tmp_path / "uploads"))
    app = create_app(db_url, cache=False)
    sample = sorted(SAMPLES.glob("*.txt"))[0]
    with TestClient(app) as c:
        r = c.post("/api/upload?wait=false", files={"file": ("说明.txt", sample.read_bytes(), "text/plain")})
        assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['job']}"
        job = ended(c, r.json()["job"])
        assert job["status"] == "done" and job["stage"] == "done" and job["files"] == ["说明.txt"], job
        assert job["message"] == "完成：1 份文档" and job["attempts"] == 1
        doc = job["documents"][0]
        assert doc["unit"] == c.get(doc["url"] + "?format=json").json()["document"]["unit"]
        page = c.get(f"/jobs/{job['id']}").text
        assert f'href="{doc["url"]}"' in page and "完成" in page
        # the form answers with the job's page; the same bytes again are the same document
        r = c.post("/upload", files={"file": ("说明.txt", sample.read_bytes(), "text/plain")}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
        again = ended(c, int(r.headers["location"].rsplit("/", 1)[1]))
        assert [d["id"] for d in again["documents"]] == [doc["id"]]
        # a refusal the pipeline would make anyway is said at once, and nothing waits in the queue
        r = c.post("/api/upload?wait=false", files={"file": ("a.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
        assert r.status_code == 415 and "a.pdf" in r.json()["detail"]  # its bytes are not a PDF's
        # a re-check is a job too
        r = c.post("/api/jobs/check", json={"documents": [doc["id"]]})
        assert r.status_code == 202
        assert ended(c, r.json()["job"])["message"] == "完成：已重新检查 1 份文档"
        assert c.post("/api/jobs/check", json={"documents": [999999]}).status_code == 404
        assert c.post("/api/jobs/check", json={"documents": []}).status_code == 422
        assert c.get("/api/jobs/999999").status_code == 404
    assert not (tmp_path / "uploads" / ".jobs").exists()  # the staged copies went with their jobs
    app.state.engine.dispose()


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_job_cut_off_by_a_restart_runs_again_or_fails_with_the_reason(db_url, tmp_path, monkeypatch):
    """What a killed server leaves: jobs `running` under a process that is gone. The next server start picks
    them up: one whose files are still staged is run to its document, one whose files are gone fails saying
    so, one already started MAX_ATTEMPTS times fails rather than loop."""
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("BUDGETWATCH_UPLOADS", str(uploads))
    engine = open_db(db_url)
    samples = sorted(SAMPLES.glob("*.txt"))
    jobs = []
    for sample in samples:
        with open(sample, "rb") as f:
            staged = stage_upload(uploads, [(sample.name, f)])
        jobs.append(queue.submit(engine, "upload", {"files": staged, "root": str(uploads)}))
        claimed = queue.claim(engine, f"{socket.gethostname()[:60]}:{_dead_pid()}:0")
        assert claimed is not None and claimed.id == jobs[-1] and claimed.status == "running"
    resumable, gone, tried = jobs
    Path(queue.get(engine, gone).params["files"][0][1]).unlink()
    with engine.begin() as c:
        c.execute(
            queue.JobRecord.__table__.update().where(queue.JobRecord.id == tried).values(attempts=queue.MAX_ATTEMPTS)
        )
    engine.dispose()
    app = create_app(db_url, cache=False)
    with TestClient(app) as c:  # the server's start runs the recovery
        done = ended(c, resumable)
        assert done["status"] == "done" and done["attempts"] == 2 and len(done["documents"]) == 1, done
        failed = ended(c, gone)
        assert failed["status"] == "failed" and "请重新上传" in failed["message"], failed
        assert ended(c, tried)["status"] == "failed" and "均未完成" in ended(c, tried)["error"]
    app.state.engine.dispose()


def test_a_job_is_seen_by_who_may_upload_in_its_region(placed):  # noqa: F811
    app = placed
    staff = signed_in(app, "staff-a")
    sample = sorted(SAMPLES.glob("*.txt"))[0]
    r = staff.post("/api/upload?wait=false", files={"file": ("x.txt", sample.read_bytes(), "text/plain")})
    assert r.status_code == 202
    job = r.json()["job"]
    assert ended(staff, job)["status"] == "done"
    assert signed_in(app, "admin-a").get(f"/api/jobs/{job}").status_code == 200
    assert signed_in(app, "staff-b").get(f"/api/jobs/{job}").status_code == 404  # another region's job
    assert signed_in(app, "staff-b").get(f"/jobs/{job}").status_code == 404
    assert signed_in(app, "deputy-a").get(f"/api/jobs/{job}").status_code == 403  # deputies do not upload


def test_a_recheck_survives_a_progress_write_committed_between_its_read_and_its_write(db_url, tmp_path, monkeypatch):
    """The job's progress is committed by another thread while the check runs (jobs.Runner._flush). Here that
    write is made to land at the worst moment of each of the check's transactions — after it has first read,
    before its first write — which SQLite in WAL mode answers at once with SQLITE_BUSY_SNAPSHOT ("database is
    locked") when the reading transaction then tries to write. The re-check must end done all the same, its
    documents each committed apart (HOLD_SECONDS 0) and each checked."""
    from sqlalchemy import event, func, select
    from sqlalchemy.orm import Session

    from budgetwatch import pipeline
    from budgetwatch.jobs import Runner
    from budgetwatch.store.schema import FindingRecord, Version

    engine = open_db(db_url)
    outs = pipeline.ingest(engine, sorted(SAMPLES.glob("*.txt")), check=True).outcomes
    assert len(outs) == 3 and all(o.status == "ingested" for o in outs), outs
    monkeypatch.setattr(pipeline, "HOLD_SECONDS", 0.0)
    runner = Runner(engine, tmp_path / "uploads")
    job: list[int] = []
    state = {"read": False, "fired": 0}
    writers: list[threading.Thread] = []
    errors: list[BaseException] = []

    def progress_write() -> None:  # what Runner._flush commits: the job's progress, from another connection
        try:
            queue.report(engine, job[0], queue.Progress("check", 0, 1))
        except BaseException as e:
            errors.append(e)

    @event.listens_for(engine, "before_cursor_execute")
    def between_read_and_write(conn, cursor, statement, *_):
        if threading.current_thread().name != "budgetwatch-jobs_loop" or not job:
            return
        dbapi = cursor.connection
        opened = dbapi.in_transaction if hasattr(dbapi, "in_transaction") else dbapi.info.transaction_status != 0
        verb = statement.lstrip().split(None, 1)[0].upper()
        if not opened:
            state["read"] = False  # no transaction yet: this statement starts one, or runs alone
        elif verb == "SELECT":
            state["read"] = True
        elif verb in ("INSERT", "UPDATE", "DELETE") and state["read"]:
            state["read"] = False  # once a transaction
            state["fired"] += 1
            t = threading.Thread(target=progress_write)
            t.start()
            writers.append(t)
            t.join(1)  # committed now, or waiting for the check's write lock (then it lands after its commit)

    job.append(runner.submit_check([o.document_id for o in outs], None, None))
    try:
        rec = runner.wait(job[0], 300)
    finally:
        runner.stop()
        event.remove(engine, "before_cursor_execute", between_read_and_write)
    for t in writers:
        t.join(150)
    assert state["fired"] >= 3  # each document's transaction did read, then write
    assert rec is not None and rec.status == "done", rec and rec.error
    assert not errors, errors
    with Session(engine) as s:  # each document's findings were written by this check, none a CHK failure
        checked = s.execute(
            select(FindingRecord.version_id, func.min(FindingRecord.checked_at), func.count())
            .join(Version, Version.id == FindingRecord.version_id)
            .where(Version.document_id.in_(rec.result))
            .group_by(FindingRecord.version_id)
        ).all()
        rules = set(s.scalars(select(FindingRecord.rule)))
    assert len(checked) == 3 and all(first >= rec.started_at for _, first, _ in checked), (checked, rec.started_at)
    assert "CHK" not in rules
    engine.dispose()


RUNNER = """
import json, os, sys, time
from pathlib import Path
from budgetwatch.jobs import Runner
from budgetwatch.store import jobs as queue
from budgetwatch.store.db import open_db

url, uploads, meeting, out = sys.argv[1:5]
engine = open_db(url)
runner = Runner(engine, Path(uploads))
ran = []
run = runner._run
runner._run = lambda job: (ran.append(job.id), run(job))
Path(meeting, str(os.getpid())).touch()  # here; both start together
while len(list(Path(meeting).iterdir())) < 2:
    time.sleep(0.05)
runner.start()
ids = [int(i) for i in sys.argv[5:]]
while any(queue.get(engine, i).status not in ("done", "failed") for i in ids):
    time.sleep(0.2)
runner.stop()
Path(out).write_text(json.dumps(ran))
"""


def test_two_server_processes_share_the_queue_and_run_each_job_once(db_url, tmp_path):
    """`serve --workers N`: each worker process runs its own runner on the one database. Two such processes,
    started together on a queue of uploads (each sample twice), run every job exactly once between them,
    and the samples are stored once each."""
    import json
    import os
    import sys

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from budgetwatch.store.schema import DocumentRecord, Version

    uploads, meeting = tmp_path / "uploads", tmp_path / "meeting"
    meeting.mkdir()
    engine = open_db(db_url)
    jobs = []
    for sample in sorted(SAMPLES.glob("*.txt")) * 2:
        with open(sample, "rb") as f:
            staged = stage_upload(uploads, [(sample.name, f)])
        jobs.append(queue.submit(engine, "upload", {"files": staged, "root": str(uploads)}))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    outs = [tmp_path / f"ran{i}.json" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, db_url, str(uploads), str(meeting), str(out), *map(str, jobs)], env=env
        )
        for out in outs
    ]
    for p in procs:
        assert p.wait(600) == 0
    ran = [json.loads(out.read_text()) for out in outs]
    records = [queue.get(engine, j) for j in jobs]
    # each job run once, by one of the two (a job run by neither names the runner that took it)
    assert sorted(ran[0] + ran[1]) == sorted(jobs), (ran, [(r.id, r.worker) for r in records])
    assert ran[0] and ran[1], ran  # and both took part
    assert all(r.status == "done" and r.attempts == 1 for r in records), [(r.status, r.error) for r in records]
    assert len({r.worker.split(":")[1] for r in records}) == 2
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(DocumentRecord)) == 3
        assert s.scalar(select(func.count()).select_from(Version)) == 3
    engine.dispose()
