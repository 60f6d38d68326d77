"""`recover review` as a user runs it: prints the address, serves, lets go of the file on
Ctrl-C; a second `recover review` of the same file is refused with one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from recover.errors import ResultLocked
from recover.review.store import lock_path

COMMAND = [sys.executable, "-c", "from recover.cli import app; app()", "review"]


def test_review_serves_until_interrupted_and_refuses_a_second_reviewer(
        result_file: Path) -> None:
    first = subprocess.Popen([*COMMAND, str(result_file), "--no-browser", "--reviewer", "ann"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = first.stdout.readline()  # type: ignore[union-attr]
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/state?file=0", timeout=10) as response:
            assert json.loads(response.read())["reviewer"] == "ann"
        second = subprocess.run([*COMMAND, str(result_file), "--no-browser"],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == ResultLocked.exit_code
        assert second.stderr.count("\n") == 1 and "being reviewed" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=20) == 0
    assert not lock_path(result_file).exists()


def test_review_stops_on_ctrl_c_when_started_with_it_ignored_and_lets_go_on_sigterm(
        result_file: Path) -> None:
    """A job a shell without job control starts in the background inherits SIGINT
    ignored, and Python leaves it so: the server did not stop on SIGINT (this suite, run as
    such a job, timed out). SIGTERM stops it as well, letting go of the file's lock."""
    def ignore_interrupts() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    for stop in (signal.SIGINT, signal.SIGTERM):
        server = subprocess.Popen([*COMMAND, str(result_file), "--no-browser"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  preexec_fn=ignore_interrupts)
        try:
            assert "http://127.0.0.1:" in server.stdout.readline()  # type: ignore[union-attr]
            assert lock_path(result_file).exists()
        finally:
            server.send_signal(stop)
            assert server.wait(timeout=20) == 0
        assert not lock_path(result_file).exists()
