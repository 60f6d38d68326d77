"""Finding table grids on a page image: ruled lines, cells with their spans, several tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels


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
    and its cells (a merged cell is one `GridCell` with spans > 1)."""

    bbox: BBox
    col_edges: tuple[int, ...]
    row_edges: tuple[int, ...]
    cells: tuple[GridCell, ...]

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1


def find_grids(page: np.ndarray) -> list[Grid]:
    """Every table grid on a cleaned page image (grey or BGR), top to bottom."""
    raise NotImplementedError
