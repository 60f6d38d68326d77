"""Generate realistic image reports (scans, image PDFs, pictures in DOCX/PDF/HTML) with exact truth.

Each document draws the official merged-cell tables 二/三/四 of one template with values that
keep (or, in about one document in ten, deliberately break) the consistency rules, damages the
pages the way scanners and publishers do, and writes `<name>.truth.json` with every cell's value
and the exact text printed in it.

    python scripts/generate.py --out DIR --count N --seed S [--formats png,jpg,...] [--clean]
    python scripts/generate.py --out samples --samples
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recover.templates import Template, get_template  # noqa: E402

FORMATS = ("png", "jpg", "tiff", "bmp", "webp", "pdf-scan", "pdf-embedded", "docx", "html")
SINGLE_IMAGE_FORMATS = ("png", "jpg", "bmp", "webp")
EMBEDDED_FORMATS = ("pdf-embedded", "docx", "html")
EXTENSIONS = {"pdf-scan": ".pdf", "pdf-embedded": ".pdf", "docx": ".docx", "html": ".html"}
A4_INCHES = (8.27, 11.69)
FIXED_TIME = datetime(2022, 1, 15, 9, 0, tzinfo=UTC)
Rng = np.random.Generator
Value = int | float | None

# ---------------------------------------------------------------------------------------- fonts

FONT_FACES = {
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "ming": ("/usr/share/fonts/truetype/arphic/uming.ttc", "AR PL UMing CN"),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", "AR PL UKai CN"),
    "hei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
}
TABLE_FONT_WEIGHTS = {"serif": 0.4, "ming": 0.3, "sans": 0.15, "kai": 0.1, "hei": 0.05}


@cache
def face_index(face: str) -> int:
    """The index inside a font collection of the face named by its family (e.g. the SC face)."""
    path, family = FONT_FACES[face]
    for index in range(12):
        try:
            if ImageFont.truetype(path, 12, index=index).getname()[0] == family:
                return index
        except OSError:
            break
    return 0


@cache
def load_font(face: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FACES[face][0], max(size_px, 6), index=face_index(face))


@cache
def script_converter(script: str):
    import opencc

    return opencc.OpenCC(script)


def in_script(text: str, script: str) -> str:
    """Labels in simplified, traditional (s2t: 規範性文件) or Taiwan-phrased (s2twp: 規範性檔案)."""
    return text if script == "simplified" else script_converter(script).convert(text)


# ------------------------------------------------------------------------------------ values


def _sparse_count(rng: Rng, p_zero: float, scale: float) -> int:
    if rng.random() < p_zero:
        return 0
    return max(1, int(rng.lognormal(math.log(max(scale, 1.0)), 1.0)))


def _amount(rng: Rng, p_zero: float, scale: float) -> float:
    if rng.random() < p_zero:
        return 0
    digits = int(rng.choice([0, 1, 2], p=[0.3, 0.35, 0.35]))
    amount = round(float(rng.lognormal(math.log(scale), 1.2)), digits)
    return int(amount) if digits == 0 else amount


def _applicant_shares(rng: Rng) -> np.ndarray:
    # natural persons file most applications; the organisation columns are mostly empty
    weights = np.array([rng.uniform(6, 20), rng.uniform(0, 2.5), 0, 0, 0, 0], dtype=float)
    for col in range(2, 6):
        if rng.random() < 0.25:
            weights[col] = rng.uniform(0.1, 1.2)
    return weights / weights.sum()


def _outcome_probabilities(rng: Rng, rows: list[str]) -> np.ndarray:
    base = {"granted": 6.0, "partially_granted": 1.0, "unavailable_not_held": 2.5,
            "not_processed_petition": 0.8, "not_processed_duplicate": 0.5}
    probs = np.array([base.get(r, 0.25) for r in rows])
    active = rng.random(len(rows)) < np.array([0.95 if r in base else 0.3 for r in rows])
    probs = probs * active
    return probs / probs.sum() if probs.sum() else np.eye(len(rows))[0]


def draw_application_values(template: Template, rng: Rng) -> dict[str, int]:
    """Applications built bottom-up: outcomes per applicant column, totals as sums."""
    table = template.tables["applications"]
    outcome_rows = [r.id for r in table.rows if r.id not in ("new", "carried_over", "total",
                                                            "carried_forward")]
    applicant_cols = [c.id for c in table.columns if c.id != "total"]
    scale = rng.choice([0, 8, 60, 600], p=[0.12, 0.48, 0.3, 0.1])
    n_total = int(rng.poisson(scale * rng.uniform(0.3, 1.5))) if scale else 0
    per_column = rng.multinomial(n_total, _applicant_shares(rng))
    probs = _outcome_probabilities(rng, outcome_rows)
    values: dict[str, int] = {}
    for col, n in zip(applicant_cols, per_column, strict=True):
        outcomes = rng.multinomial(int(n), probs)
        total = int(outcomes.sum())
        forward = int(rng.binomial(total, 0.06)) if rng.random() < 0.3 else 0
        over = int(rng.binomial(total + forward, 0.06)) if rng.random() < 0.3 else 0
        column = dict(zip(outcome_rows, map(int, outcomes), strict=True))
        column.update(total=total, carried_forward=forward, carried_over=over,
                      new=total + forward - over)
        for row, v in column.items():
            values[f"applications.{row}.{col}"] = v
    for row in table.rows:
        values[f"applications.{row.id}.total"] = sum(
            values[f"applications.{row.id}.{c}"] for c in applicant_cols)
    return values


def draw_review_values(template: Template, rng: Rng) -> dict[str, int]:
    values: dict[str, int] = {}
    for group in template.tables["reviews"].rows:
        n = int(rng.poisson(rng.choice([0, 2, 8, 40], p=[0.45, 0.3, 0.18, 0.07])))
        parts = rng.multinomial(n, rng.dirichlet([3, 0.6, 0.8, 0.8]))
        for col, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            values[f"reviews.{group.id}.{col}"] = int(v)
        values[f"reviews.{group.id}.total"] = n
    return values


def draw_active_values(template: Template, rng: Rng) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for cell_id in template.tables["active"].cell_ids():
        _, row, col = cell_id.split(".")
        if col == "amount":
            values[cell_id] = _amount(rng, 0.55, 20 if template.id == "2021" else 80)
        elif col == "change":
            values[cell_id] = int(rng.choice([0, 0, 0, 1, 2, -1, -2, 5, -3]))
        elif col == "projects":
            values[cell_id] = _sparse_count(rng, 0.5, 6)
        elif row == "regulations":
            values[cell_id] = _sparse_count(rng, 0.8, 3)
        elif row == "normative_documents":
            values[cell_id] = _sparse_count(rng, 0.35, 12 if col != "in_force" else 60)
        else:
            values[cell_id] = _sparse_count(rng, 0.45, 40)
    for row in ("licensing", "other_services", "penalty", "enforcement", "fees"):
        previous, change = f"active.{row}.previous", f"active.{row}.change"
        if previous in values and change in values:
            values[change] = max(values[change], -values[previous])
    return values


def draw_values(template: Template, rng: Rng) -> dict[str, Value]:
    """Every cell of the template, consistent with all the rules."""
    values: dict[str, Value] = {}
    values.update(draw_active_values(template, rng))
    values.update(draw_application_values(template, rng))
    values.update(draw_review_values(template, rng))
    return values


BREAKABLE_CELLS = (
    "applications.total.{col}", "applications.new.{col}", "applications.carried_forward.{col}",
    "applications.granted.{col}", "applications.{row}.total", "reviews.{group}.total",
)


def break_one_rule(template: Template, values: dict[str, Value], rng: Rng) -> str:
    """Change one printed number so that at least one rule no longer holds; return its id."""
    table = template.tables["applications"]
    pattern = str(rng.choice(BREAKABLE_CELLS))
    cell_id = pattern.format(
        col=rng.choice([c.id for c in table.columns]),
        row=rng.choice([r.id for r in table.rows]),
        group=rng.choice([g.id for g in template.tables["reviews"].rows]),
    )
    old = int(values[cell_id] or 0)
    delta = int(rng.choice([1, 2, 3, 10])) * (1 if old < 3 or rng.random() < 0.5 else -1)
    values[cell_id] = old + delta
    return cell_id


# --------------------------------------------------------------------------------- printing


@dataclass(frozen=True)
class PrintHabits:
    """How one agency writes numbers: a missing marker for some zeros, units, separators."""

    missing_marker: str | None = None
    missing_rate: float = 0.0
    count_unit_rate: float = 0.0
    thousands: bool = False
    amount_unit: str = ""


def draw_habits(rng: Rng, template_id: str) -> PrintHabits:
    habits = PrintHabits(thousands=bool(rng.random() < 0.1))
    if rng.random() < 0.2:
        marker = str(rng.choice(["/", "—", "无", "", "-"]))
        habits = replace(habits, missing_marker=marker, missing_rate=float(rng.uniform(0.05, 0.4)))
    if rng.random() < 0.06:
        habits = replace(habits, count_unit_rate=float(rng.uniform(0.1, 0.5)))
    if template_id == "2019" and rng.random() < 0.35:
        habits = replace(habits, amount_unit=str(rng.choice(["万元", "元"])))
    return habits


def _number_text(value: int | float, habits: PrintHabits) -> str:
    if isinstance(value, float):
        text = f"{value:,}" if habits.thousands else repr(value)
        return text
    return f"{value:,}" if habits.thousands else str(value)


def print_values(
    template: Template, values: Mapping[str, Value], habits: PrintHabits, rng: Rng,
    keep: Iterable[str] = (),
) -> tuple[dict[str, str], dict[str, Value], dict[str, str]]:
    """The text drawn in each cell, the value it stands for, and any unit written with it.

    Only zeros become missing markers, so a document that keeps the rules still keeps them
    when a checker reads a missing cell as 0.
    """
    printed: dict[str, str] = {}
    truth: dict[str, Value] = {}
    units: dict[str, str] = {}
    keep = set(keep)
    for cell_id in template.cell_ids():
        value = values[cell_id]
        kind = template.value_type(cell_id)
        if value is None or (value == 0 and cell_id not in keep and habits.missing_marker
                             is not None and rng.random() < habits.missing_rate):
            printed[cell_id] = habits.missing_marker or ""
            truth[cell_id] = None
            continue
        text = _number_text(value, habits)
        if kind == "signed_count" and value > 0 and rng.random() < 0.15:
            text = "+" + text
        if kind == "decimal" and habits.amount_unit and value != 0:
            if habits.amount_unit == "元" and isinstance(value, float):
                value = round(value * 10000)
                text = _number_text(value, habits)
            text += habits.amount_unit
            units[cell_id] = habits.amount_unit
        elif kind == "count" and value != 0 and rng.random() < habits.count_unit_rate:
            text += "件"
            units[cell_id] = "件"
        printed[cell_id] = text
        truth[cell_id] = value
    return printed, truth, units


# ----------------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class LayoutCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    cell_id: str | None = None  # set for cells that hold a value
    role: str = "label"  # label | narrow (a short header that may be spaced or vertical) | value


@dataclass(frozen=True)
class TableLayout:
    table_id: str
    n_rows: int
    n_cols: int
    col_weights: tuple[float, ...]
    cells: tuple[LayoutCell, ...]
    header_rows: int = 0  # rows repeated when the table runs over a page break


ACTIVE_BLOCKS = {
    "2021": (
        ("第二十条第（一）项", ("made", "repealed", "in_force"),
         ("regulations", "normative_documents")),
        ("第二十条第（五）项", ("decisions",), ("licensing",)),
        ("第二十条第（六）项", ("decisions",), ("penalty", "enforcement")),
        ("第二十条第（八）项", ("amount",), ("fees",)),
    ),
    "2019": (
        ("第二十条第（一）项", ("new_made", "new_published", "total_published"),
         ("regulations", "normative_documents")),
        ("第二十条第（五）项", ("previous", "change", "decisions"),
         ("licensing", "other_services")),
        ("第二十条第（六）项", ("previous", "change", "decisions"), ("penalty", "enforcement")),
        ("第二十条第（八）项", ("previous", "change"), ("fees",)),
        ("第二十条第（九）项", ("projects", "amount"), ("procurement",)),
    ),
}


def _value_spans(n_values: int) -> list[tuple[int, int]]:
    """(first column, span) of each value column in the three value columns of table 二."""
    return {1: [(1, 3)], 2: [(1, 1), (2, 2)], 3: [(1, 1), (2, 1), (3, 1)]}[n_values]


def active_layout(template: Template) -> TableLayout:
    table = template.tables["active"]
    cells: list[LayoutCell] = []
    r = 0
    for block, columns, rows in ACTIVE_BLOCKS[template.id]:
        spans = _value_spans(len(columns))
        cells.append(LayoutCell(r, 0, block, colspan=4))
        cells.append(LayoutCell(r + 1, 0, "信息内容"))
        for (c, span), col in zip(spans, columns, strict=True):
            cells.append(LayoutCell(r + 1, c, table.column(col).label, colspan=span))
        r += 2
        for row in rows:
            cells.append(LayoutCell(r, 0, table.row(row).label))
            for (c, span), col in zip(spans, columns, strict=True):
                cells.append(LayoutCell(r, c, "", colspan=span, cell_id=f"active.{row}.{col}",
                                        role="value"))
            r += 1
    return TableLayout("active", r, 4, (1.6, 1.0, 1.0, 1.0), tuple(cells))


APPLICATION_GROUPS = {"denied_": "（三）不予公开", "unavailable_": "（四）无法提供",
                      "not_processed_": "（五）不予处理", "other_": "（六）其他处理"}
TOP_LEFT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _application_label_cells(template: Template, first_row: int) -> list[LayoutCell]:
    rows = template.tables["applications"].rows
    cells: list[LayoutCell] = []
    outcome_rows = [i for i, row in enumerate(rows) if row.id not in
                    ("new", "carried_over", "carried_forward")]
    cells.append(LayoutCell(first_row + outcome_rows[0], 0, "三、本年度办理结果",
                            rowspan=len(outcome_rows)))
    i = 0
    while i < len(rows):
        row = rows[i]
        prefix = next((p for p in APPLICATION_GROUPS if row.id.startswith(p)), None)
        if row.id in ("new", "carried_over", "carried_forward"):
            cells.append(LayoutCell(first_row + i, 0, row.label, colspan=3))
        elif prefix is None or row.id == "other":
            cells.append(LayoutCell(first_row + i, 1, row.label, colspan=2))
        else:
            n = sum(1 for r in rows if r.id.startswith(prefix))
            cells.append(LayoutCell(first_row + i, 1, APPLICATION_GROUPS[prefix], rowspan=n))
            for k in range(n):
                cells.append(LayoutCell(first_row + i + k, 2, rows[i + k].label))
            i += n
            continue
        i += 1
    return cells


def applications_layout(template: Template) -> TableLayout:
    table = template.tables["applications"]
    cells = [
        LayoutCell(0, 0, TOP_LEFT, rowspan=3, colspan=3),
        LayoutCell(0, 3, "申请人情况", colspan=7),
        LayoutCell(1, 3, table.column("natural_person").label, rowspan=2, role="narrow"),
        LayoutCell(1, 4, "法人或其他组织", colspan=5),
        LayoutCell(1, 9, table.column("total").label, rowspan=2, role="narrow"),
    ]
    leaves = ("commercial", "research", "social_welfare", "legal_service", "other")
    cells += [LayoutCell(2, 4 + k, table.column(c).label, role="narrow")
              for k, c in enumerate(leaves)]
    cells += _application_label_cells(template, 3)
    for i, row in enumerate(table.rows):
        for k, col in enumerate(table.columns):
            cells.append(LayoutCell(3 + i, 3 + k, "", cell_id=f"applications.{row.id}.{col.id}",
                                    role="value"))
    weights = (0.9, 1.3, 4.6) + (1.0,) * 7
    return TableLayout("applications", 3 + len(table.rows), 10, weights, tuple(cells), 3)


def reviews_layout(template: Template) -> TableLayout:
    table = template.tables["reviews"]
    groups = [g.id for g in table.rows]
    cells = [LayoutCell(0, 0, table.row("review").label, colspan=5),
             LayoutCell(0, 5, "行政诉讼", colspan=10),
             LayoutCell(1, 5, table.row("litigation_direct").label, colspan=5),
             LayoutCell(1, 10, table.row("litigation_after_review").label, colspan=5)]
    for k, col in enumerate(table.columns):
        cells.append(LayoutCell(1, k, col.label, rowspan=2, role="narrow"))
        cells.append(LayoutCell(2, 5 + k, col.label, role="narrow"))
        cells.append(LayoutCell(2, 10 + k, col.label, role="narrow"))
    for g, group in enumerate(groups):
        for k, col in enumerate(table.columns):
            cells.append(LayoutCell(3, 5 * g + k, "", cell_id=f"reviews.{group}.{col.id}",
                                    role="value"))
    return TableLayout("reviews", 4, 15, (1.0,) * 15, tuple(cells))


def table_layouts(template: Template) -> list[TableLayout]:
    return [active_layout(template), applications_layout(template), reviews_layout(template)]


# ------------------------------------------------------------------------------------ style


@dataclass(frozen=True)
class TableStyle:
    """How the tables are drawn; `dpi` fixes the pixel size of everything else."""

    dpi: int = 150
    face: str = "serif"
    font_pt: float = 10.5
    line_px: int = 2
    rule_gray: int = 0
    broken_rules: bool = False
    value_align: str = "center"  # center | right | left
    item_align: str = "center"  # alignment of the long row labels of table 三
    narrow_labels: str = "plain"  # plain | spaced | vertical
    script: str = "simplified"  # simplified | s2t | s2twp
    width_jitter: float = 0.1
    padding: float = 0.3  # cell padding in em
    line_spacing: float = 1.3

    @property
    def font_px(self) -> int:
        return round(self.font_pt * self.dpi / 72)


def draw_style(rng: Rng, dpi: int) -> TableStyle:
    faces = list(TABLE_FONT_WEIGHTS)
    return TableStyle(
        dpi=dpi,
        face=str(rng.choice(faces, p=list(TABLE_FONT_WEIGHTS.values()))),
        font_pt=float(rng.choice([9, 10, 10.5, 10.5, 12])),
        line_px=int(rng.choice([1, 1, 2, 2, 3])) if dpi >= 150 else int(rng.choice([1, 1, 2])),
        value_align=str(rng.choice(["center", "center", "center", "right", "left"])),
        item_align=str(rng.choice(["center", "left", "left"])),
        narrow_labels=str(rng.choice(["plain", "plain", "spaced", "vertical"])),
        script=str(rng.choice(["simplified", "s2t", "s2twp"], p=[0.85, 0.1, 0.05])),
        width_jitter=float(rng.uniform(0, 0.25)),
        padding=float(rng.uniform(0.15, 0.45)),
        line_spacing=float(rng.uniform(1.15, 1.5)),
    )


# -------------------------------------------------------------------------------- rendering


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, line = [], ""
    for char in text:
        if line and font.getlength(line + char) > width:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line or not lines else lines


def _cell_lines(cell: LayoutCell, text: str, font: ImageFont.FreeTypeFont, width: float,
                style: TableStyle) -> list[str]:
    if cell.role == "narrow" and style.narrow_labels == "vertical":
        return list(text)
    if cell.role == "narrow" and style.narrow_labels == "spaced":
        spaced = " ".join(text)
        return [spaced] if font.getlength(spaced) <= width else _wrap(text, font, width)
    return _wrap(text, font, width)


@dataclass(frozen=True)
class Geometry:
    xs: tuple[int, ...]  # column boundaries, n_cols + 1
    heights: tuple[int, ...]  # row heights
    lines: dict[int, list[str]] = field(default_factory=dict)  # by cell index


def layout_geometry(layout: TableLayout, texts: list[str], style: TableStyle, width: int,
                    rng: Rng) -> Geometry:
    weights = np.array(layout.col_weights) * rng.uniform(1 - style.width_jitter,
                                                         1 + style.width_jitter, layout.n_cols)
    xs = np.round(np.concatenate([[0], np.cumsum(weights / weights.sum() * width)])).astype(int)
    font = load_font(style.face, style.font_px)
    pad = max(2, round(style.padding * style.font_px))
    line_h = round(style.font_px * style.line_spacing)
    heights = np.full(layout.n_rows, line_h + 2 * pad)
    lines: dict[int, list[str]] = {}
    needs: list[tuple[LayoutCell, int]] = []
    for index, (cell, text) in enumerate(zip(layout.cells, texts, strict=True)):
        cell_width = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * pad
        lines[index] = _cell_lines(cell, text, font, cell_width, style)
        needs.append((cell, len(lines[index]) * line_h + 2 * pad))
    for cell, need in sorted(needs, key=lambda item: item[0].rowspan):
        span = slice(cell.row, cell.row + cell.rowspan)
        short = need - heights[span].sum()
        if short > 0:
            heights[span] += int(math.ceil(short / cell.rowspan))
    return Geometry(tuple(int(x) for x in xs), tuple(int(h) for h in heights), lines)


def _draw_rule(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int],
               style: TableStyle, rng: Rng) -> None:
    color = style.rule_gray
    if not style.broken_rules:
        draw.line([start, end], fill=color, width=style.line_px)
        return
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    pos = 0
    while pos < length:
        run = int(rng.integers(30, 300))
        stop = min(length, pos + run)
        t0, t1 = pos / length, stop / length
        draw.line([(x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0),
                   (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1)], fill=color, width=style.line_px)
        pos = stop + int(rng.integers(2, 3 + 2 * style.line_px))


def _rule_runs(units: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Merge unit segments (line, index) into runs (line, first, last + 1)."""
    runs = []
    for line, index in sorted(units):
        if runs and runs[-1][0] == line and runs[-1][2] == index:
            runs[-1] = (line, runs[-1][1], index + 1)
        else:
            runs.append((line, index, index + 1))
    return runs


