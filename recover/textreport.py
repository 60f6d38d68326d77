"""Reports whose tables are text: find sections 二, 三 and 四, split them into cells, and
place every value by its row label and the table's column headers.

Three layouts occur: tab-separated lines, ` | `-separated lines, and one cell per line
closed by `|` (blank and merged cells as lines of bare `|`). All become one stream of
tokens; a row starts at a token that matches the next row labels of the template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from recover.assemble import make_cell
from recover.errors import AmbiguousTemplate, NoTablesFound
from recover.model import UNPLACED, Cell, Source
from recover.normalize import best_match, normalize_label
from recover.templates import TABLE_IDS, TableSpec, Template, all_templates, get_template
from recover.values import looks_like_value

_NEXT_SECTION = re.compile(r"^\s*[五六七][、.．]")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")  # tags left in text copied out of web pages


@dataclass(frozen=True)
class Token:
    text: str
    line: int
    field: int  # index of the field in its tab-separated line; -1 in the pipe layouts


@dataclass(frozen=True)
class TableText:
    """What the text path found for one table: the cells placed, and notes for a person."""

    cells: dict[str, Cell]
    notes: tuple[str, ...]


def detect_template(text: str, path: object, forced: str | None = None) -> Template:
    """The template whose distinctive labels the text contains (never guessed from the year)."""
    if forced:
        return get_template(forced)
    norm = normalize_label(text)
    scores = {
        tid: sum(normalize_label(m) in norm for m in t.markers)
        for tid, t in all_templates().items()
    }
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][1] == 0:
        raise NoTablesFound(path, "no tables found in text (the tables may be images: "
                                  "run recover on the original PDF, DOCX or image)")
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        raise AmbiguousTemplate(path, "the labels fit more than one template version")
    return get_template(ranked[0][0])


def _title_lines(lines: Sequence[str], table: TableSpec) -> list[int]:
    titles = {normalize_label(t) for t in (table.title, *table.title_aliases)}
    return [i for i, line in enumerate(lines) if normalize_label(line) in titles]


def _regions(lines: Sequence[str], template: Template) -> dict[str, tuple[int, int]]:
    """For each table, the line range after its section heading (the whole text when the
    heading is missing): up to the next table's heading or section 五."""
    starts = {}
    for tid in TABLE_IDS:
        found = _title_lines(lines, template.tables[tid])
        starts[tid] = found[-1] + 1 if found else None
    regions = {}
    for tid in TABLE_IDS:
        start = starts[tid]
        if start is None:
            regions[tid] = (0, len(lines))
            continue
        later = [s - 1 for s in starts.values() if s is not None and s > start]
        end = min(later, default=len(lines))
        for i in range(start, end):
            if _NEXT_SECTION.match(lines[i]):
                end = i
                break
        regions[tid] = (start, end)
    return regions


def tokenize(lines: Sequence[str], first_line: int = 0) -> list[Token]:
    """The cells of a region, in reading order. An empty token is a blank cell."""
    if any("\t" in line for line in lines):
        return [
            Token(field.strip(), first_line + n, i)
            for n, line in enumerate(lines)
            for i, field in enumerate(line.split("\t"))
            if line.strip()
        ]
    tokens = []
    line = first_line
    for piece in "\n".join(lines).split("|"):
        parts = [p.strip() for p in piece.split("\n")]
        texts = [p for p in parts if p]
        if not texts:
            tokens.append(Token("", line, -1))
        for text in texts:
            tokens.append(Token(text, line, -1))
        line += piece.count("\n")
    return tokens


def _row_candidates(table: TableSpec, after: int) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.id, r.spellings) for r in table.rows[after + 1:]]


