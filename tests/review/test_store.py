"""One writer per result file, atomic saves, and no save over a change made by another."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from recover.errors import ResultChanged, ResultLocked
from recover.output import read_report
from recover.review.decisions import decide
from recover.review.store import ResultFile, acquire_lock, lock_path, release_lock
from recover.templates import get_template

from .conftest import make_result


def test_a_second_writer_is_refused_until_the_first_lets_go(result_file: Path) -> None:
    acquire_lock(result_file)
    try:
        assert lock_path(result_file).read_text().startswith(f"{os.getpid()}@")
        with pytest.raises(ResultLocked):
            acquire_lock(result_file)
    finally:
        release_lock(result_file)
    assert not lock_path(result_file).exists()
    acquire_lock(result_file)
    release_lock(result_file)


def test_a_lock_left_by_a_dead_process_is_taken_over(result_file: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    lock_path(result_file).write_text(f"{dead}@{socket.gethostname()}\n")
    acquire_lock(result_file)
    assert lock_path(result_file).read_text().startswith(f"{os.getpid()}@")
    release_lock(result_file)


def test_two_files_are_locked_apart(tmp_path: Path) -> None:
    first, second = make_result(tmp_path, "a"), make_result(tmp_path, "b")
    acquire_lock(first)
    acquire_lock(second)
    release_lock(first)
    release_lock(second)


def test_a_save_over_a_change_on_disk_is_refused(result_file: Path) -> None:
    held = ResultFile(result_file)
    data = json.loads(result_file.read_text())
    data["notes"] = ["edited by hand"]
    result_file.write_text(json.dumps(data, ensure_ascii=False))
    report = decide(held.report, get_template("2021"), "reviews.review.upheld", "accepted",
                    None, "ann")
    with pytest.raises(ResultChanged):
        held.save(report)
    assert read_report(result_file).notes == ("edited by hand",)
    held.refresh()
    assert held.report.notes == ("edited by hand",)


def test_a_save_is_read_back_whole(result_file: Path) -> None:
    held = ResultFile(result_file)
    report = decide(held.report, get_template("2021"), "reviews.review.upheld", "accepted",
                    None, "ann")
    held.save(report)
    held.save(decide(held.report, get_template("2021"), "reviews.review.corrected", "corrected",
                     "1", "ann"))
    again = read_report(result_file)
    assert [a["cell"] for a in again.audit] == ["reviews.review.upheld",
                                               "reviews.review.corrected"]
    assert not list(result_file.parent.glob(".*.tmp"))
