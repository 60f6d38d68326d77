"""The consistency rules: violations reported with the rule named, values never changed."""

from __future__ import annotations

from recover.assemble import assemble_report, make_cell
from recover.model import BREAKS_RULE, Source
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


def test_review_totals_and_applicant_sums() -> None:
    report = _full_report({"reviews.review.upheld": "1", "applications.granted.commercial": "4"})
    rules = {v.rule for v in report.violations}
    assert {"reviews.total", "applications.applicants", "applications.outcomes"} <= rules


def test_a_missing_cell_leaves_its_rules_unchecked() -> None:
    report = _full_report({"applications.new.natural_person": "/",
                           "applications.new.total": "5"})
    # the balance of the total column breaks; the rules through the missing cell (the
    # natural_person balance, the applicant sum of row `new`) cannot be checked
    assert {(v.rule, v.along) for v in report.violations} == {("applications.balance", "total")}
    assert report.cell("applications.new.natural_person").value is None
