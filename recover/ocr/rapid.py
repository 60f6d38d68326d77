"""RapidOCR's PP-OCRv4 recognizer, run on cell crops through our own ONNX session.

We call the recognizer model from the rapidocr wheel directly (no text detection per cell)
so that number cells can be decoded over a small alphabet, with the glyphs a digit is
mistaken for folded into that digit, and so that a CTC beam search can offer alternatives.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from recover.normalize import to_simplified
from recover.ocr.base import CropKind, OcrEngine, Reading
from recover.templates import all_label_texts

# PP-OCRv4 rec is trained at 48 px; at 32 px it reads our crops as well (scripts/ocr_probe.py:
# 299/300 numbers, 60/62 template labels exact) in half the time.
_HEIGHT = 32
_STRIDE = 8  # input pixels per CTC time step
_GAP = 16  # white pixels between crops on a line
_LINE_WIDTH = 800  # a longer crop gets a line of its own

# What a number cell may contain, and the glyphs the model confuses with each character.
# Mass on a look-alike counts for the character; mass on anything else is lost, which
# lowers the reading's probability (a label that landed in a number cell reads as doubtful).
_NUMBER_GLYPHS: dict[str, str] = {
    "0": "0０OoＯｏ〇○D",  # ○: a lone 0 puts much of its mass there
    "1": "1１lI|丨",
    "2": "2２Z",
    "3": "3３",
    "4": "4４",
    "5": "5５S",
    "6": "6６",
    "7": "7７",
    "8": "8８B",
    "9": "9９",
    ".": ".．·。",
    ",": ",，",
    "-": "-－一",
    "+": "+＋十",  # a change on last year (2019's 变化情况) is printed +5 as often as 5
    "—": "—",
    "/": "/／",
    "元": "元",
    "万": "万萬",
    "件": "件",
    "个": "个",  # not 個: the model sees it in the white between crops
    "条": "条條",
    "项": "项項",
    "无": "无無",
}
_LABEL_EXTRA = "0123456789.-+—/ \u3000"  # a number cell's characters, read as a label
_SEPARATORS = ("", " ", "\u3000")  # the CTC blank and the spaces all just separate characters
_BEAM = 8
_PRUNE = 1e-3  # classes below this probability at a time step are not extended
_MIN_ALTERNATIVE = 0.005
_REMEMBERED = 4096  # crops whose model output is kept for a re-read


def _model_path() -> Path:
    import rapidocr_onnxruntime

    return Path(rapidocr_onnxruntime.__file__).parent / "models" / "ch_PP-OCRv4_rec_infer.onnx"


class RapidOcrEngine(OcrEngine):
    name = "rapidocr"

    def __init__(self, threads: int = 1) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(_model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        meta = self._session.get_modelmeta().custom_metadata_map
        # Output class 0 is the CTC blank, then the dictionary, then a space.
        self._classes = ["", *meta["character"].splitlines(), " "]
        self._number_fold = self._fold_matrix()
        self._label_classes = self._label_alphabet()
        self._in_labels = np.zeros(len(self._classes), dtype=bool)
        self._in_labels[self._label_classes] = True
        self._chinese = np.array(["\u4e00" <= c <= "\u9fff" for c in self._classes])
        # crop digest -> (label reading, per-step probabilities of the number alphabet)
        self._seen: OrderedDict[str, tuple[Reading, np.ndarray]] = OrderedDict()

    def _fold_matrix(self) -> np.ndarray:
        """Class probabilities -> [separator, *number characters] probabilities."""
        index = {c: i for i, c in enumerate(self._classes) if c}
        fold = np.zeros((len(self._classes), 1 + len(_NUMBER_GLYPHS)), dtype=np.float32)
        fold[0, 0] = 1.0
        for separator in _SEPARATORS[1:]:
            fold[index[separator], 0] = 1.0
        for group, glyphs in enumerate(_NUMBER_GLYPHS.values(), start=1):
            for glyph in glyphs:
                if glyph in index:
                    fold[index[glyph], group] = 1.0
        return fold

    def _label_alphabet(self) -> np.ndarray:
        """The classes a label may hold: the characters of the templates' labels, in either
        script, digits and the signs a number cell holds."""
        wanted = set(to_simplified("".join(all_label_texts()))) | set(_LABEL_EXTRA)
        return np.array([i for i, c in enumerate(self._classes)
                         if i and c and to_simplified(c) in wanted], dtype=np.intp)

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        keys = [_key(crop) for crop in crops]
        # A crop first read among labels that read as nothing is run again among numbers:
        # a faint 0 between words can vanish and stand out between other numbers.
        todo = [i for i, key in enumerate(keys) if key not in self._seen
                or (kind == "number" and not self._seen[key][0].text)]
        self._recognize([crops[i] for i in todo], [keys[i] for i in todo])
        readings = []
        for key in keys:
            label, folded = self._seen[key]
            readings.append(label if kind == "label" else _number_reading(folded))
        # forget the oldest only now: a batch may hold more crops than are remembered
        while len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return readings

    def forget(self) -> None:
        self._seen.clear()

    def _recognize(self, crops: Sequence[np.ndarray], keys: Sequence[str]) -> None:
        """Run the model over crops packed into lines; remember each crop's decodings.

        The pipeline reads a cell first as a label and again as a number: the second read
        reuses the model's output instead of running it twice. The model's context spans a
        whole line, so a crop that reads as nothing is run once more among other
        neighbours (in reverse order), and the better of its two readings kept.
        """
        images = [_resize(crop) for crop in crops]
        found = self._run(images, list(range(len(images))))
        missed = [i for i, (label, _) in found.items() if not label.text]
        if missed:
            again = self._run(images, missed[::-1])
            for i, (label, folded) in again.items():
                if label.confidence > found[i][0].confidence:
                    found[i] = (label, folded)
        for i, key in enumerate(keys):
            self._seen[key] = found[i]
            self._seen.move_to_end(key)

    def _run(self, images: Sequence[np.ndarray], order: Sequence[int]
             ) -> dict[int, tuple[Reading, np.ndarray]]:
        found = {}
        for line in _pack([images[i].shape[1] for i in order]):
            canvas = np.full((_HEIGHT, line.width, 3), 255, dtype=np.uint8)
            for member, x in zip(line.members, line.starts, strict=True):
                image = images[order[member]]
                canvas[:, x : x + image.shape[1]] = image
            tensor = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 127.5 - 1.0
            probs = self._session.run(None, {self._input: tensor})[0][0]
            for member, (first, last) in zip(line.members, line.steps(probs.shape[0]),
                                             strict=True):
                steps = probs[first:last]
                found[order[member]] = (self._decode(steps), steps @ self._number_fold)
        return found

    def _decode(self, steps: np.ndarray) -> Reading:
        """Greedy CTC over the whole dictionary; confidence is the mean character probability.

        In a reading of words (two Chinese characters or more), where the best class is a
        character no label holds (type too small or blurred for the model reads as Latin
        letters and odd characters among the words), the best label character stands in
        for it, with its own, lower, probability. Readings of numbers keep their look-alikes
        (O, l, 〇), which tell the number reader what it sees.
        """
        best = steps.argmax(axis=1)
        keep = _kept(best)
        odd = (best != 0) & ~self._in_labels[best]
        if odd.any() and self._chinese[best[keep]].sum() >= 2:
            best[odd] = self._label_classes[steps[odd][:, self._label_classes].argmax(axis=1)]
            keep = _kept(best)
        chars = [self._classes[c] for c in best[keep]]
        if not chars:
            return Reading("", 0.0)
        confidence = float(steps[np.flatnonzero(keep), best[keep]].mean())
        return Reading("".join(chars).strip(), min(1.0, confidence))


def _kept(best: np.ndarray) -> np.ndarray:
    """The time steps greedy CTC keeps: a class other than the blank, not a repeat."""
    return (best != 0) & np.concatenate(([True], best[1:] != best[:-1]))


def _key(crop: np.ndarray) -> str:
    return hashlib.blake2b(crop.tobytes() + str(crop.shape).encode(), digest_size=16).hexdigest()


def _number_reading(folded: np.ndarray) -> Reading:
    """CTC prefix beam search over the number alphabet; confidence is P(text | crop)."""
    ranked = _beam_search(folded)
    symbols = list(_NUMBER_GLYPHS)
    texts = ["".join(symbols[s - 1] for s in prefix) for prefix, _ in ranked]
    probs = [min(1.0, p) for _, p in ranked]
    alternatives = tuple(
        (text, round(p, 4))
        for text, p in zip(texts[1:], probs[1:], strict=True)
        if p >= _MIN_ALTERNATIVE
    )
    return Reading(texts[0], probs[0], alternatives)


def _resize(crop: np.ndarray) -> np.ndarray:
    """A crop as a BGR image _HEIGHT pixels high."""
    image = crop if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    width = max(1, round(w * _HEIGHT / max(h, 1)))
    return cv2.resize(image, (width, _HEIGHT), interpolation=cv2.INTER_AREA)


@dataclass
class _Line:
    """Crops laid side by side on one white line, _GAP pixels apart, read in one model run.

    A lone short crop gives the model too little context (a single "0" reads as nothing)
    and one run per crop costs a padded minimum width each; a shared line avoids both.
    """

    members: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    @property
    def width(self) -> int:
        return self.ends[-1] + _GAP

    def steps(self, total: int) -> list[tuple[int, int]]:
        """Each member's range of CTC time steps: its pixels plus half of each gap beside it."""
        cuts = [0]
        for end, start in zip(self.ends, self.starts[1:], strict=False):
            cuts.append(round((end + start) / 2 / _STRIDE))
        cuts.append(total)
        return list(zip(cuts, cuts[1:], strict=False))


