"""Export a result for analysts: each table laid out like the template, flagged and reviewed
cells marked, as CSV files (one per table, plus one listing the marked cells) or one XLSX
workbook (one sheet per table, plus one of the marked cells).

CSV marks a cell with a suffix: `12 [flagged]`, `5 [inferred, flagged]`, `7 [reviewed]`; XLSX
colours it (orange flagged, violet inferred, green reviewed) and puts the reasons in a comment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from recover.model import Cell, Report
from recover.output import write_atomic
from recover.templates import TABLE_IDS, TableSpec, Template

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
FILLS = {"flagged": "FFE1A8", "inferred": "E0DCFF", "reviewed": "CDECCD"}
FLAG_COLUMNS = ("cell", "table", "row", "column", "value", "marks", "reasons", "original")


def marks(cell: Cell) -> tuple[str, ...]:
    """What an analyst should know of a cell's value, beyond the number."""
    found = []
    if cell.source.method == "inferred":
        found.append("inferred")
    if cell.source.method == "review":
        found.append("reviewed")
    if cell.flagged:
        found.append("flagged")
    return tuple(found)


def _text(value: int | float | None) -> str:
    return "" if value is None else str(value)


def csv_text(cell: Cell) -> str:
    mark = marks(cell)
    value = _text(cell.value)
    if not mark:
        return value
    return f"{value} [{', '.join(mark)}]".strip()


@dataclass(frozen=True)
class Layout:
    """A table as printed: column labels across, row labels down, cells (or None where the
    template has no cell) in between."""

    table: TableSpec
    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell | None, ...]], ...]


def layouts(template: Template, report: Report) -> Iterator[Layout]:
    cells = {c.id: c for c in report.cells}
    for table_id in TABLE_IDS:
        table = template.tables[table_id]
        rows = []
        for row in table.rows:
            present = {c.id for c in table.row_columns(row)}
            rows.append((row.label, tuple(cells.get(f"{table_id}.{row.id}.{c.id}")
                                          if c.id in present else None
                                          for c in table.columns)))
        yield Layout(table, tuple(c.label for c in table.columns), tuple(rows))


def _flag_rows(template: Template, report: Report) -> list[list[str]]:
    rows = []
    for cell in report.cells:
        if not marks(cell):
            continue
        table_id, row_id, column_id = cell.id.split(".")
        table = template.tables[table_id]
        original = "" if cell.original is None else _text(cell.original.get("value"))
        rows.append([cell.id, table.title, table.row(row_id).label,
                     table.column(column_id).label, _text(cell.value), ", ".join(marks(cell)),
                     "; ".join(cell.reasons), original])
    return rows


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets see UTF-8


def export_csv(template: Template, report: Report, out_dir: Path, stem: str) -> list[Path]:
    written = []
    for layout in layouts(template, report):
        rows = [["", *layout.header]]
        rows += [[label, *("" if c is None else csv_text(c) for c in cells)]
                 for label, cells in layout.rows]
        path = out_dir / f"{stem}.{layout.table.id}.csv"
        write_atomic(path, _csv_bytes(rows))
        written.append(path)
    path = out_dir / f"{stem}.flags.csv"
    write_atomic(path, _csv_bytes([list(FLAG_COLUMNS), *_flag_rows(template, report)]))
    return [*written, path]


def _comment(cell: Cell) -> Comment | None:
    lines = list(cell.reasons)
    if cell.original is not None:
        lines.append(f"read as: {cell.original.get('raw')!r}")
    return Comment("\n".join(lines), "recover") if lines else None


def export_xlsx(template: Template, report: Report, out_dir: Path, stem: str) -> list[Path]:
    book = Workbook()
    book.remove(book.active)
    for layout in layouts(template, report):
        sheet = book.create_sheet(layout.table.title[:31])
        sheet.append(["", *layout.header])
        for label, cells in layout.rows:
            sheet.append([label, *(None if c is None else c.value for c in cells)])
            for k, cell in enumerate(cells, start=2):
                mark = marks(cell) if cell else ()
                if not mark:
                    continue
                target = sheet.cell(row=sheet.max_row, column=k)
                colour = FILLS["flagged" if "flagged" in mark else mark[0]]
                target.fill = PatternFill("solid", start_color=colour, end_color=colour)
                target.comment = _comment(cell)  # type: ignore[arg-type]
        for header in sheet[1]:
            header.font = Font(bold=True)
            header.alignment = Alignment(wrap_text=True)
        sheet.column_dimensions["A"].width = 40
        sheet.freeze_panes = "B2"
    flags = book.create_sheet("flags")
    flags.append(list(FLAG_COLUMNS))
    for row in _flag_rows(template, report):
        flags.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path = out_dir / f"{stem}.xlsx"
    write_atomic(path, buffer.getvalue())
    return [path]


def export_report(template: Template, report: Report, fmt: Format, out_dir: Path,
                  stem: str) -> list[Path]:
    """Write the report's tables under `out_dir`; the paths written."""
    exporter = export_csv if fmt == "csv" else export_xlsx
    return exporter(template, report, out_dir, stem)
