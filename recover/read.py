"""Reading the cells of a grid: crop each cell inside its rules, trim to the ink, OCR.

A cell without ink is blank and never reaches the engine. Text in several lines (a wrapped
label, or a vertical label with one character per line) is cut into its lines and laid
side by side, so the engine always reads one line.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from recover.cleanup import grain_sigma
from recover.grid import BBox, GridCell
from recover.ocr.base import CropKind, OcrEngine, Reading

# Below these a reading is doubtful and should be flagged. scripts/ocr_probe.py (300
# rendered numbers, two fonts, mild blur and noise, one thread): at 0.90 every wrong number
# was below the line for both engines (RapidOCR 299/300 right, 14 flagged; Tesseract
# 285/300 right, 41 flagged); at 0.5 one wrong reading slipped through for each. Label
# confidence is a mean character probability, and labels are matched fuzzily downstream,
# so a lower bar suffices there.
LOW_CONFIDENCE: dict[CropKind, float] = {"number": 0.90, "label": 0.60}

_RULE_SHRINK = 2  # pixels cut off each side of a cell box: the rule itself
# In a number cell, ink is what lies this share of the way from the paper to the darkest
# pixel, and at least _FAINT_INK grey levels below the paper.
_FAINT_SHARE = 0.35
_FAINT_INK = 50
_LIGHT_DIGIT = 30  # grey levels below the paper that make a light mark in a cell's middle
_GRAIN_DEPTH = 6  # ...and standard deviations of the cell's grain
_CORES = 0.9  # ...when the page's threshold (and a pixel round it) caught less of it than this
_BLANK_FAINT = 35  # grey levels below the paper that make a blank cell's blankness unsure
_RULE_DEPTH = 0.25  # how far into a cell (share of its size) a rule along it is looked for
_REMNANT_DEPTH = 6  # a rule remnant lies within this many pixels of the crop's edge...
_REMNANT_FILL = 0.6  # ...and inks at least this fraction of its row or column
_MIN_SPECK = 4  # components with fewer ink pixels are noise
_LABEL_CHARS = 10  # a label crop is cut to about this many characters (as wide as high)
_MIN_MARK = 5  # pixels: a component at least this long or tall is a mark, not noise
BLANK_DOUBT = 0.5  # the confidence of a blank cell that had marks or faint grey in it
_LIGHT = 200  # grey levels at or above this are paper when trimming a line
_LIGHT_INK = 100  # a crop whose darkest ink is lighter than this grey is darkened
_PAD = 0.25  # padding around the ink, as a fraction of the line height
_MIN_LINE = 0.5  # a "line" lower than this fraction of the tallest is part of a character
_SLASH_SLOPE = 0.15  # columns per row a lone stroke drifts by to be a "/" as much as a "1"
_RULE_STEP_WIDTH = 3  # pixels: a sliver of a rule along a cell's side is no wider
_BROKEN_RULE_THICKNESS = 3  # pixels: the dashes of a rule along a cell's edge are no thicker
_BROKEN_RULE_DASHES = 3  # ...and there are at least this many of them
_BROKEN_DIGIT_SPECKS = 2  # specks under a lone flat stroke that make it maybe a broken 7
_SLIVER_WIDTH = 2  # pixels: a sliver of a skewed rule inside a cell's box is no wider
# a dash (shares of the page's text height): no shorter, no thicker, no further off the
# middle of its cell than these
_DASH_LENGTH, _DASH_THICKNESS, _DASH_OFF = 0.2, 0.3, 0.3
# a slash leans at least this many columns per row, is at least this share of the page's
# text height tall, and none of its rows of ink is wider than this share of its width
_SLASH_LEAN, _SLASH_HEIGHT, _SLASH_RUN = 0.2, 0.5, 0.6
_MIN_HOLE = 2  # pixels: a smaller enclosed speck of paper is not a hole
# a 0's hole is at least this share of its height, its middle no further off the 0's than
# these shares of its height and width; the 0 at least this share of the text's height
_ZERO_HOLE, _ZERO_OFF_Y, _ZERO_OFF_X, _ZERO_HEIGHT = 0.55, 0.06, 0.1, 0.5
MARK_CONFIDENCE = 0.95  # a dash, slash or 0 told by its shape
# a blank number cell's faint mark is a dash only on a page whose number text is at least
# this many pixels high, and when it is no wider than this share of that height
_FAINT_DASH_TEXT, _FAINT_DASH_WIDTH = 8, 1.2
# a 0 that lost its top and bottom (two upright bars side by side, "| |"): the taller bar at
# least this share of the page's text height and no more than this share of it, the shorter
# at least this share of the taller, their ends level within this share of the taller, each
# at least this many times as tall as wide, the gap between them no wider than this share
# of the text's height (a serif 0's is about 0.4; the 1s of 11 stand a digit apart, 0.6)
_BARS_HEIGHT, _BARS_TALLEST, _BARS_EVEN, _BARS_LEVEL = 0.6, 1.3, 0.75, 0.2
_BARS_UPRIGHT, _BARS_GAP = 2.5, 0.5
BARS_DOUBT = "two bars: a 0 whose top and bottom the scan lost?"
# A doubted 0 whose ink is the picture's usual 0 (like_the_zeros): the ink of each 0 read on
# the picture, its box scaled to this many columns x rows and blurred this much (pixels),
# at least this many of them; a 0 like their pixelwise median at least this much
# (correlation), its box's width / height and its height within these shares of theirs.
# On the 199 generated documents of bench seeds 1-5 the doubted 0s that were wrong (11s,
# 6s, 8s) came to at most 0.76, sure readings of other digits to at most 0.86 (and outside
# the size bounds; 0.80 within them); 571 doubted right 0s passed at 0.9. At 0.85 small
# type's zeros (7-9 pixels high, a pixel of quantization apart) pass too: 97 fewer flags
# over seeds 1-7, no silent error.
_SHAPE_SIZE, _SHAPE_BLUR = (14, 20), 1.0
_ZEROS_SEEN, _LIKE_ZERO, _LIKE_SIZE = 8, 0.85, (0.85, 1.18)
_LOW_INK = 0.5  # ink lower than this share of the page's text height is a mark, not a line
_MASKS_KEPT = 4  # page images whose grey and ink masks are remembered
_MASKS: list[tuple[weakref.ref, np.ndarray, np.ndarray]] = []
_APART = "ink in separate places"
_RUNS_ON = "ink runs on past the cell's side: a digit cut off?"
_ONE_FOR_RULE = "a stroke at the cell's side, as high as the digits, cut off as a rule: a 1?"
_ONE_LEVEL = 0.25  # of the digits' height: how far a 1's top and bottom may be from theirs
_RUN_ON = 4  # pixels past a cell's side where the ink of a number cut by its box goes on
_RULE_DOWN = 0.7  # ...unless a column there is inked down this share of the cell: a rule
# A blank number cell narrower than this share of the page's text height cannot hold a
# digit, and its blankness tells nothing (a sliver between a rule and a seal's ring).
_NARROW_CELL = 1.0


@dataclass(frozen=True)
class InkShape:
    """A number cell's ink as compared with other cells of its picture: its box scaled to
    _SHAPE_SIZE (zero mean, unit length), and the box's width / height and height."""

    vector: np.ndarray = field(compare=False, repr=False)
    aspect: float
    height: int


