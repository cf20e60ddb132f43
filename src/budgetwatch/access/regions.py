"""The tenant tree. Regions are the feed model's `regions` rows (9-digit 财政区划 codes with their parent);
where that table is absent or a code is not in it, the code itself gives the parent: 14|11|23|000 is a
county of the city 141100000 of the province 140000000."""
from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

PARTS = ((0, 2), (2, 4), (4, 6), (6, 9))


def _significant(code: str) -> str:
    """The code without its trailing zero parts: 141100000 → 1411."""
    keep = 0
    for i, (a, b) in enumerate(PARTS):
        if code[a:b].strip("0"):
            keep = b
    return code[:keep]


def parent_by_code(code: str) -> str | None:
    sig = _significant(code)
    for a, b in reversed(PARTS):
        if len(sig) == b and b > 2:
            return (sig[:a] + "0" * 9)[:9]
    return None


def is_code(code: str) -> bool:
    return len(code) == 9 and code.isdigit()


def known_parents(s: Session) -> dict[str, str | None]:
    """{code: parent code} of every region the database knows (the regions table, if there is one)."""
    bind = s.get_bind()
    if not inspect(bind).has_table("regions"):
        return {}
    return {c: p for c, p in s.execute(text("select code, parent_code from regions"))}


def descendants(s: Session, codes, also: set[str] = frozenset()) -> dict[str, set[str]]:
    """{code: every region below it}, for each of `codes`, over the regions table and the codes in `also`."""
    parents = known_parents(s)
    for c in also:
        parents.setdefault(c, parent_by_code(c))
    children: dict[str, set[str]] = {}
    for c, p in parents.items():
        p = p or parent_by_code(c)
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
    bind = s.get_bind()
    if not inspect(bind).has_table("regions"):
        return {}
    return {c: n for c, n in s.execute(text("select code, name from regions"))}
