"""Both real engines read rendered number and label crops (no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

from recover.ocr import get_engine
from recover.read import crop_cell, ink_mask, normalize_number

from .conftest import degrade, render_text

NUMBERS = ["0", "1", "7", "12", "305", "9999", "1111", "12.48", "80618元", "-3"]
LABELS = ["本年新收政府信息公开申请数量", "自然人", "商业企业", "行政复议"]


def _cell_crops(images: list[np.ndarray]) -> list[np.ndarray]:
    return [crop_cell(i, ink_mask(i), (0, 0, i.shape[1], i.shape[0])).image for i in images]


@pytest.fixture(scope="module", params=["rapidocr", "tesseract"])
def engine(request):
    return get_engine(request.param)


@pytest.mark.parametrize("font", ["serif", "ming"])
def test_numbers_read_right(engine, font):
    crops = _cell_crops([render_text(t, font=font) for t in NUMBERS])
    readings = engine.read(crops, "number")
    texts = [normalize_number(r.text) for r in readings]
    right = sum(t == n for t, n in zip(texts, NUMBERS, strict=True))
    assert right >= len(NUMBERS) - (0 if engine.name == "rapidocr" else 2), texts
    for reading in readings:
        assert 0.0 <= reading.confidence <= 1.0


def test_labels_read_right(engine):
    crops = _cell_crops([render_text(t) for t in LABELS])
    texts = [r.text for r in engine.read(crops, "label")]
    assert sum(t == label for t, label in zip(texts, LABELS, strict=True)) >= len(LABELS) - 1, texts


def test_shared_engine_is_created_once(engine):
    assert get_engine(engine.name) is engine


def test_rapid_number_decoding_keeps_to_number_characters():
    crops = _cell_crops([render_text(t) for t in ["10", "100", "1010"]])
    for reading in get_engine("rapidocr").read(crops, "number"):
        assert set(reading.text) <= set("0123456789.,-+—/元万件个条项无"), reading.text


def _steps(engine, columns: list[dict[str, float]]) -> np.ndarray:
    """CTC steps over the engine's classes, each the given probabilities, the rest blank."""
    index = {c: i for i, c in enumerate(engine._classes) if c}
    steps = np.zeros((len(columns), len(engine._classes)), dtype=np.float32)
    for t, column in enumerate(columns):
        for char, p in column.items():
            steps[t, index[char]] = p
        steps[t, 0] = 1.0 - sum(column.values())
    return steps


def test_rapid_label_reading_takes_label_characters_for_odd_ones_among_words():
    """Seed-4 bench doc 39: 9 pt type at 100 DPI read as 信N容 and M作载; a character no
    label holds gives way to the likeliest one some label does. A number's look-alike
    (O for 0) stays: the number reader wants to see it."""
    engine = get_engine("rapidocr")
    words = _steps(engine, [{"信": 0.9}, {}, {"N": 0.6, "息": 0.3}, {}, {"内": 0.9}, {},
                            {"容": 0.8}])
    reading = engine._decode(words)
    assert reading.text == "信息内容" and reading.confidence < 0.8
    assert engine._decode(_steps(engine, [{"O": 0.6, "0": 0.3}])).text == "O"


def test_rapid_alternatives_are_other_texts_no_likelier_than_the_reading():
    rng = np.random.default_rng(3)
    texts = [str(n) for n in rng.integers(0, 100000, 40)]
    images = [degrade(render_text(t, size=16), rng, blur=1.2, noise=14) for t in texts]
    readings = get_engine("rapidocr").read(_cell_crops(images), "number")
    assert any(r.alternatives for r in readings)
    for reading in readings:
        for text, p in reading.alternatives:
            assert text != reading.text and 0.0 < p <= reading.confidence


def test_rapid_reads_a_batch_of_200_numbers_quickly():
    import time

    rng = np.random.default_rng(7)
    texts = [str(n) for n in rng.integers(0, 1000, 200)]
    crops = _cell_crops([render_text(t, size=24) for t in texts])
    engine = get_engine("rapidocr")
    start = time.perf_counter()
    readings = engine.read(crops, "number")
    elapsed = time.perf_counter() - start
    assert sum(normalize_number(r.text) == t for r, t in zip(readings, texts, strict=True)) >= 195
    assert elapsed < 6.0  # ~1-1.5 s on one thread; generous for loaded test machines


def test_a_batch_larger_than_the_memory_of_reads_is_read_whole(monkeypatch):
    """The re-read memory forgets old crops only after the batch is answered (a KeyError
    crashed long reports)."""
    import recover.ocr.rapid as rapid

    monkeypatch.setattr(rapid, "_REMEMBERED", 2)
    engine = rapid.RapidOcrEngine()
    crops = _cell_crops([render_text(t) for t in ["1", "2", "3", "4", "5"]])
    engine.read(crops[:2], "number")
    assert [r.text for r in engine.read(crops, "number")] == ["1", "2", "3", "4", "5"]


