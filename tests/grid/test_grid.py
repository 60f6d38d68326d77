"""The grid finder on drawn replicas of the official tables, clean and damaged."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from recover.cleanup import clean_page
from recover.grid import Grid, _merge_cells, draw_grids, find_grids, find_text_grids
from recover.load import load_document
from recover.templates import get_template

DATA = Path(__file__).parent / "data"


def spans(grid: Grid) -> set[tuple[int, int, int, int]]:
    return {(c.row, c.col, c.row_span, c.col_span) for c in grid.cells}


def test_reviews_table_has_its_merged_headers(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200))

    [grid] = find_grids(page)

    assert (grid.n_rows, grid.n_cols) == (4, 15)
    assert spans(grid) == drawing.expected_cells(table)
    assert (0, 0, 1, 5) in spans(grid) and (0, 5, 1, 10) in spans(grid)
    assert sum(1 for c in grid.cells if c.row_span == 2) == 5
    assert not grid.inferred


def test_cells_are_row_major_with_page_pixel_boxes(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200))

    [grid] = find_grids(page)

    assert [(c.row, c.col) for c in grid.cells] == sorted((c.row, c.col) for c in grid.cells)
    x0, y0, x1, y1 = grid.bbox
    width, height = table.size
    assert abs(x0 - 100) <= 3 and abs(y0 - 200) <= 3
    assert abs(x1 - (100 + width)) <= 3 and abs(y1 - (200 + height)) <= 3
    first = grid.cells[0]
    assert abs(first.bbox[2] - (100 + 5 * 92)) <= 3


def test_applications_table_row_labels_span_many_rows(drawing):
    table = drawing.applications_table()
    page = drawing.draw_table(drawing.blank_page(), table, (80, 120))

    [grid] = find_grids(page)

    assert (grid.n_rows, grid.n_cols) == (28, 10)
    assert spans(grid) == drawing.expected_cells(table)
    assert grid.cell_at(20, 0) == grid.cell_at(5, 0)
    assert grid.cell_at(5, 0).row_span == 22


def test_faint_rules(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200), ink=200, line_width=1)
    page = page.copy()
    page[page < 255] = np.clip(page[page < 255], 0, 200)
    rng = np.random.default_rng(1)
    noisy = np.clip(page.astype(int) + rng.normal(0, 6, page.shape), 0, 255).astype(np.uint8)

    [grid] = find_grids(noisy)

    assert spans(grid) == drawing.expected_cells(table)


def test_light_grey_rules_beside_dense_text_on_clean_paper_are_found_by_faint_marks(drawing):
    """Seed-5 bench doc 38: 1-px rules of grey 179 blurred (sigma 1.12) to about 228 on
    clean paper, only ~27 levels below it, beside dense black type. The adaptive ink mask
    loses them past the labels, and a fixed faint-mark contrast of 32 does too; on paper
    without grain a smaller contrast is safe and finds every cell."""
    table = drawing.applications_table()
    ruled = drawing.draw_table(drawing.blank_page(), table, (80, 120), ink=179, line_width=1,
                               font_size=24)
    text = drawing.draw_table(drawing.blank_page(), table, (80, 120), rules=False, font_size=24)
    page = cv2.GaussianBlur(np.minimum(ruled, text), (0, 0), 1.12)

    [grid] = find_grids(page, "faint")

    assert not grid.inferred and spans(grid) == drawing.expected_cells(table)


def test_faint_mark_contrast_rises_with_the_papers_grain(drawing):
    from recover.grid import FAINT_RULE_CONTRAST, FAINT_RULE_MIN_CONTRAST, _faint_contrast

    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200))
    rng = np.random.default_rng(3)
    grainy = np.clip(page.astype(int) - np.abs(rng.normal(0, 6, page.shape)), 0, 255)
    for image, want in ((page, FAINT_RULE_MIN_CONTRAST), (grainy.astype(np.uint8),
                                                         FAINT_RULE_CONTRAST)):
        below = cv2.subtract(cv2.dilate(image, np.ones((7, 7), np.uint8)), image)
        assert _faint_contrast(image, below) == want


def test_broken_rules(drawing):
    table = drawing.applications_table()
    page = drawing.draw_table(drawing.blank_page(), table, (80, 120))
    rng = np.random.default_rng(7)
    for _ in range(1500):  # white nicks of 2-4 px across the rules
        x, y = int(rng.integers(0, page.shape[1])), int(rng.integers(0, page.shape[0]))
        size = int(rng.integers(2, 5))
        page[y : y + size, x : x + size] = 255

    [grid] = find_grids(page)

    assert spans(grid) == drawing.expected_cells(table)


def test_doubled_outer_border_is_one_rule(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200))
    width, height = table.size
    cv2.rectangle(page, (95, 195), (105 + width, 205 + height), 0, 2)

    [grid] = find_grids(page)

    assert (grid.n_rows, grid.n_cols) == (4, 15)
    assert spans(grid) == drawing.expected_cells(table)


def test_missing_outer_border_is_inferred(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200), border=False)

    [grid] = find_grids(page)

    assert (grid.n_rows, grid.n_cols) == (4, 15)
    assert spans(grid) == drawing.expected_cells(table)


def test_two_tables_on_one_page_top_to_bottom(drawing):
    page = drawing.blank_page()
    drawing.draw_table(page, drawing.reviews_table(), (100, 1500))
    drawing.draw_table(page, drawing.applications_table(), (80, 100))

    grids = find_grids(page)

    assert [(g.n_rows, g.n_cols) for g in grids] == [(28, 10), (4, 15)]
    assert grids[0].bbox[1] < grids[1].bbox[1]


def test_small_screenshot_scale(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(1600, 600), table, (40, 40))
    small = cv2.resize(page, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)

    [grid] = find_grids(small)

    assert spans(grid) == drawing.expected_cells(table)


def test_rules_gone_falls_back_to_text_alignment(drawing):
    table = drawing.applications_table()
    numbers_only = type(table)(
        [c for c in table.layout if c[0] >= 3 and c[1] >= 3], table.col_widths, table.row_heights
    )
    page = drawing.draw_table(drawing.blank_page(), numbers_only, (80, 120), rules=False)

    [grid] = find_grids(page)

    assert grid.inferred
    assert (grid.n_rows, grid.n_cols) == (25, 7)
    assert find_text_grids(drawing.blank_page()) == []


def test_blank_page_has_no_grid(drawing):
    assert find_grids(drawing.blank_page()) == []


def test_draw_grids_marks_the_page(drawing):
    page = drawing.draw_table(drawing.blank_page(), drawing.reviews_table(), (100, 200))

    picture = draw_grids(page, find_grids(page))

    assert picture.shape == (*page.shape, 3)
    assert (picture[:, :, 1] > picture[:, :, 0] + 50).any()


def test_grainy_page_makes_no_grids_of_specks(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 600))
    rng = np.random.default_rng(5)
    specks = rng.random(page.shape) < 0.004
    page[cv2.dilate(specks.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 90

    [grid] = find_grids(page)

    assert spans(grid) == drawing.expected_cells(table)


def test_bold_heading_strokes_are_no_table(drawing):
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 600))
    picture = Image.fromarray(page)
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 64)
    ImageDraw.Draw(picture).text((150, 420), "四、政府信息公开行政复议情况", fill=0, font=font)
    page = np.asarray(picture).copy()

    grids = find_grids(page)

    assert [(g.n_rows, g.n_cols) for g in grids] == [(4, 15)]


def test_rule_pieces_carrying_stubs_of_crossing_rules(drawing):
    # Breaks a little way from every crossing leave each piece of a row rule with short
    # stubs of the column rules on it: a long blob as thick as a line of text.
    table = drawing.reviews_table()
    page = drawing.draw_table(drawing.blank_page(), table, (100, 200))
    xs = np.concatenate([[0], np.cumsum(table.col_widths)]) + 100
    ys = np.concatenate([[0], np.cumsum(table.row_heights)]) + 200
    for y in ys:
        for x in xs:
            page[y - 14 : y - 11, x - 3 : x + 4] = 255
            page[y + 11 : y + 14, x - 3 : x + 4] = 255
        for left, right in zip(xs, xs[1:], strict=False):
            middle = (left + right) // 2
            page[y - 3 : y + 4, middle - 2 : middle + 2] = 255

    [grid] = find_grids(page)

    assert spans(grid) == drawing.expected_cells(table)


def test_two_tables_whose_rules_are_gone_are_two_text_grids(drawing):
    """A page holding 三 and 四 without rules (a scan that lost them): a heading and a gap
    of several rows part the two tables, each with its own columns."""
    import cv2

    page = drawing.blank_page()
    drawing.draw_table(page, drawing.applications_table(), (80, 100), rules=False)
    drawing.draw_table(page, drawing.reviews_table(), (100, 1650), rules=False)
    cv2.putText(page, "FOUR: REVIEWS AND LITIGATION", (100, 1570), cv2.FONT_HERSHEY_SIMPLEX,
                1.2, 0, 3)

    grids = find_grids(page)

    assert [g.inferred for g in grids] == [True, True]
    assert grids[0].bbox[3] < 1570 < grids[1].bbox[1]
    assert grids[1].n_cols == 15


def _seps(n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Separations of a lattice whose every edge is ruled."""
    return np.ones((n_rows + 1, n_cols), bool), np.ones((n_rows, n_cols + 1), bool)


