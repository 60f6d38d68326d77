"""The report model: every template cell, the contract's fields, a lossless round trip."""

from __future__ import annotations

import json

import pytest

from recover.assemble import assemble_report, make_cell
from recover.model import NOT_FOUND, Alternative, Report, Source
from recover.output import read_report, validate_result, write_report
from recover.templates import all_templates, get_template
from recover.values import parse_value


def test_both_templates_have_the_spec_cell_counts() -> None:
    counts = {tid: len(t.cell_ids()) for tid, t in all_templates().items()}
    # 2021: 10 + 25x7 + 15; 2019: 22 + 23x7 + 15
    assert counts == {"2021": 200, "2019": 198}
    assert "applications.other_no_fee.total" in get_template("2021").cell_ids()
    assert "active.procurement.amount" in get_template("2019").cell_ids()
    assert get_template("2019").value_type("active.licensing.change") == "signed_count"


@pytest.mark.parametrize(("text", "kind", "value", "missing"), [
    ("0", "count", 0, False), ("1,234", "count", 1234, False), ("10件", "count", 10, False),
    ("80618元", "decimal", 80618, False), ("12.48", "decimal", 12.48, False),
    ("-3", "signed_count", -3, False), ("/", "count", None, True), ("—", "count", None, True),
    ("无", "count", None, True), ("", "count", None, True), ("-", "signed_count", None, True),
])
def test_values_and_missing_markers(text: str, kind: str, value: object, missing: bool) -> None:
    parsed = parse_value(text, kind)  # type: ignore[arg-type]
    assert (parsed.value, parsed.missing, parsed.problem) == (value, missing, None)


@pytest.mark.parametrize(("text", "kind"), [("-3", "count"), ("1.5", "count"), ("abc", "count")])
def test_values_of_the_wrong_type_are_problems(text: str, kind: str) -> None:
    assert parse_value(text, kind).problem  # type: ignore[arg-type]


def _report() -> Report:
    template = get_template("2021")
    source = Source("ocr", 2, (412, 880, 498, 921))
    found = {
        "applications.new.natural_person": make_cell(
            template, "applications.new.natural_person", "3", 0.97, source,
            alternatives=[Alternative("8", 0.02)]),
        "active.fees.amount": make_cell(template, "active.fees.amount", "12.5万元", 0.99, source),
    }
    return assemble_report(template, found, "ocr", {"name": "x.png"}, ["a note"])


def test_missing_cells_are_flagged_not_found_and_rules_are_checked() -> None:
    report = _report()
    assert len(report.cells) == 200
    assert report.cell("reviews.review.total").reasons == (NOT_FOUND,)
    assert report.cell("active.fees.amount").value == 12.5
    assert report.cell("active.fees.amount").unit == "万元"
    assert not report.cell("applications.new.natural_person").flagged  # its rules lack cells


def test_round_trip_is_lossless_and_follows_the_schema(tmp_path) -> None:
    report = _report()
    path = tmp_path / "x.json"
    write_report(report, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    validate_result(data)
    assert data["cells"][0].keys() >= {"id", "value", "raw", "confidence", "flagged",
                                       "reasons", "source"}
    again = read_report(path)
    assert again == report


def test_thousands_separator_before_a_unit() -> None:
    assert parse_value("1,109件", "count").value == 1109
    assert parse_value("461,900元", "decimal").value == 461900
