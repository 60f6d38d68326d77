"""Benchmark: recover's OCR engines and img2table + Tesseract on a generated set, against truth.

    python scripts/bench.py [--data DIR] [--count 40] [--seed 1] [--engines rapidocr,tesseract]
                            [--peer/--no-peer] [--jobs 1] [--out bench-out]

Each engine runs in its own fresh worker process pinned to one core, all documents in-process
(so peak memory is that process's ru_maxrss). The worker writes one JSON line per document;
this process scores them against the `<name>.truth.json` files written by scripts/generate.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

# One core. The engines (numpy, onnxruntime, tesseract) are imported inside the functions that
# use them, so this runs before any of them loads, here and in every worker.
os.environ.update(dict.fromkeys(
    ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1"))

ROOT = Path(__file__).resolve().parent.parent
PEER = "img2table"
PEER_LABEL = "img2table+tesseract"
Value = int | float | None
TOLERANCE = 1e-6  # decimals: a value equals the truth within this
SHOWN_SILENT = 10
SHOWN_REASONS = 12  # the commonest reasons for a flag, in the details


# ------------------------------------------------------------------------------ data types


@dataclass(frozen=True)
class Truth:
    name: str
    document: Path
    format: str
    template: str
    values: dict[str, Value]


@dataclass(frozen=True)
class CellOutcome:
    id: str
    value: Value
    raw: str | None
    flagged: bool
    original: Value = None  # the value as read, before the repair changed it
    repaired: bool = False  # the repair inferred the value (source.method "inferred")
    caught: bool = False  # repaired, or flagged for breaking a rule
    reasons: tuple[str, ...] = ()  # why it is flagged, in general form (general_reason)


@dataclass(frozen=True)
class DocOutcome:
    """What one engine returned for one document (or the error it raised)."""

    name: str
    seconds: float
    template: str | None = None
    cells: tuple[CellOutcome, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class SilentError:
    document: str
    cell: str
    truth: Value
    value: Value
    raw: str | None


@dataclass(frozen=True)
class DocScore:
    name: str
    format: str
    seconds: float
    template_ok: bool
    cells: int
    correct: int
    nonzero: int
    nonzero_correct: int
    flagged: int
    wrong_flagged: int
    silent: tuple[SilentError, ...]
    error: str | None
    caught: int = 0  # wrong readings the rules caught (flagged for a rule, or repaired)
    repaired_right: int = 0
    repaired_wrong: int = 0  # a defect when the reading was right (repair_defects)
    repair_defects: int = 0
    # reason -> [flagged cells giving it, of them wrong]; a cell counts under each reason
    flag_reasons: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Memory:
    """ru_maxrss of the worker process. Not its children: a forked child's maximum starts at
    its parent's size, so RUSAGE_CHILDREN would only repeat this figure."""

    peak_mb: float