def test_a_one_segment_break_beside_a_tall_cell_does_not_fuse_the_labels():
    # column 0 runs down all 6 rows; column 1 holds a group label over rows 2-5; column 2
    # one label a row. The rule between columns 0 and 1 is broken beside row 3 alone.
    h_sep, v_sep = _seps(6, 3)
    h_sep[1:6, 0] = False  # the tall cell
    h_sep[3:6, 1] = False  # the group label over rows 2-5
    v_sep[3, 1] = False  # the break
    cells = _merge_cells(list(range(0, 70, 10)), [0, 10, 20, 30], h_sep, v_sep)
    spans = {(c.row, c.col, c.row_span, c.col_span) for c in cells}
    assert (0, 0, 6, 1) in spans and (2, 1, 4, 1) in spans
    assert all((r, 2, 1, 1) in spans for r in range(6))


def test_rules_lost_in_many_places_are_still_squared_off():
    # two breaks side by side in one rule are no gap of one segment: the group is squared off
    h_sep, v_sep = _seps(6, 3)
    h_sep[1:6, 0] = False
    h_sep[3:6, 1] = False
    v_sep[3:5, 1] = False
    cells = _merge_cells(list(range(0, 70, 10)), [0, 10, 20, 30], h_sep, v_sep)
    assert (0, 0, 6, 2) in {(c.row, c.col, c.row_span, c.col_span) for c in cells}


