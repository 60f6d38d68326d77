"""Mapping read grids onto the template: rows by labels and order, columns by headers."""

from __future__ import annotations

from dataclasses import replace

from recover.grid import Grid, GridCell
from recover.mapping import (
    BY_SHAPE,
    ORDER_NOT_LABEL,
    REVIEWS_CUT,
    GridText,
    TextCell,
    map_grids,
)
from recover.templates import get_template

COLUMN_WIDTH, LABEL_WIDTH, ROW_HEIGHT = 60, 300, 30


def _grid(index: int, page: int, rows: list[tuple[str, list[str]]], header: bool) -> GridText:
    """A table 三 lookalike: one label column, seven value columns, a one-row header."""
    template = get_template("2021")
    cells: list[TextCell] = []
    r = 0
    if header:
        cells.append(TextCell(GridCell(0, 0, 1, 1, (0, 0, LABEL_WIDTH, ROW_HEIGHT)),
                              "申请人情况", 0.99))
        for c, column in enumerate(template.tables["applications"].columns):
            x0 = LABEL_WIDTH + c * COLUMN_WIDTH
            cells.append(TextCell(GridCell(0, c + 1, 1, 1, (x0, 0, x0 + COLUMN_WIDTH, ROW_HEIGHT)),
                                  column.label, 0.99))
        r = 1
    for label, values in rows:
        y0 = r * ROW_HEIGHT
        cells.append(TextCell(GridCell(r, 0, 1, 1, (0, y0, LABEL_WIDTH, y0 + ROW_HEIGHT)),
                              label, 0.9))
        for c, value in enumerate(values):
            x0 = LABEL_WIDTH + c * COLUMN_WIDTH
            box = (x0, y0, x0 + COLUMN_WIDTH, y0 + ROW_HEIGHT)
            cells.append(TextCell(GridCell(r, c + 1, 1, 1, box), value, 0.9))
        r += 1
    cols = tuple(LABEL_WIDTH + c * COLUMN_WIDTH for c in range(8))
    grid = Grid((0, 0, cols[-1], r * ROW_HEIGHT), (0, *cols),
                tuple(i * ROW_HEIGHT for i in range(r + 1)), tuple(c.cell for c in cells))
    return GridText(page, index, grid, tuple(cells))


def _rows(labels: list[str], start: int = 0) -> list[tuple[str, list[str]]]:
    return [(label, [str(start + i)] * 7) for i, label in enumerate(labels)]


ROWS = [r.label for r in get_template("2021").tables["applications"].rows]


def test_every_row_and_column_of_table_3_is_placed() -> None:
    grid = _grid(0, 1, _rows(ROWS), header=True)
    match = map_grids([grid], "2021")
    assert match is not None and match.tables == {"applications": [0]}
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert len(placed) == 25 * 7
    assert placed["applications.carried_forward.total"] == "24"
    assert placed["applications.other_other.natural_person"] == "22"


def test_a_garbled_label_is_settled_by_its_neighbours_order() -> None:
    labels = list(ROWS)
    labels[5] = "2.其他法◎◎◎止公" # 2.其他法律行政法规禁止公开, badly read
    match = map_grids([_grid(0, 1, _rows(labels), header=True)], "2021")
    assert match.placed["applications.denied_prohibited_by_law.total"].source.text == "5"


def test_table_3_continued_on_the_next_page_without_its_header() -> None:
    first = _grid(0, 1, _rows(ROWS[:12]), header=True)
    second = _grid(1, 2, _rows(ROWS[12:], start=12), header=False)
    match = map_grids([first, second], "2021")
    assert match.tables == {"applications": [0, 1]}
    placed = match.placed["applications.unavailable_not_held.research"]
    assert (placed.page, placed.source.text) == (2, "12")
    assert len([c for c in match.placed if c.startswith("applications.")]) == 25 * 7


def test_the_last_rows_of_table_3_carried_to_the_next_page_are_its_own() -> None:
    """"3.其他" and "（七）总计" are too short to name a table; the grid right after 三
    that names 三 at all continues it (seed-2 bench doc 32: its last three rows lost)."""
    first = _grid(0, 1, _rows(ROWS[:22]), header=True)
    second = _grid(1, 2, _rows(["3.其他", "（七）总计", ROWS[24]], start=22), header=False)
    match = map_grids([first, second], "2021")
    assert match.tables == {"applications": [0, 1]}
    assert match.placed["applications.total.total"].source.text == "23"
    assert match.placed["applications.carried_forward.research"].source.text == "24"


def test_a_row_missing_a_value_cell_is_placed_by_header_only() -> None:
    rows = _rows(ROWS)
    rows[0] = (rows[0][0], rows[0][1][:6])  # the total column's cell is gone
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert "applications.new.total" not in match.placed
    assert match.placed["applications.new.natural_person"].source.text == "0"
    assert any("new: 6 value cells" in note for note in match.notes)


