"""Turning a cell's text into a value of its template type: count, signed count or decimal.

A blank cell and the markers `/ - — 无` mean *missing*, which is not 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from recover.templates import ValueType

MISSING_MARKERS = frozenset({"", "/", "-", "—", "–", "－", "——", "无", "無", "\\", "／", "_"})
_UNIT = r"(?P<unit>万元|萬元|千元|元|件|个|個|条|條|项|項|次|人|份)?"
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<digits>\d+(?:\.\d+)?)" + _UNIT + "$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class ParsedValue:
    value: int | float | None
    missing: bool
    unit: str | None = None
    problem: str | None = None  # set when the text is not a value of the expected type


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return _THOUSANDS.sub("", text)


def parse_value(text: str, value_type: ValueType) -> ParsedValue:
    cleaned = _clean(text)
    if cleaned in MISSING_MARKERS:
        return ParsedValue(None, missing=True)
    match = _NUMBER.match(cleaned)
    if not match:
        return ParsedValue(None, missing=False, problem="not a number")
    sign, digits, unit = match["sign"], match["digits"], match["unit"]
    if value_type == "decimal":
        try:
            amount = Decimal(sign + digits)
        except InvalidOperation:
            return ParsedValue(None, missing=False, problem="not a number")
        if amount < 0:
            return ParsedValue(None, missing=False, problem="negative amount")
        whole = "." not in digits
        return ParsedValue(int(amount) if whole else float(amount), missing=False, unit=unit)
    if "." in digits:
        return ParsedValue(None, missing=False, problem="not a whole number")
    number = int(sign + digits)
    if number < 0 and value_type == "count":
        return ParsedValue(None, missing=False, problem="negative count")
    return ParsedValue(number, missing=False, unit=unit)


def looks_like_value(text: str) -> bool:
    """True for text that could stand in a number cell (a number or a missing marker)."""
    cleaned = _clean(text)
    return cleaned in MISSING_MARKERS or bool(_NUMBER.match(cleaned))
