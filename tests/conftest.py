"""Fixtures shared by every test folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    """scripts/generate.py, the bench's generator of documents with exact truth, loaded
    once as the module `generate` (tests/generate needs it when its tests are collected,
    and imports this file under another name than pytest does)."""
    if "generate" in sys.modules:
        return sys.modules["generate"]
    spec = importlib.util.spec_from_file_location("generate", ROOT / "scripts" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generator():
    """scripts/generate.py (`load_generator`)."""
    return load_generator()
