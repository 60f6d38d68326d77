"""A small drawn statistics table (merged headers on top, labels on the left, numbers in the
body) on an A4 page at 150 DPI, for the clean-up tests."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"
COLS = [220] + [110] * 7
ROWS = [44, 44, 70] + [40] * 10
APPLICANTS = ["商业企业", "科研机构", "公益组织", "法律服务", "其他"]
LABELS = [
    "本年新收",
    "上年结转",
    "予以公开",
    "部分公开",
    "不予公开",
    "无法提供",
    "不予处理",
    "其他处理",
    "总计",
    "结转下年",
]


def layout() -> list[tuple[int, int, int, int, str]]:
    cells = [
        (0, 0, 3, 1, "申请情况"),
        (0, 1, 1, 7, "申请人情况"),
        (1, 1, 2, 1, "自然人"),
        (1, 2, 1, 5, "法人或其他组织"),
        (1, 7, 2, 1, "总计"),
    ]
    cells += [(2, 2 + j, 1, 1, label) for j, label in enumerate(APPLICANTS)]
    for i, label in enumerate(LABELS):
        cells.append((3 + i, 0, 1, 1, label))
        cells += [(3 + i, 1 + j, 1, 1, str((i * 5 + j * 3) % 23)) for j in range(7)]
    return cells


def draw_page(origin: tuple[int, int] = (100, 160), rules: bool = True) -> np.ndarray:
    """The table on a white BGR page (1240 x 1754), with a title above it; without its
    rules, as a scan that lost them."""
    page = Image.new("RGB", (1240, 1754), "white")
    pen = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 22)
    pen.text(
        (origin[0], origin[1] - 60), "三、收到和处理政府信息公开申请情况", fill="black", font=font
    )
    xs = np.concatenate([[0], np.cumsum(COLS)]) + origin[0]
    ys = np.concatenate([[0], np.cumsum(ROWS)]) + origin[1]
    for r, c, rs, cs, text in layout():
        box = (xs[c], ys[r], xs[c + cs], ys[r + rs])
        per_line = max(1, (box[2] - box[0] - 10) // 22)
        lines = [text[k : k + per_line] for k in range(0, len(text), per_line)]
        y = (box[1] + box[3]) / 2 - len(lines) * 13
        for line in lines:
            width = pen.textlength(line, font=font)
            pen.text(((box[0] + box[2] - width) / 2, y), line, fill="black", font=font)
            y += 26
        if rules:
            pen.rectangle(box, outline="black", width=2)
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


@pytest.fixture
def table_page() -> np.ndarray:
    return draw_page()


@pytest.fixture
def expected_spans() -> set[tuple[int, int, int, int]]:
    return {(r, c, rs, cs) for r, c, rs, cs, _ in layout()}