def _draw_text(image: Image.Image, box: tuple[int, int, int, int], lines: list[str],
               align: str, style: TableStyle) -> None:
    """Text centred vertically in `box`, clipped to it (a cell cut by a page break)."""
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0 or not any(lines):
        return
    font = load_font(style.face, style.font_px)
    line_h = round(style.font_px * style.line_spacing)
    pad = max(2, round(style.padding * style.font_px))
    layer = Image.new("L", (x1 - x0, y1 - y0), 255)
    draw = ImageDraw.Draw(layer)
    top = (y1 - y0 - line_h * len(lines)) / 2
    for k, line in enumerate(lines):
        y = top + line_h * (k + 0.5)
        if align == "left":
            draw.text((pad, y), line, font=font, fill=0, anchor="lm")
        elif align == "right":
            draw.text((x1 - x0 - pad, y), line, font=font, fill=0, anchor="rm")
        else:
            draw.text(((x1 - x0) / 2, y), line, font=font, fill=0, anchor="mm")
    region = image.crop(box)
    image.paste(Image.fromarray(np.minimum(np.asarray(region), np.asarray(layer))), box)


def _cell_align(cell: LayoutCell, style: TableStyle) -> str:
    if cell.role == "value":
        return style.value_align
    if cell.col == 2 and cell.colspan == 1 and cell.row >= 3:
        return style.item_align  # the numbered items of table 三
    return "center"


