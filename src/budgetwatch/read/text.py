"""Converted-text disclosures (markdown or plain text from PDF converters) → numbered lines of cells.

Decoding detects UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern) and GB18030/GBK.
Anything else — empty files, binary garbage, undecodable bytes — raises InputError.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import Code, InputError

MAX_TEXT_BYTES = 16 * 1024 * 1024  # a converted 500-page disclosure is a few MiB

_MARKUP = re.compile(r"</?(?:b|strong|i|em|p|span|u|br)\s*/?>", re.I)
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_SEPARATOR = re.compile(r"^[\s|:\-=]*$")
_NOTE = re.compile(r"^[^：:\d]{1,8}[：:]")


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the file
    text: str  # the line with markup removed, stripped
    cells: tuple[str, ...]  # tab- or pipe-separated cells, each stripped; one cell for prose
    heading: bool = False  # printed as a markdown heading
    page: int | None = None  # PDF input: 1-based page (then `no` only orders lines)
    boxes: tuple | None = None  # PDF input: (x0, top, x1, bottom) of each cell, None where empty
    ocr: bool = False  # the page was read by OCR
    spans: tuple | None = None  # PDF input: each cell's column band (x0, x1), to align pages of one table
    ruled: tuple | None = None  # PDF grid row: each cell ruled above it or not (merged with the cell above)
    file: str | None = None  # the file's name, where a document is read from several (pages restart in each)

    @property
    def opens(self) -> bool | None:
        """PDF grid row: ruled above across its leftmost column (a new block of merged cells)."""
        return None if self.ruled is None else self.ruled[0]

    @property
    def location(self) -> dict:
        loc: dict = {"page": self.page} if self.page is not None else {"line": self.no}
        if self.file is not None:
            loc["file"] = self.file
        return loc

    @cached_property
    def is_row(self) -> bool:
        """Two or more filled cells that are not all 'label：value' notes (单位：万元, 部门名称：…).

        A title or note that a converter put inside the grid (one filled cell) is a line of text.
        """
        filled = [c for c in self.cells if c]
        return len(filled) > 1 and not all(_NOTE.match(c) for c in filled)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass
class TextSource:
    path: str
    lines: list[Line]
    encoding: str


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise InputError naming the file."""
    if not data.strip():
        raise InputError(path, "empty file", code=Code.empty)
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path), "utf-16"
    if _looks_utf16(data):
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return _strict(data, enc, path), enc
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary data, not a text disclosure", code=Code.binary)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            path, "undecodable bytes: neither UTF-8, UTF-16 nor GB18030 text", code=Code.undecodable
        ) from None
    if _cjk_ratio(text) < 0.05:
        raise InputError(path, "undecodable bytes: not Chinese text in any supported encoding", code=Code.undecodable)
    return text, "gb18030"


def _strict(data: bytes, enc: str, path: str) -> str:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        raise InputError(path, f"undecodable bytes: invalid {enc.upper()} text", code=Code.undecodable) from None
    return text.lstrip("\ufeff")


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return odd.count(0) > 0.3 * len(odd) or even.count(0) > 0.3 * len(even)


def _cjk_ratio(text: str) -> float:
    sample = text[:20000]
    visible = [c for c in sample if not c.isspace()]
    if not visible:
        return 0.0
    return sum(1 for c in visible if "\u4e00" <= c <= "\u9fff") / len(visible)


# control characters but tab, line feed, form feed and carriage return; private use; U+FFF0 and above
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff\ufff0-\U0010ffff]")


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def split_cells(raw: str) -> tuple[str, ...]:
    s = raw.rstrip("\r\n")
    tidy = clean if _UNTIDY.search(s) else str.strip  # most lines have nothing for `clean` to remove
    if "\t" in s:
        return tuple(map(tidy, s.split("\t")))
    t = s.strip()
    if t.startswith("|") and t.endswith("|") and t.count("|") >= 3:
        return tuple(map(tidy, t[1:-1].split("|")))
    return (tidy(s),)


_UNTIDY = re.compile("[<#*\u3000\xa0]")  # what `clean` removes begins with one of these


def clean(s: str) -> str:
    if "<" in s:  # the patterns looked for only where their first character is (most cells have neither)
        s = _MARKUP.sub("", s)
    if "#" in s:
        s = _HEADING.sub("", s)
    s = s.replace("**", "").replace("\u3000", " ").replace("\xa0", " ")
    return s.strip()


def make_line(no: int, cells, **extra) -> Line | None:
    """A reader's row of cells → a Line (None when it carries no text); a lone cell is the line's text."""
    cells = tuple(clean(c) for c in cells)
    text = " ".join(c for c in cells if c)
    if not text:
        return None
    return Line(no=no, text=text, cells=cells if len(cells) > 1 else (text,), **extra)


def to_lines(text: str) -> list[Line]:
    out = []
    for i, raw in enumerate(text.splitlines(), start=1):
        cells = split_cells(raw)
        if len(cells) > 1 and all(_SEPARATOR.match(c) for c in cells):
            cells = ("",)  # markdown/converter rule line: carries nothing
        heading = "#" in raw and bool(_HEADING.match(raw))
        text_ = " ".join(c for c in cells if c) if len(cells) > 1 else cells[0]
        out.append(Line(no=i, text=text_, cells=cells, heading=heading))
    return out


def read_text(path: str | Path) -> TextSource:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}", code=Code.unreadable) from None
    if p.is_dir():
        raise InputError(path, "is a directory", code=Code.unreadable)
    if size > MAX_TEXT_BYTES:
        raise InputError(path, f"too large for a text disclosure ({size // (1024 * 1024)} MiB)", code=Code.too_large)
    data = p.read_bytes()
    text, enc = decode(data, str(path))
    if _control_ratio(text) > 0.02:
        raise InputError(path, "binary data, not a text disclosure", code=Code.binary)
    return TextSource(path=str(path), lines=to_lines(text), encoding=enc)
