"""How far a reading has come, told to whoever asked: the readers call `report(stage, done, total, path)`
(a PDF page read, a scanned page recognised) and the caller who set a callback with `reporting(cb)` hears
it — a background job, a progress bar. Nobody listening costs nothing.

Readers run in the bounded child of guard.py: there `report` sends the event through the child's pipe and
the parent hands it to the callback, so a callback never runs in the child."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# stage: "read" (pages of a text layer), "ocr" (scanned pages), "extract", "check" — done of total, for path
Callback = Callable[[str, int, int, str], None]
_listener: ContextVar[Callback | None] = ContextVar("budgetwatch_progress", default=None)


def report(stage: str, done: int, total: int, path: str = "") -> None:
    cb = _listener.get()
    if cb is not None:
        cb(stage, done, total, str(path))


def listener() -> Callback | None:
    return _listener.get()


@contextmanager
def reporting(cb: Callback | None) -> Iterator[None]:
    """Within the block (in this thread), the readers' and the pipeline's progress goes to `cb`."""
    token = _listener.set(cb)
    try:
        yield
    finally:
        _listener.reset(token)
