"""Decisions settle a cell, are kept in the audit trail, and the rules are checked afresh."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from recover.output import read_report
from recover.review.decisions import (
    InvalidDecision,
    decide,
    next_unresolved,
    remaining,
    review_queue,
)
from recover.templates import get_template

TEMPLATE = get_template("2021")
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def test_the_queue_starts_at_the_first_flagged_cell(result_file: Path) -> None:
    report = read_report(result_file)
    assert next_unresolved(report) == "applications.granted.natural_person"
    # the broken review total's suspects are its two doubted cells, not its sure total
    assert remaining(report) == 3
    assert review_queue(report)[-1] == "reviews.review.corrected"


def test_accepting_an_inferred_value_settles_it_and_records_the_reading(
        result_file: Path) -> None:
    report = decide(read_report(result_file), TEMPLATE, "applications.granted.natural_person",
                    "accepted", None, "ann", WHEN)
    cell = report.cell("applications.granted.natural_person")
    assert (cell.value, cell.flagged, cell.source.method) == (5, False, "review")
    assert cell.reasons[-1] == "reviewed: accepted"
    assert cell.original == {"value": 8, "raw": "8", "confidence": 0.6, "method": "ocr"}
    assert report.audit == ({"cell": "applications.granted.natural_person",
                             "decision": "accepted", "original": {"raw": "8", "value": 8},
                             "before": 5, "value": 5, "time": "2024-05-01T09:30:00+00:00",
                             "reviewer": "ann"},)
    assert remaining(report) == 2


def test_a_correction_that_mends_a_rule_clears_its_flags(result_file: Path) -> None:
    report = decide(read_report(result_file), TEMPLATE, "reviews.review.corrected",
                    "corrected", "1", "ann", WHEN)
    assert report.violations == ()
    assert report.cell("reviews.review.corrected").value == 1
    assert not report.cell("reviews.review.total").flagged
    assert report.cell("reviews.review.upheld").flagged  # still low confidence
    assert remaining(report) == 2


def test_a_correction_that_breaks_a_rule_flags_the_rule_again(result_file: Path) -> None:
    report = decide(read_report(result_file), TEMPLATE, "applications.granted.natural_person",
                    "corrected", "7", "ann", WHEN)
    cell = report.cell("applications.granted.natural_person")
    assert cell.value == 7 and cell.flagged and cell.source.method == "review"
    assert {v.rule for v in report.violations} >= {"applications.outcomes"}
    assert report.cell("applications.total.natural_person").flagged


def test_unreadable_in_the_source_is_missing_and_settled(result_file: Path) -> None:
    report = decide(read_report(result_file), TEMPLATE, "reviews.review.upheld", "unreadable",
                    None, "ann", WHEN)
    cell = report.cell("reviews.review.upheld")
    assert (cell.value, cell.flagged) == (None, False)
    assert "reviewed: unreadable in the source" in cell.reasons
    assert report.violations == ()  # the rule through a missing cell cannot be checked


@pytest.mark.parametrize(("cell", "decision", "text"), [
    ("reviews.review.upheld", "corrected", "abc"), ("reviews.review.upheld", "corrected", "-1"),
    ("reviews.review.nothing", "accepted", None), ("reviews.review.upheld", "guessed", None)])
def test_bad_decisions_are_refused(result_file: Path, cell: str, decision: str,
                                   text: str | None) -> None:
    with pytest.raises(InvalidDecision):
        decide(read_report(result_file), TEMPLATE, cell, decision, text, "ann")  # type: ignore[arg-type]