def test_a_table_whose_broken_rules_fell_apart_in_overlapping_pieces_is_one_grid():
    """Table 四 of a generated report with thick rules broken in many places (seed-3 bench
    doc 35): its rules fell apart into three groups whose boxes overlap, and each made a grid
    of its own, cutting the table's cells and losing 11 of them. Grids that overlap are the
    pieces of one table, found again from all their rules."""
    page = np.asarray(Image.open(DATA / "broken-rules-reviews.png"))

    [grid] = find_grids(page)

    x0, y0, x1, y1 = grid.bbox
    assert x0 < 10 and y0 < 10 and x1 > page.shape[1] - 10 and y1 > page.shape[0] - 10
    # the value row: its cells end at the table's column rules (but one, the rule between
    # two of them too broken to find, and that cell is then doubted when read)
    ends = {c.bbox[2] for c in grid.cells if c.bbox[1] > 200}
    columns = {80, 162, 238, 318, 394, 470, 552, 634, 710, 798, 878, 964, 1042, 1130, 1214}
    assert len(ends) >= 14 and all(min(abs(e - c) for c in columns) <= 3 for e in ends)


def test_light_grey_rules_broken_into_specks_by_grain_are_found_along_their_length(
    tmp_path, generator
):
    """Seed-5 bench doc 11: 1-px rules of grey 186 on a grainy (sigma 15) 300 DPI scan.
    Pixel by pixel the grain breaks them into specks too short to be rules, so neither the
    ink mask nor the faint marks found table 三; averaged along their length they are
    whole: every table is found, 三 with every cell of its values and its header but the
    two narrowest at the foot of the header (社会公益组织, 法律服务机构), which the rule
    between them, found only along its length, may not part."""
    path = generator.generate_document(tmp_path, "doc", [5, 11], None, "bmp")  # as the bench
    truth = json.loads((tmp_path / "doc.truth.json").read_text(encoding="utf-8"))
    assert (truth["damage"]["noise"], truth["damage"]["rule_gray"]) == (15.1, 186)
    page = load_document(path).pages[0].image
    layouts = generator.table_layouts(get_template(truth["template"]))

    found = find_grids(clean_page(page).grid_image, "smoothed")

    assert [(g.n_rows, g.n_cols) for g in found] == [(14, 4), (28, 10), (4, 15)]
    assert not any(g.inferred for g in found)
    values = {(c.row, c.col, c.rowspan, c.colspan) for c in layouts[1].cells if c.col >= 3}
    narrow = {(2, 6, 1, 1), (2, 7, 1, 1)}
    assert len(values) == 184 and values - {(0, 3, 1, 7)} - narrow <= spans(found[1])


