"""A grid inferred from the text's alignment alone (its rules gone), cut into its tables."""

from __future__ import annotations

from recover.grid import Grid, GridCell
from recover.mapping import TextCell
from recover.pipeline import _at_headings


def _text_grid(rows: list[list[str]]) -> tuple[Grid, list[TextCell]]:
    """A grid inferred from text: one cell per text, each 100 px wide, rows 30 px high."""
    cells = [TextCell(GridCell(r, c, 1, 1, (100 * c, 30 * r, 100 * c + 100, 30 * r + 30)),
                      text, 0.9)
             for r, row in enumerate(rows) for c, text in enumerate(row) if text]
    width = max(len(row) for row in rows)
    grid = Grid((0, 0, 100 * width, 30 * len(rows)), tuple(range(0, 100 * width + 1, 100)),
                tuple(range(0, 30 * len(rows) + 1, 30)), tuple(c.cell for c in cells),
                inferred=True)
    return grid, cells


def test_a_grid_inferred_from_text_is_cut_into_tables_at_a_section_heading() -> None:
    """Seed-8 bench doc 11: the rules of 二 and 三 gone, their text made one grid, and 三
    was found in none. The row reading as 三's heading parts them, and is left out."""
    grid, cells = _text_grid([["规章", "0", "0"], ["行政规范性文件", "3", "4"],
                              ["三、收到和处理政府信息公开申请"],
                              ["一、本年新收政府信息公开申请数量", "6", "1"],
                              ["二、上年结转政府信息公开申请数量", "0", "0"]])
    (first, first_cells), (second, second_cells) = _at_headings(grid, cells)
    assert first.row_edges == (0, 30, 60) and second.row_edges == (90, 120, 150)
    assert [c.text for c in second_cells] == ["一、本年新收政府信息公开申请数量", "6", "1",
                                              "二、上年结转政府信息公开申请数量", "0", "0"]
    assert {c.cell.row for c in second_cells} == {0, 1} and second.inferred
    assert [c.cell for c in second_cells] == list(second.cells)


def test_a_row_label_naming_the_applications_is_no_heading() -> None:
    """"一、本年新收政府信息公开申请数量" shares 8 characters with 三's heading."""
    grid, cells = _text_grid([["一、本年新收政府信息公开申请数量", "6", "1"],
                              ["二、上年结转政府信息公开申请数量", "0", "0"]])
    assert _at_headings(grid, cells) == [(grid, tuple(cells))]