def render_layout(layout: TableLayout, texts: list[str], geometry: Geometry, style: TableStyle,
                  rng: Rng, row_ranges: list[tuple[int, int]] | None = None) -> Image.Image:
    """Draw the rows in `row_ranges` (stacked), clipping cells that cross a range's edge."""
    row_ranges = row_ranges or [(0, layout.n_rows)]
    margin = style.line_px + 1
    heights = geometry.heights
    stacked: dict[int, int] = {}  # table row -> y of its top in the image
    y = margin
    for first, last in row_ranges:
        for r in range(first, last):
            stacked[r] = y
            y += heights[r]
    image = Image.new("L", (geometry.xs[-1] + 2 * margin, y + margin), 255)
    h_units: set[tuple[int, int]] = set()  # (y, column)
    v_units: set[tuple[int, int]] = set()  # (x, row)
    for index, cell in enumerate(layout.cells):
        for first, last in row_ranges:
            r0, r1 = max(cell.row, first), min(cell.row + cell.rowspan, last)
            if r0 >= r1:
                continue
            top, bottom = stacked[r0], stacked[r1 - 1] + heights[r1 - 1]
            left = geometry.xs[cell.col] + margin
            right = geometry.xs[cell.col + cell.colspan] + margin
            for c in range(cell.col, cell.col + cell.colspan):
                h_units.update({(top, c), (bottom, c)})
            for r in range(r0, r1):
                v_units.update({(left, r), (right, r)})
            if r0 == cell.row:
                _draw_text(image, (left + 1, top + 1, right - 1, bottom - 1),
                           geometry.lines[index], _cell_align(cell, style), style)
    draw = ImageDraw.Draw(image)
    for line, c0, c1 in _rule_runs(h_units):
        _draw_rule(draw, (geometry.xs[c0] + margin, line), (geometry.xs[c1] + margin, line),
                   style, rng)
    for line, r0, r1 in _rule_runs(v_units):
        _draw_rule(draw, (line, stacked[r0]), (line, stacked[r1 - 1] + heights[r1 - 1]),
                   style, rng)
    return image


