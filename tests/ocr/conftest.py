"""Cell pictures rendered with real CJK fonts, for the engine and cell-reading tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

SERIF = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)  # the SC face
MING = ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)  # AR PL UMing CN
FONTS = {"serif": SERIF, "ming": MING}


def render_text(
    text: str, font: str = "serif", size: int = 26, margin: int = 6, vertical: bool = False
) -> np.ndarray:
    """`text` in black on white, grey uint8; vertical stacks one character per line."""
    path, index = FONTS[font]
    face = ImageFont.truetype(path, size, index=index)
    lines = list(text) if vertical else [text]
    boxes = [face.getbbox(line) for line in lines]
    line_height = int(size * 1.25)
    width = max(b[2] for b in boxes) + 2 * margin
    height = line_height * len(lines) + 2 * margin
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for n, (line, box) in enumerate(zip(lines, boxes, strict=True)):
        x = margin + (width - 2 * margin - (box[2] - box[0])) // 2 - box[0]
        draw.text((x, margin + n * line_height), line, font=face, fill=0)
    return np.asarray(image)


def degrade(image: np.ndarray, rng: np.random.Generator, blur: float, noise: float) -> np.ndarray:
    """Mild scan damage: Gaussian blur (sigma `blur` px), Gaussian noise (`noise` grey levels)."""
    import cv2

    out = image.astype(np.float32)
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    out += rng.normal(0, noise, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def table_page(
    rows: list[list[str]],
    widths: list[int],
    height: int = 48,
    rule: int = 2,
    font: str = "serif",
    size: int = 24,
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A ruled table with one text per cell; returns the page and each cell's bbox (row-major)."""
    path, index = FONTS[font]
    face = ImageFont.truetype(path, size, index=index)
    x_edges = np.concatenate(([20], 20 + np.cumsum(widths)))
    page = Image.new("L", (int(x_edges[-1]) + 20, 20 + height * len(rows) + 20), 255)
    draw = ImageDraw.Draw(page)
    boxes = []
    for r, row in enumerate(rows):
        y0 = 20 + r * height
        for c, text in enumerate(row):
            box = (int(x_edges[c]), y0, int(x_edges[c + 1]), y0 + height)
            boxes.append(box)
            if text:
                left, top, right, bottom = face.getbbox(text)
                x = (box[0] + box[2] - (right - left)) // 2 - left
                y = (box[1] + box[3] - (bottom - top)) // 2 - top
                draw.text((x, y), text, font=face, fill=0)
    for x in x_edges:
        draw.rectangle(
            [int(x) - rule // 2, 20, int(x) - rule // 2 + rule - 1, 20 + height * len(rows)], fill=0
        )
    for r in range(len(rows) + 1):
        y = 20 + r * height
        draw.rectangle([20, y - rule // 2, int(x_edges[-1]), y - rule // 2 + rule - 1], fill=0)
    return np.asarray(page).copy(), boxes


@pytest.fixture
def render() -> Callable[..., np.ndarray]:
    return render_text
