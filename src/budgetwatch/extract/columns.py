"""A printed table's column as the table reader understands it: what it holds (a figure's key, a code, a
name…) and where it sits. Its own module: the table reader and the page-break joins both use it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Column:
    index: int
    role: str  # value | code | name | gov_name | skip | auto
    key: str | None = None  # for value columns
    sub: str = "code"  # for code columns: 类 | 款 | 项 | code
    side: str | None = None
    label: str = ""
    path: list = field(default_factory=list)
    group: int = 0  # expenditure halves printing several classifications side by side
