"""Small bad inputs, each made on the spot, with the exit code `recover extract` gives it."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parents[1] / "load"))
from pdfs import text_pdf  # noqa: E402

ROOT = Path(__file__).parents[2]
TEXT_REPORT = ROOT / "tests/text/data/layout_line_2021.txt"
SCAN_PNG = ROOT / "samples/report-2021-scan.png"
SCAN_PDF = ROOT / "samples/report-2019-scan.pdf"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _noise_picture() -> bytes:
    rng = np.random.default_rng(5)
    return _png(Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)))


def _bomb() -> bytes:
    """A small file that decodes to 144 megapixels."""
    return _png(Image.new("1", (12_000, 12_000)))


def _cyrillic_report() -> bytes:
    text = TEXT_REPORT.read_text(encoding="utf-8")
    return "".join(chr(0x410 + ord(c) % 32) if "\u4e00" <= c <= "\u9fff" else c
                   for c in text).encode("utf-8")


_OLD_FORMAT = """某市2015年政府信息公开工作年度报告
一、概述
二、主动公开政府信息情况
本年度主动公开政府信息1234条。
三、依申请公开政府信息情况
| 申请总数 | 当面申请 | 网上申请 | 信函申请 |
| 35 | 10 | 20 | 5 |
"""

_PROSE = [[f"Page {n}: the agency published its notices on time, as every year."]
          for n in range(3)]

# name -> (bytes maker, exit code)
BAD_INPUTS: dict[str, tuple[Callable[[], bytes], int]] = {
    "corrupt.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8, 14),
    "truncated.pdf": (lambda: SCAN_PDF.read_bytes()[:2000], 14),
    "truncated.png": (lambda: SCAN_PNG.read_bytes()[: SCAN_PNG.stat().st_size // 2], 14),
    "corrupt.jpg": (lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, 14),
    "encrypted.pdf": (lambda: text_pdf(_PROSE, user_password="secret"), 15),
    "empty.pdf": (lambda: b"", 13),
    "garbage.pdf": (lambda: bytes(range(256)) * 16, 12),
    "bomb.png": (_bomb, 17),
    "no-table.pdf": (lambda: text_pdf(_PROSE), 20),
    "noise.png": (_noise_picture, 20),
    "old-format.txt": (lambda: _OLD_FORMAT.encode("utf-8"), 22),
    "cyrillic.txt": (_cyrillic_report, 20),
}


def write_bad_inputs(folder: Path) -> dict[Path, int]:
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, (make, code) in BAD_INPUTS.items():
        path = folder / name
        path.write_bytes(make())
        made[path] = code
    return made