@dataclass(frozen=True)
class EngineSummary:
    engine: str
    documents: int
    templates_ok: int
    cells: int
    correct: int
    nonzero: int
    nonzero_correct: int
    silent: int
    flagged: int
    wrong_flagged: int
    median_seconds: float | None
    p95_seconds: float | None
    memory: Memory | None
    silent_errors: tuple[SilentError, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()  # (document, error)
    by_format: dict[str, float] = field(default_factory=dict)  # format -> cell accuracy
    note: str = ""
    caught: int = 0
    repaired_right: int = 0
    repaired_wrong: int = 0
    repair_defects: int = 0
    flag_reasons: dict[str, list[int]] = field(default_factory=dict)


# ----------------------------------------------------------------------------------- scoring


def values_equal(truth: Value, value: Value) -> bool:
    if truth is None or value is None:
        return truth is None and value is None
    return math.isclose(float(truth), float(value), rel_tol=0.0, abs_tol=TOLERANCE)


def score_document(truth: Truth, outcome: DocOutcome) -> DocScore:
    """A wrong value that is flagged is a cost; one that is not flagged is a silent error.
    A document that failed with an error counts every cell as wrong and flagged."""
    by_id = {c.id: c for c in outcome.cells}
    nonzero_ids = [cid for cid, v in truth.values.items() if v is not None and v != 0]
    correct = nonzero_correct = flagged = wrong_flagged = 0
    silent: list[SilentError] = []
    reasons: dict[str, list[int]] = {}
    for cell_id, expected in truth.values.items():
        cell = None if outcome.error else by_id.get(cell_id)
        is_flagged = cell is None or cell.flagged
        flagged += is_flagged
        right = cell is not None and values_equal(expected, cell.value)
        if is_flagged:
            why = ("document failed",) if outcome.error else cell.reasons if cell else ()
            for reason in why or ("not in the output",):
                tally = reasons.setdefault(reason, [0, 0])
                tally[0] += 1
                tally[1] += not right
        if right:
            correct += 1
            nonzero_correct += cell_id in nonzero_ids
        elif is_flagged:
            wrong_flagged += 1
        else:
            assert cell is not None
            silent.append(SilentError(truth.name, cell_id, expected, cell.value, cell.raw))
    return DocScore(
        name=truth.name, format=truth.format, seconds=outcome.seconds,
        template_ok=outcome.error is None and outcome.template == truth.template,
        cells=len(truth.values), correct=correct, nonzero=len(nonzero_ids),
        nonzero_correct=nonzero_correct, flagged=flagged, wrong_flagged=wrong_flagged,
        silent=tuple(silent), error=outcome.error, flag_reasons=reasons,
        **({} if outcome.error else repair_counts(truth, by_id)))


def repair_counts(truth: Truth, by_id: dict[str, CellOutcome]) -> dict[str, int]:
    """How the rules did on this document: wrong readings they caught, repairs that set a
    value right or wrong, and repairs that made a right reading wrong (defects)."""
    counts = dict.fromkeys(("caught", "repaired_right", "repaired_wrong", "repair_defects"), 0)
    for cell_id, expected in truth.values.items():
        cell = by_id.get(cell_id)
        if cell is None:
            continue
        read = cell.original if cell.repaired else cell.value
        counts["caught"] += cell.caught and not values_equal(expected, read)
        if cell.repaired:
            right = values_equal(expected, cell.value)
            counts["repaired_right" if right else "repaired_wrong"] += 1
            counts["repair_defects"] += not right and values_equal(expected, read)
    return counts


def general_reason(reason: str) -> str:
    """A flag's reason without the cell's own figures and readings, to count alike ones."""
    return re.sub(r"\d+(\.\d+)?", "N", re.sub(r"'[^']*'", "'…'", reason))


def _sum_reasons(scores: Sequence[DocScore]) -> dict[str, list[int]]:
    total: dict[str, list[int]] = {}
    for s in scores:
        for reason, (flagged, wrong) in s.flag_reasons.items():
            tally = total.setdefault(reason, [0, 0])
            tally[0] += flagged
            tally[1] += wrong
    return total


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in [0, 1])."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _accuracy_by_format(scores: Sequence[DocScore]) -> dict[str, float]:
    totals: dict[str, list[int]] = {}
    for s in scores:
        pair = totals.setdefault(s.format, [0, 0])
        pair[0] += s.correct
        pair[1] += s.cells
    return {fmt: c / n if n else 0.0 for fmt, (c, n) in sorted(totals.items())}


def summarize(engine: str, scores: Sequence[DocScore], memory: Memory | None = None,
              note: str = "") -> EngineSummary:
    seconds = [s.seconds for s in scores if s.error is None]
    return EngineSummary(
        engine=engine, documents=len(scores), templates_ok=sum(s.template_ok for s in scores),
        cells=sum(s.cells for s in scores), correct=sum(s.correct for s in scores),
        nonzero=sum(s.nonzero for s in scores),
        nonzero_correct=sum(s.nonzero_correct for s in scores),
        silent=sum(len(s.silent) for s in scores), flagged=sum(s.flagged for s in scores),
        wrong_flagged=sum(s.wrong_flagged for s in scores),
        median_seconds=percentile(seconds, 0.5), p95_seconds=percentile(seconds, 0.95),
        memory=memory, silent_errors=tuple(e for s in scores for e in s.silent),
        errors=tuple((s.name, s.error) for s in scores if s.error),
        by_format=_accuracy_by_format(scores), note=note,
        caught=sum(s.caught for s in scores), repaired_right=sum(s.repaired_right for s in scores),
        repaired_wrong=sum(s.repaired_wrong for s in scores),
        repair_defects=sum(s.repair_defects for s in scores), flag_reasons=_sum_reasons(scores))


