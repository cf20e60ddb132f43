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
    ocr_pages: list[int] = field(default_factory=list)   # pages without a text layer
    ocr_read: bool = False                                # … and they were read by OCR


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
    """Every format is read in the bounded child of guard.py (memory and CPU limits, one clear error)."""
    from .guard import run_guarded
    fmt = sniff(path)
    if fmt == "pdf":
        return _read_pdf(path)
    return run_guarded(_READERS[fmt], str(path))


def _read_xlsx(path: str) -> Source:
    from .xlsx import read_xlsx
    return read_xlsx(path)


def _read_html(path: str) -> Source:
    from .html import read_html
    return read_html(path)


def _read_text(path: str) -> Source:
    src = read_text(path)
    return Source(path=str(path), format="text", lines=src.lines, encoding=src.encoding)


_READERS = {"xlsx": _read_xlsx, "html": _read_html, "text": _read_text}


OCR_SECONDS_PER_PAGE = 60   # CPU seconds allowed per scanned page (RapidOCR needs ~2-5)
OCR_MEM_MB = 4096           # ONNX Runtime reserves more address space than PDFium


def _read_pdf(path: str | Path) -> Source:
    """Text layer in one bounded child; scanned pages, when the OCR extra is installed, in another."""
    from dataclasses import replace

    from .guard import run_guarded
    from .ocr import available
    from .pdf_lines import read_pdf, read_scanned
    src = run_guarded(read_pdf, str(path))
    if not src.ocr_pages or not available():
        return src
    scanned = run_guarded(read_scanned, str(path), src.ocr_pages, mem_mb=OCR_MEM_MB,
                          seconds=60 + OCR_SECONDS_PER_PAGE * len(src.ocr_pages))
    merged = sorted(src.lines + scanned, key=lambda ln: (ln.page, ln.ocr, ln.no))
    lines = [replace(ln, no=i) for i, ln in enumerate(merged, start=1)]
    return Source(path=src.path, format="pdf", lines=lines, pages=src.pages, ocr_pages=src.ocr_pages,
                  ocr_read=True)
