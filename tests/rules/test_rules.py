"""The consistency rules: violations reported with the rule named, values never changed."""

from __future__ import annotations

from recover.assemble import assemble_report, make_cell
from recover.model import BREAKS_RULE, Report, Source
from recover.rules import recheck_report
from recover.templates import get_template


def _full_report(overrides: dict[str, str]):
    template = get_template("2021")
    found = {cid: make_cell(template, cid, overrides.get(cid, "0"), 1.0, Source("text"))
             for cid in template.cell_ids()}
    return assemble_report(template, found, "text", {})


def test_all_zero_report_is_clean() -> None:
    report = _full_report({})
    assert report.violations == () and report.flagged == []


def test_a_broken_balance_is_reported_and_its_cells_flagged_but_kept() -> None:
    report = _full_report({"applications.new.natural_person": "2",
                           "applications.new.total": "2"})
    rules = {(v.rule, v.along) for v in report.violations}
    assert rules == {("applications.balance", "natural_person"),
                     ("applications.balance", "total")}
    cell = report.cell("applications.new.natural_person")
    assert cell.value == 2 and cell.flagged
    assert f"{BREAKS_RULE}: applications.balance (natural_person)" in cell.reasons
    assert report.cell("applications.carried_forward.natural_person").flagged


def test_one_wrong_value_is_the_only_suspect_of_the_sums_it_breaks() -> None:
    report = _full_report({"applications.granted.commercial": "4"})
    rules = {(v.rule, v.along) for v in report.violations}
    assert rules == {("applications.applicants", "granted"),
                     ("applications.outcomes", "commercial")}
    assert [c.id for c in report.flagged] == ["applications.granted.commercial"]
    assert set(report.cell("applications.granted.commercial").reasons) == {
        f"{BREAKS_RULE}: applications.applicants (granted)",
        f"{BREAKS_RULE}: applications.outcomes (commercial)"}
    # the violations still name every cell of their sums
    assert "applications.granted.total" in report.violations[0].cells + report.violations[1].cells


def test_a_lone_broken_sum_flags_all_its_cells() -> None:
    report = _full_report({"reviews.review.upheld": "1"})
    assert [v.rule for v in report.violations] == ["reviews.total"]
    assert {c.id for c in report.flagged} == set(report.violations[0].cells)


def test_a_broken_sum_with_a_doubted_cell_lays_the_break_at_its_door() -> None:
    """A misread digit breaks its sums: the cell doubted for its reading is the suspect,
    and the sure readings beside it are not flagged for the break (seed-4 bench doc 1: 60
    right cells flagged so). The violation still names every cell."""
    template = get_template("2021")
    found = {cid: make_cell(template, cid, "0", 0.99, Source("ocr")) for cid in template.cell_ids()}
    doubted = "applications.granted.commercial"
    found[doubted] = make_cell(template, doubted, "4", 0.5, Source("ocr"), 0.9)
    found["reviews.review.upheld"] = make_cell(template, "reviews.review.upheld", "1", 0.99,
                                               Source("ocr"))
    # checked as read: the repair would settle the doubted cell from its sums
    report = recheck_report(Report(template.id, tuple(found.values()), (), {}, ()), template)
    assert {v.rule for v in report.violations} == {
        "applications.applicants", "applications.outcomes", "reviews.total"}
    cell = report.cell(doubted)
    assert cell.flagged and f"{BREAKS_RULE}: applications.outcomes (commercial)" in cell.reasons
    flagged = {c.id for c in report.flagged}
    # the sure sum of 四 has no doubted cell: all its cells are suspects
    review = next(v for v in report.violations if v.rule == "reviews.total")
    assert flagged == {doubted, *review.cells}
    outcomes = next(v for v in report.violations if v.rule == "applications.outcomes")
    assert "applications.total.commercial" in outcomes.cells


def test_review_totals_and_applicant_sums() -> None:
    report = _full_report({"reviews.review.upheld": "1", "applications.granted.commercial": "4"})
    rules = {v.rule for v in report.violations}
    assert {"reviews.total", "applications.applicants", "applications.outcomes"} <= rules
    # no one cell explains sums in two tables: every cell of every broken sum is suspect
    assert {c.id for c in report.flagged} == {cid for v in report.violations for cid in v.cells}


def test_a_missing_cell_leaves_its_rules_unchecked() -> None:
    report = _full_report({"applications.new.natural_person": "/",
                           "applications.new.total": "5"})
    # the balance of the total column breaks; the rules through the missing cell (the
    # natural_person balance, the applicant sum of row `new`) cannot be checked
    assert {(v.rule, v.along) for v in report.violations} == {("applications.balance", "total")}
    assert report.cell("applications.new.natural_person").value is None
