"""Run every benchmark module (or those named on the command line) and print one line per target."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench
from bench.common import Result


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    missed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name.removeprefix('bench_')}")
        start = time.perf_counter()
        results: list[Result] = module.benchmarks()
        for result in results:
            print("  " + result.line())
            missed += result.met is False
        print(f"   ({time.perf_counter() - start:.1f} s)")
    print(f"{missed} target(s) missed" if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
