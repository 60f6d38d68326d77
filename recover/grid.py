"""Finding table grids on a page image: ruled lines, cells with their spans, several tables.

A grid is read in three steps: the ruled lines become a lattice of row and column edges;
each edge segment between two lattice nodes is checked for ink (is there a rule here?);
lattice cells not separated by a rule are merged into spanning cells. When a page has no
usable rules, rows and columns are inferred from how the text lines up (`Grid.inferred`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels

DARK_INK = 160  # grey level below which a mark is printed ink, not grain
SPECKLED = 0.6  # character height by count below this share of it by ink: specks outnumber text
GLYPH_THIN = 0.4  # character heights: a blob of text is at least this thick...
GLYPH_LONG = 1.6  # ...and no thicker, nor (unless mostly ink) longer, than this
ROOMY = 0.6  # text heights a table's rows and columns are at least, on average
FAINT_RULE_CONTRAST = 32  # grey levels below the nearby paper that a faint rule's pixel is
FAINT_RULE_MIN_CONTRAST = 16  # ... at least, on paper without grain (grain raises it to 32)
FAINT_GRAIN_FACTOR = 3  # how many times the paper's grain a faint rule stands out above it
FAINT_GRAIN_SHARE = 90  # percentile of the paper's pixels: their grain, past a few specks
FAINT_RULE_REACH = 7  # pixels around a point searched for its paper: past a blurred rule
SMOOTHED_RULE_REACH = 4  # pixels either side of a smoothed rule its paper reaches, at least
SMOOTHED_RULE_BAND = 0.3  # ... in character heights
SMOOTHED_RULE_CONTRAST = 8  # grey levels a smoothed light rule is below that paper
SMOOTHED_RULE_RUN = 3  # character heights a smoothed rule runs on, at least
TEXT_PHRASE_GAP = 1.5  # character heights: a wider gap in a line of text parts two cells
TEXT_TABLE_GAP = 2.5  # typical row pitches between two rules-less tables, at least
TEXT_GAP_VOTE = 6  # character heights: a wider gap between two phrases counts for less
TEXT_SHORT_PHRASE = 3  # character heights: a longer phrase counts for less as a column's text


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox


@dataclass(frozen=True)
class Grid:
    """One table: the x positions of its column rules, the y positions of its row rules,
    and its cells (a merged cell is one `GridCell` with spans > 1).

    `inferred` is true when the rules were missing and rows and columns were guessed from
    the alignment of the text: later stages should trust such a grid less.
    """

    bbox: BBox
    col_edges: tuple[int, ...]
    row_edges: tuple[int, ...]
    cells: tuple[GridCell, ...]
    inferred: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def cell_at(self, row: int, col: int) -> GridCell | None:
        """The cell covering lattice position (row, col), spans included."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.row_span and (
                cell.col <= col < cell.col + cell.col_span
            ):
                return cell
        return None


