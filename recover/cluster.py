"""Beyond one machine: the same batch on a Dask cluster. Each Dask worker thread drives its
own killable worker process (`recover.sandbox`), exactly as a local run does, so time
limits, crashes and memory limits behave the same; the client writes results and summary.

Inputs must be readable at the same path on every worker (a shared filesystem); only the
client writes to the output folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from recover.batch import Runner
from recover.sandbox import SandboxSettings, WorkerCrashed, failure, read_isolated


def dask_runner(scheduler: str | None, workers: int) -> Runner:
    """Run on the Dask scheduler at `scheduler` (e.g. tcp://host:8786), or, when it is None,
    on a cluster of `workers` local processes started for this run (loopback only)."""

    def run(paths: list[Path], settings: SandboxSettings) -> Iterator[tuple[Path, dict[str, Any]]]:
        from dask.distributed import Client, LocalCluster, as_completed

        if not paths:
            return
        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                                   processes=True, host="127.0.0.1", dashboard_address=None)
        client = Client(scheduler or cluster)
        try:
            futures = {client.submit(read_isolated, str(p), settings, pure=False): p
                       for p in paths}
            for future in as_completed(futures):
                path = futures[future]
                try:
                    raw = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker fails one file
                    problem = f"the Dask worker reading it was lost ({type(error).__name__})"
                    raw = failure(WorkerCrashed(path, problem))
                yield path, raw
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run