# ----------------------------------------------------------------------------------- the set


def load_truths(data: Path, count: int) -> list[Truth]:
    truths = []
    for path in sorted(data.glob("*.truth.json"))[:count]:
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = path.name.removesuffix(".truth.json")
        truths.append(Truth(name, data.resolve() / raw["files"][0], raw["format"], raw["template"],
                            raw["values"]))
    return truths


def ensure_set(data: Path, count: int, seed: int) -> list[Truth]:
    """The first `count` documents of DIR, generated with scripts/generate.py when missing."""
    if len(list(data.glob("*.truth.json"))) < count:
        print(f"generating {count} documents into {data} (seed {seed}) ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate.py"), "--out",
                        str(data), "--count", str(count), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    return load_truths(data, count)


# ---------------------------------------------------------------------- engines (in a worker)


def run_recover(path: Path, engine: str) -> DocOutcome:
    from recover.errors import RecoverError
    from recover.pipeline import Options, extract_report

    start = time.perf_counter()
    try:
        report = extract_report(path, Options(engine=engine))
    except RecoverError as error:
        return DocOutcome(path.stem, time.perf_counter() - start, error=error.line())
    seconds = time.perf_counter() - start
    cells = tuple(CellOutcome(c.id, c.value, c.raw, c.flagged,
                              (c.original or {}).get("value", c.value),
                              c.source.method == "inferred",
                              c.source.method == "inferred"
                              or any(r.startswith("breaks rule") for r in c.reasons),
                              tuple(dict.fromkeys(general_reason(r) for r in c.reasons)))
                  for c in report.cells)
    return DocOutcome(path.stem, seconds, report.template, cells)


def _peer_page_images(path: Path) -> list[Any]:
    """Page images of a non-PDF document, as recover loads them (docx/html pictures too)."""
    from recover.load import load_document

    return [p.image for p in load_document(path).pages if p.image is not None]


def _peer_tables(path: Path, ocr: Any) -> list[tuple[int, Any]]:
    """(page number, img2table ExtractedTable) for every table img2table finds."""
    import cv2
    from img2table.document import PDF, Image

    options = {"ocr": ocr, "implicit_rows": False, "borderless_tables": False}
    if path.suffix.lower() == ".pdf":
        # Without pdf_text_extraction=False img2table reads the page's text layer (the title)
        # and never OCRs the table picture.
        pdf = PDF(src=str(path), detect_rotation=True, pdf_text_extraction=False)
        return [(page + 1, t) for page, tables in pdf.extract_tables(**options).items()
                for t in tables]
    found = []
    for number, image in enumerate(_peer_page_images(path), start=1):
        png = cv2.imencode(".png", image)[1].tobytes()
        found += [(number, t) for t in Image(src=png, detect_rotation=True)
                  .extract_tables(**options)]
    return found


def _edges(cells: Sequence[Any], axis: str) -> tuple[int, ...]:
    """Rule positions along one axis: where the cells starting at each row (column) begin,
    then where the last ones end."""
    lo, hi = (0, 2) if axis == "col" else (1, 3)
    count = max(getattr(c, axis) + getattr(c, axis + "_span") for c in cells)
    starts = [min((c.bbox[lo] for c in cells if getattr(c, axis) == k), default=None)
              for k in range(count)]
    end = max(c.bbox[hi] for c in cells)
    edges: list[int] = []
    for start in starts:  # a row or column no cell starts in: a zero-width one
        edges.append(start if start is not None else edges[-1] if edges else 0)
    return (*edges, end)