@dataclass(frozen=True)
class _Scale:
    """Lengths derived from the size of the page's characters, so any DPI works."""

    char_h: int

    @property
    def gap(self) -> int:  # longest break in a rule that is still joined
        return max(3, self.char_h // 5)

    @property
    def merge_tol(self) -> int:  # rules closer than this are one (doubled lines, skew)
        return max(4, int(self.char_h * 0.35))

    @property
    def min_h_rule(self) -> int:
        return max(20, 2 * self.char_h)

    @property
    def min_v_rule(self) -> int:
        return max(16, int(1.4 * self.char_h))


@dataclass(frozen=True)
class _Rule:
    pos: float  # y of a horizontal rule, x of a vertical one
    start: int  # extent along the rule
    end: int


GridTry = Literal["ruled", "faint", "smoothed", "text"]
GRID_TRIES: tuple[GridTry, ...] = ("ruled", "faint", "smoothed", "text")


def find_grids(page: np.ndarray, how: GridTry = "ruled") -> list[Grid]:
    """Every table grid on a cleaned page image (grey or BGR), top to bottom.

    "ruled" finds grids by their rules; a page on which none is found is tried with faint
    marks too, then falls back to text-aligned grids (`inferred=True`). "faint" takes
    marks only a little darker than the paper around them for ink from the start: light
    grey rules beside dense text (see `_faint_marks`). "smoothed" takes faint marks and
    also looks for rules along their length: light grey rules that a grainy scan broke
    into specks (see `_smoothed_rules`). "text" finds only the text-aligned grids: for a
    page whose rules are too light to find but leave pieces that make grids of no table.
    """
    gray = _as_gray(page)
    grids = [] if how == "text" else _ruled_grids(gray, how != "ruled", how == "smoothed")
    if not grids and how == "ruled":
        grids = _ruled_grids(gray, True)
    if not grids:
        grids = find_text_grids(page)
    return sorted(grids, key=lambda g: (g.bbox[1], g.bbox[0]))


def _ruled_grids(gray: np.ndarray, faint: bool, smoothed: bool = False) -> list[Grid]:
    ink = _ink_mask(gray)
    if faint:
        ink |= _faint_marks(gray)
    lines, scale = _without_text(ink, gray)
    h_lines = v_lines = lines
    if smoothed:  # each direction's rules from its own smoothed marks
        h_ink, v_ink = _smoothed_rules(_text_erased(gray, ink, scale), scale)
        h_lines, v_lines = _without_text(ink | h_ink, gray)[0], _without_text(ink | v_ink, gray)[0]
    h_mask, h_check = _rule_masks(h_lines, scale, True)
    v_mask, v_check = _rule_masks(v_lines, scale, False)

    def grid_in(box: BBox, region: np.ndarray) -> Grid | None:
        x, y, w, h = box
        window = slice(y, y + h), slice(x, x + w)
        h_rules = _rules(h_mask[window] & region, True, scale, x, y)
        v_rules = _rules(v_mask[window] & region, False, scale, x, y)
        grid = _grid_from_rules(h_rules, v_rules, h_check, v_check, scale)
        return grid if grid is not None and _holds_text(grid, scale) else None

    found = [(box, region, grid) for box, region in _table_regions(h_mask, v_mask, scale)
             if (grid := grid_in(box, region)) is not None]
    grids = []
    for group in _overlapping([grid.bbox for _, _, grid in found]):
        # grids that overlap are pieces of one table whose broken rules fell apart
        joined = grid_in(*_joined([found[i][:2] for i in group])) if len(group) > 1 else None
        grids += [joined] if joined else [found[i][2] for i in group]
    return grids


def _joined(regions: Sequence[tuple[BBox, np.ndarray]]) -> tuple[BBox, np.ndarray]:
    """One region (box x, y, w, h and mask, as `_table_regions` gives) covering several."""
    x = min(b[0] for b, _ in regions)
    y = min(b[1] for b, _ in regions)
    w = max(b[0] + b[2] for b, _ in regions) - x
    h = max(b[1] + b[3] for b, _ in regions) - y
    mask = np.zeros((h, w), np.uint8)
    for (bx, by, bw, bh), region in regions:
        mask[by - y:by - y + bh, bx - x:bx - x + bw] |= region
    return (x, y, w, h), mask


def _overlapping(boxes: Sequence[BBox]) -> list[list[int]]:
    """The indices of boxes (x0, y0, x1, y1) in groups that overlap, directly or through
    others; each group in order, the groups in the order of their first box."""
    links = ((j, i) for i, (x0, y0, x1, y1) in enumerate(boxes) for j, (a0, b0, a1, b1)
             in enumerate(boxes[:i]) if a0 < x1 and x0 < a1 and b0 < y1 and y0 < b1)
    members: dict[int, list[int]] = {}
    for i, root in enumerate(_roots(len(boxes), links)):
        members.setdefault(root, []).append(i)
    return list(members.values())  # a group's root is its first box


def _roots(n: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """For each of n items, the first item joined to it through `links` (pairs of items),
    directly or through others."""
    owner = list(range(n))

    def root(k: int) -> int:
        while owner[k] != k:
            owner[k] = owner[owner[k]]
            k = owner[k]
        return k

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            owner[max(ra, rb)] = min(ra, rb)
    return [root(k) for k in range(n)]


def _as_gray(page: np.ndarray) -> np.ndarray:
    if page.ndim == 3:
        return cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    return page


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark marks (text and rules) as 255, robust to faint rules and uneven paper."""
    block = max(15, (min(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10
    )


def _faint_marks(gray: np.ndarray) -> np.ndarray:
    """Marks clearly darker than the paper right around them, as 255.

    A light grey rule (a grey-scale scan, its grain smoothed away) is only a little darker
    than the mean of a neighbourhood that holds dense text beside it, so the adaptive ink
    mask loses it exactly where it runs past a label; against the brightest nearby pixel,
    the paper, it still stands out. On a noisy page it also picks up grain, so it is the
    second try for a document in which no table, or not every table of its template, was
    found, not the first; how far it must stand out rises with the paper's grain.
    """
    reach = np.ones((FAINT_RULE_REACH, FAINT_RULE_REACH), np.uint8)
    paper = cv2.dilate(gray, reach)
    below = cv2.subtract(paper, gray)
    faint = below >= _faint_contrast(gray, below)
    return faint.astype(np.uint8) * 255


def _faint_contrast(gray: np.ndarray, below: np.ndarray) -> int:
    """How far below the paper around it a mark must be to be taken for a faint rule: well
    past the paper's grain. On paper without grain (a clean grey-scale scan, its rules
    blurred to a few dozen levels below white) that is little, on a grainy page up to
    `FAINT_RULE_CONTRAST`. The grain is how far most pixels with no dark ink near them fall
    below the brightest around them (a faint rule's few pixels do not move it)."""
    blank = cv2.erode(gray, np.ones((2 * FAINT_RULE_REACH + 1,) * 2, np.uint8)) >= DARK_INK
    if not blank.any():
        return FAINT_RULE_CONTRAST
    counts = np.cumsum(np.bincount(below[blank], minlength=256))
    grain = int(np.searchsorted(counts, counts[-1] * FAINT_GRAIN_SHARE / 100))
    return int(np.clip(FAINT_RULE_MIN_CONTRAST + FAINT_GRAIN_FACTOR * grain,
                       FAINT_RULE_MIN_CONTRAST, FAINT_RULE_CONTRAST))


def _smoothed_rules(gray: np.ndarray, scale: _Scale) -> tuple[np.ndarray, np.ndarray]:
    """Thin marks darker than the paper on both sides of them once the page is averaged
    along one direction, kept where they run on for a few characters, as 255: for
    horizontal rules, then for vertical ones.

    Pixel by pixel a light grey rule on a grainy scan, or one a two-tone scan broke into
    dots and dashes, is no darker than the grain, so every threshold breaks it into specks
    too short to be kept. Averaged over a character's height along its length, the grain
    and the gaps even out and the rule stays darker than the bands just above and below it.
    A stroke of text averaged so has more strokes in those bands, and is short: a rule runs
    past the cell's text (`SMOOTHED_RULE_RUN`)."""
    along = scale.char_h
    reach = max(SMOOTHED_RULE_REACH, int(SMOOTHED_RULE_BAND * scale.char_h))
    run = SMOOTHED_RULE_RUN * scale.char_h
    marks = []
    for horizontal in (True, False):
        smooth = cv2.blur(gray, (along, 1) if horizontal else (1, along)).astype(np.float32)
        before, after = _side_bands(reach, horizontal)
        paper = np.minimum(cv2.filter2D(smooth, -1, before, borderType=cv2.BORDER_REPLICATE),
                           cv2.filter2D(smooth, -1, after, borderType=cv2.BORDER_REPLICATE))
        thin = np.where(paper - smooth >= SMOOTHED_RULE_CONTRAST, 255, 0).astype(np.uint8)
        marks.append(_long_runs(_bridged(thin, scale, horizontal), run, horizontal))
    return marks[0], marks[1]


def _text_erased(gray: np.ndarray, ink: np.ndarray, scale: _Scale) -> np.ndarray:
    """The page with its characters painted over with the paper around them.

    Averaged along a column, a column of digits one above the other (the left strokes of
    a column of 0s) is as dark as a rule broken into dashes; so is a line of characters
    along a row. A character is a blob of ink as thick as text and no longer (the blobs
    `_without_text` leaves out); only its dark strokes are painted, and a pixel around
    them: where grain joined a light rule to a character, the rule's paler pixels stay."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    thickness, reach = np.minimum(width, height), np.maximum(width, height)
    glyph = (thickness >= GLYPH_THIN * scale.char_h) & (reach <= GLYPH_LONG * scale.char_h)
    glyph[0] = False
    blobs = glyph[labels]
    strokes = cv2.dilate((blobs & (gray < DARK_INK)).astype(np.uint8), np.ones((3, 3), np.uint8))
    paper = cv2.dilate(gray, np.ones((2 * FAINT_RULE_REACH + 1,) * 2, np.uint8))
    return np.where((strokes > 0) & blobs, paper, gray)


def _side_bands(reach: int, horizontal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Kernels that average the pixels 2 to `reach` away on one side, then the other side,
    of a point: above and below it for a horizontal rule, left and right for a vertical."""
    before = np.zeros(2 * reach + 1, np.float32)
    before[:reach - 1] = 1 / (reach - 1)
    after = before[::-1].copy()
    if horizontal:
        return before.reshape(-1, 1), after.reshape(-1, 1)
    return before.reshape(1, -1), after.reshape(1, -1)


def _char_height(stats: np.ndarray, labels: np.ndarray, gray: np.ndarray) -> int:
    """A typical character height: the upper quartile of the heights of small blobs that
    hold truly dark ink (`stats` and `labels` from `cv2.connectedComponentsWithStats`).
    Printed strokes are near black; specks of grain, many but pale, are left out. On a
    two-tone scan grain is black too, and its clumps may outnumber the characters many
    times (seed-8 bench doc 36: 10 pixels for type 30 high); then the height at which half
    the ink is in blobs no higher is the characters' (`SPECKLED`)."""
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    dark = np.bincount(labels[gray < DARK_INK], minlength=len(stats))[1:] > 0
    limit = max(12, min(gray.shape[:2]) // 12)
    text = dark & (h >= 5) & (h <= limit) & (w <= limit) & (w >= 2)
    if np.count_nonzero(text) < 5:
        return max(10, min(gray.shape[:2]) // 60)
    usual = int(np.percentile(h[text], 75))
    # Of the ink, most is in characters: on a two-tone scan whose grain became clumps of
    # black specks, the specks outnumber them, and their height is the specks'.
    heights, area = h[text], stats[1:, cv2.CC_STAT_AREA][text]
    order = np.argsort(heights)
    inked = heights[order][np.searchsorted(np.cumsum(area[order]), area.sum() / 2)]
    return max(8, int(inked) if usual < SPECKLED * inked else usual)


def _without_text(ink: np.ndarray, gray: np.ndarray) -> tuple[np.ndarray, _Scale]:
    """The ink minus blobs as thick as text (characters, or a word run together by a blurred
    scan) and specks (grain, dots): rules are thin and long, and a whole grid is far larger
    than any word."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    scale = _Scale(_char_height(stats, labels, gray))
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    thickness, reach = np.minimum(width, height), np.maximum(width, height)
    fill = stats[:, cv2.CC_STAT_AREA] / (width * height)
    text = (thickness >= GLYPH_THIN * scale.char_h) & (thickness <= GLYPH_LONG * scale.char_h)
    # A long blob as thick as text but mostly empty is a piece of broken rule with the stub
    # of a crossing rule on it, not a word.
    text &= (reach <= GLYPH_LONG * scale.char_h) | (fill >= 0.3)
    speck = reach < max(4, scale.char_h // 2)
    keep = np.where(text | speck, 0, 255).astype(np.uint8)
    keep[0] = 0
    return keep[labels], scale


def _rule_masks(ink: np.ndarray, scale: _Scale, horizontal: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """Long runs of ink along one direction, short breaks bridged (the rules), and looser
    masks of shorter runs for checking one short edge segment between two lattice nodes."""
    bridged = _bridged(ink, scale, horizontal)
    rules = _long_runs(bridged, scale.min_h_rule if horizontal else scale.min_v_rule, horizontal)
    return rules, _long_runs(bridged, max(5, scale.char_h // 3), horizontal)


def _bridged(ink: np.ndarray, scale: _Scale, horizontal: bool) -> np.ndarray:
    """The ink with breaks along one direction no longer than `scale.gap` closed."""
    return cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _along(scale.gap, horizontal))


def _long_runs(ink: np.ndarray, length: int, horizontal: bool) -> np.ndarray:
    """The runs of ink at least `length` long along one direction."""
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, _along(length, horizontal))


def _along(length: int, horizontal: bool) -> np.ndarray:
    return np.ones((1, length) if horizontal else (length, 1), np.uint8)


def _table_regions(
    h_mask: np.ndarray, v_mask: np.ndarray, scale: _Scale
) -> list[tuple[BBox, np.ndarray]]:
    """Each connected group of rules that has both horizontal and vertical rules, as its
    box (x, y, w, h) and its mask within that box."""
    rules = cv2.dilate(
        h_mask | v_mask, np.ones((3, 3), np.uint8), iterations=max(1, scale.gap // 2)
    )
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    regions = []
    for k in range(1, n):
        x, y, w, h = stats[k, :4]
        if w < 3 * scale.char_h or h < 2 * scale.char_h:
            continue
        window = slice(y, y + h), slice(x, x + w)
        region = (labels[window] == k).astype(np.uint8) * 255
        if cv2.countNonZero(h_mask[window] & region) and cv2.countNonZero(v_mask[window] & region):
            regions.append(((int(x), int(y), int(w), int(h)), region))
    return regions


def _rules(mask: np.ndarray, horizontal: bool, scale: _Scale, x0: int, y0: int) -> list[_Rule]:
    """Rule segments of a mask whose corner is at page pixel (x0, y0), in page pixels;
    collinear pieces (broken, doubled, skewed) merged into one."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    pieces = []
    for x, y, w, h, _ in stats[1:]:
        x, y = x + x0, y + y0
        along, across, start, pos = (w, h, x, y + h / 2) if horizontal else (h, w, y, x + w / 2)
        if across <= max(6, scale.char_h // 2) or across < along / 4:
            pieces.append(_Rule(pos, int(start), int(start + along)))
    pieces.sort(key=lambda r: r.pos)
    merged: list[list[_Rule]] = []
    for piece in pieces:
        if merged and piece.pos - merged[-1][-1].pos <= scale.merge_tol:
            merged[-1].append(piece)
        else:
            merged.append([piece])
    rules = []
    for group in merged:
        lengths = np.array([r.end - r.start for r in group], float)
        pos = float(np.average([r.pos for r in group], weights=lengths))
        rules.append(_Rule(pos, min(r.start for r in group), max(r.end for r in group)))
    return rules


def _holds_text(grid: Grid, scale: _Scale) -> bool:
    """Whether a grid could be a table: at least two rows and two columns, wide enough for
    a few words, and rows and columns on average roomy enough for a line of text (the
    strokes of a bold heading, a seal's remnants or a page's dark edge make lattices too,
    but small or thin ones). A table's type may be much smaller than the body text whose
    size `scale` mostly measures, hence the slack."""
    if grid.n_rows < 2 or grid.n_cols < 2:
        return False
    x0, y0, x1, y1 = grid.bbox
    width, height = x1 - x0, y1 - y0
    room = ROOMY * scale.char_h
    return (
        width >= 8 * scale.char_h
        and height >= grid.n_rows * room
        and width >= grid.n_cols * room
    )


def _edges_with_border(rules: list[_Rule], across: list[_Rule], tol: int) -> list[int]:
    """Edge positions of the rules, plus a border edge where the perpendicular rules reach
    beyond the outermost rule (a table drawn without its outer frame)."""
    edges = [round(r.pos) for r in rules]
    if across:
        first, last = min(r.start for r in across), max(r.end for r in across)
        if not edges or first < edges[0] - 2 * tol:
            edges.insert(0, first)
        if last > edges[-1] + 2 * tol:
            edges.append(last)
    return edges


def _grid_from_rules(
    h_rules: list[_Rule],
    v_rules: list[_Rule],
    h_check: np.ndarray,
    v_check: np.ndarray,
    scale: _Scale,
) -> Grid | None:
    row_edges = _edges_with_border(h_rules, v_rules, scale.merge_tol)
    col_edges = _edges_with_border(v_rules, h_rules, scale.merge_tol)
    if len(row_edges) < 2 or len(col_edges) < 2:
        return None
    while True:
        h_sep, v_sep = _separations(row_edges, col_edges, h_check, v_check, scale)
        unused_rows = [i for i in range(1, len(row_edges) - 1) if not h_sep[i].any()]
        unused_cols = [j for j in range(1, len(col_edges) - 1) if not v_sep[:, j].any()]
        if not unused_rows and not unused_cols:
            break
        row_edges = [e for i, e in enumerate(row_edges) if i not in unused_rows]
        col_edges = [e for j, e in enumerate(col_edges) if j not in unused_cols]
    cells = _merge_cells(row_edges, col_edges, h_sep, v_sep)
    if len(cells) < 2:
        return None
    bbox = (col_edges[0], row_edges[0], col_edges[-1], row_edges[-1])
    return Grid(bbox, tuple(col_edges), tuple(row_edges), tuple(cells))


def _separations(
    row_edges: list[int],
    col_edges: list[int],
    h_check: np.ndarray,
    v_check: np.ndarray,
    scale: _Scale,
) -> tuple[np.ndarray, np.ndarray]:
    """h_sep[i, j]: a rule on row edge i under column j; v_sep[i, j]: a rule on column edge j
    beside row i. Outer edges always separate."""
    n_rows, n_cols = len(row_edges) - 1, len(col_edges) - 1
    h_sep = np.ones((n_rows + 1, n_cols), bool)
    v_sep = np.ones((n_rows, n_cols + 1), bool)
    tol = scale.merge_tol
    for i in range(1, n_rows):
        for j in range(n_cols):
            h_sep[i, j] = _is_ruled(
                h_check, row_edges[i], col_edges[j], col_edges[j + 1], tol, True
            )
    for j in range(1, n_cols):
        for i in range(n_rows):
            v_sep[i, j] = _is_ruled(
                v_check, col_edges[j], row_edges[i], row_edges[i + 1], tol, False
            )
    return h_sep, v_sep


def _is_ruled(mask: np.ndarray, pos: int, start: int, end: int, tol: int, horizontal: bool) -> bool:
    """Whether a rule runs along `pos` all the way from the node at `start` to the node at
    `end`. Breaks up to `tol` long inside (a broken rule) are bridged, but only short ones
    at the ends: a stroke of text inside a cell stops short of the cell's borders."""
    if end - start < 3:
        return True
    lo, hi = max(0, pos - tol), pos + tol + 1
    band = mask[lo:hi, start:end] if horizontal else mask[start:end, lo:hi].T
    if band.size == 0:
        return False
    covered = _bridge_breaks(band.any(axis=0), tol, tol)
    return bool(covered[0] and covered[-1] and covered.mean() >= 0.8)


def _bridge_breaks(covered: np.ndarray, inside: int, at_ends: int) -> np.ndarray:
    """`covered` with runs of False set to True: up to `inside` long between two covered
    stretches, up to `at_ends` long at either end."""
    padded = np.concatenate([[True], covered, [True]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    out = covered.copy()
    for lo, hi in zip(change[::2], change[1::2], strict=True):
        at_end = lo == 0 or hi == len(covered)
        if hi - lo <= (at_ends if at_end else inside):
            out[lo:hi] = True
    return out


def _merge_cells(
    row_edges: list[int], col_edges: list[int], h_sep: np.ndarray, v_sep: np.ndarray
) -> list[GridCell]:
    """Lattice cells joined across every edge without a rule, each group squared off.

    A group that is no rectangle comes of a rule missing along part of a cell's side. When
    each such part is a gap of one segment in a rule present on both sides of it (a rule
    broken beside a tall merged cell), the gaps are taken for ruled rather than the group
    squared off over every cell its box overlaps (seed-4 bench doc 7: one 5-pixel break
    beside the column that runs down all of table 三 made one cell of its 18 rows of
    labels). Only when that leaves every group a rectangle: rules lost in more places (too
    light for the ink mask) make a grid better found another way."""
    groups = _groups(h_sep, v_sep)
    if gaps := _rule_gaps(groups, h_sep, v_sep):
        h_sep, v_sep = h_sep.copy(), v_sep.copy()
        for kind, i, j in gaps:
            (h_sep if kind == "h" else v_sep)[i, j] = True
        if not _not_rectangles(mended := _groups(h_sep, v_sep)):
            groups = mended
    boxes = _square_off(groups)
    cells = [
        GridCell(
            r0, c0, r1 - r0, c1 - c0, (col_edges[c0], row_edges[r0], col_edges[c1], row_edges[r1])
        )
        for r0, c0, r1, c1 in boxes
    ]
    return sorted(cells, key=lambda c: (c.row, c.col))


def _groups(h_sep: np.ndarray, v_sep: np.ndarray) -> list[list[int]]:
    """For each lattice cell, the id of the group of cells joined to it across edges
    without a rule."""
    n_rows, n_cols = v_sep.shape[0], h_sep.shape[1]
    links = [(i * n_cols + j, i * n_cols + j + 1)
             for i in range(n_rows) for j in range(n_cols - 1) if not v_sep[i, j + 1]]
    links += [(i * n_cols + j, (i + 1) * n_cols + j)
              for i in range(n_rows - 1) for j in range(n_cols) if not h_sep[i + 1, j]]
    roots = _roots(n_rows * n_cols, links)
    return [roots[i * n_cols:(i + 1) * n_cols] for i in range(n_rows)]


def _group_boxes(groups: list[list[int]]) -> dict[int, list[int]]:
    """Each group's bounding box of lattice cells, [r0, c0, r1, c1] end-exclusive."""
    boxes: dict[int, list[int]] = {}
    for i, row in enumerate(groups):
        for j, g in enumerate(row):
            box = boxes.setdefault(g, [i, j, i + 1, j + 1])
            box[0], box[1] = min(box[0], i), min(box[1], j)
            box[2], box[3] = max(box[2], i + 1), max(box[3], j + 1)
    return boxes


def _not_rectangles(groups: list[list[int]]) -> set[int]:
    """The groups that do not fill their bounding box."""
    sizes = Counter(g for row in groups for g in row)
    return {g for g, (r0, c0, r1, c1) in _group_boxes(groups).items()
            if sizes[g] < (r1 - r0) * (c1 - c0)}


def _rule_gaps(groups: list[list[int]], h_sep: np.ndarray, v_sep: np.ndarray
               ) -> list[tuple[str, int, int]]:
    """The unruled edge segments inside groups that are no rectangle, each a gap of one
    segment in a rule that runs on along its line on both sides: ("h", i, j) for h_sep[i, j],
    ("v", i, j) for v_sep[i, j]."""
    bad = _not_rectangles(groups)
    if not bad:
        return []
    n_rows, n_cols = len(groups), len(groups[0])
    gaps: list[tuple[str, int, int]] = []
    for i in range(n_rows):
        for j in range(1, n_cols):
            if (not v_sep[i, j] and groups[i][j] in bad and 0 < i < n_rows - 1
                    and v_sep[i - 1, j] and v_sep[i + 1, j]):
                gaps.append(("v", i, j))
    for i in range(1, n_rows):
        for j in range(n_cols):
            if (not h_sep[i, j] and groups[i][j] in bad and 0 < j < n_cols - 1
                    and h_sep[i, j - 1] and h_sep[i, j + 1]):
                gaps.append(("h", i, j))
    return gaps


def _square_off(groups: list[list[int]]) -> list[tuple[int, int, int, int]]:
    """Rectangles (r0, c0, r1, c1), end-exclusive, covering each group; groups whose
    rectangles overlap (an L-shaped group from a missing rule piece) are fused."""
    boxes = [tuple(b) for b in _group_boxes(groups).values()]
    fused = True
    while fused:
        fused = False
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                p, q = boxes[a], boxes[b]
                if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]:
                    boxes[a] = (min(p[0], q[0]), min(p[1], q[1]), max(p[2], q[2]), max(p[3], q[3]))
                    del boxes[b]
                    fused = True
                    break
            if fused:
                break
    return boxes  # type: ignore[return-value]


def find_text_grids(page: np.ndarray) -> list[Grid]:
    """Tables from the alignment of text alone, for a page whose rules are gone.

    Lines of text are the bands of rows holding ink (a label wrapped over two lines and the
    values centred beside it make one band); a line's phrases are its runs of ink split at
    gaps wider than a character or so. Lines of two phrases or more are table rows. Two
    tables are apart where lines of one phrase (a heading) and a gap of several rows come
    between their rows; the paragraphs and headings above and below are left out.
    """
    gray = _as_gray(page)
    marks, char_h = _text_marks(gray)
    join = int(TEXT_PHRASE_GAP * char_h)
    bands = [b for b in _runs(marks.any(axis=1), min_gap=1) if b[1] - b[0] >= char_h // 2]
    lines = _lines(marks, bands, join)
    rows = [i for i, (_, phrases) in enumerate(lines) if len(phrases) >= 2]
    if len(rows) < 3:
        return []
    pitch = float(np.median([lines[j][0][0] - lines[i][0][0] for i, j in zip(rows, rows[1:],
                                                                               strict=False)]))
    tables, start = [], rows[0]
    for i, j in zip(rows, rows[1:], strict=False):
        if j > i + 1 and lines[j][0][0] - lines[i][0][0] > TEXT_TABLE_GAP * pitch:
            tables.append((start, i))
            start = j
    tables.append((start, rows[-1]))
    grids = [_text_grid(marks, lines[first:last + 1], char_h, join) for first, last in tables
             if sum(first <= r <= last for r in rows) >= 3]
    return [g for g in grids if g is not None]


def _text_grid(marks: np.ndarray, lines: list[_Line], char_h: int, join: int) -> Grid | None:
    """One table's grid from its lines: its columns are where more of them have text than a
    gap between two phrases. A band that the columns show to be several rows (a label over
    them, in a column of its own, made them one band) is split. Each phrase, or phrases
    reaching the same columns, is one cell spanning them."""
    columns = _text_columns(lines, marks.shape[1], char_h)
    if len(columns) < 2:
        return None
    col_edges = _column_edges(lines, columns, marks.shape[1])
    lines = _lines(marks, [b for band, _ in lines for b in _split_band(marks, band, col_edges)],
                   join)
    row_edges = _band_edges([band for band, _ in lines])
    # room around the outermost text, as a rule would leave it
    pad = char_h // 2
    col_edges[0], row_edges[0] = max(0, col_edges[0] - pad), max(0, row_edges[0] - pad)
    col_edges[-1] = min(marks.shape[1], col_edges[-1] + pad)
    row_edges[-1] = min(marks.shape[0], row_edges[-1] + pad)
    cells = []
    for r, (_, phrases) in enumerate(lines):
        for first, last in _column_spans(phrases, columns):
            box = (col_edges[first], row_edges[r], col_edges[last + 1], row_edges[r + 1])
            cells.append(GridCell(r, first, 1, last - first + 1, box))
    bbox = (col_edges[0], row_edges[0], col_edges[-1], row_edges[-1])
    return Grid(bbox, tuple(col_edges), tuple(row_edges), tuple(cells), inferred=True)


_Line = tuple[tuple[int, int], list[tuple[int, int]]]  # a band of rows and its phrases


def _text_marks(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """The page's marks of text (not specks such as grain or the dots left where rules
    crossed, not rules) as a boolean mask, and the height of its characters."""
    ink = _ink_mask(gray)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    char_h = _char_height(stats, labels, gray)
    # what is left of rules, even broken into dashes, is no text
    scale = _Scale(char_h)
    rules = (_long_runs(_bridged(ink, scale, True), scale.min_h_rule, True)
             | _long_runs(_bridged(ink, scale, False), scale.min_v_rule, False))
    ink = cv2.subtract(ink, cv2.dilate(rules, np.ones((3, 3), np.uint8)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    text = (np.maximum(w, h) >= max(3, char_h // 3)) & (h <= 3 * char_h)
    text[0] = False
    return text[labels], char_h


def _lines(marks: np.ndarray, bands: list[tuple[int, int]], join: int) -> list[_Line]:
    """Each band with its phrases: runs of marked columns joined across gaps under `join`."""
    return [(band, _runs(marks[band[0]:band[1]].any(axis=0), min_gap=join)) for band in bands]


def _text_columns(lines: list[_Line], width: int, char_h: int) -> list[tuple[int, int]]:
    """Where the lines have more text than gaps between two of their phrases. A long phrase
    counts for less (a header over several columns crosses the gaps the rows of values
    leave: it is no column), and so does a wide gap (a label and a lone value far apart,
    two headers over groups of columns)."""
    cover = np.zeros(width + 1)
    for _, phrases in lines:
        for x0, x1 in phrases:
            cover[x0:x1] += min(1.0, TEXT_SHORT_PHRASE * char_h / (x1 - x0))
        for (_, x1), (nx0, _) in zip(phrases, phrases[1:], strict=False):
            cover[x1:nx0] -= min(1.0, TEXT_GAP_VOTE * char_h / (nx0 - x1))
    return _runs(cover > 0, min_gap=char_h // 2)


def _column_edges(lines: list[_Line], columns: list[tuple[int, int]], width: int) -> list[int]:
    """Column edges around all the lines' phrases and, between two columns, where the
    fewest phrases cross."""
    reach = [p for _, phrases in lines for p in phrases]
    crossing = np.zeros(width + 1, int)
    for x0, x1 in reach:
        crossing[x0:x1] += 1
    edges = [min(columns[0][0], *(a for a, _ in reach))]
    edges += [_least_crossed(crossing, a[1], b[0]) for a, b in zip(columns, columns[1:],
                                                                   strict=False)]
    edges.append(max(columns[-1][1], *(b for _, b in reach)))
    return edges


def _split_band(marks: np.ndarray, band: tuple[int, int], col_edges: list[int]
                ) -> list[tuple[int, int]]:
    """A band as the rows its columns show: each row of pixels is a gap in a column whose
    text it falls between, text in one it crosses; rows where more columns have a gap
    than text part the band (a label in a column of its own ran over several rows)."""
    y0, y1 = band
    votes = np.zeros(y1 - y0, int)
    for x0, x1 in zip(col_edges, col_edges[1:], strict=False):
        runs = _runs(marks[y0:y1, x0:x1].any(axis=1), min_gap=1)
        for a, b in runs:
            votes[a:b] += 1
        for (_, b), (na, _) in zip(runs, runs[1:], strict=False):
            votes[b:na] -= 1
    return [(y0 + a, y0 + b) for a, b in _runs(votes > 0, min_gap=1)]


def _least_crossed(crossing: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the longest stretch between `lo` and `hi` crossed by the fewest phrases:
    where the rule between two columns was (midway between them may cut a long label)."""
    part = crossing[lo:hi]
    if len(part) == 0:
        return (lo + hi) // 2
    runs = _runs(part == part.min(), min_gap=1)
    a, b = max(runs, key=lambda r: r[1] - r[0])
    return lo + (a + b) // 2


def _column_spans(phrases: list[tuple[int, int]], columns: list[tuple[int, int]]
                  ) -> list[tuple[int, int]]:
    """The first and last column each phrase of a line reaches (the nearest one for a
    phrase between columns), phrases reaching the same column joined into one."""
    centres = np.array([(a + b) / 2 for a, b in columns])
    spans: list[tuple[int, int]] = []
    for x0, x1 in phrases:
        reached = [j for j, (a, b) in enumerate(columns) if x0 < b and a < x1]
        if not reached:
            reached = [int(np.argmin(np.abs(centres - (x0 + x1) / 2)))]
        first, last = reached[0], reached[-1]
        if spans and first <= spans[-1][1]:
            first = spans.pop()[0]
        spans.append((first, max(last, first)))
    return spans


def _bands(intervals: list[tuple[int, int]], min_gap: int) -> list[tuple[int, int]]:
    """Union of overlapping intervals, keeping apart those separated by at least `min_gap`."""
    bands: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if bands and lo < bands[-1][1] + min_gap:
            bands[-1][1] = max(bands[-1][1], hi)
        else:
            bands.append([lo, hi])
    return [(lo, hi) for lo, hi in bands]


def _runs(filled: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """Runs of True, joined across gaps shorter than `min_gap`."""
    padded = np.concatenate([[False], filled, [False]]).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return _bands(list(zip(change[::2].tolist(), change[1::2].tolist(), strict=True)), min_gap)


def _band_edges(bands: list[tuple[int, int]]) -> list[int]:
    """Edges around and midway between consecutive bands."""
    if not bands:
        return []
    edges = [bands[0][0]]
    edges += [(a[1] + b[0]) // 2 for a, b in zip(bands, bands[1:], strict=False)]
    edges.append(bands[-1][1])
    return edges


def draw_grids(image: np.ndarray, grids: list[Grid]) -> np.ndarray:
    """A copy of the page with each grid's cells outlined and labelled `row,col`
    (green for ruled grids, orange for inferred ones)."""
    out = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image.copy()
    for t, grid in enumerate(grids):
        colour = (0, 140, 255) if grid.inferred else (0, 170, 0)
        for cell in grid.cells:
            x0, y0, x1, y1 = cell.bbox
            cv2.rectangle(out, (x0 + 2, y0 + 2), (x1 - 2, y1 - 2), colour, 2)
            label = f"{cell.row},{cell.col}"
            if cell.row_span > 1 or cell.col_span > 1:
                label += f" {cell.row_span}x{cell.col_span}"
            cv2.putText(
                out, label, (x0 + 4, y0 + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 0, 0), 1
            )
        x0, y0, _, _ = grid.bbox
        cv2.putText(
            out, f"table {t}", (x0, max(12, y0 - 6)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, 2
        )
    return out
