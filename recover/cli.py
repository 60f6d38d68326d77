"""The command line: a thin shell over `recover.pipeline`, `recover.output` and `recover.rules`.

User errors print one line, `recover: <file>: <problem> (<what to do>)`, and set the exit
code of their class (see `recover.errors`); other files in the same run still go on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from recover import __version__
from recover.errors import RecoverError
from recover.ocr.base import ENGINE_NAMES

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Recover the statistical tables of 政府信息公开工作年度报告 "
                       "from images, scans and text.")

# Exit codes for `recover check`.
CHECK_CLEAN, CHECK_RULES_BROKEN, CHECK_FLAGGED = 0, 1, 2


def _say(line: str) -> None:
    typer.echo(line, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"recover {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """recover: tables of government information-disclosure annual reports."""


Paths = Annotated[list[Path], typer.Argument(help="Report files (PDF, image, DOCX, HTML, TXT).")]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Folder for the result JSON files.")]
Engine = Annotated[str, typer.Option(help=f"OCR engine: {' or '.join(ENGINE_NAMES)}.")]
TemplateId = Annotated[str | None, typer.Option(help="Force the template version (2019 or 2021).")]
Password = Annotated[str | None, typer.Option(help="Password of encrypted PDFs.")]
Dpi = Annotated[int, typer.Option(help="Resolution for rasterizing scanned PDF pages.")]
ResultFile = Annotated[Path, typer.Argument(help="A result JSON written by recover.")]


Jobs = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (default: the cores).")]
Timeout = Annotated[float, typer.Option(help="Seconds one file may take (0: no limit).")]
MaxMemory = Annotated[int | None, typer.Option(
    help="MB of memory a worker may take for one file, on top of its loaded engine.")]
MaxPixels = Annotated[int, typer.Option(help="Largest image (pixels) recover will decode.")]
Force = Annotated[bool, typer.Option(help="Read again files an earlier run already did.")]
Cluster = Annotated[str | None, typer.Option(
    help="'local': run on a Dask cluster of --jobs processes started for this run.")]
Scheduler = Annotated[str | None, typer.Option(
    help="Address of a running Dask scheduler, e.g. tcp://host:8786.")]


@app.command()
def extract(paths: Annotated[list[str], typer.Argument(
                help="Report files (PDF, image, DOCX, HTML, TXT), folders or glob patterns.")],
            out: OutDir = Path("out"), engine: Engine = "rapidocr",
            template: TemplateId = None, password: Password = None, dpi: Dpi = 200,
            jobs: Jobs = 0, timeout: Timeout = 600, max_memory: MaxMemory = None,
            max_pixels: MaxPixels = 80_000_000, force: Force = False,
            cluster: Cluster = None, scheduler: Scheduler = None) -> None:
    """Recover the tables of each report: OUT/<name>.json, and OUT/summary.json for all."""
    from dataclasses import asdict

    from recover.batch import local_runner, run_batch
    from recover.pipeline import Options
    from recover.progress import make_display
    from recover.sandbox import SandboxSettings

    if engine not in ENGINE_NAMES:
        raise typer.BadParameter(f"choose one of {', '.join(ENGINE_NAMES)}", param_hint="--engine")
    if cluster not in (None, "local"):
        raise typer.BadParameter("only 'local'; use --scheduler for a running cluster",
                                 param_hint="--cluster")
    jobs = jobs or os.cpu_count() or 1
    options = Options(engine=engine, template=template, password=password, dpi=dpi,
                      max_pixels=max_pixels)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    settings = SandboxSettings(asdict(options), timeout or None, max_memory, threads)
    runner, runner_name = local_runner(jobs), f"local, {jobs} workers"
    if cluster or scheduler:
        from recover.cluster import dask_runner

        settings = SandboxSettings(asdict(options), timeout or None, max_memory, 1)
        runner, runner_name = dask_runner(scheduler, jobs), f"dask {scheduler or 'local'}"
    display = make_display()
    try:
        result = run_batch(paths, out, settings, runner, display, force, runner_name)
    finally:
        display.close()
    c = result.counts
    typer.echo(f"{c['files']} files: {c['ok']} ok ({c['reused']} already done), "
               f"{c['failed']} failed; {c['flagged_cells']} flagged cells; "
               f"summary in {result.summary_path}")
    raise typer.Exit(result.exit_code)


@app.command()
def debug(paths: Paths, out: OutDir = Path("debug"), engine: Engine = "rapidocr",
          template: TemplateId = None, password: Password = None, dpi: Dpi = 200) -> None:
    """Draw what the table finder saw on each page: OUT/<name>.page<N>.png."""
    from recover.debug import write_debug_images
    from recover.output import result_path, write_report
    from recover.pipeline import Options, trace_report

    options = Options(engine=engine, template=template, password=password, dpi=dpi)
    worst = 0
    for path in paths:
        try:
            trace = trace_report(path, options)
        except RecoverError as exc:
            _say(f"recover: {exc.line()}")
            worst = max(worst, exc.exit_code)
            for image in write_debug_images(None, path.stem, out, exc.seen):
                typer.echo(f"{path}: {image} (what was found; no report table among it)")
            continue
        write_report(trace.report, result_path(path, out))
        for image in write_debug_images(trace, path.stem, out):
            typer.echo(f"{path}: {image}")
        if trace.images is None:
            typer.echo(f"{path}: the tables were text; no page images to draw")
    raise typer.Exit(worst)


@app.command()
def check(result: ResultFile) -> None:
    """Re-run the rules on a (possibly hand-edited) result. Exit 0 when clean, 1 when a
    rule is broken, 2 when no rule is broken but cells are still flagged."""
    from recover.output import read_report
    from recover.review.decisions import is_reviewed, needs_review
    from recover.rules import recheck_report
    from recover.templates import get_template

    try:
        report = read_report(result)
    except RecoverError as exc:
        _say(f"recover: {exc.line()}")
        raise typer.Exit(exc.exit_code) from None
    if report.template is None:
        typer.echo(f"{result}: no table was found; nothing to check")
        raise typer.Exit(CHECK_FLAGGED)
    # The rules afresh: a hand edit may have mended or broken one since the file was written.
    report = recheck_report(report, get_template(report.template))
    violations = report.violations
    for v in violations:
        typer.echo(f"{result}: breaks {v.rule} along {v.along}: {v.left} != {v.right} ({v.text})")
    flagged = [c for c in report.cells if needs_review(c)]
    for cell in flagged:
        typer.echo(f"{result}: {cell.id} flagged: {'; '.join(cell.reasons)}")
    reviewed = sum(is_reviewed(c) for c in report.cells)
    typer.echo(f"{result}: {len(violations)} rule violations, {len(flagged)} flagged cells, "
               f"{reviewed} reviewed")
    if violations:
        raise typer.Exit(CHECK_RULES_BROKEN)
    raise typer.Exit(CHECK_FLAGGED if flagged else CHECK_CLEAN)


@app.command()
def review(
    path: Annotated[Path, typer.Argument(help="A result JSON, or a folder of them.")],
    reviewer: Annotated[str | None, typer.Option(help="Your name in the audit trail "
                                                      "(default: your login).")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free one).")] = 0,
    browser: Annotated[bool, typer.Option(help="Open the page in a browser.")] = True,
) -> None:
    """Review the flagged cells on a local web page; every decision is saved at once."""
    from recover.review.cli import run_review

    raise typer.Exit(run_review(path, reviewer, port, browser))


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="A result JSON, or a folder of them.")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "xlsx",  # noqa: A002
    out: OutDir = Path("export"),
) -> None:
    """Write each result's tables laid out like the template, flagged and reviewed cells
    marked: OUT/<name>.xlsx, or OUT/<name>.<table>.csv and OUT/<name>.flags.csv."""
    from recover.export import FORMATS, export_report
    from recover.output import read_report
    from recover.review.server import result_files
    from recover.templates import get_template

    if format not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    worst = 0
    for result in result_files(path):
        try:
            report = read_report(result)
        except RecoverError as exc:
            _say(f"recover: {exc.line()}")
            worst = max(worst, exc.exit_code)
            continue
        if report.template is None:
            typer.echo(f"{result}: no table was found; nothing to export")
            continue
        written = export_report(get_template(report.template), report, format,  # type: ignore[arg-type]
                                out, result.stem)
        typer.echo(f"{result}: {', '.join(str(p) for p in written)}")
    raise typer.Exit(worst)
