"""A small result under review: a 2021 report read by OCR from a tiny picture, with one cell
repaired from an alternative reading and two doubtful cells in a broken rule."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from recover.assemble import assemble_report, make_cell
from recover.load import load_document
from recover.model import Alternative, Report, Source
from recover.output import write_report
from recover.templates import get_template

TEMPLATE = get_template("2021")
BBOX = (40, 30, 120, 80)
TEXTS = {
    "applications.new.natural_person": "5", "applications.new.total": "5",
    "applications.granted.natural_person": "8", "applications.granted.total": "5",
    "applications.total.natural_person": "5", "applications.total.total": "5",
    "reviews.review.upheld": "2", "reviews.review.corrected": "9", "reviews.review.total": "3",
}
DOUBTFUL = {"applications.granted.natural_person": 0.6, "reviews.review.upheld": 0.5,
            "reviews.review.corrected": 0.5}
ALTERNATIVES = {"applications.granted.natural_person": [Alternative("5", 0.3)]}


def _picture(path: Path) -> None:
    image = np.full((120, 200, 3), 255, np.uint8)
    cv2.rectangle(image, BBOX[:2], BBOX[2:], (0, 0, 0), 2)
    cv2.putText(image, "8", (68, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    cv2.imwrite(str(path), image)


def make_result(folder: Path, name: str = "report") -> Path:
    picture = folder / f"{name}.png"
    _picture(picture)
    found = {cid: make_cell(TEMPLATE, cid, TEXTS.get(cid, "0"), DOUBTFUL.get(cid, 0.99),
                            Source("ocr", 1, BBOX), 0.9, ALTERNATIVES.get(cid, ()))
             for cid in TEMPLATE.cell_ids()}
    info = {"path": str(picture), "name": picture.name, "kind": "image",
            "sha256": load_document(picture).sha256, "pages": 1}
    report: Report = assemble_report(TEMPLATE, found, "ocr", info)
    result = folder / f"{name}.json"
    write_report(report, result)
    return result


@pytest.fixture
def result_file(tmp_path: Path) -> Path:
    return make_result(tmp_path)
