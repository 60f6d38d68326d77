"""Export: the tables laid out like the template, read back from CSV and XLSX, with flagged,
inferred and reviewed cells marked."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from recover.assemble import assemble_report, make_cell
from recover.cli import app
from recover.model import Alternative, Report, Source
from recover.output import write_report
from recover.review.decisions import decide
from recover.templates import get_template

TEMPLATE = get_template("2021")


@pytest.fixture
def result(tmp_path: Path) -> Path:
    texts = {"applications.new.natural_person": "5", "applications.new.total": "5",
             "applications.granted.natural_person": "8", "applications.granted.total": "5",
             "applications.total.natural_person": "5", "applications.total.total": "5",
             "reviews.review.upheld": "2", "active.fees.amount": "12.5",
             "active.licensing.decisions": "/"}
    found = {cid: make_cell(TEMPLATE, cid, texts.get(cid, "0"),
                            0.5 if cid == "applications.granted.natural_person" else 0.99,
                            Source("ocr", 1, (0, 0, 5, 5)), 0.9,
                            [Alternative("5", 0.3)] if cid.endswith("granted.natural_person")
                            else ())
             for cid in TEMPLATE.cell_ids()}
    report: Report = assemble_report(TEMPLATE, found, "ocr", {})
    report = decide(report, TEMPLATE, "reviews.review.total", "corrected", "2", "ann")
    path = tmp_path / "r.json"
    write_report(report, path)
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_tables_read_back_with_marks(result: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    run = CliRunner().invoke(app, ["export", str(result), "--format", "csv", "--out", str(out)])
    assert run.exit_code == 0, run.output
    applications = _rows(out / "r.applications.csv")
    assert applications[0] == ["", "自然人", "商业企业", "科研机构", "社会公益组织",
                               "法律服务机构", "其他", "总计"]
    assert len(applications) == 1 + 25
    by_label = {row[0]: row[1:] for row in applications}
    assert by_label["一、本年新收政府信息公开申请数量"][0] == "5"
    assert by_label["（一）予以公开"][0] == "5 [inferred, flagged]"
    reviews = _rows(out / "r.reviews.csv")
    assert reviews[1][5] == "2 [reviewed]" and reviews[1][1] == "2"
    active = {row[0]: row[1:] for row in _rows(out / "r.active.csv")}
    assert active["行政事业性收费"][-1] == "12.5"
    assert active["行政许可"][0] == ""  # a missing value stays blank
    flags = _rows(out / "r.flags.csv")
    assert flags[0][0] == "cell"
    inferred = next(r for r in flags if r[0] == "applications.granted.natural_person")
    assert inferred[5] == "inferred, flagged" and inferred[7] == "8"


def test_xlsx_sheets_read_back_with_fills_and_comments(result: Path, tmp_path: Path) -> None:
    out = tmp_path / "xlsx"
    run = CliRunner().invoke(app, ["export", str(result), "--format", "xlsx", "--out", str(out)])
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(out / "r.xlsx")
    assert book.sheetnames == [TEMPLATE.tables[t].title for t in
                               ("active", "applications", "reviews")] + ["flags"]
    sheet = book[TEMPLATE.tables["applications"].title]
    assert sheet.cell(2, 2).value == 5 and sheet.cell(2, 1).value.startswith("一、")
    inferred = sheet.cell(4, 2)  # 予以公开, 自然人
    assert inferred.value == 5
    assert inferred.fill.start_color.rgb.endswith("FFE1A8")
    assert "inferred from rule" in inferred.comment.text and "'8'" in inferred.comment.text
    reviewed = book[TEMPLATE.tables["reviews"].title].cell(2, 6)
    assert reviewed.value == 2 and reviewed.fill.start_color.rgb.endswith("CDECCD")
    assert "reviewed: corrected" in reviewed.comment.text
    active = {row[0]: row[1:] for row in
              book[TEMPLATE.tables["active"].title].iter_rows(values_only=True)}
    assert active["行政事业性收费"][-1] == 12.5
    assert active["行政许可"][:3] == (None, None, None)  # no such cells in this row


def test_an_unknown_format_is_refused(result: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["export", str(result), "--format", "ods"])
    assert run.exit_code == 2
