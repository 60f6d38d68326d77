"""A doubtful number read again by the other engine: when the two agree, and when not."""

from __future__ import annotations

from recover.grid import GridCell
from recover.pipeline import MIN_NUMBER_CONFIDENCE, _confirmed
from recover.read import CellReading
from recover.templates import get_template

TEMPLATE = get_template("2021")
CELL = "applications.new.research"


def _reading(text: str, confidence: float) -> CellReading:
    cell = GridCell(0, 0, 1, 1, (0, 0, 40, 30))
    return CellReading(cell, text, confidence, (), "number", False, (10, 8, 20, 22))


def test_two_engines_each_more_sure_than_not_agreeing_make_a_sure_reading() -> None:
    kept, disagreement = _confirmed(TEMPLATE, CELL, _reading("0", 0.65), _reading("0", 0.66))
    assert disagreement is None
    assert kept.text == "0" and kept.confidence >= MIN_NUMBER_CONFIDENCE


def test_an_agreement_with_an_engine_that_barely_saw_it_stays_doubtful() -> None:
    # seed-1 bench doc 9: 5 read as 45 by both, one of them at 0.01
    kept, disagreement = _confirmed(TEMPLATE, CELL, _reading("45", 0.01), _reading("45", 0.78))
    assert disagreement is None
    assert kept.confidence < MIN_NUMBER_CONFIDENCE


def test_a_disagreement_keeps_the_surer_reading_and_offers_the_other() -> None:
    kept, disagreement = _confirmed(TEMPLATE, CELL, _reading("8", 0.6), _reading("3", 0.7))
    assert disagreement is not None
    assert kept.text == "3" and ("8", 0.6) in kept.alternatives