def layout_texts(layout: TableLayout, printed: Mapping[str, str], style: TableStyle) -> list[str]:
    return [printed.get(c.cell_id, "") if c.cell_id else in_script(c.text, style.script)
            for c in layout.cells]


def render_tables(template_id: str, values: Mapping[str, Value | str],
                  style: TableStyle | None = None, width_px: int | None = None,
                  seed: int = 0) -> list[Image.Image]:
    """Tables 二, 三 and 四 as greyscale images; `values` maps cell ids to numbers or text
    (missing ids and None print as blank)."""
    style = style or TableStyle()
    rng = np.random.default_rng(seed)
    width = width_px or round(6.3 * style.dpi)
    printed = {k: "" if v is None else v if isinstance(v, str) else repr(v)
               for k, v in values.items()}
    images = []
    for layout in table_layouts(get_template(template_id)):
        texts = layout_texts(layout, printed, style)
        images.append(render_layout(layout, texts, layout_geometry(layout, texts, style, width,
                                                                   rng), style, rng))
    return images


# ------------------------------------------------------------------------------- documents

AGENCIES = ("某市生态环境局", "某县人民政府办公室", "某区市场监督管理局", "某市自然资源和规划局",
            "某县教育局", "某镇人民政府", "某市住房和城乡建设局", "某区卫生健康委员会")
