"""Run a reader in a child process with bounded memory and time, so a hostile file (a
decompression bomb, a pathological page) costs one clear error instead of the machine.

Linux/macOS only (fork); elsewhere the reader runs in-process."""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys

from ..errors import InputError

MEM_MB = int(os.environ.get("BUDGETWATCH_READ_MEM_MB", "2048"))
SECONDS = int(os.environ.get("BUDGETWATCH_READ_SECONDS", "300"))


def _child(conn, fn, args, mem_mb, seconds):
    try:
        limit = mem_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
        conn.send(("ok", fn(*args)))
    except InputError as e:
        conn.send(("input", (e.path, e.problem)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as e:  # report, never hang the parent
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def run_guarded(fn, path: str, *args, mem_mb: int = MEM_MB, seconds: int = SECONDS):
    if sys.platform == "win32" or "fork" not in mp.get_all_start_methods():
        return fn(path, *args)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, (path, *args), mem_mb, seconds), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(seconds + 10):
            raise InputError(path, f"reading took longer than {seconds} s: refused")
        try:
            status, payload = parent.recv()
        except EOFError:
            raise InputError(path, f"reading exceeded {mem_mb} MiB of memory or crashed the PDF engine "
                                   "(decompression bomb?): refused") from None
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
        raise InputError(path, f"reading exceeded {mem_mb} MiB of memory (decompression bomb?): refused")
    raise InputError(path, f"unreadable: {payload}")
