"""`recover extract` over many files: folders and globs, a summary, resumption, and one
file's crash, hang or memory blow-up never touching the others."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recover.batch import local_runner, run_batch
from recover.cli import app
from recover.progress import PlainDisplay
from recover.sandbox import FAULT_ENV, SandboxSettings

TEXT_DATA = Path(__file__).parents[1] / "text/data"
REPORTS = [TEXT_DATA / "layout_line_2021.txt", TEXT_DATA / "layout_line_2019.txt",
           TEXT_DATA / "000_18c42a2fed3e449a.txt"]


def extract(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["extract", *map(str, args), "--engine", "tesseract"])
    return result.exit_code, result.stdout, result.stderr


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def by_name(out: Path) -> dict[str, dict]:
    return {Path(f["input"]).name: f for f in summary(out)["files"]}


def digest(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(REPORTS[0], folder / "a.txt")
    shutil.copy(REPORTS[1], folder / "sub" / "b.txt")
    (folder / "notes.json").write_text("{}")  # not a report type: a folder walk skips it
    return folder


def test_a_folder_is_read_recursively_and_a_second_run_skips_what_is_done(
        reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = digest(reports)
    code, stdout, _ = extract(reports, "--out", out, "-j", "2")
    assert code == 0, stdout
    assert {p.name for p in out.iterdir()} == {"a.json", "b.json", "summary.json"}
    first = summary(out)
    assert first["counts"] == {"files": 2, "ok": 2, "reused": 0, "failed": 0, "pending": 0,
                               "flagged_cells": 0}
    assert first["finished"] and first["tool"]["version"]
    assert all(f["sha256"] and f["seconds"] is not None for f in first["files"])
    assert digest(reports) == before  # inputs are never modified

    mtime = (out / "a.json").stat().st_mtime_ns
    code, stdout, _ = extract(reports, "--out", out)
    assert code == 0 and "2 already done" in stdout
    assert (out / "a.json").stat().st_mtime_ns == mtime

    with (reports / "sub" / "b.txt").open("a", encoding="utf-8") as changed:
        changed.write("\n附：本报告已更正。\n")
    extract(reports, "--out", out)
    files = by_name(out)
    assert files["a.txt"]["reused"] and not files["b.txt"]["reused"]

    extract(reports, "--out", out, "--force")
    assert summary(out)["counts"]["reused"] == 0


def test_globs_and_missing_paths(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = extract(f"{reports}/**/*.txt", tmp_path / "nowhere.pdf", "--out", out)
    assert code == 11
    assert stderr.strip().splitlines() == [
        f"recover: {tmp_path / 'nowhere.pdf'}: no such file or folder (check the path)"]
    assert summary(out)["counts"]["ok"] == 2


def test_inputs_with_the_same_name_get_their_own_results(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        shutil.copy(REPORTS[0], tmp_path / folder / "report.txt")
    code, _, _ = extract(tmp_path / "x", tmp_path / "y", "--out", tmp_path / "out")
    assert code == 0
    outputs = {f["output"] for f in summary(tmp_path / "out")["files"]}
    assert len(outputs) == 2 and str(tmp_path / "out" / "report.json") in outputs


def test_a_crash_a_hang_and_a_memory_blowup_fail_only_their_own_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for name in ("fine", "crashme", "hangme", "oomme"):
        shutil.copy(REPORTS[0], folder / f"{name}.txt")
    monkeypatch.setenv(FAULT_ENV, "crash:crashme,hang:hangme,oom:oomme")
    code, _, stderr = extract(folder, "--out", out, "-j", "2", "--timeout", "4",
                              "--max-memory", "400")
    files = by_name(out)
    assert files["fine.txt"]["status"] == "ok"
    assert {n: f["error"]["class"] for n, f in files.items() if f["error"]} == {
        "crashme.txt": "WorkerCrashed", "hangme.txt": "FileTimedOut", "oomme.txt": "OutOfMemory"}
    assert code == 32  # the highest exit code of the files
    assert len(stderr.strip().splitlines()) == 3
    assert sorted(p.name for p in out.iterdir()) == ["fine.json", "summary.json"]


class _Stop(Exception):
    pass


def test_a_run_stopped_half_way_finishes_the_rest_when_started_again(reports: Path,
                                                                      tmp_path: Path) -> None:
    shutil.copy(REPORTS[2], reports / "c.txt")
    out = tmp_path / "out"
    settings = SandboxSettings({"engine": "tesseract"}, timeout=60)

    def stops_after_one(paths: list[Path], s: SandboxSettings) -> Iterator[tuple[Path, dict]]:
        for done, item in enumerate(local_runner(1)(paths, s)):
            if done == 1:
                raise _Stop
            yield item

    with pytest.raises(_Stop):
        run_batch([reports], out, settings, stops_after_one, PlainDisplay())
    stopped = summary(out)
    assert not stopped["finished"] and stopped["counts"]["pending"] == 2

    result = run_batch([reports], out, settings, local_runner(2), PlainDisplay())
    assert result.counts["ok"] == 3 and result.counts["reused"] == 1
    assert summary(out)["finished"]