@dataclass(frozen=True)
class CellReading:
    cell: GridCell
    text: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    kind: CropKind
    blank: bool
    ink_bbox: BBox | None  # page pixels; None for a blank cell
    doubt: str | None = None  # why the reading cannot be trusted whatever its confidence
    ink_height: int = 0  # page pixels: the height of the ink of its tallest line of text
    shape: InkShape | None = None  # a 0's ink, to compare with its picture's other 0s

    @property
    def doubtful(self) -> bool:
        return not self.blank and self.confidence < LOW_CONFIDENCE[self.kind]


@dataclass(frozen=True)
class LoneMark:
    """The shape of a number cell's only mark, page pixels."""

    width: int
    height: int
    below: float  # how far its middle lies below the middle of the cell
    slope: float  # columns per row its middle rows' centres drift right going down
    widest: int  # its widest row of ink
    usual: float  # its median row of ink
    holes: int = 0  # enclosed areas of paper
    # the largest hole: its height, and how far its middle lies from the mark's middle
    # (down, right), as shares of the mark's height and width
    hole: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class FaintMark:
    """The one mark of grey in a number cell too light to be ink, page pixels, as drawn."""

    width: int
    height: int
    below: float  # how far its middle lies below the middle of the cell


@dataclass(frozen=True)
class CellCrop:
    """A cell's ink ready for the engine: one line of text, padded, on white."""

    image: np.ndarray | None  # None for a blank cell
    ink_bbox: BBox | None
    blank_confidence: float = 1.0  # how sure a blank cell is blank
    doubt: str | None = None  # why a reading of this crop cannot be trusted, whatever it says
    ink_height: int = 0  # page pixels: the ink of its tallest line (as drawn, unpadded)
    mark: LoneMark | None = None  # a number cell's one mark, when it has only one
    # two bars that may be a broken 0: the taller's height and the gap between them, pixels
    bars: tuple[int, int] | None = None
    faint: FaintMark | None = None  # a blank number cell's one mark of grey lighter than ink


def read_cells(
    image: np.ndarray,
    cells: Sequence[GridCell],
    kinds: Sequence[CropKind],
    engine: OcrEngine,
) -> list[CellReading]:
    """Read every cell of `image` (grey or BGR page pixels); numbers and labels in two batches."""
    return read_pages([PageCells(image, cells, kinds)], engine)[0]


@dataclass(frozen=True)
class PageCells:
    """Cells to read on one page image, each with the kind of text it holds."""

    image: np.ndarray
    cells: Sequence[GridCell]
    kinds: Sequence[CropKind]
    text_height: int | None = None  # None: the page's, from these cells' ink (text_height)


def read_pages(pages: Sequence[PageCells], engine: OcrEngine) -> list[list[CellReading]]:
    """Read the cells of several pages with one engine call per kind of text (an engine
    that runs as a separate program pays its start-up once)."""
    crops: list[list[CellCrop]] = []
    readings: dict[tuple[int, int], Reading] = {}
    broken: set[tuple[int, int]] = set()  # cells whose ink may be a broken 0
    for page in pages:
        if len(page.cells) != len(page.kinds):
            raise ValueError(f"{len(page.cells)} cells but {len(page.kinds)} kinds")
        grey, ink = _page_masks(page.image)
        cropped = [crop_cell(grey, ink, cell.bbox, kind)
                   for cell, kind in zip(page.cells, page.kinds, strict=True)]
        height = page.text_height or text_height([c.ink_height for c in cropped])
        cropped = [_narrow_blank(crop, cell, kind, height)
                   for crop, cell, kind in zip(cropped, page.cells, page.kinds, strict=True)]
        crops.append([_at_text_size(crop, height) for crop in cropped])
        for i, crop in enumerate(cropped):
            if (text := _mark_text(crop, height)) is not None:
                readings[(len(crops) - 1, i)] = Reading(text, MARK_CONFIDENCE)
            elif _broken_zero(crop, height):
                broken.add((len(crops) - 1, i))
    for kind in ("number", "label"):
        todo = [(p, i) for p, page in enumerate(pages) for i, k in enumerate(page.kinds)
                if k == kind and crops[p][i].image is not None and (p, i) not in readings]
        if todo:
            found = engine.read([crops[p][i].image for p, i in todo], kind)
            readings.update(zip(todo, found, strict=True))
    for key in broken & readings.keys():
        if (zero := _zero_of_bars(readings[key])) is not None:
            p, i = key
            readings[key], crops[p][i] = zero, replace(crops[p][i], doubt=BARS_DOUBT)
    return [
        [_cell_reading(cell, kind, crop, readings.get((p, i)))
         for i, (cell, kind, crop) in enumerate(zip(page.cells, page.kinds, crops[p], strict=True))]
        for p, page in enumerate(pages)
    ]


def _broken_zero(crop: CellCrop, height: int | None) -> bool:
    """Whether a number cell's ink is two bars of the text's height facing each other: a 0
    whose thin top and bottom a two-tone scan of a serif face at low resolution dropped."""
    if not height or crop.bars is None:
        return False
    tall, gap = crop.bars
    return _BARS_HEIGHT * height <= tall <= _BARS_TALLEST * height and gap <= _BARS_GAP * height


