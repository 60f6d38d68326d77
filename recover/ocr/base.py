"""The OCR seam: a batch of cell crops in, one `Reading` per crop out."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

# "number": a count or amount cell (digits, sign, decimal point, an optional unit);
# "label": a header or row label in Chinese.
CropKind = Literal["number", "label"]


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float  # in [0, 1]
    alternatives: tuple[tuple[str, float], ...] = ()  # other readings the engine considered


class OcrEngine(ABC):
    name: str

    @abstractmethod
    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        """Read each crop (BGR or grey uint8 arrays, already trimmed to the cell's ink).

        One call reads a whole batch; engines must not pay a model set-up per crop.
        """

    @abstractmethod
    def forget(self) -> None:
        """Drop whatever the engine remembers of crops it has read (a new report begins)."""


ENGINE_NAMES = ("rapidocr", "tesseract")


_created: dict[str, OcrEngine] = {}


def get_engine(name: str) -> OcrEngine:
    """The engine called `name`, created once per process; RECOVER_OCR_THREADS sets its
    threads (default 1)."""
    if name not in _created:
        threads = int(os.environ.get("RECOVER_OCR_THREADS", "1"))
        if name == "rapidocr":
            from recover.ocr.rapid import RapidOcrEngine

            _created[name] = RapidOcrEngine(threads)
        elif name == "tesseract":
            from recover.ocr.tesseract import TesseractEngine

            _created[name] = TesseractEngine(threads)
        else:
            raise ValueError(
                f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    return _created[name]


def forget_readings() -> None:
    """Make the engines created so far forget the crops they have read.

    A report's readings must not depend on the reports a process read before it: the same
    crop (a clean "0") turns up in many reports, and a remembered reading was made among
    another report's crops, with another confidence.
    """
    for engine in _created.values():
        engine.forget()
