"""Repair with the rules: doubtful cells the rules settle are inferred and stay flagged;
confident readings and cells the rules cannot settle are left as read."""

from __future__ import annotations

from recover.assemble import assemble_report, make_cell
from recover.model import BREAKS_RULE, INFERRED, NOT_FOUND, Alternative, Report, Source
from recover.repair import repair
from recover.templates import get_template

TEMPLATE = get_template("2021")
MIN_CONFIDENCE = 0.9


def _report(texts: dict[str, str], confidences: dict[str, float] | None = None,
            alternatives: dict[str, list[Alternative]] | None = None,
            unreadable: tuple[str, ...] = ()) -> Report:
    """A consistent all-zero 2021 report read by OCR, with the given cells overridden."""
    confidences = confidences or {}
    alternatives = alternatives or {}
    found = {}
    for cid in TEMPLATE.cell_ids():
        if cid in unreadable:
            continue
        source = Source("ocr", 1, (0, 0, 10, 10))
        found[cid] = make_cell(TEMPLATE, cid, texts.get(cid, "0"), confidences.get(cid, 0.99),
                               source, MIN_CONFIDENCE, alternatives.get(cid, ()))
    return assemble_report(TEMPLATE, found, "ocr", {})


# A consistent picture of one column and one row: 5 new natural-person applications, all
# granted.
CONSISTENT = {
    "applications.new.natural_person": "5", "applications.new.total": "5",
    "applications.granted.natural_person": "5", "applications.granted.total": "5",
    "applications.total.natural_person": "5", "applications.total.total": "5",
}


def test_a_misread_digit_is_set_right_from_the_engines_alternative() -> None:
    texts = {**CONSISTENT, "applications.granted.natural_person": "8"}  # 5 read as 8
    report = _report(texts, {"applications.granted.natural_person": 0.6},
                     {"applications.granted.natural_person": [Alternative("5", 0.3)]})
    cell = report.cell("applications.granted.natural_person")
    assert (cell.value, cell.raw, cell.source.method) == (5, "5", "inferred")
    assert cell.original == {"value": 8, "raw": "8", "confidence": 0.6, "method": "ocr"}
    assert cell.flagged
    inferred = [r for r in cell.reasons if r.startswith(INFERRED)]
    assert inferred == [f"{INFERRED}: applications.outcomes (natural_person), "
                        "applications.applicants (granted)"]
    assert report.violations == ()
    assert not report.cell("applications.granted.total").flagged


def test_an_unreadable_cell_is_filled_when_the_rules_determine_it() -> None:
    report = _report(CONSISTENT, unreadable=("applications.total.total",))
    cell = report.cell("applications.total.total")
    assert (cell.value, cell.source.method, cell.flagged) == (5, "inferred", True)
    assert cell.original == {"value": None, "raw": None, "confidence": 0.0, "method": "ocr"}
    assert NOT_FOUND in cell.reasons
    assert report.violations == ()


def test_a_confident_reading_that_breaks_a_rule_is_kept_with_its_violation() -> None:
    texts = {**CONSISTENT, "applications.granted.natural_person": "8"}
    report = _report(texts, alternatives={
        "applications.granted.natural_person": [Alternative("5", 0.3)]})
    cell = report.cell("applications.granted.natural_person")
    assert (cell.value, cell.source.method, cell.original) == (8, "ocr", None)
    assert any(r.startswith(BREAKS_RULE) for r in cell.reasons)
    assert {v.rule for v in report.violations} == {"applications.outcomes",
                                                   "applications.applicants"}


def test_doubtful_cells_sharing_a_rule_are_settled_together_by_the_one_fit() -> None:
    """Of 2 (no alternative) and 9 (or 1), only 2 + 1 makes the total 3: the 9 becomes 1,
    inferred; the 2, which fits, stays as read. (Seed-2 bench doc 10: zeros read as 1 by
    one engine and as nothing-or-0 by the other, two to a row, none settled alone.)"""
    texts = {"reviews.review.upheld": "2", "reviews.review.corrected": "9",
             "reviews.review.total": "3"}
    doubtful = {"reviews.review.upheld": 0.5, "reviews.review.corrected": 0.5}
    report = _report(texts, doubtful, {"reviews.review.corrected": [Alternative("1", 0.4)]})
    corrected = report.cell("reviews.review.corrected")
    assert (corrected.value, corrected.source.method, corrected.flagged) == (1, "inferred", True)
    upheld = report.cell("reviews.review.upheld")
    assert (upheld.value, upheld.source.method, upheld.flagged) == (2, "ocr", True)
    assert report.violations == ()


def test_doubtful_cells_sharing_a_rule_that_fit_two_ways_are_left_alone() -> None:
    texts = {"reviews.review.upheld": "2", "reviews.review.corrected": "9",
             "reviews.review.total": "3"}
    doubtful = {"reviews.review.upheld": 0.5, "reviews.review.corrected": 0.5}
    report = _report(texts, doubtful, {"reviews.review.upheld": [Alternative("1", 0.4)],
                                       "reviews.review.corrected": [Alternative("1", 0.4),
                                                                    Alternative("2", 0.3)]})
    for cid in doubtful:
        cell = report.cell(cid)
        assert cell.source.method == "ocr" and cell.original is None and cell.flagged
    assert [v.rule for v in report.violations] == ["reviews.total"]


