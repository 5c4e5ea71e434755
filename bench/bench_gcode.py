"""G-code benchmarks: metadata of a 200 MB file (time and memory) and the throughput of the extrusion pass.

The 200 MB file is built in a temporary folder from a real PrusaSlicer header and footer
(tests/data/slicers/mini_cube_ps2.8.1.gcode) around its real move lines, repeated.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import Result, best_of, peak_memory_mb
from core.formats.extrusion import extrusion_from_path
from core.formats.gcode import read_gcode

SOURCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "slicers" / "mini_cube_ps2.8.1.gcode"
SIZE = 200 * 1000 * 1000


def _build(folder: Path) -> tuple[Path, Path]:
    data = SOURCE.read_bytes()
    first_move = data.find(b"\nG1 ") + 1
    footer = data.rfind(b"; filament used [mm]")
    head, moves, tail = data[:first_move], data[first_move:footer], data[footer:]
    moves_only = folder / "moves.gcode"
    with open(moves_only, "wb") as fh:
        written = 0
        while written < SIZE:
            fh.write(moves)
            written += len(moves)
    full = folder / "full.gcode"
    with open(full, "wb") as fh:
        fh.write(head)
        with open(moves_only, "rb") as src:
            while chunk := src.read(16 * 1024 * 1024):
                fh.write(chunk)
        fh.write(tail)
    return full, moves_only


def _read(path: str) -> None:
    read_gcode(path)


def benchmarks() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        full, moves = _build(Path(tmp))
        read_gcode(full)  # warm
        seconds = best_of(lambda: read_gcode(full), repeat=7)
        memory = peak_memory_mb(_read, str(full))
        size = moves.stat().st_size
        extrusion_from_path(moves)  # warm the page cache
        pass_seconds = best_of(lambda: extrusion_from_path(moves), repeat=3)
    throughput = size / pass_seconds / 1e6
    return [
        Result("G-code metadata, 200 MB file, warm", f"{seconds * 1000:.1f} ms", "< 30 ms", seconds < 0.030),
        Result("peak memory of that read, above the interpreter", f"{memory:.1f} MB", "< 50 MB", memory < 50),
        Result("extrusion pass throughput", f"{throughput:.0f} MB/s", ">= 100 MB/s", throughput >= 100),
    ]
