"""Shared by the benchmark scripts: the best time of each job over interleaved rounds."""
from __future__ import annotations

import time
from typing import Callable


def best(jobs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Seconds of each job, best of ``rounds`` interleaved rounds (a shared machine drifts)."""
    times = {k: float("inf") for k in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            times[name] = min(times[name], time.perf_counter() - start)
    return times
