"""Repair with the rules: a doubtful cell that the consistency rules settle gets the value they
determine (an engine's alternative reading when one fits), marked inferred and still flagged.

A confident reading is never changed: a report that breaks a rule as printed keeps its
printed values and its violation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from recover.model import (
    DISAGREE,
    INFERRED,
    LOW_CONFIDENCE,
    NOT_A_NUMBER,
    NOT_FOUND,
    UNPLACED,
    Alternative,
    Cell,
    Report,
)
from recover.rules import RuleInstance, recheck_report, rule_instances
from recover.templates import Template
from recover.values import parse_value

# Reasons that make a reading doubtful. Breaking a rule alone does not: that is how a
# report with a printed mistake looks, and its values must stay as printed.
DOUBTS = (LOW_CONFIDENCE, NOT_A_NUMBER, NOT_FOUND, DISAGREE, UNPLACED)
# Each pass settles at least one cell or ends the repair; real chains are two or three long.
MAX_PASSES = 20


def is_doubtful(cell: Cell) -> bool:
    return cell.source.method != "review" and any(r.startswith(DOUBTS) for r in cell.reasons)


@dataclass(frozen=True)
class Settlement:
    """What the rules say of one doubtful cell: the value they determine, through which rule
    instances, and the alternative reading that gives it, if any."""

    cell_id: str
    value: int
    rules: tuple[RuleInstance, ...]
    alternative: Alternative | None


def _determined(values: Mapping[str, int | float | None], cell_id: str,
                instance: RuleInstance) -> int | float | None:
    """The value of `cell_id` that makes `instance` hold, given the other cells' values."""
    others = [c for c in instance.cells if c != cell_id]
    if any(values[c] is None for c in others):
        return None
    left = sum(values[c] for c in instance.left if c != cell_id)  # type: ignore[misc]
    right = sum(values[c] for c in instance.right if c != cell_id)  # type: ignore[misc]
    return right - left if cell_id in instance.left else left - right


def settle(cell: Cell, template: Template, values: Mapping[str, int | float | None],
           instances: Sequence[RuleInstance], unsettled: set[str]) -> Settlement | None:
    """The value every checkable rule instance through `cell` agrees on, or None.

    An instance is checkable when every other cell of it has a value and none of them is
    itself doubtful and unsettled (two doubtful cells in one sum settle neither)."""
    usable = [i for i in instances
              if not any(c in unsettled for c in i.cells if c != cell.id)]
    found = {i: _determined(values, cell.id, i) for i in usable}
    found = {i: v for i, v in found.items() if v is not None}
    proposals = set(found.values())
    if len(proposals) != 1:
        return None
    value = proposals.pop()
    kind = template.value_type(cell.id)
    if not isinstance(value, int) or (kind == "count" and value < 0):
        return None
    if value == 0 and cell.value is None and not any(ch.isdigit() for ch in cell.raw or ""):
        # a blank, or a mark without digits (a dash read as "."), where the sums need
        # nothing: missing and 0 both fit
        return None
    alternative = next((a for a in sorted(cell.alternatives, key=lambda a: -a.confidence)
                        if parse_value(a.text, kind).value == value), None)
    return Settlement(cell.id, value, tuple(found), alternative)


def inferred_cell(cell: Cell, settlement: Settlement) -> Cell:
    """The cell with the settled value; its reading kept in `original`, still flagged."""
    alternative = settlement.alternative
    original = cell.original or {"value": cell.value, "raw": cell.raw,
                                 "confidence": round(cell.confidence, 4),
                                 "method": cell.source.method}
    rules = ", ".join(i.name for i in settlement.rules)
    return replace(
        cell, value=settlement.value,
        raw=alternative.text if alternative else cell.raw,
        confidence=alternative.confidence if alternative else cell.confidence,
        source=replace(cell.source, method="inferred"), original=original, flagged=True,
        reasons=(*cell.reasons, f"{INFERRED}: {rules}"))


def repair_cells(template: Template, cells: Sequence[Cell]) -> list[Cell]:
    """The cells with every doubtful cell the rules settle set to the settled value.

    A settled cell (changed, or confirmed because its reading already satisfies its rules)
    counts as known from then on, so it may settle the next rule: repeated to a fixed point.
    """
    by_id = {c.id: c for c in cells}
    values = {c.id: c.value for c in cells}
    through: dict[str, list[RuleInstance]] = {}
    for instance in rule_instances(template):
        for cid in instance.cells:
            through.setdefault(cid, []).append(instance)
    unsettled = {c.id for c in cells if is_doubtful(c) and c.id in through}
    for _ in range(MAX_PASSES):
        progress = False
        for cid in [c.id for c in cells if c.id in unsettled]:
            settlement = settle(by_id[cid], template, values, through[cid], unsettled)
            if settlement is None:
                continue
            if settlement.value != values[cid]:
                by_id[cid] = inferred_cell(by_id[cid], settlement)
                values[cid] = settlement.value
            unsettled.discard(cid)
            progress = True
        if not progress:
            break
    return [by_id[c.id] for c in cells]


def repair(report: Report, template: Template) -> Report:
    """The report with doubtful cells settled by the rules, its violations checked afresh."""
    if report.template != template.id:
        return report
    return recheck_report(report.replace_cells(repair_cells(template, report.cells)), template)
