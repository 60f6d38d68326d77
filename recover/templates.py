"""The official table templates, loaded from the data in `models/templates/`.

Everything a template says (rows, columns, labels, aliases, value types, rules) is data;
adding a template version means adding a JSON file, not code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

ValueType = Literal["count", "signed_count", "decimal"]
TABLE_IDS = ("active", "applications", "reviews")


def models_dir() -> Path:
    """Where the data lives: `$RECOVER_MODELS`, else the `models/` folder beside the package."""
    override = os.environ.get("RECOVER_MODELS")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "models"


@dataclass(frozen=True)
class Label:
    id: str
    label: str
    aliases: tuple[str, ...]

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Column(Label):
    type: ValueType = "count"


@dataclass(frozen=True)
class Row(Label):
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    id: str
    title: str
    title_aliases: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    groups: tuple[str, ...]

    def column(self, column_id: str) -> Column:
        return next(c for c in self.columns if c.id == column_id)

    def row(self, row_id: str) -> Row:
        return next(r for r in self.rows if r.id == row_id)

    def label_texts(self) -> tuple[str, ...]:
        """Every label the table prints: rows, columns, groups and title, with aliases."""
        return (*(s for r in self.rows for s in r.spellings),
                *(s for c in self.columns for s in c.spellings),
                *self.groups, self.title, *self.title_aliases)

    def row_columns(self, row: Row) -> tuple[Column, ...]:
        return tuple(self.column(c) for c in row.columns) if row.columns else self.columns

    def cell_ids(self) -> list[str]:
        return [f"{self.id}.{r.id}.{c.id}" for r in self.rows for c in self.row_columns(r)]


@dataclass(frozen=True)
class Rule:
    """`sum(left) == sum(right)`, repeated for each column (`each == "column"`, the ids are
    rows) or for each row (`each == "row"`, the ids are columns) of one table."""

    id: str
    table: str
    each: Literal["row", "column"]
    left: tuple[str, ...]
    right: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    markers: tuple[str, ...]
    tables: dict[str, TableSpec]
    rules: tuple[Rule, ...]

    def cell_ids(self) -> list[str]:
        return [cid for t in TABLE_IDS for cid in self.tables[t].cell_ids()]

    def value_type(self, cell_id: str) -> ValueType:
        table, _row, col = cell_id.split(".")
        return self.tables[table].column(col).type


def _labels(items: list[dict], cls: type, **extra_keys: str) -> tuple:
    out = []
    for item in items:
        kwargs = {k: item[k] for k in extra_keys if k in item}
        if "columns" in kwargs:
            kwargs["columns"] = tuple(kwargs["columns"])
        aliases = tuple(item.get("aliases", ()))
        out.append(cls(id=item["id"], label=item["label"], aliases=aliases, **kwargs))
    return tuple(out)


def _table(table_id: str, data: dict) -> TableSpec:
    return TableSpec(
        id=table_id,
        title=data["title"],
        title_aliases=tuple(data.get("title_aliases", ())),
        columns=_labels(data["columns"], Column, type="type"),
        rows=_labels(data["rows"], Row, columns="columns"),
        groups=tuple(data.get("groups", ())),
    )


def parse_template(data: dict) -> Template:
    return Template(
        id=data["id"],
        name=data["name"],
        markers=tuple(data["markers"]),
        tables={tid: _table(tid, data["tables"][tid]) for tid in TABLE_IDS},
        rules=tuple(
            Rule(r["id"], r["table"], r["each"], tuple(r["left"]), tuple(r["right"]), r["text"])
            for r in data["rules"]
        ),
    )


@cache
def all_templates() -> dict[str, Template]:
    """Every template version in `models/templates/`, by id."""
    found = {}
    for path in sorted((models_dir() / "templates").glob("*.json")):
        template = parse_template(json.loads(path.read_text(encoding="utf-8")))
        found[template.id] = template
    return found


@cache
def all_label_texts() -> tuple[str, ...]:
    """Every label of every template's tables, as written in the templates."""
    return tuple(dict.fromkeys(
        text for t in all_templates().values() for table in t.tables.values()
        for text in table.label_texts()))


def get_template(template_id: str) -> Template:
    return all_templates()[template_id]
