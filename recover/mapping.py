"""Mapping read grids onto the template: which table each grid is, which template row and
column each value cell belongs to.

A row is known by the label cells to its left, a column by the header cells above it;
the template's known order of rows and columns settles what a bad reading leaves open.
A value goes to a cell id only when both its row and its column are settled.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cache

from recover.columns import Span, column_spans
from recover.grid import Grid, GridCell
from recover.normalize import best_match, normalize_label, similarity
from recover.templates import (
    TABLE_IDS,
    TableSpec,
    Template,
    all_label_texts,
    all_templates,
    get_template,
)

ROW_MATCH = 0.8
FULL_ROWS = 3  # rows a text grid's value columns must be full in, to place its blanks
FULL_SHARE = 1 / 3  # ... and their share of its rows of values
UNLABELLED_ROW_VALUES = 5  # value cells that make a row without a label a data row
TABLE_MATCH = 0.85
BLANK_BESIDE_VALUES = "read blank beside a row of values placed nowhere: the row may be split"
REVIEWS_CUT = ("table 四's row of values was cut into its columns (a seal or a broken rule "
               "split or merged its cells): placed by position")
ORDER_NOT_LABEL = "placed by the order of rows, but its label reads as something else"
BY_SHAPE = "table told by its rows of values, its labels unread: placed by position"
ORDER_WORDS = 3  # word characters a label has at least to read clearly...
ORDER_LIKENESS = 0.6  # ...as another label of the table, when it is at least this like it


# Characters that stand in number cells: units, the missing marker, look-alikes of 0, 1,
# - (二: a blurred 1 or a doubled dash).
_NUMBER_CHARS = frozenset("一二〇无無元万萬件个個条條项項丨")


def _is_word_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" and ch not in _NUMBER_CHARS


@dataclass(frozen=True)
class TextCell:
    """A grid cell and the text first read in it."""

    cell: GridCell
    text: str
    confidence: float

    @property
    def is_value(self) -> bool:
        """Whether this is a number cell rather than a label: it has no Chinese word.

        A first reading made for labels often garbles numbers (〇, O, 。 or nothing for 0;
        一 for a dash; a rule's remnant as 丨; now and then one stray character), but it
        does not invent words of two characters or more.
        """
        return sum(_is_word_char(ch) for ch in self.text) < 2


@dataclass(frozen=True)
class GridText:
    page: int
    index: int  # the grid's number in the document, from 0
    grid: Grid
    cells: tuple[TextCell, ...]


@dataclass(frozen=True)
class PlacedCell:
    cell_id: str
    page: int
    grid: int
    source: TextCell
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateMatch:
    template: Template
    placed: dict[str, PlacedCell]
    tables: dict[str, list[int]]  # table id -> the grids it was found in
    notes: tuple[str, ...] = field(default=())
    by_shape: frozenset[str] = frozenset()  # tables told by their shape, not their labels
    guessed: bool = False  # the template told by how the tables fill it, its own labels unread

    @property
    def placed_by_label(self) -> int:
        """How many cells were placed without a doubt about their place."""
        return sum(1 for p in self.placed.values() if not p.notes)


def _labels(grid: GridText) -> list[str]:
    return [c.text for c in grid.cells if c.text.strip() and not c.is_value]


def detect_template(grids: Sequence[GridText], forced: str | None = None) -> Template | None:
    """The template whose distinctive labels the grids' label cells contain."""
    if forced:
        return get_template(forced)
    norm = normalize_label("".join(t for g in grids for t in _labels(g)))
    scores = {tid: sum(normalize_label(m) in norm for m in t.markers)
              for tid, t in all_templates().items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return get_template(ranked[0][0])


def _table_score(table: TableSpec, labels: Sequence[str]) -> int:
    spellings = [s for s in map(normalize_label, table.label_texts()) if len(s) >= 3]
    score = 0
    for label in labels:
        norm = normalize_label(label)
        if any(similarity(norm, s) >= TABLE_MATCH for s in spellings):
            score += 1
    return score


@cache
def _all_spellings() -> tuple[str, ...]:
    """Every label of every template, normalized (at least three characters long)."""
    return tuple(sorted({s for s in map(normalize_label, all_label_texts()) if len(s) >= 3}))


def known_labels(texts: Sequence[str]) -> int:
    """How many of the texts read as a label of some template: few on a page that is
    upside down or holds no report table."""
    spellings = _all_spellings()
    return sum(
        any(similarity(norm, s) >= TABLE_MATCH for s in spellings)
        for text in texts if len(norm := normalize_label(text)) >= 3
    )


def classify_grid(template: Template, grid: GridText) -> str | None:
    """Which of the template's tables a grid is (None for a grid that is none of them)."""
    labels = _labels(grid)
    scores = {tid: _table_score(template.tables[tid], labels) for tid in TABLE_IDS}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] >= 2 else None


def _cell_at(grid: GridText, row: int, x: float) -> TextCell | None:
    for tc in grid.cells:
        c = tc.cell
        if c.row <= row < c.row + c.row_span and c.bbox[0] <= x < c.bbox[2]:
            return tc
    return None


def _header_chain(grid: GridText, cell: GridCell) -> list[str]:
    """The label cells above a cell, nearest first."""
    x = (cell.bbox[0] + cell.bbox[2]) / 2
    chain: list[str] = []
    row = cell.row - 1
    while row >= 0:
        above = _cell_at(grid, row, x)
        if above is None:
            row -= 1
            continue
        if above.text.strip() and not above.is_value and above.text not in chain:
            chain.append(above.text)
        row = above.cell.row - 1
    return chain


@dataclass(frozen=True)
class _DataRow:
    grid: GridText
    labels: tuple[str, ...]  # label cells covering the row, rightmost (most specific) first
    values: tuple[TextCell, ...]  # left to right
    shared: bool = False  # whether the most specific label's cell covers other rows too


def _rows(grid: GridText) -> list[list[TextCell]]:
    """The cells that start in each grid row, left to right."""
    rows: list[list[TextCell]] = [[] for _ in range(grid.grid.n_rows)]
    for tc in sorted(grid.cells, key=lambda tc: tc.cell.col):
        rows[tc.cell.row].append(tc)
    return rows


def _covering(grid: GridText, row: int) -> list[TextCell]:
    """The cells covering a grid row, left to right."""
    return sorted((tc for tc in grid.cells if tc.cell.row <= row < tc.cell.row + tc.cell.row_span),
                  key=lambda tc: tc.cell.bbox[0])


def _value_start(coverings: Sequence[Sequence[TextCell]], inferred: bool = False
                 ) -> int | None:
    """The grid column where the values of most labelled rows start (`coverings`: each
    row's covering cells, as _covering gives them). In a grid inferred from text, which
    knows no merged cells, a lone value centred under several columns starts further
    right than the rows of several values: there it is the leftmost start of two rows."""
    starts: Counter[int] = Counter()
    for r, covering in enumerate(coverings):
        labels = [tc for tc in covering if tc.text.strip() and not tc.is_value]
        right_edge = max((tc.cell.bbox[2] for tc in labels), default=None)
        values = [tc.cell.col for tc in covering if tc.cell.row == r and tc.is_value
                  and right_edge is not None and tc.cell.bbox[0] >= right_edge - 2]
        if values:
            starts[min(values)] += 1
    if inferred and (repeated := [c for c, n in starts.items() if n >= 2]):
        return min(repeated)
    return starts.most_common(1)[0][0] if starts else None


def _data_rows(grid: GridText) -> list[_DataRow]:
    """The grid's rows that hold values, with their labels. A cell left of where the grid's
    values start is a label whatever it reads ("章" of "规章", its first character lost,
    looks like a number cell's stray character; "5." of "5.属于..." read through a rule),
    or nothing when it reads as nothing."""
    coverings = [_covering(grid, r) for r in range(grid.grid.n_rows)]
    start = _value_start(coverings, grid.grid.inferred)
    rows = []
    for r, covering in enumerate(coverings):
        before = [start is not None and tc.cell.col < start for tc in covering]
        labels = [tc for tc, left in zip(covering, before, strict=True)
                  if tc.text.strip() and (left or not tc.is_value)]
        right_edge = max((tc.cell.bbox[2] for tc in labels), default=0)
        values = [tc for tc, left in zip(covering, before, strict=True)
                  if tc.cell.row == r and tc.cell.row_span == 1 and not left
                  and tc.is_value and tc.cell.bbox[0] >= right_edge - 2]
        # A row whose label cell the grid lost still counts when it is a full row of
        # values: the template's order of rows can place it between its neighbours.
        if values and (labels or len(values) >= UNLABELLED_ROW_VALUES):
            rows.append(_DataRow(grid, tuple(tc.text for tc in reversed(labels)), tuple(values),
                                 bool(labels) and labels[-1].cell.row_span > 1))
    return rows


def _row_score(table: TableSpec, row_index: int, labels: Sequence[str]) -> float:
    """How well a row's labels (most specific first) match a template row, 0 below a match."""
    spellings = table.rows[row_index].spellings
    best = 0.0
    for depth, label in enumerate(labels):
        norm = normalize_label(label)
        score = max(similarity(norm, normalize_label(s)) for s in spellings)
        best = max(best, score - 0.05 * depth)  # the most specific label counts most
    return best if best >= ROW_MATCH else 0.0


def align_rows(table: TableSpec, data_rows: Sequence[_DataRow]) -> list[int | None]:
    """Template row index for each data row: the monotonic assignment with the best total
    label similarity; unmatched rows lying between two matched ones take the free template
    rows in order when the counts agree."""
    n, m = len(data_rows), len(table.rows)
    scores = [[_row_score(table, j, row.labels) for j in range(m)] for row in data_rows]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    assigned: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if scores[i][j] and best[i][j] == scores[i][j] + best[i + 1][j + 1]:
            assigned[i], i, j = j, i + 1, j + 1
        elif best[i][j] == best[i][j + 1]:
            j += 1  # of rows alike, the first takes the match (a label cell over several)
        else:
            i += 1
    def fits(i: int, j: int) -> bool:
        return len(data_rows[i].values) == len(table.row_columns(table.rows[j]))

    return _fill_gaps(assigned, m, fits)


def _fill_gaps(assigned: list[int | None], m: int,
               fits: Callable[[int, int], bool] | None = None) -> list[int | None]:
    """Unassigned rows between two assigned ones (or the ends) take the free template rows
    in order when their counts agree. Where they do not, and `fits(row, template row)` says
    which rows hold as many values as a template row has columns, the rows that fit some
    free template row take them in order when those counts agree and each one fits (a
    header row read as holding a value does not push the data rows off their places)."""
    anchors = [(-1, -1), *[(i, j) for i, j in enumerate(assigned) if j is not None],
               (len(assigned), m)]
    filled = list(assigned)
    for (i0, j0), (i1, j1) in zip(anchors, anchors[1:], strict=False):
        rows, slots = range(i0 + 1, i1), range(j0 + 1, j1)
        if fits is not None and len(rows) != len(slots):
            rows = [i for i in rows if any(fits(i, j) for j in slots)]
            if not all(fits(i, j) for i, j in zip(rows, slots, strict=False)):
                continue
        if len(rows) == len(slots):
            for i, j in zip(rows, slots, strict=True):
                filled[i] = j
    return filled


def _place_row(table: TableSpec, row_id: str, data_row: _DataRow, columns: Sequence[str]
               ) -> tuple[dict[str, PlacedCell], list[str]]:
    """The row's value cells onto its template columns: by position when the count fits,
    checked against each cell's header; by header alone otherwise."""
    grid = data_row.grid
    if len(data_row.values) < len(columns):
        data_row = _split_merged(data_row, len(columns))
    if len(data_row.values) < len(columns) and grid.grid.inferred:
        data_row = _with_blanks(data_row, len(columns))
    spellings = [(c, table.column(c).spellings) for c in columns]
    headers = []
    for value in data_row.values:
        chain = _header_chain(grid, value.cell)
        match = next((m for text in chain if (m := best_match(text, spellings, ROW_MATCH))), None)
        headers.append(match.id if match else None)
    placed: dict[str, PlacedCell] = {}
    notes: list[str] = []
    if len(data_row.values) == len(columns):
        for value, column, header in zip(data_row.values, columns, headers, strict=True):
            cell_notes = ()
            if header is not None and header != column:
                cell_notes = (f"column header reads as {header}, position says {column}",)
            cid = f"{table.id}.{row_id}.{column}"
            placed[cid] = PlacedCell(cid, grid.page, grid.index, value, cell_notes)
        return placed, notes
    notes.append(f"{table.id}.{row_id}: {len(data_row.values)} value cells for "
                 f"{len(columns)} columns; placed by header only")
    for value, header in zip(data_row.values, headers, strict=True):
        if header is not None:
            cid = f"{table.id}.{row_id}.{header}"
            placed.setdefault(cid, PlacedCell(cid, grid.page, grid.index, value))
    return placed, notes


def _split_merged(data_row: _DataRow, count: int) -> _DataRow:
    """The row with its value cells that span several grid columns split at the grid's
    column rules, when that makes as many cells as its template row has columns: a rule
    between two values broken in this row alone merged their cells (each part is read
    afresh from its own box)."""
    values: list[TextCell] = []
    for value in data_row.values:
        cell = value.cell
        if cell.col_span == 1:
            values.append(value)
            continue
        values += [_over_column(data_row.grid, value, c, value.confidence)
                   for c in range(cell.col, cell.col + cell.col_span)]
    return replace(data_row, values=tuple(values)) if len(values) == count else data_row


def _over_column(grid: GridText, beside: TextCell, col: int, confidence: float = 0.0
                 ) -> TextCell:
    """A cell to be read afresh: grid column `col` of the row of the cell `beside`."""
    edges = grid.grid.col_edges
    _, y0, _, y1 = beside.cell.bbox
    return TextCell(GridCell(beside.cell.row, col, 1, 1, (edges[col], y0, edges[col + 1], y1)),
                    "", confidence)


def _with_blanks(data_row: _DataRow, count: int) -> _DataRow:
    """A row of a grid inferred from the text with a blank cell in each of the grid's value
    columns it has no text in, when the grid's rows bear those columns out. Such a grid has
    cells only where there is text: a blank printed cell makes none.

    The grid's value columns are its last `count` columns in which two rows or more have a
    value; a third of its rows of values, and three, must have a value in each of them
    and nowhere else, and this row only in them. Otherwise the text's columns are too
    ragged to tell where a blank is, and the row is left as it is."""
    grid = data_row.grid
    rows: dict[int, set[int]] = {}
    for tc in grid.cells:
        if tc.is_value and tc.cell.col_span == 1:
            rows.setdefault(tc.cell.row, set()).add(tc.cell.col)
    seen = Counter(col for cols in rows.values() for col in cols)
    columns = sorted(c for c, n in seen.items() if n >= 2)[-count:]
    full = sum(cols == set(columns) for cols in rows.values())
    have = {v.cell.col: v for v in data_row.values}
    if (len(columns) < count or full < max(FULL_ROWS, FULL_SHARE * len(rows))
            or not set(have) <= set(columns)):
        return data_row
    values = tuple(have.get(c) or _over_column(grid, data_row.values[0], c) for c in columns)
    return replace(data_row, values=values)


def _blank(row: _DataRow) -> bool:
    return not any(v.text.strip() for v in row.values)


def _joins_label(table: TableSpec, head: str, tail: str) -> bool:
    """Whether `tail` goes on from `head` as one label: together they match a template row,
    and its whole spelling better than either part alone does (a short alias the head
    alone may match exactly does not count)."""
    joined = head + tail
    scores = [_row_score(table, j, (joined,)) for j in range(len(table.rows))]
    best = max(range(len(scores)), key=scores.__getitem__)
    if not scores[best]:
        return False
    whole = normalize_label(max(table.rows[best].spellings, key=len))

    def likeness(text: str) -> float:  # unlike `similarity`, a label cut short scores less
        return SequenceMatcher(None, normalize_label(text), whole, autojunk=False).ratio()

    return likeness(joined) > max(likeness(head), likeness(tail))


def _joined_wraps(table: TableSpec, rows: Sequence[_DataRow]) -> list[_DataRow]:
    """The rows with a label wrapped over several grid rows joined into one: where the rules
    between its lines were lost, each line of the label became a row, its values on one of
    them and the others blank (seed-5 bench doc 29: "1.申请人无正当理由逾期不补" over blank
    cells, its values beside the next line). Two neighbouring rows of one grid join when
    exactly one holds values and their labels go on from one to the other."""
    out: list[_DataRow] = []
    for row in rows:
        if out and (prev := out[-1]).grid is row.grid and prev.labels and row.labels and (
                _blank(prev) != _blank(row)) and _joins_label(table, prev.labels[0],
                                                              row.labels[0]):
            values = row.values if _blank(prev) else prev.values
            out[-1] = _DataRow(row.grid, (prev.labels[0] + row.labels[0], *prev.labels[1:]),
                               values)
            continue
        out.append(row)
    return out


def _map_rowwise(table: TableSpec, grids: Sequence[GridText]
                 ) -> tuple[dict[str, PlacedCell], list[str]]:
    data_rows = _joined_wraps(table, [row for g in grids for row in _data_rows(g)])
    placed: dict[str, PlacedCell] = {}
    notes: list[str] = []
    aligned = list(zip(data_rows, align_rows(table, data_rows), strict=True))
    columns = {j: [c.id for c in table.row_columns(table.rows[j])]
               for _, j in aligned if j is not None}
    for k, (data_row, j) in enumerate(aligned):
        if j is None:
            continue
        found, row_notes = _place_row(table, table.rows[j].id, data_row, columns[j])
        doubts = [note for note, doubtful in (
            (BLANK_BESIDE_VALUES, _blank(data_row) and _beside_lost_values(aligned, k)),
            (ORDER_NOT_LABEL, _reads_otherwise(table, j, data_row.labels, data_row.shared)
             and not _label_of_the_row_above(table, aligned, k)))
            if doubtful]
        placed.update(_noted(found, doubts))
        notes += row_notes
    return placed, notes


def _noted(found: dict[str, PlacedCell], notes: Sequence[str]) -> dict[str, PlacedCell]:
    """The placed cells, each with `notes` added (each flags it)."""
    if not notes:
        return found
    return {cid: replace(p, notes=(*p.notes, *notes)) for cid, p in found.items()}


def _reads_otherwise(table: TableSpec, j: int, labels: Sequence[str], shared: bool = False
                     ) -> bool:
    """Whether a row placed on template row j by the order of rows, not by its label, has a
    label that reads as something else of the table (a section heading split off by a
    broken rule, another row's label run together with a header) more than as row j: its
    place is then a guess. A garbled or lost label leaves the order to decide.

    A `shared` label (its cell covers other rows too) that reads as a group of rows (more
    than as any other row) is the group the row stands in, its own label lost: the rules
    between the item labels of 不予公开 can vanish in a noisy scan (seed-7 bench doc 31:
    119 right values flagged)."""
    if not labels or _row_score(table, j, labels):
        return False
    own = labels[0]  # the most specific: the labels left of it name the row's group
    if sum(map(_is_word_char, own)) < ORDER_WORDS:
        return False
    label = normalize_label(own)

    def likeness(texts: Iterable[str]) -> float:
        norms = [t for t in map(normalize_label, texts) if t]
        return max((1.0 if len(t) >= 3 and t in label else similarity(label, t)
                    for t in norms), default=0.0)

    others = likeness([*(s for c in table.columns for s in c.spellings),
                       *(s for i, r in enumerate(table.rows) if i != j for s in r.spellings)])
    group = likeness(table.groups)
    if shared and group > others:
        return False
    elsewhere = max(others, group)
    return elsewhere >= ORDER_LIKENESS and elsewhere > likeness(table.rows[j].spellings)


def _label_of_the_row_above(table: TableSpec, aligned: Sequence[tuple[_DataRow, int | None]],
                            k: int) -> bool:
    """Whether row k's label is the label cell of the row above it, merged over both (the
    rule between them lost in the label columns only), that row placed by that label on
    the template row just before row k's: row k's own label is lost, its place is the next
    one. Seed-3 bench doc 8: the rows under "一、本年新收…" and "3.要求提供公开出版物"
    were flagged, placed right."""
    row, j = aligned[k]
    if k == 0 or j is None or not row.shared or not row.labels:
        return False
    above, i = aligned[k - 1]
    return (i == j - 1 and above.grid is row.grid and above.labels[:1] == row.labels[:1]
            and _row_score(table, i, above.labels) > 0)


def _beside_lost_values(aligned: Sequence[tuple[_DataRow, int | None]], k: int) -> bool:
    """Whether a row next to row k in its grid holds values that were placed nowhere: then
    row k, read blank, may be the first line of a label whose values are on that row."""
    grid = aligned[k][0].grid
    return any(0 <= i < len(aligned) and aligned[i][1] is None and aligned[i][0].grid is grid
               and not _blank(aligned[i][0]) for i in (k - 1, k + 1))


def _map_reviews(table: TableSpec, grids: Sequence[GridText]
                 ) -> tuple[dict[str, PlacedCell], list[str]]:
    """Table 四: one row of 15 values under group and result headers."""
    expected = [(r.id, c.id) for r in table.rows for c in table.columns]
    candidates = []
    for grid in grids:
        # the cells covering the grid's last row first (a seal's ring can split off a thin
        # row along the top of some values, which then start a row lower than the
        # others), then each row's
        rows = [_covering(grid, grid.grid.n_rows - 1)]
        rows += _rows(grid)
        for row in rows:
            values = sorted((tc for tc in row if tc.is_value), key=lambda tc: tc.cell.bbox[0])
            if len(values) >= len(table.columns):
                candidates.append((grid, values))
    if not candidates:
        return {}, ["reviews: no row of values found"]
    # the row holding as many values as the table, else the one holding most (the first
    # of equals); not a thin row split off along the values (a broken rule, a seal's ring),
    # whose cells hold little but paper: at least half of a row's cells have text
    # (seed-7 bench doc 13: an 18-cell row, 13 pixels high, had won over the 17 values)
    inked = [(grid, values) for grid, values in candidates
             if 2 * sum(bool(tc.text.strip()) for tc in values) >= len(values)]
    grid, values = max(inked or candidates,
                       key=lambda gv: (len(gv[1]) == len(expected), len(gv[1])))
    groups = [(r.id, r.spellings) for r in table.rows]
    results = [(c.id, c.spellings) for c in table.columns]
    placed: dict[str, PlacedCell] = {}
    notes: list[str] = []
    made = [False] * len(values)
    if cut := len(values) != len(expected):
        rebuilt = _reviews_rebuilt(grid, values, len(expected))
        if rebuilt is None:
            headers = [_reviews_header(grid, value, groups, results) for value in values]
            return _reviews_by_header(table, expected, grid, values, headers), [
                f"reviews: {len(values)} value cells for {len(expected)}; "
                "placed by their headers"]
        notes.append(f"reviews: {len(values)} value cells for {len(expected)}; "
                     "cut into the table's columns")
        values, made = rebuilt
    headers = [_reviews_header(grid, value, groups, results) for value in values]
    for (row_id, column_id), value, (group, column), guess in zip(
            expected, values, headers, made, strict=True):
        cell_notes = []
        # once the row is cut, a value's place is a guess unless its own headers name it
        if guess or (cut and (group, column) != (row_id, column_id)):
            cell_notes.append(REVIEWS_CUT)
        if column is not None and column != column_id:
            cell_notes.append(f"column header reads as {column}, position says {column_id}")
        if group is not None and group != row_id:
            cell_notes.append(f"group header reads as {group}, position says {row_id}")
        cid = f"{table.id}.{row_id}.{column_id}"
        placed[cid] = PlacedCell(cid, grid.page, grid.index, value, tuple(cell_notes))
    return placed, notes


def _reviews_rebuilt(grid: GridText, values: Sequence[TextCell], count: int
                    ) -> tuple[list[TextCell], list[bool]] | None:
    """Table 四's row of values cut into its `count` columns when a seal or a broken rule
    split or merged some of its cells, or a cell above swallowed the row's end: each column
    the value cell that fills it, else a cell made over it (told by the second list).

    The columns come from the value cells, or from the header cells standing on the row
    (which a seal over the values leaves whole), whichever needs fewer made cells; None
    when neither gives `count` columns."""
    row = Counter(v.cell.row for v in values).most_common(1)[0][0]
    top = sorted(v.cell.bbox[1] for v in values)[len(values) // 2]
    bottom = sorted(v.cell.bbox[3] for v in values)[len(values) // 2]
    edges = grid.grid.col_edges
    by_x = {(v.cell.bbox[0], v.cell.bbox[2]): v for v in values}
    above = [tc.cell for tc in grid.cells if tc.cell.row + tc.cell.row_span == row]
    ways = []
    for cells in ([v.cell for v in values], above):
        spans = column_spans([(c.bbox[0], c.bbox[2]) for c in cells], edges[0], edges[-1],
                             edges, count)
        if spans is not None:
            found = [by_x.get((s.x0, s.x1)) for s in spans]
            ways.append([(tc, False) if tc else (_made_cell(grid, row, s, top, bottom), True)
                         for tc, s in zip(found, spans, strict=True)])
    if not ways:
        return None
    best = min(ways, key=lambda way: sum(made for _, made in way))
    return [tc for tc, _ in best], [made for _, made in best]


def _made_cell(grid: GridText, row: int, span: Span, top: int, bottom: int) -> TextCell:
    """A value cell of table 四 made over one of its columns, to be read as a number."""
    edges = grid.grid.col_edges
    col = max(0, bisect_right(edges, span.x0) - 1)
    cols = 1 + sum(span.x0 < e < span.x1 for e in edges)
    return TextCell(GridCell(row, col, 1, cols, (span.x0, top, span.x1, bottom)), "", 0.0)


def _reviews_header(grid: GridText, value: TextCell, groups: Sequence[tuple[str, Sequence[str]]],
                    results: Sequence[tuple[str, Sequence[str]]]) -> tuple[str | None, str | None]:
    """The (group, result) a value cell of table 四 stands under, as far as its headers read."""
    chain = _header_chain(grid, value.cell)
    column = next((m.id for t in chain if (m := best_match(t, results, ROW_MATCH))), None)
    group = next((m.id for t in chain if (m := best_match(t, groups, ROW_MATCH))), None)
    return group, column


def _reviews_by_header(table: TableSpec, expected: Sequence[tuple[str, str]], grid: GridText,
                       values: Sequence[TextCell],
                       headers: Sequence[tuple[str | None, str | None]]
                       ) -> dict[str, PlacedCell]:
    """Table 四's values when a seal or a broken rule split or merged some of its cells:
    each value whose group and result headers both read and that no other value claims,
    and between two such, as many values as there are cells between them, in order.
    `expected`: the table's (group, result) pairs in reading order."""
    claims: dict[int, list[int]] = {}
    for i, header in enumerate(headers):
        if None not in header:
            claims.setdefault(expected.index(header), []).append(i)
    assigned: list[int | None] = [None] * len(values)
    last = -1
    for slot, (i,) in sorted((s, found) for s, found in claims.items() if len(found) == 1):
        if i > last:  # headers out of order are not trusted
            assigned[i], last = slot, i
    cids = [f"{table.id}.{group}.{column}" for group, column in expected]
    return {cids[slot]: PlacedCell(cids[slot], grid.page, grid.index, values[i])
            for i, slot in enumerate(_fill_gaps(assigned, len(expected))) if slot is not None}


def map_grids(grids: Sequence[GridText], forced_template: str | None = None
              ) -> TemplateMatch | None:
    """The template and the cells placed on it; None when no grid is a report table.

    The template is known from its distinctive labels, most of them in table 二; when
    those are not read (table 二 lost), it is the template whose tables the grids fill best.
    """
    template = detect_template(grids, forced_template)
    if template is not None:
        return _map_onto(template, grids)
    matches = [m for t in all_templates().values() if (m := _map_onto(t, grids)) is not None]
    ranked = sorted(((_fill(m), m) for m in matches), key=lambda fm: fm[0], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return replace(ranked[0][1], guessed=True)


def _fill(match: TemplateMatch) -> float:
    """The share of the cells of the tables found by their labels that were placed (by
    their own labels)."""
    expected = sum(len(match.template.tables[t].cell_ids()) for t in match.tables
                   if t not in match.by_shape)
    return match.placed_by_label / expected if expected else 0.0


def _values_row_of(grid: GridText, count: int) -> bool:
    """Whether a grid of a few rows ends in a row of `count` value cells."""
    rows = _rows(grid)
    return 0 < len(rows) <= 6 and len(rows[-1]) == count and all(c.is_value for c in rows[-1])


def _shaped_rows(grid: GridText, table: TableSpec) -> list[_DataRow] | None:
    """A grid's rows of values by its shape alone, one for each row of the table in order,
    or None when the grid does not have the table's shape."""
    width = {len(table.row_columns(r)) for r in table.rows}
    if len(width) == 1:
        return _even_rows(grid, table, width.pop())
    return _block_rows(grid, table)


def _even_rows(grid: GridText, table: TableSpec, count: int) -> list[_DataRow] | None:
    """The rows whose last `count` grid columns are each a cell of their own, holding
    values; None unless there are as many such rows as the table has (all of 三's rows
    have its seven columns)."""
    if grid.grid.n_cols <= count:
        return None
    first = grid.grid.n_cols - count
    rows = []
    for row in _rows(grid):
        cells = [tc for tc in row
                 if tc.cell.col >= first and tc.cell.row_span == tc.cell.col_span == 1]
        if len(cells) == count and all(tc.is_value for tc in cells):
            rows.append(_DataRow(grid, (), tuple(cells)))
    return rows if len(rows) == len(table.rows) else None


def _block_rows(grid: GridText, table: TableSpec) -> list[_DataRow] | None:
    """Table 二's shape: blocks, each a title across the grid (第二十条第（一）项), a row
    of headers, then rows of a label and its values. The rows of values, None unless they
    hold as many values as the table's rows, row by row."""
    rows = []
    header_next = False
    for cells in _rows(grid):
        if len(cells) == 1 and cells[0].cell.col_span == grid.grid.n_cols:
            header_next = True
        elif header_next:
            header_next = False
        elif (len(cells) >= 2 and all(tc.cell.row_span == 1 for tc in cells)
              and all(tc.is_value for tc in cells[1:])):
            rows.append(_DataRow(grid, (), tuple(cells[1:])))
        else:
            return None
    counts = [len(table.row_columns(r)) for r in table.rows]
    return rows if [len(r.values) for r in rows] == counts else None


def _map_shaped(table: TableSpec, rows: Sequence[_DataRow]
                ) -> tuple[dict[str, PlacedCell], list[str]]:
    """A table told by its shape (`rows`, as _shaped_rows gives them): its rows placed in
    the template's order."""
    placed: dict[str, PlacedCell] = {}
    notes: list[str] = []
    for data_row, spec in zip(rows, table.rows, strict=True):
        found, row_notes = _place_row(table, spec.id, data_row,
                                      [c.id for c in table.row_columns(spec)])
        placed.update(found)
        notes += row_notes
    return placed, notes


def _map_onto(template: Template, grids: Sequence[GridText]) -> TemplateMatch | None:
    tables: dict[str, list[int]] = {}
    kinds: dict[int, str | None] = {}
    for grid in grids:
        kind = kinds[grid.index] = classify_grid(template, grid)
        if kind is None and kinds.get(grid.index - 1) == "applications" and _table_score(
                template.tables["applications"], _labels(grid)) >= 1:
            # the last rows of 三 carried to the next page: "3.其他" and "（七）总计" are
            # too short to tell any table, "四、结转下年度继续办理" names 三 alone
            kind = kinds[grid.index] = "applications"
        if kind:
            tables.setdefault(kind, []).append(grid.index)
    if not tables:
        return None
    if "reviews" not in tables:
        # a row of 15 values is table 四's alone: its headers unread (a seal over them,
        # type too blurred), its values are placed by position, each flagged
        count = len(template.tables["reviews"].cell_ids())
        unread = [g for g in grids if kinds[g.index] is None and _values_row_of(g, count)]
        if unread:
            tables["reviews"] = [unread[0].index]
    shaped_rows: dict[str, list[_DataRow]] = {}
    for tid in ("applications", "active"):
        # so is a grid of as many rows of seven values as 三 has rows, or of 二's blocks of
        # titles, headers and rows of values: its labels unread (type too small or too
        # thin for the model), its rows are placed in order, each flagged
        if tid in tables:
            continue
        taken = {i for found_in in tables.values() for i in found_in}
        for grid in grids:
            if kinds[grid.index] is None and grid.index not in taken and (
                    rows := _shaped_rows(grid, template.tables[tid])):
                tables[tid], shaped_rows[tid] = [grid.index], rows
                break
    by_shape = frozenset(t for t, found_in in tables.items() if kinds[found_in[0]] is None)
    by_index = {g.index: g for g in grids}
    placed: dict[str, PlacedCell] = {}
    notes: list[str] = []
    for tid in TABLE_IDS:
        if tid not in tables:
            notes.append(f"{tid}: table not found in the images")
            continue
        table = template.tables[tid]
        if tid in shaped_rows:
            found, table_notes = _map_shaped(table, shaped_rows[tid])
        else:
            mapper = _map_reviews if tid == "reviews" else _map_rowwise
            found, table_notes = mapper(table, [by_index[i] for i in tables[tid]])
        placed.update(_noted(found, [BY_SHAPE] if tid in by_shape else []))
        notes += table_notes
    return TemplateMatch(template, placed, tables, tuple(notes), by_shape)
