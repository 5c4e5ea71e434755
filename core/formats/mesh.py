"""What the STL, OBJ and 3MF readers share: the source bytes, and turning triangles into a checked MeshInfo.

Decisions a user notices:

- A triangle with a NaN or infinite coordinate is left out, with a warning that says how many were; a few
  broken facets should not hide the rest of a model from the library. A file in which every triangle is
  broken is refused, as is a file with no triangles at all.
- STL and OBJ files carry no unit; their numbers are taken as millimetres (what every slicer assumes). When
  the whole model is under 1 mm across, a warning says it was probably exported in metres or centimetres.
- A mesh may hold at most `MAX_TRIANGLES` triangles, so a small file cannot make a reader allocate without
  bound (a 3MF can place one object many times).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.errors import FileFormatError
from core.formats.model import MeshInfo

MAX_TRIANGLES = 50_000_000  # 1.8 GB of float32 coordinates; far beyond any printable model

Source = bytes | str | os.PathLike[str]  # the file's content, or its path


def source_bytes(source: Source) -> bytes:
    """The bytes of a file given as its content or its path (an OSError is the caller's to report)."""
    if isinstance(source, bytes):
        return source
    return Path(source).read_bytes()


def check_triangle_budget(count: int, label: str) -> None:
    if count > MAX_TRIANGLES:
        raise FileFormatError(
            f"{label} holds {count:,} triangles, more than the {MAX_TRIANGLES:,} Printstall reads."
        )


def checked_mesh(
    triangles: npt.NDArray[np.floating], label: str, warnings: list[str], *, unitless: bool = False
) -> MeshInfo:
    """A MeshInfo of `triangles` (any float array of n*9 numbers), or FileFormatError when none is usable."""
    with np.errstate(over="ignore", invalid="ignore"):  # values beyond float32 become inf, caught below
        tris = np.ascontiguousarray(triangles, dtype=np.float32).reshape(-1, 3, 3)
    total = tris.shape[0]
    if total == 0:
        raise FileFormatError(f"{label} contains no triangles.")
    check_triangle_budget(total, label)
    if not np.isfinite(tris).all():
        finite = np.isfinite(tris).all(axis=(1, 2))
        kept = int(finite.sum())
        if kept == 0:
            raise FileFormatError(
                f"{label} has no usable triangles: every one has a coordinate that is not a number."
            )
        tris = tris[finite]
        warnings.append(
            f"{total - kept:,} of {total:,} triangles have a coordinate that is not a number "
            "(NaN or infinite) and were left out; the measures cover the rest."
        )
    if unitless:
        # Column by column: numpy reduces one strided column far faster than (n, 3) along axis 0.
        points = tris.reshape(-1, 3)
        largest = max(float(points[:, i].max()) - float(points[:, i].min()) for i in range(3))
        if 0 < largest < 1.0:
            warnings.append(
                f"The model is only {largest:.3g} mm across; the file carries no unit, so it was "
                "probably exported in metres or centimetres."
            )
    return MeshInfo(triangles=tris, warnings=warnings)