def _zero_of_bars(reading: Reading) -> Reading | None:
    """0 for a cell whose ink may be a broken 0 (`_broken_zero`) when the engine read it as
    nothing, not as a number, or unsurely as another number (the engines read "| |" as
    nothing, "1" or "11"), the engine's reading its alternative (the cell is then doubted);
    None when the engine's reading stands: a 0, or another number it is sure of."""
    text = normalize_number(reading.text.strip())
    if text == "0" or (text.isdigit() and reading.confidence >= LOW_CONFIDENCE["number"]):
        return None
    alternatives = ((text, reading.confidence), *reading.alternatives) if text else ()
    return Reading("0", MARK_CONFIDENCE, alternatives)


def _mark_text(crop: CellCrop, height: int | None) -> str | None:
    """The missing marker or the 0 a number cell holds, told by the shape of its one mark: "—" for
    a stroke at least twice as long as thick, much thinner than the page's text, no shorter
    than a hyphen, across the middle of the cell (a digit's remnant at the edge of a badly
    placed box lies off the middle); "/" for a thin stroke as tall as the text leaning
    right, with no row of ink much wider than its others (the bars of 2, 4 and 7); "0" for
    a ring no wider than tall: one hole, most of the mark's height, in its middle (the
    holes of 4, 6, 8 and 9 are smaller or off the middle; two digits run together, "23"
    of seed-5 bench doc 8, ring a hole as wide as the pair). Engines read these poorly: a
    lone short stroke as nothing, "." or "1"; a slash as "1"; a lone 0 now and then at low
    confidence. A blank cell's one faint dot is a dash too (`_faint_dash`)."""
    mark = crop.mark
    if mark is None or not height:
        return "—" if _faint_dash(crop.faint, height) else None
    if (mark.width >= max(2 * mark.height, _DASH_LENGTH * height)
            and mark.height <= _DASH_THICKNESS * height and abs(mark.below) <= _DASH_OFF * height):
        return "—"
    if (mark.slope <= -_SLASH_LEAN and mark.height >= _SLASH_HEIGHT * height
            and mark.widest <= min(_SLASH_RUN * mark.width, 2 * mark.usual)):
        return "/"
    if (mark.holes == 1 and mark.hole is not None and mark.height >= _ZERO_HEIGHT * height
            and mark.width <= mark.height):
        extent, down, right = mark.hole
        if extent >= _ZERO_HOLE and abs(down) <= _ZERO_OFF_Y and abs(right) <= _ZERO_OFF_X:
            return "0"
    return None


def _lone_mark(component: np.ndarray, below: float) -> LoneMark:
    """The shape of a mark (its pixels, cut to its box)."""
    height, width = component.shape
    rows = [np.flatnonzero(row) for row in component]
    runs = np.array([r[-1] - r[0] + 1 if r.size else 0 for r in rows])
    centres = np.array([(r[-1] + r[0]) / 2 if r.size else 0.0 for r in rows])
    cut = max(1, round(0.2 * height))
    middle = np.arange(cut, height - cut)
    slope = float(np.polyfit(middle, centres[middle], 1)[0]) if middle.size >= 2 else 0.0
    paper = np.pad(~component, 1, constant_values=True).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper, 4)
    # the paper around the mark is the component at the padded corner: label 1
    inside = stats[2:][stats[2:, cv2.CC_STAT_AREA] >= _MIN_HOLE] if count > 2 else stats[:0]
    hole = None
    if len(inside):
        x, y, w, h, _ = inside[int(np.argmax(inside[:, cv2.CC_STAT_AREA]))]
        hole = (h / height, (y - 1 + h / 2) / height - 0.5, (x - 1 + w / 2) / width - 0.5)
    return LoneMark(width, height, below, slope, int(runs.max()), float(np.median(runs)),
                    len(inside), hole)


def _faint_mark(grey_marks: np.ndarray, top: float) -> FaintMark | None:
    """The one mark of a cell's grey (`grey_marks`: its pixels well below the paper, after a
    3 x 3 mean) that is no ink, its box shrunk by the pixel the mean spreads it on each
    side; None when the grey is more than one mark. `top`: how far the mask's top lies
    below the middle of the cell."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(grey_marks.astype(np.uint8), 8)
    if count != 2:
        return None
    x, y, w, h, _ = (int(v) for v in stats[1])
    return FaintMark(max(1, w - 2), max(1, h - 2), top + y + h / 2)


def _faint_dash(mark: FaintMark | None, height: int | None) -> bool:
    """Whether a blank cell's one faint mark is a dash (missing) of a page whose number
    text is `height` pixels high: flat and thin beside that text, across the middle of the
    cell. A hyphen at 100 DPI is a dot of grey 3 x 2 pixels that the ink threshold misses;
    type so small that a digit is such a dot (`_FAINT_DASH_TEXT`) tells nothing."""
    if mark is None or not height or height < _FAINT_DASH_TEXT:
        return False
    return (mark.height <= _DASH_THICKNESS * height and mark.width <= _FAINT_DASH_WIDTH * height
            and abs(mark.below) <= _DASH_OFF * height)


def _page_masks(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A page image's grey and ink mask, remembered for the last few images read: a page is
    read several times (which way up, labels, numbers, second engine), and each mask costs
    a pass over the whole page. Page images are not changed once read."""
    for ref, grey, ink in _MASKS:
        if ref() is image:
            return grey, ink
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ink = ink_mask(grey)
    alive = [m for m in _MASKS if m[0]() is not None]
    _MASKS[:] = [*alive[-(_MASKS_KEPT - 1):], (weakref.ref(image), grey, ink)]
    return grey, ink


def text_height(heights: Sequence[int]) -> int | None:
    """A page's text height, from the ink heights of its cells (0 for a blank cell): most
    cells hold a number or a label of the same type size. None when all are blank."""
    inked = [h for h in heights if h > 0]
    return int(np.median(inked)) if inked else None


def _narrow_blank(crop: CellCrop, cell: GridCell, kind: CropKind, height: int | None
                  ) -> CellCrop:
    """A blank number cell's crop, its blankness doubted when the cell is too narrow to
    hold a digit of the page's text."""
    if kind != "number" or not height or crop.image is not None:
        return crop
    if cell.bbox[2] - cell.bbox[0] < _NARROW_CELL * height:
        return replace(crop, blank_confidence=BLANK_DOUBT)
    return crop


