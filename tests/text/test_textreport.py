"""The text path: the five seeds and generated reports in the three layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recover.encoding import repair_mojibake
from recover.errors import NoTablesFound
from recover.rules import check_report_cells
from recover.textreport import extract_tables

DATA = Path(__file__).parent / "data"
SEED_TEMPLATES = {"000": "2021", "001": "2021", "002": "2021", "003": "2019"}


def _seed(prefix: str) -> Path:
    return next(DATA.glob(f"{prefix}_*.txt"))


def _seed_text(prefix: str) -> str:
    """The seed as the loader gives it: broken encodings repaired (seed 002)."""
    return repair_mojibake(_seed(prefix).read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", sorted(SEED_TEMPLATES))
def test_seed_gives_template_and_every_printed_value(prefix: str) -> None:
    template, found = extract_tables(_seed_text(prefix), prefix)
    assert template.id == SEED_TEMPLATES[prefix]
    assert set(found.cells) == set(template.cell_ids())
    assert not [c.id for c in found.cells.values() if c.flagged]
    nonzero = {c.id: c.value for c in found.cells.values() if c.value != 0}
    if prefix == "003":  # the only non-zero values printed in the seeds
        assert nonzero == {f"active.normative_documents.{c}": 1
                           for c in ("new_made", "new_published", "total_published")}
    else:
        assert nonzero == {}


def test_seed_003_stray_sixteenth_review_column_is_dropped_by_its_header() -> None:
    template, found = extract_tables(_seed_text("003"), "003")
    reviews = [cid for cid in template.cell_ids() if cid.startswith("reviews.")]
    assert all(found.cells[cid].value == 0 and not found.cells[cid].flagged for cid in reviews)


def test_seed_004_whose_tables_were_an_image_has_no_tables() -> None:
    with pytest.raises(NoTablesFound, match="no tables found in text"):
        extract_tables(_seed_text("004"), "004")


LAYOUT_REPORTS = sorted(DATA.glob("layout_*.txt"))


@pytest.mark.parametrize("path", LAYOUT_REPORTS, ids=[p.stem for p in LAYOUT_REPORTS])
def test_generated_layouts_give_every_value(path: Path) -> None:
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    template, found = extract_tables(path.read_text(encoding="utf-8"), path.name)
    assert template.id == truth["template"]
    assert {cid: c.value for cid, c in found.cells.items()} == truth["values"]
    assert any(v not in (0, None) for v in truth["values"].values())


@pytest.mark.parametrize("path", [p for p in LAYOUT_REPORTS if "breaks_rule" in p.name],
                         ids=lambda p: p.stem)
def test_report_breaking_a_rule_keeps_printed_values_and_reports_it(path: Path) -> None:
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    template, found = extract_tables(path.read_text(encoding="utf-8"), path.name)
    cells = list(found.cells.values())
    violations = check_report_cells(template, cells)
    assert {v.rule for v in violations} == {"applications.balance", "applications.applicants"}
    assert found.cells["applications.new.natural_person"].value == \
        truth["values"]["applications.new.natural_person"]


def test_a_row_whose_blank_cell_collapsed_is_flagged_not_guessed() -> None:
    text = (DATA / "layout_pipe_2021_breaks_rule.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("2.重复申请"))
    cells = lines[k].split(" | ")
    lines[k] = " | ".join(cells[:3] + cells[4:])  # one of its seven values lost
    template, found = extract_tables("\n".join(lines), "collapsed")
    row = [found.cells[f"applications.not_processed_duplicate.{c.id}"]
           for c in template.tables["applications"].columns]
    assert all(c.flagged and c.value is None for c in row)
    assert all(c.reasons[0].startswith("cannot place: row has 6 values for 7") for c in row)
    assert any("not_processed_duplicate" in note for note in found.notes)
    neighbour = found.cells["applications.not_processed_publication.total"]
    assert not neighbour.flagged
