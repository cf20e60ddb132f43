"""The reader formats, registered in one list (as frictionless-py registers its formats): each says how its
bytes are recognised, which file names it takes and where its reader is; `read_source` picks the reader by
the file's bytes, not its name, and runs it in the bounded child of guard.py.

Readers are named by "module:function" and imported only when a file of theirs is read: the readers import
`Source` from here, this module imports no reader (no import circle), and a process reading only text never
loads PDFium or openpyxl.

Adding a reader format: write `read/<format>.py` with a function `path → Source`, add one `Format` to
`FORMATS` below, add its test — three files."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Code, InputError
from .text import Line, read_text

HEAD = 2048  # bytes read to recognise a format


@dataclass
class Source:
    """What a reader makes of one file: its numbered lines of cells, whatever the format."""

    path: str
    format: str  # a Format's name
    lines: list[Line]
    encoding: str | None = None
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)  # pages without a text layer
    ocr_read: bool = False  # … and they were read by OCR


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]  # the file names it takes (folders searched, uploads accepted)
    reader: str  # "module:function", the function `path → Source`
    matches: Callable[[bytes], bool] | None = None  # its first bytes say so; None: the fallback or its suffix
    claims_suffix: bool = False  # no format's bytes matched: a file with its suffix is still its
    binary: bool = False  # an upload must match its bytes; else text (no NUL bytes)
    guarded: bool = True  # False: the reader bounds itself (text: its size) or its own children (PDF: text, OCR)

    def read_function(self) -> Callable[[str], Source]:
        module, _, name = self.reader.partition(":")
        return getattr(importlib.import_module(module), name)


def _is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def _is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def _is_html(head: bytes) -> bool:
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in low or b"<body" in low


def read_text_source(path: str) -> Source:
    src = read_text(path)
    return Source(path=str(path), format="text", lines=src.lines, encoding=src.encoding)


# In the order they are tried; text, the last, takes whatever no other format recognised.
FORMATS: tuple[Format, ...] = (
    Format(
        "pdf",
        (".pdf",),
        "budgetwatch.read.pdf_lines:read_pdf_source",
        _is_pdf,
        claims_suffix=True,
        binary=True,
        guarded=False,
    ),
    Format("xlsx", (".xlsx",), "budgetwatch.read.xlsx:read_xlsx", _is_zip, binary=True),
    Format("html", (".html", ".htm"), "budgetwatch.read.html:read_html", _is_html),
    # text bounds itself: refused over MAX_TEXT_BYTES before it is read, then one linear pass — a child process
    # per file (fork, pickling the lines back) cost more than the reading
    Format("text", (".txt", ".md", ".markdown", ".text"), "budgetwatch.read.formats:read_text_source", guarded=False),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_SUFFIX = {s: f for f in FORMATS for s in f.suffixes}
SUFFIXES = frozenset(BY_SUFFIX)
FALLBACK = FORMATS[-1]


def sniff(path: str | Path) -> str:
    """The name of the file's format, from its first bytes (its suffix only where no format's bytes match)."""
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD)
    except IsADirectoryError:
        raise InputError(path, "is a directory", code=Code.unreadable) from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}", code=Code.unreadable) from None
    for fmt in FORMATS:
        if fmt.matches is not None and fmt.matches(head):
            return fmt.name
    claimed = BY_SUFFIX.get(Path(path).suffix.lower())
    return claimed.name if claimed is not None and claimed.claims_suffix else FALLBACK.name


def read_source(path: str | Path) -> Source:
    """Every format is read in the bounded child of guard.py (memory and CPU limits, one clear error)."""
    from .guard import run_guarded

    fmt = BY_NAME[sniff(path)]
    read = fmt.read_function()
    return run_guarded(read, str(path)) if fmt.guarded else read(str(path))
