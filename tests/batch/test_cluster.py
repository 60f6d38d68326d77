"""The same batch on a Dask cluster (a local one, started by the test, loopback only):
the same results, summary and resumption as a local run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recover.cli import app

pytest.importorskip("distributed")

TEXT_DATA = Path(__file__).parents[1] / "text/data"


def extract(*args: str | Path) -> int:
    result = CliRunner().invoke(app, ["extract", *map(str, args), "--engine", "tesseract"])
    return result.exit_code


def test_a_dask_run_gives_what_a_local_run_gives_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TEXT_DATA / "layout_line_2021.txt", folder / "a.txt")
    shutil.copy(TEXT_DATA / "layout_line_2019.txt", folder / "b.txt")
    (folder / "empty.txt").write_bytes(b"")

    assert extract(folder, "--out", tmp_path / "local", "-j", "1") == 13
    assert extract(folder, "--out", tmp_path / "dask", "--cluster", "local", "-j", "2") == 13
    for name in ("a.json", "b.json"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    summary = json.loads((tmp_path / "dask/summary.json").read_text())
    assert summary["runner"] == "dask local"
    assert summary["counts"] == {"files": 3, "ok": 2, "reused": 0, "failed": 1, "pending": 0,
                                 "flagged_cells": 0}

    extract(folder, "--out", tmp_path / "dask", "--cluster", "local", "-j", "2")
    summary = json.loads((tmp_path / "dask/summary.json").read_text())
    assert summary["counts"]["reused"] == 2
