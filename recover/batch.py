"""Many reports in one run: inputs from files, folders and globs, each read in a killable
worker (`recover.sandbox`) on this machine or on a Dask cluster, every outcome recorded in
OUT/summary.json as files finish. A run started again skips the files already done.
"""

from __future__ import annotations

import glob
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from recover import __version__
from recover.errors import InputNotFound, RecoverError
from recover.model import Report
from recover.output import result_path, write_atomic, write_report
from recover.sandbox import SandboxSettings, close_all, failure, read_isolated

SUPPORTED_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp",
                      ".gif", ".docx", ".html", ".htm", ".xhtml", ".txt"}
SUMMARY_NAME = "summary.json"
# The summary is rewritten at most this often (and at the end): cheap for big batches.
SUMMARY_EVERY_SECONDS = 1.0

# Yields (input path, raw outcome from `recover.sandbox.read_one`) as files finish.
Runner = Callable[[list[Path], SandboxSettings], Iterator[tuple[Path, dict[str, Any]]]]


@dataclass(frozen=True)
class Outcome:
    """What became of one input file."""

    input: str
    output: str | None
    status: str  # "ok", "failed" or "pending"
    reused: bool = False  # done by an earlier run: same content, same tool version
    sha256: str | None = None
    template: str | None = None
    flagged: int = 0
    violations: int = 0
    error: dict[str, Any] | None = None  # class, line, exit_code
    seconds: float | None = None
    peak_rss_mb: float | None = None
    worker_pid: int | None = None


@dataclass(frozen=True)
class BatchInput:
    path: Path
    output: Path


class Display(Protocol):
    def start(self, total: int, reused: int) -> None: ...
    def done(self, outcome: Outcome) -> None: ...


@dataclass
class BatchResult:
    outcomes: dict[str, Outcome]
    summary_path: Path
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return max((o.error["exit_code"] for o in self.outcomes.values() if o.error), default=0)


# ---------------------------------------------------------------------------- inputs


def collect_inputs(args: Iterable[str | Path], out_dir: Path) -> tuple[list[Path], list[Outcome]]:
    """The files named by `args` (files, folders searched recursively, glob patterns), each
    once, and an outcome for every argument that names nothing."""
    found: dict[Path, None] = {}
    missing: list[Outcome] = []
    skip = out_dir.resolve()
    for arg in map(str, args):
        path = Path(arg)
        if path.is_file():
            found[path.resolve()] = None
            continue
        matches = [Path(m) for m in sorted(glob.glob(arg, recursive=True))] \
            if glob.has_magic(arg) else [path] if path.is_dir() else []
        for match in matches:  # a folder gives its report files; a matched file is taken
            for file in _files_under(match, skip) if match.is_dir() else [match]:
                found[file.resolve()] = None
        if not matches:
            error = InputNotFound(arg, "no such file or folder" if not glob.has_magic(arg)
                                  else "the pattern matches no file")
            missing.append(Outcome(arg, None, "failed", error=failure(error)["error"]))
    return list(found), missing