def table_to_grid_text(table: Any, page: int, index: int) -> Any:
    """An img2table table as recover's `GridText`: each distinct cell (a merged cell repeats
    over the positions it covers) becomes one `GridCell` with its spans."""
    from recover.grid import Grid, GridCell
    from recover.mapping import GridText, TextCell

    spans: dict[tuple[int, int, int, int], list[tuple[int, int, str]]] = {}
    for r, row in enumerate(table.content.values()):
        for c, cell in enumerate(row):
            box = (cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2)
            spans.setdefault(box, []).append((r, c, cell.value or ""))
    cells = []
    for box, positions in spans.items():
        rows = [p[0] for p in positions]
        cols = [p[1] for p in positions]
        grid_cell = GridCell(min(rows), min(cols), max(rows) - min(rows) + 1,
                             max(cols) - min(cols) + 1, box)
        cells.append(TextCell(grid_cell, positions[0][2], 1.0))
    grid_cells = [c.cell for c in cells]
    b = table.bbox
    grid = Grid((b.x1, b.y1, b.x2, b.y2), _edges(grid_cells, "col"), _edges(grid_cells, "row"),
                tuple(grid_cells))
    return GridText(page, index, grid, tuple(cells))


def run_peer(path: Path, ocr: Any) -> DocOutcome:
    """img2table finds and reads the tables; recover's own mapper places them on the template
    so that only reading differs. The peer has no flags: every cell it gives is unflagged."""
    from recover.mapping import map_grids
    from recover.values import parse_value

    start = time.perf_counter()
    tables = _peer_tables(path, ocr)
    grids = [table_to_grid_text(t, page, i) for i, (page, t) in enumerate(tables)]
    match = map_grids(grids) if grids else None
    if match is None:
        return DocOutcome(path.stem, time.perf_counter() - start,
                          error=f"no report table found ({len(tables)} tables)")
    cells = []
    for cell_id, placed in match.placed.items():
        parsed = parse_value(placed.source.text, match.template.value_type(cell_id))
        cells.append(CellOutcome(cell_id, parsed.value, placed.source.text, False))
    return DocOutcome(path.stem, time.perf_counter() - start, match.template.id, tuple(cells))


def _worker_runner(engine: str) -> Any:
    """A function document path -> DocOutcome, with the engine loaded before any timing."""
    if engine == PEER:
        from img2table.ocr import TesseractOCR

        ocr = TesseractOCR(n_threads=1, lang="chi_sim")
        return lambda path: run_peer(path, ocr)
    from recover.ocr import get_engine

    get_engine(engine)
    return lambda path: run_recover(path, engine)


def worker_main(engine: str, documents: list[Path], result: Path, core: int) -> int:
    os.sched_setaffinity(0, {core})
    run = _worker_runner(engine)
    with result.open("w", encoding="utf-8") as out:
        for path in documents:
            try:
                outcome = run(path)
            except Exception as error:  # a crash is reported for that document, not fatal
                outcome = DocOutcome(path.stem, 0.0, error=f"crash: {type(error).__name__}: "
                                     f"{str(error)[:200]}")
            out.write(json.dumps({"outcome": asdict(outcome)}, ensure_ascii=False) + "\n")
            out.flush()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.write(json.dumps({"memory": asdict(Memory(peak))}) + "\n")
    return 0


# ---------------------------------------------------------------------- engines (the parent)


def _outcome(data: dict) -> DocOutcome:
    cells = tuple(CellOutcome(**c) for c in data.pop("cells"))
    return DocOutcome(cells=cells, **data)


def _read_result(path: Path) -> tuple[list[DocOutcome], Memory | None]:
    outcomes, memory = [], None
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "outcome" in record:
                outcomes.append(_outcome(record["outcome"]))
            else:
                memory = Memory(**record["memory"])
    return outcomes, memory


