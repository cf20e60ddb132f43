"""The 财政区划 tree: 9 digits = province 2 + city 2 + county 2 + township 3 (a 一体化 front end tests levels by
`substr(code,3,7)='0000000'` etc.), so a region's level and parent follow from its code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..store.schema import Region, table_of
from .codes import region_code

LEVELS = ("省", "市", "县", "乡")


def level_of(code: str) -> str:
    if code[2:] == "0000000":
        return "省"
    if code[4:] == "00000":
        return "市"
    if code[6:] == "000":
        return "县"
    return "乡"


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == "省":
        return None
    if level == "市":
        return code[:2] + "0000000"
    if level == "县":
        parent = code[:4] + "00000"
    else:
        parent = code[:6] + "000"
    return parent


def ensure_region(conn: Connection, code: str, name: str | None = None, aliases: list[str] | tuple = ()) -> str:
    """The region and its ancestors exist (ancestors unnamed until someone names them); a name or aliases
    given are recorded. Returns the normalised code."""
    code = region_code(code)
    t = table_of(Region)
    chain = [code]
    while (p := parent_of(chain[-1])) is not None:
        chain.append(p)
    existing = {r.code: r for r in conn.execute(select(t).where(t.c.code.in_(chain)))}
    for c in reversed(chain):  # root first: the parent row exists before its child points to it
        if c not in existing:
            conn.execute(
                t.insert().values(
                    code=c,
                    name=None,
                    parent_code=parent_of(c),
                    level=level_of(c),
                    aliases=[],
                    approval_dates={},
                    active=True,
                )
            )
    row = existing.get(code)
    new_aliases = sorted(set(row.aliases if row else []) | {a for a in aliases if a})
    values: dict[str, str | list[str]] = {}
    if name and (row is None or row.name != name):
        values["name"] = name
    if new_aliases != sorted(row.aliases if row else []):
        values["aliases"] = new_aliases
    if values:
        conn.execute(t.update().where(t.c.code == code).values(**values))
    return code
