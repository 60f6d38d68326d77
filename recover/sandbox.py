"""Each report is read in a child process that can be killed: a crash, a hang or a memory
blow-up ends that child, never the batch. A child loads its OCR engine once and reads many
files; the process that started it writes the results.

Protocol, one JSON object a line: the parent sends the settings; the child says
`{"ready": ...}` once its engine is loaded, then answers each `{"path": ...}` with an
outcome (see `read_one`).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from recover.errors import RecoverError

# Loading the engine (and importing onnxruntime) on a cold, busy machine can be slow.
STARTUP_SECONDS = 300
# Test-only: "crash:NAME", "hang:NAME" or "oom:NAME" (comma-separated) makes the child
# misbehave on files whose name contains NAME, to show the batch survives it.
FAULT_ENV = "RECOVER_TEST_FAULT"


class FileTimedOut(RecoverError):
    exit_code = 30
    hint = "raise --timeout, or split the file"


class WorkerCrashed(RecoverError):
    exit_code = 31
    hint = "recover crashed on this file; please report it with the file"


class OutOfMemory(RecoverError):
    exit_code = 32
    hint = "raise --max-memory, or split the file"


class InternalError(RecoverError):
    exit_code = 33
    hint = "a bug in recover; please report it with the file"


@dataclass(frozen=True)
class SandboxSettings:
    """How a child reads files: the pipeline options (as a dict), and its limits."""

    options: dict[str, Any]
    timeout: float | None = None  # seconds per file
    max_memory_mb: int | None = None  # on top of what the child holds once its engine is loaded
    threads: int = 0  # threads for OpenCV and BLAS in the child (0: the libraries' default)


def failure(error: RecoverError) -> dict[str, Any]:
    return {"status": "failed", "error": {"class": type(error).__name__, "line": error.line(),
                                          "exit_code": error.exit_code}}


class Sandbox:
    """One child process, started on first use and again after it was killed."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def read(self, path: Path) -> dict[str, Any]:
        """The outcome of reading `path`; never raises for anything the file does."""
        started = time.monotonic()
        try:
            proc = self._ready()
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"path": str(path)}).encode() + b"\n")
            proc.stdin.flush()
            reply = self._reply(self.settings.timeout)
        except (BrokenPipeError, EOFError):
            reply = failure(self._died(path))
        except TimeoutError:
            self.close()
            seconds = self.settings.timeout
            reply = failure(FileTimedOut(path, f"still not done after {seconds:g} seconds"))
        if reply.pop("restart", False):
            self.close()
        reply.setdefault("seconds", round(time.monotonic() - started, 3))
        return reply

    def close(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
        self._proc = None
        self._buffer = b""

    def _ready(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self.close()
        env = dict(os.environ)
        if self.settings.threads:  # workers sharing the cores should not each take them all
            threads = str(self.settings.threads)
            env.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
                       MKL_NUM_THREADS=threads)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "recover.sandbox"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if os.environ.get("RECOVER_WORKER_STDERR") else subprocess.DEVNULL)
        assert self._proc.stdin is not None
        try:  # settings go by pipe, not argv, where others could see a password
            self._proc.stdin.write(json.dumps(asdict(self.settings)).encode() + b"\n")
            self._proc.stdin.flush()
            self._reply(STARTUP_SECONDS)
        except (BrokenPipeError, EOFError, TimeoutError):
            self.close()
            raise EOFError from None
        return self._proc

    def _reply(self, timeout: float | None) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        deadline = None if not timeout else time.monotonic() + timeout
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError
            if not select.select([fd], [], [], left)[0]:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _died(self, path: Path) -> RecoverError:
        code = self._proc.wait() if self._proc is not None else None
        self.close()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            if name == "SIGKILL":
                return OutOfMemory(path, "the worker reading it was killed (SIGKILL), "
                                         "most likely by the system for using too much memory")
            return WorkerCrashed(path, f"the worker reading it died ({name})")
        return WorkerCrashed(path, f"the worker reading it exited (code {code})")


_local = threading.local()
_all: list[Sandbox] = []
_all_lock = threading.Lock()


def read_isolated(path: str, settings: SandboxSettings) -> dict[str, Any]:
    """Read `path` in this thread's child process (one per thread, kept between files).
    Runs the same way in a local thread pool and in a Dask worker."""
    sandbox: Sandbox | None = getattr(_local, "sandbox", None)
    if sandbox is None or sandbox.settings != settings:
        if sandbox is not None:
            sandbox.close()
        sandbox = _local.sandbox = Sandbox(settings)
        with _all_lock:
            _all.append(sandbox)
    return sandbox.read(Path(path))


def close_all() -> None:
    with _all_lock:
        while _all:
            _all.pop().close()


# ------------------------------------------------------------------------------ the child


def _die_with_parent() -> None:
    """Linux: the child goes when the thread that started it does (no orphaned workers)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:
        os._exit(1)


def _limit_memory(extra_mb: int) -> None:
    """Address space: what the loaded engine holds, plus `extra_mb` for one file."""
    with open("/proc/self/statm") as statm:
        held = int(statm.read().split()[0]) * resource.getpagesize()
    limit = held + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _test_fault(path: Path) -> None:
    for entry in filter(None, os.environ.get(FAULT_ENV, "").split(",")):
        kind, _, name = entry.partition(":")
        if name and name in path.name:
            if kind == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            elif kind == "hang":
                time.sleep(3600)
            elif kind == "oom":
                blocks = []
                while True:
                    blocks.append(bytearray(256 * 1024 * 1024))


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def read_one(path: Path, options: Any) -> dict[str, Any]:
    """One file, read in this process: `ok` with the report's dict, or `failed` with the
    error; `restart` asks for a fresh child (after running out of memory)."""
    from recover.pipeline import extract_report

    started = time.monotonic()
    try:
        _test_fault(path)
        report = extract_report(path, options)
        outcome: dict[str, Any] = {"status": "ok", "report": report.to_dict()}
    except RecoverError as error:
        outcome = failure(error)
    except MemoryError:
        outcome = failure(OutOfMemory(path, "reading it needed more memory than --max-memory "
                                            "allows"))
        outcome["restart"] = True
    except Exception as error:  # noqa: BLE001 - any bug on one file must not stop the batch
        where = traceback.extract_tb(error.__traceback__)[-1]
        problem = (f"{type(error).__name__}: {error} "
                   f"(at {Path(where.filename).name}:{where.lineno})")
        outcome = failure(InternalError(path, problem))
    outcome["seconds"] = round(time.monotonic() - started, 3)
    outcome["peak_rss_mb"] = _peak_rss_mb()
    outcome["worker_pid"] = os.getpid()
    return outcome


def main() -> None:
    # Replies go to a private copy of stdout; anything a library prints goes to stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    _die_with_parent()
    settings = SandboxSettings(**json.loads(sys.stdin.readline()))
    from recover.ocr import get_engine
    from recover.pipeline import Options

    options = Options(**settings.options)
    if settings.threads:
        import cv2

        cv2.setNumThreads(settings.threads)
    get_engine(options.engine)
    if settings.max_memory_mb:
        _limit_memory(settings.max_memory_mb)
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    replies.flush()
    for line in sys.stdin:
        outcome = read_one(Path(json.loads(line)["path"]), options)
        replies.write(json.dumps(outcome, ensure_ascii=False) + "\n")
        replies.flush()
        if outcome.get("restart"):
            return


if __name__ == "__main__":
    main()
