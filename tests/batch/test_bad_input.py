"""Bad input through the command line: each file gives one line naming it and what to do,
the exit code of its kind (README), and no result file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recover.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from bad_inputs import BAD_INPUTS, write_bad_inputs  # noqa: E402


def extract(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["extract", *map(str, args), "--engine", "tesseract"])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, int, str]:
    root = tmp_path_factory.mktemp("bad")
    made = write_bad_inputs(root / "in")
    code, _, stderr = extract(root / "in", "--out", root / "out", "-j", "2")
    return root, made, code, stderr


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_each_bad_file_fails_with_its_code_and_one_line(name: str, bad_batch: tuple) -> None:
    root, made, _, stderr = bad_batch
    path = root / "in" / name
    entry = next(f for f in json.loads((root / "out/summary.json").read_text())["files"]
                 if f["input"] == str(path))
    assert entry["status"] == "failed"
    assert entry["error"]["exit_code"] == made[path], entry["error"]
    lines = [line for line in stderr.splitlines() if line.startswith(f"recover: {path}: ")]
    assert len(lines) == 1
    assert lines[0].endswith(")"), "the line says what to do, in brackets"
    assert not (root / "out" / f"{path.stem}.json").exists()


def test_the_batch_exits_with_the_highest_code(bad_batch: tuple) -> None:
    _, made, code, stderr = bad_batch
    assert code == max(made.values())
    assert len(stderr.strip().splitlines()) == len(made)


def test_encrypted_pdf_asks_for_the_password_and_opens_with_it(tmp_path: Path) -> None:
    path = tmp_path / "encrypted.pdf"
    path.write_bytes(BAD_INPUTS["encrypted.pdf"][0]())
    code, _, stderr = extract(path, "--out", tmp_path / "out", "-j", "1")
    assert code == 15 and "--password" in stderr
    code, _, stderr = extract(path, "--out", tmp_path / "out", "--password", "wrong")
    assert code == 15 and "password is wrong" in stderr
    code, _, stderr = extract(path, "--out", tmp_path / "out", "--password", "secret")
    assert code == 20, stderr  # opened: its pages hold prose, no report table
