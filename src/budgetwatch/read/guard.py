"""Run a reader in a child process with bounded memory and CPU time, so a hostile file (a decompression
bomb, a colspan bomb, a pathological page) costs one clear error instead of the machine.

Where `resource` exists (Linux, macOS) the child is forked with RLIMIT_AS and RLIMIT_CPU: it is stopped
after `seconds` of CPU, however loaded the machine is (a wall-clock limit killed sound reads on a busy
server). Elsewhere (Windows) the child is spawned and only a generous wall-clock limit applies."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
import warnings

from ..errors import Code, InputError
from . import progress

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

MEM_MB = int(os.environ.get("BUDGETWATCH_READ_MEM_MB", "2048"))
SECONDS = int(os.environ.get("BUDGETWATCH_READ_SECONDS", "300"))
WALL_FACTOR = 10  # wall-clock safety net: a child waiting on nothing (never on CPU) is stopped too
MIN_WALL = 60  # ...but never sooner than this: on a loaded machine a CPU-bound child gets little CPU


def _limit(mem_mb: int, seconds: int) -> None:
    if resource is None:
        return
    limit = mem_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = seconds + int(time.process_time())  # the forked child inherits its parent's CPU count
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5 if hard == resource.RLIM_INFINITY else min(cpu + 5, hard)))


def _child(conn, fn, args, mem_mb, seconds, forward):
    try:
        _limit(mem_mb, seconds)
        # the parent's listener is not called here: its events cross the pipe (the parent calls it)
        with progress.reporting((lambda *event: conn.send(("progress", event))) if forward else None):
            conn.send(("ok", fn(*args)))
    except InputError as e:
        conn.send(("input", (e.path, e.problem, e.code.value)))
    except MemoryError:
        conn.send(("memory", None))
    except RecursionError:
        conn.send(("input", (args[0], "nested too deeply to read (a crafted file?): refused", Code.limit.value)))
    except BaseException as e:  # report, never hang the parent
        with contextlib.suppress(BaseException):
            conn.send(("error", f"{type(e).__name__}: {str(e)[:200]}"))
    finally:
        conn.close()


def _tell(listener, event) -> None:
    """A listener's failure (a busy database) never fails the reading it listens to."""
    with contextlib.suppress(Exception):
        listener(*event)


def _context():
    if resource is not None and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork"), True
    return mp.get_context("spawn"), False


def run_guarded(fn, path: str, *args, mem_mb: int = MEM_MB, seconds: int = SECONDS):
    """`fn(path, *args)` in a bounded child; its result, or InputError naming `path` and the limit hit.
    `fn` must be a module-level function (picklable) when the child is spawned."""
    ctx, bounded = _context()
    parent, child = ctx.Pipe(duplex=False)
    listener = progress.listener()
    proc = ctx.Process(
        target=_child, args=(child, fn, (path, *args), mem_mb, seconds, listener is not None), daemon=True
    )
    with warnings.catch_warnings():  # Python ≥ 3.12 warns about fork beside threads; the child only reads
        warnings.simplefilter("ignore", DeprecationWarning)
        proc.start()
    child.close()
    wall = max(MIN_WALL, seconds * (WALL_FACTOR if bounded else 3))
    deadline = time.monotonic() + wall
    try:
        while True:  # progress events, until the result (or the child's end)
            if not parent.poll(max(0.0, deadline - time.monotonic())):
                raise InputError(path, f"reading took longer than {wall} s: refused", code=Code.limit)
            try:
                status, payload = parent.recv()
            except EOFError:
                status = None
                break
            if status != "progress":
                break
            _tell(listener, payload)
        if status is None:
            proc.join(5)
            if proc.exitcode == -getattr(signal, "SIGXCPU", -1000) or proc.exitcode == -signal.SIGKILL:
                raise InputError(path, f"reading used more than {seconds} s of CPU: refused", code=Code.limit) from None
            raise InputError(
                path,
                f"reading exceeded {mem_mb} MiB of memory or crashed the reader (decompression bomb?): refused",
                code=Code.limit,
            ) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status == "ok":
        return payload
    if status == "input":
        raise InputError(*payload)
    if status == "memory":
        raise InputError(
            path, f"reading exceeded {mem_mb} MiB of memory (decompression bomb?): refused", code=Code.limit
        )
    raise InputError(path, f"unreadable: {payload}", code=Code.unreadable)
