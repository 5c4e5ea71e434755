"""Mesh thumbnails drawn on the CPU: a shaded 3/4 view of a triangle mesh as a Pillow image or PNG bytes.

The view: Z is up (as on a printer); the model is turned -35° about Z and seen from 30° above, orthographic,
centred and fitted to the frame with a margin. Faces are flat-shaded in the app's orange (Lambert: a key light
from the upper left, a weaker fill from the right, ambient, and a small highlight), in linear light, and lit
from whichever side faces the camera, so meshes with flipped or inconsistent normals look right too. The
background is transparent unless one is given.

How it is drawn, with no Python code per triangle or per pixel:

- At twice the requested size (for anti-aliasing), each triangle's pixels are tested in numpy batches: the
  triangles are grouped by the size of their bounding box, and each group is tested against a grid of that
  size, so a million tiny triangles and a dozen huge ones cost about the same.
- The z-buffer is one `np.minimum.at` over fragments whose key packs depth and shade, so the nearest fragment
  of each pixel wins together with its shade.
- A triangle that covers no pixel centre (smaller than a pixel, or edge-on) still marks the pixel under its
  centre, so thin or finely tessellated parts do not vanish.
- The image is averaged down 2x2 (with premultiplied alpha) into the final size.
- Arrays are kept as long contiguous rows (9 x n corners) and the projection is element-wise, not a matrix
  product, so no BLAS threads run: 1M triangles take about 0.6 s on one core (bench/bench_mesh.py).

An empty mesh (or one with no finite coordinate) raises ValueError: the readers never return one, and the
caller shows its own placeholder.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

DEFAULT_COLOR = (242, 140, 40)  # the app's orange, #F28C28
AZIMUTH_DEG = -35.0
ELEVATION_DEG = 30.0
MARGIN = 0.06  # of the frame, on each side
SUPERSAMPLE = 2
# Directions towards the lights, in view space (x right, y up, z away from the camera): a key light from the
# upper left, a fill from the right; with ambient and a small highlight, the three visible sides of a box
# come out clearly different (top brightest, then left, then right).
KEY_LIGHT = (-0.55, 0.75, -0.35)
FILL_LIGHT = (0.6, 0.1, -0.8)
AMBIENT, KEY, FILL, SPECULAR, SHININESS = 0.3, 0.95, 0.23, 0.3, 24
FULL_LIGHT = 1.3  # the light that maps to brightness 255
BATCH = 1 << 21  # pixel tests per numpy batch (keeps temporaries around 10 MB each)
MAX_SIZE = 4096
MAX_SUPERSAMPLE = 4
# Bounding-box sizes that triangles are grouped by: each at most 1.5 times the one before.
BOX_SIZES = np.unique(np.concatenate([[1, 2, 3], 2 ** np.arange(1, 15), 3 * 2 ** np.arange(0, 14)]))
DEPTH_LEVELS = (1 << 24) - 1
EMPTY = np.uint32(0xFFFFFFFF)


def render_thumbnail(
    triangles: npt.ArrayLike,
    size: int = 512,
    *,
    color: tuple[int, int, int] = DEFAULT_COLOR,
    background: tuple[int, int, int] | None = None,
    azimuth_deg: float = AZIMUTH_DEG,
    elevation_deg: float = ELEVATION_DEG,
    supersample: int = SUPERSAMPLE,
) -> Image.Image:
    """A `size` x `size` picture of `triangles` ((n, 3, 3), in mm).

    RGBA on a transparent background, or RGB on `background`. ValueError when there is nothing to draw.
    """
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"thumbnail size must be between 1 and {MAX_SIZE} pixels, not {size}")
    tris = np.asarray(triangles, dtype=np.float32).reshape(-1, 3, 3)
    if not np.isfinite(tris).all():
        tris = tris[np.isfinite(tris).reshape(-1, 9).all(axis=1)]
    if len(tris) == 0:
        raise ValueError("there are no triangles to draw")
    scale = min(max(1, int(supersample)), MAX_SUPERSAMPLE)
    canvas = size * scale
    corners = _project(tris, canvas, azimuth_deg, elevation_deg)
    zbuffer = _rasterise(corners, _shade(corners), canvas)
    return _compose(zbuffer, canvas, scale, color, background)


def render_thumbnail_png(
    triangles: npt.ArrayLike,
    size: int = 512,
    *,
    color: tuple[int, int, int] = DEFAULT_COLOR,
    background: tuple[int, int, int] | None = None,
) -> bytes:
    """`render_thumbnail` encoded as PNG bytes."""
    image = render_thumbnail(triangles, size, color=color, background=background)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _rotation(azimuth_deg: float, elevation_deg: float) -> npt.NDArray[np.float64]:
    """Columns: the screen's right, up, and away-from-camera directions, in model coordinates."""
    a, e = np.radians(azimuth_deg), np.radians(elevation_deg)
    turn = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    # Before turning: the camera looks along +Y (from the front), tilted down by the elevation.
    look = np.array([[1.0, 0.0, 0.0], [0.0, np.sin(e), np.cos(e)], [0.0, np.cos(e), -np.sin(e)]])
    return np.asarray(turn @ look, dtype=np.float64)


