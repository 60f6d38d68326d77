"""One result file under review: held by one writer at a time, saved atomically, and never
written over when something else changed it on disk since it was read.

The lock is `<result>.lock`, created with O_EXCL and holding `pid@host`; a lock whose process
is gone (same host) is stale and taken over.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

from recover.errors import ResultChanged, ResultLocked
from recover.model import Report
from recover.output import read_report, validate_result, write_atomic


def lock_path(result: Path) -> Path:
    return result.with_name(result.name + ".lock")


def _owner() -> str:
    return f"{os.getpid()}@{socket.gethostname()}"


def _is_stale(owner: str) -> bool:
    pid, _, host = owner.partition("@")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's lock (a shared folder): only its owner knows
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire_lock(result: Path) -> Path:
    """Take the review lock of `result`, or raise `ResultLocked` naming its holder."""
    path = lock_path(result)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner = path.read_text(encoding="utf-8").strip()
            except FileNotFoundError:
                continue  # released meanwhile
            if _is_stale(owner):
                path.unlink(missing_ok=True)
                continue
            raise ResultLocked(result, f"is being reviewed by process {owner or '?'}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_owner() + "\n")
        return path
    raise ResultLocked(result, "its lock file keeps changing")


def release_lock(result: Path) -> None:
    """Remove the lock of `result` if this process holds it."""
    path = lock_path(result)
    try:
        if path.read_text(encoding="utf-8").strip() == _owner():
            path.unlink()
    except FileNotFoundError:
        pass


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ResultFile:
    """A result JSON opened for review: its report and the digest of the bytes it came from."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.report: Report = read_report(path)
        self._digest = _digest(path.read_bytes())

    def refresh(self) -> None:
        """Read the file again if something changed it on disk (the page shows that version)."""
        data = self.path.read_bytes()
        if _digest(data) != self._digest:
            self.report, self._digest = read_report(self.path), _digest(data)

    def save(self, report: Report) -> None:
        """Write `report` at once, atomically; refuse if the file changed since it was read."""
        if _digest(self.path.read_bytes()) != self._digest:
            raise ResultChanged(self.path, "changed on disk since the review started")
        data = report.to_dict()
        validate_result(data, self.path)
        encoded = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        write_atomic(self.path, encoded)
        self.report, self._digest = report, _digest(encoded)
