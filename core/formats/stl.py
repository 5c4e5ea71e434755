"""Reading STL meshes, binary and ASCII, into a MeshInfo (triangles in mm; STL has no unit, mm is assumed).

Which form a file is: binary when `84 + 50 * n` equals its size (n = the triangle count at offset 80),
whatever its header says (many binary exporters start the header with `solid`). Otherwise a file that starts
with `solid` (after a UTF-8 BOM and blanks) is read as ASCII. A binary file with bytes after its last triangle
is read with a warning; one shorter than its count announces is refused as cut short.

ASCII files are parsed with one regular expression over the `vertex` lines (CRLF, tabs, scientific notation,
several solids in one file all work), a few megabytes at a time, and converted to numbers by numpy. Facet
normals are ignored in both forms: the measures and the thumbnail work from the vertices.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from core.errors import FileFormatError
from core.formats.mesh import Source, check_triangle_budget, checked_mesh, source_bytes
from core.formats.model import MeshInfo

HEADER_SIZE = 84
RECORD = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])
assert RECORD.itemsize == 50

BOM = b"\xef\xbb\xbf"
# `\s+` may cross lines on purpose: a vertex line with too few numbers then swallows the next keyword and
# fails to convert, instead of silently shifting every later vertex.
VERTEX = re.compile(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)", re.IGNORECASE)
ASCII_CHUNK = 8 * 1024 * 1024


def read_stl(source: Source, *, label: str = "This STL file") -> MeshInfo:
    """The mesh of an STL file (bytes or a path); FileFormatError, with one sentence, if unreadable."""
    data = source_bytes(source)
    size = len(data)
    if size == 0:
        raise FileFormatError(f"{label} is empty.")
    warnings: list[str] = []
    declared = int.from_bytes(data[80:84], "little") if size >= HEADER_SIZE else None
    if declared is not None and HEADER_SIZE + 50 * declared == size:
        return checked_mesh(_binary(data, declared, label), label, warnings, unitless=True)
    if _looks_like_text(data):
        try:
            triangles = _ascii(data, label)
            return checked_mesh(triangles, label, warnings, unitless=True)
        except FileFormatError:
            if declared is not None and b"\0" in data[:4096]:
                raise FileFormatError(
                    f"{label} is neither a complete binary STL (its header announces {declared:,} triangles, "
                    f"{HEADER_SIZE + 50 * declared:,} bytes, but it has {size:,}) nor a readable text STL."
                ) from None
            raise
    if declared is None:
        raise FileFormatError(f"{label} is only {size} bytes long, too short for an STL.")
    expected = HEADER_SIZE + 50 * declared
    if declared > 0 and size > expected:
        warnings.append(f"{label} has {size - expected:,} bytes after its last triangle; they were ignored.")
        return checked_mesh(_binary(data, declared, label), label, warnings, unitless=True)
    raise FileFormatError(
        f"{label} is cut short or is not an STL file: its header announces {declared:,} triangles "
        f"({expected:,} bytes) but it has {size:,} bytes."
    )


def _looks_like_text(data: bytes) -> bool:
    head = data[:512].removeprefix(BOM).lstrip()
    return head[:5].lower() == b"solid"


def _binary(data: bytes, count: int, label: str) -> npt.NDArray[np.float32]:
    check_triangle_budget(count, label)
    records = np.frombuffer(data, dtype=RECORD, count=count, offset=HEADER_SIZE)
    return np.ascontiguousarray(records["vertices"])


def _ascii(data: bytes, label: str) -> npt.NDArray[np.float64]:
    chunks: list[npt.NDArray[np.float64]] = []
    pos = len(BOM) if data.startswith(BOM) else 0
    while pos < len(data):
        # Chunks end where a facet's `endloop` begins, so no vertex line is ever split between two chunks.
        end = data.find(b"endloop", pos + ASCII_CHUNK) if pos + ASCII_CHUNK < len(data) else -1
        end = len(data) if end < 0 else end
        matches = VERTEX.findall(data, pos, end)
        if matches:
            try:
                chunks.append(np.array(matches, dtype=np.float64))
            except (ValueError, OverflowError):
                raise FileFormatError(f"{label} has a vertex coordinate that is not a number.") from None
            check_triangle_budget(sum(len(c) for c in chunks) // 3, label)
        pos = end
    if not chunks:
        raise FileFormatError(f"{label} starts like a text STL but has no facets with vertices.")
    vertices = np.concatenate(chunks)
    if len(vertices) % 3:
        raise FileFormatError(f"{label} has a facet that does not have exactly three vertices.")
    return vertices.reshape(-1, 3, 3)
