"""A reviewer's decisions on flagged cells, as plain functions over the report model.

A decision settles the cell (`source.method = "review"`, no longer flagged, the decision kept
in `reasons`), is recorded in the report's audit trail, and the rules are checked afresh.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from recover.model import REVIEWED, Cell, Report
from recover.rules import recheck_report
from recover.templates import Template
from recover.values import parse_value

Decision = Literal["accepted", "corrected", "unreadable"]
DECISIONS: tuple[Decision, ...] = ("accepted", "corrected", "unreadable")
UNREADABLE_REASON = f"{REVIEWED}: unreadable in the source"


class InvalidDecision(ValueError):
    """A decision the page sent that cannot be applied (unknown cell, not a number, ...)."""


def is_reviewed(cell: Cell) -> bool:
    return cell.source.method == "review"


def needs_review(cell: Cell) -> bool:
    return cell.flagged and not is_reviewed(cell)


def review_queue(report: Report) -> list[str]:
    """The cells a reviewer walks through, in template order: every cell that is or was
    flagged (reviewed cells stay in the queue so a decision can be revisited)."""
    return [c.id for c in report.cells if c.flagged or is_reviewed(c)]


def remaining(report: Report) -> int:
    return sum(needs_review(c) for c in report.cells)


def next_unresolved(report: Report, after: str | None = None) -> str | None:
    """The first cell still to review after `after` (wrapping round), or None when done."""
    queue = review_queue(report)
    start = queue.index(after) + 1 if after in queue else 0
    for cid in queue[start:] + queue[:start]:
        if needs_review(report.cell(cid)):
            return cid
    return None


def _new_value(template: Template, cell: Cell, decision: Decision,
               text: str | None) -> tuple[int | float | None, str | None, str]:
    """(value, unit, reason) of a decision."""
    if decision == "accepted":
        return cell.value, cell.unit, f"{REVIEWED}: accepted"
    if decision == "unreadable":
        return None, None, UNREADABLE_REASON
    parsed = parse_value(text or "", template.value_type(cell.id))
    if parsed.problem or parsed.value is None:
        problem = parsed.problem or "empty"
        raise InvalidDecision(f"{text!r} is not a value for {cell.id} ({problem})")
    return parsed.value, parsed.unit or cell.unit, f"{REVIEWED}: corrected"


def decide(report: Report, template: Template, cell_id: str, decision: Decision,
           text: str | None, reviewer: str, when: datetime | None = None) -> Report:
    """The report with `cell_id` settled by `decision` (`text` is the corrected value)."""
    if decision not in DECISIONS:
        raise InvalidDecision(f"unknown decision {decision!r}")
    try:
        cell = report.cell(cell_id)
    except StopIteration:
        raise InvalidDecision(f"no cell {cell_id!r} in this result") from None
    value, unit, reason = _new_value(template, cell, decision, text)
    reading = {"value": cell.value, "raw": cell.raw, "confidence": round(cell.confidence, 4),
               "method": cell.source.method}
    original = cell.original or reading
    settled = replace(
        cell, value=value, unit=unit, flagged=False,
        reasons=(*(r for r in cell.reasons if not r.startswith(REVIEWED)), reason),
        source=replace(cell.source, method="review"), original=original)
    entry: dict[str, Any] = {
        "cell": cell_id, "decision": decision,
        "original": {"raw": original.get("raw"), "value": original.get("value")},
        "before": cell.value, "value": value,
        "time": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "reviewer": reviewer,
    }
    cells = [settled if c.id == cell_id else c for c in report.cells]
    changed = replace(report, cells=tuple(cells), audit=(*report.audit, entry))
    return recheck_report(changed, template)
