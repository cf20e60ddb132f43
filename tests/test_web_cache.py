"""The response cache: answers are shared by worker processes through a folder on disk, kept while the
data stays the same, and retired when documents, findings or decisions change (here or in another process)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from budgetwatch.pipeline import check as check_versions, ingest
from budgetwatch.web.app import create_app

from conftest import SAMPLES, seed


def _two_workers(tmp_path, monkeypatch):
    """Two apps on one database and one cache folder: what `serve --workers 2` runs."""
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    a = create_app(db)
    ingest(a.state.engine, [seed("000"), seed("001")])
    check_versions(a.state.engine)
    return a, create_app(db)


def test_an_answer_computed_by_one_worker_is_served_by_the_other(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca, TestClient(b) as cb:
        first = ca.get("/api/documents").json()
        # a change the cache cannot see (no new version, finding or decision): only a cached answer keeps the old name
        with a.state.engine.begin() as c:
            c.execute(text("update document_versions set unit_name = 'renamed' where id = 1"))
        assert cb.get("/api/documents").json() == first
        assert any(f.is_file() for f in (tmp_path / "answers").rglob("*"))


def test_a_decision_retires_every_workers_answers(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca, TestClient(b) as cb:
        open_before = cb.get("/api/findings?status=open").json()["total"]
        f = ca.get("/api/findings").json()["items"][0]
        assert (
            ca.post(
                f"/api/findings/{f['id']}/decision",
                json={"status": "dismissed", "reason": "口径已说明", "by": "预算工委"},
            ).status_code
            == 200
        )
        time.sleep(1.1)  # the other worker reads the data's token at most once a second
        assert cb.get("/api/findings?status=open").json()["total"] == open_before - 1


def test_documents_ingested_by_another_process_appear(tmp_path, monkeypatch):
    a, b = _two_workers(tmp_path, monkeypatch)
    with TestClient(b) as cb:
        assert cb.get("/api/documents").json()["total"] == 2
        ingest(a.state.engine, [seed("002")])  # the CLI, say, on the same database
        time.sleep(1.1)
        assert cb.get("/api/documents").json()["total"] == 3
        assert len([p for p in (tmp_path / "answers").iterdir() if p.is_dir()]) == 1  # old answers removed


def test_without_the_cache_nothing_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    app = create_app(f"sqlite:///{tmp_path / 'bw.db'}", cache=False)
    ingest(app.state.engine, [SAMPLES])
    with TestClient(app) as c:
        assert c.get("/api/documents").json()["total"] == 3
    assert not (tmp_path / "answers").exists()


def test_serve_with_two_workers_answers_on_one_port(tmp_path):
    """`serve --workers 2`: two uvicorn processes on one port, the database migrated before they start."""
    import socket
    import subprocess
    import sys

    import httpx

    db = f"sqlite:///{tmp_path / 'bw.db'}"
    subprocess.run(
        [sys.executable, "-m", "budgetwatch", "ingest", str(SAMPLES), "--db", db], check=True, capture_output=True
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**__import__("os").environ, "BUDGETWATCH_CACHE_DIR": str(tmp_path / "answers")}
    srv = subprocess.Popen(
        [sys.executable, "-m", "budgetwatch", "serve", "--db", db, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        totals = {httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=10).json()["total"] for _ in range(6)}
        assert totals == {3}
    finally:
        srv.terminate()
        srv.wait(20)


def test_a_database_emptied_and_filled_again_is_not_answered_from_the_cache(tmp_path, monkeypatch):
    """The same ids can come back after a reset (here: the same two seeds, ingested in the other order)."""
    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    db = tmp_path / "bw.db"

    def serve_units(order):
        app = create_app(f"sqlite:///{db}")
        ingest(app.state.engine, order)
        with TestClient(app) as c:
            units = [d["unit"] for d in sorted(c.get("/api/documents").json()["items"], key=lambda d: d["id"])]
        app.state.engine.dispose()
        return units

    first = serve_units([seed("000"), seed("001")])
    for f in tmp_path.glob("bw.db*"):
        f.unlink()
    assert serve_units([seed("001"), seed("000")]) == first[::-1]


def test_a_server_restarted_on_other_code_does_not_answer_from_the_old_code_s_cache(tmp_path, monkeypatch):
    """The data is the same but the code is not (an upgrade): the folder the old code filled is not served."""
    import budgetwatch.web.cache as cache

    a, _ = _two_workers(tmp_path, monkeypatch)
    with TestClient(a) as ca:
        first = ca.get("/api/documents").json()
        with a.state.engine.begin() as c:  # a change the token cannot see: only a cached answer keeps the old name
            c.execute(text("update document_versions set unit_name = 'renamed' where id = 1"))
        assert ca.get("/api/documents").json() == first
    monkeypatch.setattr(cache, "CODE_STAMP", cache.CODE_STAMP + "-upgraded")
    with TestClient(create_app(f"sqlite:///{tmp_path / 'bw.db'}")) as cb:
        units = {d["unit"] for d in cb.get("/api/documents").json()["items"]}
    assert "renamed" in units


def test_the_code_stamp_changes_with_a_file_of_the_package(tmp_path):
    import budgetwatch.web.cache as cache

    (tmp_path / "page.html").write_text("<p>1</p>")
    before = cache.code_stamp(tmp_path)
    (tmp_path / "page.html").write_text("<p>22</p>")
    assert cache.code_stamp(tmp_path) != before


PAGE = "http://testserver/api/documents"


def _apps_and_computes(db_url, tmp_path, monkeypatch, pause: float):
    """Two apps on one database and one cache folder (two workers), each cold page's computing counted and
    made `pause` seconds slower, so that requests to both overlap."""
    import asyncio

    import budgetwatch.web.cache as cache

    monkeypatch.setenv("BUDGETWATCH_CACHE_DIR", str(tmp_path / "answers"))
    a = create_app(db_url)
    ingest(a.state.engine, [seed("000"), seed("001")])
    computed: list[str] = []
    original = cache.ResponseCache._compute

    async def compute(self, scope, receive, send, key):
        computed.append(key)
        await asyncio.sleep(pause)
        await original(self, scope, receive, send, key)

    monkeypatch.setattr(cache.ResponseCache, "_compute", compute)
    return a, create_app(db_url), computed


def _lock_held_by_a_process(tmp_path):
    """Another process holding the lock of PAGE (the folder of the data's token, made by a first request)."""
    import subprocess
    import sys

    import budgetwatch.web.cache as cache

    disk = cache.DiskAnswers(tmp_path / "answers")
    (disk.folder,) = [p for p in disk.root.iterdir() if p.is_dir()]
    hold = "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX)"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "; print('held', flush=True); time.sleep(120)", str(disk.lock_path(PAGE))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_cold_page_asked_of_two_workers_at_once_is_computed_once(db_url, tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    a, b, computed = _apps_and_computes(db_url, tmp_path, monkeypatch, 0.5)
    with TestClient(a) as ca, TestClient(b) as cb:
        done: dict[str, float] = {}

        def ask(name, client, url):
            r = client.get(url)
            done[name] = time.monotonic()
            return r

        with ThreadPoolExecutor(3) as pool:
            first = pool.submit(ask, "a", ca, "/api/documents")
            time.sleep(0.1)  # a has the page's lock; b is asked while a computes
            second = pool.submit(ask, "b", cb, "/api/documents")
            time.sleep(0.1)
            health = pool.submit(ask, "health", cb, "/health")
            ra, rb, rh = first.result(), second.result(), health.result()
    assert ra.status_code == rb.status_code == 200 and ra.content == rb.content
    assert computed.count(PAGE) == 1  # b took a's stored answer instead of computing its own
    assert rh.json() == {"ok": True} and done["health"] < done["b"]  # b's wait left its loop free


def test_a_lock_whose_holder_was_killed_does_not_block(db_url, tmp_path, monkeypatch):
    import signal

    import budgetwatch.web.cache as cache

    monkeypatch.setattr(cache, "COMPUTE_WAIT", 60.0)
    _, b, computed = _apps_and_computes(db_url, tmp_path, monkeypatch, 0)
    with TestClient(b) as cb:
        assert cb.get("/api/rules").status_code == 200  # the token's folder
        holder = _lock_held_by_a_process(tmp_path)
        holder.send_signal(signal.SIGKILL)  # a worker killed while computing the page
        holder.wait(10)
        start = time.monotonic()
        assert cb.get("/api/documents").status_code == 200
        assert time.monotonic() - start < 30  # not the 60 s wait: the dead holder's lock went with it
    assert computed.count(PAGE) == 1


def test_a_worker_that_hangs_holding_a_lock_is_waited_out_not_forever(db_url, tmp_path, monkeypatch):
    import budgetwatch.web.cache as cache

    monkeypatch.setattr(cache, "COMPUTE_WAIT", 1.0)
    _, b, computed = _apps_and_computes(db_url, tmp_path, monkeypatch, 0)
    with TestClient(b) as cb:
        assert cb.get("/api/rules").status_code == 200
        holder = _lock_held_by_a_process(tmp_path)  # alive, never stores the page
        try:
            start = time.monotonic()
            assert cb.get("/api/documents").status_code == 200
            assert time.monotonic() - start >= 1.0  # it waited for the holder, then computed the page itself
        finally:
            holder.kill()
            holder.wait(10)
    assert computed.count(PAGE) == 1