def _bounds(values: npt.NDArray[np.float32]) -> tuple[float, float]:
    return float(values.min()), float(values.max())


def _project(
    tris: npt.NDArray[np.float32], canvas: int, azimuth: float, elevation: float
) -> npt.NDArray[np.float32]:
    """The corners in pixels, fitted to the canvas: x right, y down, z depth (larger is farther, in pixels).

    Shape (9, n), rows x0 y0 z0 x1 y1 z1 x2 y2 z2: numpy works fastest on long contiguous rows.
    """
    model = np.ascontiguousarray(tris.reshape(-1, 9).T)
    bounds = [_bounds(model[axis::3]) for axis in range(3)]
    extent = max(hi - lo for lo, hi in bounds) or 1.0
    # Centre first (in float32 that is exact enough even for far-off coordinates), then turn and scale.
    # Element-wise rather than a matrix product: no BLAS threads, and rows stay contiguous.
    for axis, (lo, hi) in enumerate(bounds):
        model[axis::3] -= np.float32((lo + hi) / 2)
    turn = (_rotation(azimuth, elevation) / extent).astype(np.float32)
    corners = np.empty_like(model)
    for axis in range(3):
        row = corners[axis::3]
        np.multiply(model[0::3], turn[0, axis], out=row)
        row += model[1::3] * turn[1, axis]
        row += model[2::3] * turn[2, axis]
    x, y, z = corners[0::3], corners[1::3], corners[2::3]
    (x_lo, x_hi), (y_lo, y_hi) = _bounds(x), _bounds(y)
    span = max(x_hi - x_lo, y_hi - y_lo)
    fit = canvas * (1 - 2 * MARGIN) / span if span > 0 else 1.0
    x *= np.float32(fit)
    x += np.float32(canvas / 2 - (x_lo + x_hi) / 2 * fit)
    y *= np.float32(-fit)
    y += np.float32(canvas / 2 + (y_lo + y_hi) / 2 * fit)
    z *= np.float32(fit)  # depth in pixels too, so face normals come out right
    return corners


def _shade(corners: npt.NDArray[np.float32]) -> npt.NDArray[np.uint32]:
    """Brightness 0..255 of each face, lit on the side that faces the camera."""
    ax, ay, az = corners[3:6] - corners[0:3]
    bx, by, bz = corners[6:9] - corners[0:3]
    ay, by = -ay, -by  # screen y points down; light directions are given with y up
    nx, ny, nz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx
    length = np.sqrt(nx * nx + ny * ny + nz * nz)
    flat = length == 0
    # Towards the camera (negative z) whatever the winding, normalised.
    factor = np.where(nz > 0, -1.0, 1.0).astype(np.float32) / np.where(flat, 1.0, length)
    nx, ny, nz = nx * factor, ny * factor, nz * factor
    light = np.full(len(nx), AMBIENT, dtype=np.float32)
    for direction, strength in ((KEY_LIGHT, KEY), (FILL_LIGHT, FILL)):
        lx, ly, lz = np.asarray(direction) / np.linalg.norm(direction)
        light += strength * np.clip(nx * lx + ny * ly + nz * lz, 0, None)
    hx, hy, hz = _halfway(KEY_LIGHT)
    light += SPECULAR * np.clip(nx * hx + ny * hy + nz * hz, 0, None) ** SHININESS
    light[flat] = AMBIENT + KEY / 2
    shade: npt.NDArray[np.uint32] = np.clip(np.rint(light * (255 / FULL_LIGHT)), 0, 255).astype(np.uint32)
    return shade


def _halfway(light: tuple[float, float, float]) -> npt.NDArray[np.float64]:
    """The direction halfway between a light and the camera (Blinn's highlight)."""
    direction = np.asarray(light) / np.linalg.norm(light) + np.array([0.0, 0.0, -1.0])
    return np.asarray(direction / np.linalg.norm(direction), dtype=np.float64)


