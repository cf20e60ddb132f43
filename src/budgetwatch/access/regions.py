"""The tenant tree: store's `regions` table (9-digit 财政区划 codes with their parent, feed/regions.py).
Memberships put their region in it (with its ancestors); a code not in it still has the parent its digits
give (14|11|23|000 is a county of the city 141100000)."""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..feed.regions import ensure_region, parent_of  # noqa: F401  (re-exported for the access modules)
from ..store.schema import Region


def is_code(code: str) -> bool:
    return len(code) == 9 and code.isdigit()


def descendants(s: Session, codes, also: Set[str] = frozenset()) -> dict[str, set[str]]:
    """{code: every region below it}, for each of `codes`, over the regions table and the codes in `also`."""
    parents = {c: p for c, p in s.execute(select(Region.code, Region.parent_code))}
    for c in also:
        parents.setdefault(c, parent_of(c))
    children: dict[str, set[str]] = {}
    for c, p in parents.items():
        p = p or parent_of(c)
        if p:
            children.setdefault(p, set()).add(c)
    out = {}
    for root in codes:
        seen, todo = set(), [root]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        out[root] = seen
    return out


def region_names(s: Session) -> dict[str, str]:
    return {c: n for c, n in s.execute(select(Region.code, Region.name)) if n}
