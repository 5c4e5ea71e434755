"""Real files made on the fly for import tests: binary STL cubes and copies of the real slicer files."""

from __future__ import annotations

import struct
from pathlib import Path

SLICERS = Path(__file__).resolve().parent.parent / "data" / "slicers"

_CUBE_FACES = [
    ((0, 0, 0), (0, 1, 0), (1, 1, 0)), ((0, 0, 0), (1, 1, 0), (1, 0, 0)),  # bottom (z=0), facing down
    ((0, 0, 1), (1, 0, 1), (1, 1, 1)), ((0, 0, 1), (1, 1, 1), (0, 1, 1)),  # top
    ((0, 0, 0), (1, 0, 0), (1, 0, 1)), ((0, 0, 0), (1, 0, 1), (0, 0, 1)),  # front (y=0)
    ((0, 1, 0), (0, 1, 1), (1, 1, 1)), ((0, 1, 0), (1, 1, 1), (1, 1, 0)),  # back
    ((0, 0, 0), (0, 0, 1), (0, 1, 1)), ((0, 0, 0), (0, 1, 1), (0, 1, 0)),  # left (x=0)
    ((1, 0, 0), (1, 1, 0), (1, 1, 1)), ((1, 0, 0), (1, 1, 1), (1, 0, 1)),  # right
]  # fmt: skip


def cube_stl_bytes(size: float = 20.0, header: bytes = b"printstall test cube") -> bytes:
    """A closed, outward-facing binary STL cube of `size` mm."""
    out = bytearray(header.ljust(80, b"\0")[:80])
    out += struct.pack("<I", len(_CUBE_FACES))
    for face in _CUBE_FACES:
        out += struct.pack("<3f", 0, 0, 0)
        for vertex in face:
            out += struct.pack("<3f", *(c * size for c in vertex))
        out += b"\0\0"
    return bytes(out)


def write_cube(path: Path, size: float = 20.0) -> Path:
    path.write_bytes(cube_stl_bytes(size))
    return path
