"""A cell's picture for the reviewer, cut from its source page as the pipeline saw it.

The page is loaded and cleaned the way `recover.pipeline` does (`bbox` is in pixels of the
cleaned page), with a margin so the neighbouring rules show, and enlarged to a readable size.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from recover.cleanup import clean_page
from recover.errors import RecoverError
from recover.load import load_document
from recover.model import Cell

READABLE_HEIGHT = 96  # pixels: a crop smaller than this is enlarged
MAX_SCALE = 4.0


@lru_cache(maxsize=8)
def cleaned_page(path: str, sha256: str | None, page: int, dpi: int = 200,
                 turns: int = 0, picture: int = 0) -> np.ndarray | None:
    """The cleaned image of page `page` of `path` as the pipeline saw it, or None when it
    cannot be had (file gone or changed since the result was written, page without an
    image)."""
    try:
        doc = load_document(Path(path), dpi=dpi)
    except (RecoverError, OSError):
        return None
    if sha256 and doc.sha256 != sha256:
        return None
    images = [p.image for p in doc.pages if p.number == page and p.image is not None]
    image = images[picture] if picture < len(images) else None
    if image is None:
        return None
    return clean_page(image, turn=turns).image


def source_path(input_info: dict, result_dir: Path) -> Path | None:
    """The input file of a result: its path as recorded (relative to where `extract` ran),
    else the same path or name beside the result."""
    recorded = input_info.get("path")
    if not recorded:
        return None
    candidates = [Path(recorded), result_dir / recorded, result_dir / Path(recorded).name]
    return next((p for p in candidates if p.is_file()), None)


def cell_crop(input_info: dict, cell: Cell, result_dir: Path, margin: int = 12) -> bytes | None:
    """PNG bytes of the cell's region with a margin, or None when there is no picture."""
    source = cell.source
    path = source_path(input_info, result_dir)
    if source.page is None or source.bbox is None or path is None:
        return None
    picture = source.picture or 0
    turns = next((t for p, i, t in input_info.get("turned_pages", [])
                  if [p, i] == [source.page, picture]), 0)
    image = cleaned_page(str(path.resolve()), input_info.get("sha256"), source.page,
                         int(input_info.get("dpi", 200)), turns, picture)
    if image is None:
        return None
    x0, y0, x1, y1 = source.bbox
    height, width = image.shape[:2]
    x0, y0 = max(0, x0 - margin), max(0, y0 - margin)
    x1, y1 = min(width, x1 + margin), min(height, y1 + margin)
    if x1 <= x0 or y1 <= y0:
        return None
    crop = image[y0:y1, x0:x1]
    scale = min(MAX_SCALE, READABLE_HEIGHT / crop.shape[0])
    if scale > 1:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    ok, png = cv2.imencode(".png", crop)
    return png.tobytes() if ok else None