def run_engine(engine: str, truths: Sequence[Truth], jobs: int, scratch: Path
               ) -> tuple[list[DocOutcome], Memory | None, str]:
    """Run `engine` over the documents in `jobs` fresh workers, each pinned to one core."""
    slices = [list(truths[k::jobs]) for k in range(jobs)]
    procs = []
    for k, part in enumerate(slices):
        result = scratch / f"{engine}-{k}.jsonl"
        cmd = [sys.executable, __file__, "--worker", engine, "--result", str(result),
               "--core", str(k % (os.cpu_count() or 1)), *[str(t.document) for t in part]]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       text=True),
                      result))
    outcomes: dict[str, DocOutcome] = {}
    memories, note = [], ""
    for proc, result in procs:
        _, stderr = proc.communicate()
        found, memory = _read_result(result)
        outcomes.update({o.name: o for o in found})
        if memory:
            memories.append(memory)
        if proc.returncode:
            note = f"worker exited {proc.returncode}: {stderr.strip().splitlines()[-1:]}"
    for t in truths:  # documents a crashed worker never reached
        outcomes.setdefault(t.name, DocOutcome(t.name, 0.0, error="worker died: " + note))
    memory = Memory(max(m.peak_mb for m in memories)) if memories else None
    return [outcomes[t.name] for t in truths], memory, note


def peer_available() -> str | None:
    """None when img2table and Tesseract chi_sim can run; otherwise why not."""
    try:
        import cv2
        import img2table  # noqa: F401
    except ImportError as error:
        return f"img2table not installed ({error}); pip install img2table"
    if not hasattr(cv2, "ximgproc"):
        return "img2table needs opencv-contrib-python (cv2.ximgproc)"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    if "chi_sim" not in langs.stdout:
        return "Tesseract with chi_sim not found"
    return None


def peer_version() -> str:
    from importlib.metadata import version

    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    first = (tess.stdout or tess.stderr).splitlines()[0] if (tess.stdout or tess.stderr) else "?"
    return (f"img2table {version('img2table')} with TesseractOCR(lang='chi_sim') on {first}; "
            "extract_tables(implicit_rows=False, borderless_tables=False, min_confidence=50), "
            "detect_rotation=True, PDFs rendered and OCRed (pdf_text_extraction=False), "
            "DOCX/HTML pictures taken out with recover.load; tables placed on the template "
            "by recover.mapping.map_grids")