def _find_rows(table: TableSpec, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(row index in the template, token index) of each row label found, in order.

    The table's data starts at its first or second row; what comes before is header.
    Rows are matched in template order, so a header cell such as 总计 or 其他 is never
    taken for the row of the same name.
    """
    start = None
    for i, token in enumerate(tokens):
        match = best_match(token.text, _row_candidates(table, -1)[:2], threshold=0.85)
        if match:
            start = i
            break
    if start is None:
        return []
    found: list[tuple[int, int]] = []
    last = -1
    for i in range(start, len(tokens)):
        text = tokens[i].text
        if not text or looks_like_value(text):
            continue
        match = best_match(text, _row_candidates(table, last), threshold=0.8)
        if match:
            last = next(k for k, r in enumerate(table.rows) if r.id == match.id)
            found.append((last, i))
    return found


def _value_run(tokens: Sequence[Token]) -> list[Token]:
    """The values after a row label: the first run of value-like tokens (blank cells
    inside the run are missing values; blanks around it are layout)."""
    run: list[Token] = []
    for token in tokens:
        if token.text and not looks_like_value(token.text):
            if run:
                break
            continue
        if token.text or run:
            run.append(token)
    while run and not run[-1].text:
        run.pop()
    return run


def _segments(tokens: Sequence[Token]) -> list[list[Token]]:
    """The stretches of tokens between text labels."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token.text and not looks_like_value(token.text):
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _leaf_header(tokens: Sequence[Token], before_line: int) -> dict[int, str]:
    """For the tab layout: field index -> the lowest header label above that field."""
    leaf: dict[int, str] = {}
    for token in tokens:
        if token.line < before_line and token.text and not looks_like_value(token.text):
            leaf[token.field] = token.text
    return leaf


def _align_to_header(run: list[Token], header: dict[int, str]) -> list[Token] | None:
    """Drop values that stand under no header label (a stray column in the export)."""
    if any(t.field < 0 for t in run):
        return None
    kept = [t for t in run if t.field in header]
    return kept if len(kept) < len(run) else None


def _header_texts(tokens: Sequence[Token]) -> list[str]:
    return [t.text for t in tokens if t.text and not looks_like_value(t.text)]


def _columns_found(table: TableSpec, header: Sequence[str], columns: Sequence[str]) -> bool:
    """Whether most of the expected columns have a recognisable header label."""
    spellings = [(c, table.column(c).spellings) for c in columns]
    found = {m.id for text in header if (m := best_match(text, spellings, threshold=0.8))}
    return len(found) * 2 >= len(set(columns))


def _place(template: Template, table: TableSpec, row_id: str, columns: Sequence[str],
           run: list[Token], notes: list[str]) -> dict[str, Cell]:
    cells = {}
    if len(run) == len(columns):
        for column, token in zip(columns, run, strict=True):
            cid = f"{table.id}.{row_id}.{column}"
            cells[cid] = make_cell(template, cid, token.text, 1.0, Source("text"))
        return cells
    notes.append(f"{table.id}.{row_id}: {len(run)} values for {len(columns)} columns; "
                 "not placed")
    raw = " ".join(t.text or "□" for t in run)
    for column in columns:
        cid = f"{table.id}.{row_id}.{column}"
        cells[cid] = Cell(cid, None, raw, 0.0, Source("text"), flagged=True,
                          reasons=(f"{UNPLACED}: row has {len(run)} values for "
                                   f"{len(columns)} columns",))
    return cells


def _rowwise_table(template: Template, table: TableSpec, tokens: Sequence[Token],
                   notes: list[str]) -> dict[str, Cell]:
    """Tables 二 and 三: one template row per printed row label."""
    rows = _find_rows(table, tokens)
    if not rows:
        return {}
    header = tokens[: rows[0][1]]
    if table.id == "applications" and not _columns_found(
            table, _header_texts(header), [c.id for c in table.columns]):
        notes.append("applications: column headers not recognised; values placed by position")
    cells: dict[str, Cell] = {}
    bounds = [i for _, i in rows] + [len(tokens)]
    for (row_index, start), end in zip(rows, bounds[1:], strict=True):
        row = table.rows[row_index]
        run = _value_run(tokens[start + 1:end])
        columns = [c.id for c in table.row_columns(row)]
        if len(run) > len(columns):
            run = _align_to_header(run, _leaf_header(tokens[:start], run[0].line)) or run
        cells.update(_place(template, table, row.id, columns, run, notes))
    return cells


def _reviews_table(template: Template, table: TableSpec, tokens: Sequence[Token],
                   notes: list[str]) -> dict[str, Cell]:
    """Table 四: a header of groups and results, then one line of 15 numbers."""
    header = _header_texts(tokens)
    groups = [(r.id, r.spellings) for r in table.rows]
    if len({m.id for t in header if (m := best_match(t, groups, threshold=0.85))}) < 2:
        return {}
    expected = [(r.id, c.id) for r in table.rows for c in table.columns]
    values = max((_value_run(s) for s in _segments(tokens)), key=len, default=[])
    if len(values) < len(table.columns):
        return {}
    if len(values) > len(expected):
        values = _align_to_header(values, _leaf_header(tokens, values[0].line)) or values
    cells: dict[str, Cell] = {}
    if len(values) != len(expected):
        for row in table.rows:
            cells.update(_place(template, table, row.id, [c.id for c in table.columns],
                                values, notes))
        return cells
    for (row_id, column_id), token in zip(expected, values, strict=True):
        cid = f"{table.id}.{row_id}.{column_id}"
        cells[cid] = make_cell(template, cid, token.text, 1.0, Source("text"))
    return cells


def extract_tables(text: str, path: object, template_id: str | None = None
                   ) -> tuple[Template, TableText]:
    """The template and the cells found in a text report's sections 二, 三 and 四.

    Raises `NoTablesFound` when none of the three tables is in the text.
    """
    text = _HTML_TAG.sub("", text)
    template = detect_template(text, path, template_id)
    lines = text.splitlines()
    notes: list[str] = []
    cells: dict[str, Cell] = {}
    for tid, (start, end) in _regions(lines, template).items():
        tokens = tokenize(lines[start:end], start)
        table = template.tables[tid]
        parse = _reviews_table if tid == "reviews" else _rowwise_table
        found = parse(template, table, tokens, notes)
        if not found:
            notes.append(f"{tid}: table not found in the text")
        cells.update(found)
    if not cells:
        raise NoTablesFound(path, "no tables found in text (the tables may be images: "
                                  "run recover on the original PDF, DOCX or image)")
    return template, TableText(cells, tuple(notes))
