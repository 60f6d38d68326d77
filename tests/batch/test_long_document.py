"""A 300-page PDF is read page by page: the worker's peak memory is about that of a 3-page
one with the same table picture."""

from __future__ import annotations

import json
from pathlib import Path

from fpdf import FPDF
from typer.testing import CliRunner

from recover.cli import app

SCAN_PNG = Path(__file__).parents[2] / "samples/report-2021-scan.png"
PROSE = ("The agency kept its register of published information up to date and answered "
         "every request within the time the regulations allow. ") * 2


def long_pdf(path: Path, pages: int) -> Path:
    """Prose pages with a text layer, and the table as a picture on the last page."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=9)
    for number in range(pages - 1):
        pdf.add_page()
        pdf.multi_cell(0, 5, f"Page {number + 1}. {PROSE}")
    pdf.add_page()
    pdf.image(str(SCAN_PNG), x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def peak_rss_mb(path: Path, out: Path) -> float:
    result = CliRunner().invoke(app, ["extract", str(path), "--out", str(out), "-j", "1",
                                      "--engine", "tesseract"])
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads((out / "summary.json").read_text())["files"]
    assert entry["template"] == "2021"
    return entry["peak_rss_mb"]


def test_a_300_page_pdf_takes_about_the_memory_of_a_3_page_one(tmp_path: Path) -> None:
    short = peak_rss_mb(long_pdf(tmp_path / "short.pdf", 3), tmp_path / "out-short")
    long = peak_rss_mb(long_pdf(tmp_path / "long.pdf", 300), tmp_path / "out-long")
    assert long < short + 100, (short, long)
