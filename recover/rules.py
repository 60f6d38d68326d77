"""The consistency rules (勾稽关系) and the value-type rules, checked on a report's cells.

A violation is reported and its cells flagged; values are never changed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace

from recover.model import BAD_TYPE, BREAKS_RULE, REVIEWED, Cell, Report, RuleViolation
from recover.templates import Rule, Template


def _rule_instances(rule: Rule, template: Template) -> Iterable[tuple[str, list[str], list[str]]]:
    """(along, left cell ids, right cell ids) for each row or column the rule applies to."""
    table = template.tables[rule.table]
    if rule.each == "column":
        for column in table.columns:
            yield (column.id, [f"{table.id}.{r}.{column.id}" for r in rule.left],
                   [f"{table.id}.{r}.{column.id}" for r in rule.right])
    else:
        for row in table.rows:
            yield (row.id, [f"{table.id}.{row.id}.{c}" for c in rule.left],
                   [f"{table.id}.{row.id}.{c}" for c in rule.right])


def check_sums(template: Template, values: dict[str, int | float | None]) -> list[RuleViolation]:
    """Every instance of every consistency rule whose cells all have values and disagree.

    An instance with a missing cell cannot be checked and is skipped.
    """
    found = []
    for rule in template.rules:
        for along, left_ids, right_ids in _rule_instances(rule, template):
            cells = left_ids + right_ids
            if any(values.get(c) is None for c in cells):
                continue
            left = sum(values[c] for c in left_ids)  # type: ignore[misc]
            right = sum(values[c] for c in right_ids)  # type: ignore[misc]
            if left != right:
                found.append(RuleViolation(rule.id, along, left, right, tuple(cells), rule.text))
    return found


def check_types(template: Template, cells: Sequence[Cell]) -> list[RuleViolation]:
    """Values that are not of their cell's type (non-negative whole counts, amounts >= 0)."""
    found = []
    for cell in cells:
        if cell.value is None:
            continue
        kind = template.value_type(cell.id)
        value = cell.value
        number = isinstance(value, int | float) and not isinstance(value, bool)
        whole = number and isinstance(value, int)
        ok = {"count": whole and value >= 0, "signed_count": whole,
              "decimal": number and value >= 0}[kind]
        if not ok:
            text = f"{cell.id} must be a {kind.replace('_', ' ')}, not {value!r}"
            found.append(RuleViolation(f"type.{kind}", cell.id, value, value, (cell.id,), text))
    return found


def check_report_cells(template: Template, cells: Sequence[Cell]) -> list[RuleViolation]:
    return check_types(template, cells) + check_sums(template, {c.id: c.value for c in cells})


def _of_type(violation: RuleViolation) -> bool:
    """Whether a violation is of a cell's type (a count that is no whole number, ...), not
    of a sum."""
    return violation.rule.startswith("type.")


def suspects(violations: Sequence[RuleViolation], doubted: Set[str] = frozenset()
             ) -> set[str]:
    """The cells a person should look at for the broken sums; `doubted`: the cells already
    flagged for how they were read or placed.

    One wrong value breaks every sum it is in; so when some cells are in every one of
    several broken sums, those alone can explain them all, and only they are suspect (where
    a row's sum and a column's sum break together, the cell where they cross). Otherwise a
    broken sum's doubted cells are its suspects, and all its cells when it has none: a sum
    of sure readings that breaks holds a printed mistake or a misreading nothing caught,
    and any of its cells may be it. (On bench seeds 1-7, all 161 cells flagged for nothing
    but broken sums were right; the 83 of them in sums that held doubted cells are no
    longer flagged.)
    """
    sums = [set(v.cells) for v in violations if not _of_type(v)]
    if not sums:
        return set()
    if len(sums) > 1 and (common := set.intersection(*sums)):
        return common
    return set().union(*((cells & doubted) or cells for cells in sums))


def flag_violations(cells: Sequence[Cell], violations: Sequence[RuleViolation]) -> list[Cell]:
    """The cells, with every cell of a wrong type and every suspect of the broken sums
    flagged with its rules. A violation keeps all its cells, flagged or not. A cell flagged
    already is flagged for a reason of its own (how it was read or placed)."""
    reasons: dict[str, list[str]] = {}
    suspect = suspects(violations, {c.id for c in cells if c.flagged})
    for v in violations:
        prefix = BAD_TYPE if _of_type(v) else BREAKS_RULE
        for cid in v.cells:
            if prefix == BAD_TYPE or cid in suspect:
                reasons.setdefault(cid, []).append(f"{prefix}: {v.rule} ({v.along})")
    out = []
    for cell in cells:
        for reason in reasons.get(cell.id, ()):
            cell = cell.flag(reason)
        out.append(cell)
    return out


def _without_rule_reasons(cell: Cell) -> Cell:
    """The cell as it was before any rule was checked: a reviewed cell is settled, any
    other stays flagged only for reasons of its own (confidence, placement, ...)."""
    reasons = tuple(r for r in cell.reasons if not r.startswith((BREAKS_RULE, BAD_TYPE)))
    settled = any(r.startswith(REVIEWED) for r in reasons)
    return replace(cell, reasons=reasons, flagged=bool(reasons) and not settled)


def recheck_report(report: Report, template: Template) -> Report:
    """The report with its violations found afresh and only the cells of current violations
    flagged for breaking a rule (after a repair or a person's decision changed values)."""
    cells = [_without_rule_reasons(c) for c in report.cells]
    violations = check_report_cells(template, cells)
    return replace(report, cells=tuple(flag_violations(cells, violations)),
                   violations=tuple(violations))


@dataclass(frozen=True)
class RuleInstance:
    """One consistency rule applied along one row or column: `sum(left) == sum(right)`."""

    rule: str
    along: str
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return (*self.left, *self.right)

    @property
    def name(self) -> str:
        return f"{self.rule} ({self.along})"


def rule_instances(template: Template) -> list[RuleInstance]:
    return [RuleInstance(rule.id, along, tuple(left), tuple(right))
            for rule in template.rules
            for along, left, right in _rule_instances(rule, template)]
