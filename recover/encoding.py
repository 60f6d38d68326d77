"""Text reports as bytes become text: find the encoding, and repair spans that an earlier
tool decoded wrongly (GBK read one byte out of step; UTF-8 read as GBK).

A repair is kept only when a small character-bigram model of government report text (built
from the template labels, a few report phrases and the clean rest of the same document) finds
it clearly more plausible than the text as it stands, so clean text is never changed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from opencc import OpenCC

from recover.errors import UnreadableEncoding

_MODELS = Path(__file__).resolve().parent.parent / "models"

# Words every report uses, beyond the table labels; the rest of the document adds its own.
_REPORT_PHRASES = """
政府信息公开工作年度报告 总体情况 主动公开政府信息情况 依申请公开政府信息办理情况
依申请公开情况 政府信息管理情况 政府信息公开平台建设情况 监督保障情况
收到和处理政府信息公开申请情况 政府信息公开行政复议、行政诉讼情况
存在的主要问题及改进情况 存在的问题 下一步工作计划 改进措施 其他需要报告的事项
本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和
（一）（二）（三）（四）（五）（六）（七）（八）（九）（十）
一是 二是 三是 四是 加强 进一步 不断 完善 健全 制度 机制 工作 要求 落实 按照 规定
年度 本年 上年 我局 我委 我办 我单位 本机关 网站 平台 栏目 发布 信息 条 件 人次
"""

# Sentence punctuation counts as ordinary text; other symbols in the GBK rows A1-A9
# (pinyin, bopomofo, box drawing, kana, Greek...) are what shifted bytes turn into.
_COMMON_PUNCTUATION = set("，。、；：？！“”‘’（）《》〔〕【】—…·　%")
_ASCII_TO_WIDE = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})
_BEAM = 24
_MARGIN = 2.0
_LOST_0X80_BONUS = 0.5  # mean log-probability per character a repair must gain to be kept


@cache
def _opencc(config: str) -> OpenCC:
    return OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified (OpenCC 't2s')."""
    return _opencc("t2s").convert(text)


@cache
def _simple_char(char: str) -> str:
    converted = to_simplified(char).translate(_ASCII_TO_WIDE)
    return converted if len(converted) == 1 else char


@cache
def _char_class_probability(char: str) -> float:
    """A prior for characters the corpus has not seen, by how common their kind is."""
    if char in _COMMON_PUNCTUATION:
        return 1 / 40
    if char.isascii():
        return 1 / 300 if char.isprintable() and char != "?" else 1e-7
    if char == "\ufffd" or 0xE000 <= ord(char) <= 0xF8FF:
        return 1e-9
    simple = _simple_char(char)
    try:
        encoded = simple.encode("gb2312")
    except UnicodeEncodeError:
        return 2e-7 if "\u4e00" <= char <= "\u9fff" else 1e-8
    if len(encoded) != 2:
        return 1e-7
    if 0xB0 <= encoded[0] <= 0xD7:  # GB2312 level 1: the 3755 common characters
        return 1 / 5000
    if 0xD8 <= encoded[0] <= 0xF7:
        return 1 / 60000
    return 1e-8  # symbols of rows A1-A9


def _is_marker(char: str) -> bool:
    """A character that ordinary report text hardly ever contains but mojibake does."""
    return _char_class_probability(char) <= 1e-7 and not char.isascii()


def _is_rare(char: str) -> bool:
    return _char_class_probability(char) <= 1 / 60000 and not char.isascii()


def _suspect(run: str) -> bool:
    """Whether a run of non-ASCII text looks mis-decoded enough to try a repair."""
    if any(map(_is_marker, run)):
        return True
    return len(run) >= 2 and sum(map(_is_rare, run)) >= 0.3 * len(run)


