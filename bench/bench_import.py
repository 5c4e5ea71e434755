"""Importing a folder of 500 mixed files: files per second, and where the time goes."""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import Result

SLICERS = Path(__file__).resolve().parent.parent / "tests" / "data" / "slicers"


def sphere_stl(path: Path, segments: int, radius: float) -> None:
    """A UV sphere as a binary STL with about 2 * segments**2 triangles."""
    theta = np.linspace(0, np.pi, segments + 1)
    phi = np.linspace(0, 2 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    grid = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1) * radius
    a, b = grid[:-1, :-1], grid[1:, :-1]
    c, d = grid[1:, 1:], grid[:-1, 1:]
    tris = np.concatenate([np.stack([a, b, c], axis=2), np.stack([a, c, d], axis=2)]).reshape(-1, 3, 3)
    records = np.zeros(len(tris), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["v"] = tris
    with path.open("wb") as out:
        out.write(b"bench sphere".ljust(80, b"\0") + struct.pack("<I", len(tris)))
        out.write(records.tobytes())


def make_folder(root: Path, count: int = 500) -> dict[str, int]:
    """Meshes of 2k to 50k triangles, and real sliced files made unique by a trailing comment."""
    sliced = sorted(p for p in SLICERS.iterdir() if p.suffix in (".gcode", ".bgcode"))
    kinds: dict[str, int] = {}
    rng = np.random.default_rng(7)
    for index in range(count):
        if index % 2 == 0:
            path = root / f"model_{index:03d}.stl"
            sphere_stl(path, int(rng.integers(32, 160)), float(rng.uniform(5, 40)))
        else:
            source = sliced[index % len(sliced)]
            path = root / f"model_{index - 1:03d}_0.2mm_PLA{source.suffix}"
            shutil.copy(source, path)
            if source.suffix == ".gcode":
                with path.open("ab") as out:
                    out.write(f"; bench copy {index}\n".encode())
            # A copied .bgcode stays byte-identical: those are the batch's duplicates, as in a real folder.
        kinds[path.suffix] = kinds.get(path.suffix, 0) + 1
    return kinds


def benchmarks() -> list[Result]:
    from core.services.importing import ImportTimings, import_paths
    from core.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="printstall-bench-") as tmp:
        root = Path(tmp)
        os.environ.setdefault("PRINTSTALL_CONFIG_DIR", str(root / "config"))
        folder = root / "folder"
        folder.mkdir()
        make_folder(folder)
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        timings = ImportTimings()
        with Workspace.open(root / "data") as ws:
            start = time.perf_counter()
            outcomes = import_paths(ws, [folder], timings)
            elapsed = time.perf_counter() - start
        statuses = {s: sum(o.status == s for o in outcomes) for s in ("added", "duplicate", "rejected")}
        other = elapsed - timings.store - timings.parse - timings.thumbnails - timings.database
        share = {
            "store+hash": timings.store,
            "parse": timings.parse,
            "thumbnails": timings.thumbnails,
            "database": timings.database,
            "other": other,
        }
        where = ", ".join(f"{k} {100 * v / elapsed:.0f}%" for k, v in share.items())
        return [
            Result(
                f"import 500 mixed files ({size_mb:.0f} MB; {statuses['added']} added, "
                f"{statuses['duplicate']} dup.)",
                f"{len(outcomes) / elapsed:.1f} files/s",
            ),
            Result(f"  time: {where}", f"{elapsed:.1f} s"),
        ]