def test_two_value_cells_merged_by_a_broken_rule_are_split_at_the_grids_column_rule() -> None:
    """A rule between two values broken in one row merges their cells; split at the
    column rule the other rows have, each part is placed (and read afresh from its own box)
    (seed-2 bench doc 20: 其他 and 总计 of a row read as one cell, the total lost)."""
    grid = _grid(0, 1, _rows(ROWS), header=True)
    row = 6  # data row 5: denied_prohibited_by_law
    merged = [c for c in grid.cells if c.cell.row == row and c.cell.col in (6, 7)]
    x0, y0 = merged[0].cell.bbox[:2]
    x1, y1 = merged[1].cell.bbox[2:]
    cells = tuple(c for c in grid.cells if c not in merged) + (
        TextCell(GridCell(row, 6, 1, 2, (x0, y0, x1, y1)), "丨", 0.5),)
    match = map_grids([GridText(1, 0, grid.grid, cells)], "2021")
    other = match.placed["applications.denied_prohibited_by_law.other"].source.cell
    total = match.placed["applications.denied_prohibited_by_law.total"].source.cell
    assert other.bbox == merged[0].cell.bbox and total.bbox == merged[1].cell.bbox
    assert not any("value cells" in note for note in match.notes)


def test_pictures_that_are_not_report_tables_give_no_match() -> None:
    grid = _grid(0, 1, [("苹果", ["1"] * 7), ("香蕉", ["2"] * 7)], header=False)
    assert map_grids([grid]) is None


def test_rows_whose_label_cells_the_grid_lost_are_placed_by_order() -> None:
    grid = _grid(0, 1, _rows(ROWS), header=True)
    lost = {5, 6, 7}  # data rows 4..6 (grid rows 5..7): label cells gone
    cells = tuple(c for c in grid.cells if not (c.cell.row in lost and c.cell.col == 0))
    match = map_grids([GridText(1, 0, grid.grid, cells)], "2021")
    assert match.placed["applications.denied_prohibited_by_law.natural_person"].source.text == "5"
    assert match.placed["applications.denied_three_safeties.total"].source.text == "6"


def test_a_header_row_read_as_holding_a_value_does_not_shift_the_rows_below_it() -> None:
    """A header cell read as blank counts as a value cell; its row must not take a place
    in the template's order from the unreadable rows under it (seed-1 bench doc 32: the
    first two rows of 三, their labels garbled by noise, were lost)."""
    rows = [("法人或其他组织", [""]), ("、本◎◎◎◎◎申：", ["0"] * 7),
            ("、上年结线政办资识公会司中数业", ["1"] * 7), *_rows(ROWS[2:], start=2)]
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert match.placed["applications.new.total"].source.text == "0"
    assert match.placed["applications.carried_over.natural_person"].source.text == "1"
    assert len([c for c in match.placed if c.startswith("applications.")]) == 25 * 7


