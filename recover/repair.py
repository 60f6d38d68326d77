"""Repair with the rules: a doubtful cell that the consistency rules settle gets the value they
determine (an engine's alternative reading when one fits), marked inferred and still flagged;
a doubtful reading that the sums confirm as read is no longer flagged.

A confident reading is never changed: a report that breaks a rule as printed keeps its
printed values and its violation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product
from math import prod

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
# Doubts about how a value was read, which a sum that holds can lift; not doubts about where
# it belongs (placement) or whether it is a number.
READING_DOUBTS = (LOW_CONFIDENCE, DISAGREE)
# Doubtful cells settled together: at most this many with a choice to make, and this many
# combinations of their readings tried.
MAX_GROUP, MAX_COMBINATIONS = 12, 4096
MIN_CHOICE = 0.05  # an alternative less likely than this is no choice


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
    return Settlement(cell.id, value, tuple(found), _alternative(cell, template, value))


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


def _instances_through(template: Template) -> dict[str, list[RuleInstance]]:
    """Each cell id's rule instances (cells in no rule are absent)."""
    through: dict[str, list[RuleInstance]] = {}
    for instance in rule_instances(template):
        for cid in instance.cells:
            through.setdefault(cid, []).append(instance)
    return through


def repair_cells(template: Template, cells: Sequence[Cell],
                 through: Mapping[str, Sequence[RuleInstance]]) -> list[Cell]:
    """The cells with every doubtful cell the rules settle set to the settled value.

    A settled cell (changed, or confirmed because its reading already satisfies its rules)
    counts as known from then on, so it may settle the next rule: repeated to a fixed point.
    Doubtful cells that share their rules are settled together when exactly one choice among
    their readings and alternatives satisfies every rule they are in. `through`: each cell
    id's rule instances (`_instances_through`).
    """
    by_id = {c.id: c for c in cells}
    values = {c.id: c.value for c in cells}
    unsettled = {c.id for c in cells if is_doubtful(c) and c.id in through}

    def apply(settlement: Settlement) -> None:
        cid = settlement.cell_id
        if settlement.value != values[cid]:
            by_id[cid] = inferred_cell(by_id[cid], settlement)
            values[cid] = settlement.value
        unsettled.discard(cid)

    for _ in range(MAX_PASSES):
        progress = False
        for cid in [c.id for c in cells if c.id in unsettled]:
            settlement = settle(by_id[cid], template, values, through[cid], unsettled)
            if settlement is not None:
                apply(settlement)
                progress = True
        if not progress:
            together = _settled_together(template, by_id, values, through, unsettled)
            for settlement in together:
                apply(settlement)
            if not together:
                break
    return [by_id[c.id] for c in cells]


def _choices(cell: Cell, template: Template) -> list[int | float]:
    """The values a doubtful cell's reading and its alternatives give, most likely first."""
    kind = template.value_type(cell.id)
    likely = sorted((a for a in cell.alternatives if a.confidence >= MIN_CHOICE),
                    key=lambda a: -a.confidence)
    texts = [cell.raw or "", *(a.text for a in likely)]
    found: list[int | float] = []
    for text in texts:
        value = parse_value(text, kind).value
        if value is not None and value not in found:
            found.append(value)
    return found


def _settled_together(template: Template, by_id: Mapping[str, Cell],
                      values: Mapping[str, int | float | None],
                      through: Mapping[str, Sequence[RuleInstance]],
                      unsettled: set[str]) -> list[Settlement]:
    """Doubtful cells settled as a group: the rule instances whose every cell is known or
    a doubtful cell with readings link those cells; a group whose choices admit exactly one
    combination that satisfies all its instances is settled to it."""
    choices = {cid: c for cid in unsettled if (c := _choices(by_id[cid], template))}

    def usable(instance: RuleInstance) -> bool:
        return all(c in choices or (c not in unsettled and values[c] is not None)
                   for c in instance.cells)

    instances = {i for cid in choices for i in through[cid] if usable(i)}
    linked: dict[str, set[RuleInstance]] = {}
    for instance in instances:
        for cid in instance.cells:
            if cid in choices:
                linked.setdefault(cid, set()).add(instance)
    settled: list[Settlement] = []
    seen: set[str] = set()
    for start in sorted(linked):
        if start in seen:
            continue
        group, rules = _group(start, linked)
        seen |= set(group)
        found = _only_fit(group, rules, choices, values)
        if found is not None:
            settled += [Settlement(cid, value, tuple(sorted(linked[cid], key=str)),
                                   _alternative(by_id[cid], template, value))
                        for cid, value in zip(group, found, strict=True)]
    return settled


