"""CPU mesh thumbnails: the picture a user sees in the library is framed, shaded, deterministic, robust."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.formats.stl import read_stl
from core.render.thumbnail import (
    AZIMUTH_DEG,
    DEFAULT_COLOR,
    ELEVATION_DEG,
    _rotation,
    render_thumbnail,
    render_thumbnail_png,
)

MESHES = Path(__file__).resolve().parents[2] / "data" / "meshes"


def cube() -> np.ndarray:
    return read_stl(MESHES / "cube_binary_solid_header.stl").triangles


def torus(major: float = 30.0, minor: float = 10.0, around: int = 96, across: int = 48) -> np.ndarray:
    u, v = np.meshgrid(np.arange(around), np.arange(across), indexing="ij")
    theta, phi = 2 * np.pi * u / around, 2 * np.pi * v / across

    def point(t: np.ndarray, p: np.ndarray) -> np.ndarray:
        ring = major + minor * np.cos(p)
        return np.stack([ring * np.cos(t), ring * np.sin(t), minor * np.sin(p)], axis=-1)

    step_t, step_p = 2 * np.pi / around, 2 * np.pi / across
    a, b = point(theta, phi), point(theta + step_t, phi)
    c, d = point(theta + step_t, phi + step_p), point(theta, phi + step_p)
    quads = np.stack([np.stack([a, b, c], -2), np.stack([a, c, d], -2)], 0)
    return quads.reshape(-1, 3, 3).astype(np.float32)


def alpha(image: Image.Image) -> np.ndarray:
    return np.asarray(image)[..., 3]


def test_the_picture_has_the_asked_size_and_a_transparent_background() -> None:
    image = render_thumbnail(cube())
    assert image.size == (512, 512) and image.mode == "RGBA"
    a = alpha(image)
    assert a[0, 0] == 0 and a[-1, -1] == 0 and a[256, 256] == 255
    small = render_thumbnail(cube(), 96, background=(250, 250, 250))
    assert small.size == (96, 96) and small.mode == "RGB"
    assert small.getpixel((0, 0)) == (250, 250, 250)


def test_the_model_fills_the_frame_with_a_margin() -> None:
    a = alpha(render_thumbnail(cube(), 200))
    rows, cols = np.nonzero(a)
    share = (a > 0).mean()
    assert 0.35 < share < 0.85  # a cube seen at 3/4 covers about two thirds of a square frame
    width, height = cols.max() - cols.min() + 1, rows.max() - rows.min() + 1
    assert max(width, height) == pytest.approx(200 * 0.88, abs=3)  # 6% margin on each side
    assert abs((cols.min() + cols.max()) / 2 - 100) <= 2 and abs((rows.min() + rows.max()) / 2 - 100) <= 2


def test_the_three_visible_sides_of_a_box_are_shaded_differently() -> None:
    image = np.asarray(render_thumbnail(cube(), 256))
    solid = image[image[..., 3] == 255][:, :3]
    colours, counts = np.unique(solid, axis=0, return_counts=True)
    faces = colours[counts > 0.05 * len(solid)]
    assert len(faces) == 3  # top, left and right: each a flat colour of its own
    brightness = sorted(faces.sum(axis=1).tolist())
    assert brightness[1] - brightness[0] > 20 and brightness[2] - brightness[1] > 20
    assert all(f[0] > f[1] > f[2] for f in faces)  # still the app's orange, not grey or brown-black


def test_a_curved_surface_gets_a_smooth_range_of_shades() -> None:
    image = np.asarray(render_thumbnail(torus(), 256))
    solid = image[image[..., 3] == 255][:, :3]
    assert len(np.unique(solid.sum(axis=1))) > 60


def test_the_same_mesh_always_gives_the_same_bytes() -> None:
    assert render_thumbnail_png(torus()) == render_thumbnail_png(torus())


def test_triangle_order_and_winding_do_not_change_the_picture() -> None:
    triangles = torus(around=48, across=24)
    reference = np.asarray(render_thumbnail(triangles, 128)).astype(int)
    shuffled = triangles[np.random.default_rng(5).permutation(len(triangles))]
    flipped = triangles[:, ::-1]  # every normal inverted: lit from the side that faces the camera anyway
    for variant in (shuffled, flipped):
        image = np.asarray(render_thumbnail(variant, 128)).astype(int)
        assert np.abs(image - reference).max() <= 2  # only depth ties at shared edges may differ


def octahedron(centre: np.ndarray, radius: float) -> np.ndarray:
    corners = np.array([[1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]], dtype=float)
    up, down = np.array([0, 0, 1.0]), np.array([0, 0, -1.0])
    faces = [(corners[i], corners[(i + 1) % 4], up) for i in range(4)]
    faces += [(corners[(i + 1) % 4], corners[i], down) for i in range(4)]
    return (np.array(faces) * radius + centre).astype(np.float32)


def test_the_near_side_hides_the_far_side() -> None:
    box = cube()
    away = _rotation(AZIMUTH_DEG, ELEVATION_DEG)[:, 2]  # the direction the camera looks in, in model space
    alone = np.asarray(render_thumbnail(box, 128))
    # A small octahedron straight behind the box: wholly hidden, whichever order the triangles come in.
    behind = octahedron(np.array([5, 5, 5]) + away * 30, 3)
    for scene in (np.concatenate([behind, box]), np.concatenate([box, behind])):
        np.testing.assert_array_equal(np.asarray(render_thumbnail(scene, 128)), alone)
    # The same octahedron in front of the box: its slanted faces bring shades the box does not have.
    front = octahedron(np.array([5, 5, 5]) - away * 30, 3)
    for scene in (np.concatenate([front, box]), np.concatenate([box, front])):
        image = np.asarray(render_thumbnail(scene, 128))
        new = set(map(tuple, image[image[..., 3] == 255])) - set(map(tuple, alone[alone[..., 3] == 255]))
        assert len(new) >= 4


def test_png_bytes_decode_to_the_same_picture() -> None:
    data = render_thumbnail_png(cube(), 64, color=(90, 120, 200))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = Image.open(io.BytesIO(data))
    assert decoded.size == (64, 64) and decoded.mode == "RGBA"
    np.testing.assert_array_equal(
        np.asarray(decoded), np.asarray(render_thumbnail(cube(), 64, color=(90, 120, 200)))
    )
    assert DEFAULT_COLOR == (242, 140, 40)


def test_nothing_to_draw_is_an_error_not_a_blank_picture() -> None:
    with pytest.raises(ValueError, match="no triangles to draw"):
        render_thumbnail(np.zeros((0, 3, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="no triangles to draw"):
        render_thumbnail(np.full((4, 3, 3), np.nan))
    with pytest.raises(ValueError, match="between 1 and 4096"):
        render_thumbnail(cube(), 0)


@pytest.mark.parametrize(
    "triangles",
    [
        np.array([[[0, 0, 0], [10, 0, 0], [0, 10, 0]]], dtype=np.float32),  # one triangle
        np.array(
            [[[0, 0, 0], [10, 0, 0], [10, 10, 0]], [[0, 0, 0], [10, 10, 0], [0, 10, 0]]], np.float32
        ),  # flat
        np.array([[[0, 0, 5], [10, 0, 5], [20, 0, 5]]], dtype=np.float32),  # a line: no area at all
        np.full((3, 3, 3), 7.0, dtype=np.float32),  # every corner the same point
        np.array([[[0, 0, 0], [0, 0, 0], [0, 0, 10]]], dtype=np.float32),  # seen almost end-on
    ],
)
def test_degenerate_meshes_still_draw_something(triangles: np.ndarray) -> None:
    a = alpha(render_thumbnail(triangles, 64))
    assert (a > 0).any()


def test_huge_or_far_away_coordinates_draw_like_the_model_at_the_origin() -> None:
    reference = alpha(render_thumbnail(cube(), 96)) > 0
    for variant in (cube() + np.float32(1e6), cube() * np.float32(1e30), cube() * np.float32(1e-20)):
        mask = alpha(render_thumbnail(variant, 96)) > 0
        assert (mask != reference).mean() < 0.01


def test_triangles_smaller_than_a_pixel_still_show() -> None:
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 100, size=(400, 3)).astype(np.float32)
    dust = centres[:, None, :] + rng.uniform(0, 0.01, size=(400, 3, 3)).astype(np.float32)
    a = alpha(render_thumbnail(dust, 128))
    assert (a > 0).sum() > 200  # most specks land on a pixel of their own