PROSE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息"
    "与政务公开办公室有关要求编制。",
    "本报告中所列数据的统计期限自1月1日起至12月31日止。如对本报告有任何疑问，请与本机关"
    "政务公开办公室联系。",
    "一年来，本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
    "围绕中心工作，持续深化政务公开，不断提升政府信息公开的质量和实效。",
    "在主动公开方面，本机关依托门户网站、政务新媒体等平台，及时公开机构职能、政策文件、"
    "规划计划、行政执法等信息，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "在依申请公开方面，本机关严格按照法定程序和时限办理，做到答复规范、依据充分、告知明确。",
    "本年度本机关未发生因政府信息公开工作被纠错的情况，未收取信息处理费。",
    "下一步，本机关将进一步加强政府信息公开平台建设，完善信息发布审查机制，提高公开质量。",
)
CLOSING_TITLE = "五、政府信息公开工作存在的主要问题及改进情况"


@dataclass(frozen=True)
class Block:
    """One item of a document's flow: a paragraph, a heading, or a table picture."""

    kind: str  # title | heading | paragraph | table
    text: str = ""
    image: Image.Image | None = None
    table_id: str = ""


@dataclass(frozen=True)
class Damage:
    """Everything done to the document's pictures; recorded in the truth file."""

    dpi: int = 200
    rotation: float = 0.0
    quarter_turn: int = 0
    perspective: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    jpeg_quality: int | None = None
    rule_gray: int = 0
    broken_rules: bool = False
    seal: bool = False
    lighting: float = 0.0
    bilevel: bool = False
    grayscale: bool = True
    paper_tint: bool = False
    split_table: str | None = None  # None | repeat_header | no_header
    landscape: bool = False


def draw_damage(rng: Rng, fmt: str) -> Damage:
    paged = fmt not in SINGLE_IMAGE_FORMATS
    embedded = fmt in EMBEDDED_FORMATS
    chance = rng.random

    def maybe(p: float, value, otherwise=None):
        return value if chance() < p else otherwise

    damage = Damage(
        dpi=int(rng.choice([100, 120, 150, 200, 200, 250, 300])),
        rotation=0.0 if embedded else maybe(0.5, round(float(rng.normal(0, 1.2)), 2), 0.0),
        quarter_turn=0 if embedded else maybe(0.07, int(rng.choice([90, 180, 270])), 0),
        perspective=0.0 if embedded else maybe(0.15, round(float(rng.uniform(0.005, 0.02)), 4),
                                               0.0),
        blur=maybe(0.35, round(float(rng.uniform(0.4, 1.4)), 2), 0.0),
        noise=0.0 if embedded else maybe(0.35, round(float(rng.uniform(3, 18)), 1), 0.0),
        jpeg_quality=maybe(0.9 if fmt == "jpg" else 0.3, int(rng.integers(30, 96))),
        rule_gray=maybe(0.2, int(rng.integers(110, 190)), 0),
        broken_rules=bool(chance() < 0.15),
        seal=bool(chance() < 0.25),
        lighting=0.0 if embedded else maybe(0.25, round(float(rng.uniform(0.1, 0.35)), 2), 0.0),
        bilevel=bool(chance() < 0.15),
        grayscale=bool(chance() < 0.6),
        paper_tint=bool(chance() < 0.2) and not embedded,
        split_table=maybe(0.3 if paged else 0.0, str(rng.choice(["repeat_header", "no_header"]))),
        landscape=bool(chance() < 0.08) and not embedded,
    )
    if fmt == "jpg" and damage.jpeg_quality is None:
        damage = replace(damage, jpeg_quality=int(rng.integers(60, 96)))
    return damage


def _split_row(layout: TableLayout, rng: Rng) -> int:
    """A row boundary inside the data rows of 三 where a page break falls."""
    return int(rng.integers(layout.header_rows + 3, layout.n_rows - 2))


def table_pictures(template: Template, printed: Mapping[str, str], style: TableStyle,
                   damage: Damage, width: int, rng: Rng) -> list[tuple[str, Image.Image]]:
    """(table id, picture) in reading order; table 三 in two pictures when it is split."""
    pictures = []
    for layout in table_layouts(template):
        texts = layout_texts(layout, printed, style)
        geometry = layout_geometry(layout, texts, style, width, rng)
        if layout.table_id == "applications" and damage.split_table:
            cut = _split_row(layout, rng)
            header = [(0, layout.header_rows)] if damage.split_table == "repeat_header" else []
            pictures.append((layout.table_id,
                             render_layout(layout, texts, geometry, style, rng, [(0, cut)])))
            pictures.append((layout.table_id, render_layout(
                layout, texts, geometry, style, rng, [*header, (cut, layout.n_rows)])))
        else:
            pictures.append((layout.table_id, render_layout(layout, texts, geometry, style, rng)))
    return pictures


