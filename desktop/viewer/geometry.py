"""The vertex data the 3D viewer uploads: shared vertices and triangle indices, smooth normals, a simplified
copy for slow renderers, and the ground grid. Only numpy here, so all of it is tested without an OpenGL
context, and all of it can run on a worker thread.

A mesh is drawn indexed (glDrawElements): corners that share a position become one vertex of 16 bytes, the
position relative to the model's centre (float32 x 3, so far-off coordinates keep their precision) and a
normal packed as signed 10-bit x, y, z (GL_INT_2_10_10_10_REV). Vertices are numbered in the order the
triangles first use them, so that neighbouring triangles share recently transformed vertices (the vertex
cache of GPUs and of Mesa's software renderers), and the indices are 16-bit where the vertices allow.
Flat shading needs no normals at all (the fragment shader takes the triangle's plane from the screen-space
derivatives of its position), so a mesh is drawable as soon as its vertices are shared.

Smooth normals are averaged over the corners that share a position, weighted by triangle area, but only over
triangles within `CREASE_DEG` of each other: a sphere comes out round while the edges of a box or the rim of
a cylinder stay sharp, and triangles wound the wrong way are not averaged into a zero. Corners are grouped by
sorting one 64-bit key per corner, its position snapped to a fine grid (a third of the time of a
lexicographic sort of the coordinates). A vertex whose corners get different smooth normals (at a crease) is
split into one vertex per normal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

CREASE_DEG = 50.0  # neighbouring triangles further apart than this keep a sharp edge in smooth shading
BIG_GROUP = 48  # corners sharing one position above which the pairwise crease test is replaced by a cheap one
DENSE_CELLS = 1 << 24  # grid cells above which simplify() numbers the occupied cells by sorting
WELD_STEPS = 1 << 21  # grid steps across the model to which positions are snapped when grouping corners
PAIRS_PER_BATCH = 1 << 22  # corner pairs compared per numpy batch (keeps temporaries around 100 MB)
VERTEX_DTYPE = np.dtype([("position", "<f4", (3,)), ("normal", "<u4")])  # 16 bytes: position, normal
GL_INT_2_10_10_10_REV = 0x8D9F
SHORT_INDICES = 1 << 16  # vertex counts up to which 16-bit indices are enough

Vertices = npt.NDArray[np.void]
Indices = npt.NDArray[np.uint16] | npt.NDArray[np.uint32]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class MeshGeometry:
    """What the viewer draws of a mesh: its vertices, three indices per triangle, and where the model sits."""

    vertices: Vertices  # VERTEX_DTYPE; positions relative to `centre`; normals 0 until `smooth`
    indices: Indices  # into `vertices`, three per triangle in the mesh's order; uint16 where they fit
    centre: tuple[float, float, float]  # the middle of the bounding box, in model mm
    size: tuple[float, float, float]  # the bounding box's extent along x, y, z, in mm
    smooth: bool = False  # whether the vertices carry smooth normals

    @property
    def vertex_count(self) -> int:
        return len(self.vertices)

    @property
    def triangle_count(self) -> int:
        return len(self.indices) // 3


def clean_triangles(triangles: npt.ArrayLike) -> FloatArray:
    """The triangles as float32 (n, 3, 3), without any that has a non-finite coordinate."""
    tris = np.asarray(triangles, dtype=np.float32).reshape(-1, 3, 3)
    finite = np.isfinite(tris).reshape(-1, 9).all(axis=1)
    if not finite.all():
        tris = tris[finite]
    return tris


def build_geometry(
    triangles: npt.ArrayLike, centre: tuple[float, float, float] | None = None
) -> MeshGeometry:
    """The shared vertices and indices of a mesh ((n, 3, 3) in mm), without normals (flat shading), with
    positions relative to the middle of its bounding box (or to `centre`, for a simplified copy placed like
    the original). An empty mesh gives no vertices."""
    tris = clean_triangles(triangles)
    middle, size = bounds(tris)
    if len(tris) == 0:
        return MeshGeometry(np.zeros(0, dtype=VERTEX_DTYPE), np.zeros(0, dtype=np.uint16), middle, size)
    middle = middle if centre is None else centre
    corners = tris.reshape(-1, 3)
    vertex_of_corner, first_corner = _share_corners(corners)
    vertices = np.zeros(len(first_corner), dtype=VERTEX_DTYPE)
    np.subtract(corners[first_corner], np.asarray(middle, dtype=np.float32), out=vertices["position"])
    return MeshGeometry(vertices, _indices(vertex_of_corner, len(vertices)), middle, size)


def bounds(triangles: FloatArray) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The middle and the extent of the bounding box of (cleaned) triangles; a unit box at the origin for no
    triangles. Quick (tens of milliseconds for a million triangles): the view frames a model with it at once,
    while its vertices are still being prepared."""
    if len(triangles) == 0:
        return (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    corners = triangles.reshape(-1, 3)
    low = corners.min(axis=0).astype(np.float64)
    high = corners.max(axis=0).astype(np.float64)
    middle, size = (low + high) / 2, high - low
    return (
        (float(middle[0]), float(middle[1]), float(middle[2])),
        (float(size[0]), float(size[1]), float(size[2])),
    )


def with_smooth_normals(geometry: MeshGeometry, triangles: FloatArray) -> MeshGeometry:
    """`geometry` (built from `triangles`) with smooth normals: a vertex whose corners get different normals
    (at a crease) becomes one vertex per normal. About a second and a half per million triangles."""
    if geometry.smooth or geometry.vertex_count == 0:
        return geometry
    normals = smooth_vertex_normals(triangles)
    # One key per corner: its vertex in the high half, its normal in the low half. Sorting the keys keeps the
    # vertices in their order (of first use) and puts a split vertex's copies next to each other.
    keys = (geometry.indices.astype(np.uint64) << np.uint64(32)) | normals
    unique, vertex_of_corner = np.unique(keys, return_inverse=True)
    vertices = np.empty(len(unique), dtype=VERTEX_DTYPE)
    vertices["position"] = geometry.vertices["position"][(unique >> np.uint64(32)).astype(np.intp)]
    vertices["normal"] = (unique & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return replace(
        geometry, vertices=vertices, indices=_indices(vertex_of_corner, len(vertices)), smooth=True
    )


def simplified_geometry(
    triangles: FloatArray, target: int, centre: tuple[float, float, float]
) -> tuple[FloatArray, MeshGeometry]:
    """A simplified copy of a mesh (about `target` triangles, see `simplify`), placed like the original (whose
    centre is `centre`): its triangles and its geometry."""
    coarse = clean_triangles(simplify(triangles, target))
    return coarse, build_geometry(coarse, centre=centre)


def _share_corners(corners: FloatArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The vertex of each corner (corners at one position share one) and the first corner of each vertex.
    Vertices are numbered in the order of their first corner."""
    order, starts = _group_corners(corners)
    first_corner = np.minimum.reduceat(order, starts)  # of each group of corners at one position
    by_first_use = np.argsort(first_corner)
    number = np.empty(len(starts), dtype=np.intp)
    number[by_first_use] = np.arange(len(starts))
    vertex_of_corner = np.empty(len(corners), dtype=np.intp)
    vertex_of_corner[order] = np.repeat(number, np.diff(np.append(starts, len(corners))))
    return vertex_of_corner, first_corner[by_first_use]


def _indices(values: npt.NDArray[np.integer], vertex_count: int) -> Indices:
    """Indices as the smallest unsigned type that holds them (16-bit halves what the GPU reads)."""
    if vertex_count <= SHORT_INDICES:
        return values.astype(np.uint16)
    return values.astype(np.uint32)


def smooth_vertex_normals(triangles: FloatArray, crease_deg: float = CREASE_DEG) -> npt.NDArray[np.uint32]:
    """The smooth normal of every corner of `triangles` (cleaned, (n, 3, 3)), packed (`pack_normals`), in the
    order of the corners. About a second per million triangles: the viewer computes them on a worker thread
    when smooth shading is first asked for."""
    if len(triangles) == 0:
        return np.zeros(0, dtype=np.uint32)
    corners = np.ascontiguousarray(triangles, dtype=np.float32).reshape(-1, 3)
    area = _face_normals(corners)
    return pack_normals(smooth_normals(corners, _normalised(area), area, crease_deg))


def _face_normals(corners: FloatArray) -> FloatArray:
    """Per triangle of (3n, 3) corners, the normal by the right-hand rule, as long as twice its area."""
    tris = corners.reshape(-1, 3, 3)
    normals: FloatArray = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    return normals


def smooth_normals(
    corners: FloatArray, face_unit: FloatArray, face_area: FloatArray, crease_deg: float = CREASE_DEG
) -> FloatArray:
    """A unit normal per corner ((3n, 3) positions): the area-weighted mean of the normals of the triangles
    that share the corner's position and lie within `crease_deg` of the corner's own triangle."""
    count = len(corners)
    order, starts = _group_corners(corners)
    sizes = np.diff(np.append(starts, count))
    # Regroup so that all groups of one size are consecutive: each size is then one (groups, size, 3) block
    # and the pairwise comparison is two batched matrix products per size, with no gathering by index.
    by_size = np.argsort(sizes, kind="stable")
    sizes = sizes[by_size]
    firsts = np.cumsum(sizes) - sizes
    order = order[np.repeat(starts[by_size] - firsts, sizes) + np.arange(count)]
    both = np.take(np.concatenate([face_unit, face_area], axis=1), order // 3, axis=0)
    unit, area = both[:, :3], both[:, 3:]
    threshold = np.float32(math.cos(math.radians(crease_deg)))

    summed = np.empty((count, 3), dtype=np.float32)
    run_starts = np.flatnonzero(np.diff(sizes, prepend=0))
    run_ends = [*run_starts[1:].tolist(), len(sizes)]
    for run_start, run_end in zip(run_starts.tolist(), run_ends, strict=True):
        size = int(sizes[run_start])
        first, last = int(firsts[run_start]), int(firsts[run_end - 1]) + size
        if size > BIG_GROUP:
            _smooth_big(unit, area, summed, firsts[run_start:run_end], size, threshold)
            continue
        per_batch = max(1, PAIRS_PER_BATCH // (size * size)) * size
        for lo in range(first, last, per_batch):
            hi = min(lo + per_batch, last)
            unit_block = unit[lo:hi].reshape(-1, size, 3)
            close = np.matmul(unit_block, unit_block.transpose(0, 2, 1)) >= threshold
            summed[lo:hi] = np.matmul(close.astype(np.float32), area[lo:hi].reshape(-1, size, 3)).reshape(
                -1, 3
            )

    back = np.empty_like(order)
    back[order] = np.arange(count)
    result: FloatArray = np.take(_normalised(summed, fallback=unit), back, axis=0)
    return result


def _smooth_big(
    unit: FloatArray,
    area: FloatArray,
    summed: FloatArray,
    firsts: npt.NDArray[np.intp],
    size: int,
    threshold: np.float32,
) -> None:
    """Groups of many corners (a cone's tip, a disc's centre), where comparing every pair would cost too much:
    the group's mean where the corner's own triangle is close to it, else the triangle's own normal."""
    for first in firsts.tolist():
        part = slice(first, first + size)
        mean = _normalised(area[part].sum(axis=0, keepdims=True))[0]
        close = unit[part] @ mean >= threshold
        summed[part] = np.where(close[:, None], mean, unit[part])


def _group_corners(corners: FloatArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The corners sorted so that shared positions are neighbours, and where each run of them starts.

    Positions are snapped to a grid of 2**21 steps across the model (a millionth of its size), so corners
    that a generator or an exporter left a rounding error apart still count as one; the three grid
    coordinates pack exactly into one 64-bit key, so one sort groups them."""
    low = corners.min(axis=0)
    extent = float((corners.max(axis=0) - low).max()) or 1.0
    scale = np.float32((WELD_STEPS - 1) / extent)
    grid = np.rint((corners - low) * scale).astype(np.int64)
    key = (grid[:, 0] << 42) | (grid[:, 1] << 21) | grid[:, 2]
    order = np.argsort(key)
    ordered = key[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return order, np.flatnonzero(new)


def _normalised(vectors: FloatArray, fallback: FloatArray | None = None) -> FloatArray:
    """Unit vectors; a zero vector becomes `fallback` (or +Z)."""
    length = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
    zero = length == 0
    out: FloatArray = (vectors / np.where(zero, 1, length)[:, None]).astype(np.float32, copy=False)
    if zero.any():
        out[zero] = fallback[zero] if fallback is not None else (0.0, 0.0, 1.0)
    return out


def pack_normals(normals: FloatArray) -> npt.NDArray[np.uint32]:
    """Unit vectors as GL_INT_2_10_10_10_REV words: signed 10-bit x, y, z in bits 0-9, 10-19, 20-29."""
    fixed = np.clip(np.rint(normals * 511), -511, 511).astype(np.int32) & 0x3FF
    packed: npt.NDArray[np.uint32] = (fixed[:, 0] | (fixed[:, 1] << 10) | (fixed[:, 2] << 20)).astype(
        np.uint32
    )
    return packed


def unpack_normals(packed: npt.NDArray[np.uint32]) -> FloatArray:
    """The inverse of `pack_normals` (as the GPU reads them), for tests."""
    words = packed.astype(np.int64)
    parts = np.stack([(words >> shift) & 0x3FF for shift in (0, 10, 20)], axis=1)
    parts = np.where(parts >= 512, parts - 1024, parts)
    out: FloatArray = np.maximum(parts / 511.0, -1.0).astype(np.float32)
    return out


def nice_step(length: float) -> float:
    """A round grid spacing (1, 2 or 5 times a power of ten mm) giving about ten cells over `length`."""
    raw = max(length, 1e-6) / 10
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def grid_lines(
    centre: tuple[float, float, float], size: tuple[float, float, float]
) -> tuple[FloatArray, float, float]:
    """The ground grid under a model's bounding box (its `centre` and `size` in mm), as GL_LINES points
    (x, y, z, weight) in the viewer's coordinates (relative to `centre`, on the plane of the model's lowest
    point), with the grid's half width and spacing.

    The lines lie on round model coordinates (multiples of the spacing); every fifth is a major line
    (weight 1, the others 0). The grid covers the model's footprint with a margin and is square.
    """
    sx, sy, sz = size
    step = nice_step(max(sx, sy, sz * 0.5))
    cx, cy, _ = centre
    # The first and last lines on multiples of five steps, at least a quarter of the footprint outside it.
    major = 5 * step
    reach = max(sx, sy) * 0.75 + step
    first_x, first_y = math.floor((cx - reach) / major) * 5, math.floor((cy - reach) / major) * 5
    cells = max(
        math.ceil((cx + reach) / major) * 5 - first_x, math.ceil((cy + reach) / major) * 5 - first_y
    )  # the same number both ways: the grid is square
    ticks = np.arange(cells + 1)
    xs = (first_x + ticks) * step - cx
    ys = (first_y + ticks) * step - cy
    weight_x = ((first_x + ticks) % 5 == 0).astype(np.float64)
    weight_y = ((first_y + ticks) % 5 == 0).astype(np.float64)
    count = cells + 1
    points = np.empty((count * 4, 4), dtype=np.float32)
    along_x = points[: count * 2].reshape(count, 2, 4)  # lines of constant y
    along_x[:, 0, 0], along_x[:, 1, 0] = xs[0], xs[-1]
    along_x[:, :, 1] = ys[:, None]
    along_x[:, :, 3] = weight_y[:, None]
    along_y = points[count * 2 :].reshape(count, 2, 4)  # lines of constant x
    along_y[:, :, 0] = xs[:, None]
    along_y[:, 0, 1], along_y[:, 1, 1] = ys[0], ys[-1]
    along_y[:, :, 3] = weight_x[:, None]
    points[:, 2] = -sz / 2
    half = cells * step / 2
    return points, float(half), float(step)


def simplify(triangles: FloatArray, target: int) -> FloatArray:
    """A coarser copy of a mesh, with roughly `target` triangles (between half and twice), for drawing while
    the view moves on a slow (software) renderer: the corners are snapped to a grid of cells (vertex
    clustering), each cell's corners merge at their mean, and triangles that collapse or repeat are dropped.

    The cell size comes from the surface area: a surface crossing k cells keeps about 2k triangles.
    """
    if len(triangles) <= target:
        return triangles
    corners = triangles.reshape(-1, 3)
    low = corners.min(axis=0).astype(np.float64)
    area = float(np.sqrt(np.einsum("ij,ij->i", *[_face_normals(corners)] * 2)).sum()) / 2
    cell = math.sqrt(max(area, 1e-12) / (target / 2))
    result = triangles
    for _ in range(3):  # the estimate is rough for crumpled shapes: adjust the cell and try again
        result = _cluster(corners, low, cell)
        if target / 2 <= len(result) <= target * 2 or len(result) == 0:
            break
        cell *= math.sqrt(len(result) / target)
    return result


def _cluster(corners: FloatArray, low: npt.NDArray[np.float64], cell: float) -> FloatArray:
    cells = ((corners - low.astype(np.float32)) * np.float32(1 / cell)).astype(np.int64)
    span = cells.max(axis=0) + 1
    key = (cells[:, 0] * span[1] + cells[:, 1]) * span[2] + cells[:, 2]
    slots = int(span.prod())
    if slots <= DENSE_CELLS:
        which = key  # the cell itself is the id: no sorting
    else:
        _, which = np.unique(key, return_inverse=True)
        slots = int(which.max()) + 1
    count = np.maximum(np.bincount(which, minlength=slots), 1).astype(np.float32)
    means = np.empty((slots, 3), dtype=np.float32)
    for axis in range(3):
        means[:, axis] = np.bincount(which, corners[:, axis], slots) / count
    ids = which.reshape(-1, 3)
    a, b, c = ids[:, 0], ids[:, 1], ids[:, 2]
    kept = ids[(a != b) & (b != c) & (a != c)]
    # A triangle and its repeats (the same three cells, the same way round) are drawn once.
    turn = np.argmin(kept, axis=1)  # rotate each so that its smallest id comes first: winding is kept
    rows = np.arange(len(kept))
    rotated = np.stack([kept[rows, turn], kept[rows, (turn + 1) % 3], kept[rows, (turn + 2) % 3]], axis=1)
    bits = max(slots.bit_length(), 1)
    if bits * 3 <= 63:
        packed = (rotated[:, 0] << (2 * bits)) | (rotated[:, 1] << bits) | rotated[:, 2]
        _, first = np.unique(packed, return_index=True)
        rotated = rotated[np.sort(first)]
    out: FloatArray = np.take(means, rotated.ravel(), axis=0).reshape(-1, 3, 3)
    return out
