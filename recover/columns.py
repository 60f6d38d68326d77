"""A row of cells cut into a known number of columns. A seal's ring or a broken rule splits
one column's cell in two, or runs several columns' cells together, or swallows a row's end
into the cell above; the table's width over its number of columns, and the lattice's column
rules, say where the columns are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

FRAGMENT = 0.5  # share of a column's width below which a cell is a piece of one
SNAP = 1 / 3  # share of a column's width within which a split goes to a lattice rule


@dataclass(frozen=True)
class Span:
    x0: int
    x1: int
    guessed: bool  # not one cell of the row: made by joining, cutting or filling a gap

    @property
    def width(self) -> int:
        return self.x1 - self.x0


def column_spans(cells: Sequence[tuple[int, int]], left: int, right: int,
                 rules: Sequence[int], count: int) -> list[Span] | None:
    """The x spans of `count` columns between `left` and `right`, from the x ranges of a
    row's cells: pieces narrower than half a column join their narrower neighbour, cells
    (and gaps no cell covers) as wide as several columns are cut, at the lattice's `rules`
    where there are some. None when that does not make `count` columns."""
    unit = (right - left) / count
    spans = _joined(_with_gaps(cells, left, right, unit), unit)
    cut = [part for span in spans for part in _cut(span, unit, rules)]
    return cut if len(cut) == count else None


def _with_gaps(cells: Sequence[tuple[int, int]], left: int, right: int, unit: float
               ) -> list[Span]:
    """The cells as spans, with a span for each stretch of the row no cell covers (the row's
    end swallowed by a cell above) that is wide enough to be a column."""
    spans: list[Span] = []
    at = left
    for x0, x1 in sorted(cells):
        if x0 - at >= FRAGMENT * unit:
            spans.append(Span(at, x0, True))
        spans.append(Span(x0, x1, False))
        at = max(at, x1)
    if right - at >= FRAGMENT * unit:
        spans.append(Span(at, right, True))
    return spans


def _joined(spans: list[Span], unit: float) -> list[Span]:
    """The spans with each piece narrower than half a column joined to its narrower
    neighbour, narrowest first."""
    spans = list(spans)
    while len(spans) > 1:
        i = min(range(len(spans)), key=lambda k: spans[k].width)
        if spans[i].width >= FRAGMENT * unit:
            break
        j = min((k for k in (i - 1, i + 1) if 0 <= k < len(spans)),
                key=lambda k: spans[k].width)
        a, b = sorted((i, j))
        spans[a:b + 1] = [Span(spans[a].x0, spans[b].x1, True)]
    return spans


def _cut(span: Span, unit: float, rules: Sequence[int]) -> list[Span]:
    """A span as wide as several columns cut into that many: at the lattice rule nearest
    each even cut, when one is near enough, else at the even cut."""
    parts = round(span.width / unit)
    if parts <= 1:
        return [span]
    edges = [span.x0]
    for k in range(1, parts):
        even = span.x0 + k * span.width / parts
        near = [r for r in rules if edges[-1] < r < span.x1 and abs(r - even) <= SNAP * unit]
        edges.append(min(near, key=lambda r: abs(r - even)) if near else round(even))
    edges.append(span.x1)
    return [Span(a, b, True) for a, b in pairwise(edges)]
