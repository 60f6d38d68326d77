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
