"""Glyphs and ruling edges of one page → rows of cells, top to bottom.

Ruled tables: the rulings define a grid; a cell without a ruling on its right (or below) is
merged with its neighbour, and its text goes to the merged cell's first column (top row), so
a spanning header label sits where the text reader expects it. Text outside any grid is
grouped into lines, split into cells at wide gaps (an unruled table's columns are then put in
place by the table parser's column alignment, by position).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

from .pdf import Glyph, PdfPage
from .settings import LAYOUT, LayoutSettings

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class LaidRow:
    top: float
    cells: list[str]
    boxes: Sequence[Box | None]
    spans: list[tuple[float, float]]  # each cell's column band (x0, x1): grid columns or text extents
    ruled: tuple[bool, ...] | None = None  # grid rows: a ruling above each column's cell (a new cell begins there)

    @property
    def opens(self) -> bool | None:
        """Grid rows: a ruling above the row across the leftmost column (a new block of merged cells)."""
        return None if self.ruled is None else self.ruled[0]


@dataclass
class _Grid:
    xs: list[float]
    ys: list[float]
    hs: list[tuple[float, float, float]]
    vs: list[tuple[float, float, float]]
    settings: LayoutSettings = LAYOUT

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def column_at(self, x: float) -> int:
        """The column band x lies in (the outer bands for a point outside)."""
        return min(max(bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)

    def row_at(self, y: float) -> int:
        return min(max(bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)

    @cached_property
    def v_ruled(self) -> list[list[bool]]:
        """[c][r]: is there a ruling at xs[c] through row band r? Found once a grid, the frame always ruled."""
        return _ruled(self._v_at, self.ys, self.settings.span_slack)

    @cached_property
    def h_ruled(self) -> list[list[bool]]:
        """[r][c]: is there a ruling at ys[r] across column band c?"""
        return _ruled(self._h_at, self.xs, self.settings.span_slack)

    @cached_property
    def _v_at(self) -> list[list[tuple[float, float]]]:
        """For each column line, the extents of the vertical rulings on it: found once a grid, not per cell."""
        return _on_lines(self.vs, self.xs, self.settings.touch)

    @cached_property
    def _h_at(self) -> list[list[tuple[float, float]]]:
        return _on_lines(self.hs, self.ys, self.settings.touch)


def _ruled(on_lines: list[list[tuple[float, float]]], across: list[float], slack: float) -> list[list[bool]]:
    """For each line, for each band between two of `across`: does a ruling on the line pass the band's middle
    (a - slack < middle < b + slack)? The first and last lines are the grid's frame: ruled everywhere."""
    mids = [(p + q) / 2 for p, q in zip(across, across[1:])]
    out = []
    for k, spans in enumerate(on_lines):
        if k == 0 or k == len(on_lines) - 1:
            out.append([True] * len(mids))
            continue
        row = [False] * len(mids)
        for a, b in spans:
            for m in range(bisect_right(mids, a - slack), bisect_left(mids, b + slack)):
                row[m] = True
        out.append(row)
    return out


def _on_lines(edges: list[tuple[float, float, float]], lines: list[float], t: float) -> list[list[tuple[float, float]]]:
    return [[(a, b) for pos, a, b in edges if abs(pos - at) < t] for at in lines]


def _merge(edges: list[tuple[float, float, float]], st: LayoutSettings = LAYOUT) -> list[tuple[float, float, float]]:
    """Snap nearly equal positions, join collinear pieces."""
    out: list[tuple[float, float, float]] = []
    edges = sorted(edges)
    i = 0
    while i < len(edges):
        j = i
        while j + 1 < len(edges) and edges[j + 1][0] - edges[j][0] <= st.snap:
            j += 1
        group = edges[i : j + 1]
        pos = sum(e[0] for e in group) / len(group)
        spans = sorted((a, b) for _, a, b in group)
        a, b = spans[0]
        for s, e in spans[1:]:
            if s <= b + st.join:
                b = max(b, e)
            else:
                out.append((pos, a, b))
                a, b = s, e
        out.append((pos, a, b))
        i = j + 1
    return out