def test_a_repaired_cell_settles_the_next_rule() -> None:
    # granted.total is unreadable, so granted.natural_person (misread) shares row and
    # column rules with it; its column rule alone settles it, then the row settles the total.
    texts = {**CONSISTENT, "applications.granted.natural_person": "3"}
    report = _report(texts, {"applications.granted.natural_person": 0.5},
                     unreadable=("applications.granted.total",))
    assert report.cell("applications.granted.natural_person").value == 5
    assert report.cell("applications.granted.total").value == 5
    assert report.violations == ()


def test_rules_that_disagree_settle_nothing() -> None:
    # The row says 5, the column says 7: a confident cell is wrong somewhere; keep the reading.
    texts = {**CONSISTENT, "applications.new.natural_person": "7",
             "applications.total.natural_person": "7", "applications.granted.natural_person": "2"}
    report = _report(texts, {"applications.granted.natural_person": 0.5})
    cell = report.cell("applications.granted.natural_person")
    assert (cell.value, cell.source.method) == (2, "ocr")


def test_repair_is_stable_when_run_again() -> None:
    report = _report(CONSISTENT, unreadable=("applications.total.total",))
    assert repair(report, TEMPLATE) == report


def test_a_blank_the_sums_need_nothing_from_stays_missing() -> None:
    # A blank is missing, not 0: when the rules say 0 both fit, so the blank is kept.
    report = _report({"applications.carried_over.commercial": ""},
                     {"applications.carried_over.commercial": 0.3},
                     unreadable=("applications.granted.research",))
    for cid in ("applications.carried_over.commercial", "applications.granted.research"):
        cell = report.cell(cid)
        assert (cell.value, cell.source.method) == (None, "ocr")


def test_a_faint_digit_read_as_blank_is_filled_when_the_sums_need_it() -> None:
    report = _report({**CONSISTENT, "applications.granted.natural_person": ""},
                     {"applications.granted.natural_person": 0.3})
    cell = report.cell("applications.granted.natural_person")
    assert (cell.value, cell.source.method) == (5, "inferred")


def test_a_dash_read_as_a_mark_the_sums_need_nothing_from_stays_missing() -> None:
    # A printed "-" (missing) read as "." is not a number; the sums would take 0 there,
    # but missing fits as well, so the cell keeps its reading (flagged) and is not set to 0.
    report = _report({"applications.partially_granted.commercial": "."},
                     {"applications.partially_granted.commercial": 0.35})
    cell = report.cell("applications.partially_granted.commercial")
    assert (cell.value, cell.source.method, cell.flagged) == (None, "ocr", True)


def test_a_doubtful_reading_the_sums_confirm_is_no_longer_flagged() -> None:
    """One misread digit breaks a sum: a doubtful 5 whose every rule holds with surely read
    cells is a 5 (seeds 1-7: 78 such readings flagged, every one right)."""
    cid = "applications.granted.natural_person"
    report = _report(CONSISTENT, {cid: 0.6})
    cell = report.cell(cid)
    assert (cell.value, cell.source.method, cell.flagged, cell.reasons) == (5, "ocr", False, ())
    assert cell.confirmed == {"by": ["applications.outcomes (natural_person)",
                                     "applications.applicants (granted)"],
                              "doubts": ["low confidence: 0.60"]}
    assert cell.to_dict()["confirmed"] == cell.confirmed
    assert report.violations == ()


def test_a_doubtful_reading_is_confirmed_only_by_sums_of_surely_read_cells() -> None:
    first, second = "applications.granted.natural_person", "applications.total.natural_person"
    report = _report(CONSISTENT, {first: 0.6, second: 0.6})
    # the column's sum holds only with the other doubtful reading; the row's holds alone
    assert report.cell(first).confirmed == {"by": ["applications.applicants (granted)"],
                                            "doubts": ["low confidence: 0.60"]}


def test_a_doubtful_0_is_not_confirmed_by_the_sums() -> None:
    """A sum cannot tell 0 from a blank ("—"), which is missing, not 0."""
    cid = "applications.denied_state_secret.natural_person"
    cell = _report({}, {cid: 0.6}).cell(cid)
    assert cell.value == 0 and cell.flagged and cell.confirmed is None


def test_a_doubtful_reading_a_sum_breaks_is_not_confirmed() -> None:
    cid = "applications.granted.natural_person"
    texts = {**CONSISTENT, "applications.granted.total": "6", "applications.total.total": "6",
             "applications.new.total": "6", "applications.new.commercial": "1",
             "applications.total.commercial": "1"}  # the row of granted sums to 5, not 6
    cell = _report(texts, {cid: 0.6}).cell(cid)
    assert cell.flagged and cell.confirmed is None


def test_a_doubt_about_where_a_value_belongs_is_not_lifted_by_the_sums() -> None:
    cid = "applications.granted.natural_person"
    report = _report(CONSISTENT)
    cells = [c.flag("cannot place: its row label reads as another row") if c.id == cid else c
             for c in report.cells]
    cell = repair(report.replace_cells(cells), TEMPLATE).cell(cid)
    assert cell.flagged and cell.confirmed is None
