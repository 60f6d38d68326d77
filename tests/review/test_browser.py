"""The review page end to end in Debian's chromium driven by Playwright: open, accept one
cell, correct another, reload, and find every decision in the file on disk."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from recover.output import read_report
from recover.review.server import ReviewServer, ReviewSession

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed "
                                       "(bash scripts/setup.sh --test)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def page(result_file: Path) -> Iterator[tuple[object, ReviewServer]]:
    server = ReviewServer(ReviewSession.open([result_file], "ann"))
    server.start()
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            tab = browser.new_page()
            tab.set_default_timeout(10_000)
            yield tab, server
            browser.close()
    finally:
        server.stop()


def test_review_in_a_browser(page: tuple, result_file: Path) -> None:
    tab, server = page
    expect = sync_api.expect
    tab.goto(server.url)
    expect(tab.locator("#cell-id")).to_have_text("applications.granted.natural_person")
    # the two doubted cells of the broken review total are its only suspects
    expect(tab.locator("#remaining")).to_have_text("3")
    expect(tab.locator("#reading")).to_have_text("8")
    expect(tab.locator("#proposed")).to_have_text("5")
    expect(tab.locator("td.current")).to_have_text("5")
    tab.wait_for_function("document.querySelector('#crop img')?.naturalWidth > 0")

    tab.keyboard.press("Enter")  # accept the inferred 5
    expect(tab.locator("#cell-id")).to_have_text("reviews.review.upheld")
    expect(tab.locator("#remaining")).to_have_text("2")
    expect(tab.locator("#broken li")).to_have_count(1)

    tab.keyboard.press("ArrowRight")
    expect(tab.locator("#cell-id")).to_have_text("reviews.review.corrected")
    tab.keyboard.type("1")
    tab.keyboard.press("Enter")  # correct 9 to 1: the review total now adds up
    expect(tab.locator("#remaining")).to_have_text("1")
    expect(tab.locator("#violation-count")).to_have_text("0")

    tab.reload()  # resumes at the one cell left
    expect(tab.locator("#cell-id")).to_have_text("reviews.review.upheld")
    expect(tab.locator("#remaining")).to_have_text("1")

    report = read_report(result_file)
    accepted = report.cell("applications.granted.natural_person")
    corrected = report.cell("reviews.review.corrected")
    assert (accepted.value, accepted.flagged, accepted.source.method) == (5, False, "review")
    assert (corrected.value, corrected.flagged, corrected.source.method) == (1, False, "review")
    assert [(a["cell"], a["decision"], a["value"], a["reviewer"]) for a in report.audit] == [
        ("applications.granted.natural_person", "accepted", 5, "ann"),
        ("reviews.review.corrected", "corrected", 1, "ann")]
    assert report.violations == ()