def _components(hs, vs, st: LayoutSettings = LAYOUT) -> list[tuple[list, list]]:
    parent = list(range(len(hs) + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (hy, hx0, hx1) in enumerate(hs):
        for j, (vx, vy0, vy1) in enumerate(vs):
            t = st.touch
            if hx0 - t <= vx <= hx1 + t and vy0 - t <= hy <= vy1 + t:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _positions(values: list[float], st: LayoutSettings = LAYOUT) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= st.touch:
            continue
        out.append(v)
    return out


def _grid(hs, vs, st: LayoutSettings = LAYOUT) -> _Grid | None:
    xs = _positions([v[0] for v in vs], st)
    ys = _positions([h[0] for h in hs], st)
    left, right = min(h[1] for h in hs), max(h[2] for h in hs)
    top, bottom = min(v[1] for v in vs), max(v[2] for v in vs)
    ext = st.grid_extend
    if left < xs[0] - ext:
        xs.insert(0, left)
    if right > xs[-1] + ext:
        xs.append(right)
    if top < ys[0] - ext:
        ys.insert(0, top)
    if bottom > ys[-1] + ext:
        ys.append(bottom)
    if len(xs) < 2 or len(ys) < 2:
        return None
    return _Grid(xs, ys, hs, vs, st)


_BY_CY_X0, _BY_X0 = attrgetter("cy", "x0"), attrgetter("x0")


def _text_lines(glyphs: list[Glyph], st: LayoutSettings = LAYOUT) -> list[list[Glyph]]:
    """Glyphs → lines (vertical overlap), each sorted left to right, fake-bold doubles dropped."""
    if len(glyphs) == 1:
        return [list(glyphs)]
    lines: list[list[Glyph]] = []
    overlap = st.line_overlap
    for g in sorted(glyphs, key=_BY_CY_X0):
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(g.cy - ref.cy) < overlap * max(min(g.size, ref.size), 1):
                last.append(g)
                continue
        lines.append([g])
    out = []
    for ln in lines:
        ln.sort(key=_BY_X0)
        kept = [ln[0]]
        woven = False
        for g in ln[1:]:
            p = kept[-1]
            if g.ch == p.ch and _same_place(p, g, st):
                continue
            woven = woven or g.x0 < p.x1 - st.overprint * (g.x1 - g.x0)
            kept.append(g)
        out.extend(_unwoven(kept, st) if woven else [kept])
    return out


def _unwoven(line: list[Glyph], st: LayoutSettings = LAYOUT) -> list[list[Glyph]]:
    """Two texts drawn over each other on one line — a cell's clipped overflow from the page before, under
    a header's label (项目名称 over 11000026T00000375…, glyph by glyph) — are two lines: each text's glyphs
    share one top and size and do not overlap each other, and the two overlap each other all along the line.
    (A font whose boxes overlap all along, figures drawn over a neighbour's, or two fonts taking turns along
    one text stay one line.)"""
    texts: list[list[Glyph]] = []
    of: dict[int, int] = {}
    for g in sorted(line, key=lambda g: (g.top, g.size)):
        same = (
            abs(g.top - t[0].top) < st.woven_top * g.size and abs(g.size - t[0].size) < st.woven_size * g.size
            for t in texts
        )
        k = next((k for k, s in enumerate(same) if s), len(texts))
        if k == len(texts):
            texts.append([])
        texts[k].append(g)
        of[id(g)] = k
    turns = [(a, b) for a, b in zip(line, line[1:]) if of[id(a)] != of[id(b)]]
    over = sum(b.x0 < a.x1 - st.woven_overlap * min(a.x1 - a.x0, b.x1 - b.x0) for a, b in turns)
    if len(texts) < 2 or len(turns) < st.woven_turns or over < st.woven_over or 2 * over < len(turns):
        return [line]
    for t in texts:
        t.sort(key=_BY_X0)
        if any(b.x0 < a.x1 - st.woven_overlap * (b.x1 - b.x0) for a, b in zip(t, t[1:])):
            return [line]
    return sorted(texts, key=lambda t: t[0].cy)


def _same_place(a: Glyph, b: Glyph, st: LayoutSettings = LAYOUT) -> bool:
    """A fake-bold double: the same glyph drawn again almost where it was (its box overlaps the first's by
    most of its width). A real repeated glyph (the second 0 of 100) is offset by its advance, which can be
    half its box when the font's boxes are wide, and far less than its height when they are tall."""
    w = min(a.x1 - a.x0, b.x1 - b.x0)
    return (
        w > 0
        and min(a.x1, b.x1) - max(a.x0, b.x0) > st.double_overlap * w
        and abs(a.cy - b.cy) < st.double_shift * max(a.size, 1)
    )


def _join(glyphs: list[Glyph], st: LayoutSettings = LAYOUT) -> str:
    parts = [glyphs[0].ch]
    for p, g in zip(glyphs, glyphs[1:]):
        if g.x0 - p.x1 > st.word_gap * max(min(g.size, p.size), 1):
            parts.append(" ")
        parts.append(g.ch)
    return "".join(parts)


def _box(glyphs: list[Glyph]) -> Box:
    if len(glyphs) == 1:
        g = glyphs[0]
        return round(g.x0, 1), round(g.top, 1), round(g.x1, 1), round(g.bottom, 1)
    return (
        round(min([g.x0 for g in glyphs]), 1),
        round(min([g.top for g in glyphs]), 1),
        round(max([g.x1 for g in glyphs]), 1),
        round(max([g.bottom for g in glyphs]), 1),
    )


def _split(line: list[Glyph], st: LayoutSettings = LAYOUT) -> list[list[Glyph]]:
    segs = [[line[0]]]
    for p, g in zip(line, line[1:]):
        if g.x0 - p.x1 > st.cell_gap * max(min(g.size, p.size), 1):
            segs.append([g])
        else:
            segs[-1].append(g)
    return segs


def _grid_rows(grid: _Grid, glyphs: list[Glyph]) -> list[LaidRow]:
    ncols, nrows = len(grid.xs) - 1, len(grid.ys) - 1
    v_ruled, h_ruled = grid.v_ruled, grid.h_ruled
    start = [[0] * ncols for _ in range(nrows)]
    for r in range(nrows):
        row = start[r]
        for c in range(1, ncols):  # column 0 begins a cell, always
            row[c] = c if v_ruled[c][r] else row[c - 1]
    anchor = [[0] * ncols for _ in range(nrows)]
    for c in range(ncols):
        for r in range(1, nrows):  # so does row 0
            anchor[r][c] = r if h_ruled[r][c] else anchor[r - 1][c]
    cells: dict[tuple[int, int], list[Glyph]] = {}
    by_line = sorted(glyphs, key=lambda g: (round(g.cy), g.x0))  # the order both run finders read
    moved = _crossing_runs(grid, by_line, start) | _overprinted_runs(grid, by_line)
    xs, ys, last_row, last_col = grid.xs, grid.ys, nrows - 1, ncols - 1
    for g in glyphs:  # the page's every glyph: row_at / column_at inlined, the bounds tested without calls
        r = bisect_right(ys, g.cy) - 1
        r = 0 if r < 0 else last_row if r > last_row else r
        col = moved.get(id(g)) if moved else None
        if col is None:
            col = bisect_right(xs, g.cx) - 1
            col = 0 if col < 0 else last_col if col > last_col else col
        a = anchor[r][col]
        key = (a, start[a][col])
        if key in cells:
            cells[key].append(g)
        else:
            cells[key] = [g]
    lines = {key: _text_lines(gl, grid.settings) for key, gl in cells.items()}
    _lift_overflow(grid, lines, anchor, start)
    out = []
    for r in range(nrows):
        texts = [""] * ncols
        boxes: list[Box | None] = [None] * ncols
        filled = False
        for c in range(ncols):
            lns = lines.get((r, c))
            if not lns:
                continue
            texts[c] = "".join(_join(ln, grid.settings) for ln in lns)
            boxes[c] = _box([g for ln in lns for g in ln])
            filled = True
        if filled:
            spans = [(round(grid.xs[c], 1), round(grid.xs[c + 1], 1)) for c in range(ncols)]
            ruled = tuple(anchor[r][c] == r for c in range(ncols))
            out.append(
                LaidRow(
                    top=grid.ys[r],
                    cells=texts,
                    boxes=boxes,
                    spans=spans,
                    ruled=ruled,
                )
            )
    return out


def _lift_overflow(grid: _Grid, lines: dict, anchor: list[list[int]], start: list[list[int]]) -> None:
    """A cell's wrapped text can run on past the row's lower ruling when the row is too short for it (drawn
    clipped): its last line then straddles the ruling with its centre below it, in the next row's cell, where
    it overlaps that cell's own first line (lines of one cell never overlap), or is drawn over it (read as one
    line with it). Such a line — above the ruling at its top — goes back to the end of the cell above
    (2101199-其他行政事业单位医疗 | 支出 over the next row's 2101199-…). A line in another size than the cell
    above's is the lower cell's own, risen past its ruling (a figure wrapped in a larger font, centred on its row)."""
    st = grid.settings
    for (r, c), lns in list(lines.items()):
        if r == 0 or not lns or not lines.get(key := (anchor[r - 1][c], start[anchor[r - 1][c]][c])):
            continue
        top = grid.ys[r]
        first = lns[0]
        size = max(first[0].size, 1)
        rise = top - st.overflow_rise * size
        # the overflow drawn over the cell's own first line, glyph over glyph, a little higher: one line read
        # of two texts (法定节假日值守运维保 | 障 over 周末及特殊…): the glyphs starting above the ruling go back
        up = [g for g in first if g.top < rise]
        own = [g for g in first if g.top >= rise]
        cover = st.overflow_cover
        if up and own and all(any(min(g.x1, o.x1) - max(g.x0, o.x0) > cover * (g.x1 - g.x0) for o in own) for g in up):
            lines[key].append(up)
            lns[0] = own
            continue
        if len(lns) < 2:
            continue
        below = lns[1]
        above = max(lines[key][-1], key=attrgetter("size")).size
        if (
            min(g.top for g in first) < rise
            and min(g.top for g in below) - min(g.top for g in first) < st.overflow_gap * size
            and abs(max(first, key=attrgetter("size")).size - above) <= st.overflow_size * size
        ):
            lines[key].append(first)
            del lns[0]


def _crossing_runs(grid: _Grid, line: list[Glyph], start: list[list[int]]) -> dict[int, int]:
    """A heading too wide for its cell is drawn centred and clipped at the cell's rulings: its glyphs past
    them (公 | 务用车购置及运行维护 | 费) lie in the neighbouring cells, where they would join those cells' own
    texts (公公务接待费, 费会议费). A run of text glyphs, each within crossing_gap × size of the one before, that
    crosses a drawn ruling with at most crossing_glyphs of them in any other column goes whole to the column
    most of its glyphs lie in. `line`: the grid's glyphs by line, left to right. Returns id(glyph) → column."""
    st = grid.settings
    out: dict[int, int] = {}
    run: list[Glyph] = []

    def settle() -> None:
        if len(run) < 3 or any(g.ch.isdigit() for g in run):
            return
        r = grid.row_at(run[0].cy)
        # each glyph's cell: the column its merged cell begins at, on the run's row
        cols = [start[r][grid.column_at(g.cx)] for g in run]
        if cols[0] == cols[-1]:
            return
        best = max(set(cols), key=cols.count)
        # a few glyphs past the cell (two texts abutting across a ruling are two cells' texts)
        if any(c != best and cols.count(c) > st.crossing_glyphs for c in set(cols)):
            return
        out.update((id(g), best) for g in run)

    for g in line:
        p = run[-1] if run else None
        if p is not None and (
            abs(g.cy - p.cy) < st.line_overlap * max(g.size, 1)
            and -st.crossing_gap * max(g.size, 1) <= g.x0 - p.x1 <= st.crossing_gap * max(g.size, 1)
        ):
            run.append(g)
            continue
        settle()
        run = [g]
    settle()
    return out


def _overprinted_runs(grid: _Grid, line: list[Glyph]) -> dict[int, int]:
    """A figure right-aligned in a narrow cell can overflow into the cell on its left, its first digit
    drawn over that cell's last (57.000000 beside 107.000000 reads 107.0000005 | 7.000000 glyph by
    glyph). A glyph that overlaps its left neighbour by far more than the glyphs around it overlap theirs
    starts a text of its own: that text, up to its first gap, goes whole to the column most of its glyphs
    lie in. (Boxes overlapping by the same amount all along are a font's wide boxes, not overprinting.)
    Returns id(glyph) → column for those glyphs."""
    st = grid.settings
    out: dict[int, int] = {}

    def joined(a: Glyph, b: Glyph) -> bool:  # b follows a on its line, without a space
        return abs(b.cy - a.cy) < st.line_overlap * max(b.size, 1) and b.x0 - a.x1 <= st.word_gap * max(b.size, 1)

    share = st.overprint
    for i in range(2, len(line) - 1):
        p, g = line[i - 1], line[i]
        if p.x1 - g.x0 <= share * (g.x1 - g.x0) or g.x0 < p.x0:
            continue  # the common case, decided first: no marked overlap
        q, n = line[i - 2], line[i + 1]
        if not (joined(q, p) and joined(p, g) and joined(g, n)) or _same_place(p, g, st):
            continue  # (a fake-bold double is dropped with its twin later)
        around = max(q.x1 - p.x0, g.x1 - n.x0, 0.0)
        if p.x1 - g.x0 - around <= share * (g.x1 - g.x0):
            continue
        run = [g]
        for k in range(i + 1, len(line)):
            a, b = line[k - 1], line[k]
            if not joined(a, b) or a.x1 - b.x0 - around > share * (b.x1 - b.x0):
                break
            run.append(b)
        cols = [grid.column_at(r.cx) for r in run]
        best = max(set(cols), key=cols.count)
        out.update((id(r), best) for r in run)
    return out


def page_grids(page: PdfPage, st: LayoutSettings = LAYOUT) -> list[_Grid]:
    """The ruled tables of the page: their rulings merged and the grid of their column and row lines."""
    hs, vs = _merge(page.hedges, st), _merge(page.vedges, st)
    return [g for g in (_grid(h, v, st) for h, v in _components(hs, vs, st)) if g]


def page_rows(page: PdfPage, st: LayoutSettings = LAYOUT) -> list[LaidRow]:
    grids = page_grids(page, st)
    per_grid: list[list[Glyph]] = [[] for _ in grids]
    free: list[Glyph] = []
    frames = [(gr.xs[0], gr.xs[-1], gr.ys[0], gr.ys[-1], per_grid[k]) for k, gr in enumerate(grids)]  # contains()
    for g in page.glyphs:
        x, y = g.cx, g.cy
        for x0, x1, y0, y1, into in frames:
            if x0 <= x <= x1 and y0 <= y <= y1:
                into.append(g)
                break
        else:
            free.append(g)
    rows: list[LaidRow] = []
    for grid, gl in zip(grids, per_grid):
        if gl:
            rows.extend(_grid_rows(grid, gl))
    for ln in _text_lines(free, st):
        segs = _split(ln, st)
        boxes = [_box(s) for s in segs]
        rows.append(
            LaidRow(
                top=min(g.top for g in ln),
                cells=[_join(s, st) for s in segs],
                boxes=boxes,
                spans=[(b[0], b[2]) for b in boxes],
            )
        )
    rows.sort(key=lambda r: r.top)
    return rows
