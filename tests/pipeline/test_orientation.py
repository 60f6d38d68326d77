"""Which way up a page is: a few of its widest cells are read, and only read turned (half
turn, quarter turns) when they do not already read as the templates' labels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from recover.cleanup import clean_page
from recover.grid import find_grids
from recover.load import load_document
from recover.ocr import get_engine
from recover.ocr.base import CropKind, Reading
from recover.pipeline import (
    ENOUGH_LABELS,
    UPRIGHT_SAMPLE,
    _known_labels,
    _turns_by_text,
    read_page_grids,
)
from recover.review.crop import cleaned_page


class CountingEngine:
    """The real RapidOCR engine, counting the crops it is asked to read."""

    name = "rapidocr"

    def __init__(self) -> None:
        self.engine = get_engine("rapidocr")
        self.crops = 0

    def read(self, crops: list[np.ndarray], kind: CropKind) -> list[Reading]:
        self.crops += len(crops)
        return self.engine.read(crops, kind)


@pytest.fixture(scope="module")
def page_image(make_document):
    """Table 二 alone on a page: its layout once made the page look upside down."""
    path, _ = make_document("orientation-2021-docx", 111, "2021", "docx", {"dpi": 150})
    return next(p for p in load_document(path).pages if p.image is not None)


def test_an_upright_page_is_read_once(page_image):
    page = page_image
    engine = CountingEngine()
    found = read_page_grids(page, engine)
    cells = sum(len(g.cells) for g in found.grids)
    assert found.turns == 0
    assert _known_labels(found) >= ENOUGH_LABELS
    # the sample is read as it stands only, and its crops are not read again
    assert engine.crops <= cells + UPRIGHT_SAMPLE


def test_an_upside_down_page_is_turned_and_the_reviewer_sees_it_so(page_image, tmp_path):
    page = page_image
    turned = tmp_path / "turned.png"
    image = cv2.rotate(page.image, cv2.ROTATE_180)
    cv2.imwrite(str(turned), image)
    doc = load_document(turned)
    found = read_page_grids(doc.pages[0], get_engine("rapidocr"))
    assert found.turns == 2
    assert _known_labels(found) >= ENOUGH_LABELS
    # recover review cuts cells from the page as the pipeline saw it
    seen = cleaned_page(str(turned), doc.sha256, 1, turns=2)
    assert seen is not None and np.array_equal(seen, found.image)


@pytest.mark.parametrize(("rotation", "turns"), [(cv2.ROTATE_90_CLOCKWISE, 3),
                                                 (cv2.ROTATE_90_COUNTERCLOCKWISE, 1)])
def test_a_page_left_on_its_side_is_stood_up_by_its_text(page_image, rotation, turns):
    """Seed-2 bench doc 28: the clean-up's guess from rules and glyph shapes left a 100 DPI
    page of table 三 on its side; its labels, read turned, tell which way it goes."""
    sideways = cv2.rotate(clean_page(page_image.image, turn=0).image, rotation)
    grids = find_grids(sideways)
    assert _turns_by_text(sideways, grids, get_engine("rapidocr")) == turns
