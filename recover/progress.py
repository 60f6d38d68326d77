"""What a batch run shows: a progress bar with counts and time left on a terminal, one plain
line per file otherwise (logs, CI). Failures are always one line on stderr:
`recover: <file>: <problem> (<what to do>)`."""

from __future__ import annotations

import sys
from collections import Counter

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from recover.batch import Outcome


def _describe(outcome: Outcome) -> str:
    if outcome.reused:
        return f"{outcome.input}: already done -> {outcome.output}"
    seconds = f" in {outcome.seconds:.1f} s" if outcome.seconds is not None else ""
    return (f"{outcome.input}: template {outcome.template}, {outcome.flagged} flagged, "
            f"{outcome.violations} rule violations{seconds} -> {outcome.output}")


class PlainDisplay:
    """One line per file as it finishes, with its place in the run."""

    def __init__(self) -> None:
        self.total = 0
        self.count = 0

    def start(self, total: int, reused: int) -> None:
        self.total = total
        if reused:
            typer.echo(f"{reused} of {total} files already done; reading the rest")

    def done(self, outcome: Outcome) -> None:
        self.count += 1
        if outcome.status == "failed" and outcome.error:
            typer.echo(f"recover: {outcome.error['line']}", err=True)
        elif not outcome.reused:
            typer.echo(f"[{self.count}/{self.total}] {_describe(outcome)}")

    def close(self) -> None:
        pass


class BarDisplay:
    """A bar with done/total, ok/failed counts, time elapsed and left; failures above it."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.tally: Counter[str] = Counter()
        self.progress = Progress(
            TextColumn("[bold]recover"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"), TimeElapsedColumn(), TextColumn("elapsed,"),
            TimeRemainingColumn(), TextColumn("left"), console=self.console, transient=False)
        self.task = self.progress.add_task("extract", total=None, tally="")

    def start(self, total: int, reused: int) -> None:
        self.progress.start()
        # Reused files finish at once; count them so the time left is for the rest only.
        self.progress.update(self.task, total=total - reused)
        self.tally["reused"] = reused
        self._show()

    def done(self, outcome: Outcome) -> None:
        if outcome.reused:
            return
        self.tally[outcome.status] += 1
        if outcome.status == "failed" and outcome.error:
            self.console.print(f"recover: {outcome.error['line']}", markup=False,
                               highlight=False)
        self.progress.advance(self.task)
        self._show()

    def _show(self) -> None:
        parts = [f"{self.tally['ok']} ok", f"{self.tally['failed']} failed"]
        if self.tally["reused"]:
            parts.append(f"{self.tally['reused']} already done")
        self.progress.update(self.task, tally=", ".join(parts))

    def close(self) -> None:
        self.progress.stop()


def make_display(bar: bool | None = None) -> PlainDisplay | BarDisplay:
    """A bar on a terminal, plain lines when the output goes to a file or a pipe."""
    if bar is None:
        bar = sys.stderr.isatty()
    return BarDisplay() if bar else PlainDisplay()
