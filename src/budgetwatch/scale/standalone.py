"""A Spark standalone cluster on this machine — a master and N workers, each a JVM of its own with its own
working directory — started from the PySpark install, to run `budgetwatch spark` as a cluster runs it (the
package shipped, tasks in other processes than the driver's) rather than in `local[*]`.

    with standalone(workers=2, cores=1) as master:   # "spark://127.0.0.1:<port>"
        run(paths, out, master=master)

Needs Java (`java` on PATH or JAVA_HOME). The workers get no PYTHONPATH: the code they run is the zip the
job ships."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def java_missing() -> str | None:
    """Why a standalone cluster cannot start here (one line), or None."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java on PATH or JAVA_HOME): a Spark cluster cannot start"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'budgetwatch[spark]')"
    return None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive_workers(ui: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=5) as r:
            return int(json.load(r).get("aliveworkers", 0))
    except (OSError, ValueError):
        return 0


@contextmanager
def standalone(workers: int = 1, cores: int = 1, memory: str = "1g", timeout: float = 180) -> Iterator[str]:
    """Start a master and `workers` workers (each `cores` cores, `memory`), yield the master's URL once every
    worker has registered, stop them all after (their logs are kept in the error when one does not start)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    spark_class = str(home / "bin" / "spark-class")
    base = Path(tempfile.mkdtemp(prefix="bw-standalone-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(SPARK_HOME=str(home), SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1")
    port, ui = _port(), _port()
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []

    def start(name: str, *args: str) -> None:
        log = base / f"{name}.log"
        logs.append(log)
        with open(log, "wb") as f:
            procs.append(subprocess.Popen([spark_class, *args], env=env, cwd=base, stdout=f, stderr=subprocess.STDOUT))

    try:
        master_class = "org.apache.spark.deploy.master.Master"
        start("master", master_class, "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui))
        url = f"spark://127.0.0.1:{port}"
        for i in range(workers):
            work = base / f"worker{i + 1}"
            work.mkdir()
            start(
                f"worker{i + 1}",
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                str(cores),
                "--memory",
                memory,
                "--work-dir",
                str(work),
                "--webui-port",
                str(_port()),
                url,
            )
        deadline = time.monotonic() + timeout
        while _alive_workers(ui) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                tail = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs)
                raise RuntimeError(f"the standalone cluster did not start ({workers} workers):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        shutil.rmtree(base, ignore_errors=True)
