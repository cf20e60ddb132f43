"""Files of one folder → documents: a disclosure published as two files (the 说明 in one, the
tables in the other — Beijing, Jiangsu) is paired from the files' content, never their names.

A narrative file (prose, no tables) pairs with a tables file (tables, little prose) of the same
year and stage whose unit agrees (or is not printed) and whose 总计/合计 figures the narrative
quotes. Everything else is a document of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BudgetwatchError
from ..read.formats import Source, read_source
from ..vocab.units import WHOLE_TOTAL_NAMES, alternation
from .document import find_titles
from .meta import find_stage, find_unit, find_year
from .text_rules import nospace, parse_amount

PROSE_MIN = 20  # a narrative runs to dozens of prose lines
LEAD_MAX = 30  # a tables file starts with its tables
_TOTAL = re.compile(alternation(WHOLE_TOTAL_NAMES))


@dataclass
class Profile:
    path: Path
    unit: str | None = None
    year: int | None = None
    stage: str | None = None
    tables: int = 0
    first_table: int | None = None  # index of the line of the first table title
    prose: int = 0
    totals: set[str] = field(default_factory=set)
    text: str = ""
    source: Source | None = None  # what was read, handed on to extraction (each file is read once)

    @property
    def narrative_only(self) -> bool:
        return self.tables == 0 and self.prose >= PROSE_MIN

    @property
    def tables_only(self) -> bool:
        """Tables from the first lines on (long form texts after them are not a 说明)."""
        return self.tables >= 3 and (self.prose < PROSE_MIN or (self.first_table or 0) < LEAD_MAX)


def profile(path: Path) -> Profile | None:
    try:
        src = read_source(path)
    except BudgetwatchError:
        return None  # the reader's error is reported when the file is extracted on its own
    lines = src.lines
    titles = find_titles(lines)
    kinds = [k for _, k in titles if k not in ("project_form", "unit_performance", "other")]
    title_texts = [lines[i].text for i, _ in titles]
    p = Profile(
        path=path,
        source=src,
        unit=find_unit(lines),
        year=find_year(lines, title_texts),
        stage=find_stage(lines, title_texts),
        tables=len(kinds),
        first_table=next((i for i, k in titles if k not in ("project_form", "unit_performance", "other")), None),
    )
    prose = [ln.text for ln in lines if not ln.is_row and len(nospace(ln.text)) >= 18]
    p.prose = len(prose)
    p.text = nospace("".join(prose)).replace(",", "")
    for ln in lines:
        if ln.is_row and any(_TOTAL.search(nospace(c)) for c in ln.cells if c):
            for c in ln.cells:
                a = parse_amount(c) if c else None
                if a is not None and a > 0:
                    p.totals.add(f"{a:.2f}")
    return p


def _compatible(n: Profile, t: Profile) -> bool:
    if n.year and t.year and n.year != t.year:
        return False
    if n.stage and t.stage and n.stage != t.stage:
        return False
    return not (n.unit and t.unit and not _same_unit(n.unit, t.unit))


def _same_unit(a: str, b: str) -> bool:
    """江苏省委办公厅 and 中共江苏省委办公厅 name one unit: one name contains the other."""
    a, b = nospace(a), nospace(b)
    return a in b or b in a


def _score(n: Profile, t: Profile) -> int:
    quoted = sum(1 for s in t.totals if s in n.text)
    return quoted + (3 if n.unit and t.unit and _same_unit(n.unit, t.unit) else 0)


def read_documents(paths: list[Path]) -> Iterator[tuple[list[Path], dict[Path, Source]]]:
    """The documents of one folder, each with what was read of its files: a complete disclosure as soon as
    it is read, the narrative-only and tables-only files once the folder is read and they are paired."""
    waiting: list[Profile] = []
    for path in paths:
        pr = profile(path)
        if pr is None:
            yield [path], {}  # unreadable: extraction reports the reader's error
        elif pr.narrative_only or pr.tables_only:
            waiting.append(pr)
        else:
            yield [path], {path: pr.source} if pr.source is not None else {}
    for group in _pair(waiting):
        yield [pr.path for pr in group], {pr.path: pr.source for pr in group if pr.source is not None}


def _pair(profiles: list[Profile]) -> list[list[Profile]]:
    """Pair narrative-only with tables-only files; the others stand alone. Order kept."""
    narratives = [pr for pr in profiles if pr.narrative_only]
    tables = [pr for pr in profiles if pr.tables_only]
    candidates = sorted(
        ((_score(n, t), i, j) for i, n in enumerate(narratives) for j, t in enumerate(tables) if _compatible(n, t)),
        reverse=True,
    )
    partner: dict[Path, Profile] = {}
    used_n, used_t = set(), set()
    for score, i, j in candidates:
        if score < 1 or i in used_n or j in used_t:
            continue
        used_n.add(i)
        used_t.add(j)
        partner[narratives[i].path] = tables[j]
        partner[tables[j].path] = narratives[i]
    groups: list[list[Profile]] = []
    seen: set[Path] = set()
    for pr in profiles:
        if pr.path in seen:
            continue
        other = partner.get(pr.path)
        if other is not None:
            pair = [pr, other] if pr.narrative_only else [other, pr]
            groups.append(pair)
            seen.update((pr.path, other.path))
        else:
            groups.append([pr])
            seen.add(pr.path)
    return groups