@cache
def _template_text() -> str:
    strings: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((_MODELS / "templates").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return "\n".join(strings)


@dataclass(frozen=True)
class _BigramModel:
    """Character bigrams over simplified text, with a class prior for unseen characters."""

    unigrams: Counter[str]
    bigrams: Counter[tuple[str, str]]
    endings: Counter[str]  # characters that end a label or a run of text
    spellings: Counter[str]  # characters as written, to prefer the document's own script
    forms: frozenset[str]  # every spelling seen, traditional and simplified

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> _BigramModel:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        endings: Counter[str] = Counter()
        spellings: Counter[str] = Counter()
        forms: set[str] = set()
        for text in texts:
            for piece in re.split(r"[\s\x00-\x27\x2a-\x2b\x2d-\x39\x3c-\x7f]+", text):
                simple = [_simple_char(c) for c in piece]
                forms.update(piece)
                spellings.update(piece)
                forms.update(simple)
                unigrams.update(simple)
                bigrams.update(zip(simple, simple[1:], strict=False))
                endings.update(simple[-1:])
        traditional = _opencc("s2t").convert("".join(sorted(forms)))
        return cls(unigrams, bigrams, endings, spellings, frozenset(forms | set(traditional)))

    @cached_property
    def total(self) -> int:
        return max(1, sum(self.unigrams.values()))

    @cached_property
    def followers(self) -> dict[str, set[str]]:
        table: dict[str, set[str]] = {}
        for first, second in self.bigrams:
            table.setdefault(first, set()).add(second)
        return table

    def unigram(self, char: str) -> float:
        simple = _simple_char(char)
        return 0.6 * self.unigrams[simple] / self.total + 0.4 * _char_class_probability(char)

    def logp(self, previous: str | None, char: str) -> float:
        simple = _simple_char(char)
        prior = self.unigram(char)
        # Of a character's spellings (開, 开), the one the text itself uses is likelier.
        spelling = math.log((self.spellings[char] + 0.5) / (self.unigrams[simple] + 1.0))
        if previous is None:
            return math.log(prior) + spelling
        before = _simple_char(previous)
        weight = 3.0
        seen = self.bigrams[(before, simple)]
        return math.log((seen + weight * prior) / (self.unigrams[before] + weight)) + spelling

    def end_logp(self, char: str | None) -> float:
        """log P(a span ends after `char`)."""
        if char is None:
            return 0.0
        simple = _simple_char(char)
        return math.log((self.endings[simple] + 0.1) / (self.unigrams[simple] + 1.0))

    def mean_logp(self, text: str, previous: str | None = None) -> float:
        if not text:
            return 0.0
        total = 0.0
        for char in text:
            total += self.logp(previous, char)
            previous = char
        return total / len(text)


# ---------------------------------------------------------------------------- GBK bytes


def _gbk_char(lead: int, trail: int) -> str | None:
    try:
        char = bytes((lead, trail)).decode("gbk")
    except UnicodeDecodeError:
        return None
    return char if len(char) == 1 else None


@cache
def _dropped_pair(first: int, second: int) -> bool:
    """Whether a decoder one byte out of step silently lost the pair `first second`."""
    return first >= 0x81 and second >= 0x40 and _gbk_char(first, second) is None


@cache
def _chars_with_lead(lead: int) -> tuple[tuple[int, str], ...]:
    found = ((trail, _gbk_char(lead, trail)) for trail in range(0x40, 0xFF))
    return tuple((trail, char) for trail, char in found if char)


@cache
def _chars_with_trail(trail: int) -> tuple[tuple[int, str], ...]:
    found = ((lead, _gbk_char(lead, trail)) for lead in range(0x81, 0xFF))
    return tuple((lead, char) for lead, char in found if char)


@cache
def _gbk_bytes(char: str) -> bytes | None:
    try:
        encoded = char.encode("gbk")
    except UnicodeEncodeError:
        return None
    return encoded if len(encoded) == 2 else None


_UNBALANCED = 12.0  # log-probability cost of a '）' with no '（' before it in the span


def _unbalanced_closings(before: str, added: str) -> int:
    depth = before.count("（") - before.count("）")
    unbalanced = 0
    for char in added:
        if char == "（":
            depth += 1
        elif char == "）":
            unbalanced += depth <= 0
            depth = max(0, depth - 1)
    return unbalanced


@dataclass(frozen=True)
class _Path:
    score: float
    text: str


class _ShiftedDecoder:
    """Rebuilds a GBK span read one byte out of step.

    The garbled characters are the pairs (trail of character i, lead of character i+1). A pair
    that was not valid GBK was dropped by the earlier decoder, losing a trail and a lead; the
    search puts up to two such pairs back in every gap, choosing characters the model likes.
    """

    def __init__(self, model: _BigramModel) -> None:
        self.model = model

    def decode(self, pairs: list[bytes], trail: int | None, previous: str | None) -> str | None:
        paths: dict[str | None, _Path] = {previous: _Path(0.0, "")}
        # The character whose trail opens the span may have lost its lead byte too.
        for _, char in _chars_with_trail(pairs[0][0]):
            if self._known(char):
                paths[char] = _Path(self._score(previous, char), char)
        leads = [pair[1] for pair in pairs]
        trails = [pair[0] for pair in pairs[1:]] + [trail]
        for lead, next_trail in zip(leads, trails, strict=True):
            grown: dict[str | None, _Path] = {}
            for last, path in paths.items():
                for text in self._gap(lead, next_trail, last):
                    score = path.score + self._score(last, text)
                    score -= _UNBALANCED * _unbalanced_closings(path.text, text)
                    key = text[-1] if text else last
                    if key not in grown or grown[key].score < score:
                        grown[key] = _Path(score, path.text + text)
            paths = dict(sorted(grown.items(), key=lambda kv: -kv[1].score)[:_BEAM])
        if not paths:
            return None
        ends = {key: path.score + self.model.end_logp(key) for key, path in paths.items()}
        return paths[max(ends, key=ends.__getitem__)].text

    def _score(self, previous: str | None, text: str) -> float:
        total = 0.0
        for char in text:
            total += self.model.logp(previous, char)
            previous = char
        return total

    def _known(self, char: str) -> bool:
        return char in self.model.forms

    def _gap(self, lead: int, trail: int | None, last: str | None) -> Iterator[str]:
        """Texts that can fill the bytes from `lead` to `trail`, with 0 to 2 lost pairs."""
        firsts = [(t, c) for t, c in _chars_with_lead(lead) if t >= 0x81 and self._known(c)]
        if trail is None:  # the span's last trail byte was lost: guess it from the model
            guesses = [c for _, c in _chars_with_lead(lead) if self._known(c)]
            yield from guesses
            if not guesses:
                yield ""
        elif char := _gbk_char(lead, trail):
            yield char
        for t, first in firsts:
            for ld, last_char in self._lasts(first, trail):
                if _dropped_pair(t, ld):
                    yield first + last_char
            for t2, middle in self._lasts(first, None):
                for ld, last_char in self._lasts(middle, trail):
                    if _dropped_pair(t, t2) and _dropped_pair(_gbk_bytes(middle)[1], ld):
                        yield first + middle + last_char

    def _lasts(self, first: str, trail: int | None) -> list[tuple[int, str]]:
        """(lead byte, character) of the characters that may follow `first`: any known one
        ending in `trail`, or when the trail is unknown, those the model has seen after it."""
        if trail is not None:
            return [(ld, c) for ld, c in _chars_with_trail(trail) if self._known(c)]
        found = []
        for follower in sorted(self.model.followers.get(_simple_char(first), ())):
            for form in sorted({follower, *_opencc("s2t").convert(follower)}):
                if encoded := _gbk_bytes(form):
                    found.append((encoded[0], form))
        return found


# ---------------------------------------------------------------------------- spans

# A run of two-byte characters, with the '?' a decoder printed for a bad pair before it and,
# after it, the '?' that swallowed the next ASCII byte or the ASCII trail byte that resynced.
_RUN = re.compile(r"(\?)?([^\x00-\x7f\s]+)(\?|[\x40-\x7e](?![\x40-\x7e]))?")
_TAG_AFTER = re.compile(r"/?[A-Za-z][A-Za-z0-9]*\s*/?>")


@dataclass(frozen=True)
class _Repair:
    start: int
    end: int
    text: str


def _shifted_gbk_repair(text: str, match: re.Match[str], decoder: _ShiftedDecoder,
                        model: _BigramModel) -> _Repair | None:
    body = match.group(2)
    encoded = [_gbk_bytes(c) for c in body]
    if any(b is None for b in encoded):
        return None
    pairs = [b for b in encoded if b]
    after = match.group(3)
    end = match.end()
    trail = None
    restored_tag = ""
    if after and after != "?":
        trail = ord(after)
    elif after == "?" and _TAG_AFTER.match(text, end):
        restored_tag = "<"  # the lost trail byte swallowed the '<' of a tag
    previous = text[match.start() - 1] if match.start() else None
    decoded = decoder.decode(pairs, trail, previous)
    if not decoded:
        return None
    original = text[match.start():end]
    if model.mean_logp(decoded, previous) < model.mean_logp(original, previous) + _MARGIN:
        return None
    return _Repair(match.start(), end, decoded + restored_tag)


def _utf8_as_gbk_repair(text: str, match: re.Match[str], model: _BigramModel) -> _Repair | None:
    """UTF-8 bytes shown as GBK: encode back to GBK and read as UTF-8. The span may start
    after some clean text, and its last UTF-8 byte may have been lost (an odd byte count)."""
    body = match.group(2)
    rare = [_is_rare(c) for c in body]
    rare_starts = [i for i in range(1, len(body)) if rare[i] and not rare[i - 1]]
    starts = sorted({0, *(max(0, i - k) for i in rare_starts for k in (2, 1, 0))})
    for start in starts:
        decoded = _utf8_with_lost_tail(body[start:], model)
        if decoded is None:
            continue
        begin = match.start(2) + start
        previous = text[begin - 1] if begin else None
        if model.mean_logp(decoded, previous) < model.mean_logp(body[start:], previous) + _MARGIN:
            continue
        return _Repair(begin, match.end(2), decoded)
    return None


def _utf8_with_lost_tail(garbled: str, model: _BigramModel) -> str | None:
    """Decode as UTF-8, putting back continuation bytes the GBK reading lost (0x80 is no
    GBK lead byte, so a decoder that skips bad bytes drops it)."""
    encoded = [_gbk_bytes(c) for c in garbled]
    if any(b is None for b in encoded):
        return None
    raw = b"".join(b for b in encoded if b)
    for _ in range(len(raw)):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "invalid start byte":
                return None
            raw = _restore_continuation(raw, error.start, error.end, model)
    return None


def _restore_continuation(raw: bytes, start: int, end: int, model: _BigramModel) -> bytes:
    previous = raw[:start].decode("utf-8", errors="replace")[-1:] or None
    options = [(raw[:at] + bytes((x,)) + raw[at:], x)
               for at in range(start + 1, end + 1) for x in range(0x80, 0xC0)]

    def plausibility(option: tuple[bytes, int]) -> float:
        # Judge the characters the choice decodes to, and how the next few then decode.
        candidate, lost = option
        window = candidate[start:start + 16].decode("utf-8", errors="replace").rstrip("\ufffd")
        if not window or window[0] == "\ufffd":
            return -math.inf
        # 0x80 is no GBK lead byte, so a decoder that skips bad bytes loses it most often.
        return model.mean_logp(window, previous) + (_LOST_0X80_BONUS if lost == 0x80 else 0.0)

    return max(options, key=plausibility)[0]


def _region_score(text: str, match: re.Match[str], repair: _Repair, model: _BigramModel) -> float:
    """How plausible the whole matched region reads with `repair` applied."""
    region = text[match.start():repair.start] + repair.text + text[repair.end:match.end()]
    return model.mean_logp(region)


def _clean_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if not any(_suspect(m.group(2)) for m in _RUN.finditer(line)):
            yield line


def repair_mojibake(text: str) -> str:
    """`text` with its mis-decoded spans repaired; spans that cannot be repaired with
    confidence, and all clean text, are left as they are."""
    runs = list(_RUN.finditer(text))
    suspect = [_suspect(m.group(2)) for m in runs]
    if not any(suspect):
        return text
    # When most of the text is damaged, so are its short runs that look fine on their own.
    everywhere = sum(suspect) > 0.5 * len(runs)
    model = _BigramModel.from_texts([_template_text(), _REPORT_PHRASES, *_clean_lines(text)])
    decoder = _ShiftedDecoder(model)
    repairs: list[_Repair] = []
    for match, damaged in zip(runs, suspect, strict=True):
        if not (damaged or everywhere):
            continue
        found = [r for r in (_utf8_as_gbk_repair(text, match, model),
                             _shifted_gbk_repair(text, match, decoder, model)) if r]
        if found:
            repairs.append(max(found, key=lambda r: _region_score(text, match, r, model)))
    pieces, position = [], 0
    for repair in repairs:
        pieces += [text[position:repair.start], repair.text]
        position = repair.end
    return "".join([*pieces, text[position:]])


# ---------------------------------------------------------------------------- decoding

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _plausible(text: str) -> bool:
    if not text:
        return True
    odd = sum(1 for c in text if (not c.isprintable() and c not in "\r\n\t\f\v")
              or c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
    return odd <= max(2, len(text) // 200)


def _candidates(data: bytes) -> Iterator[tuple[str, str]]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            yield codec, data[len(bom):].decode(codec.removesuffix("-sig"), errors="strict")
            return
    for codec in ("utf-8", "gb18030", "big5"):
        try:
            yield codec, data.decode(codec)
        except UnicodeDecodeError:
            continue
    if data.count(0) > len(data) // 4:  # UTF-16 without a byte-order mark
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                yield codec, data.decode(codec)
            except UnicodeDecodeError:
                continue


def decode_text(data: bytes, path: object) -> str:
    """The text in `data`: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK or Big5.

    Raises `UnreadableEncoding` when no encoding gives plausible text (a binary file).
    """
    try:
        found = [(codec, text) for codec, text in _candidates(data) if _plausible(text)]
    except UnicodeDecodeError as error:
        raise UnreadableEncoding(path, f"the byte-order mark says {error.encoding}, "
                                       "but the text is not") from error
    if not found:
        raise UnreadableEncoding(path, "the text is in no encoding recover knows "
                                       "(UTF-8, UTF-16, GBK/GB18030, Big5), or is not text")
    if found[0][0] in ("utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"):
        return found[0][1].replace("\r\n", "\n")
    model = _BigramModel.from_texts([_template_text(), _REPORT_PHRASES])
    best = max(found, key=lambda item: model.mean_logp(item[1][:4000]))
    return best[1].replace("\r\n", "\n")