def _active_grid(regulations_label: str) -> GridText:
    """Table 二's first section: a header row, then 规章 and 行政规范性文件 with three
    values each, as laid out in 2021 (label column, three value columns)."""
    rows = [("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
            (regulations_label, ["1", "2", "3"]), ("行政规范性文件", ["4", "5", "6"]),
            ("行政许可", ["7"]), ("行政处罚", ["8"]), ("行政强制", ["9"]),
            ("行政事业性收费", ["1.5"])]
    cells = []
    for r, (label, values) in enumerate(rows):
        y0 = r * ROW_HEIGHT
        cells.append(TextCell(GridCell(r, 0, 1, 1, (0, y0, LABEL_WIDTH, y0 + ROW_HEIGHT)),
                              label, 0.9))
        span = 3 // len(values)
        for c, value in enumerate(values):
            x0, x1 = LABEL_WIDTH + c * COLUMN_WIDTH, LABEL_WIDTH + (c + span) * COLUMN_WIDTH
            cells.append(TextCell(GridCell(r, 1 + c, 1, span, (x0, y0, x1, y0 + ROW_HEIGHT)),
                                  value, 0.9))
    cols = (0, *(LABEL_WIDTH + c * COLUMN_WIDTH for c in range(4)))
    grid = Grid((0, 0, cols[-1], len(rows) * ROW_HEIGHT), cols,
                tuple(i * ROW_HEIGHT for i in range(len(rows) + 1)), tuple(c.cell for c in cells))
    return GridText(1, 0, grid, tuple(cells))


def test_a_label_read_as_one_character_is_still_the_rows_label() -> None:
    """"规章" read as "章": one Chinese character is what a number cell's stray mark reads
    as, but left of where the grid's values start it is a label (seed-2 bench doc 10: the
    row of 规章 was lost)."""
    rows = _rows(ROWS)
    match = map_grids([_active_grid("章"), _grid(1, 2, rows, header=True)], "2021")
    assert match.placed["active.regulations.made"].source.text == "1"
    assert match.placed["active.regulations.in_force"].source.text == "3"
    assert match.placed["active.normative_documents.made"].source.text == "4"


def test_a_blurred_1_read_as_two_characters_of_二_is_still_a_value_cell() -> None:
    cell = GridCell(0, 1, 1, 1, (0, 0, 60, 30))
    assert TextCell(cell, "二二", 0.5).is_value and TextCell(cell, "一", 0.5).is_value
    assert not TextCell(cell, "第二十条", 0.5).is_value


def test_without_table_2_the_template_is_the_one_table_3_fills() -> None:
    """The distinctive labels are mostly in table 二; when it is lost, the rows of 三 tell
    the versions apart (2021 split 其他处理 into three rows)."""
    for version in ("2019", "2021"):
        labels = [r.label for r in get_template(version).tables["applications"].rows]
        match = map_grids([_grid(0, 1, _rows(labels), header=True)])
        assert match is not None and match.template.id == version
        expected = len(get_template(version).tables["applications"].cell_ids())
        assert len(match.placed) == expected


def test_a_label_read_as_a_number_is_not_taken_for_a_value() -> None:
    """"5.属于三类内部事务信息" read as "5." (rules through the label): the row had eight
    value cells for seven columns, and was placed by its headers alone."""
    rows = _rows(ROWS)
    rows[11] = ("5.", rows[11][1])
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    row = get_template("2021").tables["applications"].rows[11].id
    placed = {cid: p.source.text for cid, p in match.placed.items() if f".{row}." in cid}
    assert placed == {f"applications.{row}.{c.id}": "11"
                      for c in get_template("2021").tables["applications"].columns}
    assert not any("value cells" in note for note in match.notes)


def _reviews_grid(values: list[str], unread: tuple[int, ...] = ()) -> GridText:
    """Table 四: group headers, result headers, one row of values; a value cell that a seal
    or a stray rule split adds a column under the header before it."""
    reviews = get_template("2021").tables["reviews"]
    results = [c.label for c in reviews.columns]
    w, h = 60, 30
    cells: list[TextCell] = []

    def add(row: int, col: int, rows: int, cols: int, text: str) -> None:
        box = (col * w, row * h, (col + cols) * w, (row + rows) * h)
        cells.append(TextCell(GridCell(row, col, rows, cols, box), text, 0.9))

    extra = len(values) - 15
    add(0, 0, 1, 5 + extra, "行政复议")
    add(0, 5 + extra, 1, 10, "行政诉讼")
    add(1, 0, 2, 1 + extra, results[0])
    for c, result in enumerate(results[1:], start=1 + extra):
        add(1, c, 2, 1, result)
    add(1, 5 + extra, 1, 5, "未经复议直接起诉")
    add(1, 10 + extra, 1, 5, "复议后起诉")
    for c in range(10):
        add(2, 5 + extra + c, 1, 1, "" if c in unread else results[c % 5])
    for c, value in enumerate(values):
        add(3, c, 1, 1, value)
    n = len(values)
    grid = Grid((0, 0, n * w, 4 * h), tuple(c * w for c in range(n + 1)),
                tuple(r * h for r in range(5)), tuple(c.cell for c in cells))
    return GridText(1, 0, grid, tuple(cells))


def test_table_4_is_placed_by_position() -> None:
    match = map_grids([_reviews_grid([str(i) for i in range(15)])], "2021")
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert len(placed) == 15
    assert placed["reviews.review.upheld"] == "0"
    assert placed["reviews.litigation_after_review.total"] == "14"


def test_table_4_with_a_split_cell_places_the_values_its_headers_name() -> None:
    """Seed-2 bench doc 4: a seal split the first cells of 四, which then had 17 values for
    15 and none was placed. Values whose group and result headers both read are placed;
    the two under one header are not (which is the value?)."""
    values = ["2", "/", *[str(i) for i in range(1, 15)]]
    match = map_grids([_reviews_grid(values)], "2021")
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert "reviews.review.upheld" not in placed
    assert placed["reviews.review.corrected"] == "1"
    assert placed["reviews.review.total"] == "4"
    assert placed["reviews.litigation_direct.upheld"] == "5"
    assert placed["reviews.litigation_after_review.total"] == "14"
    assert len(placed) == 14


def test_table_4_values_between_placed_ones_are_placed_in_order_when_they_fit() -> None:
    """Seed-1 bench doc 35: a seal over the headers of 诉讼; the values between two placed
    by their headers fill the cells between those, when there are as many."""
    values = ["2", "/", *[str(i) for i in range(1, 15)]]
    match = map_grids([_reviews_grid(values, unread=(0, 1, 6))], "2021")
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert placed["reviews.litigation_direct.upheld"] == "5"
    assert placed["reviews.litigation_direct.corrected"] == "6"
    assert placed["reviews.litigation_after_review.corrected"] == "11"
    assert "reviews.review.upheld" not in placed and len(placed) == 14


def _wrapped(rows: list[tuple[str, list[str]]], at: int) -> list[tuple[str, list[str]]]:
    """The rows with row `at`'s label wrapped over two grid rows, the first blank (the rule
    between the lines of a label lost, so each line became a row)."""
    label, values = rows[at]
    return [*rows[:at], ("1.申请人无正当理由逾期不补", [""] * 7),
            ("正、行政机关不再处理其政府信息公开申请", values), *rows[at + 1:]]


def test_a_label_wrapped_over_two_grid_rows_is_one_row_with_its_values() -> None:
    at = ROWS.index("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    match = map_grids([_grid(0, 1, _wrapped(_rows(ROWS), at), header=True)], "2021")
    assert match is not None
    placed = match.placed["applications.other_no_correction.total"]
    assert (placed.source.text, placed.notes) == (str(at), ())
    assert match.placed["applications.other_no_fee.total"].source.text == str(at + 1)


def test_a_blank_row_beside_values_placed_nowhere_is_flagged() -> None:
    at = ROWS.index("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    rows = _rows(ROWS)
    # the second line's label is unreadable: the lines cannot be joined, its values stray
    rows[at:at + 1] = [("1.申请人无正当理由逾期不补", [""] * 7), ("◎◎", rows[at][1]),
                       ("◎◎◎", [""] * 7)]
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert match is not None
    blank = match.placed["applications.other_no_correction.total"]
    assert blank.source.text == "" and blank.notes != ()
    # a blank row with no stray values beside it is taken as printed
    rows = _rows(ROWS)
    rows[at] = (rows[at][0], [""] * 7)
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert match is not None and match.placed["applications.other_no_correction.total"].notes == ()


def test_a_row_placed_by_order_whose_label_reads_as_something_else_is_flagged() -> None:
    """Seed-1 bench doc 30: a broken rule split a section heading into a row of two cells
    and ran a header into a label; the order of rows placed the heading's row and the
    next on the template rows between, three values silently wrong. A row placed by
    order whose label reads as another label of the table (here its column headers) is
    flagged; a garbled one is not."""
    rows = _rows(ROWS)
    at = ROWS.index("（一）予以公开")
    rows[at] = ("法人或其他组织商业企业", rows[at][1])  # headers read in a label's place
    garbled = ROWS.index("2.其他法律行政法规禁止公开")
    rows[garbled] = ("2.其他法◎◎◎止公", rows[garbled][1])
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert match is not None
    heading = match.placed["applications.granted.total"]
    assert heading.source.text == str(at) and heading.notes
    assert match.placed["applications.denied_prohibited_by_law.total"].notes == ()


def test_table_4_whose_headers_read_with_common_confusions_is_still_found() -> None:
    """Seed-3 bench doc 32, a two-tone 120 DPI scan: 结果 read as 结装 and 尚未 as 尚来
    throughout table 四, and its group headers not at all; the table was not found. Neither
    装 nor 来 is in any label of the templates: read, they stand for 果 and 未."""
    misread = {"结果维持": "结装维持", "结果纠正": "结装纠比", "其他结果": "其他结装",
               "尚未审结": "尚来审结", "行政复议": "iri", "行政诉讼": "行数诉",
               "未经复议直接起诉": "来经较反直接起助", "复议后起诉": "鼓设行起诉"}
    grid = _reviews_grid([str(i) for i in range(15)])
    cells = tuple(TextCell(c.cell, misread.get(c.text, c.text), c.confidence)
                  for c in grid.cells)
    match = map_grids([GridText(grid.page, grid.index, grid.grid, cells)], "2021")
    assert match is not None and len(match.placed) == 15


def test_table_4_whose_headers_are_unread_is_told_by_its_row_of_15_values() -> None:
    """Seed-3 bench doc 0: a seal over table 四's headers on a blurred 100 DPI scan, read as
    u, #n and 银公; the table was not found. A row of 15 values is table 四's alone: its
    values are placed by position, every one flagged. A lone such picture is no report."""
    grid = _reviews_grid([str(i) for i in range(15)])
    cells = tuple(TextCell(c.cell, c.text if c.is_value else "#n", c.confidence)
                  for c in grid.cells)
    unread = GridText(grid.page, 1, grid.grid, cells)
    assert map_grids([unread], "2021") is None
    match = map_grids([_grid(0, 1, _rows(ROWS), header=True), unread], "2021")
    reviews = {cid: p for cid, p in match.placed.items() if cid.startswith("reviews.")}
    assert len(reviews) == 15 and reviews["reviews.review.corrected"].source.text == "1"
    assert all(BY_SHAPE in p.notes for p in reviews.values())


def _unread(grid: GridText) -> GridText:
    """The grid with every label read as nothing, as when its type is too small to read."""
    cells = tuple(TextCell(c.cell, c.text if c.is_value else "", c.confidence)
                  for c in grid.cells)
    return GridText(grid.page, grid.index, grid.grid, cells)


def test_table_3_whose_labels_are_unread_is_told_by_its_25_rows_of_seven() -> None:
    """Seed-4 bench doc 39: table 三 in type 6 pixels high, no label read; it was lost
    whole. A grid of as many rows of seven values as the template's 三 has rows is 三, its
    rows placed in order, every value flagged. A row too few, and it is not; a lone such
    grid is no report."""
    reviews = _reviews_grid([str(i) for i in range(15)])
    unread = _unread(_grid(1, 1, _rows(ROWS), header=False))  # 三's header cells span
    assert map_grids([unread], "2021") is None
    match = map_grids([reviews, unread], "2021")
    assert match.tables == {"reviews": [0], "applications": [1]}
    assert match.by_shape == {"applications"}
    shaped = {cid: p for cid, p in match.placed.items() if cid.startswith("applications.")}
    assert len(shaped) == 25 * 7 and all(BY_SHAPE in p.notes for p in shaped.values())
    assert shaped["applications.carried_forward.total"].source.text == "24"
    assert shaped["applications.denied_state_secret.natural_person"].source.text == "4"
    short = _unread(_grid(1, 1, _rows(ROWS[:-1]), header=False))
    assert "applications" not in map_grids([reviews, short], "2021").tables


def test_table_4_values_split_by_a_thin_row_along_the_top_of_some_are_one_row() -> None:
    """Seed-2 bench doc 4: a seal's ring split off a thin row along the top of table 四's
    first value; it then started a row lower than the other 14, and the row of 17 cells
    above placed only the values whose headers read. The values are the cells that end in
    the grid's last row."""
    grid = _reviews_grid([str(i) for i in range(15)])
    cells = []
    for c in grid.cells:
        cell = c.cell
        if cell.row == 3 and cell.col == 0:  # the first value, under a thin row of ring
            x0, y0, x1, y1 = cell.bbox
            cells.append(TextCell(GridCell(3, 0, 1, 1, (x0, y0, x1, y0 + 6)), "-", 0.5))
            cells.append(TextCell(GridCell(4, 0, 1, 1, (x0, y0 + 6, x1, y1)), c.text, 0.9))
        elif cell.row == 3:
            cells.append(TextCell(GridCell(3, cell.col, 2, 1, cell.bbox), c.text, 0.9))
        else:
            cells.append(c)
    rows = (*grid.grid.row_edges[:4], grid.grid.row_edges[3] + 6, grid.grid.row_edges[4])
    split = Grid(grid.grid.bbox, grid.grid.col_edges, rows, tuple(c.cell for c in cells))
    match = map_grids([GridText(grid.page, grid.index, split, tuple(cells))], "2021")
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert len(placed) == 15
    assert placed["reviews.review.upheld"] == "0" and placed["reviews.review.corrected"] == "1"
    assert placed["reviews.litigation_after_review.total"] == "14"


def test_table_4_values_are_not_taken_from_a_thin_blank_row_split_off_above_them() -> None:
    """Seed-7 bench doc 13: a broken rule split a row 13 pixels high off the top of table
    四's values; it had more cells (18, all but three blank) than the row of values (17),
    won as the row of values, and eight values came out missing, silently. A row most of
    whose cells hold nothing is not the row of values."""
    grid = _reviews_grid([str(i) for i in range(17)])
    w, h = 60, 30
    cells = [c for c in grid.cells if c.cell.row < 3]
    for col in range(17):  # the thin row: paper, with a speck read as "-" here and there
        box = (col * w, 3 * h, (col + 1) * w, 3 * h + 6)
        cells.append(TextCell(GridCell(3, col, 1, 1, box), "-" if col == 7 else "", 0.5))
    values = [c for c in grid.cells if c.cell.row == 3]
    for c in values[:15]:  # the values a row lower, the last two cells merged
        x0, _, x1, _ = c.cell.bbox
        cells.append(TextCell(GridCell(4, c.cell.col, 1, 1, (x0, 3 * h + 6, x1, 4 * h)),
                              c.text, 0.9))
    cells.append(TextCell(GridCell(4, 15, 1, 2, (15 * w, 3 * h + 6, 17 * w, 4 * h)), "15", 0.9))
    rows = (*grid.grid.row_edges[:4], 3 * h + 6, 4 * h)
    split = Grid(grid.grid.bbox, grid.grid.col_edges, rows, tuple(c.cell for c in cells))
    match = map_grids([GridText(grid.page, grid.index, split, tuple(cells))], "2021")
    placed = {cid: p.source.text for cid, p in match.placed.items()}
    assert placed and all(text.strip() for text in placed.values())
    assert all(p.source.cell.row == 4 for p in match.placed.values())


def _with_value_row(grid: GridText, boxes: list[tuple[int, int, str]], swallowed: int = 0
                    ) -> GridText:
    """A table 四 grid whose row of values is `boxes` (x0, x1, text): a seal's ring or a
    broken rule cut or merged its cells; the last `swallowed` columns' header cells reach
    down over the row."""
    last = grid.grid.n_cols - swallowed
    cells = [TextCell(replace(c.cell, row_span=c.cell.row_span + 1), c.text, c.confidence)
             if c.cell.row == 2 and c.cell.col >= last else c
             for c in grid.cells if c.cell.row < 3]
    cells += [TextCell(GridCell(3, 0, 1, 1, (x0, 90, x1, 120)), text, 0.9)
              for x0, x1, text in boxes]
    cut = replace(grid.grid, cells=tuple(c.cell for c in cells))
    return GridText(grid.page, grid.index, cut, tuple(cells))


def test_table_4_with_a_cell_split_by_a_seal_and_its_rows_end_swallowed_is_cut_into_its_columns(
        ) -> None:
    """Seed-3 bench doc 12: a seal's ring cut 四's fourth value cell in two, and the cells of
    the last five columns reached down over the values; 11 value cells for 15, and the
    values whose headers did not read came out missing. The narrow piece joins its
    neighbour, the row's end is cut at the lattice's column rules, and every value whose
    own headers do not name its place is flagged."""
    grid = _reviews_grid([str(i) for i in range(15)])
    boxes = [(c * 60, c * 60 + 60, str(c)) for c in range(10) if c != 3]
    boxes += [(180, 228, "3"), (228, 240, "")]
    match = map_grids([_with_value_row(grid, boxes, swallowed=5)], "2021")
    placed = match.placed
    assert len(placed) == 15
    assert placed["reviews.review.pending"].source.cell.bbox[::2] == (180, 240)
    assert placed["reviews.litigation_direct.total"].source.text == "9"
    made = placed["reviews.litigation_after_review.corrected"]
    assert made.source.cell.bbox == (660, 90, 720, 120) and REVIEWS_CUT in made.notes
    assert REVIEWS_CUT in placed["reviews.review.pending"].notes
    assert not placed["reviews.litigation_direct.upheld"].notes  # its headers name it


def test_table_4_with_values_a_seal_ran_together_is_cut_at_the_columns_width() -> None:
    """Seed-7 bench doc 37: a seal hid two column rules of 四, and three values stood in one
    cell, 13 for 15. The wide cell is cut in three, each flagged."""
    grid = _reviews_grid([str(i) for i in range(15)])
    boxes = [(c * 60, c * 60 + 60, str(c)) for c in (0, 1, *range(5, 15))]
    boxes.append((120, 300, "2 3 4"))
    placed = map_grids([_with_value_row(grid, boxes)], "2021").placed
    assert len(placed) == 15
    made = [placed[f"reviews.review.{c}"] for c in ("other", "pending", "total")]
    assert [p.source.cell.bbox[::2] for p in made] == [(120, 180), (180, 240), (240, 300)]
    assert all(REVIEWS_CUT in p.notes for p in made)
    assert placed["reviews.litigation_after_review.total"].source.text == "14"


def _with_items_lost(grid: GridText, first: int, count: int, heading: str) -> GridText:
    """The grid with the label cells of `count` rows from data row `first` (header row
    not counted) made one cell reading `heading`: the rules between them lost."""
    top = first + 1
    cells = [c for c in grid.cells if not (c.cell.col == 0 and top <= c.cell.row < top + count)]
    x0, y0, x1, _ = next(c.cell.bbox for c in grid.cells if c.cell.col == 0 and c.cell.row == top)
    merged = GridCell(top, 0, count, 1, (x0, y0, x1, y0 + count * ROW_HEIGHT))
    cells.append(TextCell(merged, heading, 0.9))
    return GridText(grid.page, grid.index,
                    Grid(grid.grid.bbox, grid.grid.col_edges, grid.grid.row_edges,
                         tuple(c.cell for c in cells)), tuple(cells))


def test_rows_under_their_groups_label_whose_own_labels_were_lost_are_placed_by_order() -> None:
    """Seed-7 bench doc 31, a noisy 100 DPI scan: the rules between the item labels of
    (三)不予公开 were lost, so its eight rows had for label only the group's, in one cell
    covering them all. Placed by the order of rows, they were flagged because that label
    reads as the group (119 right values flagged). A label cell covering several rows that
    reads as a group is the group the rows stand in; a one-row cell reading as a group is
    still a heading split off into a row of its own, and flagged."""
    at = ROWS.index("1.属于国家秘密")
    grid = _with_items_lost(_grid(0, 1, _rows(ROWS), header=True), at, 8, "（三）不子公开")
    match = map_grids([grid], "2021")
    assert match is not None
    for k, row in enumerate(("denied_state_secret", "denied_inquiry"), start=0):
        placed = match.placed[f"applications.{row}.total"]
        assert (placed.source.text, placed.notes) == (str(at + 7 * k), ())
    rows = _rows(ROWS)
    rows[at] = ("（三）不子公开", rows[at][1])
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert ORDER_NOT_LABEL in match.placed["applications.denied_state_secret.total"].notes


def test_rows_under_their_groups_label_read_right_are_placed_by_order_unflagged() -> None:
    """Seed-7 bench doc 31 again, its group label read right: "不予公开" is also like the
    row "予以公开" (0.75), but more like its group, so the rows stand in their group."""
    at = ROWS.index("1.属于国家秘密")
    grid = _with_items_lost(_grid(0, 1, _rows(ROWS), header=True), at, 8, "（三）不予公开")
    match = map_grids([grid], "2021")
    assert match.placed["applications.denied_state_secret.total"].notes == ()
    assert match.placed["applications.denied_inquiry.total"].notes == ()


def test_a_row_whose_label_cell_was_merged_with_the_row_above_is_placed_unflagged() -> None:
    """Seed-3 bench doc 8: the rule under "一、本年新收…" was lost in the label column only,
    so one label cell covered it and the row below, whose values were placed by the order
    of rows and flagged, right (74 right values over seven bench sets). A label cell
    shared with the row above, placed by it on the template row just before, is that row's:
    the row below's own label is lost and its place is the next. A row whose one-row label
    reads as another row is still flagged."""
    for label in ("一、本年新收政府信息公开申请数量", "3.要求提供公开出版物"):
        at = ROWS.index(label)
        grid = _with_items_lost(_grid(0, 1, _rows(ROWS), header=True), at, 2, label)
        match = map_grids([grid], "2021")
        assert match is not None
        below = match.placed[f"applications.{_row_id(at + 1)}.total"]
        assert (below.source.text, below.notes) == (str(at + 1), ())
    rows = _rows(ROWS)
    at = ROWS.index("3.要求提供公开出版物")
    rows[at + 1] = (ROWS[at], rows[at + 1][1])
    match = map_grids([_grid(0, 1, rows, header=True)], "2021")
    assert ORDER_NOT_LABEL in match.placed[f"applications.{_row_id(at + 1)}.total"].notes


def _row_id(index: int) -> str:
    """The id of table 三's row `index` (as in ROWS)."""
    return get_template("2021").tables["applications"].rows[index].id


def _active_blocks(index: int, texts: dict[str, str]) -> GridText:
    """Table 二 of 2021 as printed: four blocks, each a title across the grid, a row of
    headers and rows of a label and its values (three, or one across three columns).
    `texts` gives a cell's reading by its label or its cell id; all others read as
    their label, or "0"."""
    active = get_template("2021").tables["active"]
    w, h = 60, 30
    cells: list[TextCell] = []
    row = 0

    def add(col: int, cols: int, text: str) -> None:
        box = (col * w, row * h, (col + cols) * w, (row + 1) * h)
        default = "0" if text.startswith("active.") else text
        cells.append(TextCell(GridCell(row, col, 1, cols, box), texts.get(text, default), 0.9))

    blocks = [("第二十条第（一）项", ["regulations", "normative_documents"]),
              ("第二十条第（五）项", ["licensing"]),
              ("第二十条第（六）项", ["penalty", "enforcement"]),
              ("第二十条第（八）项", ["fees"])]
    for title, rows in blocks:
        add(0, 4, title)
        row += 1
        columns = active.row_columns(active.row(rows[0]))
        add(0, 1, "信息内容")
        for c, column in enumerate(columns):
            add(1 + c * 3 // len(columns), 3 // len(columns), column.label)
        row += 1
        for row_id in rows:
            add(0, 1, active.row(row_id).label)
            for c, column in enumerate(columns):
                add(1 + c * 3 // len(columns), 3 // len(columns), f"active.{row_id}.{column.id}")
            row += 1
    grid = Grid((0, 0, 4 * w, row * h), tuple(c * w for c in range(5)),
                tuple(r * h for r in range(row + 1)), tuple(c.cell for c in cells))
    return GridText(1, index, grid, tuple(cells))


def test_table_2_whose_labels_are_unread_is_told_by_its_blocks() -> None:
    """Seed-3 bench doc 32: table 二 in thin 9 pt type on a two-tone 120 DPI scan, its labels
    read as 规事, 政许 and 本有发数; the table was lost whole. A grid of 二's blocks (a title
    across it, a row of headers, rows of a label and values) holding as many values as the
    template's rows, row by row, is 二: its rows placed in order, every value flagged."""
    template = get_template("2021")
    active = template.tables["active"]
    labels = [r.label for r in active.rows] + [c.label for c in active.columns] + [
        "信息内容", *(f"第二十条第（{n}）项" for n in "一五六八")]
    unread = {label: "规事" for label in labels} | {"active.normative_documents.in_force": "24",
                                                   "active.penalty.decisions": "49"}
    reviews = _reviews_grid([str(i) for i in range(15)])
    match = map_grids([_active_blocks(1, unread), reviews], "2021")
    assert match.tables == {"active": [1], "reviews": [0]} and match.by_shape == {"active"}
    placed = {cid: p for cid, p in match.placed.items() if cid.startswith("active.")}
    assert len(placed) == 10 and all(BY_SHAPE in p.notes for p in placed.values())
    assert placed["active.normative_documents.in_force"].source.text == "24"
    assert placed["active.penalty.decisions"].source.text == "49"
    # read, its labels place it as usual
    assert map_grids([_active_blocks(1, {}), reviews], "2021").by_shape == frozenset()


def _inferred(grid: GridText, blank: tuple[int, int] | None = None) -> GridText:
    """The grid as the text's alignment infers it: no cell where nothing is printed."""
    cells = tuple(c for c in grid.cells if (c.cell.row, c.cell.col) != blank)
    return replace(grid, grid=replace(grid.grid, cells=tuple(c.cell for c in cells),
                                      inferred=True), cells=cells)


def test_a_blank_value_of_a_grid_inferred_from_text_is_placed_as_a_blank_cell() -> None:
    """With its rules gone, a printed blank makes no cell in the grid the text's alignment
    infers (seed-8 bench doc 11: 147 cells of 三 lost in rows with a blank). The row's
    other values are placed by the grid's value columns, and the blank by its column's box,
    to be read there."""
    grid = _inferred(_grid(0, 1, _rows(ROWS), header=True), blank=(3, 3))  # granted.research
    match = map_grids([grid], "2021")
    assert len([c for c in match.placed if c.startswith("applications.")]) == 25 * 7
    placed = match.placed["applications.granted.research"]
    assert placed.source.text == "" and placed.source.cell.bbox == (
        LABEL_WIDTH + 2 * COLUMN_WIDTH, 3 * ROW_HEIGHT, LABEL_WIDTH + 3 * COLUMN_WIDTH,
        4 * ROW_HEIGHT)
    assert match.placed["applications.granted.social_welfare"].source.text == "2"
    assert not any("granted: 6 value cells" in note for note in match.notes)


def test_a_row_missing_a_value_of_a_ruled_grid_is_still_placed_by_header_only() -> None:
    """A ruled grid has a cell for a blank: a value missing there was lost, not blank."""
    grid = _grid(0, 1, _rows(ROWS), header=True)
    cells = tuple(c for c in grid.cells if (c.cell.row, c.cell.col) != (3, 3))
    match = map_grids([replace(grid, cells=cells)], "2021")
    assert "applications.granted.research" not in match.placed
    assert any("granted: 6 value cells" in note for note in match.notes)



def _merged_labels(grid: GridText, first: int, count: int, text: str) -> GridText:
    """The grid with the label cells of `count` rows from grid row `first` merged into one
    cell that reads `text` (the rules between them lost in the label column)."""
    cells = []
    for tc in grid.cells:
        if tc.cell.col == 0 and first < tc.cell.row < first + count:
            continue
        if tc.cell.col == 0 and tc.cell.row == first:
            x0, y0, x1, _ = tc.cell.bbox
            tc = replace(tc, text=text, cell=replace(
                tc.cell, row_span=count, bbox=(x0, y0, x1, y0 + count * ROW_HEIGHT)))
        cells.append(tc)
    return replace(grid, grid=replace(grid.grid, cells=tuple(c.cell for c in cells)),
                   cells=tuple(cells))


def test_rows_under_one_label_cell_over_several_take_the_template_rows_from_the_first() -> None:
    """Seed-11 bench doc 34: the rules between the item labels were lost; the eight rows of
    (三)不予公开 had one label cell that read as nothing, and the three of (四)无法提供 one
    that read as its first item. Those three rows read as that item alike: the first takes
    it, and the rows around take the template's rows in order (the last took it, and the
    eleven rows before it, 77 cells, were not placed)."""
    rows = get_template("2021").tables["applications"].rows
    grid = _grid(0, 1, _rows(ROWS), header=True)
    grid = _merged_labels(grid, 1 + 4, 8, "")  # rows 4-11: denied_*
    grid = _merged_labels(grid, 1 + 12, 3, rows[12].label)  # rows 12-14: unavailable_*
    match = map_grids([grid], "2021")
    assert len([c for c in match.placed if c.startswith("applications.")]) == 25 * 7
    assert match.placed["applications.denied_state_secret.total"].source.text == "4"
    assert match.placed["applications.unavailable_not_held.research"].source.text == "12"
    assert match.placed["applications.unavailable_unclear.other"].source.text == "14"
