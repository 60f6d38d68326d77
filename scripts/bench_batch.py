"""Batch throughput: reports per minute with 1 and with 2 worker processes on the same
generated set, the ratio between them, and the peak memory (RSS) of each worker.

    .venv/bin/python scripts/bench_batch.py --count 8 --fmt png
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_document  # noqa: E402

from recover.batch import local_runner, run_batch  # noqa: E402
from recover.pipeline import Options  # noqa: E402
from recover.sandbox import SandboxSettings  # noqa: E402


class Quiet:
    def start(self, total: int, reused: int) -> None: ...
    def done(self, outcome: object) -> None: ...


def run(inputs: Path, out: Path, jobs: int, settings: SandboxSettings) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    result = run_batch([inputs], out, settings, local_runner(jobs), Quiet(), force=True)
    seconds = time.monotonic() - started
    peaks: dict[int, float] = defaultdict(float)
    for outcome in result.outcomes.values():
        if outcome.worker_pid:
            peaks[outcome.worker_pid] = max(peaks[outcome.worker_pid], outcome.peak_rss_mb or 0)
    return {"seconds": seconds, "per_minute": len(result.outcomes) * 60 / seconds,
            "ok": result.counts["ok"], "files": len(result.outcomes), "peaks": dict(peaks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--fmt", default="png")
    parser.add_argument("--engine", default="rapidocr")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        for i in range(args.count):
            generate_document(inputs, f"bench{i:03d}", 1000 + i, fmt=args.fmt, damage={})
        for truth in inputs.glob("*.truth.json"):
            truth.unlink()
        settings = SandboxSettings(asdict(Options(engine=args.engine)), timeout=600)
        print(f"{args.count} generated {args.fmt} reports, engine {args.engine}")
        rates = {}
        cores = os.cpu_count() or 1
        for jobs in (1, 2):
            threads = max(1, cores // jobs)  # as `recover extract --jobs` does
            r = run(inputs, Path(tmp) / f"out{jobs}", jobs, replace(settings, threads=threads))
            rates[jobs] = r["per_minute"]
            peaks = ", ".join(f"{mb:.0f} MB" for mb in r["peaks"].values())
            print(f"{jobs} worker{'s' if jobs > 1 else ''}: {r['ok']}/{r['files']} ok in "
                  f"{r['seconds']:.1f} s = {r['per_minute']:.1f} reports/min; "
                  f"peak RSS per worker: {peaks}")
        print(f"ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
