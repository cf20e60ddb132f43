"""`serve --workers N` on Linux: each worker accepts on a socket of its own (SO_REUSEPORT), so connections opened
together spread over the workers instead of piling on the first one awake; a port already served is refused."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"),
    reason="SO_REUSEPORT spreads connections on Linux only",
)
BW = [sys.executable, "-m", "budgetwatch"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes below `pid` (spawned by multiprocessing)."""
    out = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat_file.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and "spawn_main" in (stat_file.parent / "cmdline").read_text():
                out.append(int(stat_file.parent.name))
        except OSError:
            continue
    return out


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local `port` in `state` (0A listening, 01 established), from /proc/net/tcp."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == state:
            out.add(f[9])
    return out


def _held(pid: int, inodes: set[str]) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = fd.readlink().as_posix()
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            held.add(link[8:-1])
    return held


@pytest.fixture
def two_workers(tmp_path):
    port = _free_port()
    srv = subprocess.Popen(
        BW + ["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'bw.db'}", "--workers", "2", "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert "服务已启动" in srv.stdout.readline()
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=60).json() == {"ok": True}
        workers = []
        for _ in range(100):  # the second worker may still be starting
            workers = _workers(srv.pid)
            if len(workers) == 2 and all(_held(w, _sockets(port, "0A")) for w in workers):
                break
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=60)
        yield port, workers
    finally:
        srv.terminate()
        srv.wait(20)


def test_each_worker_accepts_on_a_socket_of_its_own(two_workers):
    port, workers = two_workers
    listening = _sockets(port, "0A")
    held = [_held(w, listening) for w in workers]
    assert len(workers) == 2 and [len(h) for h in held] == [1, 1], held
    assert held[0] != held[1]  # uvicorn alone gives both workers the one socket


def test_connections_opened_together_spread_over_the_workers(two_workers):
    """60 keep-alive clients connecting at once (a page's burst): each worker takes at least 10 of them. With
    one shared socket the first worker awake took 18–20 of every 20. Hashed evenly, a worker gets fewer than 10
    of 60 about once in ten million runs."""
    port, workers = two_workers
    clients = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(60)]
    try:
        for c in clients:
            c.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        for c in clients:  # answered: accepted by a worker, not waiting in a queue
            assert c.recv(4096).startswith(b"HTTP/1.1 200")
        open_ = _sockets(port, "01")
        taken = [len(_held(w, open_)) for w in workers]
        assert sum(taken) == 60 and min(taken) >= 10, taken
    finally:
        for c in clients:
            c.close()


def test_a_port_another_server_shares_out_is_refused(tmp_path):
    """A socket already listening with SO_REUSEPORT (say another budgetwatch's) would let `serve --workers 2`
    bind beside it and take half its connections: the port is bound plainly first, and refused in one line."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        r = subprocess.run(
            BW + ["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'bw.db'}", "--workers", "2"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert r.returncode != 0 and "服务已启动" not in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "端口已被占用" in r.stderr
