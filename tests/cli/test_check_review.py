"""`recover check` after review: exit 1 while a rule is broken, 2 while cells are still to
review, 0 once every flagged cell is settled and the rules hold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from recover.assemble import assemble_report, make_cell
from recover.cli import app
from recover.model import Source
from recover.output import read_report, write_report
from recover.review.decisions import decide
from recover.templates import get_template

TEMPLATE = get_template("2021")


def _result(tmp_path: Path) -> Path:
    texts = {"reviews.review.upheld": "2", "reviews.review.corrected": "9",
             "reviews.review.total": "3"}
    low = ("reviews.review.upheld", "reviews.review.corrected")
    found = {cid: make_cell(TEMPLATE, cid, texts.get(cid, "0"), 0.5 if cid in low else 0.99,
                            Source("ocr", 1, (0, 0, 5, 5)), 0.9)
             for cid in TEMPLATE.cell_ids()}
    path = tmp_path / "r.json"
    write_report(assemble_report(TEMPLATE, found, "ocr", {}), path)
    return path


def _decide(path: Path, cell: str, decision: str, value: str | None = None) -> None:
    write_report(decide(read_report(path), TEMPLATE, cell, decision, value, "ann"), path)  # type: ignore[arg-type]


def test_check_follows_the_review_to_clean(tmp_path: Path) -> None:
    path = _result(tmp_path)
    run = CliRunner().invoke(app, ["check", str(path)])
    assert run.exit_code == 1 and "breaks reviews.total along review" in run.output

    _decide(path, "reviews.review.corrected", "corrected", "1")
    run = CliRunner().invoke(app, ["check", str(path)])
    assert run.exit_code == 2
    assert "reviews.review.upheld flagged" in run.output
    assert "0 rule violations, 1 flagged cells, 1 reviewed" in run.output

    _decide(path, "reviews.review.upheld", "accepted")
    run = CliRunner().invoke(app, ["check", str(path)])
    assert run.exit_code == 0, run.output


def test_a_broken_rule_accepted_as_printed_still_fails_the_check(tmp_path: Path) -> None:
    path = _result(tmp_path)
    for cell in ("reviews.review.upheld", "reviews.review.corrected"):
        _decide(path, cell, "accepted")
    run = CliRunner().invoke(app, ["check", str(path)])
    # the printed values stay, and so does the violation (its other cells still flagged)
    assert run.exit_code == 1 and "1 rule violations, 3 flagged cells, 2 reviewed" in run.output


def test_a_hand_edit_that_mends_a_rule_clears_its_stale_flags(tmp_path: Path) -> None:
    path = _result(tmp_path)
    report = read_report(path)
    edited = [replace(c, value=1, reasons=(), flagged=False)
              if c.id == "reviews.review.corrected" else c for c in report.cells]
    write_report(report.replace_cells(edited), path)  # still carries the old rule flags
    run = CliRunner().invoke(app, ["check", str(path)])
    assert run.exit_code == 2 and "0 rule violations, 1 flagged cells" in run.output
