"""What every benchmark module uses: a result line, timing, and peak memory of a function run in a child.

A module `bench/bench_<area>.py` defines `def benchmarks() -> list[Result]`; `python3 dev.py bench` (or
`.venv/bin/python -m bench.run`) runs them all and prints one line per target.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    name: str  # what is measured
    figure: str  # the measurement, with its unit
    target: str = ""  # the target, if the issue sets one ("< 30 ms")
    met: bool | None = None  # None: no target, a figure to report

    def line(self) -> str:
        verdict = "" if self.met is None else ("  ok" if self.met else "  MISSED")
        target = f"  (target {self.target})" if self.target else ""
        return f"{self.name:58} {self.figure:>16}{target}{verdict}"


def best_of(func: Callable[[], Any], repeat: int = 5) -> float:
    """The best wall time of `repeat` runs, in seconds (warm cache: the first run warms it)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(func: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_child(target: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    target(*args)
    queue.put((base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def peak_memory_mb(target: Callable[..., Any], *args: Any) -> float:
    """Peak resident memory that `target(*args)` adds, in MB, measured in a fresh process (Linux: ru_maxrss).

    The child imports what `target` needs before measuring its baseline, so the figure is the call's own.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_child, args=(target, args, queue))
    process.start()
    base_kb, peak_kb = queue.get(timeout=600)
    process.join()
    return (peak_kb - base_kb) / 1024
