"""The 3D viewer: the maths without Qt, the CPU fallback offscreen, and the OpenGL view under Xvfb.

Tests marked `opengl` need a real OpenGL context and run in the second pytest process (xvfb-run, xcb); the
others run offscreen, where the viewer must fall back to the CPU picture.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pytest
from pytestqt.qtbot import QtBot

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from core.tasks import TaskState
from desktop.viewer import ModelViewer, PreviewDialog, show_preview
from desktop.viewer import widget as widget_module
from desktop.viewer.camera import FIT_MARGIN, MAX_ELEVATION_DEG, OrbitCamera
from desktop.viewer.geometry import (
    MeshGeometry,
    build_geometry,
    grid_lines,
    nice_step,
    pack_normals,
    simplified_geometry,
    simplify,
    smooth_vertex_normals,
    unpack_normals,
    with_smooth_normals,
)
from desktop.viewer.look import BACKGROUND_BOTTOM, BACKGROUND_TOP
from desktop.viewer.probe import OpenGLSupport
from desktop.viewer.worker import Worker

Triangles = npt.NDArray[np.float32]
Image = npt.NDArray[np.uint8]
# --------------------------------------------------------------------------------------------- meshes


def cube(size: float = 20.0, centre: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Triangles:
    """A closed cube, outward-facing (counter-clockwise seen from outside)."""
    corners = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dtype=np.float64)
    corners = (corners - 0.5) * size + np.asarray(centre)
    faces = [
        (0, 1, 3), (0, 3, 2), (4, 6, 7), (4, 7, 5), (0, 4, 5), (0, 5, 1),
        (2, 3, 7), (2, 7, 6), (0, 2, 6), (0, 6, 4), (1, 5, 7), (1, 7, 3),
    ]  # fmt: skip
    return corners[np.array(faces)].astype(np.float32)


def grid_surface(points: npt.NDArray[np.float64]) -> Triangles:
    """Two triangles per cell of a (rows, cols, 3) grid of points."""
    a, b, c, d = points[:-1, :-1], points[1:, :-1], points[1:, 1:], points[:-1, 1:]
    first = np.stack([a, b, c], axis=2).reshape(-1, 3, 3)
    second = np.stack([a, c, d], axis=2).reshape(-1, 3, 3)
    tris = np.concatenate([first, second])
    area = np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    return tris[area > 1e-12].astype(np.float32)  # the poles' slivers go


def sphere(rings: int = 24, radius: float = 20.0) -> Triangles:
    theta = np.linspace(0, np.pi, rings + 1)
    phi = np.linspace(0, 2 * np.pi, 2 * rings + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    points = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1) * radius
    return grid_surface(points)


def banded_sphere(rings: int = 12, segments: int = 3000, radius: float = 20.0) -> Triangles:
    """A sphere of few rings and many segments: over the viewer's size for preparing at once, with facets
    that show as bands."""
    theta = np.linspace(0, np.pi, rings + 1)
    phi = np.linspace(0, 2 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    points = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1) * radius
    return grid_surface(points)


def torus(triangles: int, major: float = 40.0, minor: float = 15.0) -> Triangles:
    around = int(math.sqrt(triangles / 2 * 2.5))
    across = max(3, triangles // 2 // around)
    u = np.linspace(0, 2 * np.pi, around + 1)
    v = np.linspace(0, 2 * np.pi, across + 1)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    ring = major + minor * np.cos(vv)
    points = np.stack([ring * np.cos(uu), ring * np.sin(uu), minor * np.sin(vv)], axis=-1)
    return grid_surface(points)


# ---------------------------------------------------------------------------------------------- images


def pixels(image: QImage) -> Image:
    """An (h, w, 3) uint8 array of an image's RGB."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def orange(image: Image) -> npt.NDArray[np.bool_]:
    """Where the pixels are the model's orange at some brightness (red over green over blue, clearly)."""
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (r > 90) & (r > g + 25) & (g > b + 20)