def _pack(widths: Sequence[int]) -> list[_Line]:
    lines: list[_Line] = []
    for i, width in enumerate(widths):
        line = lines[-1] if lines else None
        if line is None or line.ends[-1] + _GAP + width > _LINE_WIDTH:
            line = _Line()
            lines.append(line)
        x = line.ends[-1] + _GAP if line.ends else _GAP
        line.members.append(i)
        line.starts.append(x)
        line.ends.append(x + width)
    return lines


def _beam_search(folded: np.ndarray) -> list[tuple[tuple[int, ...], float]]:
    """Most probable label sequences under CTC; column 0 of `folded` is the separator."""
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # (ends blank, not)
    for step in folded:
        separator = float(step[0])
        candidates = [(int(s), float(step[s])) for s in np.flatnonzero(step[1:] > _PRUNE) + 1]
        grown: dict[tuple[int, ...], list[float]] = {}
        for prefix, (blank, other) in beams.items():
            entry = grown.setdefault(prefix, [0.0, 0.0])
            entry[0] += (blank + other) * separator
            for symbol, p in candidates:
                longer = (*prefix, symbol)
                if prefix and prefix[-1] == symbol:
                    entry[1] += other * p  # a repeated symbol without a separator collapses
                    grown.setdefault(longer, [0.0, 0.0])[1] += blank * p
                else:
                    grown.setdefault(longer, [0.0, 0.0])[1] += (blank + other) * p
        best = sorted(grown.items(), key=lambda item: -(item[1][0] + item[1][1]))[:_BEAM]
        beams = {prefix: (b, o) for prefix, (b, o) in best}
    return [(prefix, b + o) for prefix, (b, o) in beams.items()]