def test_light_grey_rules_of_a_blurred_grainy_scan_are_found_as_thin_marks(tmp_path, generator):
    """Seed-9 bench doc 8: 1-px rules of grey 169, blurred (1.27) and grainy (14.6), at 150
    DPI. Averaged along their length they are darker than the paper just above and below
    them, where a character's strokes are not: table 三 is one grid holding every cell of
    its values (it was found in pieces, and 194 cells were lost)."""
    path = generator.generate_document(tmp_path, "doc", [9, 8], None, "tiff")  # as the bench
    truth = json.loads((tmp_path / "doc.truth.json").read_text(encoding="utf-8"))
    assert (truth["damage"]["noise"], truth["damage"]["rule_gray"]) == (14.6, 169)
    page = load_document(path).pages[1].image
    layouts = generator.table_layouts(get_template(truth["template"]))

    [found] = find_grids(clean_page(page).grid_image, "smoothed")

    assert (found.n_rows, found.n_cols) == (28, 10) and not found.inferred
    values = {(c.row, c.col, c.rowspan, c.colspan) for c in layouts[1].cells if c.col >= 3}
    assert values - {(0, 3, 1, 7)} <= spans(found)




def test_rules_a_two_tone_scan_broke_into_dots_beside_columns_of_zeros(drawing):
    """Seed-9 bench doc 19: a two-tone scan broke light grey rules into dots, here one
    pixel in eight. Averaged along their length they are rules again; so, averaged down a
    column, are the left strokes of a column of 0s one above the other (they made a column
    rule in every column of values). With the characters painted over first, every cell
    of the values is found, each in its own box. (Parentheses, too thin to be taken for
    characters, may still part a label's cell: those are no values.)"""
    table = drawing.applications_table()
    table = replace(table, layout=[(r, c, rs, cs, "0" if c >= 3 and r >= 3 else text)
                                   for r, c, rs, cs, text in table.layout])
    origin = (80, 120)
    text = drawing.draw_table(drawing.blank_page(), table, origin, rules=False)
    ruled = drawing.draw_table(drawing.blank_page(), table, origin, line_width=1)
    ys, xs = np.indices(ruled.shape)
    page = np.where((ruled < 128) & (text >= 128) & ((xs + ys) % 8 != 0), 255, ruled)

    found = find_grids(page, "smoothed")

    assert len(found) == 1 and not found[0].inferred
    lefts = np.cumsum([origin[0], *table.col_widths])
    tops = np.cumsum([origin[1], *table.row_heights])
    values = [(lefts[c], tops[r], lefts[c + cs], tops[r + rs])
              for r, c, rs, cs, _ in table.layout if r >= 3 and c >= 3]
    boxes = [cell.bbox for cell in found[0].cells]
    assert len(values) == 175 and all(
        any(max(abs(a - b) for a, b in zip(value, box, strict=True)) <= 4 for box in boxes)
        for value in values)


def test_character_height_of_a_two_tone_scan_whose_grain_became_black_specks(drawing):
    """Seed-8 bench doc 36 and seed-12 doc 24: the grain of a two-tone scan became clumps of
    black specks that outnumber the characters many times; by count, their height (9-10
    pixels) was taken for the characters' (30), and no table was found. By ink, the
    characters' height stands; on a clean page both ways agree."""
    from recover.grid import _ink_mask, _without_text

    page = drawing.draw_table(drawing.blank_page(), drawing.applications_table(), (80, 120))
    clean = _without_text(_ink_mask(page), page)[1].char_h
    rng = np.random.default_rng(7)
    speckled = page.copy()
    # 2,500 specks 6 x 2: five for every blob of the table's text, less ink than its text
    for y, x in zip(rng.integers(0, page.shape[0] - 8, 2500),
                    rng.integers(0, page.shape[1] - 8, 2500), strict=True):
        speckled[y:y + 6, x:x + 2] = 0
    found = _without_text(_ink_mask(speckled), speckled)[1].char_h
    assert found >= 0.75 * clean and clean >= 15
