"""The review server over HTTP: the token guards every path, decisions are saved at once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from recover.errors import ResultLocked
from recover.output import read_report
from recover.review.server import ReviewServer, ReviewSession
from recover.review.store import lock_path

from .conftest import make_result


@pytest.fixture
def server(result_file: Path) -> Iterator[ReviewServer]:
    running = ReviewServer(ReviewSession.open([result_file], "ann"))
    running.start()
    yield running
    running.stop()


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers["Content-Type"]


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if error.headers["Content-Type"].startswith(
            "application/json") else {"text": body.decode()}


def test_requests_without_the_token_are_refused(server: ReviewServer) -> None:
    base = server.url.rsplit("/", 2)[0]
    assert _get(base + "/")[0] == 403
    assert _get(base + "/api/state?file=0")[0] == 403
    assert _get(base + "/wrong-token/api/state?file=0")[0] == 403
    assert _post(base + "/api/decide", {})[0] == 403
    assert server.url.startswith("http://127.0.0.1:")


def test_the_page_state_and_crop(server: ReviewServer) -> None:
    status, page, kind = _get(server.url)
    assert status == 200 and kind.startswith("text/html") and b"cells left" in page
    state = json.loads(_get(server.url + "api/state?file=0")[1])
    assert state["remaining"] == 3
    cell = state["cell"]
    assert cell["id"] == "applications.granted.natural_person"
    assert cell["labels"]["column"] == "自然人" and cell["original"]["raw"] == "8"
    assert state["table"]["id"] == "applications"
    status, png, kind = _get(server.url + f"api/crop?file=0&cell={cell['id']}")
    assert status == 200 and kind == "image/png" and png.startswith(b"\x89PNG")


def test_a_decision_is_on_disk_before_the_answer(server: ReviewServer,
                                                 result_file: Path) -> None:
    status, state = _post(server.url + "api/decide", {
        "file": 0, "cell": "reviews.review.corrected", "decision": "corrected", "value": "1"})
    assert status == 200 and state["violations"] == [] and state["remaining"] == 2
    assert state["cell"]["id"] == "applications.granted.natural_person"  # wraps round
    on_disk = read_report(result_file)
    assert on_disk.cell("reviews.review.corrected").source.method == "review"
    assert on_disk.audit[0]["reviewer"] == "ann"
    status, answer = _post(server.url + "api/decide", {
        "file": 0, "cell": "reviews.review.upheld", "decision": "corrected", "value": "x"})
    assert status == 400 and "not a value" in answer["error"]


def test_a_second_session_on_the_same_file_is_refused(server: ReviewServer,
                                                      result_file: Path) -> None:
    with pytest.raises(ResultLocked):
        ReviewSession.open([result_file], "bob")
    assert lock_path(result_file).exists()


def test_a_folder_session_skips_a_file_someone_else_holds(tmp_path: Path) -> None:
    first, second = make_result(tmp_path, "a"), make_result(tmp_path, "b")
    ann = ReviewSession.open([first], "ann")
    try:
        bob = ReviewSession.open([first, second], "bob")
        assert [r.path for r in bob.results] == [second]
        assert "being reviewed" in bob.skipped[0]
        bob.close()
    finally:
        ann.close()
    assert not lock_path(first).exists() and not lock_path(second).exists()
