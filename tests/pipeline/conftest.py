"""Small generated documents with exact truth, made by scripts/generate.py (fixed seeds)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="session")
def make_document(tmp_path_factory, generator):
    """make_document(name, seed, template, fmt, damage) -> (path, truth)."""
    folder = tmp_path_factory.mktemp("documents")

    def make(name: str, seed: int, template: str, fmt: str, damage: dict | None = None):
        path = generator.generate_document(folder, name, seed, template, fmt,
                                           damage if damage is not None else {}, False)
        truth = json.loads((folder / f"{name}.truth.json").read_text(encoding="utf-8"))
        return path, truth

    return make
