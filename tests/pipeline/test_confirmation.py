"""A doubtful number read again by the other engine: when the two agree, and when not."""

from __future__ import annotations

from recover.grid import GridCell
from recover.pipeline import (
    MIN_NUMBER_CONFIDENCE,
    NOTHING_LIKE_ZERO,
    _by_the_usual_zero,
    _confirmed,
)
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


def test_two_tone_ink_is_told_from_grey_edged_ink() -> None:
    """A thresholded scan can wipe out a minus sign without a trace (seed-3 bench doc 39:
    -2 printed, 2 left on the page): positive values of signed cells read from two-tone
    ink are flagged; ink with grey edges (an ordinary scan) is not two-tone."""
    import cv2
    import numpy as np

    from recover.pipeline import _two_tone

    drawn = np.full((30, 40), 255, np.uint8)
    cv2.putText(drawn, "2", (12, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    two_tone = np.where(drawn < 128, 0, 255).astype(np.uint8)
    grey_edged = cv2.GaussianBlur(two_tone, (0, 0), 1.0)
    assert _two_tone(two_tone, (0, 0, 40, 30))
    assert not _two_tone(grey_edged, (0, 0, 40, 30))
    assert not _two_tone(two_tone, None)


def test_ink_like_the_pictures_0s_is_a_0_sure_only_when_read_as_one() -> None:
    """A 0 read unsurely whose ink is the picture's usual 0 is a sure 0, unless the second
    engine read something else; ink both engines read as nothing is a flagged 0 (seed-4
    bench doc 39: 115 zeros 6 pixels high read as nothing)."""
    sure, note = _by_the_usual_zero(_reading("0", 0.4), _reading("", 0.2))
    assert (sure.text, note) == ("0", None) and sure.confidence >= MIN_NUMBER_CONFIDENCE
    assert _by_the_usual_zero(_reading("0", 0.4), _reading("8", 0.5)) is None
    likely, note = _by_the_usual_zero(_reading("", 0.24), _reading("", 0.3))
    assert likely.text == "0" and likely.confidence == 0.24 and NOTHING_LIKE_ZERO in note
    assert ("", 0.24) in likely.alternatives
    assert _by_the_usual_zero(_reading("", 0.24), _reading("6", 0.3)) is None


def test_a_plus_sign_is_a_doubt_only_where_no_sign_belongs() -> None:
    """+ and 4 look alike in small type: a + in a count cell may be a 4. In a change cell of
    2019 (signed) a + is as printed (seed-1 bench doc 9: +5, which both engines read as 45
    while neither could read a +)."""
    import numpy as np

    from recover.pipeline import NO_SIGN_HERE, _sign_doubt

    page = np.full((30, 40), 255, np.uint8)
    assert _sign_doubt(False, "+5", 5, page, None) == f"low confidence: {NO_SIGN_HERE}"
    assert _sign_doubt(True, "+5", 5, page, None) is None
    assert _sign_doubt(False, "45", 45, page, None) is None


def test_likely_readings_with_a_digit_more_doubt_a_reading() -> None:
    """Light ink can lose a digit to both engines at once: seed-8 bench doc 33's light 32
    was read as 2 by both, surely once they agreed; its other readings held a digit more
    (22, 32, 82) at 0.37 together."""
    from dataclasses import replace

    from recover.pipeline import _lost_digit_doubt

    lost = replace(_reading("2", 0.97), alternatives=(("22", 0.16), ("32", 0.13), ("82", 0.08)))
    assert _lost_digit_doubt(lost) == "low confidence: a digit may be lost: 22?"
    unlikely = replace(lost, alternatives=(("22", 0.05), ("3", 0.3)))
    assert _lost_digit_doubt(unlikely) is None
    assert _lost_digit_doubt(_reading("12", 0.99)) is None
