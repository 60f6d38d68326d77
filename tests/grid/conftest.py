"""Drawn replicas of the official tables, for the grid finder's tests.

A layout is a list of cells `(row, col, row_span, col_span, text)`; the drawing puts a rule
on every cell border, so the expected spans are the layout itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"

LayoutCell = tuple[int, int, int, int, str]


@dataclass(frozen=True)
class Table:
    layout: list[LayoutCell]
    col_widths: list[int]
    row_heights: list[int]

    @property
    def n_rows(self) -> int:
        return len(self.row_heights)

    @property
    def n_cols(self) -> int:
        return len(self.col_widths)

    @property
    def size(self) -> tuple[int, int]:
        return sum(self.col_widths), sum(self.row_heights)


def reviews_table() -> Table:
    """四、政府信息公开行政复议、行政诉讼情况: 4 rows x 15 columns."""
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    layout: list[LayoutCell] = [(0, 0, 1, 5, "行政复议"), (0, 5, 1, 10, "行政诉讼")]
    layout += [(1, j, 2, 1, label) for j, label in enumerate(results)]
    layout += [(1, 5, 1, 5, "未经复议直接起诉"), (1, 10, 1, 5, "复议后起诉")]
    layout += [(2, 5 + j, 1, 1, results[j % 5]) for j in range(10)]
    layout += [(3, j, 1, 1, str((j * 7) % 13)) for j in range(15)]
    return Table(layout, [92] * 15, [52, 56, 128, 52])


def applications_table() -> Table:
    """三、收到和处理政府信息公开申请情况 (2021): 28 rows x 10 columns."""
    applicants = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    layout: list[LayoutCell] = [
        (0, 0, 3, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        (0, 3, 1, 7, "申请人情况"),
        (1, 3, 2, 1, "自然人"),
        (1, 4, 1, 5, "法人或其他组织"),
        (1, 9, 2, 1, "总计"),
    ]
    layout += [(2, 4 + j, 1, 1, label) for j, label in enumerate(applicants)]
    layout += [
        (3, 0, 1, 3, "一、本年新收政府信息公开申请数量"),
        (4, 0, 1, 3, "二、上年结转政府信息公开申请数量"),
    ]
    layout += [
        (5, 0, 22, 1, "三、本年度办理结果"),
        (5, 1, 1, 2, "（一）予以公开"),
        (6, 1, 1, 2, "（二）部分公开"),
    ]
    row = 7
    for group, items in (
        ("（三）不予公开", 8),
        ("（四）无法提供", 3),
        ("（五）不予处理", 5),
        ("（六）其他处理", 3),
    ):
        layout.append((row, 1, items, 1, group))
        layout += [(row + k, 2, 1, 1, f"{k + 1}.事项") for k in range(items)]
        row += items
    layout += [(row, 1, 1, 2, "（七）总计"), (row + 1, 0, 1, 3, "四、结转下年度继续办理")]
    layout += [(r, 3 + j, 1, 1, str((r * 3 + j) % 17)) for r in range(3, row + 2) for j in range(7)]
    return Table(layout, [70, 90, 260] + [80] * 7, [60, 44, 80] + [40] * (row + 2 - 3))


def draw_table(
    canvas: np.ndarray,
    table: Table,
    origin: tuple[int, int] = (60, 60),
    *,
    ink: int = 0,
    line_width: int = 2,
    border: bool = True,
    rules: bool = True,
    font_size: int = 20,
) -> np.ndarray:
    """Draw `table` onto a grey canvas in place and return it."""
    x0, y0 = origin
    xs = np.concatenate([[0], np.cumsum(table.col_widths)]) + x0
    ys = np.concatenate([[0], np.cumsum(table.row_heights)]) + y0
    picture = Image.fromarray(canvas)
    pen = ImageDraw.Draw(picture)
    font = ImageFont.truetype(FONT, font_size)
    for r, c, rs, cs, text in table.layout:
        left, top, right, bottom = xs[c], ys[r], xs[c + cs], ys[r + rs]
        _write_wrapped(pen, font, text, (left, top, right, bottom), ink)
    canvas[:] = np.asarray(picture)
    if not rules:
        return canvas
    for r, c, rs, cs, _ in table.layout:
        box = [
            (xs[c], ys[r], xs[c + cs], ys[r]),
            (xs[c], ys[r + rs], xs[c + cs], ys[r + rs]),
            (xs[c], ys[r], xs[c], ys[r + rs]),
            (xs[c + cs], ys[r], xs[c + cs], ys[r + rs]),
        ]
        for ax, ay, bx, by in box:
            on_border = (ay == by and ay in (ys[0], ys[-1])) or (ax == bx and ax in (xs[0], xs[-1]))
            if on_border and not border:
                continue
            cv2.line(canvas, (int(ax), int(ay)), (int(bx), int(by)), int(ink), line_width)
    return canvas


def _write_wrapped(
    pen: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont,
    text: str,
    box: tuple[int, int, int, int],
    ink: int,
) -> None:
    left, top, right, bottom = box
    per_line = max(1, (right - left - 12) // font.size)
    lines = [text[k : k + per_line] for k in range(0, len(text), per_line)]
    height = len(lines) * (font.size + 4)
    y = top + max(4, (bottom - top - height) // 2)
    for line in lines:
        width = pen.textlength(line, font=font)
        pen.text((left + (right - left - width) / 2, y), line, fill=int(ink), font=font)
        y += font.size + 4


def blank_page(width: int = 1654, height: int = 2339) -> np.ndarray:
    return np.full((height, width), 255, np.uint8)


def expected_cells(table: Table) -> set[tuple[int, int, int, int]]:
    return {(r, c, rs, cs) for r, c, rs, cs, _ in table.layout}


@dataclass(frozen=True)
class Drawing:
    """The helpers above, handed to tests as one fixture."""

    blank_page: Callable[..., np.ndarray] = blank_page
    draw_table: Callable[..., np.ndarray] = draw_table
    expected_cells: Callable[[Table], set[tuple[int, int, int, int]]] = expected_cells
    reviews_table: Callable[[], Table] = reviews_table
    applications_table: Callable[[], Table] = applications_table


@pytest.fixture
def drawing() -> Drawing:
    return Drawing()
