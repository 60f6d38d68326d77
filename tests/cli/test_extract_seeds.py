"""The five seed reports through `recover extract`, as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from recover.cli import app
from recover.output import validate_result

SEEDS = Path(__file__).parents[1] / "text" / "data"


def test_all_five_seeds(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for seed in SEEDS.glob("00*.txt"):
        shutil.copy(seed, inputs / seed.name)
    result = CliRunner().invoke(app, ["extract", str(inputs), "--out", str(tmp_path / "out"),
                                      "--jobs", "1"])
    assert result.exit_code == 20  # seed 004: its tables were an image
    assert "004_28e6444e86b60723.txt: no tables found in text" in result.output
    templates = {}
    for path in sorted((tmp_path / "out").glob("00*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        validate_result(data, path)
        templates[path.name[:3]] = data["template"]
        assert all(c["source"]["method"] == "text" and not c["flagged"] for c in data["cells"])
        expected_ones = 3 if path.name.startswith("003") else 0
        assert sum(c["value"] == 1 for c in data["cells"]) == expected_ones
        assert all(c["value"] in (0, 1) for c in data["cells"])
    assert templates == {"000": "2021", "001": "2021", "002": "2021", "003": "2019"}
    assert not (tmp_path / "out" / "004_28e6444e86b60723.json").exists()