def _least(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    least: npt.NDArray[np.float32] = np.minimum(np.minimum(rows[0], rows[1]), rows[2])
    return least


def _most(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    most: npt.NDArray[np.float32] = np.maximum(np.maximum(rows[0], rows[1]), rows[2])
    return most


def _rasterise(
    corners: npt.NDArray[np.float32], shade: npt.NDArray[np.uint32], canvas: int
) -> npt.NDArray[np.uint32]:
    """The z-buffer: per pixel, the depth (high 24 bits) and shade (low 8) of the nearest face, or EMPTY."""
    zbuffer = np.full(canvas * canvas, EMPTY, dtype=np.uint32)
    x, y, z = corners[0::3], corners[1::3], corners[2::3]
    z_low, z_high = _bounds(z)
    depth_scale = DEPTH_LEVELS / (z_high - z_low) if z_high > z_low else 0.0
    # Pixel centres are at i + 0.5; the pixels a triangle may cover span these columns and rows.
    col0 = np.clip(np.ceil(_least(x) - 0.5), 0, canvas).astype(np.int32)
    width = np.clip(np.floor(_most(x) - 0.5), -1, canvas - 1).astype(np.int32) - col0 + 1
    row0 = np.clip(np.ceil(_least(y) - 0.5), 0, canvas).astype(np.int32)
    height = np.clip(np.floor(_most(y) - 0.5), -1, canvas - 1).astype(np.int32) - row0 + 1
    area2 = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0])
    covered = np.zeros(len(area2), dtype=bool)

    # Triangles grouped by the size of their pixel box, each group contiguous, so batches are slices.
    chosen = np.flatnonzero((width > 0) & (height > 0) & (np.abs(area2) > 1e-6))
    box_w = BOX_SIZES[np.searchsorted(BOX_SIZES, width[chosen])]
    box_h = BOX_SIZES[np.searchsorted(BOX_SIZES, height[chosen])]
    order = np.argsort(box_w * (1 << 20) + box_h)
    chosen, box_w, box_h = chosen[order], box_w[order], box_h[order]
    planes = _planes(corners[:, chosen], col0[chosen], row0[chosen], area2[chosen], z_low, depth_scale)
    first_pixel = row0[chosen] * canvas + col0[chosen]
    width, height, shade_of = width[chosen], height[chosen], shade[chosen]
    hit = np.zeros(len(chosen), dtype=bool)
    starts = np.flatnonzero(np.diff(box_w, prepend=-1) | np.diff(box_h, prepend=-1)).tolist()
    for start, stop in zip(starts, [*starts[1:], len(chosen)][: len(starts)], strict=True):
        # One step per box size (a few dozen at most) and batch, not per triangle.
        bw, bh = int(box_w[start]), int(box_h[start])
        per_batch = max(1, BATCH // (bw * bh))
        for first in range(start, stop, per_batch):
            part = slice(first, min(first + per_batch, stop))
            pixels, keys, hit[part] = _fill(
                planes[:, part], first_pixel[part], width[part], height[part], shade_of[part], bw, bh, canvas
            )
            np.minimum.at(zbuffer, pixels, keys)
    covered[chosen] = hit

    # Whatever covered no pixel centre still marks the pixel under its centre.
    rest = np.flatnonzero(~covered)
    if len(rest):
        centre = corners[:, rest].reshape(3, 3, -1).mean(axis=0)  # rows: x, y, z
        col = np.clip(np.floor(centre[0]), 0, canvas - 1).astype(np.int64)
        row = np.clip(np.floor(centre[1]), 0, canvas - 1).astype(np.int64)
        depth = np.clip((centre[2] - z_low) * depth_scale, 0, DEPTH_LEVELS).astype(np.uint32)
        np.minimum.at(zbuffer, row * canvas + col, (depth << 8) | shade[rest])
    return zbuffer


def _planes(
    corners: npt.NDArray[np.float32],
    col0: npt.NDArray[np.int32],
    row0: npt.NDArray[np.int32],
    area2: npt.NDArray[np.float32],
    z_low: float,
    depth_scale: float,
) -> npt.NDArray[np.float32]:
    """Per triangle, (a, b, c) of three planes a*dx + b*dy + c over the offset from its box's first pixel
    centre: the barycentric weights w0 and w1, and the depth in z-buffer levels. Shape (9, n).

    The offsets are small, so float32 keeps the inside test exact to well under a thousandth of a pixel.
    """
    x0, y0, z0, x1, y1, z1, x2, y2, z2 = corners
    inverse = np.float32(1.0) / area2
    px, py = col0 + np.float32(0.5), row0 + np.float32(0.5)
    out = np.empty((9, len(area2)), dtype=np.float32)
    out[0], out[1] = (y1 - y2) * inverse, (x2 - x1) * inverse
    out[2] = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) * inverse
    out[3], out[4] = (y2 - y0) * inverse, (x0 - x2) * inverse
    out[5] = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) * inverse
    scale = np.float32(depth_scale)
    dz0, dz1 = (z0 - z2) * scale, (z1 - z2) * scale
    out[6] = out[0] * dz0 + out[3] * dz1
    out[7] = out[1] * dz0 + out[4] * dz1
    out[8] = (z2 - np.float32(z_low)) * scale + out[2] * dz0 + out[5] * dz1
    return out


