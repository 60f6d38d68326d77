"""Which way up a page is: a few of its widest cells are read, and only read both ways up
when they do not already read as the templates' labels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from recover.load import load_document
from recover.ocr import get_engine
from recover.ocr.base import CropKind, Reading
from recover.pipeline import ENOUGH_LABELS, UPRIGHT_SAMPLE, _known_labels, read_page_grids
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
    assert not found.half_turned
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
    assert found.half_turned
    assert _known_labels(found) >= ENOUGH_LABELS
    # recover review cuts cells from the page as the pipeline saw it
    seen = cleaned_page(str(turned), doc.sha256, 1, half_turned=True)
    assert seen is not None and np.array_equal(seen, found.image)
