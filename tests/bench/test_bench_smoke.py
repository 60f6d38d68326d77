"""The bench's scoring on a hand-made truth and report: no engine runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
_spec = importlib.util.spec_from_file_location("bench", SCRIPT)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench"] = bench  # dataclasses look their module up while being built
_spec.loader.exec_module(bench)

TRUTH = bench.Truth(
    name="doc", document=Path("doc.png"), format="png", template="2021",
    values={"a.x.y": 3, "a.x.z": 0, "a.w.y": None, "a.w.z": 12.5, "a.v.y": 7, "a.v.z": 4})


def outcome(**overrides: tuple[float | None, bool]) -> object:
    """A report that reads every truth value right and flags nothing, except `overrides`:
    cell id (dots as underscores) -> (value, flagged)."""
    cells = []
    for cell_id, value in TRUTH.values.items():
        read, flagged = overrides.get(cell_id.replace(".", "_"), (value, False))
        cells.append(bench.CellOutcome(cell_id, read, str(read), flagged))
    return bench.DocOutcome("doc", 1.0, "2021", tuple(cells))


def test_a_perfect_report_scores_full_marks() -> None:
    score = bench.score_document(TRUTH, outcome())
    assert (score.correct, score.cells, score.silent, score.flagged) == (6, 6, (), 0)
    assert score.template_ok and score.nonzero == 4 and score.nonzero_correct == 4


def test_a_wrong_unflagged_cell_is_silent_and_a_wrong_flagged_one_is_not() -> None:
    score = bench.score_document(TRUTH, outcome(a_x_y=(8, False), a_v_y=(1, True)))
    assert [(e.cell, e.truth, e.value) for e in score.silent] == [("a.x.y", 3, 8)]
    assert score.wrong_flagged == 1
    assert score.flagged == 1
    assert score.correct == 4


def test_missing_is_not_zero_and_decimals_compare_with_a_tolerance() -> None:
    score = bench.score_document(TRUTH, outcome(a_x_z=(None, False), a_w_y=(0, False),
                                                a_w_z=(12.5000001, False)))
    assert {e.cell for e in score.silent} == {"a.x.z", "a.w.y"}
    assert score.correct == 4


def test_a_flagged_right_value_costs_flag_rate_only() -> None:
    score = bench.score_document(TRUTH, outcome(a_v_z=(4, True)))
    assert score.correct == 6 and score.flagged == 1 and score.wrong_flagged == 0


def test_a_document_that_failed_counts_every_cell_wrong_but_flagged() -> None:
    failed = bench.DocOutcome("doc", 0.5, error="no report table found")
    score = bench.score_document(TRUTH, failed)
    assert score.silent == () and score.wrong_flagged == 6 and score.correct == 0
    assert not score.template_ok


def test_flags_are_counted_by_their_reasons_with_the_wrong_ones() -> None:
    doubt = bench.general_reason("readings disagree: '8' / '3'")
    assert doubt == bench.general_reason("readings disagree: '0' / ''")
    assert bench.general_reason("low confidence: 0.42") == "low confidence: N"
    cells = (bench.CellOutcome("a.x.y", 8, "8", True, reasons=(doubt, "low confidence: N")),
             bench.CellOutcome("a.x.z", 0, "0", True, reasons=(doubt,)))
    score = bench.score_document(TRUTH, bench.DocOutcome("doc", 1.0, "2021", cells))
    # a cell missing from the output is flagged too
    assert score.flag_reasons == {doubt: [2, 1], "low confidence: N": [1, 1],
                                  "not in the output": [4, 4]}
    summary = bench.summarize("rapidocr", [score, score])
    assert summary.flag_reasons[doubt] == [4, 2]
    assert f"{4:5} / {2:<5} {doubt}" in bench.format_details(summary)


def test_summary_adds_documents_up() -> None:
    scores = [bench.score_document(TRUTH, outcome(a_x_y=(8, False))),
              bench.score_document(TRUTH, outcome())]
    summary = bench.summarize("rapidocr", scores)
    assert (summary.documents, summary.cells, summary.correct, summary.silent) == (2, 12, 11, 1)
    assert summary.median_seconds == 1.0
    assert "SILENT errors" in bench.format_table([summary])


def test_an_img2table_merged_cell_becomes_one_spanning_grid_cell() -> None:
    from collections import OrderedDict
    from types import SimpleNamespace

    def cell(x1: int, y1: int, x2: int, y2: int, text: str | None) -> SimpleNamespace:
        return SimpleNamespace(bbox=SimpleNamespace(x1=x1, y1=y1, x2=x2, y2=y2), value=text)

    header = cell(0, 0, 200, 20, "申请人情况")  # spans both value columns
    table = SimpleNamespace(
        bbox=SimpleNamespace(x1=0, y1=0, x2=200, y2=40),
        content=OrderedDict([(0, [header, header]),
                             (1, [cell(0, 20, 100, 40, "3"), cell(100, 20, 200, 40, None)])]))
    grid = bench.table_to_grid_text(table, page=1, index=0)
    assert grid.grid.col_edges == (0, 100, 200) and grid.grid.row_edges == (0, 20, 40)
    spans = sorted((c.cell.row, c.cell.col, c.cell.row_span, c.cell.col_span, c.text)
                   for c in grid.cells)
    assert spans == [(0, 0, 1, 2, "申请人情况"), (1, 0, 1, 1, "3"), (1, 1, 1, 1, "")]
