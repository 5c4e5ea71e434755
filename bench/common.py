"""What every benchmark module uses: a result line, timing, and peak memory of a function run in a child.

A module `bench/bench_<area>.py` defines `def benchmarks() -> list[Result]`; `python3 dev.py bench` (or
`.venv/bin/python -m bench.run`) runs them all and prints one line per target.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
import tracemalloc
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
    target(*args)  # once to import and warm up what it needs
    tracemalloc.start()
    target(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put(peak)


def peak_memory_mb(target: Callable[..., Any], *args: Any) -> float:
    """Peak memory that one call of `target(*args)` allocates above the warmed-up interpreter, in MB.

    Measured with tracemalloc in a fresh process: it sees every Python object and every numpy buffer (numpy
    reports its allocations to tracemalloc), and nothing the interpreter held before the call.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_child, args=(target, args, queue))
    process.start()
    peak = queue.get(timeout=600)
    process.join()
    return float(peak) / (1024 * 1024)
