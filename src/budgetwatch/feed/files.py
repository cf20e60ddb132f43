"""Reading finance exports: CSV (UTF-8 or GBK/GB18030, detected) and XLSX, streamed row by row."""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .codes import Bad

SUFFIXES = {".csv", ".txt", ".xlsx"}
SAMPLE = 1 << 16


@dataclass
class Sheet:
    path: Path
    header: list[str]
    rows: Iterator[list[str]]  # data rows, streamed
    encoding: str | None


def sha256_of(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.name):
        h.update(p.name.encode() + b"\0")
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def feed_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(
                f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith(".")
            )
        else:
            out.append(p)
    return out


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the start decodes as UTF-8, else GB18030 (a superset of GBK) when it
    decodes as that; anything else cannot be read."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(sample, final=len(sample) < SAMPLE)
            if enc == "gb18030" and "\ufffd" in sample.decode(enc, errors="replace"):
                continue
            return enc
        except UnicodeDecodeError:
            continue
    raise Bad("E_ENCODING", "文件既不是UTF-8也不是GBK/GB18030编码")


def open_sheet(path: Path) -> Sheet:
    """The header and a stream of rows; Bad(E_ENCODING / E_FILE) when the file cannot be read."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path)
    enc = detect_encoding(path)
    f = open(path, encoding=enc, newline="")  # noqa: SIM115 -- held open by rows(), which closes it
    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        f.close()
        raise Bad("E_FILE", "文件为空") from None
    except UnicodeDecodeError:
        f.close()
        raise Bad("E_ENCODING", f"文件不是{enc}编码") from None

    def rows():
        try:
            for row in reader:
                if any(c.strip() for c in row):
                    yield row
        except UnicodeDecodeError as e:
            raise Bad("E_ENCODING", f"第{reader.line_num}行附近的字节不是{enc}编码（{e.reason}）") from None
        finally:
            f.close()

    return Sheet(path, header, rows(), enc)


def _xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise Bad("E_FILE", f"无法读取XLSX文件（{type(e).__name__}）") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = [_cell(v) for v in next(it)]
    except StopIteration:
        wb.close()
        raise Bad("E_FILE", "工作表为空") from None

    def rows():
        try:
            for row in it:
                cells = [_cell(v) for v in row]
                if any(cells):
                    yield cells
        finally:
            wb.close()

    return Sheet(path, header, rows(), None)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ") if (v.hour, v.minute, v.second) != (0, 0, 0) else v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)