def _at_text_size(crop: CellCrop, height: int | None) -> CellCrop:
    """A crop whose ink is much lower than the page's text (a dash, a dot) padded to the
    height of a line of that text: alone, a 1-pixel dash scaled to the engine's line height
    becomes a black bar that reads as nothing."""
    if crop.image is None or not height or crop.ink_height >= _LOW_INK * height:
        return crop
    pad = round(_PAD * height)
    extra_y = max(0, height + 2 * pad - crop.image.shape[0])
    extra_x = max(0, pad - max(2, round(_PAD * crop.ink_height)))
    image = cv2.copyMakeBorder(crop.image, extra_y // 2, extra_y - extra_y // 2, extra_x,
                               extra_x, cv2.BORDER_CONSTANT, value=255)
    return replace(crop, image=image)


def read_labels(image: np.ndarray, cells: Sequence[GridCell], engine: OcrEngine,
                turns: int = 0) -> list[str]:
    """The label texts of cells, the page turned by `turns` clockwise quarter turns first."""
    turns %= 4
    if turns:
        height, width = image.shape[:2]
        image = np.ascontiguousarray(np.rot90(image, -turns))
        cells = [replace(c, bbox=_turned_box(c.bbox, turns, width, height)) for c in cells]
    return [r.text for r in read_cells(image, cells, ["label"] * len(cells), engine)]


def _turned_box(bbox: BBox, turns: int, width: int, height: int) -> BBox:
    """A box of a width x height page, in the page turned by `turns` clockwise quarter turns."""
    x0, y0, x1, y1 = bbox
    if turns == 1:
        return height - y1, x0, height - y0, x1
    if turns == 2:
        return width - x1, height - y1, width - x0, height - y0
    return y0, width - x1, y1, width - x0


def _cell_reading(
    cell: GridCell, kind: CropKind, crop: CellCrop, reading: Reading | None
) -> CellReading:
    if reading is None:
        return CellReading(cell, "", crop.blank_confidence, (), kind, blank=True, ink_bbox=None)
    text, alternatives = reading.text.strip(), reading.alternatives
    confidence = reading.confidence
    if kind == "number":
        # Spellings of one text are one reading: "-", "—" and "一" alone all mean missing.
        text = normalize_number(text)
        spellings: dict[str, float] = {}
        for alt, p in alternatives:
            alt = normalize_number(alt)
            spellings[alt] = spellings.get(alt, 0.0) + p
        confidence += spellings.pop(text, 0.0)
        alternatives = tuple(spellings.items())
    else:
        text = text.replace("丶", "、")  # the enumeration comma, which PP-OCR reads as 丶
    confidence = min(1.0, max(0.0, confidence))
    found = CellReading(cell, text, confidence, alternatives, kind, False, crop.ink_bbox,
                        crop.doubt, crop.ink_height)
    if kind != "number":
        return found
    if found.text in ("0", ""):  # 0s, and ink read as nothing, are compared (like_the_zeros)
        found = replace(found, shape=_ink_shape(crop.image))
    found = _with_leading_zero_doubt(found)
    if not found.doubt and found.text == "1" and _slanted(crop.image):
        found = replace(found, doubt="a slanted stroke: 1 or /")
    return found


def _ink_shape(image: np.ndarray | None) -> InkShape | None:
    """The shape of a crop's ink (dark on white): the box of its pixels at least half as
    dark as its darkest, scaled to a fixed size."""
    if image is None:
        return None
    ink = 255.0 - image.astype(np.float32)
    ys, xs = np.nonzero(ink > 0.5 * ink.max())
    if ys.size == 0:
        return None
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    scaled = cv2.resize(ink[top:bottom, left:right], _SHAPE_SIZE, interpolation=cv2.INTER_AREA)
    # blurred a little: two-tone 0s of one face differ by a pixel here and there
    vector = cv2.GaussianBlur(scaled, (0, 0), _SHAPE_BLUR).ravel()
    vector -= vector.mean()
    norm = float(np.linalg.norm(vector))
    if norm == 0:
        return None
    return InkShape(vector / norm, (right - left) / (bottom - top), int(bottom - top))


def like_the_zeros(readings: Sequence[CellReading]) -> list[bool]:
    """Which readings of one picture, read as 0 or as nothing, have the ink of the picture's
    usual 0.

    A table is mostly zeros, all printed alike: the pixelwise median of every ink read as 0
    on a picture is a 0 of that picture's face, size and damage, even when some of them are
    something else. A 0 doubted for its ink (light, two bars, a rule near) or read unsurely,
    or as nothing by the second engine, is still a 0 when its ink is that median's; an 11,
    6 or 8 read as 0 is not. Ink read as nothing that is that median's is likely a 0 too
    (type too small for the engine), though nothing read confirms it. Too few zeros to
    tell: none is."""
    zeros = [r.shape for r in readings if r.shape is not None and r.text == "0"]
    if len(zeros) < _ZEROS_SEEN:
        return [False] * len(readings)
    usual = np.median(np.stack([z.vector for z in zeros]), axis=0)
    usual -= usual.mean()
    usual /= max(float(np.linalg.norm(usual)), 1e-9)
    aspect = float(np.median([z.aspect for z in zeros]))
    height = float(np.median([z.height for z in zeros]))
    low, high = _LIKE_SIZE

    def alike(shape: InkShape) -> bool:
        return (float(shape.vector @ usual) >= _LIKE_ZERO
                and low <= shape.aspect / aspect <= high and low <= shape.height / height <= high)

    return [r.shape is not None and alike(r.shape) for r in readings]


_LEADING_ZERO = re.compile(r"^[-+]?0\d")


def _with_leading_zero_doubt(reading: CellReading) -> CellReading:
    """A number printed with a leading zero is rare; a rule piece beside a 0 read as 1 (01,
    10) or a speck read as 0 is not: such a reading is never sure."""
    if reading.doubt or not _LEADING_ZERO.match(reading.text):
        return reading
    return replace(reading, doubt="a leading zero")


