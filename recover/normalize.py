"""Label normalization and matching: traditional to simplified, spaces, punctuation,
enumerators and common OCR confusions, so that a printed or read label can be matched
against the template's labels and aliases."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from recover.encoding import to_simplified as convert_to_simplified

_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）])"
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
# Characters OCR engines and mirror sites swap in these labels; mapped to one spelling.
_CONFUSIONS = str.maketrans({"己": "已", "末": "未", "来": "未", "装": "果", "於": "于",
                             "裏": "里", "複": "复", "後": "后", "係": "系", "計": "计"})
_WORD_MIRRORS = (("档案", "文件"),)  # mirrors that convert 文件 to 檔案


@cache
def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified, remembered per label."""
    return convert_to_simplified(text)


@cache
def normalize_label(text: str) -> str:
    """The comparable core of a label: simplified, no spaces, punctuation or enumerator."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = to_simplified(text).translate(_CONFUSIONS)
    text = re.sub(r"\s+", "", text)
    while (stripped := _ENUMERATOR.sub("", text)) != text:
        text = stripped
    text = _PUNCTUATION.sub("", text)
    for mirrored, original in _WORD_MIRRORS:
        text = text.replace(mirrored, original)
    return text


@cache
def similarity(text: str, spelling: str) -> float:
    """How well `text` (normalized) matches `spelling` (normalized), in [0, 1].

    Short labels must match exactly; longer ones may be cut short (as printed, or as read:
    the image path reads only a label's head) and misread a little.
    """
    if not text or not spelling:
        return 0.0
    if text == spelling:
        return 1.0
    if min(len(text), len(spelling)) < 3:
        return 0.0
    ratio = SequenceMatcher(None, text, spelling, autojunk=False).ratio()
    if len(text) >= 6 and len(text) < len(spelling):
        head = SequenceMatcher(None, text, spelling[: len(text)], autojunk=False).ratio()
        ratio = max(ratio, 0.95 * head)
    if spelling.startswith(text) and len(text) >= 4:
        # a label cut short ("本年新收政府信息" for the whole label)
        ratio = max(ratio, 0.75 + 0.25 * len(text) / len(spelling))
    return ratio


@dataclass(frozen=True)
class LabelMatch:
    id: str
    score: float


def best_match(text: str, candidates: Iterable[tuple[str, Iterable[str]]],
               threshold: float = 0.8) -> LabelMatch | None:
    """The candidate id whose spellings best match `text`, if it reaches `threshold`."""
    norm = normalize_label(text)
    best: LabelMatch | None = None
    for cid, spellings in candidates:
        score = max((similarity(norm, normalize_label(s)) for s in spellings), default=0.0)
        if score >= threshold and (best is None or score > best.score):
            best = LabelMatch(cid, score)
    return best