def _group(start: str, linked: Mapping[str, set[RuleInstance]]
           ) -> tuple[list[str], set[RuleInstance]]:
    """The doubtful cells reachable from `start` through shared instances, and those."""
    group, rules, todo = [start], set(linked[start]), [start]
    while todo:
        for instance in linked[todo.pop()]:
            for cid in instance.cells:
                if cid in linked and cid not in group:
                    group.append(cid)
                    todo.append(cid)
                    rules |= linked[cid]
    return sorted(group), rules


def _only_fit(group: Sequence[str], rules: set[RuleInstance],
              choices: Mapping[str, Sequence[int | float]],
              values: Mapping[str, int | float | None]) -> tuple[int | float, ...] | None:
    """The one combination of the group's choices that satisfies all its rules, or None
    (none, several, or too many to try)."""
    if (sum(len(choices[c]) > 1 for c in group) > MAX_GROUP
            or prod(len(choices[c]) for c in group) > MAX_COMBINATIONS):
        return None
    fits = []
    slots = {cid: n for n, cid in enumerate(group)}
    # each rule as (known part of left - right, the group's cells on the left, on the right)
    checks = [(sum(values[c] for c in i.left if c not in slots)  # type: ignore[misc]
               - sum(values[c] for c in i.right if c not in slots),  # type: ignore[misc]
               [slots[c] for c in i.left if c in slots], [slots[c] for c in i.right if c in slots])
              for i in rules]
    for combination in product(*(choices[c] for c in group)):
        if all(known + sum(combination[n] for n in left) == sum(combination[n] for n in right)
               for known, left, right in checks):
            fits.append(combination)
            if len(fits) > 1:
                return None
    return fits[0] if fits else None


def _alternative(cell: Cell, template: Template, value: int | float) -> Alternative | None:
    kind = template.value_type(cell.id)
    return next((a for a in sorted(cell.alternatives, key=lambda a: -a.confidence)
                 if parse_value(a.text, kind).value == value), None)


def confirmed_cells(cells: Sequence[Cell], through: Mapping[str, Sequence[RuleInstance]]
                    ) -> list[Cell]:
    """The cells with every doubtful reading that the sums confirm unflagged.

    A reading doubted only for how it was read (low confidence, engines that disagree) is
    confirmed when at least one rule instance through it holds with every other cell read
    without doubt, and no instance through it whose cells all have values is broken: one
    misread digit breaks a sum. The rule instances and the doubts are kept in `confirmed`.
    A 0 is never confirmed so: a sum cannot tell 0 from a blank, which is missing, not 0.
    `through`: each cell id's rule instances (`_instances_through`).
    """
    by_id = {c.id: c for c in cells}
    values = {c.id: c.value for c in cells}
    out = []
    for cell in cells:
        by = _confirming(cell, through.get(cell.id, ()), by_id, values)
        if by:
            cell = replace(cell, flagged=False, reasons=(),
                           confirmed={"by": [i.name for i in by], "doubts": list(cell.reasons)})
        out.append(cell)
    return out


def _confirming(cell: Cell, instances: Sequence[RuleInstance], by_id: Mapping[str, Cell],
                values: Mapping[str, int | float | None]) -> list[RuleInstance]:
    """The rule instances that confirm `cell`'s doubtful reading, or none (see
    `confirmed_cells`)."""
    if (not cell.flagged or cell.source.method != "ocr" or not cell.value
            or not all(r.startswith(READING_DOUBTS) for r in cell.reasons)):
        return []
    by = []
    for instance in instances:
        if any(values[c] is None for c in instance.cells):
            continue
        if _determined(values, cell.id, instance) != cell.value:
            return []
        if not any(by_id[c].flagged for c in instance.cells if c != cell.id):
            by.append(instance)
    return by


def repair(report: Report, template: Template) -> Report:
    """The report with doubtful cells settled by the rules and doubtful readings confirmed
    by them, its violations checked afresh."""
    if report.template != template.id:
        return report
    through = _instances_through(template)
    cells = confirmed_cells(repair_cells(template, report.cells, through), through)
    return recheck_report(report.replace_cells(cells), template)