def _slanted(image: np.ndarray | None) -> bool:
    """Whether a lone stroke leans like "/" (a missing-value mark) rather than standing like
    "1": the dark-weighted centre of its rows drifts sideways down its middle rows (a 1's
    flag and foot left out)."""
    if image is None:
        return False
    darkness = 255.0 - image.astype(np.float32)
    darkness[darkness < 255 - _LIGHT] = 0
    rows = np.flatnonzero(darkness.sum(axis=1))
    if len(rows) < 6:
        return False
    cut = max(1, round(0.2 * len(rows)))
    middle = rows[cut:-cut]
    weights = darkness[middle]
    centres = (weights * np.arange(image.shape[1])).sum(axis=1) / weights.sum(axis=1)
    slope = np.polyfit(middle.astype(np.float64), centres, 1)[0]
    return abs(float(slope)) > _SLASH_SLOPE


_NUMBER_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "〇": "0",
        "○": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        "丨": "1",
        "。": ".",
        "·": ".",
        "一": "-",
        "萬": "万",
        "個": "个",
        "條": "条",
        "項": "项",
        "無": "无",
    }
)


def normalize_number(text: str) -> str:
    """A number cell's text in ASCII digits, look-alike letters mapped, spaces gone, unit kept."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    text = text.translate(_NUMBER_LOOKALIKES)
    return "—" if text and set(text) <= {"-", "—"} else text  # dashes alone: missing


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """True where a page pixel is ink: darker than Otsu's threshold and than mid-light grey."""
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu between black rules and paper can fall below grey text; keep it at mid-grey or over
    return grey < min(max(threshold, 140), 200)


