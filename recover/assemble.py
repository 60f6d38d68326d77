"""The last stages shared by every path: raw cell text becomes a typed, flagged `Cell`,
and the cells of a template become a checked `Report`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from recover.model import (
    LOW_CONFIDENCE,
    NOT_A_NUMBER,
    Alternative,
    Cell,
    Method,
    Report,
    Source,
    complete_cells,
)
from recover.repair import repair
from recover.templates import Template
from recover.values import parse_value


def make_cell(template: Template, cell_id: str, raw: str, confidence: float, source: Source,
              min_confidence: float = 0.0,
              alternatives: Sequence[Alternative] = ()) -> Cell:
    """A cell from the text printed or read in it, flagged when it is not a value of the
    cell's type or was read with less than `min_confidence`."""
    parsed = parse_value(raw, template.value_type(cell_id))
    cell = Cell(cell_id, parsed.value, raw, confidence, source, unit=parsed.unit,
                alternatives=tuple(alternatives))
    if parsed.problem:
        cell = cell.flag(f"{NOT_A_NUMBER}: {parsed.problem}")
    if confidence < min_confidence:
        cell = cell.flag(f"{LOW_CONFIDENCE}: {confidence:.2f}")
    return cell


def assemble_report(template: Template, found: Mapping[str, Cell], method: Method,
                    input_info: dict, notes: Sequence[str] = ()) -> Report:
    """Every cell id of the template (missing ones flagged), doubtful cells the rules settle
    repaired (`recover.repair`), checked against the rules."""
    cells = complete_cells(template, dict(found), method)
    return repair(Report(template.id, cells, (), input_info, tuple(notes)), template)
