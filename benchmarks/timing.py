"""Shared by the benchmark scripts: the times of each job over interleaved rounds."""
from __future__ import annotations

import time
from typing import Callable


def each_round(jobs: dict[str, Callable[[], object]], rounds: int, settle: Callable[[], object] | None = None,
               clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Seconds of each job in each of ``rounds`` interleaved rounds (jobs of one round run close in
    time, so their ratio is little touched by a shared machine's drift).
    ``settle`` runs untimed before each job (e.g. ``gc.collect`` when the collector is paused);
    ``clock=time.process_time`` counts only this process's CPU time (not the time other processes
    on the same cores take from it)."""
    times: dict[str, list[float]] = {k: [] for k in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            if settle:
                settle()
            start = clock()
            job()
            times[name].append(clock() - start)
    return times


def best(jobs: dict[str, Callable[[], object]], rounds: int, **options) -> dict[str, float]:
    """Seconds of each job, best of ``rounds`` interleaved rounds (a shared machine drifts)."""
    return {name: min(times) for name, times in each_round(jobs, rounds, **options).items()}
