"""The OCR seam: a batch of cell crops in, one `Reading` per crop out."""

from __future__ import annotations

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


ENGINE_NAMES = ("rapidocr", "tesseract")


def get_engine(name: str) -> OcrEngine:
    """The engine called `name`, created once per process."""
    if name == "rapidocr":
        from recover.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine.shared()
    if name == "tesseract":
        from recover.ocr.tesseract import TesseractEngine

        return TesseractEngine.shared()
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
