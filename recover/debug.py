"""What the table finder saw, drawn on each page: the grid, each placed cell's id and
value, and the flagged cells in red. The first thing to look at when a value is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from recover.output import write_atomic
from recover.pipeline import PageGrids, Trace

GRID = (200, 120, 0)
PLACED = (0, 150, 0)
FLAGGED = (0, 0, 230)


def _label(image: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int]) -> None:
    cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.33, (255, 255, 255), 3,
                cv2.LINE_AA)
    cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.33, colour, 1, cv2.LINE_AA)


def draw_page(page: PageGrids, trace: Trace | None) -> np.ndarray:
    """The page with its grids and, when a report came of it, each placed cell; without
    one, the numbers as first read (what the mapping had to go on)."""
    image = page.image.copy()
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    for grid in page.grids:
        for tc in grid.cells:
            x0, y0, x1, y1 = (int(v) for v in tc.cell.bbox)
            cv2.rectangle(image, (x0, y0), (x1, y1), GRID, 1)
            if trace is None and tc.text.isascii() and tc.text.strip():
                _label(image, tc.text[:12], x0 + 3, y1 - 4, GRID)  # numbers, as first read
    if trace is None:
        return image
    cells = {c.id: c for c in trace.report.cells}
    for cid, cell in cells.items():
        on_image = cell.source.page == page.page and (cell.source.picture or 0) == page.picture
        if not on_image or cell.source.bbox is None:
            continue
        x0, y0, x1, y1 = cell.source.bbox
        colour = FLAGGED if cell.flagged else PLACED
        cv2.rectangle(image, (x0 + 1, y0 + 1), (x1 - 1, y1 - 1), colour, 2 if cell.flagged else 1)
        _, row, col = cid.split(".")
        _label(image, f"{row[:10]}.{col[:8]}", x0 + 3, y0 + 10, colour)
        _label(image, f"= {cell.value}", x0 + 3, y1 - 4, colour)
    return image


def write_debug_images(trace: Trace | None, stem: str, out_dir: Path,
                       pages: Sequence[PageGrids] = ()) -> list[Path]:
    """One PNG per page that had grids: `<stem>.page<N>.png`. Without a trace (no report
    table was found), `pages` are what the table finder saw."""
    written = []
    if trace is not None:
        pages = trace.images.pages if trace.images is not None else ()
    for page in pages:
        ok, png = cv2.imencode(".png", draw_page(page, trace))
        if ok:
            picture = f".picture{page.picture + 1}" if page.picture else ""
            path = out_dir / f"{stem}.page{page.page}{picture}.png"
            write_atomic(path, png.tobytes())
            written.append(path)
    return written