def crop_cell(grey: np.ndarray, ink: np.ndarray, bbox: BBox, kind: CropKind = "label"
              ) -> CellCrop:
    """The ink inside a cell's rules as one padded line of text, or a blank crop."""
    x0, y0, x1, y1 = bbox
    x0, y0 = max(0, x0 + _RULE_SHRINK), max(0, y0 + _RULE_SHRINK)
    x1, y1 = min(grey.shape[1], x1 - _RULE_SHRINK), min(grey.shape[0], y1 - _RULE_SHRINK)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return CellCrop(None, None)
    raw, faint = ink[y0:y1, x0:x1], False
    if kind == "number":
        raw, faint = _number_ink(grey[y0:y1, x0:x1], raw)
        left, top, right, bottom = _inside_rules(raw)
        raw = raw[top:bottom, left:right]
        x0, y0, x1, y1 = x0 + left, y0 + top, x0 + right, y0 + bottom
    inner = grey[y0:y1, x0:x1]
    remnants = _remnants(raw, kind)
    mask, labels, stats = _without_specks(raw & ~remnants)
    inked = 1 + np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= _MIN_SPECK)  # mask's labels
    minus = _minus_speck(stats, inked) if kind == "number" else None
    if minus is not None:
        mask = mask | (labels == minus)
    marks = stats[inked]  # the mask's components
    doubt = None
    if kind == "number":
        # A rule piece touching the ink may have been part of a digit, and ink in two
        # places of one cell may be a digit and a rule piece: readable, never sure.
        touching = cv2.dilate(remnants.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        met = np.unique(labels[touching & mask])
        if _marked(stats[met[met != 0]]):
            doubt = "ink touching a rule"
        elif _faint_beside(inner, raw | touching):
            doubt = "faint marks beside the ink"
        elif _ink_apart(mask, marks):
            doubt = _APART
        elif _one_taken_for_rule(remnants, marks):
            doubt = _ONE_FOR_RULE
        elif minus is not None:
            doubt = "a faint stroke before the number: a minus sign?"
        elif faint:
            doubt = "ink lighter than the rules, taken at its own contrast"
        far = _far_slivers(stats, inked, mask.shape[1]) if doubt else inked[:0]
        if far.size:
            # read without them; the doubt stays: the cell is flagged either way
            sliver = np.isin(labels, far)
            mask, remnants = mask & ~sliver, remnants | sliver
            inked = inked[~np.isin(inked, far)]
            marks = stats[inked]
    if not _marked(marks):
        # Sure only when nothing at all was there: marks taken for rule pieces, or grey
        # that is darker than paper but lighter than the ink threshold, may be text.
        # (grain averaged away first, so that it alone never counts)
        smooth = cv2.blur(inner, (3, 3))
        grey_marks = smooth < np.median(inner) - _BLANK_FAINT
        faint = int(grey_marks.sum()) >= _MIN_MARK
        marked = _has_marks(raw)
        if not faint and not marked:
            return CellCrop(None, None)
        one = None
        if kind == "number" and faint and not marked:
            one = _faint_mark(grey_marks, y0 - (bbox[1] + bbox[3]) / 2)
        return CellCrop(None, None, BLANK_DOUBT, faint=one)
    ys, xs = np.nonzero(mask)
    if kind == "number" and doubt is None and _runs_on(ink, bbox, (x0, y0), mask, ys, xs):
        doubt = _RUNS_ON
    # Grow the ink box: light strokes (the diagonal of a blurred 4) may fall outside the
    # binary mask; _trim then cuts to the grey levels.
    margin = max(2, round(_PAD * (ys.max() + 1 - ys.min())))
    top, left = max(0, ys.min() - margin), max(0, xs.min() - margin)
    bottom = min(mask.shape[0], ys.max() + 1 + margin)
    right = min(mask.shape[1], xs.max() + 1 + margin)
    # Keep the grey levels near the ink (anti-aliased edges help the engine); whiten rule
    # remnants and faint marks away from any ink, such as the light edge of a rule.
    near_ink = cv2.dilate((raw & ~remnants).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    cut = cv2.dilate(remnants.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    keep = near_ink & ~cut
    pixels = _deepened(np.where(keep, inner, 255).astype(np.uint8)[top:bottom, left:right])
    lines = _lines(mask[top:bottom, left:right])
    image = _side_by_side([_pad(_trim(pixels[a:b])) for a, b in lines])
    if kind == "label":
        # The head of a label tells it from every other label of the template; reading
        # the rest of a long one costs more than everything else on the page.
        image = image[:, : _LABEL_CHARS * image.shape[0]]
    box = (int(x0 + left), int(y0 + top), int(x0 + right), int(y0 + bottom))
    mark, bars = None, None
    if kind == "number" and doubt in (None, _APART) and len(marks) == 2:
        bars = _bars(stats[inked])
    if kind == "number" and doubt is None and len(marks) == 1:
        index = int(inked[0])
        x, y, w, h, _ = (int(v) for v in stats[index])
        if w >= 2 * h and _specks_below(stats, index) >= _BROKEN_DIGIT_SPECKS:
            doubt = "a lone stroke with specks below it: a broken digit (7) or a dash?"
        else:
            below = y0 + y + h / 2 - (bbox[1] + bbox[3]) / 2
            mark = _lone_mark(labels[y:y + h, x:x + w] == index, below)
    return CellCrop(image, box, doubt=doubt, ink_height=max(b - a for a, b in lines),
                    mark=mark, bars=bars)


def _runs_on(ink: np.ndarray, bbox: BBox, origin: tuple[int, int], mask: np.ndarray,
             ys: np.ndarray, xs: np.ndarray) -> bool:
    """Whether a number's ink reaches a side of its crop and the page's ink goes on past
    the cell's box there, level with it, where no rule runs down that side: a box placed
    a digit too far in (a grid that lost a rule) cuts 110.7 to 10.7, and both engines
    read the cut number surely. `origin`: the crop's top left on the page; `ys`, `xs`:
    the crop's ink pixels."""
    x0, y0 = origin
    top, bottom = y0 + int(ys.min()), y0 + int(ys.max()) + 1
    for touches, outside in ((xs.min() == 0, slice(max(0, bbox[0] - _RUN_ON), bbox[0])),
                             (xs.max() == mask.shape[1] - 1,
                              slice(bbox[2], min(ink.shape[1], bbox[2] + _RUN_ON)))):
        if not touches or outside.start >= outside.stop:
            continue
        beside = ink[top:bottom, outside]
        down_the_side = ink[bbox[1]:bbox[3], outside].mean(axis=0)
        if beside.any() and not (down_the_side >= _RULE_DOWN).any():
            return True
    return False


def _specks_below(stats: np.ndarray, index: int) -> int:
    """How many specks of ink (too small to be marks) lie under a flat mark, within its
    width of it: what a two-tone scan leaves of the stem of a 7 whose bar alone survived
    whole. Read by its shape, that bar would be a dash, a missing value, and silently."""
    x, y, w, h, _ = (int(v) for v in stats[index])
    sx, sy = stats[:, 0] + stats[:, 2] / 2, stats[:, 1] + stats[:, 3] / 2
    small = stats[:, cv2.CC_STAT_AREA] < _MIN_SPECK
    near = (sx >= x - w / 2) & (sx <= x + 1.5 * w) & (sy > y + h) & (sy <= y + h + 1.5 * w)
    small[0] = small[index] = False
    return int(np.count_nonzero(small & near))


def _bars(marks: np.ndarray) -> tuple[int, int] | None:
    """The height of the taller of two marks and the gap between them, when they stand
    side by side as upright bars of about one height with their ends level (a 0 without its
    top and bottom); None when they do not. `marks`: two rows of
    connectedComponentsWithStats."""
    (x1, y1, w1, h1), (x2, y2, w2, h2) = sorted(tuple(int(v) for v in m[:4]) for m in marks)
    tall = max(h1, h2)
    gap = x2 - (x1 + w1)
    if (min(h1, h2) < _BARS_EVEN * tall or min(h1 / w1, h2 / w2) < _BARS_UPRIGHT or gap <= 0
            or abs(y1 - y2) > _BARS_LEVEL * tall or abs(y1 + h1 - y2 - h2) > _BARS_LEVEL * tall):
        return None
    return tall, gap


def _number_ink(grey: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, bool]:
    """A number cell's ink: the page's ink, and fainter marks that are well on the way
    from the paper to the cell's darkest pixel. A page's threshold sits between black rules
    and paper: the light minus of a blurred -1 falls short of it, and a number without its
    sign is silently wrong. Also whether ink lighter than that was taken at its own
    contrast (then the reading is doubted)."""
    paper = float(np.percentile(grey, 90))
    contrast = max(_FAINT_INK, _FAINT_SHARE * (paper - float(grey.min())))
    found = ink | (grey < paper - contrast)
    h, w = grey.shape
    # clear of the rules, but no further from the sides than from the top: a right-aligned
    # number ends close to its cell's right rule
    side = min(w // 8, h // 5)
    middle = (slice(h // 5, h - h // 5), slice(side, w - side))
    if not grey[middle].size:
        return found, False
    # a digit lighter than the rules (a blurred 100 DPI scan with grey rules) reaches the
    # threshold only at the cores of its strokes, or nowhere: it is taken at half its own
    # contrast, unless grain alone could be that dark (cheapest tests first: this runs for
    # every number cell, and almost every one holds dark ink)
    depth = paper - float(grey[middle].min())
    if not _LIGHT_DIGIT <= depth < 2 * contrast:
        return found, False
    own = grey[middle] < paper - depth / 2
    near = cv2.dilate(found[middle].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if (np.count_nonzero(near & own) < _CORES * np.count_nonzero(own)
            and depth >= _GRAIN_DEPTH * grain_sigma(grey)):
        found[middle] |= own
        return found, True
    return found, False


def _inside_rules(ink: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) within a number cell's ink mask, past rules that still
    run along its sides (a grid edge a few pixels off a thick, doubled or grainy rule).
    A rule's line of pixels is mostly ink, its first and last quarters too (a broken rule
    has gaps); a number, in the middle of its cell, never reaches both."""
    h, w = ink.shape
    depth_y, depth_x = int(_RULE_DEPTH * h), int(min(_RULE_DEPTH * w, 0.5 * h))

    def ruled(lines: np.ndarray) -> np.ndarray:  # lines: one row per line of pixels
        quarter = max(1, lines.shape[1] // 4)
        ends = (lines[:, :quarter].mean(axis=1) >= 0.3) & (lines[:, -quarter:].mean(axis=1) >= 0.3)
        return ends & (lines.mean(axis=1) >= 0.5)

    # a skewed or jagged rule steps a pixel sideways along its length
    marks = ink.astype(np.uint8)
    rows = ruled(cv2.dilate(marks, np.ones((3, 1), np.uint8)) > 0)
    cols = ruled(cv2.dilate(marks, np.ones((1, 3), np.uint8)).T > 0)
    top = _past(rows[:depth_y])
    bottom = h - _past(rows[::-1][:depth_y])
    left = _past(cols[:depth_x])
    right = w - _past(cols[::-1][:depth_x])
    if bottom - top < 2 or right - left < 2:
        return 0, 0, w, h
    return left, top, right, bottom


def _past(ruled: np.ndarray) -> int:
    """How many lines from the edge to just past the innermost ruled one (0: none)."""
    found = np.flatnonzero(ruled)
    return int(found[-1]) + 1 if found.size else 0


def _faint_beside(grey: np.ndarray, ink: np.ndarray) -> bool:
    """Whether grey darker than paper lies away from the ink and the crop's border: the
    lighter part of a digit the ink threshold missed (half of a faint 0 reads as 1)."""
    near = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    dark = grey < np.median(grey) - 60
    dark[:3, :], dark[-3:, :], dark[:, :3], dark[:, -3:] = False, False, False, False
    return _has_marks(dark & ~near)


def _ink_apart(mask: np.ndarray, stats: np.ndarray) -> bool:
    """Whether a number cell's ink stands in separate places: groups along the line apart
    by more than half the height of the largest mark (a number's digits stand much closer
    than that; a faint rule piece beside a digit may be taller than the digit, so the ink's
    whole height would not do), or a thin upright sliver at the cell's left or right side,
    apart from the largest mark or taller than it (a piece of a faint broken rule, which
    reads as 1). `stats`: the mask's components, rows of connectedComponentsWithStats."""
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size == 0:
        return False
    mx, _, mw, mh, _ = stats[int(np.argmax(stats[:, cv2.CC_STAT_AREA]))]
    if (np.diff(cols) > max(3, int(0.5 * mh))).any():
        return True
    width = mask.shape[1]
    for x, _, w, h, _ in stats:
        thin = w <= max(2, 0.15 * mh) and h >= _MIN_MARK
        at_side = x <= 2 or x + w >= width - 2
        apart = x + w < mx - 0.25 * mh or x > mx + mw + 0.25 * mh
        if thin and at_side and (apart or h > 1.15 * mh):  # a digit is no taller than 0
            return True
    return False


def _far_slivers(stats: np.ndarray, inked: np.ndarray, width: int) -> np.ndarray:
    """Labels of the components that are a skewed rule's sliver inside a number cell's box:
    no wider than two pixels, at least three times as tall, in the outer quarter of the
    crop, and at least as far from every other mark as the tallest of those is high (the
    digits of one number stand much closer: a thin 1 a few pixels from its 3 is kept).
    `stats`: rows of connectedComponentsWithStats, the background's first; `inked`: the
    labels of its marks."""
    marks = [int(i) for i in inked]
    found = []
    for i in marks:
        x, _, w, h, _ = (int(v) for v in stats[i, :5])
        others = [stats[j] for j in marks if j != i]
        outer = x + w <= 0.25 * width or x >= 0.75 * width
        if not others or not outer or w > _SLIVER_WIDTH or h < 3 * w:
            continue
        tallest = max(int(o[cv2.CC_STAT_HEIGHT]) for o in others)
        gap = min(max(int(o[0]) - (x + w), x - int(o[0] + o[2])) for o in others)
        if gap >= tallest:
            found.append(i)
    return np.array(found, dtype=np.int64)


def _remnants(mask: np.ndarray, kind: CropKind) -> np.ndarray:
    """Rule remnants: rows and columns along the crop's edges that are nearly all ink."""
    h, w = mask.shape
    depth_h, depth_w = min(_REMNANT_DEPTH, h // 4), min(_REMNANT_DEPTH, w // 4)
    rows = mask.mean(axis=1) >= _REMNANT_FILL
    cols = mask.mean(axis=0) >= _REMNANT_FILL
    rows[depth_h : h - depth_h] = False
    cols[depth_w : w - depth_w] = False
    out = np.zeros_like(mask)
    out[rows, :] = True
    out[:, cols] = True
    return (out | _rule_pieces(mask, strict=kind == "number")) & mask


def _rule_pieces(mask: np.ndarray, strict: bool) -> np.ndarray:
    """Pieces of a rule (skewed, doubled or broken by a scan) that the box did not cut off:
    thin strokes that run from one side of the crop to the other; in number cells (`strict`)
    also flat strokes lying in the top or bottom band and upright strokes nearly as tall as
    the crop in the left or right band. A number is centred in its cell and never looks like
    these; a label's strokes may (the top stroke of 三), so labels keep them."""
    h, w = mask.shape
    band_y, band_x = max(3, 0.2 * h), max(3, 0.15 * w)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT].max()) if count > 1 else 0
    out = np.zeros_like(mask)
    for i in range(1, count):
        x, y, cw, ch = (int(v) for v in stats[i, :4])
        spans = (y <= 1 and y + ch >= h - 1 and cw <= max(3, 0.15 * h)) or \
            (x <= 1 and x + cw >= w - 1 and ch <= max(3, 0.15 * w))
        flat = cw >= 3 * ch and (y + ch <= band_y or y >= h - band_y)
        upright = ch >= 0.75 * h and ch >= 3 * cw and (x + cw <= band_x or x >= w - band_x)
        if spans or (strict and (flat or upright or _rule_step(x, y, cw, ch, h, w, tallest))):
            out |= labels == i
    return out | _dashed_rules(stats, labels)


def _one_taken_for_rule(remnants: np.ndarray, marks: np.ndarray) -> bool:
    """Whether a piece cut off as a rule is an upright stroke as high as the number beside
    it, its top and bottom level with the number's: the 1 of a left-aligned 15 printed
    against the cell's rule, in a row little higher than the digits (seed-12 bench doc 7:
    15 and 16 read as 5 and 6, surely). A rule's piece runs past the digits' top or bottom
    (`marks`: the number's components, rows of connectedComponentsWithStats)."""
    if not remnants.any() or not len(marks):
        return False
    top = int(marks[:, cv2.CC_STAT_TOP].min())
    bottom = int((marks[:, cv2.CC_STAT_TOP] + marks[:, cv2.CC_STAT_HEIGHT]).max())
    level = _ONE_LEVEL * (bottom - top)
    _, _, stats, _ = cv2.connectedComponentsWithStats(remnants.astype(np.uint8), 8)
    _, y, w, h = (stats[1:, i] for i in range(4))
    return bool(np.any((h >= 3 * w) & (np.abs(y - top) <= level)
                       & (np.abs(y + h - bottom) <= level)))


def _dashed_rules(stats: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """A rule broken into dashes and dots along the crop's top or bottom edge (a noisy scan
    whose box fell a pixel inside the rule): thin pieces within the edge rows (a quarter of
    a small crop at most), several of them or reaching across half the crop. A label's own
    flat stroke (of 一, 二, 三) is one."""
    h, w = labels.shape
    depth = min(_REMNANT_DEPTH, h // 4)
    _, y, cw, ch = (stats[1:, i] for i in range(4))
    thin = ch <= _BROKEN_RULE_THICKNESS
    out = np.zeros(labels.shape, bool)
    for edge in (y + ch <= depth, y >= h - depth):
        dashes = np.flatnonzero(thin & edge) + 1
        if len(dashes) >= _BROKEN_RULE_DASHES or cw[dashes - 1].sum() >= w / 2:
            out |= np.isin(labels, dashes)
    return out


def _rule_step(x: int, y: int, cw: int, ch: int, h: int, w: int, tallest: int) -> bool:
    """A step of a skewed rule: a sliver standing against the crop's left or right edge,
    no wider than a rule, that either runs from its top or bottom edge or is much shorter
    than the tallest mark (a digit against the edge is as tall as the others)."""
    if not (x <= 1 or x + cw >= w - 1) or cw > _RULE_STEP_WIDTH or ch < 3 * cw:
        return False
    return y <= 1 or y + ch >= h - 1 or ch < 0.6 * tallest


def _has_marks(mask: np.ndarray) -> bool:
    """Whether the mask holds anything longer than a speck of noise (a small 1, a dash)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    return _marked(stats[1:])


def _marked(stats: np.ndarray) -> bool:
    """Whether any of these components (rows of connectedComponentsWithStats) is a mark."""
    sizes = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return bool((sizes >= _MIN_MARK).any())


def _without_specks(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mask without specks of noise, with the labels and stats of the mask's components
    (those of the specks included, the background's first): the ones left are the same."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < _MIN_SPECK)
    small = small[small != 0]
    if small.size:
        mask = mask & ~np.isin(labels, small)
    return mask, labels, stats


def _minus_speck(stats: np.ndarray, inked: np.ndarray) -> int | None:
    """The label of a speck that may be a minus sign: flat, just left of the number's ink,
    across its middle. A small or faint minus breaks up into pieces too small to tell from
    noise, and a number without its sign is silently wrong. `stats`: rows of
    connectedComponentsWithStats, the background's first; `inked`: the labels of its marks."""
    areas = stats[:, cv2.CC_STAT_AREA]
    if not inked.size:
        return None
    boxes = stats[inked]
    left, top = int(boxes[:, 0].min()), int(boxes[:, 1].min())
    height = int((boxes[:, 1] + boxes[:, 3]).max()) - top
    if height < _MIN_MARK:
        return None
    x, y, w, h = (stats[:, k] for k in range(4))
    middle = (y + h / 2 - top) / height
    found = np.flatnonzero((areas < _MIN_SPECK) & (w >= 2) & (w >= 2 * h) & (x + w <= left)
                           & (left - (x + w) <= 0.5 * height)
                           & (middle >= 0.3) & (middle <= 0.75))
    found = found[found > 0]  # not the background
    return int(found[0]) if found.size else None


def _lines(mask: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of the text lines in a trimmed mask (a stacked label: one per character)."""
    inked = mask.any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    runs = [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    # Characters such as 二 and 三 have gaps between strokes. Runs all far lower than the ink
    # is wide are strokes of one character; a run much lower than the tallest joins the
    # neighbour it is closer to.
    height, width = mask.shape
    if width <= 1.3 * height and max(b - a for a, b in runs) < _MIN_LINE / 2 * width:
        return [(0, height)]
    while len(runs) > 1:
        tallest = max(b - a for a, b in runs)
        low = [i for i, (a, b) in enumerate(runs) if b - a < _MIN_LINE * tallest]
        if not low:
            break
        i = low[0]
        gap_above = runs[i][0] - runs[i - 1][1] if i > 0 else None
        gap_below = runs[i + 1][0] - runs[i][1] if i + 1 < len(runs) else None
        j = (
            i - 1
            if gap_below is None or (gap_above is not None and gap_above <= gap_below)
            else i + 1
        )
        a, b = min(runs[i][0], runs[j][0]), max(runs[i][1], runs[j][1])
        runs[min(i, j)] = [a, b]
        del runs[max(i, j)]
    return [(a, b) for a, b in runs]


def _deepened(pixels: np.ndarray) -> np.ndarray:
    """Light ink made dark, its paper kept white: a blurred low-resolution scan leaves its
    digits a light grey that the engines read as nothing."""
    darkest = int(pixels.min())
    if darkest < _LIGHT_INK:
        return pixels
    darkness = 255 - pixels.astype(np.float32)
    return (255 - np.minimum(255, darkness * 255 / (255 - darkest))).astype(np.uint8)


def _trim(pixels: np.ndarray) -> np.ndarray:
    """A line's pixels without the white columns beside its ink."""
    cols = np.flatnonzero((pixels < _LIGHT).any(axis=0))
    return pixels[:, cols[0] : cols[-1] + 1] if cols.size else pixels


def _pad(pixels: np.ndarray) -> np.ndarray:
    pad = max(2, round(_PAD * pixels.shape[0]))
    return cv2.copyMakeBorder(pixels, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def _side_by_side(lines: list[np.ndarray]) -> np.ndarray:
    """Lines joined left to right at a common height (that of the tallest)."""
    if len(lines) == 1:
        return lines[0]
    height = max(line.shape[0] for line in lines)
    placed = []
    for line in lines:
        extra = height - line.shape[0]
        placed.append(
            cv2.copyMakeBorder(
                line, extra // 2, extra - extra // 2, 0, 0, cv2.BORDER_CONSTANT, value=255
            )
        )
    return np.hstack(placed)
