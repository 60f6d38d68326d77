"""Compare the grids found in generated documents with the generator's true table layouts.

For every document of a generated set (doc-NNNN.<ext> beside doc-NNNN.truth.json), each page
is loaded, cleaned and searched for grids, and each of the tables 二, 三, 四 is counted right
when some grid has exactly its cells (rows, columns, spans), as read or upside down (the
pipeline retries a page half turned when its cells hold few labels). A table 三 split over a page
break is right when, for one cut row, both of its parts are found.

    .venv/bin/python scripts/eval_grids.py bench-data/seed-1 [--only doc-0012 ...] [--draw DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402

from recover.cleanup import clean_page  # noqa: E402
from recover.grid import draw_grids, find_grids  # noqa: E402
from recover.load import load_document  # noqa: E402
from recover.templates import get_template  # noqa: E402

Spans = frozenset[tuple[int, int, int, int]]


def part_cells(layout: generate.TableLayout, ranges: list[tuple[int, int]]) -> Spans:
    """The cells of the rows in `ranges` stacked, cells crossing a range's edge clipped."""
    offset, top = {}, 0
    for first, last in ranges:
        for r in range(first, last):
            offset[r] = top
            top += 1
    cells = set()
    for cell in layout.cells:
        for first, last in ranges:
            r0, r1 = max(cell.row, first), min(cell.row + cell.rowspan, last)
            if r0 < r1:
                cells.add((offset[r0], cell.col, r1 - r0, cell.colspan))
    return frozenset(cells)


def half_turned(cells: Spans) -> Spans:
    """The cells of a grid read upside down (the pipeline retries such a page turned)."""
    rows = max(r + rs for r, _, rs, _ in cells)
    cols = max(c + cs for _, c, _, cs in cells)
    return frozenset((rows - r - rs, cols - c - cs, rs, cs) for r, c, rs, cs in cells)


def table_found(layout: generate.TableLayout, split: str | None, found: list[Spans]) -> bool:
    found = found + [half_turned(cells) for cells in found if cells]
    if layout.table_id != "applications" or not split:
        return part_cells(layout, [(0, layout.n_rows)]) in found
    header = [(0, layout.header_rows)] if split == "repeat_header" else []
    for cut in range(layout.header_rows + 3, layout.n_rows - 2):
        first = part_cells(layout, [(0, cut)])
        second = part_cells(layout, [*header, (cut, layout.n_rows)])
        if first in found and second in found:
            return True
    return False


def evaluate(doc: Path, draw: Path | None) -> tuple[list[bool], list[str], float]:
    truth = json.loads(doc.with_name(doc.name.split(".")[0] + ".truth.json").read_text())
    layouts = generate.table_layouts(get_template(truth["template"]))
    found: list[Spans] = []
    shapes, seconds = [], 0.0
    for page in load_document(doc).pages:
        if page.image is None:
            continue
        start = time.perf_counter()
        cleaned = clean_page(page.image)
        grids = find_grids(cleaned.grid_image)  # as the pipeline does
        seconds += time.perf_counter() - start
        found += [frozenset((c.row, c.col, c.row_span, c.col_span) for c in g.cells) for g in grids]
        shapes.append(
            f"p{page.number}:" + ",".join(f"{g.n_rows}x{g.n_cols}" for g in grids)
            + f"[t{cleaned.quarter_turns} s{cleaned.skew_degrees:.2f}"
            + (" P" if cleaned.perspective else "") + "]"
        )
        if draw is not None:
            name = f"{doc.stem}.p{page.number}.png"
            cv2.imwrite(str(draw / name), draw_grids(cleaned.grid_image, grids))
    split = truth["damage"].get("split_table")
    return [table_found(layout, split, found) for layout in layouts], shapes, seconds


def damage_summary(doc: Path) -> str:
    truth = json.loads(doc.with_name(doc.name.split(".")[0] + ".truth.json").read_text())
    damage = truth["damage"]
    shown = {k: v for k, v in damage.items() if v not in (0, 0.0, False, None) and k != "grayscale"}
    listed = " ".join(f"{k}={v}" for k, v in shown.items())
    return f"{truth['format']} {truth['template']} {listed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", nargs="*", default=None, help="document stems to evaluate")
    parser.add_argument("--draw", type=Path, default=None, help="write each page's grids here")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    docs = sorted(p for p in args.folder.glob("doc-*.*") if not p.name.endswith(".truth.json"))
    docs = [d for d in docs if d.is_file() and (not args.only or d.stem in args.only)]
    if args.draw:
        args.draw.mkdir(parents=True, exist_ok=True)
    right = total = 0
    pages_time: list[float] = []
    for doc in docs:
        hits, shapes, seconds = evaluate(doc, args.draw)
        right += sum(hits)
        total += len(hits)
        pages_time.append(seconds / max(1, len(shapes)))
        marks = "".join("+" if h else "-" for h in hits)
        print(f"{doc.stem} {marks} {seconds:.2f}s {' '.join(shapes)}  | {damage_summary(doc)}")
    mean = sum(pages_time) / max(1, len(pages_time))
    print(f"tables right: {right}/{total}; mean clean+grid per page {mean:.3f}s")


if __name__ == "__main__":
    main()
