"""Reading Wavefront OBJ meshes into a MeshInfo: `v` and `f` lines; everything else (normals, texture
coordinates, groups, materials, lines, points) is ignored.

Faces may be triangles, quads or any polygon (fan-triangulated from their first vertex), written `v`, `v/vt`,
`v//vn` or `v/vt/vn`, with absolute (1-based) or negative (relative to the vertices read so far) indices.
A face with fewer than three vertices is skipped with a warning; an index of 0 or past the vertices is
refused.

OBJ has no unit. Its numbers are taken as millimetres, as slicers do; no warning is given for that alone (it
would be on every file), only when the model is so small that it was likely exported in metres or centimetres
(see `core.formats.mesh`).

The parse is vectorised: regular expressions pick out the `v` and `f` lines, numpy counts each line's numbers
and triangulates every polygon at once; no Python code runs per vertex or per face.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from core.errors import FileFormatError
from core.formats.mesh import Source, check_triangle_budget, checked_mesh, source_bytes
from core.formats.model import MeshInfo

# A `v` or `f` keyword at the start of a line, then the rest of the line up to a comment.
LINE_KIND = re.compile(rb"^[ \t]*([vf])[ \t]", re.MULTILINE)
VERTEX_LINE = re.compile(rb"^[ \t]*v[ \t]([^\n#]*)", re.MULTILINE)
FACE_LINE = re.compile(rb"^[ \t]*f[ \t]([^\n#]*)", re.MULTILINE)
AFTER_SLASH = re.compile(rb"/\S*")
SPACES = (b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c")  # exactly what bytes.split() splits on
WHITESPACE = np.zeros(256, dtype=bool)
WHITESPACE[list(b"".join(SPACES))] = True


def read_obj(source: Source, *, label: str = "This OBJ file") -> MeshInfo:
    """The mesh of an OBJ file (bytes or a path); FileFormatError, with one sentence, if unreadable."""
    data = source_bytes(source)
    if not data.strip():
        raise FileFormatError(f"{label} is empty.")
    warnings: list[str] = []
    vertices = _vertices(VERTEX_LINE.findall(data), label)
    bodies = FACE_LINE.findall(data)
    if not bodies:
        raise FileFormatError(f"{label} has no faces (no `f` lines), so there is no surface to measure.")
    triangles = _faces(bodies, data, len(vertices), label, warnings)
    return checked_mesh(vertices[triangles], label, warnings, unitless=True)


def _vertices_before_faces(data: bytes) -> npt.NDArray[np.intp]:
    """For each `f` line, how many `v` lines come before it (what negative indices count back from)."""
    kinds = np.frombuffer(b"".join(LINE_KIND.findall(data)), dtype=np.uint8)
    before: npt.NDArray[np.intp] = np.cumsum(kinds == ord("v"))[kinds == ord("f")]
    return before


def _rows(blob: bytes, rows: int) -> tuple[list[bytes], npt.NDArray[np.intp]]:
    """The whitespace-separated tokens of `blob`, and how many each of its `rows` lines has."""
    chars = np.frombuffer(blob, dtype=np.uint8)
    space = WHITESPACE[chars]
    starts = np.flatnonzero(~space & np.concatenate(([True], space[:-1])))
    row_of_token = np.searchsorted(np.flatnonzero(chars == ord("\n")), starts)
    counts = np.bincount(row_of_token, minlength=rows)
    return blob.split(), counts


def _vertices(bodies: list[bytes], label: str) -> npt.NDArray[np.float64]:
    if not bodies:
        raise FileFormatError(f"{label} has no vertices (no `v` lines).")
    tokens, counts = _rows(b"\n".join(bodies), len(bodies))
    if counts.min() < 3:
        raise FileFormatError(f"{label} has a vertex line with fewer than three coordinates.")
    if counts.max() > 3:  # `v x y z w` or `v x y z r g b`: keep the first three numbers of each line
        first = np.cumsum(counts) - counts
        keep = (first[:, None] + np.arange(3)).ravel()
        tokens = np.asarray(tokens, dtype=object)[keep].tolist()
    try:
        values = np.array(tokens, dtype=np.float64)
    except (ValueError, OverflowError):
        raise FileFormatError(f"{label} has a vertex coordinate that is not a number.") from None
    return values.reshape(-1, 3)


def _faces(
    bodies: list[bytes],
    data: bytes,
    vertex_count: int,
    label: str,
    warnings: list[str],
) -> npt.NDArray[np.int64]:
    """Vertex indices (0-based) of the fan triangulation of every face, shape (t, 3)."""
    blob = b"\n".join(bodies)
    if blob.startswith(b"/") or any(space + b"/" in blob for space in SPACES):
        raise FileFormatError(f"{label} has a face corner with no vertex index (like `/2`).")
    tokens, counts = _rows(AFTER_SLASH.sub(b"", blob), len(bodies))
    try:
        index = np.array(tokens, dtype=np.int64)
    except (ValueError, OverflowError):
        raise FileFormatError(f"{label} has a face with a vertex index that is not a whole number.") from None
    if np.any(index == 0):
        raise FileFormatError(f"{label} has a face with vertex index 0; OBJ indices start at 1.")
    if index.size and index.min() < 0:  # rare: only then is the order of the lines needed
        index = np.where(index < 0, index + np.repeat(_vertices_before_faces(data), counts), index - 1)
    else:
        index -= 1
    if index.size and index.max() >= vertex_count:
        raise FileFormatError(
            f"{label} has a face that refers to vertex {int(index.max()) + 1:,}, "
            f"but the file has only {vertex_count:,} vertices."
        )
    if index.size and index.min() < 0:
        raise FileFormatError(
            f"{label} has a face whose relative (negative) index reaches before the first vertex."
        )
    short = counts < 3
    if short.any():
        warnings.append(f"{int(short.sum()):,} faces with fewer than three corners were skipped.")
    first = np.cumsum(counts) - counts
    fans = np.where(short, 0, counts - 2)
    total = int(fans.sum())
    if total == 0:
        raise FileFormatError(f"{label} has no faces with three or more corners.")
    check_triangle_budget(total, label)
    face = np.repeat(np.arange(len(counts)), fans)
    step = np.arange(total) - np.repeat(np.cumsum(fans) - fans, fans)  # 0 .. corners-3 within each face
    start = first[face]
    return np.stack([index[start], index[start + step + 1], index[start + step + 2]], axis=1)
