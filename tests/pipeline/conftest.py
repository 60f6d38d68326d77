"""Small generated documents with exact truth, made by scripts/generate.py (fixed seeds)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "scripts" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_document(tmp_path_factory):
    """make_document(name, seed, template, fmt, damage) -> (path, truth)."""
    generator = _generator()
    folder = tmp_path_factory.mktemp("documents")

    def make(name: str, seed: int, template: str, fmt: str, damage: dict | None = None):
        path = generator.generate_document(folder, name, seed, template, fmt,
                                           damage if damage is not None else {}, False)
        truth = json.loads((folder / f"{name}.truth.json").read_text(encoding="utf-8"))
        return path, truth

    return make
