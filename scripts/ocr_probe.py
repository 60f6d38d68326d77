"""Measure the OCR engines on rendered number cells: accuracy, confidence and speed.

Renders a few hundred numbers like those in the report tables (mostly small counts, some
decimals and units) in two CJK fonts with mild blur and noise, fixed seed, and reads them
in one batch per engine on one thread.

    .venv/bin/python scripts/ocr_probe.py [--count 300] [--engines rapidocr,tesseract]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("RECOVER_OCR_THREADS", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from recover.ocr import get_engine  # noqa: E402
from recover.read import crop_cell, ink_mask, normalize_number  # noqa: E402

_CONFTEST = Path(__file__).resolve().parent.parent / "tests" / "ocr" / "conftest.py"


def _rendering():
    spec = importlib.util.spec_from_file_location("ocr_rendering", _CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_numbers(rng: np.random.Generator, count: int) -> list[str]:
    texts = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.4:
            texts.append(str(rng.integers(0, 10)))
        elif kind < 0.7:
            texts.append(str(rng.integers(10, 100)))
        elif kind < 0.88:
            texts.append(str(rng.integers(100, 100000)))
        elif kind < 0.94:
            texts.append(f"{rng.integers(0, 1000)}.{rng.integers(0, 100):02d}")
        else:
            texts.append(f"{rng.integers(1, 100000)}{rng.choice(['元', '万元', '件'])}")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    rendering = _rendering()
    rng = np.random.default_rng(args.seed)
    texts = sample_numbers(rng, args.count)
    crops = []
    for text in texts:
        font = "serif" if rng.random() < 0.5 else "ming"
        image = rendering.render_text(text, font=font, size=int(rng.integers(20, 32)))
        blur, noise = float(rng.uniform(0, 1.0)), float(rng.uniform(0, 12))
        image = rendering.degrade(image, rng, blur, noise)
        crops.append(
            crop_cell(image, ink_mask(image), (0, 0, image.shape[1], image.shape[0])).image
        )

    for name in args.engines.split(","):
        engine = get_engine(name)
        engine.read(crops[:4], "number")  # warm up
        start = time.perf_counter()
        readings = engine.read(crops, "number")
        elapsed = time.perf_counter() - start
        right = [normalize_number(r.text) == t for r, t in zip(readings, texts, strict=True)]
        print(
            f"{name}: {sum(right)}/{len(texts)} right, "
            f"{elapsed / len(texts) * 1000:.1f} ms per crop ({elapsed:.2f} s)"
        )
        for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
            flagged = [r.confidence < threshold for r in readings]
            missed = sum(1 for f, ok in zip(flagged, right, strict=True) if not ok and not f)
            print(
                f"  confidence < {threshold}: {sum(flagged)} flagged, "
                f"{missed} wrong readings not flagged"
            )
        rescued = sum(
            1
            for r, t, ok in zip(readings, texts, right, strict=True)
            if not ok and any(normalize_number(a) == t for a, _ in r.alternatives)
        )
        print(f"  wrong readings whose alternatives hold the truth: {rescued}")
        for r, t, ok in zip(readings, texts, right, strict=True):
            if not ok:
                print(
                    f"    {t!r} read {r.text!r} ({r.confidence:.2f}), "
                    f"alternatives {r.alternatives[:3]}"
                )


if __name__ == "__main__":
    main()
