"""read_cells: cropping inside rules, blank cells, joined lines, number clean-up."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pytest

from recover.grid import GridCell
from recover.ocr import OcrEngine, Reading, get_engine
from recover.read import (
    BARS_DOUBT,
    LOW_CONFIDENCE,
    CellReading,
    _ink_shape,
    like_the_zeros,
    read_cells,
)

from .conftest import render_text, table_page


class FakeEngine(OcrEngine):
    """Answers from a script and records the crops it was given."""

    name = "fake"

    def __init__(self, answers: dict[str, list[Reading]]) -> None:
        self.answers = answers
        self.crops: dict[str, list[np.ndarray]] = {"number": [], "label": []}

    def forget(self) -> None:
        pass

    def read(self, crops: Sequence[np.ndarray], kind: str) -> list[Reading]:
        self.crops[kind].extend(crops)
        return self.answers[kind][: len(crops)]


def _cells(boxes: list[tuple[int, int, int, int]], columns: int) -> list[GridCell]:
    return [GridCell(i // columns, i % columns, 1, 1, box) for i, box in enumerate(boxes)]


def test_blank_cell_is_not_sent_to_the_engine():
    page, boxes = table_page([["12", ""]], [120, 120])
    engine = FakeEngine({"number": [Reading("12", 0.99)], "label": []})
    first, second = read_cells(page, _cells(boxes, 2), ["number", "number"], engine)
    assert len(engine.crops["number"]) == 1
    assert second.blank and second.text == "" and second.confidence == 1.0
    assert second.ink_bbox is None
    assert not first.blank and first.text == "12"


def test_crop_has_no_rule_remnants_and_is_trimmed_to_the_ink():
    page, boxes = table_page([["305"]], [200], rule=3)
    engine = FakeEngine({"number": [Reading("305", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    crop = engine.crops["number"][0]
    # The ink box lies well inside the cell, and the crop's border is white all round.
    x0, y0, x1, y1 = reading.ink_bbox
    assert boxes[0][0] + 20 < x0 < x1 < boxes[0][2] - 20
    assert boxes[0][1] + 5 < y0 < y1 < boxes[0][3] - 5
    assert crop[0].min() > 200 and crop[-1].min() > 200
    assert crop[:, 0].min() > 200 and crop[:, -1].min() > 200


def test_number_text_is_normalized_and_its_spellings_are_one_reading():
    page, boxes = table_page([["1", "2", "5"]], [100, 100, 100])
    answers = [Reading("１O", 0.5, (("10", 0.2), ("1 0", 0.1), ("l6", 0.1))),
               Reading("2 件", 0.95), Reading("-", 0.6, (("—", 0.35), ("1", 0.05)))]
    engine = FakeEngine({"number": answers, "label": []})
    first, second, dash = read_cells(page, _cells(boxes, 3), ["number"] * 3, engine)
    assert first.text == "10" and first.alternatives == (("16", 0.1),)
    assert first.confidence == pytest.approx(0.8)
    assert second.text == "2件"
    assert dash.text == "—" and dash.confidence == pytest.approx(0.95)
    assert first.doubtful and not second.doubtful and not dash.doubtful


def test_label_keeps_letters_and_fixes_the_enumeration_comma():
    page, boxes = table_page([["四、结转"]], [300])
    engine = FakeEngine({"number": [], "label": [Reading("四丶结转O", 0.9)]})
    (reading,) = read_cells(page, _cells(boxes, 1), ["label"], engine)
    assert reading.text == "四、结转O"


def test_vertical_label_is_laid_out_as_one_line():
    stacked = render_text("结果维持", vertical=True, margin=10)
    engine = FakeEngine({"number": [], "label": [Reading("结果维持", 0.99)]})
    h, w = stacked.shape
    read_cells(stacked, [GridCell(0, 0, 1, 1, (0, 0, w, h))], ["label"], engine)
    crop = engine.crops["label"][0]
    assert crop.shape[1] > 3 * crop.shape[0]  # four characters side by side


def test_two_lines_stay_two_lines_joined_but_三_stays_one_character():
    top, bottom = render_text("自然人"), render_text("商业企业")
    top = np.pad(top, ((0, 0), (0, bottom.shape[1] - top.shape[1])), constant_values=255)
    two = np.vstack([top, bottom])
    three = render_text("三", size=40)
    engine = FakeEngine({"number": [], "label": [Reading("x", 0.9)] * 2})
    for image in (two, three):
        h, w = image.shape
        read_cells(image, [GridCell(0, 0, 1, 1, (0, 0, w, h))], ["label"], engine)
    joined, single = engine.crops["label"]
    assert joined.shape[1] > 5 * joined.shape[0]
    assert single.shape[1] < 2 * single.shape[0]


def test_mismatched_kinds_are_refused():
    page, boxes = table_page([["1"]], [100])
    with pytest.raises(ValueError):
        read_cells(page, _cells(boxes, 1), [], FakeEngine({}))


@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_real_engine_reads_a_ruled_table(name):
    rows = [["本年新收政府信息公开申请数量", "12", "0", ""], ["自然人", "80618元", "—", "7"]]
    page, boxes = table_page(rows, [420, 130, 90, 90])
    kinds = ["label", "number", "number", "number"] * 2
    readings = read_cells(page, _cells(boxes, 4), kinds, get_engine(name))
    texts = [r.text for r in readings]
    assert readings[3].blank
    right = sum(t == want for t, want in zip(texts, [c for row in rows for c in row], strict=True))
    assert right >= (8 if name == "rapidocr" else 6), texts
    for reading in readings:
        wrong = reading.text != [c for row in rows for c in row][readings.index(reading)]
        if name == "rapidocr" and wrong:
            assert reading.confidence < LOW_CONFIDENCE[reading.kind]


def test_real_engine_reads_a_vertical_label():
    stacked = render_text("结果维持", vertical=True, margin=10)
    h, w = stacked.shape
    cell = GridCell(0, 0, 1, 1, (0, 0, w, h))
    (reading,) = read_cells(stacked, [cell], ["label"], get_engine("rapidocr"))
    assert reading.text == "结果维持"


@pytest.mark.parametrize("text", ["40", "14", "41", "4"])
def test_a_digit_right_against_the_left_rule_is_not_taken_for_a_rule(text):
    """A left-aligned 4 touches the cell's left rule; its stem is ink, not a rule remnant."""
    from PIL import Image, ImageDraw, ImageFont

    from .conftest import SERIF

    page, boxes = table_page([[""]], [200], height=34)
    image = Image.fromarray(page)
    face = ImageFont.truetype(SERIF[0], 26, index=SERIF[1])
    left, top, _, bottom = face.getbbox(text)
    box = boxes[0]
    ImageDraw.Draw(image).text((box[0] + 2 - left, (box[1] + box[3] - (bottom - top)) // 2 - top),
                               text, font=face, fill=0)
    readings = read_cells(np.asarray(image), _cells(boxes, 1), ["number"], get_engine("rapidocr"))
    assert readings[0].text == text or readings[0].confidence < LOW_CONFIDENCE["number"]


def test_a_three_line_label_is_read_as_one_line():
    """Wrapped labels in a wide cell (2021's 其他处理 items) are split into lines first."""
    lines = ["1.申请人无正当理由逾期不补", "正、行政机关不再处理其政府", "信息公开申请"]
    crops = [render_text(line, size=20, margin=1) for line in lines]
    width = max(c.shape[1] for c in crops)
    stacked = np.full((sum(c.shape[0] for c in crops) + 40, width + 40), 255, np.uint8)
    y = 20
    for crop in crops:
        stacked[y:y + crop.shape[0], 20:20 + crop.shape[1]] = crop
        y += crop.shape[0]
    cell = GridCell(0, 0, 1, 1, (5, 5, stacked.shape[1] - 5, stacked.shape[0] - 5))
    reading = read_cells(stacked, [cell], ["label"], get_engine("rapidocr"))[0]
    # joined into one line (正 opens the second), and cut to the head that names it
    assert reading.text.startswith("1.申请人无正当理由逾期不补正")


def test_rule_pieces_left_in_a_number_cell_are_not_read():
    """A scan's rule lies a few pixels inside the cell box: its pieces are not a dash."""
    page, boxes = table_page([["24"]], [120], height=44)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 3:y0 + 5, x1 - 40:x1 - 4] = 0  # a stretch of the top rule, inside the box
    page[y0 + 4:y1 - 3, x0 + 3:x0 + 5] = 0  # and of the left rule
    readings = read_cells(page, _cells(boxes, 1), ["number"], get_engine("rapidocr"))
    assert readings[0].text == "24"