def test_a_crop_read_as_nothing_among_labels_is_read_again_among_numbers(monkeypatch):
    """Seed-2 bench doc 30: faint zeros first read (for the table's layout) between words
    read as nothing, and that reading was reused for the numbers: 68 zeros lost."""
    import recover.ocr.rapid as rapid

    engine = rapid.RapidOcrEngine()
    crops = _cell_crops([render_text(t) for t in ["12", "0"]])
    runs: list[int] = []
    real_run = engine._run

    def run(images, order):
        runs.append(len(order))
        found = real_run(images, order)
        if 1 in found and len(images) == 2:  # among labels, the 0 reads as nothing
            found[1] = (rapid.Reading("", 0.0), np.zeros_like(found[1][1]))
        return found

    monkeypatch.setattr(engine, "_run", run)
    engine.read(crops, "label")
    runs.clear()
    assert [r.text for r in engine.read(crops, "number")] == ["12", "0"]
    assert runs == [1]  # only the crop that read as nothing was run again


def test_tesseract_reads_thin_light_digits_on_a_second_try():
    """Light type in a fine Ming face: tesseract found nothing until the crop was thickened."""
    image = render_text("0", size=18, font="ming")
    light = np.where(image < 200, 120, 255).astype(np.uint8)  # thin grey strokes
    readings = get_engine("tesseract").read([light, light], "number")
    assert [r.text for r in readings] == ["0", "0"]


def test_tesseract_in_process_reads_as_the_executable_does():
    """tesserocr runs tesseract in this process (models loaded once); where it cannot be
    imported the executable runs through pytesseract: the same texts either way (the
    wheel's tesseract is newer than Debian's; confidences differ by a few hundredths)."""
    from recover.ocr import tesseract

    assert tesseract.tesserocr is not None  # the wheel is a dependency
    crops = _cell_crops([render_text(t, font="ming") for t in NUMBERS[:6]])
    labels = _cell_crops([render_text(t) for t in LABELS])
    inside = tesseract.TesseractEngine(in_process=True)
    outside = tesseract.TesseractEngine(in_process=False)
    for kind, batch in (("number", crops), ("label", labels)):
        a, b = inside.read(batch, kind), outside.read(batch, kind)
        assert [r.text for r in a] == [r.text for r in b]
        assert all(0 < r.confidence <= 1 for r in a)


def test_a_new_report_reads_as_if_the_process_had_read_nothing_before():
    """Seed-2 bench docs 0 and 35 share four crops: doc 35's confidences depended on
    whether the same worker had read doc 0 first. A crop's reading depends on the crops
    read beside it (a 0 beside 12 reads at 0.99, beside a dash as "." at 0.58)."""
    from recover.ocr import forget_readings
    from recover.ocr.rapid import RapidOcrEngine

    zero, twelve, dash = _cell_crops([render_text(t) for t in ["0", "12", "—"]])
    alone = RapidOcrEngine().read([zero, dash], "number")[0]
    engine = get_engine("rapidocr")
    forget_readings()
    engine.read([zero, twelve], "number")
    forget_readings()
    assert engine.read([zero, dash], "number")[0] == alone


@pytest.mark.parametrize("font", ["serif", "ming"])
def test_a_plus_sign_is_read(engine, font):
    """A change on last year (2019) is printed +5 as often as 5; an engine that cannot read
    a + reads +5 as 45 (seed-1 bench doc 9, both engines, once as sure)."""
    texts = ["+5", "+12", "-3", "45"]
    crops = _cell_crops([render_text(t, font=font) for t in texts])
    assert [r.text for r in engine.read(crops, "number")] == texts


def test_tesseract_reads_small_type_scaled_up_smoothly():
    """Numbers 10 pixels high (10.5 pt at 100 DPI): enlarged to tesseract's line height
    pixel by pixel, as INTER_AREA does when it enlarges, they read as blocks (4 of 16
    read); scaled up smoothly, 13 (seed-6 bench doc 0: 115 flags -> 16)."""
    import cv2

    texts = ["0", "2", "38", "5", "6", "1", "0", "46", "17", "23", "0", "8", "0", "12", "0", "9"]
    rng = np.random.default_rng(3)
    small = [cv2.resize(degrade(render_text(t, size=20, margin=8), rng, 1.0, 6), None,
                        fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA) for t in texts]
    readings = get_engine("tesseract").read(_cell_crops(small), "number")
    assert sum(r.text == t for r, t in zip(readings, texts, strict=True)) >= 12