def document_blocks(template: Template, pictures: list[tuple[str, Image.Image]],
                    style: TableStyle, rng: Rng) -> list[Block]:
    agency = str(rng.choice(AGENCIES))
    year = int(rng.integers(2021, 2024)) if template.id == "2021" else int(rng.integers(2019, 2021))
    blocks = [Block("title", in_script(f"{agency}{year}年政府信息公开工作年度报告", style.script))]
    prose = [str(PROSE[i]) for i in rng.permutation(len(PROSE) - 1)]  # the last one closes
    for _ in range(int(rng.integers(0, 3))):
        blocks.append(Block("paragraph", in_script(prose.pop(), style.script)))
    seen: set[str] = set()
    for table_id, picture in pictures:
        if table_id not in seen:
            seen.add(table_id)
            if rng.random() < 0.4:
                blocks.append(Block("paragraph", in_script(prose.pop(), style.script)))
            title = template.tables[table_id].title
            blocks.append(Block("heading", in_script(title, style.script)))
        blocks.append(Block("table", image=picture, table_id=table_id))
    blocks.append(Block("heading", in_script(CLOSING_TITLE, style.script)))
    blocks.append(Block("paragraph", in_script(PROSE[-1], style.script)))
    return blocks


# ----------------------------------------------------------------------------------- pages


@dataclass
class Page:
    image: Image.Image
    table_boxes: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)