def test_a_small_thin_digit_is_not_a_blank_cell():
    """A 1 drawn small in a low-resolution scan has few ink pixels; it is still a mark."""
    page, boxes = table_page([[""]], [60], height=26)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 8:y0 + 17, x1 - 12] = 90  # a one-pixel-wide 1, nine pixels tall
    readings = read_cells(page, _cells(boxes, 1), ["number"], FakeEngine(
        {"number": [Reading("1", 0.95)], "label": []}))
    assert not readings[0].blank and readings[0].text == "1"


def test_a_blank_cell_with_faint_grey_is_not_a_sure_blank():
    page, boxes = table_page([[""]], [60], height=30)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 10:y0 + 20, x0 + 25:x0 + 35] = 212  # lighter than ink, darker than paper
    engine = FakeEngine({"number": [Reading("", 0.1)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    # read at its own contrast, or left blank: never a sure blank
    assert reading.doubt is not None or (reading.blank and reading.doubtful) or (
        reading.blank and reading.confidence < LOW_CONFIDENCE["number"])


def test_a_light_minus_sign_is_part_of_the_number():
    """Lighter than the page's ink threshold (a blurred scan), the minus of -1 is still ink
    in its cell: a number read without its sign would be silently wrong."""
    page, boxes = table_page([[""]], [120], height=40)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 18:y0 + 21, x0 + 50:x0 + 57] = 175  # the minus, light grey
    page[y0 + 10:y0 + 30, x0 + 61:x0 + 64] = 60  # the 1, dark
    engine = FakeEngine({"number": [Reading("-1", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    assert reading.ink_bbox[0] <= x0 + 50
    crop = engine.crops["number"][0]
    assert (crop < 230).any(axis=0).sum() >= 7 + 3  # the minus and the 1 both there


def test_a_rule_piece_apart_from_the_number_makes_the_reading_doubtful():
    """A piece of a broken rule beside a 0 reads as 10; such a crop is never trusted."""
    page, boxes = table_page([["0"]], [120], height=44)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 12:y1 - 14, x0 + 8:x0 + 10] = 0  # a short upright stroke, far from the 0
    readings = read_cells(page, _cells(boxes, 1), ["number"], FakeEngine(
        {"number": [Reading("10", 0.99)], "label": []}))
    assert readings[0].doubt == "ink in separate places"


def test_a_number_cut_by_its_box_is_doubted_but_one_beside_a_rule_is_not():
    """A grid that lost a rule can place a cell's box a digit too far in: seed-8 bench doc
    11's 110.7 was cropped to 10.7 and read surely. Ink that reaches the box's side and
    goes on past it, where no rule runs down that side, is a number cut off (or a seal's
    ring across the cell: seed-8 doc 30's 0 and a piece of ring read as 6, surely)."""
    page, boxes = table_page([["110.7", "0"]], [120, 120], height=44)
    x0, y0, x1, y1 = boxes[0]
    inked = np.flatnonzero((page[y0 + 4:y1 - 4, x0 + 4:x1 - 4] < 128).any(axis=0)) + x0 + 4
    second = int(inked[np.flatnonzero(np.diff(inked) > 1)[0] + 1])  # the second 1's left
    cut = GridCell(0, 0, 1, 1, (second - 2, y0, x1, y1))  # its crop starts at that 1
    engine = FakeEngine({"number": [Reading("10.7", 0.99), Reading("10.7", 0.99)], "label": []})
    (reading,) = read_cells(page, [cut], ["number"], engine)
    assert reading.doubt == "ink runs on past the cell's side: a digit cut off?"
    (whole,) = read_cells(page, _cells(boxes[:1], 1), ["number"], engine)
    assert whole.doubt is None


def test_a_blank_cell_too_narrow_for_a_digit_is_no_sure_blank():
    """A sliver between a rule and a seal's ring taken for one (seed-8 bench doc 19) was
    placed as a value cell, blank, surely: its 0 stood in the cell beside it."""
    page, boxes = table_page([["12", "", "3", ""]], [100, 8, 100, 100])
    engine = FakeEngine({"number": [Reading("12", 0.99), Reading("3", 0.99)], "label": []})
    readings = read_cells(page, _cells(boxes, 4), ["number"] * 4, engine)
    assert readings[1].blank and readings[1].confidence < LOW_CONFIDENCE["number"]
    assert readings[3].blank and readings[3].confidence == 1.0


def test_a_blank_cell_narrower_than_a_digit_is_high_is_no_sure_blank():
    """A column rule found twice, a pixel or so apart from a 0's left stroke (seed-9 bench
    doc 19), left a blank sliver 12 px wide beside digits 15 px high: 0.8 of their
    height, and no room for a digit and the space around it."""
    page, boxes = table_page([["12", "", "3"]], [100, 100, 100])
    height = read_cells(page, _cells(boxes, 3), ["number"] * 3,
                        FakeEngine({"number": [Reading("12", 0.99), Reading("3", 0.99)],
                                    "label": []}))[0].ink_height
    page, boxes = table_page([["12", "", "3"]], [100, round(0.85 * height), 100])
    engine = FakeEngine({"number": [Reading("12", 0.99), Reading("3", 0.99)], "label": []})
    readings = read_cells(page, _cells(boxes, 3), ["number"] * 3, engine)
    assert readings[1].blank and readings[1].confidence < LOW_CONFIDENCE["number"]


def test_a_grainy_rule_inside_the_box_is_cut_off_not_read():
    """A grid edge a few pixels off a thick, grainy rule that steps sideways: the crop
    starts past the rule, so nothing of it is left to read as 1 (the 01 and 10 of scans)."""
    page, boxes = table_page([["3"]], [90], height=40)
    x0, y0, x1, y1 = boxes[0]
    rng = np.random.default_rng(3)
    for x, (top, bottom) in ((x1 - 11, (y0, (y0 + y1) // 2)), (x1 - 10, ((y0 + y1) // 2, y1))):
        stroke = rng.integers(30, 120, (bottom - top, 2)).astype(np.uint8)
        stroke[rng.random(stroke.shape) < 0.15] = 255  # grain
        stroke[3::7] = 255  # and breaks
        page[top:bottom, x:x + 2] = stroke
    engine = FakeEngine({"number": [Reading("3", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    assert reading.ink_bbox[2] < x1 - 11 and reading.doubt is None
    crop = engine.crops["number"][0]
    assert crop[:, -3:].min() > 200


def test_a_number_read_with_a_leading_zero_is_doubted():
    from recover.read import CellReading, _with_leading_zero_doubt

    cell = GridCell(0, 0, 1, 1, (0, 0, 10, 10))
    for text, doubted in (("01", True), ("007", True), ("0", False), ("0.5", False), ("10", False)):
        reading = CellReading(cell, text, 0.99, (), "number", False, (0, 0, 5, 5))
        assert (_with_leading_zero_doubt(reading).doubt is not None) == doubted


def test_a_faint_rule_sliver_close_beside_a_digit_makes_the_reading_doubtful():
    """A faint broken rule leaves a thin sliver taller than the digit just beside it; read
    as 1, it turns 0 into 10. Such a crop is never trusted."""
    page, boxes = table_page([[""]], [60], height=60)
    x0, y0, x1, y1 = boxes[0]
    page[y0 + 24:y0 + 36, x0 + 9] = page[y0 + 24:y0 + 36, x0 + 16] = 0  # a crude 0
    page[y0 + 24, x0 + 9:x0 + 17] = page[y0 + 35, x0 + 9:x0 + 17] = 0
    page[y0 + 18:y0 + 40, x0 + 4] = 150  # the sliver: faint, taller than the 0, at the side
    engine = FakeEngine({"number": [Reading("10", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    crop = engine.crops["number"][0]
    sliver_read = (crop[:, :4] < 200).any()
    assert reading.doubt is not None or not sliver_read


@pytest.mark.parametrize("lean", [4, 3], ids=["slash", "barely-leaning"])
def test_a_lone_slanted_stroke_is_a_slash_or_a_doubted_1(lean):
    """Seed-2 bench doc 28 (100 DPI): the missing-value mark "/" read as 1, sure, silently;
    doc 30: 61 slashes read as 1. A thin stroke leaning well over is "/" by its shape; one
    that leans less, read as 1, is doubted."""
    import cv2

    page, boxes = table_page([["", "", "3"]], [60, 60, 60], height=60)
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[:2]
    slash_x, one_x = (ax0 + ax1) // 2, (bx0 + bx1) // 2
    cv2.line(page, (slash_x + lean, ay0 + 14), (slash_x - lean, ay1 - 14), 0, 2)  # "/"
    cv2.line(page, (one_x, by0 + 14), (one_x, by1 - 14), 0, 2)  # "1": stem,
    cv2.line(page, (one_x, by0 + 14), (one_x - 4, by0 + 18), 0, 2)  # flag
    cv2.line(page, (one_x - 4, by1 - 14), (one_x + 4, by1 - 14), 0, 2)  # and foot
    engine = FakeEngine({"number": [Reading("1", 0.99)] * 3, "label": []})
    slash, one, _ = read_cells(page, _cells(boxes, 3), ["number"] * 3, engine)
    if lean == 4:
        assert slash.text == "/" and slash.doubt is None and len(engine.crops["number"]) == 2
    else:
        assert slash.text == "1" and slash.doubt is not None and "/" in slash.doubt
    assert one.text == "1" and one.doubt is None


def test_light_ink_is_shown_to_the_engine_dark_on_white_paper():
    """Seed-2 bench doc 30 (100 DPI, blurred): digits no darker than grey 187 read as
    nothing or at low confidence; darkened, as they should."""
    page, boxes = table_page([["305", "0"]], [120, 120])
    light = (255 - (255 - page.astype(np.float32)) * 0.25).astype(np.uint8)  # ink ~190
    engine = FakeEngine({"number": [Reading("305", 0.99), Reading("0", 0.99)], "label": []})
    read_cells(light, _cells(boxes, 2), ["number"] * 2, engine)
    for crop in engine.crops["number"]:
        assert crop.min() < 10 and crop.max() == 255


def test_a_skewed_rules_sliver_far_beside_the_number_is_not_read_but_still_doubted():
    """A skewed light rule leaves a 1-pixel sliver inside the box, far from the digits:
    read with it, 15 became 135 and 0 became .1 (seed-2 bench doc 21). It is left out of
    the crop; the cell stays doubtful. A thin 1 a few pixels from its 3 is kept."""
    page, boxes = table_page([["15", "13"]], [140, 140], height=60)
    for x0, y0, _, y1 in boxes:
        page[y0 + 12:y1 - 12, x0 + 10] = 90  # a sliver in the left quarter
    engine = FakeEngine({"number": [Reading("15", 0.99), Reading("13", 0.99)], "label": []})
    fifteen, thirteen = read_cells(page, _cells(boxes, 2), ["number"] * 2, engine)
    assert fifteen.doubt is not None
    assert fifteen.ink_bbox[0] > boxes[0][0] + 30  # the sliver is not in the crop
    crop = engine.crops["number"][0]
    assert crop.shape[1] < 2.5 * crop.shape[0]
    x0, _, x1, _ = thirteen.ink_bbox
    assert x0 > boxes[1][0] + 30 and x1 - x0 > 20  # both digits, no sliver


def test_a_minus_sign_broken_into_specks_is_kept_and_doubted():
    """A small minus in a JPEG'd web picture kept 3 ink pixels, dropped as a speck: -3 was
    read as 3, silently (seed-3 bench doc 16). Kept, and the reading doubted."""
    page, boxes = table_page([["3", "3"]], [80, 80], height=40, size=18)
    for x0, y0, x1, y1 in boxes[:1]:
        row = (y0 + y1) // 2
        left = (x0 + x1) // 2 - 10
        page[row, left:left + 3] = 60  # three pixels, flat, just left of the 3
    engine = FakeEngine({"number": [Reading("-3", 0.99), Reading("3", 0.99)], "label": []})
    minus, plain = read_cells(page, _cells(boxes, 2), ["number"] * 2, engine)
    assert minus.doubt is not None and "minus" in minus.doubt
    assert minus.ink_bbox[0] < plain.ink_bbox[0] - (boxes[1][0] - boxes[0][0]) - 2
    assert plain.doubt is None


def test_a_dash_is_shown_at_the_height_of_the_pages_text():
    # alone, a dash one or two pixels high scaled to the engine's line height is a black bar
    page, boxes = table_page([["12", "—", "3", "45"]], [100] * 4)
    engine = FakeEngine({"number": [Reading("0", 0.99)] * 4, "label": []})
    readings = read_cells(page, _cells(boxes, 4), ["number"] * 4, engine)
    digits, dash = readings[0], readings[1]
    assert dash.ink_height < digits.ink_height / 3
    heights = [crop.shape[0] for crop in engine.crops["number"]]
    assert heights[1] >= 0.9 * heights[0]
    assert engine.crops["number"][1].shape[1] < 3 * heights[1]  # not stretched sideways


def test_a_lone_dash_is_read_by_its_shape_not_by_the_engine():
    """Engines read a lone short stroke as nothing, "." or "1" (seed-1 bench doc 15: 45
    hyphens read "—" at 0.81, all flagged); its shape alone says it is the missing marker."""
    page, boxes = table_page([["12", "-", "—", "3", "45"]], [100] * 5)
    engine = FakeEngine({"number": [Reading("12", 0.99), Reading("3", 0.99),
                                    Reading("45", 0.99)], "label": []})
    readings = read_cells(page, _cells(boxes, 5), ["number"] * 5, engine)
    assert len(engine.crops["number"]) == 3
    assert [r.text for r in readings] == ["12", "—", "—", "3", "45"]
    assert not any(r.doubtful or r.doubt for r in readings)


def _grey_dot(page: np.ndarray, box: tuple[int, int, int, int], up: int = 0) -> None:
    """A hyphen as a 100 DPI scan leaves it: a dot of grey 3 x 2 pixels lighter than ink,
    `up` pixels above the middle of the cell."""
    x0, y0, x1, y1 = box
    x, y = (x0 + x1) // 2, (y0 + y1) // 2 - up
    page[y - 1:y + 1, x - 1:x + 2] = 190
    page[y - 2:y + 2, x - 2:x + 3] = np.minimum(page[y - 2:y + 2, x - 2:x + 3], 225)


@pytest.mark.parametrize(("size", "up", "dots", "dash"), [
    (24, 0, 1, True),  # a hyphen at 100 DPI (seed-6 bench doc 7: 53 cells flagged at 0.5)
    (24, 12, 1, False),  # off the middle: a remnant of something else
    (24, 0, 2, False),  # two dots: grain, or what is left of a digit
    (9, 0, 1, False),  # digits 7 px high: a digit of such type may be a dot of grey too
], ids=["hyphen", "off-middle", "two-dots", "tiny-type"])
def test_a_blank_cells_one_faint_dot_is_a_dash_only_beside_normal_type(size, up, dots, dash):
    page, boxes = table_page([["12", "", "3", "45"]], [100] * 4, size=size)
    _grey_dot(page, boxes[1], up)
    if dots == 2:
        x0, y0, x1, y1 = boxes[1]
        _grey_dot(page, (x0 + 30, y0, x1 + 30, y1), up)
    engine = FakeEngine({"number": [Reading(t, 0.99) for t in ("12", "3", "45")], "label": []})
    readings = read_cells(page, _cells(boxes, 4), ["number"] * 4, engine)
    assert len(engine.crops["number"]) == 3  # the dot is never the engine's
    if dash:
        assert readings[1].text == "—" and not readings[1].doubtful
    else:
        assert readings[1].blank and readings[1].confidence < LOW_CONFIDENCE["number"]


def test_a_lone_0_is_read_by_its_ring_and_the_other_digits_by_the_engine():
    """A 0 is the one digit whose single hole fills most of its height, in its middle: read
    by its shape (the engine read a lone 0 at low confidence now and then: 147 right zeros
    flagged over both bench sets); 4, 6, 8 and 9 go to the engine."""
    texts = ["0", "4", "6", "8", "9", "0"]
    page, boxes = table_page([texts], [60] * 6)
    engine = FakeEngine({"number": [Reading(t, 0.99) for t in texts[1:5]], "label": []})
    readings = read_cells(page, _cells(boxes, 6), ["number"] * 6, engine)
    assert len(engine.crops["number"]) == 4
    assert [r.text for r in readings] == texts
    assert readings[0].confidence == pytest.approx(0.95) and readings[0].doubt is None


def test_a_ring_wider_than_tall_is_left_to_the_engine():
    """Two digits run together can ring one hole in their middle: "23" of seed-5 bench doc
    8, a blob 16 x 12 pixels, was read as 0 by its shape, silently. A 0 is no wider than
    tall."""
    page, boxes = table_page([["", ""]], [80, 80], height=40)
    for (x0, y0, x1, y1), axes in zip(boxes, ((5, 8), (11, 8)), strict=True):
        cv2.ellipse(page, ((x0 + x1) // 2, (y0 + y1) // 2), axes, 0, 0, 360, 0, 2)
    engine = FakeEngine({"number": [Reading("23", 0.99)], "label": []})
    zero, wide = read_cells(page, _cells(boxes, 2), ["number"] * 2, engine)
    assert (zero.text, wide.text) == ("0", "23")
    assert len(engine.crops["number"]) == 1


def test_a_flat_mark_off_the_middle_of_its_cell_is_left_to_the_engine():
    """What is left of a digit cut by a badly placed box lies off the cell's middle: not
    a dash, whatever its shape."""
    page, boxes = table_page([["12", "", "3", "45"]], [100] * 4, height=64)
    x0, y0, x1, _ = boxes[1]
    page[y0 + 16:y0 + 18, x0 + 40:x0 + 52] = 0  # a flat stroke 16 px above the middle
    engine = FakeEngine({"number": [Reading("0", 0.99)] * 4, "label": []})
    readings = read_cells(page, _cells(boxes, 4), ["number"] * 4, engine)
    assert len(engine.crops["number"]) == 4
    assert readings[1].text == "0"


@pytest.mark.parametrize("rows", [(0.45, 0.6), (0.0, 0.55)], ids=["mid", "from-top"])
def test_a_step_of_a_skewed_rule_along_the_cells_side_is_cut_not_doubted(rows):
    """A slightly turned bilevel scan draws a rule as a staircase: a step one or two pixels
    inside the box, shorter than the digits or running from the cell's top, is the rule's,
    and makes neither 10 of 0 nor a doubt (seed-1 bench doc 29: 34 right cells flagged)."""
    page, boxes = table_page([["0"]], [120], height=60)
    x0, y0, x1, y1 = boxes[0]
    top, bottom = (y0 + round(f * (y1 - y0)) for f in rows)
    page[max(top, y0 + 2):bottom, x1 - 4:x1 - 2] = 0  # two pixels wide, against the side
    engine = FakeEngine({"number": [Reading("0", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    assert reading.doubt is None
    assert reading.ink_bbox[2] < x1 - 6


def test_a_digit_lighter_than_the_rules_is_found_at_its_own_contrast():
    """A blurred 100 DPI scan with grey rules: the rules reach grey 153, the digits only
    199, a few pixels past the cell's threshold, too few for a mark: the cell read as blank
    (seed-3 bench doc 0: 180 of 200 cells). Taken at half their own contrast they are read."""
    page, boxes = table_page([["3", "45"]], [90, 120], size=20)
    light = np.where(page < 128, 153, 255).astype(np.uint8)  # grey rules...
    x0, y0, x1, y1 = boxes[0][0], boxes[0][1], boxes[1][2], boxes[1][3]
    text = page[y0 + 3:y1 - 3, x0 + 3:x1 - 3].astype(np.float32)
    light[y0 + 3:y1 - 3, x0 + 3:x1 - 3] = (255 - (255 - text) * 0.22).astype(np.uint8)  # ~199
    engine = FakeEngine({"number": [Reading("3", 0.99), Reading("45", 0.99)], "label": []})
    three, number = read_cells(light, _cells(boxes, 2), ["number"] * 2, engine)
    assert not three.blank and not number.blank
    assert three.doubt is not None  # taken at its own contrast: flagged
    assert len(engine.crops["number"]) == 2


def test_a_rule_broken_into_dots_along_a_labels_edge_is_not_read():
    """A noisy scan's rule, broken into dots and dashes, fell a pixel inside a label's box:
    read with it, 信息内容 came out as 内 (seed-4 bench doc 1). The dots are cut off; one
    flat stroke near the edge, a character's own, is kept."""
    page, boxes = table_page([["信息内容", "一"]], [240, 120], height=70)
    x0, y0, x1, _ = boxes[0]
    page[y0 + 2, x0 + 6:x1 - 6:9] = 40  # dots along the top, just inside the box
    page[y0 + 2, x0 + 20:x0 + 24] = 40
    engine = FakeEngine({"number": [], "label": [Reading("信息内容", 0.99), Reading("一", 0.9)]})
    label, one = read_cells(page, _cells(boxes, 2), ["label"] * 2, engine)
    assert label.ink_bbox[1] > y0 + 10
    assert not one.blank and one.ink_bbox is not None


def _without_top_and_bottom(page: np.ndarray, box: tuple[int, int, int, int], share: float
                            ) -> None:
    """Whiten the top and bottom rows of a cell's ink: the hairlines a two-tone scan of a
    thin serif face loses, leaving a 0 as two upright bars."""
    x0, y0, x1, y1 = box
    inner = page[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
    rows = np.flatnonzero((inner < 128).any(axis=1))
    cut = max(1, round(share * (rows[-1] + 1 - rows[0])))
    inner[rows[0]:rows[0] + cut] = 255
    inner[rows[-1] + 1 - cut:rows[-1] + 1] = 255


@pytest.mark.parametrize(("engine_says", "text", "doubted"), [
    (Reading("", 0.0), "0", True),  # "| |" read as nothing
    (Reading("1", 0.3), "0", True),  # ...or unsurely as another number
    (Reading("0", 0.5), "0", False),  # the engine's 0 stands as it is
    (Reading("11", 0.99), "11", False),  # and so does another number it is sure of
], ids=["nothing", "unsure-1", "engine-0", "sure-11"])
def test_a_0_that_lost_its_top_and_bottom_is_read_as_a_doubted_0(engine_says, text, doubted):
    """A two-tone scan of a 9-point serif face at 120 DPI drops the hairlines of its 0s,
    leaving two bars the engines read as nothing (seed-3 bench doc 32, page 3: 44 zeros
    read blank, every one flagged): when the engine is not sure, the bars read as 0, always
    doubted, the engine's reading an alternative. A 9 (one bar shorter) is the engine's."""
    page, boxes = table_page([["12", "0", "9", "35"]], [80] * 4)
    page = np.where(page < 128, 0, 255).astype(np.uint8)
    for box in boxes[1:3]:
        _without_top_and_bottom(page, box, 0.12)
    engine = FakeEngine({"number": [Reading("12", 0.99), engine_says, Reading("", 0.0),
                                    Reading("35", 0.99)], "label": []})
    readings = read_cells(page, _cells(boxes, 4), ["number"] * 4, engine)
    assert len(engine.crops["number"]) == 4  # the engine reads the bars first
    assert [r.text for r in readings] == ["12", text, "", "35"]
    assert (readings[1].doubt == BARS_DOUBT) is doubted
    if engine_says.text and doubted:
        assert dict(readings[1].alternatives).get(engine_says.text) == engine_says.confidence
    assert readings[2].doubt is None and readings[0].doubt is None


def test_a_lone_stroke_with_specks_below_it_is_not_taken_for_a_dash():
    """A two-tone scan can keep the bar of a 7 whole and leave only specks of its stem:
    read by its shape, the bar alone would be a dash, a missing value, and silently. With
    specks below it, the stroke is doubted; a dash alone is still read by its shape."""
    page, boxes = table_page([["12", "305", "47", "", ""]], [80] * 5, height=48)
    for k, (x0, y0, _, y1) in enumerate(boxes[3:]):
        mid = (y0 + y1) // 2
        page[mid - 1:mid + 1, x0 + 30:x0 + 46] = 0  # the bar
        if k == 0:
            for dx, dy in ((12, 5), (9, 10), (6, 15)):  # what is left of the stem
                page[mid + dy:mid + dy + 1, x0 + 30 + dx:x0 + 32 + dx] = 0
    engine = FakeEngine({"number": [Reading("12", 0.99), Reading("305", 0.99),
                                    Reading("47", 0.99), Reading("-", 0.9)], "label": []})
    *_, broken, dash = read_cells(page, _cells(boxes, 5), ["number"] * 5, engine)
    assert broken.doubt is not None
    assert dash.doubt is None and dash.text == "—" and dash.confidence >= 0.95


def test_a_light_number_against_its_cells_right_rule_is_taken_whole():
    """A blurred 100 DPI scan with grey rules and right-aligned numbers: the digits' darkest
    cores reach the page's threshold, the rest of their strokes do not, and the number ends
    closer to the cell's right rule than an eighth of the cell's width. Read from its cores
    alone, 30 was nothing and 13 was 1 (seed-3 bench doc 0). It is taken whole, at half its
    own contrast, and doubted."""
    page, boxes = table_page([["", "30"]], [60, 160], size=20)
    x0, y0, x1, y1 = boxes[1]
    inner = page[y0 + 3:y1 - 3, x0 + 3:x1 - 3]
    cols = np.flatnonzero((inner < 128).any(axis=0))
    shift = inner.shape[1] - 10 - (cols[-1] + 1)  # the number ends 13 px inside the rule
    inner[:] = np.roll(inner, shift, axis=1)
    grey = np.where(page < 128, 153, 255).astype(np.float32)  # grey rules...
    text = cv2.GaussianBlur(inner.astype(np.float32), (0, 0), 1.0)
    grey[y0 + 3:y1 - 3, x0 + 3:x1 - 3] = 255 - (255 - text) * 0.4  # ...lighter digits
    light = grey.astype(np.uint8)
    assert light[y0 + 3:y1 - 3, x0 + 3:x1 - 3].min() < 200  # their cores are ink
    engine = FakeEngine({"number": [Reading("30", 0.99)], "label": []})
    (number,) = read_cells(light, _cells(boxes[1:], 1), ["number"], engine)
    left = x0 + 3 + cols[0] + shift
    assert number.ink_bbox[0] <= left and number.ink_bbox[2] >= x1 - 13
    assert number.doubt is not None


def test_a_0_like_the_pictures_other_0s_is_told_from_digits_read_as_0():
    """A table is mostly zeros, all printed alike. A 0 whose ink is the picture's usual 0
    counts as one however unsurely it was read; an 8, 6 or 11 that the engine took for a 0
    is not like them. With fewer zeros than that, nothing is told (seed-4 bench doc 36:
    112 zeros flagged, the second engine reading them as nothing)."""
    texts = ["0"] * 10 + ["8", "6", "11", "0"]
    page, boxes = table_page([texts], [60] * len(texts), font="ming")
    page = cv2.GaussianBlur(page, (0, 0), 1.2)  # the zeros' rings close: read, not told by shape
    engine = FakeEngine({"number": [Reading("0", 0.95)] * 10 + [Reading("0", 0.4)] * 3
                         + [Reading("0", 0.3)], "label": []})
    readings = read_cells(page, _cells(boxes, len(texts)), ["number"] * len(texts), engine)
    assert [r.text for r in readings] == ["0"] * len(texts)
    assert like_the_zeros(readings) == [True] * 10 + [False] * 3 + [True]
    assert like_the_zeros(readings[7:]) == [False] * 7  # too few zeros to know their look


def test_ink_read_as_nothing_is_compared_with_the_pictures_0s_too():
    """Seed-4 bench doc 39: zeros 6 pixels high, of which both engines read 115 as nothing.
    Ink read as nothing that is the picture's usual 0 is told as such (the pipeline takes 0
    for it, flagged); a dash or a 47 read as nothing is not, and ink read as nothing does
    not count into what the usual 0 looks like."""
    cell = GridCell(0, 0, 1, 1, (0, 0, 60, 40))

    def reading(text: str, printed: str) -> CellReading:
        image = cv2.GaussianBlur(render_text(printed, font="ming", size=20), (0, 0), 0.8)
        return CellReading(cell, text, 0.3, (), "number", False, (0, 0, 1, 1),
                           shape=_ink_shape(image))

    zeros = [reading("0", "0") for _ in range(8)]
    nothing = [reading("", "0"), reading("", "—"), reading("", "47")]
    assert like_the_zeros(zeros + nothing) == [True] * 8 + [True, False, False]
    # ink read as nothing alone shows no usual 0
    assert like_the_zeros([reading("", "0") for _ in range(10)]) == [False] * 10


def _left_aligned(text: str, gap: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A one-cell table in a row little higher than its digits, `text` printed `gap`
    pixels right of the cell's left rule."""
    from PIL import Image, ImageDraw, ImageFont

    from .conftest import FONTS

    page, boxes = table_page([[""]], [90], height=16)
    path, index = FONTS["serif"]
    face = ImageFont.truetype(path, 20, index=index)
    picture = Image.fromarray(page)
    left, top, _, bottom = face.getbbox(text)
    x0, y0, _, y1 = boxes[0]
    ImageDraw.Draw(picture).text((x0 + 1 + gap - left, (y0 + y1 - (bottom - top)) // 2 - top),
                                 text, font=face, fill=0)
    return np.asarray(picture).copy(), boxes


def test_a_1_against_the_cells_rule_cut_off_as_a_rule_doubts_the_number():
    """Seed-12 bench doc 7: a left-aligned 15 and 16 in rows little higher than their
    digits, the 1 against the cell's left rule: an upright stroke nearly as high as the
    crop beside its side is a rule's piece, and was cut off; 5 and 6 were read surely."""
    page, boxes = _left_aligned("15", 2)
    engine = FakeEngine({"number": [Reading("5", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    assert reading.doubt is not None and "a 1?" in reading.doubt
    page, boxes = _left_aligned("55", 2)
    engine = FakeEngine({"number": [Reading("55", 0.99)], "label": []})
    (reading,) = read_cells(page, _cells(boxes, 1), ["number"], engine)
    assert reading.doubt is None
