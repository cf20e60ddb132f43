"""`column IN (values…)` for a list known only when a page is asked (the ids of a page of versions, of
forms, of units' names), in the statements the web reads build once (`functools.cache`, one per dialect).

SQLAlchemy renders `IN` with one parameter per value, anew at every execution (50 names and 50 values for a
page of 50 versions), and keys a statement built anew by walking it: together two thirds of a small query's
CPU. On PostgreSQL the list goes as one array parameter, `= ANY(:ids)` — what PostgreSQL makes of an IN list
anyway, so the plan is the same — and the SQL text stays the same whatever the list's length (the driver
prepares it once). SQLite has no arrays: there it stays an expanding IN."""

from __future__ import annotations

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def dialect_of(s: Session) -> str:
    """The name of the dialect of the session's database ("postgresql", "sqlite")."""
    return s.get_bind().dialect.name


def among(dialect: str, column, name: str):
    """The condition "`column` is one of the values of parameter `name`" (a list, given at execution)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
