"""The report model every input becomes, and its (de)serialization to the output contract.

The contract's fixed fields (`template`, and per cell `id value raw confidence flagged reasons
source{method,page,bbox}`) are in `models/result.schema.json`; the rest is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from recover import __version__
from recover.templates import Template

Method = Literal["text", "ocr", "inferred", "review"]
BBox = tuple[int, int, int, int]

# Reason prefixes. A reason is "<prefix>" or "<prefix>: <detail>".
NOT_FOUND = "not found"
LOW_CONFIDENCE = "low confidence"
NOT_A_NUMBER = "not a number"
BAD_TYPE = "wrong type"
BREAKS_RULE = "breaks rule"
UNPLACED = "cannot place"
INFERRED = "inferred from rule"
DISAGREE = "readings disagree"
REVIEWED = "reviewed"  # a person's decision; the reasons before it are settled


@dataclass(frozen=True)
class Source:
    method: Method
    page: int | None = None
    bbox: BBox | None = None
    picture: int | None = None  # which picture of the page, when a page holds several

    def to_dict(self) -> dict[str, Any]:
        out = {"method": self.method, "page": self.page,
               "bbox": list(self.bbox) if self.bbox else None}
        if self.picture is not None:
            out["picture"] = self.picture
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        bbox = data.get("bbox")
        return cls(data["method"], data.get("page"), tuple(bbox) if bbox else None,
                   data.get("picture"))


@dataclass(frozen=True)
class Alternative:
    """Another reading the engine considered for a cell."""

    text: str
    confidence: float


@dataclass(frozen=True)
class Cell:
    id: str
    value: int | float | None
    raw: str | None
    confidence: float
    source: Source
    flagged: bool = False
    reasons: tuple[str, ...] = ()
    unit: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    original: dict[str, Any] | None = None  # the reading before an inference or a review
    # a doubtful reading the sums confirmed: {"by": rule instances, "doubts": its reasons}
    confirmed: dict[str, Any] | None = None

    def flag(self, reason: str) -> Cell:
        if reason in self.reasons:
            return self
        return replace(self, flagged=True, reasons=(*self.reasons, reason))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "value": self.value, "raw": self.raw,
            "confidence": round(self.confidence, 4), "flagged": self.flagged,
            "reasons": list(self.reasons), "source": self.source.to_dict(),
        }
        if self.unit:
            out["unit"] = self.unit
        if self.alternatives:
            out["alternatives"] = [{"text": a.text, "confidence": round(a.confidence, 4)}
                                   for a in self.alternatives]
        if self.original is not None:
            out["original"] = self.original
        if self.confirmed is not None:
            out["confirmed"] = self.confirmed
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cell:
        return cls(
            id=data["id"], value=data["value"], raw=data.get("raw"),
            confidence=float(data["confidence"]), source=Source.from_dict(data["source"]),
            flagged=bool(data["flagged"]), reasons=tuple(data.get("reasons", ())),
            unit=data.get("unit"),
            alternatives=tuple(Alternative(a["text"], float(a["confidence"]))
                               for a in data.get("alternatives", ())),
            original=data.get("original"), confirmed=data.get("confirmed"),
        )


@dataclass(frozen=True)
class RuleViolation:
    """One instance of a consistency rule that the values break."""

    rule: str
    along: str  # the row or column id the rule was applied to
    left: float
    right: float
    cells: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "along": self.along, "left": self.left, "right": self.right,
                "cells": list(self.cells), "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleViolation:
        return cls(data["rule"], data["along"], data["left"], data["right"],
                   tuple(data["cells"]), data["text"])


@dataclass(frozen=True)
class Report:
    template: str | None
    cells: tuple[Cell, ...]
    violations: tuple[RuleViolation, ...] = ()
    input: dict[str, Any] = field(default_factory=dict)  # path, name, sha256, kind, pages
    notes: tuple[str, ...] = ()  # things a person should know that belong to no one cell
    tool_version: str = __version__
    audit: tuple[dict[str, Any], ...] = ()  # review decisions, oldest first

    def cell(self, cell_id: str) -> Cell:
        return next(c for c in self.cells if c.id == cell_id)

    def values(self) -> dict[str, int | float | None]:
        return {c.id: c.value for c in self.cells}

    def replace_cells(self, cells: list[Cell] | tuple[Cell, ...]) -> Report:
        return replace(self, cells=tuple(cells))

    @property
    def flagged(self) -> list[Cell]:
        return [c for c in self.cells if c.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "cells": [c.to_dict() for c in self.cells],
            "violations": [v.to_dict() for v in self.violations],
            "summary": {"cells": len(self.cells), "flagged": len(self.flagged),
                        "violations": len(self.violations)},
            "input": self.input,
            "notes": list(self.notes),
            "tool": {"name": "recover", "version": self.tool_version},
            **({"audit": list(self.audit)} if self.audit else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            template=data["template"],
            cells=tuple(Cell.from_dict(c) for c in data["cells"]),
            violations=tuple(RuleViolation.from_dict(v) for v in data.get("violations", ())),
            input=data.get("input", {}),
            notes=tuple(data.get("notes", ())),
            tool_version=data.get("tool", {}).get("version", __version__),
            audit=tuple(data.get("audit", ())),
        )


def missing_cell(cell_id: str, method: Method) -> Cell:
    return Cell(cell_id, None, None, 0.0, Source(method), flagged=True, reasons=(NOT_FOUND,))


def complete_cells(template: Template, found: dict[str, Cell], method: Method) -> tuple[Cell, ...]:
    """One cell per id of the template, in template order; ids not found are flagged."""
    return tuple(found.get(cid) or missing_cell(cid, method) for cid in template.cell_ids())