def _files_under(folder: Path, skip: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        if skip in path.resolve().parents or path.name.startswith("."):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
    return files


def assign_outputs(paths: list[Path], out_dir: Path) -> list[BatchInput]:
    """OUT/<name>.json for each input; when two inputs share a name, the later ones (in path
    order) get a short hash of their path in theirs, so no result overwrites another."""
    taken: set[Path] = set()
    items = []
    for path in sorted(paths):
        output = result_path(path, out_dir)
        if output in taken:
            tag = hashlib.sha256(str(path).encode()).hexdigest()[:8]
            output = out_dir / f"{path.stem}-{tag}.json"
        taken.add(output)
        items.append(BatchInput(path, output))
    return items


def file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _result_identity(output: Path) -> tuple[str | None, str | None, dict[str, Any]]:
    """(input sha256, tool version, summary) recorded in an existing result, if any."""
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
        return data["input"].get("sha256"), data["tool"]["version"], data
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, None, {}


def already_done(item: BatchInput) -> Outcome | None:
    """The outcome of an earlier run that read the same content with the same version."""
    sha, version, data = _result_identity(item.output)
    if sha is None or version != __version__ or sha != file_sha256(item.path):
        return None
    counts = data.get("summary", {})
    return Outcome(str(item.path), str(item.output), "ok", reused=True, sha256=sha,
                   template=data.get("template"), flagged=counts.get("flagged", 0),
                   violations=counts.get("violations", 0))


# ---------------------------------------------------------------------------- one outcome


def settle(item: BatchInput, raw: dict[str, Any]) -> Outcome:
    """Write the result of a file read well, or make sure no stale result misdescribes a
    file that failed; the outcome either way."""
    timing = {k: raw.get(k) for k in ("seconds", "peak_rss_mb", "worker_pid")}
    if raw["status"] == "ok":
        report = Report.from_dict(raw["report"])
        try:
            write_report(report, item.output)
        except RecoverError as error:
            return Outcome(str(item.path), None, "failed", error=failure(error)["error"],
                           **timing)
        return Outcome(str(item.path), str(item.output), "ok",
                       sha256=report.input.get("sha256"), template=report.template,
                       flagged=len(report.flagged), violations=len(report.violations),
                       **timing)
    sha = file_sha256(item.path)
    old_sha, _, _ = _result_identity(item.output)
    if old_sha is not None and old_sha != sha:
        item.output.unlink(missing_ok=True)
    return Outcome(str(item.path), None, "failed", sha256=sha, error=raw["error"], **timing)


# ---------------------------------------------------------------------------- the summary


class Summary:
    """OUT/summary.json: every file's outcome and the counts, rewritten atomically."""

    def __init__(self, path: Path, settings: SandboxSettings, runner: str) -> None:
        self.path = path
        self.settings = settings
        self.runner = runner
        self.started = _now()
        self.outcomes: dict[str, Outcome] = {}
        self._written = 0.0

    def record(self, outcome: Outcome, force_write: bool = False) -> None:
        self.outcomes[outcome.input] = outcome
        if force_write or time.monotonic() - self._written >= SUMMARY_EVERY_SECONDS:
            self.write()

    def counts(self) -> dict[str, int]:
        values = list(self.outcomes.values())
        return {
            "files": len(values),
            "ok": sum(o.status == "ok" for o in values),
            "reused": sum(o.reused for o in values),
            "failed": sum(o.status == "failed" for o in values),
            "pending": sum(o.status == "pending" for o in values),
            "flagged_cells": sum(o.flagged for o in values),
        }

    def write(self, finished: bool = False) -> None:
        data = {
            "tool": {"name": "recover", "version": __version__},
            "started": self.started, "updated": _now(), "finished": finished,
            "runner": self.runner,
            "options": {**self.settings.options, "password": None,
                        "timeout": self.settings.timeout,
                        "max_memory_mb": self.settings.max_memory_mb},
            "counts": self.counts(),
            "files": [asdict(o) for o in self.outcomes.values()],
        }
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        write_atomic(self.path, text.encode("utf-8"))
        self._written = time.monotonic()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- running


def local_runner(jobs: int) -> Runner:
    """`jobs` threads on this machine, each driving its own worker process."""

    def run(paths: list[Path], settings: SandboxSettings) -> Iterator[tuple[Path, dict]]:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(read_isolated, str(p), settings): p for p in paths}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()
                close_all()

    return run


def run_batch(args: Iterable[str | Path], out_dir: Path, settings: SandboxSettings,
              runner: Runner, display: Display, force: bool = False,
              runner_name: str = "local") -> BatchResult:
    """Read every input named by `args`; write OUT/<name>.json for each one read and
    OUT/summary.json for all. Inputs are only ever read."""
    paths, missing = collect_inputs(args, out_dir)
    items = assign_outputs(paths, out_dir)
    summary = Summary(out_dir / SUMMARY_NAME, settings, runner_name)
    for outcome in missing:
        summary.record(outcome)
    todo: dict[Path, BatchInput] = {}
    for item in items:
        done = None if force else already_done(item)
        summary.record(done or Outcome(str(item.path), str(item.output), "pending"))
        if done is None:
            todo[item.path] = item
    display.start(len(summary.outcomes), len(summary.outcomes) - len(todo) - len(missing))
    for outcome in missing:
        display.done(outcome)
    summary.write()
    try:
        for path, raw in runner(list(todo), settings):
            outcome = settle(todo[path], raw)
            summary.record(outcome)
            display.done(outcome)
    finally:
        summary.write(finished=not any(o.status == "pending" for o in summary.outcomes.values()))
    return BatchResult(summary.outcomes, summary.path, summary.counts())