def _text_block(text: str, face: str, size_px: int, width: int, centered: bool) -> Image.Image:
    font = load_font(face, size_px)
    body = text if centered else "\u3000\u3000" + text
    lines = _wrap(body, font, width)
    line_h = round(size_px * 1.6)
    image = Image.new("L", (width, line_h * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(lines):
        x = (width - font.getlength(line)) / 2 if centered else 0
        draw.text((x, line_h * (k + 0.5)), line, font=font, fill=0, anchor="lm")
    return image


def compose_pages(blocks: list[Block], dpi: int, landscape: bool, tall: bool,
                  body_face: str, rng: Rng) -> list[Page]:
    """Flow the blocks onto A4 pages (or one tall page); a table that starts a new picture
    of a split table always starts a new page."""
    inches = A4_INCHES[::-1] if landscape else A4_INCHES
    width, height = round(inches[0] * dpi), round(inches[1] * dpi)
    margin_x, margin_y = round(1.1 * dpi), round(1.0 * dpi)
    content = width - 2 * margin_x
    body_px = round(float(rng.choice([12, 14, 16])) * dpi / 72)
    gap = round(body_px * 0.6)
    pieces: list[tuple[Block, Image.Image]] = []
    for block in blocks:
        if block.kind == "table":
            pieces.append((block, block.image))
        else:
            face = "sans" if block.kind in ("title", "heading") else body_face
            size = round(body_px * 1.3) if block.kind == "title" else body_px
            pieces.append((block, _text_block(block.text, face, size, content,
                                              block.kind == "title")))
    pages: list[Page] = []
    y = height  # forces a first page
    previous_table = ""
    for block, image in pieces:
        if image.width > content or image.height > height - 2 * margin_y:
            scale = min(content / image.width, (height - 2 * margin_y) / image.height)
            image = image.resize((int(image.width * scale), int(image.height * scale)),
                                 Image.LANCZOS)
        continued = block.kind == "table" and block.table_id == previous_table
        if not tall and (y + image.height > height - margin_y or continued):
            pages.append(Page(Image.new("L", (width, height), 255)))
            y = margin_y
        elif tall and not pages:
            needed = 2 * margin_y + sum(image.height + gap for _, image in pieces)
            pages.append(Page(Image.new("L", (width, max(height, needed)), 255)))
            y = margin_y
        x = margin_x + (content - image.width) // 2
        pages[-1].image.paste(image, (x, y))
        if block.kind == "table":
            pages[-1].table_boxes.append((block.table_id, (x, y, x + image.width,
                                                          y + image.height)))
        previous_table = block.table_id if block.kind == "table" else ""
        y += image.height + gap
    if tall:
        pages[-1].image = pages[-1].image.crop((0, 0, width, y + margin_y))
    return pages


# ---------------------------------------------------------------------------------- damage

SEAL_RED = np.array([205, 30, 40], dtype=float)


def seal_mask(diameter: int, agency: str, face: str) -> Image.Image:
    """An official seal as ink coverage: ring, five-pointed star, agency name on an arc."""
    mask = Image.new("L", (diameter, diameter), 0)
    draw = ImageDraw.Draw(mask)
    c = diameter / 2
    ring = max(2, diameter // 28)
    draw.ellipse([ring, ring, diameter - ring, diameter - ring], outline=255, width=ring)
    star_r = diameter * 0.16
    points = [(c + (star_r if k % 2 == 0 else star_r * 0.4) * math.sin(math.pi * k / 5),
               c - (star_r if k % 2 == 0 else star_r * 0.4) * math.cos(math.pi * k / 5))
              for k in range(10)]
    draw.polygon(points, fill=255)
    size = max(8, round(diameter * 0.12))
    font = load_font(face, size)
    radius = c - ring * 2 - size * 0.7
    sweep = math.radians(240)
    for k, char in enumerate(agency):
        angle = -sweep / 2 + sweep * (k + 0.5) / len(agency)
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), char, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        x, y = c + radius * math.sin(angle), c - radius * math.cos(angle)
        mask.paste(255, (round(x - size), round(y - size)), glyph)
    label_font = load_font(face, round(size * 0.8))
    draw.text((c, c + diameter * 0.3), "公开专用章", font=label_font, fill=255, anchor="mm")
    return mask


def stamp_seal(page: Image.Image, box: tuple[int, int, int, int], dpi: int, face: str,
               rng: Rng) -> Image.Image:
    """A semi-transparent red seal over part of `box` (a table on the page)."""
    diameter = round(dpi * rng.uniform(1.4, 1.7))
    mask = seal_mask(diameter, str(rng.choice(AGENCIES)), face)
    mask = mask.rotate(float(rng.uniform(-25, 25)), resample=Image.BICUBIC)
    x0, y0, x1, y1 = box
    cx = int(rng.integers(x0, max(x0 + 1, x1)))
    cy = int(rng.integers(y0, max(y0 + 1, y1)))
    full = Image.new("L", page.size, 0)
    full.paste(mask, (cx - diameter // 2, cy - diameter // 2))
    alpha = np.asarray(full, dtype=float)[..., None] / 255 * rng.uniform(0.55, 0.9)
    rgb = np.asarray(page.convert("RGB"), dtype=float)
    inked = rgb * (1 - alpha) + np.minimum(rgb, SEAL_RED) * alpha  # ink darkens, never lightens
    return Image.fromarray(inked.astype(np.uint8))


def _lighting(array: np.ndarray, strength: float, rng: Rng) -> np.ndarray:
    h, w = array.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx / w * math.cos(angle) + yy / h * math.sin(angle))
    ramp = (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    shade = 1 - strength * ramp
    return array * (shade[..., None] if array.ndim == 3 else shade)


def _perspective(image: Image.Image, amount: float, rng: Rng) -> Image.Image:
    w, h = image.size
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + rng.uniform(-amount, amount, (4, 2)).astype(np.float32) * np.float32([w, h])
    matrix = cv2.getPerspectiveTransform(src, dst)
    array = np.asarray(image)
    white = (255,) * (3 if array.ndim == 3 else 1)
    warped = cv2.warpPerspective(array, matrix, (w, h), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=white)
    return Image.fromarray(warped)


def damage_picture(image: Image.Image, damage: Damage, rng: Rng) -> Image.Image:
    """Scanner and publisher damage, in the order it happens to paper and files."""
    image = image.convert("RGB")
    if damage.paper_tint:
        tint = np.array([250, 246, 232], dtype=float) / 255
        image = Image.fromarray((np.asarray(image, dtype=float) * tint).astype(np.uint8))
    if damage.lighting:
        array = _lighting(np.asarray(image, dtype=float), damage.lighting, rng)
        image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    if damage.perspective:
        image = _perspective(image, damage.perspective, rng)
    if damage.rotation:
        image = image.rotate(damage.rotation, resample=Image.BICUBIC, expand=True,
                             fillcolor=(255, 255, 255))
    if damage.quarter_turn:
        image = image.rotate(damage.quarter_turn, expand=True)
    if damage.blur:
        image = image.filter(ImageFilter.GaussianBlur(damage.blur))
    if damage.noise:
        array = np.asarray(image, dtype=float) + rng.normal(0, damage.noise, (*image.size[::-1], 1))
        image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    if damage.grayscale or damage.bilevel:
        image = image.convert("L")
    if damage.bilevel:
        threshold = int(rng.integers(140, 200))
        image = image.point(lambda v: 255 if v > threshold else 0).convert("1")
    elif damage.jpeg_quality:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=damage.jpeg_quality)
        image = Image.open(io.BytesIO(buffer.getvalue()))
        image.load()
    return image


# --------------------------------------------------------------------------------- writers


def _encoded(image: Image.Image, damage: Damage) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if damage.jpeg_quality and image.mode != "1":
        image.save(buffer, "JPEG", quality=damage.jpeg_quality)
        return buffer.getvalue(), "jpg"
    image.save(buffer, "PNG")
    return buffer.getvalue(), "png"


def write_image_file(path: Path, pages: list[Image.Image], fmt: str, damage: Damage) -> None:
    dpi = (damage.dpi, damage.dpi)
    first = pages[0]
    if fmt == "tiff":
        compression = "group4" if first.mode == "1" else "tiff_lzw"
        first.save(path, "TIFF", save_all=True, append_images=pages[1:], dpi=dpi,
                   compression=compression)
    elif fmt == "pdf-scan":
        first.save(path, "PDF", save_all=True, append_images=pages[1:], resolution=damage.dpi,
                   creationDate=FIXED_TIME.timetuple(),
                   modDate=FIXED_TIME.timetuple())
    elif fmt == "jpg":
        first.convert("L" if first.mode == "1" else first.mode).save(
            path, "JPEG", quality=damage.jpeg_quality or 85, dpi=dpi)
    elif fmt == "webp":
        quality = damage.jpeg_quality or 90
        first.convert("L" if first.mode == "1" else first.mode).save(path, "WEBP", quality=quality)
    else:
        first.save(path, fmt.upper(), dpi=dpi)


def write_pdf_embedded(path: Path, blocks: list[Block], damage: Damage) -> None:
    """A text-layer PDF (fpdf2) with each table pasted as a picture at its own resolution."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_margins(25, 22, 25)
    pdf.add_font("hei", fname=FONT_FACES["hei"][0], collection_font_number=face_index("hei"))
    pdf.add_page()
    content_mm = pdf.w - pdf.l_margin - pdf.r_margin
    for block in blocks:
        if block.kind == "table":
            data, _ = _encoded(block.image, damage)
            width = min(content_mm, block.image.width / damage.dpi * 25.4)
            height = width * block.image.height / block.image.width
            if pdf.get_y() + height > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.image(io.BytesIO(data), x=pdf.l_margin + (content_mm - width) / 2, w=width)
            pdf.ln(3)
            continue
        size = {"title": 18, "heading": 14}.get(block.kind, 12)
        pdf.set_font("hei", size=size)
        align = "C" if block.kind == "title" else "L"
        text = block.text if block.kind != "paragraph" else "\u3000\u3000" + block.text
        pdf.multi_cell(content_mm, size * 0.6, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))


def write_docx(path: Path, blocks: list[Block], damage: Damage) -> None:
    """A Word document (python-docx) with the tables pasted in as pictures."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    content_mm = 160
    for block in blocks:
        if block.kind == "table":
            data, _ = _encoded(block.image, damage)
            width = min(content_mm, block.image.width / damage.dpi * 25.4)
            document.add_picture(io.BytesIO(data), width=Mm(width))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.kind == "paragraph":
            paragraph.paragraph_format.first_line_indent = Pt(24)
        else:
            run.bold = True
            run.font.size = Pt(18 if block.kind == "title" else 14)
        if block.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.save(str(path))


def write_html(path: Path, blocks: list[Block], damage: Damage) -> list[Path]:
    """An HTML page with the tables as `<img>` files in a sibling folder `<name>_files/`."""
    folder = path.with_name(path.stem + "_files")
    folder.mkdir(exist_ok=True)
    body, written = [], []
    for block in blocks:
        if block.kind == "table":
            data, ext = _encoded(block.image, damage)
            image_path = folder / f"table-{len(written) + 1}.{ext}"
            image_path.write_bytes(data)
            written.append(image_path)
            width = round(block.image.width / damage.dpi * 96)
            body.append(f'<p style="text-align:center"><img src="{folder.name}/{image_path.name}"'
                        f' width="{width}" alt=""></p>')
        elif block.kind == "title":
            body.append(f"<h1>{block.text}</h1>")
        elif block.kind == "heading":
            body.append(f"<h3>{block.text}</h3>")
        else:
            body.append(f'<p style="text-indent:2em">{block.text}</p>')
    title = next(b.text for b in blocks if b.kind == "title")
    path.write_text('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
                    f"<title>{title}</title></head>\n<body>\n" + "\n".join(body)
                    + "\n</body></html>\n", encoding="utf-8")
    return written


# ----------------------------------------------------------------------------- one document


@dataclass(frozen=True)
class DocumentTruth:
    template: str
    values: dict[str, Value]
    printed: dict[str, str]
    units: dict[str, str]
    format: str
    damage: dict
    style: dict
    breaks_rules: bool
    broken_cell: str | None
    pages: int
    files: list[str]


def _as_damage(damage: Damage | Mapping | None, rng: Rng, fmt: str) -> Damage:
    if damage is None:
        return draw_damage(rng, fmt)
    return damage if isinstance(damage, Damage) else Damage(**damage)


def generate_document(out_dir: Path | str, name: str, rng_seed: int | Iterable[int],
                      template_id: str | None = None, fmt: str = "png",
                      damage: Damage | Mapping | None = None,
                      breaks_rules: bool | None = None) -> Path:
    """Write one document and `<name>.truth.json` into `out_dir`; return the document's path.

    `damage=None` draws a random combination; `{}` means a clean document; a dict sets the
    named fields of `Damage`. `breaks_rules=None` breaks a rule in about one document in ten.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rng_seed)
    template = get_template(template_id or str(rng.choice(["2021", "2019"], p=[0.65, 0.35])))
    values = draw_values(template, rng)
    breaks = bool(rng.random() < 0.1) if breaks_rules is None else breaks_rules
    broken_cell = break_one_rule(template, values, rng) if breaks else None
    habits = draw_habits(rng, template.id)
    printed, truth_values, units = print_values(template, values, habits, rng,
                                                keep=[broken_cell] if broken_cell else [])
    chosen = _as_damage(damage, rng, fmt)
    style = replace(draw_style(rng, chosen.dpi), rule_gray=chosen.rule_gray,
                    broken_rules=chosen.broken_rules)
    inches = 9.49 if chosen.landscape else 6.07
    width = round(inches * chosen.dpi * rng.uniform(0.88, 1.0))
    pictures = table_pictures(template, printed, style, chosen, width, rng)
    blocks = document_blocks(template, pictures, style, rng)
    path = out_dir / (name + EXTENSIONS.get(fmt, "." + fmt))
    files = [path]
    if fmt in EMBEDDED_FORMATS:
        blocks = _damage_embedded(blocks, chosen, style, rng)
        page_count = 1
        if fmt == "pdf-embedded":
            write_pdf_embedded(path, blocks, chosen)
        elif fmt == "docx":
            write_docx(path, blocks, chosen)
        else:
            files += write_html(path, blocks, chosen)
    else:
        body_face = str(rng.choice(["serif", "ming", "kai"]))
        pages = compose_pages(blocks, chosen.dpi, chosen.landscape,
                              fmt in SINGLE_IMAGE_FORMATS, body_face, rng)
        images = _damage_pages(pages, chosen, style, rng, encode_jpeg=fmt != "jpg")
        write_image_file(path, images, fmt, chosen)
        page_count = len(images)
    truth = DocumentTruth(
        template=template.id, values=truth_values, printed=printed, units=units, format=fmt,
        damage=asdict(chosen), style=asdict(style), breaks_rules=breaks, broken_cell=broken_cell,
        pages=page_count, files=[f.relative_to(out_dir).as_posix() for f in files])
    truth_path = out_dir / f"{name}.truth.json"
    truth_path.write_text(json.dumps(asdict(truth), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    return path


def _damage_pages(pages: list[Page], damage: Damage, style: TableStyle, rng: Rng,
                  encode_jpeg: bool) -> list[Image.Image]:
    if damage.seal:
        candidates = [(i, box) for i, page in enumerate(pages) for _, box in page.table_boxes]
        index, box = candidates[-1] if rng.random() < 0.6 else candidates[
            int(rng.integers(len(candidates)))]
        pages[index].image = stamp_seal(pages[index].image, box, damage.dpi, style.face, rng)
    page_damage = damage if encode_jpeg else replace(damage, jpeg_quality=None)
    return [damage_picture(page.image, page_damage, rng) for page in pages]


def _damage_embedded(blocks: list[Block], damage: Damage, style: TableStyle,
                     rng: Rng) -> list[Block]:
    """Pictures in a file are damaged before pasting (seal, blur, bilevel); the file's
    writer applies the JPEG compression."""
    tables = [i for i, b in enumerate(blocks) if b.kind == "table"]
    sealed = tables[-1 if rng.random() < 0.6 else int(rng.integers(len(tables)))]
    picture_damage = replace(damage, jpeg_quality=None)
    out = []
    for i, block in enumerate(blocks):
        if block.kind == "table":
            image = block.image
            if damage.seal and i == sealed:
                image = stamp_seal(image, (0, 0, image.width, image.height), damage.dpi,
                                   style.face, rng)
            block = replace(block, image=damage_picture(image, picture_damage, rng))
        out.append(block)
    return out


# -------------------------------------------------------------------------------------- CLI


def generate_set(out_dir: Path, count: int, seed: int, formats: list[str]) -> list[Path]:
    """`count` documents; document i depends only on (seed, i), not on `count`."""
    paths = []
    for index in range(count):
        choice = np.random.default_rng([seed, index, 0])
        fmt = str(choice.choice(formats))
        paths.append(generate_document(out_dir, f"doc-{index:04d}", [seed, index], None, fmt))
    return paths


SAMPLES = (
    ("report-2021-scan", "2021", "png",
     {"dpi": 150, "rotation": 0.7, "blur": 0.6, "lighting": 0.15, "grayscale": True}),
    ("report-2019-scan", "2019", "pdf-scan",
     {"dpi": 150, "rotation": -1.1, "noise": 3.0, "jpeg_quality": 50,
      "split_table": "repeat_header"}),
    ("report-2021-pictures", "2021", "docx", {"dpi": 150, "jpeg_quality": 85}),
    ("report-2021-seal", "2021", "jpg",
     {"dpi": 150, "seal": True, "rotation": 0.4, "jpeg_quality": 70, "grayscale": False,
      "paper_tint": True}),
)


def write_samples(out_dir: Path) -> list[Path]:
    """The small documents in `samples/` that show newcomers what the tool reads."""
    return [generate_document(out_dir, name, 2024 + k, template_id, fmt, damage)
            for k, (name, template_id, fmt, damage) in enumerate(SAMPLES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated, from: {', '.join(FORMATS)}")
    parser.add_argument("--clean", action="store_true", help="empty --out first")
    parser.add_argument("--samples", action="store_true",
                        help="write the four fixed sample documents instead")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    if args.clean and args.out.exists():
        shutil.rmtree(args.out)
    paths = (write_samples(args.out) if args.samples
             else generate_set(args.out, args.count, args.seed, formats))
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
