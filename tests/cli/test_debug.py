"""`recover debug`: what the table finder saw, drawn, also when no report table was found."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from typer.testing import CliRunner

from recover.cli import app


def test_debug_draws_the_grids_found_even_when_none_is_a_report_table(tmp_path: Path) -> None:
    picture = np.full((400, 600, 3), 255, np.uint8)
    for x in range(50, 551, 100):
        cv2.line(picture, (x, 50), (x, 350), (0, 0, 0), 2)
    for y in range(50, 351, 60):
        cv2.line(picture, (50, y), (550, y), (0, 0, 0), 2)
    cv2.putText(picture, "12", (80, 90), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    path = tmp_path / "grid.png"
    cv2.imwrite(str(path), picture)
    out = tmp_path / "debug"
    run = CliRunner().invoke(app, ["debug", str(path), "--out", str(out)])
    assert run.exit_code == 20
    assert "no report table found" in run.output
    drawn = cv2.imread(str(out / "grid.page1.png"))
    assert drawn is not None and drawn.shape == picture.shape
    assert not (drawn == picture).all()  # the grid is drawn on it
    assert not (out / "grid.json").exists()  # no result for a file that has none
