"""Any input file → numbered lines of cells; the reader is chosen by the file's bytes, not its name."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .text import Line, read_text


@dataclass
class Source:
    path: str
    format: str                    # text | pdf | html | xlsx
    lines: list[Line]
    encoding: str | None = None
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)


def sniff(path: str | Path) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(2048)
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in low or b"<body" in low:
        return "html"
    if Path(path).suffix.lower() == ".pdf":
        return "pdf"
    return "text"


def read_source(path: str | Path) -> Source:
    fmt = sniff(path)
    if fmt == "pdf":
        from .guard import run_guarded
        from .pdf_lines import read_pdf
        return run_guarded(read_pdf, str(path))
    if fmt == "xlsx":
        from .xlsx import read_xlsx
        return read_xlsx(path)
    if fmt == "html":
        from .html import read_html
        return read_html(path)
    src = read_text(path)
    return Source(path=str(path), format="text", lines=src.lines, encoding=src.encoding)
