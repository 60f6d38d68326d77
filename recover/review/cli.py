"""`recover review`: open a session on the result files, serve the page until Ctrl-C."""

from __future__ import annotations

import getpass
import os
import signal
import sys
import webbrowser
from pathlib import Path

import typer

from recover.errors import InputNotFound, RecoverError, ResultLocked
from recover.review.server import ReviewServer, ReviewSession, result_files


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def has_display() -> bool:
    """Whether a browser window can open here (not on a headless Linux box)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _stop_on_interrupt_or_term() -> None:
    """Ctrl-C (SIGINT) and SIGTERM end the serving, and the files' locks are let go. A job
    started in the background by a shell without job control inherits SIGINT ignored,
    and Python then leaves it ignored: the server would not stop on Ctrl-C (nor on SIGINT
    from a test), and a `kill` would leave its locks behind."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def run_review(path: Path, reviewer: str | None, port: int, browser: bool) -> int:
    """Serve the review page of `path` until interrupted; the exit code."""
    def say(line: str) -> None:
        typer.echo(line, err=True)

    try:
        if not path.exists():
            raise InputNotFound(path, "not found")
        paths = result_files(path)
        if not paths:
            raise InputNotFound(path, "holds no result JSON")
        session = ReviewSession.open(paths, reviewer or default_reviewer())
    except RecoverError as exc:
        say(f"recover: {exc.line()}")
        return exc.exit_code
    for line in session.skipped:
        say(f"recover: {line}")
    if not session.results:
        say(f"recover: {path}: no result file could be opened for review")
        return ResultLocked.exit_code
    server = ReviewServer(session, port)
    _stop_on_interrupt_or_term()
    typer.echo(f"review {len(session.results)} file(s) at {server.url}  (Ctrl-C to stop)")
    if browser and has_display():
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        session.close()
    return 0
