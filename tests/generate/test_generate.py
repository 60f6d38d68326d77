"""The test-document generator: deterministic, every format written, truth that is exact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from recover.templates import Template, get_template
from recover.values import parse_value
from tests.conftest import load_generator

CLEAN_AND_SMALL = {"dpi": 100}

generate = load_generator()


def _truth(doc: Path) -> dict:
    return json.loads(doc.with_name(doc.name.split(".")[0] + ".truth.json").read_text("utf-8"))


def _rule_violations(template: Template, values: dict) -> list[str]:
    """Rules checked the way a validator would, reading a missing cell as 0."""
    broken = []
    for rule in template.rules:
        table = template.tables[rule.table]
        for other in table.rows if rule.each == "row" else table.columns:
            def cell(item: str, other_id: str = other.id, each: str = rule.each,
                     table_id: str = rule.table) -> str:
                row, col = (other_id, item) if each == "row" else (item, other_id)
                return f"{table_id}.{row}.{col}"

            left = sum(values[cell(i)] or 0 for i in rule.left)
            right = sum(values[cell(i)] or 0 for i in rule.right)
            if left != right:
                broken.append(f"{rule.id}:{other.id}")
    return broken


def test_same_seed_same_document(tmp_path: Path) -> None:
    first = generate.generate_document(tmp_path / "a", "doc", 7, "2021", "png", CLEAN_AND_SMALL)
    second = generate.generate_document(tmp_path / "b", "doc", 7, "2021", "png", CLEAN_AND_SMALL)
    assert first.read_bytes() == second.read_bytes()
    assert _truth(first) == _truth(second)
    other = generate.generate_document(tmp_path / "c", "doc", 8, "2021", "png", CLEAN_AND_SMALL)
    assert _truth(other)["values"] != _truth(first)["values"]


@pytest.mark.parametrize("fmt", generate.FORMATS)
def test_every_format_is_written_with_full_truth(tmp_path: Path, fmt: str) -> None:
    damage = {**CLEAN_AND_SMALL, "split_table": "repeat_header", "seal": True}
    doc = generate.generate_document(tmp_path, "doc", 11, "2019", fmt, damage)
    truth = _truth(doc)
    template = get_template(truth["template"])
    assert list(truth["values"]) == template.cell_ids()
    assert set(truth["printed"]) == set(template.cell_ids())
    assert truth["format"] == fmt and truth["damage"]["seal"] is True
    for name in truth["files"]:
        assert (tmp_path / name).stat().st_size > 0
    if fmt == "tiff":
        assert Image.open(doc).n_frames == truth["pages"] >= 2
    elif fmt in ("pdf-scan", "pdf-embedded"):
        pdf = pypdfium2.PdfDocument(doc)
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert ("四、政府" in text) == (fmt == "pdf-embedded")
    elif fmt == "html":
        assert len(truth["files"]) == 1 + 4  # the page, tables 二 and 四, 三 in two parts
    elif fmt in generate.SINGLE_IMAGE_FORMATS:
        Image.open(doc).verify()


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_drawn_values_keep_every_rule(template_id: str) -> None:
    template = get_template(template_id)
    for seed in range(200):
        values = generate.draw_values(template, np.random.default_rng(seed))
        assert _rule_violations(template, values) == []
        assert all(v is None or v >= 0 for k, v in values.items() if not k.endswith(".change"))


@pytest.mark.parametrize("seed", range(40))
def test_printed_text_reads_back_as_truth(seed: int) -> None:
    """Missing markers stand only for zeros, so printed documents keep the rules too."""
    rng = np.random.default_rng(seed)
    template = get_template("2021" if seed % 2 else "2019")
    # separators and units are tested apart: recover.values does not yet read "1,109件"
    thousands = seed % 3 == 0
    habits = generate.PrintHabits("/", 0.5, 0.0 if thousands else 0.3, thousands=thousands,
                                  amount_unit="元" if seed % 4 == 0 and not thousands else "")
    values = generate.draw_values(template, rng)
    printed, truth, units = generate.print_values(template, values, habits, rng)
    assert _rule_violations(template, truth) == []
    for cell_id, text in printed.items():
        parsed = parse_value(text, template.value_type(cell_id))
        assert parsed.value == truth[cell_id], (cell_id, text)
        assert parsed.unit == units.get(cell_id), (cell_id, text)


def test_a_broken_document_breaks_a_rule_as_printed() -> None:
    template = get_template("2021")
    for seed in range(30):
        rng = np.random.default_rng(seed)
        values = generate.draw_values(template, rng)
        cell = generate.break_one_rule(template, values, rng)
        assert _rule_violations(template, values), cell


def test_document_set_does_not_depend_on_count(tmp_path: Path) -> None:
    one = generate.generate_set(tmp_path / "one", 1, 5, ["html"])
    two = generate.generate_set(tmp_path / "two", 2, 5, ["html"])
    assert _truth(one[0]) == _truth(two[0])


def test_render_tables_draws_three_tables() -> None:
    images = generate.render_tables("2021", {"reviews.review.total": 3},
                                    generate.TableStyle(dpi=72))
    assert len(images) == 3
    assert all(image.width > 100 and image.height > 20 for image in images)
