"""Fuzzing with a small budget: mutated PDFs, images, DOCX and text reports give a report or
a named error (`RecoverError`), nothing else. `scripts/fuzz.py` runs the same for longer.
The files in data/ are inputs it found that once escaped as other exceptions."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from recover.errors import RecoverError
from recover.pipeline import extract_report

_spec = importlib.util.spec_from_file_location(
    "fuzz", Path(__file__).parents[2] / "scripts" / "fuzz.py")
assert _spec and _spec.loader
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _quiet_pdfminer() -> None:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=fuzz.mutated())
def test_mutated_inputs_give_a_report_or_a_named_error(case: tuple[str, bytes],
                                                       tmp_path: Path) -> None:
    name, data = case
    fuzz.check(name, data, tmp_path)


@pytest.mark.parametrize("path", sorted(DATA.iterdir()), ids=lambda p: p.name)
def test_inputs_the_fuzzer_found(path: Path) -> None:
    with pytest.raises(RecoverError):
        extract_report(path, fuzz.OPTIONS)