# ---------------------------------------------------------------------------------- printing


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def _secs(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def _memory(memory: Memory | None) -> str:
    return f"{memory.peak_mb:.0f}" if memory else "-"


def summary_rows(s: EngineSummary) -> list[tuple[str, str]]:
    return [
        ("documents", str(s.documents)),
        ("template detected", f"{s.templates_ok} ({_pct(s.templates_ok, s.documents)})"),
        ("cell accuracy", f"{_pct(s.correct, s.cells)} ({s.correct}/{s.cells})"),
        ("accuracy, non-zero truth", f"{_pct(s.nonzero_correct, s.nonzero)} "
                                     f"({s.nonzero_correct}/{s.nonzero})"),
        ("SILENT errors", str(s.silent)),
        ("flag rate", f"{_pct(s.flagged, s.cells)} ({s.flagged})"),
        ("wrong but flagged", str(s.wrong_flagged)),
        ("wrong caught by rules", str(s.caught)),
        ("repaired right", str(s.repaired_right)),
        ("repaired wrong", str(s.repaired_wrong)),
        ("  DEFECTS (was right)", str(s.repair_defects)),
        ("documents with errors", str(len(s.errors))),
        ("median s/report", _secs(s.median_seconds)),
        ("p95 s/report", _secs(s.p95_seconds)),
        ("peak memory MB", _memory(s.memory)),
    ]


def format_table(summaries: Sequence[EngineSummary]) -> str:
    names = [PEER_LABEL if s.engine == PEER else s.engine for s in summaries]
    rows = [summary_rows(s) for s in summaries]
    width = max(len(v) for r in rows for _, v in r) + 2
    lines = [f"{'':26}" + "".join(f"{n:<{width}}" for n in names)]
    for i, (label, _) in enumerate(rows[0]):
        lines.append(f"{label:26}" + "".join(f"{r[i][1]:<{width}}" for r in rows))
    formats = sorted({f for s in summaries for f in s.by_format})
    lines.append("cell accuracy by format:")
    for fmt in formats:
        cells = [f"{100 * s.by_format[fmt]:.2f}%" if fmt in s.by_format else "-"
                 for s in summaries]
        lines.append(f"  {fmt:24}" + "".join(f"{c:<{width}}" for c in cells))
    return "\n".join(lines)


def format_details(s: EngineSummary) -> str:
    name = PEER_LABEL if s.engine == PEER else s.engine
    lines = [f"[{name}]" + (f" {s.note}" if s.note else "")]
    if s.silent_errors:
        lines.append(f"  silent errors (first {min(SHOWN_SILENT, s.silent)} of {s.silent}):")
        lines += [f"    {e.document}  {e.cell}  truth={e.truth}  value={e.value}  raw={e.raw!r}"
                  for e in s.silent_errors[:SHOWN_SILENT]]
    if s.flag_reasons:
        lines.append("  flags by reason (cells flagged / of them wrong; a cell counts under "
                     "each of its reasons):")
        common = sorted(s.flag_reasons.items(), key=lambda item: -item[1][0])
        lines += [f"    {flagged:5} / {wrong:<5} {reason}"
                  for reason, (flagged, wrong) in common[:SHOWN_REASONS]]
    if s.errors:
        lines.append(f"  documents with errors ({len(s.errors)}):")
        lines += [f"    {doc}: {error}" for doc, error in s.errors]
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- main


def bench_engine(engine: str, truths: Sequence[Truth], jobs: int, scratch: Path
                 ) -> tuple[EngineSummary, list[DocScore]]:
    outcomes, memory, note = run_engine(engine, truths, jobs, scratch)
    scores = [score_document(t, o) for t, o in zip(truths, outcomes, strict=True)]
    return summarize(engine, scores, memory, note), scores


def header(args: argparse.Namespace, truths: Sequence[Truth]) -> str:
    formats = sorted({t.format for t in truths})
    return "\n".join([
        f"recover bench: {len(truths)} documents in {args.data} (seed {args.seed}; "
        f"formats {', '.join(formats)})",
        f"machine: os.cpu_count()={os.cpu_count()}; each engine in {args.jobs} fresh worker "
        "process(es) pinned to one core, OMP_NUM_THREADS=1; engine loaded before timing",
        "time: time.perf_counter per report; peak memory: ru_maxrss of the worker process "
        "(RUSAGE_SELF: recover's tesseract runs in it, through tesserocr; the tesseract "
        "executable img2table starts is a separate process, not counted)",
    ])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="default: bench-data/seed-<seed>")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--peer", action=argparse.BooleanOptionalAction, default=True,
                        help="also run img2table + Tesseract chi_sim")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes per engine")
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--core", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("documents", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.data = args.data or Path("bench-data") / f"seed-{args.seed}"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args.worker, args.documents, args.result, args.core)
    truths = ensure_set(args.data, args.count, args.seed)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    summaries, documents = [], {}
    with tempfile.TemporaryDirectory() as scratch:
        for engine in engines:
            summary, scores = bench_engine(engine, truths, args.jobs, Path(scratch))
            summaries.append(summary)
            documents[engine] = scores
        if args.peer:
            missing = peer_available()
            if missing:
                summaries.append(summarize(PEER, [], note=f"not run: {missing}"))
            else:
                summary, scores = bench_engine(PEER, truths, args.jobs, Path(scratch))
                note = "; ".join(n for n in (peer_version(), summary.note) if n)
                summaries.append(replace(summary, note=note))
                documents[PEER] = scores
    report = "\n\n".join([header(args, truths), format_table(summaries),
                          *[format_details(s) for s in summaries]])
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    figures = {"settings": {k: str(v) for k, v in vars(args).items() if k != "documents"},
               "cpu_count": os.cpu_count(), "summaries": [asdict(s) for s in summaries],
               "documents": {e: [asdict(s) for s in v] for e, v in documents.items()}}
    (args.out / "bench.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    (args.out / "bench.txt").write_text(report + "\n", encoding="utf-8")
    print(f"\nfigures: {args.out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
