"""The review page's server: the standard library's threaded HTTP server on 127.0.0.1, a
random token in every path, and a small JSON API over `decisions` and `store`.

    GET  /<token>/                     the page
    GET  /<token>/api/state?file=&cell=  one cell to review, its table and the file's counts
    GET  /<token>/api/crop?file=&cell=   the cell's picture (PNG), 404 when there is none
    POST /<token>/api/decide           {"file", "cell", "decision", "value"} -> the next state
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from recover.errors import InvalidResult, RecoverError, ResultLocked
from recover.model import Cell, Report
from recover.review.crop import cell_crop
from recover.review.decisions import (
    InvalidDecision,
    decide,
    is_reviewed,
    needs_review,
    next_unresolved,
    remaining,
    review_queue,
)
from recover.review.store import ResultFile, acquire_lock, release_lock
from recover.templates import Template, get_template


def result_files(path: Path) -> list[Path]:
    """The result JSONs to review: `path` itself, or the `*.json` files directly in it."""
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if not p.name.endswith(".truth.json"))
    return [path]


@dataclass
class ReviewSession:
    """The result files one reviewer holds, each locked for the session's lifetime."""

    reviewer: str
    results: list[ResultFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per file not opened, and why
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, paths: Sequence[Path], reviewer: str) -> ReviewSession:
        """Lock and read every result; with one file any problem is raised, with several the
        file is skipped (and said) so the others can be reviewed."""
        session = cls(reviewer)
        for path in paths:
            try:
                acquire_lock(path)
            except ResultLocked as exc:
                if len(paths) == 1:
                    raise
                session.skipped.append(exc.line())
                continue
            try:
                result = ResultFile(path)
                if result.report.template is None:
                    raise InvalidResult(path, "has no table to review")
            except RecoverError as exc:
                release_lock(path)
                if len(paths) == 1:
                    raise
                session.skipped.append(exc.line())
                continue
            session.results.append(result)
        return session

    def close(self) -> None:
        for result in self.results:
            release_lock(result.path)

    def template(self, index: int) -> Template:
        template_id = self.results[index].report.template
        assert template_id is not None
        return get_template(template_id)


def _labels(template: Template, cell_id: str) -> dict[str, str]:
    table_id, row_id, column_id = cell_id.split(".")
    table = template.tables[table_id]
    return {"table": table.title, "row": table.row(row_id).label,
            "column": table.column(column_id).label}


def _cell_state(cell: Cell) -> str:
    if is_reviewed(cell):
        return "reviewed"
    if cell.flagged:
        return "flagged"
    return "inferred" if cell.source.method == "inferred" else "ok"


def _table(template: Template, report: Report, table_id: str) -> dict[str, Any]:
    """The template table laid out as printed, with each cell's value and state."""
    table = template.tables[table_id]
    cells = {c.id: c for c in report.cells}
    rows = []
    for row in table.rows:
        present = {c.id for c in table.row_columns(row)}
        rows.append({"id": row.id, "label": row.label, "cells": [
            {"id": f"{table_id}.{row.id}.{col.id}",
             "value": cells[f"{table_id}.{row.id}.{col.id}"].value,
             "state": _cell_state(cells[f"{table_id}.{row.id}.{col.id}"])}
            if col.id in present else None
            for col in table.columns]})
    return {"id": table_id, "title": table.title,
            "columns": [{"id": c.id, "label": c.label} for c in table.columns], "rows": rows}


def _cell(template: Template, report: Report, cell: Cell) -> dict[str, Any]:
    broken = [v.to_dict() for v in report.violations if cell.id in v.cells]
    return {**cell.to_dict(), "labels": _labels(template, cell.id), "broken": broken,
            "reviewed": is_reviewed(cell), "needs_review": needs_review(cell),
            "has_image": cell.source.page is not None and cell.source.bbox is not None}


def state(session: ReviewSession, index: int, cell_id: str | None) -> dict[str, Any]:
    """What the page shows: the file list, the cell `cell_id` (default: the next unresolved
    one), its table, the queue and the rules still broken."""
    result = session.results[index]
    result.refresh()
    report, template = result.report, session.template(index)
    queue = review_queue(report)
    if cell_id not in queue:
        cell_id = next_unresolved(report) or (queue[0] if queue else None)
    cell = report.cell(cell_id) if cell_id else None
    return {
        "reviewer": session.reviewer, "file": index,
        "files": [{"name": r.path.name, "remaining": remaining(r.report)}
                  for r in session.results],
        "skipped": session.skipped,
        "remaining": remaining(report),
        "queue": [{"id": cid, "needs_review": needs_review(report.cell(cid))} for cid in queue],
        "cell": _cell(template, report, cell) if cell else None,
        "table": _table(template, report, cell.id.split(".")[0]) if cell else None,
        "violations": [v.to_dict() for v in report.violations],
    }


def apply_decision(session: ReviewSession, request: dict[str, Any]) -> dict[str, Any]:
    """Apply, save and answer with the next state: the next unresolved cell of the file."""
    index = int(request["file"])
    result = session.results[index]
    with session.lock:
        report = decide(result.report, session.template(index), str(request["cell"]),
                        request["decision"], request.get("value"), session.reviewer)
        result.save(report)
    return state(session, index, next_unresolved(report, after=str(request["cell"])))


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # the terminal is the reviewer's; decisions are in the audit trail

    def _route(self) -> tuple[str, dict[str, list[str]]] | None:
        """The path after the token, or None (answered 403) when the token is wrong."""
        parts = urlsplit(self.path)
        prefix = f"/{self.server.token}"
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost") or not (
                parts.path == prefix or parts.path.startswith(prefix + "/")):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain")
            return None
        return parts.path[len(prefix):] or "/", parse_qs(parts.query)

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")

    def do_GET(self) -> None:  # noqa: N802 - the base's name
        route = self._route()
        if route is None:
            return
        path, query = route
        session = self.server.session
        index = int(query.get("file", ["0"])[0])
        cell_id = query.get("cell", [None])[0]
        if path == "/":
            self._send(HTTPStatus.OK, PAGE.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/api/state" and 0 <= index < len(session.results):
            self._json(state(session, index, cell_id))
        elif path == "/api/crop" and 0 <= index < len(session.results) and cell_id:
            result = session.results[index]
            found = [c for c in result.report.cells if c.id == cell_id]
            png = cell_crop(result.report.input, found[0], result.path.parent) if found else None
            if png is None:
                self._send(HTTPStatus.NOT_FOUND, b"no image\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, png, "image/png")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def do_POST(self) -> None:  # noqa: N802 - the base's name
        route = self._route()
        if route is None:
            return
        if route[0] != "/api/decide":
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            self._json(apply_decision(self.server.session, request))
        except InvalidDecision as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
        except RecoverError as exc:
            self._json({"error": exc.line()}, HTTPStatus.CONFLICT)
        except (KeyError, ValueError, IndexError, TypeError) as exc:
            self._json({"error": f"bad request: {exc}"}, HTTPStatus.BAD_REQUEST)


PAGE = files("recover.review").joinpath("page.html").read_text(encoding="utf-8")


class ReviewServer(ThreadingHTTPServer):
    """The review page of one session on 127.0.0.1; `url` carries the token."""

    daemon_threads = True

    def __init__(self, session: ReviewSession, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.session = session
        self.token = secrets.token_urlsafe(18)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{self.token}/"

    def start(self) -> threading.Thread:
        """Serve in a background thread (for tests and programs); `stop()` ends it."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.session.close()
