"""Typed errors: every failure the user sees names the file and the problem in one line.

An InputError carries a `code` (what kind of refusal it is) beside its message, as frictionless-py's
errors do: the CLI and the web read the code (a short Chinese label, an HTTP status) and always show the
one-line message unchanged."""

from __future__ import annotations

from enum import StrEnum


class BudgetwatchError(Exception):
    """Base class; str() is the one-line message shown to the user, `http_status` the web's answer."""

    @property
    def http_status(self) -> int:
        return 400


class Code(StrEnum):
    """Why a file was refused; `zh` is the label the web and the CLI show beside the message."""

    empty = "empty"
    binary = "binary"
    encrypted = "encrypted"
    scanned_without_ocr = "scanned_without_ocr"
    too_large = "too_large"
    not_a_disclosure = "not_a_disclosure"
    undecodable = "undecodable"
    damaged = "damaged"
    wrong_format = "wrong_format"  # the bytes are another format's (a ZIP named .pdf)
    unreadable = "unreadable"  # the file system refused (missing, permissions, a directory)
    limit = "limit"  # the bounded reader stopped it (time, memory, nesting)
    bad_figure = "bad_figure"  # a figure the database cannot hold
    checks_failed = "checks_failed"
    other = "other"

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def http_status(self) -> int:
        """The web's answer to a refusal of this kind: the file's content cannot be used (422), its kind is not
        one read (415), it is too large (413); the checks failing is the server's fault (500)."""
        return _HTTP.get(self, 422)


_ZH = {
    Code.empty: "空文件",
    Code.binary: "二进制数据",
    Code.encrypted: "加密文件",
    Code.scanned_without_ocr: "扫描件无文字层",
    Code.too_large: "文件过大",
    Code.not_a_disclosure: "不是预算公开文件",
    Code.undecodable: "无法解码",
    Code.damaged: "文件损坏",
    Code.wrong_format: "格式不符",
    Code.unreadable: "无法读取",
    Code.limit: "超出读取限制",
    Code.bad_figure: "数字异常",
    Code.checks_failed: "检查失败",
    Code.other: "无法读取",
}

_HTTP = {
    Code.too_large: 413,
    Code.binary: 415,
    Code.wrong_format: 415,
    Code.unreadable: 400,
    Code.checks_failed: 500,
    Code.other: 400,
}


class Coded(BudgetwatchError):
    """An error with a `code`: the web answers with the code's HTTP status, the CLI says its label."""

    code: Code

    @property
    def http_status(self) -> int:
        return self.code.http_status

    @property
    def label(self) -> str:
        return self.code.zh


class InputError(Coded):
    """A file that cannot be read as a budget disclosure."""

    def __init__(self, path, problem: str, code: Code | str = Code.other):
        self.path = str(path)
        self.problem = problem
        self.code = Code(code)
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):  # crosses the reader's process boundary with its code
        return (type(self), (self.path, self.problem, self.code.value))


class Refusal(Coded, ValueError):
    """An upload refused as a whole, nothing kept: its one line (each file's reason) and the code of the first."""

    def __init__(self, message: str, code: Code | str | None = Code.other):
        self.code = Code(code or Code.other)
        super().__init__(message)


class NotFound(BudgetwatchError):
    """A document, version, finding or user named by id that is not stored (404 on the web, exit 2 in the CLI)."""

    @property
    def http_status(self) -> int:
        return 404

    def __init__(self, what: str, ids, by: str = "with id", where: str = ""):
        """`by`: how the ids name it (with code, named); `where`: where it was looked for (in document 3)."""
        self.what = what
        self.ids = list(ids)
        super().__init__(f"no {what} {by} {', '.join(map(str, self.ids))}" + (f" {where}" if where else ""))