def box(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def facet_steps(image: npt.NDArray[np.int_], inside: npt.NDArray[np.bool_]) -> int:
    """How many neighbouring pixels inside the model (off its outline) differ in brightness by a step: the
    edges between the facets of flat shading. Smooth shading's gradients change more gently."""
    core = inside.copy()  # without the outline's pixels
    core[1:] &= inside[:-1]
    core[:-1] &= inside[1:]
    core[:, 1:] &= inside[:, :-1]
    core[:, :-1] &= inside[:, 1:]
    brightness = image.sum(axis=2)
    across = (np.abs(np.diff(brightness, axis=1)) > 12) & core[:, 1:] & core[:, :-1]
    down = (np.abs(np.diff(brightness, axis=0)) > 12) & core[1:] & core[:-1]
    return int(across.sum() + down.sum())


def close_to(pixel: Image, color: tuple[int, int, int], tolerance: int = 4) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(color)) <= tolerance))


def rgb(color: object) -> tuple[int, int, int]:
    return (color.red(), color.green(), color.blue())


def drag(widget: QWidget, start: QPoint, end: QPoint, button: Qt.MouseButton, steps: int = 8) -> None:
    """A mouse drag sent as events (QTest's mouseMove carries no buttons)."""
    send = QApplication.sendEvent
    local = QPointF(start)
    send(
        widget,
        QMouseEvent(
            QEvent.Type.MouseButtonPress,
            local,
            widget.mapToGlobal(local),
            button,
            button,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    for i in range(1, steps + 1):
        local = QPointF(start + (end - start) * (i / steps))
        send(
            widget,
            QMouseEvent(
                QEvent.Type.MouseMove,
                local,
                widget.mapToGlobal(local),
                Qt.MouseButton.NoButton,
                button,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
    send(
        widget,
        QMouseEvent(
            QEvent.Type.MouseButtonRelease,
            local,
            widget.mapToGlobal(local),
            button,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )


def wheel(widget: QWidget, at: QPoint, notches: int) -> None:
    """Wheel notches (positive: away from the user, zooming in) at a point of a widget."""
    local = QPointF(at)
    QApplication.sendEvent(
        widget,
        QWheelEvent(
            local,
            widget.mapToGlobal(local),
            QPoint(),
            QPoint(0, 120 * notches),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        ),
    )


# -------------------------------------------------------------------------------- geometry (no Qt)


def face_normals(tris: Triangles) -> Triangles:
    """The unit normal of each triangle, once per corner (as flat shading lights them)."""
    normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    return np.repeat(normals, 3, axis=0).astype(np.float32)


def corner_positions(geometry: MeshGeometry) -> Triangles:
    """The triangles that a geometry draws, back in model coordinates."""
    positions = geometry.vertices["position"][geometry.indices] + np.array(geometry.centre, dtype=np.float32)
    return positions.reshape(-1, 3, 3)


def test_corners_at_one_position_share_a_vertex() -> None:
    tris = cube(10.0, centre=(100.0, 50.0, 5.0))
    geometry = build_geometry(tris)
    assert geometry.vertex_count == 8 and geometry.triangle_count == 12
    assert geometry.indices.dtype == np.uint16
    assert geometry.centre == pytest.approx((100.0, 50.0, 5.0))
    assert geometry.size == pytest.approx((10.0, 10.0, 10.0))
    assert np.abs(geometry.vertices["position"]).max() == pytest.approx(5.0)  # relative to the centre
    assert np.array_equal(corner_positions(geometry), tris)  # the same triangles, the same way round
    # Numbered in the order the triangles first use them (what a renderer's vertex cache likes).
    first_use = [int(i) for i in dict.fromkeys(geometry.indices.tolist())]
    assert first_use == list(range(8))


def test_big_meshes_get_32_bit_indices() -> None:
    geometry = build_geometry(torus(200_000))
    assert geometry.vertex_count > 65_536
    assert geometry.indices.dtype == np.uint32
    assert geometry.indices.max() == geometry.vertex_count - 1


def test_smooth_normals_of_a_sphere_point_outwards_and_a_cube_keeps_its_edges() -> None:
    ball = sphere(8)
    smooth = unpack_normals(smooth_vertex_normals(ball))
    radial = ball.reshape(-1, 3) / np.linalg.norm(ball.reshape(-1, 3), axis=1, keepdims=True)
    flat = face_normals(ball)
    smooth_fit, flat_fit = np.einsum("ij,ij->i", smooth, radial), np.einsum("ij,ij->i", flat, radial)
    assert flat_fit.min() > 0.9  # outward-facing
    assert smooth_fit.min() > 0.97 and smooth_fit.mean() > 0.995
    assert flat_fit.mean() < smooth_fit.mean() - 0.005

    box_tris = cube()
    assert np.allclose(unpack_normals(smooth_vertex_normals(box_tris)), face_normals(box_tris), atol=0.003)


def test_smooth_geometry_splits_vertices_only_at_creases() -> None:
    ball = sphere(8)
    flat = build_geometry(ball)
    smooth = with_smooth_normals(flat, ball)
    assert smooth.smooth and not flat.smooth
    assert smooth.vertex_count == flat.vertex_count  # round: one normal per position
    assert np.allclose(corner_positions(smooth), ball, atol=1e-5)  # corners a rounding error apart merge
    normals = unpack_normals(smooth.vertices["normal"][smooth.indices])
    assert np.allclose(normals, unpack_normals(smooth_vertex_normals(ball)), atol=1e-6)

    box_tris = cube()
    box = with_smooth_normals(build_geometry(box_tris), box_tris)
    assert box.vertex_count == 24  # each corner of the box, once per face that meets there
    assert np.array_equal(corner_positions(box), box_tris)
    assert np.allclose(
        unpack_normals(box.vertices["normal"][box.indices]), face_normals(box_tris), atol=0.003
    )


def test_smooth_normals_group_equal_positions_only() -> None:
    # Two triangles meeting at an edge, one with -0.0 where the other has 0.0: they are averaged.
    tris = np.array(
        [[[0, 0, 0], [1, 0, 0], [0, 1, 0.1]], [[-0.0, 0, 0], [0, -1, 0.1], [1, 0, 0]]], dtype=np.float32
    )
    normals = unpack_normals(smooth_vertex_normals(tris))
    assert np.allclose(normals[0], normals[3], atol=0.003)
    # A corner on its own keeps its triangle's normal.
    assert np.allclose(normals[2], face_normals(tris)[2], atol=0.003)


def test_a_fan_of_many_triangles_around_one_point_is_smoothed_too() -> None:
    around = 200  # above the pairwise limit
    angles = np.linspace(0, 2 * np.pi, around + 1)
    rim = np.stack([np.cos(angles), np.sin(angles), np.zeros_like(angles)], axis=1) * 10
    tip = np.array([0.0, 0.0, 1.0])
    cone = np.stack([np.broadcast_to(tip, (around, 3)), rim[:-1], rim[1:]], axis=1).astype(np.float32)
    normals = unpack_normals(smooth_vertex_normals(cone))
    at_tip = normals[0::3]
    assert np.allclose(at_tip, [0.0, 0.0, 1.0], atol=0.01)


def test_packed_normals_survive_the_round_trip() -> None:
    rng = np.random.default_rng(1)
    normals = rng.normal(size=(1000, 3)).astype(np.float32)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    assert np.abs(unpack_normals(pack_normals(normals)) - normals).max() < 1.5 / 511


def test_non_finite_and_empty_meshes() -> None:
    tris = cube()
    tris[0, 0, 0] = np.nan
    assert build_geometry(tris).triangle_count == 11
    nothing = np.zeros((0, 3, 3), dtype=np.float32)
    empty = build_geometry(nothing)
    assert empty.vertex_count == 0 and empty.triangle_count == 0
    assert with_smooth_normals(empty, nothing).vertex_count == 0
    assert len(smooth_vertex_normals(nothing)) == 0


def test_simplify_keeps_the_shape_with_fewer_triangles() -> None:
    dense = torus(200_000)
    coarse = simplify(dense, 20_000)
    assert 10_000 <= len(coarse) <= 40_000
    low, high = dense.reshape(-1, 3).min(axis=0), dense.reshape(-1, 3).max(axis=0)
    assert np.allclose(coarse.reshape(-1, 3).min(axis=0), low, atol=(high - low).max() * 0.03)
    assert np.allclose(coarse.reshape(-1, 3).max(axis=0), high, atol=(high - low).max() * 0.03)
    assert len(simplify(cube(), 100)) == 12  # a mesh already small enough is left as it is
    # The simplified geometry sits where the original does.
    whole = build_geometry(dense)
    triangles, geometry = simplified_geometry(dense, 20_000, whole.centre)
    assert geometry.centre == whole.centre and geometry.triangle_count == len(triangles)
    assert np.allclose(corner_positions(geometry), triangles, atol=1e-4)


def test_grid_lies_under_the_model_on_round_coordinates() -> None:
    geometry = build_geometry(cube(30.0, centre=(103.0, 47.0, 15.0)))
    points, half, step = grid_lines(geometry.centre, geometry.size)
    assert step == nice_step(30.0) == 5.0
    assert np.allclose(points[:, 2], -15.0)  # the model's lowest point
    model_x = points[:, 0] + 103.0
    assert np.allclose(model_x / step, np.round(model_x / step), atol=1e-4)
    assert points[:, 0].min() < -15 and points[:, 0].max() > 15  # wider than the model
    assert half >= 15.0
    assert set(np.unique(points[:, 3]).tolist()) == {0.0, 1.0}


# ---------------------------------------------------------------------------------- camera (no Qt)


def project(camera: OrbitCamera, points: npt.NDArray[np.float64], aspect: float) -> npt.NDArray[np.float64]:
    homogeneous = np.c_[points, np.ones(len(points))]
    clip = homogeneous @ (camera.projection_matrix(aspect) @ camera.view_matrix()).T
    return np.asarray(clip[:, :3] / clip[:, 3:4])


@pytest.mark.parametrize("size", [(0.01, 0.01, 0.01), (20.0, 20.0, 20.0), (10_000.0, 3_000.0, 50.0)])
@pytest.mark.parametrize("aspect", [0.5, 1.6])
def test_fit_frames_the_box_whatever_its_size(size: tuple[float, float, float], aspect: float) -> None:
    camera = OrbitCamera()
    camera.azimuth_deg, camera.elevation_deg = 70.0, 10.0
    camera.fit(size, aspect)
    half = np.array(size) / 2
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]) * half
    ndc = project(camera, corners, aspect)
    assert np.abs(ndc[:, :2]).max() <= 1 - 2 * FIT_MARGIN + 1e-6
    assert np.abs(ndc[:, :2]).max() > 0.6  # and fills the view
    assert (np.abs(ndc[:, 2]) < 1).all()  # between the clipping planes


def test_zoom_keeps_the_point_under_the_cursor() -> None:
    camera = OrbitCamera()
    camera.fit((40.0, 40.0, 40.0), 1.5)
    tan_x, tan_y = camera.half_tangents(1.5)
    point = camera.target + (camera.right() * 0.5 * tan_x + camera.up() * -0.3 * tan_y) * camera.distance
    before = project(camera, point[None], 1.5)[0, :2]
    distance = camera.distance
    camera.zoom(2.0, 0.5, -0.3, 1.5)
    assert camera.distance < distance
    assert project(camera, point[None], 1.5)[0, :2] == pytest.approx(before, abs=1e-9)
    assert before == pytest.approx([0.5, -0.3], abs=1e-9)


def test_orbit_turns_and_stops_short_of_the_poles() -> None:
    camera = OrbitCamera()
    azimuth = camera.azimuth_deg
    camera.orbit(10.0, 0.0)
    assert camera.azimuth_deg != azimuth
    camera.orbit(0.0, 10_000.0)
    assert camera.elevation_deg == MAX_ELEVATION_DEG
    view = camera.view_matrix()
    assert np.allclose(view[:3, :3] @ view[:3, :3].T, np.eye(3))  # still a rotation


def test_pan_moves_the_target_across_the_view() -> None:
    camera = OrbitCamera()
    camera.fit((20.0, 20.0, 20.0), 1.0)
    camera.pan(100.0, 0.0, 400)
    assert np.dot(camera.target, camera.right()) < 0  # dragging right brings the model right
    assert abs(np.dot(camera.target, camera.backward())) < 1e-9


# ------------------------------------------------------------------------------ offscreen: fallback


@pytest.fixture
def viewer(qtbot: QtBot) -> Iterator[ModelViewer]:
    widget = ModelViewer()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_offscreen_the_viewer_falls_back_to_the_cpu_picture(viewer: ModelViewer) -> None:
    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("about the offscreen platform")
    assert not viewer.uses_opengl
    assert "offscreen" in viewer.fallback_reason
    assert viewer.gl_version == ""


def test_the_fallback_shows_a_picture_of_the_mesh(qtbot: QtBot) -> None:
    viewer = ModelViewer(allow_opengl=False)
    qtbot.addWidget(viewer)
    viewer.resize(400, 300)
    viewer.show()
    viewer.set_mesh(cube())
    image = pixels(viewer.render_image())
    assert image.shape[:2] == (300, 400)
    model = orange(image)
    assert model[150, 200]
    assert 0.1 < model.mean() < 0.6
    assert close_to(image[0, 0], rgb(BACKGROUND_TOP), 6)
    assert close_to(image[-1, -1], rgb(BACKGROUND_BOTTOM), 6)


def test_the_fallback_survives_every_call(qtbot: QtBot) -> None:
    viewer = ModelViewer(allow_opengl=False)
    qtbot.addWidget(viewer)
    viewer.resize(300, 300)
    viewer.show()
    viewer.set_mesh(sphere(12))
    first = pixels(viewer.render_image())
    viewer.fit()
    viewer.set_smooth(True)
    assert viewer.smooth
    viewer.set_smooth(False)
    viewer.pan(10, 10)
    viewer.zoom(2, QPointF(10, 10))
    for key in (Qt.Key.Key_F, Qt.Key.Key_S, Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_Up):
        qtbot.keyClick(viewer, key)
    viewer.orbit(120, 40)
    turned = pixels(viewer.render_image())
    assert np.abs(turned.astype(int) - first).mean() > 0.5  # the sphere's facets moved
    qtbot.keyClick(viewer, Qt.Key.Key_Home)
    assert np.array_equal(pixels(viewer.render_image()), first)
    inner = viewer.focusProxy()
    assert inner is not None
    drag(inner, QPoint(150, 150), QPoint(200, 170), Qt.MouseButton.LeftButton)
    viewer.set_mesh(np.zeros((0, 3, 3), dtype=np.float32))
    assert not orange(pixels(viewer.render_image())).any()
    viewer.set_mesh(np.full((2, 3, 3), np.nan, dtype=np.float32))
    viewer.set_mesh(cube(1e-3))
    assert orange(pixels(viewer.render_image())).any()


def test_the_fallback_turns_the_model_with_the_mouse_as_the_opengl_view_does(qtbot: QtBot) -> None:
    viewer = ModelViewer(allow_opengl=False)
    qtbot.addWidget(viewer)
    viewer.resize(300, 300)
    viewer.show()
    viewer.set_mesh(sphere(12))
    inner = viewer.focusProxy()
    assert inner is not None
    first = pixels(inner.grab().toImage())
    drag(inner, QPoint(150, 150), QPoint(230, 170), Qt.MouseButton.LeftButton)
    turned = pixels(inner.grab().toImage())  # drawn again when the button was let go
    assert np.abs(turned.astype(int) - first).mean() > 0.5
    # It cannot move or zoom the picture (always fitted): those drags turn it too, and the wheel does nothing.
    drag(inner, QPoint(230, 170), QPoint(150, 150), Qt.MouseButton.RightButton)
    assert np.abs(pixels(inner.grab().toImage()).astype(int) - first).max() <= 2
    wheel(inner, QPoint(150, 150), notches=3)
    assert np.abs(pixels(viewer.render_image()).astype(int) - first).max() <= 2


def test_a_closed_view_does_not_hold_up_the_next_one(qtbot: QtBot) -> None:
    # The viewers' worker thread is shared: work a closed view asked for is dropped, not done first.
    gate, happened = threading.Event(), []
    closed_view = QWidget()
    worker = Worker(closed_view)
    worker.run(lambda: gate.wait(60), happened.append, TaskState())  # running when the view closes
    worker.run(lambda: happened.append("waiting job ran"), happened.append, TaskState())
    closed_view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(worker), timeout=30_000)
    gate.set()
    results: list[object] = []
    next_worker = Worker()
    next_worker.run(lambda: "prepared", results.append, TaskState())
    qtbot.waitUntil(lambda: results == ["prepared"], timeout=30_000)
    assert happened == []


def test_a_view_without_a_context_falls_back(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    # The probe says yes, but the widget's own context cannot be made (offscreen has no OpenGL at all).
    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("needs a platform without OpenGL")
    monkeypatch.setattr(widget_module, "opengl_support", lambda: OpenGLSupport(True, "pretend"))
    viewer = ModelViewer()
    qtbot.addWidget(viewer)
    assert viewer.uses_opengl
    viewer.resize(400, 300)
    viewer.set_mesh(cube())
    with qtbot.waitSignal(viewer.fallback_started, timeout=5000):
        viewer.show()
    assert not viewer.uses_opengl
    assert orange(pixels(viewer.render_image()))[150, 200]
    # And when the picture is asked for before the check ran:
    second = ModelViewer()
    qtbot.addWidget(second)
    second.resize(400, 300)
    second.set_mesh(cube())
    second.show()
    assert orange(pixels(second.render_image()))[150, 200]
    assert not second.uses_opengl


def test_the_viewer_is_focusable_and_named(viewer: ModelViewer) -> None:
    assert viewer.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert viewer.accessibleName()
    assert "F" in viewer.accessibleDescription()
    proxy = viewer.focusProxy()
    assert proxy is not None and proxy.accessibleName() == viewer.accessibleName()


def test_show_preview_opens_a_non_modal_window(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = show_preview(parent, cube())
    assert isinstance(dialog, PreviewDialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.viewer.triangle_count == 12
    names = [
        action.text().replace("&", "")
        for action in (dialog.fit_action, dialog.reset_action, dialog.smooth_action)
    ]
    assert names == ["Fit", "Reset view", "Smooth shading"]
    assert dialog.smooth_action.isEnabled() == dialog.viewer.uses_opengl
    dialog.fit_action.trigger()
    dialog.reset_action.trigger()
    dialog.close()


def test_show_preview_without_a_parent_stays_open(qtbot: QtBot) -> None:
    dialog = show_preview(None, cube())
    with qtbot.waitSignal(dialog.finished):
        dialog.close()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_many_qt_calls_do_not_use_up_none(viewer: ModelViewer) -> None:
    # PySide6 6.12 on Python 3.11 takes a reference from None on every call that returns nothing.
    for _ in range(50_000):
        viewer.update()
    assert sys.getrefcount(None) > 1 << 39


# ------------------------------------------------------------------------------- OpenGL (Xvfb, xcb)


@pytest.fixture
def gl_viewer(viewer: ModelViewer, monkeypatch: pytest.MonkeyPatch) -> ModelViewer:
    from desktop.viewer import gl_view  # needs the system's OpenGL libraries

    assert viewer.uses_opengl, f"no OpenGL: {viewer.fallback_reason}"
    # The pictures compared must not depend on how busy the machine is: a slow still frame would otherwise
    # turn multisampling off.
    monkeypatch.setattr(gl_view, "NO_MSAA_S", math.inf)
    return viewer


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], threading.Event]]:
    """`hold(name)` makes the viewer's worker wait, before it calls desktop.viewer.gl_view's `name`, until
    the test sets the event it returns: each state of the preparations can be looked at."""
    from desktop.viewer import gl_view

    gates: list[threading.Event] = []

    def hold_function(name: str) -> threading.Event:
        gate, func = threading.Event(), getattr(gl_view, name)

        def wait_then_call(*args: object, **kwargs: object) -> object:
            gate.wait(60)
            return func(*args, **kwargs)

        monkeypatch.setattr(gl_view, name, wait_then_call)
        gates.append(gate)
        return gate

    yield hold_function
    for gate in gates:
        gate.set()  # a failed test must not leave the worker waiting


@pytest.mark.opengl
def test_the_viewer_initialises_opengl(gl_viewer: ModelViewer) -> None:
    gl_viewer.set_mesh(cube())
    gl_viewer.render_image()
    assert gl_viewer.uses_opengl
    major, minor = (int(part) for part in gl_viewer.gl_version.split()[0].split(".")[:2])
    assert (major, minor) >= (3, 3)


@pytest.mark.opengl
def test_a_cube_is_drawn_on_the_background(gl_viewer: ModelViewer) -> None:
    gl_viewer.set_mesh(cube(20.0, centre=(120.0, -40.0, 10.0)))  # anywhere: the view frames it
    image = pixels(gl_viewer.render_image())
    assert image.shape[:2] == (300, 400)
    assert orange(image)[150, 200]
    assert close_to(image[0, 0], rgb(BACKGROUND_TOP))
    assert close_to(image[0, -1], rgb(BACKGROUND_TOP))
    top, bottom, left, right = box(orange(image))
    assert top > 0 and left > 0 and bottom < 299 and right < 399  # whole, with a margin
    # Three faces in view, lit differently: three clearly different oranges.
    shades = {
        tuple(int(v) // 12 for v in image[y, x]) for y, x in zip(*np.nonzero(orange(image)), strict=True)
    }
    assert len(shades) >= 3


@pytest.mark.opengl
def test_orbit_turns_the_model(qtbot: QtBot, gl_viewer: ModelViewer) -> None:
    gl_viewer.set_mesh(cube())
    first = pixels(gl_viewer.render_image())
    gl_viewer.orbit(60, 0)
    turned = pixels(gl_viewer.render_image())
    assert np.abs(turned.astype(int) - first).mean() > 2
    # The mouse and the keyboard do the same.
    inner = gl_viewer.focusProxy()
    assert inner is not None
    drag(inner, QPoint(200, 150), QPoint(260, 120), Qt.MouseButton.LeftButton)
    dragged = pixels(gl_viewer.render_image())
    assert np.abs(dragged.astype(int) - turned).mean() > 2
    qtbot.keyClick(gl_viewer, Qt.Key.Key_Left)
    assert np.abs(pixels(gl_viewer.render_image()).astype(int) - dragged).mean() > 2
    qtbot.keyClick(gl_viewer, Qt.Key.Key_R)
    assert np.abs(pixels(gl_viewer.render_image()).astype(int) - first).max() <= 2


@pytest.mark.opengl
def test_pan_and_zoom(gl_viewer: ModelViewer) -> None:
    gl_viewer.set_mesh(cube())
    before = np.nonzero(orange(pixels(gl_viewer.render_image())))
    inner = gl_viewer.focusProxy()
    assert inner is not None
    drag(inner, QPoint(200, 150), QPoint(260, 150), Qt.MouseButton.RightButton)
    after = np.nonzero(orange(pixels(gl_viewer.render_image())))
    # The model follows the cursor (exactly so at the depth of the point turned about; in perspective the
    # near side moves a little more).
    assert after[1].mean() - before[1].mean() == pytest.approx(60, abs=6)
    assert after[0].mean() - before[0].mean() == pytest.approx(0, abs=3)
    area = orange(pixels(gl_viewer.render_image())).sum()
    gl_viewer.zoom(-2.0)
    smaller = orange(pixels(gl_viewer.render_image())).sum()
    assert smaller < area * 0.8
    wheel(inner, QPoint(200, 150), notches=2)  # the mouse does the same
    assert orange(pixels(gl_viewer.render_image())).sum() > smaller * 1.2
    gl_viewer.fit()
    top, bottom, left, right = box(orange(pixels(gl_viewer.render_image())))
    assert abs((left + right) / 2 - 200) < 30 and abs((top + bottom) / 2 - 150) < 30


@pytest.mark.opengl
@pytest.mark.parametrize("size", [0.01, 10_000.0])
def test_fit_frames_tiny_and_huge_models(gl_viewer: ModelViewer, size: float) -> None:
    gl_viewer.set_mesh(cube(size, centre=(size * 7, -size * 3, size / 2)))
    gl_viewer.zoom(-3.0)
    gl_viewer.fit()
    image = pixels(gl_viewer.render_image())
    model = orange(image)
    top, bottom, left, right = box(model)
    assert top > 0 and left > 0 and bottom < 299 and right < 399
    assert max((bottom - top) / 300, (right - left) / 400) > 0.5  # it fills the view
    assert model[150, 200]


@pytest.mark.opengl
def test_smooth_and_flat_shading_differ_on_a_sphere(qtbot: QtBot, gl_viewer: ModelViewer) -> None:
    gl_viewer.set_mesh(sphere(10))
    flat = pixels(gl_viewer.render_image()).astype(int)
    with qtbot.waitSignal(gl_viewer.smooth_changed):
        qtbot.keyClick(gl_viewer, Qt.Key.Key_S)
    assert gl_viewer.smooth
    smooth = pixels(gl_viewer.render_image()).astype(int)
    inside = orange(pixels(gl_viewer.render_image()))
    assert np.abs(smooth - flat)[inside].mean() > 1.5
    assert facet_steps(smooth, inside) < facet_steps(flat, inside) / 2
    gl_viewer.set_smooth(False)
    assert np.abs(pixels(gl_viewer.render_image()).astype(int) - flat).max() <= 2


@pytest.mark.opengl
def test_a_big_mesh_is_prepared_in_the_background_then_shaded_smooth(
    qtbot: QtBot, gl_viewer: ModelViewer, hold: Callable[[str], threading.Event]
) -> None:
    from desktop.viewer import gl_view

    # The worker's two steps wait for the test, so that each state can be looked at.
    vertices_may_go, normals_may_go = hold("build_geometry"), hold("with_smooth_normals")
    mesh = banded_sphere()
    assert len(mesh) > gl_view.INLINE_TRIANGLES
    gl_viewer.set_smooth(True)

    gl_viewer.set_mesh(mesh)  # returns while its vertices are being prepared on the worker thread
    assert gl_viewer.preparing
    assert gl_viewer.status == "Preparing the model…"
    qtbot.keyClick(gl_viewer, Qt.Key.Key_Left)  # the window goes on answering
    assert not orange(pixels(gl_viewer.render_image())).any()  # the floor, no model yet
    qtbot.keyClick(gl_viewer, Qt.Key.Key_R)

    vertices_may_go.set()
    qtbot.waitUntil(lambda: gl_viewer.status == "Preparing smooth shading…", timeout=30_000)
    waiting = pixels(gl_viewer.render_image()).astype(int)  # drawn, flat until smooth normals are ready
    inside = orange(waiting.astype(np.uint8))
    assert inside[150, 200]
    gl_viewer.set_smooth(False)
    assert gl_viewer.status == ""
    flat = pixels(gl_viewer.render_image()).astype(int)
    assert np.abs(waiting - flat).max() <= 2
    gl_viewer.set_smooth(True)
    assert gl_viewer.preparing and gl_viewer.status == "Preparing smooth shading…"

    with qtbot.waitSignal(gl_viewer.prepared, timeout=30_000):
        normals_may_go.set()
    assert not gl_viewer.preparing and gl_viewer.status == ""
    smooth = pixels(gl_viewer.render_image()).astype(int)
    assert facet_steps(smooth, inside) < facet_steps(flat, inside) / 2


@pytest.mark.opengl
def test_a_million_triangles_are_drawn_and_turned(qtbot: QtBot, gl_viewer: ModelViewer) -> None:
    mesh = torus(1_000_000)
    assert len(mesh) >= 990_000
    gl_viewer.set_mesh(mesh)
    qtbot.waitUntil(lambda: not gl_viewer.preparing, timeout=60_000)
    still = pixels(gl_viewer.render_image())
    assert gl_viewer.triangle_count == len(mesh)
    assert orange(still)[box(orange(still))[0] + 5 :, :].any()
    assert 0.1 < orange(still).mean() < 0.8
    # Turned and back: moving frames may be simplified (on a software renderer), but once the mouse button
    # is let go the view is drawn in full again, at once.
    inner = gl_viewer.focusProxy()
    assert inner is not None
    drag(inner, QPoint(200, 150), QPoint(260, 170), Qt.MouseButton.LeftButton)
    drag(inner, QPoint(260, 170), QPoint(200, 150), Qt.MouseButton.LeftButton)
    assert np.abs(pixels(gl_viewer.render_image()).astype(int) - still).mean() < 0.5
    gl_viewer.set_smooth(True)
    qtbot.waitUntil(lambda: not gl_viewer.preparing, timeout=60_000)
    gl_viewer.orbit(30, 10)
    assert orange(pixels(gl_viewer.render_image())).any()


@pytest.mark.opengl
def test_a_broken_shader_falls_back_to_the_cpu_picture(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.viewer import shaders

    monkeypatch.setattr(shaders, "MESH_FRAGMENT", "#version 330 core\nthis does not compile")
    viewer = ModelViewer()
    qtbot.addWidget(viewer)
    viewer.resize(400, 300)
    viewer.set_mesh(cube())
    assert viewer.uses_opengl
    with qtbot.waitSignal(viewer.fallback_started, timeout=5000) as signal:
        viewer.show()
        viewer.render_image()
    assert "compile" in signal.args[0]
    assert not viewer.uses_opengl
    assert orange(pixels(viewer.render_image()))[150, 200]


@pytest.mark.opengl
def test_the_preview_window_toggles_smooth_shading(qtbot: QtBot) -> None:
    dialog = show_preview(None, sphere(8))
    qtbot.waitExposed(dialog)
    assert dialog.viewer.uses_opengl
    dialog.smooth_action.trigger()
    assert dialog.viewer.smooth
    dialog.viewer.set_smooth(False)
    assert not dialog.smooth_action.isChecked()
    with qtbot.waitSignal(dialog.finished):
        dialog.close()
