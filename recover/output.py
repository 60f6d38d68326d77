"""Writing results: the JSON of the output contract, validated against the schema in
`models/`, written atomically so that no reader ever sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from recover.errors import InvalidResult
from recover.model import Report
from recover.templates import models_dir


@cache
def result_schema() -> dict[str, Any]:
    return json.loads((models_dir() / "result.schema.json").read_text(encoding="utf-8"))


def validate_result(data: dict[str, Any], path: object = "<result>") -> None:
    try:
        jsonschema.validate(data, result_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise InvalidResult(path, f"does not follow the result schema at {where}: "
                                  f"{exc.message}") from None


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that the file is either the old one or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes it private; results are to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_path(input_path: Path, out_dir: Path) -> Path:
    return out_dir / f"{input_path.stem}.json"


def write_report(report: Report, path: Path) -> None:
    data = report.to_dict()
    validate_result(data, path)
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def read_report(path: Path) -> Report:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidResult(path, f"cannot be read as JSON ({exc.__class__.__name__})") from None
    validate_result(data, path)
    return Report.from_dict(data)
