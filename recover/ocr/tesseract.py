"""Tesseract 5: crops stacked into one page per batch, one recognition each.

Crops are stacked top to bottom with white between them, read as a block of lines, and each
word goes back to the crop whose band holds its centre. Tesseract runs in this process
through tesserocr (its C++ API; the models are loaded once per process, so a page costs
~15 ms more than its recognition instead of ~200 ms of process start and model load);
where tesserocr cannot be imported, the tesseract executable runs through pytesseract.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import cv2
import numpy as np
import pytesseract

from recover.ocr.base import CropKind, OcrEngine, Reading

try:
    import tesserocr
except ImportError:  # no wheel for this platform: the executable, through pytesseract
    tesserocr = None

_HEIGHT = 40  # every crop is scaled to this height before stacking
_SMOOTH_ENLARGED = 2  # a crop enlarged at least this many times is enlarged smoothly
_GAP = 24  # white rows between stacked crops
_MARGIN = 16
_PER_PAGE = 60  # crops per tesseract call
_NUMBER_CHARS = "0123456789.,-+/—元万件个条项无"
# Languages and variables per kind of crop; pages are read as one block of text (--psm 6).
_CONFIG: dict[CropKind, tuple[str, dict[str, str]]] = {
    # chi_sim alone drops lone digits; eng alone cannot read the units (scripts/ocr_probe.py).
    "number": ("eng+chi_sim", {"tessedit_char_whitelist": _NUMBER_CHARS}),
    "label": ("chi_sim+chi_tra", {}),
}
# Where Debian, Fedora, Homebrew and source builds put the models (TESSDATA_PREFIX first).
_TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
             "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")


class TesseractEngine(OcrEngine):
    name = "tesseract"

    def __init__(self, threads: int = 1, in_process: bool = True) -> None:
        # Tesseract's OpenMP threads follow the environment of the process it runs in.
        os.environ.setdefault("OMP_THREAD_LIMIT", str(threads))
        self._in_process = in_process and tesserocr is not None
        self._apis: dict[CropKind, tesserocr.PyTessBaseAPI] = {}

    def forget(self) -> None:
        """Nothing to forget: each crop is read afresh."""

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        readings = self._read_all(crops, kind)
        if kind == "number":
            # Tesseract finds nothing in thin, light type; binarized and thickened, it does
            # (and on small noisy digits thickening hurts, so it is only a second try).
            missed = [i for i, r in enumerate(readings) if not r.text]
            again = self._read_all([_thickened(crops[i]) for i in missed], kind)
            for i, reading in zip(missed, again, strict=True):
                readings[i] = reading
        return readings

    def _read_all(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        readings: list[Reading] = []
        for start in range(0, len(crops), _PER_PAGE):
            readings.extend(self._read_page(crops[start : start + _PER_PAGE], kind))
        return readings

    def _read_page(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        page, bands = _stack([_grey(crop, smooth=kind == "number") for crop in crops])
        found = self._words(page, kind) if self._in_process else _executable_words(page, kind)
        words: list[list[tuple[int, str, float]]] = [[] for _ in crops]
        for text, conf, left, top, height in found:
            if not text.strip() or conf < 0:
                continue
            centre = top + height / 2
            for i, (y0, y1) in enumerate(bands):
                if y0 - _GAP / 2 <= centre < y1 + _GAP / 2:
                    words[i].append((left, text, conf / 100))
                    break
        return [_reading(sorted(found)) for found in words]

    def _words(self, page: np.ndarray, kind: CropKind) -> list[_Word]:
        """(text, confidence 0-100, left, top, height) of each word tesseract finds."""
        api = self._apis.get(kind)
        if api is None:
            lang, variables = _CONFIG[kind]
            api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang=lang,
                                          psm=tesserocr.PSM.SINGLE_BLOCK)
            for name, value in variables.items():
                api.SetVariable(name, value)
            self._apis[kind] = api
        api.SetImageBytes(page.tobytes(), page.shape[1], page.shape[0], 1, page.shape[1])
        api.Recognize()
        level = tesserocr.RIL.WORD
        words = []
        for word in tesserocr.iterate_level(api.GetIterator(), level):
            box = word.BoundingBox(level)
            if box is not None:
                left, top, _, bottom = box
                words.append((word.GetUTF8Text(level), word.Confidence(level), left, top,
                              bottom - top))
        return words


_Word = tuple[str, float, int, int, int]


def _executable_words(page: np.ndarray, kind: CropKind) -> list[_Word]:
    lang, variables = _CONFIG[kind]
    config = " ".join(["--psm 6", *(f"-c {name}={value}" for name, value in variables.items())])
    data = pytesseract.image_to_data(
        page, lang=lang, config=config, output_type=pytesseract.Output.DICT
    )
    return [(text, float(conf), left, top, height) for text, conf, left, top, height in zip(
        data["text"], data["conf"], data["left"], data["top"], data["height"], strict=True)]


def _tessdata() -> str:
    """The folder of tesseract's models: a wheel's built-in path is not where apt puts them."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *_TESSDATA]
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, "chi_sim.traineddata")):
            return folder
    raise RuntimeError("tesseract's chi_sim model was not found in any of "
                       + ", ".join(c for c in candidates if c))


def _thickened(crop: np.ndarray) -> np.ndarray:
    """Black ink on white by Otsu's threshold, strokes a pixel thicker."""
    _, binary = cv2.threshold(_grey(crop, smooth=True), 0, 255,
                              cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return cv2.erode(binary, np.ones((2, 2), np.uint8))


def _reading(words: list[tuple[int, str, float]]) -> Reading:
    if not words:
        return Reading("", 0.0)
    text = _CJK_SPACE.sub("", " ".join(word for _, word, _ in words))
    # The weakest word bounds how sure we are of the whole cell.
    return Reading(text, min(1.0, min(conf for _, _, conf in words)))


def _grey(crop: np.ndarray, smooth: bool) -> np.ndarray:
    """The crop in grey, _HEIGHT pixels high; enlarged smoothly when `smooth` and small."""
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    width = max(1, round(w * _HEIGHT / max(h, 1)))
    # Small digits enlarged pixel by pixel (as INTER_AREA does) read as blocks, so they are
    # enlarged smoothly; larger type is not: there, smoothing lightens a minus sign's thin
    # stroke until tesseract, binarizing the stacked page, loses it among its neighbours.
    # Labels are not: smoothed, a row label of seed-1 bench doc 32 no longer read as its row.
    how = cv2.INTER_LINEAR if smooth and h * _SMOOTH_ENLARGED <= _HEIGHT else cv2.INTER_AREA
    return cv2.resize(grey, (width, _HEIGHT), interpolation=how)


def _stack(crops: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Crops one under another on white; returns the page and each crop's row band."""
    width = max(crop.shape[1] for crop in crops) + 2 * _MARGIN
    height = _MARGIN * 2 + sum(crop.shape[0] for crop in crops) + _GAP * (len(crops) - 1)
    page = np.full((height, width), 255, dtype=np.uint8)
    bands, y = [], _MARGIN
    for crop in crops:
        page[y : y + crop.shape[0], _MARGIN : _MARGIN + crop.shape[1]] = crop
        bands.append((y, y + crop.shape[0]))
        y += crop.shape[0] + _GAP
    return page, bands
