"""One report, end to end: load -> pages -> (text tables | grids -> cells read -> mapped)
-> checked -> flagged -> a `Report`.

Text-layer tables are read as text; pictures and scanned pages go through the image path.
A report can mix both: a cell the text path found is kept, the images fill the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from recover.assemble import assemble_report, make_cell
from recover.cleanup import CleanedPage, clean_page, looks_upside_down, turned
from recover.errors import DamagedInput, NoTablesFound, RecoverError, WrongTemplate
from recover.grid import GRID_TRIES, BBox, Grid, GridTry, find_grids
from recover.load import Document, Page, load_document
from recover.mapping import (
    GridText,
    TemplateMatch,
    TextCell,
    detect_template,
    known_labels,
    map_grids,
)
from recover.model import DISAGREE, LOW_CONFIDENCE, Alternative, Cell, Report, Source
from recover.normalize import normalize_label
from recover.ocr import OcrEngine, forget_readings, get_engine
from recover.pdftext import pdf_text
from recover.read import (
    CellReading,
    PageCells,
    like_the_zeros,
    read_cells,
    read_labels,
    read_pages,
    text_height,
)
from recover.templates import Template, all_templates
from recover.textreport import TableText, extract_tables
from recover.values import parse_value

# Below these a reading is flagged for a person (see recover/read.py for how they were set).
MIN_NUMBER_CONFIDENCE = 0.90
# Two independent engines that read the same number, each fairly sure, are as good as one
# sure reading. On the 80 generated documents of scripts/bench.py (seeds 1 and 2), of 4,307
# agreements on cells sent to the second engine with nothing doubtful in their ink, 1 was
# wrong, with RapidOCR at 0.01 (earlier, with tesseract 5.3 as an executable: 2 of 4,700,
# each with one engine below 0.05); this bar passes ~200 more right ones, no wrong one.
AGREED = 0.4
# A positive value in a signed column read from two-tone ink may have lost its minus sign:
# ink pixels darker than the paper level, of which fewer than the share are lighter than
# the black level.
SIGN_LOST = "two-tone scan: a minus sign may be lost"
NO_SIGN_HERE = "a + where no sign belongs: a 4?"
TWO_TONE_PAPER, TWO_TONE_BLACK, TWO_TONE_SHARE = 230, 60, 0.25
NOTHING_LIKE_ZERO = "read as nothing, its ink is like the picture's 0s"
# Alternatives with more digits than the reading, this likely together, doubt it. On bench
# seeds 1-8 this alone flags 2 readings, both wrong and sure before (27 read as 2, 32 as 2,
# by both engines); every other reading it doubts was flagged already.
LOST_DIGIT = 0.2
SMALL_TEXT = 14  # pixels of ink height (with its margin) below which a number is small
ENOUGH_LABELS = 3  # template labels that show a page is the right way up
UPRIGHT_SAMPLE = 8  # cells of a page read every way up to tell which way is up
TURN_EVIDENCE = 2  # a turn must read more than this many times the labels read upright
HEADING_CELLS = 2  # cells with text a row of a section heading has, at most
HEADING_CHARS = 10  # characters of a table's heading a row must read, in a run
_HAN = re.compile(r"[\u4e00-\u9fff]")
_REPORT_TITLE = "政府信息公开"


@dataclass(frozen=True)
class Options:
    engine: str = "rapidocr"
    template: str | None = None
    password: str | None = None
    dpi: int = 200
    max_pixels: int = 80_000_000


@dataclass(frozen=True)
class PageGrids:
    """A cleaned page image and the grids found on it, with their first reading."""

    page: int
    image: np.ndarray
    grids: tuple[GridText, ...]
    turns: int = 0  # clockwise quarter turns after clean_page(turn=0): the text's way up
    slot: int = 0  # this image's place among the document's images (grids refer to it)
    picture: int = 0  # this image's place among the pictures of its page, from 0


def _input_info(doc: Document, options: Options, images: ImageTables | None = None) -> dict:
    """What a person (or `recover review`) needs to find a cell's pixels again: the file,
    its hash, the resolution scanned pages were rendered at, and the [page, picture, turns]
    of images the image path turned by clockwise quarter turns after clean-up (bboxes are in
    the turned image's pixels)."""
    turned_pages = [[p.page, p.picture, p.turns] for p in images.pages if p.turns] if images else []
    return {"path": str(doc.path), "name": doc.path.name, "kind": doc.kind,
            "sha256": doc.sha256, "pages": len(doc.pages), "dpi": options.dpi,
            "turned_pages": turned_pages}


def _document_text(doc: Document, options: Options) -> str:
    if doc.kind == "pdf":
        try:
            return "\n".join(pdf_text(doc.path, options.password))
        except DamagedInput:
            pass  # pdfium opened it, so its plainer text of each page will do
    return "\n".join(p.text for p in doc.pages if p.text)


@cache
def _table_titles() -> tuple[str, ...]:
    return tuple({table.title for t in all_templates().values() for table in t.tables.values()})


def _no_table(path: Path, text: str, problem: str) -> RecoverError:
    """Why no table was found, as precisely as the text tells: not Chinese, or a report of
    this kind whose tables are in neither template (reports before 2019 had free-form ones)."""
    han = len(_HAN.findall(text))
    letters = sum(c.isalpha() for c in text)
    if letters >= 100 and han < 0.05 * letters:
        return NoTablesFound(path, f"{problem}; its text is not Chinese")
    norm = normalize_label(text)
    if sum(normalize_label(title) in norm for title in _table_titles()) >= 2:
        # the headings of the template's sections are there but not its tables: pictures
        # (a report of the years before 2019 shares at most the heading of 二)
        return NoTablesFound(path, f"{problem}; the section headings are there, so the "
                                   "tables may be pictures: run recover on the original "
                                   "PDF, DOCX or image")
    if _REPORT_TITLE in norm:
        return WrongTemplate(path, "a 政府信息公开 report, but its tables follow neither the "
                                   "2019 nor the 2021 template")
    return NoTablesFound(path, problem)


def _text_tables(text: str, doc: Document, options: Options
                 ) -> tuple[Template, TableText] | None:
    if not text.strip():
        return None
    try:
        return extract_tables(text, doc.path, options.template)
    except NoTablesFound:
        return None


def _read_grids(cleaned: CleanedPage, grids: Sequence[Grid], page: Page, slot: int,
                picture: int, engine: OcrEngine, turns: int) -> PageGrids | None:
    if not grids:
        return None
    cells = [c for g in grids for c in g.cells]
    readings = read_cells(cleaned.image, cells, ["label"] * len(cells), engine)
    texts, k = [], 0
    for grid in grids:
        n = len(grid.cells)
        cell_texts = tuple(TextCell(r.cell, r.text, r.confidence) for r in readings[k:k + n])
        parts = _at_headings(grid, cell_texts) if grid.inferred else [(grid, cell_texts)]
        texts += [GridText(slot, len(texts) + i, g, c) for i, (g, c) in enumerate(parts)]
        k += n
    return PageGrids(page.number, cleaned.image, tuple(texts), turns, slot, picture)


def _at_headings(grid: Grid, cells: Sequence[TextCell]
                 ) -> list[tuple[Grid, tuple[TextCell, ...]]]:
    """A grid inferred from the text's alignment, cut into tables at the rows that read as
    the heading of a section of the report (三、收到和处理政府信息公开申请情况), which are
    left out. With its rules gone, nothing else parts two tables that the text runs on
    between: a heading's one line and the usual gap of a row make no break in it."""
    rows: dict[int, list[TextCell]] = {}
    for cell in cells:
        rows.setdefault(cell.cell.row, []).append(cell)
    headings = [r for r, row in sorted(rows.items())
                if len(row) <= HEADING_CELLS and _is_heading("".join(c.text for c in row))]
    if not headings:
        return [(grid, tuple(cells))]
    parts = []
    for first, end in zip([0, *(h + 1 for h in headings)], [*headings, grid.n_rows],
                          strict=True):
        kept = [c for r in range(first, end) for c in rows.get(r, [])]
        if end - first >= 2 and kept:
            parts.append(_rows_of(grid, kept, first, end))
    return parts


def _rows_of(grid: Grid, cells: Sequence[TextCell], first: int, end: int
             ) -> tuple[Grid, tuple[TextCell, ...]]:
    """The rows first..end (exclusive) of an inferred grid (its cells span one row each)
    as a grid of their own, with their cells."""
    moved = tuple(replace(c, cell=replace(c.cell, row=c.cell.row - first)) for c in cells)
    edges = grid.row_edges[first:end + 1]
    x0, _, x1, _ = grid.bbox
    part = Grid((x0, edges[0], x1, edges[-1]), grid.col_edges, edges,
                tuple(c.cell for c in moved), inferred=True)
    return part, moved


def _is_heading(text: str) -> bool:
    """Whether a row's text is the heading of one of the templates' tables: a long enough
    piece of one, its section number aside (OCR cuts a heading's end, or reads it wrong)."""
    norm = normalize_label(text)
    return len(norm) >= HEADING_CHARS and any(
        _common_run(norm, normalize_label(title)) >= HEADING_CHARS for title in _table_titles())


def _common_run(a: str, b: str) -> int:
    """The length of the longest run of characters in both a and b."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


def _known_labels(page: PageGrids | None) -> int:
    return known_labels([c.text for g in page.grids for c in g.cells]) if page else 0


def _turns_by_text(image: np.ndarray, grids: Sequence[Grid], engine: OcrEngine) -> int | None:
    """How many clockwise quarter turns stand a page's text upright, from a few of its cells.

    The widest are read as they stand (labels, mostly; the full read reuses their crops);
    when they read as the templates' labels, that settles it. Otherwise the widest and the
    tallest (the labels of a page on its side) are read every way up, and a turn must read
    clearly more labels than the same cells as they stand (upright vertical text reads
    well turned, too). None when nothing tells.
    """
    cells = [c for g in grids for c in g.cells]
    wide = sorted(cells, key=lambda c: c.bbox[0] - c.bbox[2])[:UPRIGHT_SAMPLE]
    texts = read_labels(image, wide, engine)
    if known_labels(texts) >= ENOUGH_LABELS:
        return 0
    rest = [c for c in cells if c not in wide]
    tall = sorted(rest, key=lambda c: c.bbox[1] - c.bbox[3])[:UPRIGHT_SAMPLE]
    known = {0: known_labels(texts + read_labels(image, tall, engine))}
    for turns in (1, 2, 3):
        known[turns] = known_labels(read_labels(image, wide + tall, engine, turns))
    best = max((1, 2, 3), key=lambda t: known[t])
    if known[best] >= ENOUGH_LABELS and known[best] > TURN_EVIDENCE * known[0]:
        return best
    return 0 if known[0] else None


def read_page_grids(page: Page, engine: OcrEngine, slot: int = 0, picture: int = 0,
                    how: GridTry = "ruled", cleaned: CleanedPage | None = None
                    ) -> PageGrids | None:
    """Clean a page image (unless `cleaned` is it already), find its grids and read every
    cell once as a label.

    The clean-up stands the page upright from its rules and ink; the text of a few of its
    cells, read every way up, then decides which way up it is. Where those show no label of
    the templates, the layout decides between upright and upside down, and when the cells
    then hold few labels the other way is read too and the better kept.
    """
    assert page.image is not None
    if cleaned is None:
        cleaned = clean_page(page.image, turn=0)
    grids = find_grids(cleaned.grid_image, how)
    if not grids:
        return None
    turns = _turns_by_text(cleaned.image, grids, engine)
    sure = turns is not None
    if turns is None:
        turns = 2 if looks_upside_down(cleaned.gray) else 0

    def way_up(turns: int) -> tuple[CleanedPage, list[Grid]]:
        if not turns:
            return cleaned, grids
        turned_page = turned(cleaned, turns)
        return turned_page, find_grids(turned_page.grid_image, how)

    found = _read_grids(*way_up(turns), page, slot, picture, engine, turns)
    if sure or _known_labels(found) >= ENOUGH_LABELS:
        return found
    other = _read_grids(*way_up(2 - turns), page, slot, picture, engine, 2 - turns)
    return other if _known_labels(other) > _known_labels(found) else found


def _renumber(pages: Sequence[PageGrids]) -> list[GridText]:
    """Grids numbered through the document, so a table may run over pages."""
    out, n = [], 0
    for page in pages:
        for grid in page.grids:
            out.append(GridText(grid.page, n, grid.grid, grid.cells))
            n += 1
    return out


def _pages_with_several_pictures(pages: Sequence[PageGrids]) -> set[int]:
    numbers = [p.page for p in pages]
    return {p.page for p in pages if p.picture > 0 or numbers.count(p.page) > 1}


def _small(reading: CellReading) -> bool:
    """Text so small that one engine's confident reading still needs the other's word."""
    box = reading.ink_bbox
    return box is not None and box[3] - box[1] < SMALL_TEXT


def _two_tone(image: np.ndarray, box: BBox | None) -> bool:
    """Whether a number's ink is two-tone (a thresholded scan): nearly no grey between the
    black of its strokes and the paper. Thresholding after blur wipes out a minus sign, the
    thinnest stroke of a number, without a trace."""
    if box is None:
        return False
    x0, y0, x1, y1 = box
    patch = image[y0:y1, x0:x1]
    grey = patch if patch.ndim == 2 else cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    inked = grey < TWO_TONE_PAPER
    if not inked.any():
        return False
    middle = inked & (grey >= TWO_TONE_BLACK)
    return float(middle.sum()) / float(inked.sum()) < TWO_TONE_SHARE


def _sign_doubt(signed: bool, text: str, value: float | None, image: np.ndarray,
                box: BBox | None) -> str | None:
    """The doubt a number's sign leaves: a positive change on a two-tone scan may have lost
    its minus sign; a + in a cell that takes no sign may be a 4 (+ and 4 look alike in
    small type)."""
    if signed and (value or 0) > 0 and _two_tone(image, box):
        return f"{LOW_CONFIDENCE}: {SIGN_LOST}"
    if not signed and text.startswith("+"):
        return f"{LOW_CONFIDENCE}: {NO_SIGN_HERE}"
    return None


def _lost_digit_doubt(reading: CellReading) -> str | None:
    """The doubt a reading leaves when its alternatives with more digits are likely
    together: light or broken ink can lose a digit to both engines at once (a light 32 read
    as 2 by both, surely once they agreed)."""
    digits = _digit_count(reading.text)
    longer = [(text, p) for text, p in reading.alternatives if _digit_count(text) > digits]
    if sum(p for _, p in longer) < LOST_DIGIT:
        return None
    return f"{LOW_CONFIDENCE}: a digit may be lost: {max(longer, key=lambda a: a[1])[0]}?"


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _second_engine(engine: OcrEngine) -> OcrEngine:
    """The other engine: an independent second opinion on doubtful numbers."""
    return get_engine("tesseract" if engine.name == "rapidocr" else "rapidocr")


def _confirmed(template: Template, cell_id: str, first: CellReading,
               second: CellReading | None) -> tuple[CellReading, str | None]:
    """The reading to keep, with its confidence raised when an independent engine read the
    same value, or a reason to flag it when the engines disagree."""
    if second is None:
        return first, None
    kind = template.value_type(cell_id)
    value = parse_value(first.text, kind)
    if value == parse_value(second.text, kind) and not value.problem:
        confidence = 1 - (1 - first.confidence) * (1 - second.confidence)
        if min(first.confidence, second.confidence) >= AGREED:
            confidence = max(confidence, MIN_NUMBER_CONFIDENCE)
        return replace(first, confidence=confidence), None
    # Flagged either way; the value shown is the surer engine's, the other an alternative.
    better, other = (second, first) if second.confidence > first.confidence else (first, second)
    alternatives = (*first.alternatives, (other.text, other.confidence))
    kept = replace(first, text=better.text, confidence=better.confidence,
                   alternatives=alternatives)
    return kept, f"{DISAGREE}: {first.text!r} / {second.text!r}"


def _by_the_usual_zero(reading: CellReading, again: CellReading | None
                       ) -> tuple[CellReading, str | None] | None:
    """What the picture's usual 0 says of a reading whose ink is like it (`like_the_zeros`),
    with the reason to flag it, if any; None when it says nothing.

    A 0 doubted, or read unsurely or as nothing by the second engine, is a 0 (another
    reading of the second engine still stands against it). Ink that both engines read as
    nothing is likely a 0 (type too small for them): 0, still flagged."""
    if reading.text == "0" and (again is None or again.text in ("", "0")):
        return replace(reading, confidence=max(reading.confidence, MIN_NUMBER_CONFIDENCE)), None
    if reading.text == "" and (again is None or again.text == ""):
        alternatives = (("", reading.confidence), *reading.alternatives)
        return (replace(reading, text="0", alternatives=alternatives),
                f"{LOW_CONFIDENCE}: {NOTHING_LIKE_ZERO}")
    return None


def _number_cells(template: Template, match: TemplateMatch, pages: Sequence[PageGrids],
                  engine: OcrEngine) -> dict[str, Cell]:
    """Read every placed cell as a number; cells the engine is unsure of are read again by
    the other engine, all pages in one batch."""
    placed = [[p for p in match.placed.values() if p.page == page.slot] for page in pages]
    batches = [PageCells(page.image, [p.source.cell for p in on_page], ["number"] * len(on_page))
               for page, on_page in zip(pages, placed, strict=True)]
    several = _pages_with_several_pictures(pages)
    firsts = read_pages(batches, engine)
    doubtful = [[i for i, r in enumerate(readings)
                 if not r.blank and (r.confidence < MIN_NUMBER_CONFIDENCE or r.doubt
                                     or _small(r))]
                for readings in firsts]
    # the doubtful cells of a page are shown to the second engine at the page's text size
    heights = [text_height([r.ink_height for r in readings]) for readings in firsts]
    again = read_pages([PageCells(b.image, [b.cells[i] for i in d], ["number"] * len(d), h)
                        for b, d, h in zip(batches, doubtful, heights, strict=True)],
                       _second_engine(engine))
    cells: dict[str, Cell] = {}
    for page, on_page, readings, d, seconds in zip(pages, placed, firsts, doubtful, again,
                                                   strict=True):
        second = dict(zip(d, seconds, strict=True))
        usual = like_the_zeros(readings)
        for i, (p, first) in enumerate(zip(on_page, readings, strict=True)):
            again_read = second.get(i)
            reading, disagreement = _confirmed(template, p.cell_id, first, again_read)
            zero = _by_the_usual_zero(reading, again_read) if usual[i] else None
            usual_zero = zero is not None and zero[1] is None
            if zero is not None:
                reading, disagreement = zero
            source = Source("ocr", page.page, tuple(int(v) for v in p.source.cell.bbox),
                            page.picture if page.page in several else None)
            alternatives = [Alternative(t, c) for t, c in reading.alternatives]
            cell = make_cell(template, p.cell_id, reading.text, reading.confidence, source,
                             MIN_NUMBER_CONFIDENCE, alternatives)
            # the second reading's own doubt too: its 0 may be told by shape, not read
            # (recover.read.BARS_DOUBT), and then is no second opinion
            why = first.doubt or (again_read.doubt if again_read else None)
            doubt = f"{LOW_CONFIDENCE}: {why}" if why and not usual_zero else None
            if doubt is None:
                doubt = _sign_doubt(template.value_type(p.cell_id) == "signed_count",
                                    reading.text, cell.value, page.image, first.ink_bbox)
            if doubt is None and not usual_zero:
                doubt = _lost_digit_doubt(reading)
            for note in (disagreement, doubt, *p.notes):
                if note:
                    cell = cell.flag(note)
            cells[p.cell_id] = cell
    return cells


@dataclass(frozen=True)
class ImageTables:
    template: Template
    cells: dict[str, Cell]
    notes: tuple[str, ...]
    pages: tuple[PageGrids, ...]  # what the table finder saw, for `recover debug`
    match: TemplateMatch


def _page_grids(doc: Document, engine: OcrEngine, how: GridTry,
                cleaned: dict[int, CleanedPage]) -> list[PageGrids]:
    """The grids of every picture of a document, their cells read once as labels.
    `cleaned` holds the pictures already cleaned (by their slot), for the next try."""
    pages = []
    pictures: dict[int, int] = {}  # page number -> pictures seen on it so far
    for slot, page in enumerate(p for p in doc.pages if p.image is not None):
        picture = pictures.get(page.number, 0)
        pictures[page.number] = picture + 1
        if slot not in cleaned:
            assert page.image is not None
            cleaned[slot] = clean_page(page.image, turn=0)
        found = read_page_grids(page, engine, slot, picture, how, cleaned[slot])
        if found is not None:
            pages.append(found)
    return pages


def image_tables(doc: Document, options: Options) -> ImageTables:
    forget_readings()  # a report reads the same whichever reports the process read before
    engine = get_engine(options.engine)
    seen: list[PageGrids] = []
    cleaned: dict[int, CleanedPage] = {}  # each picture is cleaned once for every try
    for how in GRID_TRIES:
        # the second try takes faint marks for ink too (light grey rules lost beside text),
        # the third rules seen along their length too (light grey rules a grainy scan broke
        # into specks), the last the text's alignment alone (rules too light to find)
        pages = _page_grids(doc, engine, how, cleaned)
        match = map_grids(_renumber(pages), options.template)
        # a table's light grey rules lost beside dense text while the others' were found,
        # or lost in a grainy scan's specks: a try that finds more of the template is kept
        for better in ("faint", "smoothed") if how == "ruled" else ():
            if match is None or not _tables_missing(match):
                break
            better_pages = _page_grids(doc, engine, better, cleaned)
            grids = _renumber(better_pages)
            # the template's own labels, when this try reads them, outweigh the first
            # try's guess from how its tables filled each template
            told = detect_template(grids) if match.guessed else None
            found = map_grids(grids, (told or match.template).id)
            if found is not None and _found(found) > _found(match):
                pages, match = better_pages, found
        if match is not None:
            break
        if sum(len(p.grids) for p in pages) > sum(len(p.grids) for p in seen):
            seen = pages
    else:
        error = NoTablesFound(doc.path, "no report table found in the images")
        error.seen = tuple(seen)  # the try that found the most grids
        raise error
    cells = _number_cells(match.template, match, pages, engine)
    return ImageTables(match.template, cells, match.notes, tuple(pages), match)


def _tables_missing(match: TemplateMatch) -> bool:
    """Whether a table of the template was found in none of the grids, or only by its
    shape (its labels unread)."""
    return any(t not in match.tables or t in match.by_shape for t in match.template.tables)


def _found(match: TemplateMatch) -> tuple[int, int, int]:
    """How much of the template a match holds: its tables found by their labels, its cells
    placed by their own labels, then its tables found by their shape."""
    by_label = len(match.tables) - len(match.by_shape)
    return by_label, match.placed_by_label, len(match.by_shape)


@dataclass(frozen=True)
class Trace:
    """A report and, when images were read, what the image path saw."""

    report: Report
    images: ImageTables | None


def trace_report(path: Path, options: Options = Options()) -> Trace:
    """The report model of one input file. Raises a `RecoverError` for bad input."""
    doc = load_document(path, password=options.password, max_pixels=options.max_pixels,
                        dpi=options.dpi)
    full_text = _document_text(doc, options)
    text = _text_tables(full_text, doc, options)
    cells: dict[str, Cell] = {}
    notes: list[str] = []
    template = None
    images = None
    if text is not None:
        template, found = text
        cells.update(found.cells)
        notes += found.notes
        if len(cells) == len(template.cell_ids()):
            info = _input_info(doc, options)
            return Trace(assemble_report(template, cells, "text", info, notes), None)
    if any(p.image is not None for p in doc.pages):
        forced = template.id if template else options.template
        try:
            images = image_tables(doc, replace(options, template=forced))
        except NoTablesFound as error:
            if template is None:
                found = _no_table(path, full_text, error.problem)
                found.seen = error.seen
                raise found from None
        else:
            template = images.template
            cells = {**images.cells, **cells}
            notes += images.notes
    if template is None:
        where = "in text or images" if any(p.image is not None for p in doc.pages) else "in text"
        raise _no_table(path, full_text, f"no tables found {where}")
    method = "ocr" if images else "text"
    info = _input_info(doc, options, images)
    return Trace(assemble_report(template, cells, method, info, notes), images)


def extract_report(path: Path, options: Options = Options()) -> Report:
    """The report model of one input file. Raises a `RecoverError` for bad input."""
    return trace_report(path, options).report
