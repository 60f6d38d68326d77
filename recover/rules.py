"""The consistency rules (勾稽关系) and the value-type rules, checked on a report's cells.

A violation is reported and its cells flagged; values are never changed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from recover.model import BAD_TYPE, BREAKS_RULE, Cell, RuleViolation
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


def flag_violations(cells: Sequence[Cell], violations: Sequence[RuleViolation]) -> list[Cell]:
    """The cells, with every cell that takes part in a violation flagged with its rule."""
    reasons: dict[str, list[str]] = {}
    for v in violations:
        prefix = BAD_TYPE if v.rule.startswith("type.") else BREAKS_RULE
        for cid in v.cells:
            reasons.setdefault(cid, []).append(f"{prefix}: {v.rule} ({v.along})")
    out = []
    for cell in cells:
        for reason in reasons.get(cell.id, ()):
            cell = cell.flag(reason)
        out.append(cell)
    return out
