"""The bench's repair counts: wrong readings the rules caught, repairs right, wrong, defects."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
_spec = importlib.util.spec_from_file_location("bench_repair", SCRIPT)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_repair"] = bench
_spec.loader.exec_module(bench)

TRUTH = bench.Truth(name="doc", document=Path("doc.png"), format="png", template="2021",
                    values={"a.x.y": 3, "a.x.z": 0, "a.w.y": 5, "a.w.z": 8})


def test_repairs_are_counted_against_the_reading_and_the_truth() -> None:
    cells = (
        bench.CellOutcome("a.x.y", 3, "3", True, original=8, repaired=True, caught=True),
        bench.CellOutcome("a.x.z", 4, "4", True, original=0, repaired=True, caught=True),
        bench.CellOutcome("a.w.y", 6, "6", True, original=6, caught=True),
        bench.CellOutcome("a.w.z", 8, "8", True, original=8, caught=True),
    )
    score = bench.score_document(TRUTH, bench.DocOutcome("doc", 1.0, "2021", cells))
    # caught: the misread 8 (repaired) and the misread 6 (breaks a rule); the 0 read right
    assert (score.caught, score.repaired_right, score.repaired_wrong,
            score.repair_defects) == (2, 1, 1, 1)
    summary = bench.summarize("rapidocr", [score])
    rows = dict(bench.summary_rows(summary))
    assert rows["repaired right"] == "1" and rows["  DEFECTS (was right)"] == "1"