def _fill(
    planes: npt.NDArray[np.float32],
    first_pixel: npt.NDArray[np.int32],
    width: npt.NDArray[np.int32],
    height: npt.NDArray[np.int32],
    shade: npt.NDArray[np.uint32],
    bw: int,
    bh: int,
    canvas: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """Pixel indices and z-buffer keys of the pixel centres inside a batch of triangles whose boxes fit in
    bw x bh, and for each triangle whether it covered any pixel centre at all."""
    dx = np.tile(np.arange(bw, dtype=np.float32), bh)
    dy = np.repeat(np.arange(bh, dtype=np.float32), bw)

    def plane(k: int) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = planes[k][:, None] * dx
        out += planes[k + 1][:, None] * dy
        out += planes[k + 2][:, None]
        return out

    # A little slack, so pixel centres on an edge shared by two triangles are never missed by both.
    slack = np.float32(1e-4)
    w0 = plane(0)
    inside = w0 >= -slack
    w1 = plane(3)
    inside &= w1 >= -slack
    w0 += w1  # now w0 + w1 = 1 - w2
    inside &= w0 <= 1 + slack
    if bw > 1:
        inside &= dx < width[:, None]
    if bh > 1:
        inside &= dy < height[:, None]
    # Boolean selection of whole (triangles x cells) planes is faster than gathering by index.
    keys = np.clip(plane(6)[inside], 0, DEPTH_LEVELS).astype(np.uint32) << 8
    keys |= np.broadcast_to(shade[:, None], inside.shape)[inside]
    offset = (dy * canvas + dx).astype(np.int32)
    pixels: npt.NDArray[np.int32] = (first_pixel[:, None] + offset)[inside]
    covered = np.asarray(inside.any(axis=1) if bw * bh > 1 else inside[:, 0], dtype=bool)
    return pixels, keys.astype(np.uint32, copy=False), covered


def _palette(color: tuple[int, int, int]) -> npt.NDArray[np.float32]:
    """RGBA (0..1) for each brightness 0..255, and transparent at index 256.

    Shading happens in linear light, so shadows stay the model's colour instead of going muddy, and the
    brightest faces lift a little towards white.
    """
    base = (np.array(color, dtype=np.float64) / 255.0) ** 2.2
    brightness = np.arange(256) / 255.0
    linear = base[None, :] * brightness[:, None] * 1.1
    linear += np.clip(brightness - 0.88, 0, None)[:, None] * 0.7
    palette = np.zeros((257, 4), dtype=np.float32)
    palette[:256, :3] = np.clip(linear, 0, 1) ** (1 / 2.2)
    palette[:256, 3] = 1.0
    return palette


def _compose(
    zbuffer: npt.NDArray[np.uint32],
    canvas: int,
    scale: int,
    color: tuple[int, int, int],
    background: tuple[int, int, int] | None,
) -> Image.Image:
    index = np.where(zbuffer == EMPTY, 256, zbuffer & 0xFF)
    rgba = _palette(color)[index]  # premultiplied already: colour is 0 wherever alpha is
    size = canvas // scale
    if scale > 1:
        rgba = rgba.reshape(size, scale, size, scale, 4).mean(axis=(1, 3))
    else:
        rgba = rgba.reshape(size, size, 4)
    alpha = rgba[..., 3:4]
    if background is None:
        straight = rgba[..., :3] / np.maximum(alpha, 1e-6)
        pixels = np.concatenate([straight, alpha], axis=-1)
        return Image.fromarray(np.rint(np.clip(pixels, 0, 1) * 255).astype(np.uint8), mode="RGBA")
    back = np.array(background, dtype=np.float32) / 255.0
    pixels = rgba[..., :3] + back * (1 - alpha)
    return Image.fromarray(np.rint(np.clip(pixels, 0, 1) * 255).astype(np.uint8), mode="RGB")
