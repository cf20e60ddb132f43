"""The layout tolerances of the page readers in one settings object (as pdfplumber's table_settings): how
close two rulings must be to be one, how wide a gap splits a cell, what a ruling is. Distances in points
(1/72 inch, the PDF's unit; CSS pixels for positioned HTML); factors are of the font size.

`LAYOUT` holds the values every reader uses; `budgetwatch debug-page` draws what they find on a page. `OCR` holds
the scan reader's (ocr.py), in pixels of the page as rendered at its `dpi`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutSettings:
    # rulings (layout.py)
    snap: float = 1.5  # parallel rulings closer than this are one ruling
    join: float = 2.5  # collinear pieces with gaps below this are one ruling
    touch: float = 2.5  # a horizontal and a vertical ruling this close touch (grid lines merge too)
    span_slack: float = 1.0  # a ruling passes a band's middle when it reaches within this of it
    grid_extend: float = 3.0  # a table's outer ruling this far beyond the last crossing adds a column/row
    # text (layout.py)
    line_overlap: float = 0.45  # glyphs whose centres differ by less than this × size share a line
    word_gap: float = 0.5  # a gap wider than this × size is a space
    cell_gap: float = 1.6  # … and wider than this × size, outside a grid, a new cell
    double_overlap: float = 0.8  # a glyph over its twin by this share of its width is a fake-bold double …
    double_shift: float = 0.3  # … when their centres are less than this × size apart vertically
    # a word whose glyphs follow within this × size of each other across a drawn ruling is one text run past its
    # cell, drawn clipped (layout._crossing_runs)
    crossing_gap: float = 0.15
    crossing_glyphs: int = 2  # … with at most this many glyphs past the ruling on either side
    overprint: float = 0.5  # a glyph overlapping its left neighbour by this × its width more than its …
    # neighbours overlap theirs is drawn over it (layout._overprinted_runs)
    # two texts drawn over each other on one line (layout._unwoven): a text's glyphs share a top within
    # woven_top × size and a size within woven_size × size; a glyph overlapping the other text's by woven_overlap ×
    # the narrower width is drawn over it; at least woven_turns changes of text, woven_over of them overlapping
    woven_top: float = 0.1
    woven_size: float = 0.05
    woven_overlap: float = 0.2
    woven_turns: int = 4
    woven_over: int = 3
    # a cell's text run on below the row's lower ruling (layout._lift_overflow): glyphs whose tops are more than
    # overflow_rise × size above the next row's ruling started in the row above; drawn over the next cell's first
    # line when each covers overflow_cover of its width of one of that line's glyphs (a line of one cell never
    # overlaps another), else a line of its own when the next starts within overflow_gap × size of it
    overflow_rise: float = 0.1
    overflow_cover: float = 0.5
    overflow_gap: float = 0.9
    # … and, as a line of its own, in the size of the cell above's last line within overflow_size × size (a cell's
    # text is set in one size: a wrapped 24995.9 | 4 in a larger font below a 0.00 is the lower cell's own)
    overflow_size: float = 0.1
    # a merged project name printed outside a form's rows (forms_tabular.MergedNames): its text box may start
    # this far left of the name column's band (a box's side bearing over the ruling) and run this far past its
    # right edge before the rest is the amounts' overflow on the same line
    name_band_slack: float = 3.0
    # a page's grid is the table's first grid when every column's edges lie within this of its (extract/tables.py
    # align_columns: a continuation page without the header's extra rulings has its cells moved into those columns)
    same_grid: float = 3.0
    # what a drawing is (pdf.py)
    ruling_thickness: float = 2.5  # a path thinner than this (and longer than ruling_length) is a ruling
    ruling_length: float = 2.0
    stroke_straight: float = 1.0  # a stroked segment this close to level (or plumb) is a ruling
    background_share: float = 0.9  # a path covering this share of the page's width and height is its background
    image_share: float = 0.25  # an image covering this share of the page's area makes it a scan …
    min_glyphs: int = 8  # … when the page has fewer characters than this (pdf_lines.py)
    # positioned HTML (html_positioned.py)
    html_ruling: float = 2.0  # an empty box at most this thick (and longer) is a ruling
    latin_advance: float = 0.55  # a non-CJK character's width, × font size
    html_font_size: float = 12.0  # a box without a font size …
    html_max_box_font: float = 40.0  # … takes its height as the size when below this


LAYOUT = LayoutSettings()


@dataclass(frozen=True)
class OcrSettings:
    dpi: float = 250  # a scanned page is rendered at this resolution; text is recognised from it
    # text lines are found on the page shrunk to this longest side (pixels; 0: as rendered). A line's box needs
    # far fewer pixels than its characters: 1472 (≈125 dpi on A4) costs a fifth of the full page's detection
    detect_side: int = 1472
    # a line is padded to at least this width for recognition; RapidOCR's 320 (its training shape) pads a
    # `0.00` to six times its width, and recognition costs by the width (benchmarks/ocr_throughput.py)
    rec_min_width: int = 48
    rec_batch: int = 6  # lines recognised together (sorted by width, so little padding)
    max_side: int = 3000  # RapidOCR shrinks larger images before detection
    threads: int = 1  # a pool's threads spin while they wait: on a busy machine the CPU a page takes doubles
    min_rule_px: int = 50  # a ruling is at least this long
    max_skew_deg: float = 5.0
    skew_shrink: float = 0.5  # the skew is found on the page at this size: the same angle, for a seventh of the time
    skew_run: int = 15  # … from runs of ink at least this long (pixels at that size) …
    skew_min_share: float = 0.1  # … joined into pieces at least this share of the page's width
    skew_thickness: int = 12  # … and no taller than their slope allows plus this (pixels: a ruling's own width)
    # a vertical ruling across a text box's whole height (within this share of it) separates two cells' texts
    rule_cover: float = 0.1
    rule_reach: float = 1.5  # … and is this many times as long as the box is high (a character's stroke is not)
    # a ruling's own pixels at `dpi`: a cut box keeps off them; a text box's edge may lie this far over one
    ruling_px: int = 3
    min_piece: float = 0.25  # a cut piece narrower than this share of the box's height holds no character: dropped


OCR = OcrSettings()
