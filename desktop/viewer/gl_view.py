"""The OpenGL view of a mesh: a QOpenGLWidget drawing vertex buffers with a 3.3 core shader program.

The mesh is uploaded once (a vertex buffer of positions and flat normals; a second of smooth normals, computed
the first time smooth shading is asked for) and drawn with one glDrawArrays per frame, so a frame costs the
same few Python calls whatever the size of the mesh. The camera is an OrbitCamera; the mouse moves it here,
the keyboard in ModelViewer.

Quality adapts to the renderer. A still view is drawn in full, multisampled (4x, into an own framebuffer that
is then resolved into the widget's). Each still frame is timed; if it took longer than SMOOTH_MOTION_S (a
software renderer such as Mesa's llvmpipe), frames drawn while the view moves skip multisampling and, for
meshes over LOD_MIN_TRIANGLES, draw a simplified copy of about LOD_TRIANGLES; the full mesh comes back
STILL_AFTER_MS after the last movement. A still frame slower than NO_MSAA_S stops multisampling for that
mesh. On a GPU every frame is full and multisampled.

If anything of OpenGL fails after all (a shader that does not compile, a framebuffer that cannot be made),
the view emits `failed` with the reason, and the ModelViewer replaces it with the CPU picture.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QMatrix4x4,
    QMouseEvent,
    QOpenGLFunctions,
    QShowEvent,
    QVector2D,
    QVector3D,
    QVector4D,
    QWheelEvent,
)
from PySide6.QtOpenGL import (
    QOpenGLBuffer,
    QOpenGLFramebufferObject,
    QOpenGLFramebufferObjectFormat,
    QOpenGLShader,
    QOpenGLShaderProgram,
    QOpenGLVertexArrayObject,
)
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

from desktop.viewer import shaders
from desktop.viewer.camera import OrbitCamera
from desktop.viewer.geometry import (
    GL_INT_2_10_10_10_REV,
    build_geometry,
    clean_triangles,
    grid_lines,
    simplify,
    smooth_vertex_normals,
)
from desktop.viewer.look import BACKGROUND_BOTTOM, BACKGROUND_TOP, GRID_COLOR, MODEL_COLOR, linear
from desktop.viewer.probe import surface_format

log = logging.getLogger(__name__)

GL_FLOAT = 0x1406
GL_TRIANGLES, GL_TRIANGLE_STRIP, GL_LINES = 0x0004, 0x0005, 0x0001
GL_COLOR_BUFFER_BIT, GL_DEPTH_BUFFER_BIT = 0x4000, 0x0100
GL_DEPTH_TEST, GL_BLEND, GL_CULL_FACE = 0x0B71, 0x0BE2, 0x0B44
GL_LEQUAL, GL_NEAREST = 0x0203, 0x2600
GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE = 0x0302, 0x0303, 0, 1
GL_FRAMEBUFFER, GL_READ_FRAMEBUFFER, GL_DRAW_FRAMEBUFFER = 0x8D40, 0x8CA8, 0x8CA9
GL_VERSION, GL_RENDERER = 0x1F02, 0x1F01
VERTEX_STRIDE = 16  # float32 x 3 position, packed flat normal
POSITION, FLAT_NORMAL, SMOOTH_NORMAL = 0, 1, 2

SAMPLES = 4
STILL_AFTER_MS = 250  # the view counts as still this long after the last movement
SMOOTH_MOTION_S = 1 / 60  # a still frame slower than this makes moving frames cheaper
NO_MSAA_S = 0.25  # a still frame slower than this (with multisampling) stops multisampling for this mesh
SHADOW_STRENGTH = 0.35  # the darkest the shadow under the model gets (its alpha)
LOD_MIN_TRIANGLES = 200_000
LOD_TRIANGLES = 80_000


def _matrix(values: npt.NDArray[np.float64]) -> QMatrix4x4:
    return QMatrix4x4(*(float(v) for v in values.ravel()))  # row-major, as QMatrix4x4 takes them


def _allocate(buffer: QOpenGLBuffer, array: npt.NDArray[Any]) -> None:
    """Fill the bound buffer from an array, without a copy (PySide takes any buffer object; its stubs say
    bytes)."""
    raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    buffer.allocate(cast(bytes, raw.data), raw.nbytes)


def _set_uniforms(
    program: QOpenGLShaderProgram, **values: QMatrix4x4 | QVector2D | QVector3D | QVector4D | float | bool
) -> None:
    """Set uniforms by name (a bool as an int, a float as a float; locations are looked up each time, a
    dozen calls a frame)."""
    for name, value in values.items():
        location = program.uniformLocation(name)
        if isinstance(value, bool):
            program.setUniformValue1i(location, int(value))
        elif isinstance(value, float):
            program.setUniformValue1f(location, value)
        else:
            program.setUniformValue(location, value)


def _rgb(color: QColor) -> QVector3D:
    return QVector3D(color.redF(), color.greenF(), color.blueF())


class _MeshBuffers:
    """One drawable copy of a mesh on the GPU: its vertex array, vertices, and (once asked for) smooth
    normals. The triangles stay referenced so the smooth normals can be computed later."""

    def __init__(self) -> None:
        self.array = QOpenGLVertexArrayObject()
        self.vertices = QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        self.normals = QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        self.count = 0
        self.triangles: npt.NDArray[np.float32] | None = None
        self.smooth_ready = False

    def create(self) -> None:
        if not self.array.create():
            raise RuntimeError("vertex array objects are not supported")
        for buffer in (self.vertices, self.normals):
            buffer.setUsagePattern(QOpenGLBuffer.UsagePattern.StaticDraw)
            if not buffer.create():
                raise RuntimeError("vertex buffers are not supported")

    def upload(
        self,
        program: QOpenGLShaderProgram,
        vertices: npt.NDArray[np.void],
        triangles: npt.NDArray[np.float32],
    ) -> None:
        self.array.bind()
        self.vertices.bind()
        _allocate(self.vertices, vertices)
        program.bind()
        program.enableAttributeArray(POSITION)
        program.setAttributeBuffer(POSITION, GL_FLOAT, 0, 3, VERTEX_STRIDE)
        program.enableAttributeArray(FLAT_NORMAL)
        # Signed 10-bit normals, read back as -1..1 (setAttributeBuffer asks for normalised values).
        program.setAttributeBuffer(FLAT_NORMAL, GL_INT_2_10_10_10_REV, 12, 4, VERTEX_STRIDE)
        program.disableAttributeArray(SMOOTH_NORMAL)  # until smooth normals are computed
        program.release()
        self.vertices.release()
        self.array.release()
        self.count = len(vertices)
        self.triangles = triangles
        self.smooth_ready = False

    def upload_smooth(self, program: QOpenGLShaderProgram) -> None:
        if self.smooth_ready or self.triangles is None or self.count == 0:
            return
        normals = smooth_vertex_normals(self.triangles)
        self.array.bind()
        self.normals.bind()
        _allocate(self.normals, normals)
        program.bind()
        program.enableAttributeArray(SMOOTH_NORMAL)
        program.setAttributeBuffer(SMOOTH_NORMAL, GL_INT_2_10_10_10_REV, 0, 4, 4)
        program.release()
        self.normals.release()
        self.array.release()
        self.smooth_ready = True

    def draw(self, gl: QOpenGLFunctions) -> None:
        self.array.bind()
        gl.glDrawArrays(GL_TRIANGLES, 0, self.count)
        self.array.release()

    def clear(self) -> None:
        self.count = 0
        self.triangles = None
        self.smooth_ready = False

    def destroy(self) -> None:
        self.vertices.destroy()
        self.normals.destroy()
        self.array.destroy()
        self.clear()


class MeshView(QOpenGLWidget):
    """Draws one mesh, its ground grid and a gradient; orbit, pan and zoom with the mouse."""

    failed = Signal(str)  # why OpenGL cannot be used after all
    initialised = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFormat(surface_format(samples=0))  # multisampling happens in an own framebuffer, when still
        self.setMinimumSize(160, 120)
        self.camera = OrbitCamera()
        self.gl_version = ""  # "4.5 (Core Profile) Mesa ...", once initialised
        self.gl_renderer = ""
        self.last_frame: dict[str, object] = {}  # how the last frame was drawn: for tests and the benchmark
        self._triangles: npt.NDArray[np.float32] | None = None
        self._centre: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._size: tuple[float, float, float] | None = None  # the model's bounding box; None: no mesh
        self._pending: npt.NDArray[np.void] | None = None  # vertices waiting for the context
        self._full = _MeshBuffers()
        self._lod = _MeshBuffers()
        self._grid: tuple[QOpenGLVertexArrayObject, QOpenGLBuffer] | None = None
        self._background: QOpenGLVertexArrayObject | None = None
        self._programs: dict[str, QOpenGLShaderProgram] = {}
        self._grid_count = 0
        self._grid_half = 1.0
        self._msaa: QOpenGLFramebufferObject | None = None
        self._msaa_ok = True
        self._still_cost: float | None = None
        self._smooth = False
        self._needs_fit = True
        self._ready = False
        self._failure = ""
        self._moving = False
        self._still_timer = QTimer(self)
        self._still_timer.setSingleShot(True)
        self._still_timer.setInterval(STILL_AFTER_MS)
        self._still_timer.timeout.connect(self._on_still)
        self._drag_button: Qt.MouseButton | None = None
        self._drag_pan = False
        self._last_pos = QPointF()

    # ------------------------------------------------------------------ API

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def smooth(self) -> bool:
        return self._smooth

    @property
    def moving(self) -> bool:
        return self._moving

    @property
    def failure(self) -> str:
        """Why OpenGL failed here ("" while it works): the view then draws nothing and asks to be replaced."""
        return self._failure

    def set_mesh(self, triangles: npt.NDArray[np.float32]) -> None:
        """Show `triangles` (already cleaned: float32 (n, 3, 3), all finite), framed in the default view."""
        geometry = build_geometry(triangles)
        self._triangles = triangles
        self._centre, self._size = geometry.centre, geometry.size
        self._pending = geometry.vertices
        self._still_cost, self._msaa_ok = None, True
        self._needs_fit = True
        self._moving = False  # the first frame of a mesh is a still one: it measures the renderer
        self._still_timer.stop()
        if self._ready:
            self.makeCurrent()
            try:
                self._upload()
            finally:
                self.doneCurrent()
        else:
            self._full.clear()
            self._lod.clear()
        self.update()

    def fit(self) -> None:
        if self._size is not None:
            self.camera.fit(self._size, self._aspect())
        self._jumped()

    def reset(self) -> None:
        if self._size is not None:
            self.camera.reset(self._size, self._aspect())
        self._jumped()

    def set_smooth(self, smooth: bool) -> None:
        self._smooth = smooth
        if smooth and self._ready:
            self.makeCurrent()
            try:
                self._full.upload_smooth(self._programs["mesh"])
                self._lod.upload_smooth(self._programs["mesh"])
            finally:
                self.doneCurrent()
        self.update()

    def orbit(self, dx: float, dy: float) -> None:
        self.camera.orbit(dx, dy)
        self._moved()

    def pan(self, dx: float, dy: float) -> None:
        self.camera.pan(dx, dy, self.height())
        self._moved()

    def zoom(self, steps: float, at: QPointF | None = None) -> None:
        """Zoom by wheel notches towards `at` (widget coordinates), or towards the centre."""
        ndc_x = ndc_y = 0.0
        if at is not None and self.width() > 0 and self.height() > 0:
            ndc_x = 2 * at.x() / self.width() - 1
            ndc_y = 1 - 2 * at.y() / self.height()
        self.camera.zoom(steps, ndc_x, ndc_y, self._aspect())
        self._moved()

    def _moved(self) -> None:
        self._moving = True
        self._still_timer.start()
        self.update()

    def _jumped(self) -> None:
        """A change of view in one step (fit, reset): drawn at once in full quality."""
        self._moving = False
        self._still_timer.stop()
        self.update()

    def _on_still(self) -> None:
        self._moving = False
        self.update()

    # --------------------------------------------------------- set-up, upload

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # A QOpenGLWidget whose context cannot be made only logs a warning and stays blank: check.
        QTimer.singleShot(0, self, self._check_context)

    def _check_context(self) -> None:
        if self.isVisible() and not self.isValid() and not self._failure:
            self._fail("no OpenGL context could be made for the view")

    def initializeGL(self) -> None:
        try:
            self._initialise()
        except Exception as exc:  # any failure here means: draw without OpenGL
            log.warning("OpenGL viewer unavailable: %s", exc, exc_info=True)
            self._fail(str(exc))

    def _initialise(self) -> None:
        context = self.context()
        if context is None or not context.isValid():
            raise RuntimeError("no valid OpenGL context")
        context.aboutToBeDestroyed.connect(self._release)
        fmt = context.format()
        if context.isOpenGLES() or (fmt.majorVersion(), fmt.minorVersion()) < (3, 3):
            raise RuntimeError(f"OpenGL {fmt.majorVersion()}.{fmt.minorVersion()} is too old (3.3 needed)")
        gl = context.functions()
        self.gl_version = str(gl.glGetString(GL_VERSION) or "")
        self.gl_renderer = str(gl.glGetString(GL_RENDERER) or "")
        self._programs = {
            "mesh": self._program(shaders.MESH_VERTEX, shaders.MESH_FRAGMENT),
            "grid": self._program(shaders.GRID_VERTEX, shaders.GRID_FRAGMENT),
            "background": self._program(shaders.BACKGROUND_VERTEX, shaders.BACKGROUND_FRAGMENT),
            "shadow": self._program(shaders.SHADOW_VERTEX, shaders.SHADOW_FRAGMENT),
        }
        self._full, self._lod = _MeshBuffers(), _MeshBuffers()
        self._full.create()
        self._lod.create()
        self._background = QOpenGLVertexArrayObject()
        grid_array, grid_buffer = QOpenGLVertexArrayObject(), QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        if not (self._background.create() and grid_array.create() and grid_buffer.create()):
            raise RuntimeError("vertex buffers are not supported")
        self._grid = (grid_array, grid_buffer)
        self._ready = True
        if self._triangles is not None:
            if self._pending is None:  # the context was re-created: the old buffers went with it
                self._pending = build_geometry(self._triangles).vertices
            self._upload()
        self.initialised.emit()

    def _program(self, vertex: str, fragment: str) -> QOpenGLShaderProgram:
        program = QOpenGLShaderProgram()  # deleted with the context's other objects in _release
        for kind, source in (
            (QOpenGLShader.ShaderTypeBit.Vertex, vertex),
            (QOpenGLShader.ShaderTypeBit.Fragment, fragment),
        ):
            if not program.addShaderFromSourceCode(kind, source):
                raise RuntimeError(f"a shader does not compile: {program.log().strip()}")
        if not program.link():
            raise RuntimeError(f"a shader program does not link: {program.log().strip()}")
        return program

    def _upload(self) -> None:
        """Send the pending vertices and the grid to the GPU (the context is current)."""
        if self._pending is None or self._triangles is None or self._size is None:
            return
        self._full.upload(self._programs["mesh"], self._pending, self._triangles)
        self._pending = None  # on the GPU now; the triangles are the caller's array
        self._lod.clear()
        if self._smooth:
            self._full.upload_smooth(self._programs["mesh"])

        points, half, _ = grid_lines(self._centre, self._size)
        assert self._grid is not None
        grid_array, grid_buffer = self._grid
        program = self._programs["grid"]
        grid_array.bind()
        grid_buffer.bind()
        _allocate(grid_buffer, points)
        program.bind()
        program.enableAttributeArray(0)
        program.setAttributeBuffer(0, GL_FLOAT, 0, 4, 16)
        program.release()
        grid_buffer.release()
        grid_array.release()
        self._grid_count, self._grid_half = len(points), half

    def _build_lod(self) -> None:
        """The simplified copy drawn while moving, when full frames turned out slow."""
        if not self._ready or self._triangles is None or self._lod.count:
            return
        started = time.perf_counter()
        coarse = clean_triangles(simplify(self._triangles, LOD_TRIANGLES))
        vertices = build_geometry(coarse, centre=self._centre).vertices
        self.makeCurrent()
        try:
            self._lod.upload(self._programs["mesh"], vertices, coarse)
            if self._smooth:
                self._lod.upload_smooth(self._programs["mesh"])
        finally:
            self.doneCurrent()
        log.debug(
            "viewer: %d triangles drawn as %d while moving (%.2f s)",
            len(self._triangles),
            len(coarse),
            time.perf_counter() - started,
        )

    def _release(self) -> None:
        """The context is going away (the widget is destroyed, or moves to another window)."""
        if not self._ready:
            return
        self.makeCurrent()
        self._full.destroy()
        self._lod.destroy()
        if self._grid is not None:
            self._grid[1].destroy()
            self._grid[0].destroy()
        if self._background is not None:
            self._background.destroy()
        # Dropped while the context is current, so that their destructors free their GL objects in it.
        self._grid, self._background, self._programs, self._msaa = None, None, {}, None
        self.doneCurrent()
        self._ready = False

    # ---------------------------------------------------------------- drawing

    def resizeGL(self, width: int, height: int) -> None:
        if self._needs_fit and self._size is not None and width > 0 and height > 0:
            self.camera.reset(self._size, width / height)
            self._needs_fit = False

    def paintGL(self) -> None:
        if not self._ready:
            return
        try:
            self._paint()
        except Exception as exc:
            log.warning("OpenGL drawing failed: %s", exc, exc_info=True)
            self._fail(str(exc))

    def _paint(self) -> None:
        context = self.context()
        if context is None:
            return
        gl = context.functions()
        if self._needs_fit and self._size is not None:
            self.camera.reset(self._size, self._aspect())
            self._needs_fit = False
        slow = self._still_cost is not None and self._still_cost > SMOOTH_MOTION_S
        cheap = self._moving and slow
        mesh = self._lod if cheap and self._lod.count else self._full
        target = None if cheap or not self._msaa_ok else self._multisample_target()
        started = time.perf_counter()
        if target is not None:
            target.bind()
        self._draw_scene(gl, mesh)
        if target is not None:
            self._resolve(gl, target)
        if not self._moving:
            gl.glFinish()  # only to time it: still frames are rare
            cost = time.perf_counter() - started
            self._still_cost = cost
            if target is not None and cost > NO_MSAA_S:
                self._msaa_ok = False
            if cost > SMOOTH_MOTION_S and self._full.count >= 3 * LOD_MIN_TRIANGLES and not self._lod.count:
                QTimer.singleShot(0, self, self._build_lod)
        self.last_frame = {
            "triangles": mesh.count // 3,
            "multisampled": target is not None,
            "moving": self._moving,
            "seconds": time.perf_counter() - started,
        }

    def _draw_scene(self, gl: QOpenGLFunctions, mesh: _MeshBuffers) -> None:
        gl.glClearColor(0.0, 0.0, 0.0, 1.0)
        gl.glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT)
        gl.glDisable(GL_CULL_FACE)  # open meshes show their inside
        gl.glDisable(GL_DEPTH_TEST)
        background = self._programs["background"]
        background.bind()
        _set_uniforms(background, top=_rgb(BACKGROUND_TOP), bottom=_rgb(BACKGROUND_BOTTOM))
        assert self._background is not None
        self._background.bind()
        gl.glDrawArrays(GL_TRIANGLES, 0, 3)
        self._background.release()
        background.release()

        view = self.camera.view_matrix()
        model_view = _matrix(view)
        projection = _matrix(self.camera.projection_matrix(self._aspect()))
        gl.glEnable(GL_DEPTH_TEST)
        gl.glDepthFunc(GL_LEQUAL)
        if mesh.count and self._size is not None:
            self._draw_shadow(gl, model_view, projection, self._size)
        if mesh.count:
            program = self._programs["mesh"]
            program.bind()
            up = view[:3, 2]  # the world's +Z in view space
            _set_uniforms(
                program,
                model_view=model_view,
                projection=projection,
                use_smooth=self._smooth and mesh.smooth_ready,
                base_color=QVector3D(*linear(MODEL_COLOR)),
                view_up=QVector3D(float(up[0]), float(up[1]), float(up[2])),
            )
            mesh.draw(gl)
            program.release()

        if self._grid_count and self._grid is not None:
            # After the model, tested against its depth without writing any, blended; the frame's alpha
            # stays 1 so that the widget is composed as opaque.
            gl.glEnable(GL_BLEND)
            gl.glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE)
            gl.glDepthMask(False)
            grid = self._programs["grid"]
            grid.bind()
            color = GRID_COLOR
            _set_uniforms(
                grid,
                model_view=model_view,
                projection=projection,
                centre=QVector2D(0.0, 0.0),
                half_width=float(self._grid_half),
                color=QVector4D(color.redF(), color.greenF(), color.blueF(), color.alphaF()),
            )
            self._grid[0].bind()
            gl.glDrawArrays(GL_LINES, 0, self._grid_count)
            self._grid[0].release()
            grid.release()
            gl.glDepthMask(True)
            gl.glDisable(GL_BLEND)

    def _draw_shadow(
        self,
        gl: QOpenGLFunctions,
        model_view: QMatrix4x4,
        projection: QMatrix4x4,
        size: tuple[float, float, float],
    ) -> None:
        """The soft shadow on the floor under the model's footprint, before the model (no depth written)."""
        sx, sy, sz = size
        footprint = max(sx, sy, 1e-9)
        program = self._programs["shadow"]
        gl.glEnable(GL_BLEND)
        gl.glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE)
        gl.glDepthMask(False)
        program.bind()
        _set_uniforms(
            program,
            model_view=model_view,
            projection=projection,
            half_size=QVector2D(max(sx, footprint * 0.05) / 2, max(sy, footprint * 0.05) / 2),
            soft=float(footprint * 0.12),
            floor_z=float(-sz / 2),
            strength=SHADOW_STRENGTH,
        )
        assert self._background is not None
        self._background.bind()  # no buffers: the corners come from gl_VertexID
        gl.glDrawArrays(GL_TRIANGLE_STRIP, 0, 4)
        self._background.release()
        program.release()
        gl.glDepthMask(True)
        gl.glDisable(GL_BLEND)

    def _multisample_target(self) -> QOpenGLFramebufferObject | None:
        ratio = self.devicePixelRatioF()
        size = QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        if self._msaa is None or self._msaa.size() != size:
            fmt = QOpenGLFramebufferObjectFormat()
            fmt.setSamples(SAMPLES)
            fmt.setAttachment(QOpenGLFramebufferObject.Attachment.CombinedDepthStencil)
            target = QOpenGLFramebufferObject(size, fmt)
            if not target.isValid():
                log.info("viewer: no multisampled framebuffer; drawing without multisampling")
                self._msaa_ok = False
                self._msaa = None
                self.makeCurrent()  # binds the widget's framebuffer again
                return None
            self._msaa = target
        return self._msaa

    def _resolve(self, gl: QOpenGLFunctions, source: QOpenGLFramebufferObject) -> None:
        """Copy the multisampled frame into the widget's framebuffer (averaging the samples)."""
        context = self.context()
        assert context is not None
        width, height = source.size().width(), source.size().height()
        source.release()  # Qt's record of the bound framebuffer is the widget's again
        gl.glBindFramebuffer(GL_READ_FRAMEBUFFER, source.handle())
        gl.glBindFramebuffer(GL_DRAW_FRAMEBUFFER, self.defaultFramebufferObject())
        context.extraFunctions().glBlitFramebuffer(
            0, 0, width, height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_NEAREST
        )
        gl.glBindFramebuffer(GL_FRAMEBUFFER, self.defaultFramebufferObject())

    def _fail(self, reason: str) -> None:
        self._ready = False
        if not self._failure:
            self._failure = reason or "OpenGL failed"
            # Not from inside initializeGL or paintGL: the receiver replaces (and deletes) this widget.
            QTimer.singleShot(0, self, lambda: self.failed.emit(self._failure))

    def _aspect(self) -> float:
        return self.width() / self.height() if self.height() > 0 else 1.0

    # ------------------------------------------------------------------ mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            self._drag_button = button
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._drag_pan = button != Qt.MouseButton.LeftButton or shift
            self._last_pos = event.position()
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_button is None:
            super().mouseMoveEvent(event)
            return
        delta = event.position() - self._last_pos
        self._last_pos = event.position()
        if self._drag_pan:
            self.pan(delta.x(), delta.y())
        else:
            self.orbit(delta.x(), delta.y())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == self._drag_button:
            self._drag_button = None
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.fit()
            event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120 or event.pixelDelta().y() / 40
        if steps and math.isfinite(steps):
            self.zoom(steps, event.position())
        event.accept()
