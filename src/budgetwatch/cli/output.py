"""What the command prints while it works: a progress bar on a terminal (plain periodic lines in a log or a
pipe), one summary table after `ingest`, and the listening socket of `serve` bound before anything says
the service is up."""

from __future__ import annotations

import errno
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from ..vocab.enums import Severity, labels
from .common import STAGE

PLAIN_EVERY_SECONDS = 10


@contextmanager
def file_progress(err: Console, total: int, label: str = "入库"):
    """Yields `tick(outcome)`: a bar on a terminal; elsewhere a line at every tenth of the files (and at
    least every PLAIN_EVERY_SECONDS), so that a log shows the batch moving without a line per file."""
    if err.is_terminal:
        with Progress(
            TextColumn(f"[bold]{label}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=total)  # files: a paired document counts its two
            yield lambda o: bar.update(task, advance=len(o.files), description=Path(o.files[0]).name)
        return
    state = {"done": 0, "shown": time.monotonic()}
    step = total // 10 if total >= 10 else total  # a small batch: its last line only (or one per interval)

    def tick(o) -> None:
        before = state["done"]
        state["done"] += len(o.files)
        now = time.monotonic()
        if (
            state["done"] >= total
            or state["done"] // step > before // step
            or now - state["shown"] > PLAIN_EVERY_SECONDS
        ):
            state["shown"] = now
            err.print(f"{label} {state['done']}/{total} 个文件", highlight=False)

    yield tick


def ingest_table(engine, summary, results: dict) -> RichTable:
    """One row per document: what became of its files, what was read, and its findings when checked."""
    from sqlalchemy.orm import Session

    from ..store.repository import load_version

    checked = bool(results)
    t = RichTable(title="入库结果")
    for name in ("单位", "年度", "结果", "表", "目标表", *(labels(Severity).values() if checked else ()), "文件"):
        t.add_column(name, no_wrap=name != "文件", overflow="fold")
    with Session(engine) as s:
        for o in summary.outcomes:
            names = ", ".join(Path(f).name for f in o.files)
            if o.status == "failed":
                t.add_row("", "", "[red]失败[/]", "", "", *([""] * 3 if checked else []), f"{names}: {o.message}")
                continue
            d = load_version(s, o.version_id)
            status = f"[green]新入库[/] v{o.version}" if o.status == "ingested" else f"未变 v{o.version}"
            counts = []
            if checked:
                fs = results.get(o.version_id, [])
                counts = [str(sum(1 for f in fs if f.severity == k)) for k in Severity]
            t.add_row(
                d.unit or "（未识别单位）",
                f"{d.year or ''}{STAGE.get(d.stage, '')}",
                status,
                str(len(d.tables)),
                str(len(d.forms)),
                *counts,
                names,
            )
    return t


def ingest_totals(summary, results: dict) -> str:
    line = (
        f"新入库 {summary.count('ingested')}，未变 {summary.count('unchanged')}，失败 {summary.count('failed')}"
        f" (ingested, unchanged, failed)"
    )
    if results:
        fs = [f for x in results.values() for f in x]
        line += (
            f"；问题：错误 {sum(f.severity == 'error' for f in fs)}，警告 {sum(f.severity == 'warn' for f in fs)}，"
            f"提示 {sum(f.severity == 'info' for f in fs)}。逐条问题清单：加 --verbose，或 budgetwatch check ID"
        )
    return line


def listen(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """The service's listening sockets, bound now: a busy or invalid port is one clear error before anything
    says the service is up. Raises ValueError with that message.

    With `count` > 1 (`serve --workers N`), one socket per worker, all bound to the address with SO_REUSEPORT:
    the kernel spreads new connections over them (web/workers.py says why). The port is first bound plainly,
    so that one already serving — another budgetwatch's sockets included — is refused, not shared."""
    if not 1 <= port <= 65535:
        raise ValueError(f"--port {port}: 端口须在 1 到 65535 之间 (a port is a number from 1 to 65535)")
    spread = count > 1 and hasattr(socket, "SO_REUSEPORT")
    probe = _bound(host, port, reuse_port=False)
    if not spread:
        return [probe]
    probe.close()
    return [_bound(host, port, reuse_port=True) for _ in range(count)]


def _bound(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a just-stopped server's port, not a live one
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise ValueError(f"{host}:{port}: 端口已被占用 (address already in use): 换一个 --port") from None
        raise ValueError(f"{host}:{port}: 无法监听 (cannot listen): {e.strerror or e}") from None
    sock.set_inheritable(True)  # the workers of `serve --workers N` accept on it
    return sock
