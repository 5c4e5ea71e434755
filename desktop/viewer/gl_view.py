"""The OpenGL view of a mesh: a QOpenGLWidget drawing indexed vertex buffers with a 3.3 core shader program.

Preparing a mesh for drawing (its shared vertices, smooth normals, a simplified copy; desktop.viewer.geometry)
runs on the viewer's worker thread (desktop.viewer.worker) for all but small meshes, so opening a million
triangles never holds up the window: the view frames the model's box at once, says "Preparing the model…"
until the vertices are ready, and shades flat, saying "Preparing smooth shading…", until smooth normals are.
Each result is uploaded at the next frame, once; a frame then costs the same few Python calls whatever the
size of the mesh. The camera is an OrbitCamera; the mouse moves it here (desktop.viewer.navigation), the
keyboard in ModelViewer.

Quality adapts to the renderer. A still view is drawn in full, multisampled (4x, into an own framebuffer that
is then resolved into the widget's). Full frames are timed (still ones, and the first moving ones of a mesh or
a size); if full frames without multisampling take longer than SMOOTH_MOTION_S (a software renderer such as
Mesa's llvmpipe, or a big mesh on a weak GPU), frames drawn while the view moves are made cheaper, as CAD
viewers make them: drawn at MOVING_SCALE of the resolution, without multisampling, and, for meshes of
LOD_MIN_TRIANGLES or more, from a simplified copy of about LOD_TRIANGLES. The full mesh comes back when the
mouse button is let go, or STILL_AFTER_MS after the last movement. Multisampling costs a software renderer
about three times the frame, so there it is left out for big meshes; elsewhere a multisampled still frame
slower than NO_MSAA_S stops it for that mesh. On a GPU every frame is full and multisampled.

If anything of OpenGL fails after all (a shader that does not compile, a framebuffer that cannot be made),
the view emits `failed` with the reason, and the ModelViewer replaces it with the CPU picture.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from PySide6.QtCore import QPointF, QSize, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QMatrix4x4,
    QOpenGLFunctions,
    QShowEvent,
    QVector2D,
    QVector3D,
    QVector4D,
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
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import VoidPtr

from core.tasks import TaskState
from desktop.viewer import shaders
from desktop.viewer.camera import OrbitCamera
from desktop.viewer.geometry import (
    GL_INT_2_10_10_10_REV,
    VERTEX_DTYPE,
    FloatArray,
    MeshGeometry,
    bounds,
    build_geometry,
    grid_lines,
    simplified_geometry,
    with_smooth_normals,
)
from desktop.viewer.look import BACKGROUND_BOTTOM, BACKGROUND_TOP, GRID_COLOR, MODEL_COLOR, linear
from desktop.viewer.navigation import MouseNavigation
from desktop.viewer.probe import surface_format
from desktop.viewer.worker import Worker

log = logging.getLogger(__name__)

GL_FLOAT, GL_UNSIGNED_SHORT, GL_UNSIGNED_INT = 0x1406, 0x1403, 0x1405
GL_TRIANGLES, GL_TRIANGLE_STRIP, GL_LINES = 0x0004, 0x0005, 0x0001
GL_COLOR_BUFFER_BIT, GL_DEPTH_BUFFER_BIT = 0x4000, 0x0100
GL_DEPTH_TEST, GL_BLEND, GL_CULL_FACE = 0x0B71, 0x0BE2, 0x0B44
GL_LEQUAL, GL_NEAREST, GL_LINEAR = 0x0203, 0x2600, 0x2601
GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE = 0x0302, 0x0303, 0, 1
GL_FRAMEBUFFER, GL_READ_FRAMEBUFFER, GL_DRAW_FRAMEBUFFER = 0x8D40, 0x8CA8, 0x8CA9
GL_VERSION, GL_RENDERER = 0x1F02, 0x1F01
POSITION, NORMAL = 0, 1  # attribute locations
VERTEX_STRIDE = VERTEX_DTYPE.itemsize  # float32 x 3 position, packed normal

SAMPLES = 4
STILL_AFTER_MS = 250  # the view counts as still this long after the last movement
SMOOTH_MOTION_S = 1 / 60  # a full frame slower than this makes moving frames cheaper
MOVING_SCALE = 0.5  # of the width and height, for moving frames on a slow renderer
NO_MSAA_S = 0.1  # a multisampled still frame slower than this stops multisampling for this mesh
SHADOW_STRENGTH = 0.35  # the darkest the shadow under the model gets (its alpha)
INLINE_TRIANGLES = 20_000  # meshes up to this size are prepared at once (< 25 ms), bigger ones on the worker
LOD_MIN_TRIANGLES = 200_000  # meshes from this size get a simplified copy for moving frames
LOD_TRIANGLES = 40_000  # about a triangle per pixel of the model in a moving frame (at half resolution)
# GL_RENDERER names of renderers without a GPU: they draw a million triangles in about a tenth of a second.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software", "swiftshader", "gdi generic")
FIRST_INDEX = cast(int, VoidPtr(0))  # glDrawElements' offset into the index buffer (PySide wants a pointer)


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


@dataclass
class _MeshCopy:
    """One copy of the mesh as the view prepares it: the whole mesh, or its simplified copy."""

    triangles: FloatArray  # cleaned (n, 3, 3)
    geometry: MeshGeometry | None = None  # None until prepared; flat, then smooth once asked for
    smoothing: bool = False  # smooth normals are being computed


class _MeshBuffers:
    """One drawable mesh on the GPU: its vertex array, vertex buffer and index buffer."""

    def __init__(self) -> None:
        self.array = QOpenGLVertexArrayObject()
        self.vertices = QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        self.indices = QOpenGLBuffer(QOpenGLBuffer.Type.IndexBuffer)
        self.geometry: MeshGeometry | None = None  # what the buffers hold
        self.count = 0  # indices to draw
        self.index_type = GL_UNSIGNED_INT

    @property
    def smooth(self) -> bool:
        return self.geometry is not None and self.geometry.smooth

    def create(self) -> None:
        if not self.array.create():
            raise RuntimeError("vertex array objects are not supported")
        for buffer in (self.vertices, self.indices):
            buffer.setUsagePattern(QOpenGLBuffer.UsagePattern.StaticDraw)
            if not buffer.create():
                raise RuntimeError("vertex buffers are not supported")

    def hold(self, program: QOpenGLShaderProgram, geometry: MeshGeometry | None) -> None:
        """Make the buffers hold `geometry` (uploaded unless they hold it already; None: nothing). The
        context is current."""
        if geometry is self.geometry:
            return
        self.geometry = geometry
        self.count = 0
        if geometry is None or geometry.triangle_count == 0:
            return
        self.array.bind()
        self.vertices.bind()
        _allocate(self.vertices, geometry.vertices)
        program.bind()
        program.enableAttributeArray(POSITION)
        program.setAttributeBuffer(POSITION, GL_FLOAT, 0, 3, VERTEX_STRIDE)
        program.enableAttributeArray(NORMAL)
        # Signed 10-bit normals, read back as -1..1 (setAttributeBuffer asks for normalised values).
        program.setAttributeBuffer(NORMAL, GL_INT_2_10_10_10_REV, 12, 4, VERTEX_STRIDE)
        program.release()
        self.indices.bind()  # recorded in the vertex array, so it stays bound with it
        _allocate(self.indices, geometry.indices)
        self.array.release()
        self.vertices.release()
        self.count = len(geometry.indices)
        self.index_type = GL_UNSIGNED_SHORT if geometry.indices.dtype == np.uint16 else GL_UNSIGNED_INT

    def draw(self, gl: QOpenGLFunctions) -> None:
        self.array.bind()
        gl.glDrawElements(GL_TRIANGLES, self.count, self.index_type, FIRST_INDEX)
        self.array.release()

    def destroy(self) -> None:
        self.vertices.destroy()
        self.indices.destroy()
        self.array.destroy()
        self.geometry = None
        self.count = 0


class MeshView(MouseNavigation, QOpenGLWidget):
    """Draws one mesh, its ground grid and a gradient; orbit, pan and zoom with the mouse."""

    failed = Signal(str)  # why OpenGL cannot be used after all
    initialised = Signal()
    prepared = Signal()  # the model is drawn as asked for now (see `preparing`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFormat(surface_format(samples=0))  # multisampling happens in an own framebuffer, when still
        self.setMinimumSize(160, 120)
        self.camera = OrbitCamera()
        self.gl_version = ""  # "4.5 (Core Profile) Mesa ...", once initialised
        self.gl_renderer = ""
        self.last_frame: dict[str, object] = {}  # how the last frame was drawn: for tests and the benchmark
        self._whole: _MeshCopy | None = None  # the mesh shown
        self._coarse: _MeshCopy | None = None  # its simplified copy, drawn while moving on a slow renderer
        self._simplifying = False
        self._jobs = TaskState()  # cancelled when the mesh changes: its jobs' results are not wanted then
        self._worker = Worker(self)
        self._centre: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._size: tuple[float, float, float] | None = None  # the model's bounding box; None: no mesh
        self._whole_buffers = _MeshBuffers()
        self._coarse_buffers = _MeshBuffers()
        self._grid: tuple[QOpenGLVertexArrayObject, QOpenGLBuffer] | None = None
        self._grid_box: tuple[object, ...] | None = None  # the (centre, size) the grid was made for
        self._background: QOpenGLVertexArrayObject | None = None
        self._programs: dict[str, QOpenGLShaderProgram] = {}
        self._grid_count = 0
        self._grid_half = 1.0
        self._targets: dict[int, QOpenGLFramebufferObject] = {}  # own framebuffers, by samples
        self._msaa_ok = True
        self._software = False
        self._fast = False  # a full frame took less than SMOOTH_MOTION_S (for this mesh and size)
        self._slow_frames = 0  # full frames without multisampling that took longer
        self._smooth = False
        self._needs_fit = True
        self._ready = False
        self._failure = ""
        self._moving = False
        self._still_timer = QTimer(self)
        self._still_timer.setSingleShot(True)
        self._still_timer.setInterval(STILL_AFTER_MS)
        self._still_timer.timeout.connect(self._still_now)
        self._status = QLabel(self)
        self._status.setStyleSheet(
            "QLabel { color: #e8ecf2; background: rgba(0, 0, 0, 110); padding: 3px 8px; border-radius: 4px; }"
        )
        self._status.hide()

    # ------------------------------------------------------------------ API

    @property
    def ready(self) -> bool:
        """Whether the OpenGL context is initialised."""
        return self._ready

    @property
    def smooth(self) -> bool:
        return self._smooth

    @property
    def moving(self) -> bool:
        return self._moving

    @property
    def preparing(self) -> bool:
        """Whether anything asked for the mesh is still being prepared: its vertices, smooth normals, or the
        simplified copy drawn while moving."""
        copies = [copy for copy in (self._whole, self._coarse) if copy is not None]
        return self._simplifying or any(copy.geometry is None or copy.smoothing for copy in copies)

    @property
    def status(self) -> str:
        """What the view says about its preparations ("" when it says nothing)."""
        return self._status.text() if self._status.isVisibleTo(self) else ""

    @property
    def failure(self) -> str:
        """Why OpenGL failed here ("" while it works): the view then draws nothing and asks to be replaced."""
        return self._failure

    def set_mesh(self, triangles: FloatArray) -> None:
        """Show `triangles` (already cleaned: float32 (n, 3, 3), all finite), framed in the default view. The
        model appears once its vertices are prepared (at once for a small mesh)."""
        self._jobs.cancel()
        self._jobs = TaskState()
        self._whole, self._coarse, self._simplifying = _MeshCopy(triangles), None, False
        self._centre, self._size = bounds(triangles)
        self._fast, self._slow_frames, self._msaa_ok = False, 0, True
        self._needs_fit = True
        self._moving = False  # the first frame of a mesh is a still one: it measures the renderer
        self._still_timer.stop()
        self._prepare(self._whole, lambda: build_geometry(triangles), lambda error: self._fail(str(error)))
        self._show_status()
        self.update()

    def fit(self) -> None:
        if self._size is not None:
            self.camera.fit(self._size, self._aspect())
        self._still_now()

    def reset(self) -> None:
        if self._size is not None:
            self.camera.reset(self._size, self._aspect())
        self._still_now()

    def set_smooth(self, smooth: bool) -> None:
        """Smooth or flat shading. Smooth normals are computed the first time they are asked for; the view
        shades flat until they are ready."""
        self._smooth = smooth
        if smooth:
            for copy in (self._whole, self._coarse):
                if copy is not None:
                    self._smooth_copy(copy)
        self._show_status()
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

    def drag_finished(self) -> None:
        self._still_now()

    def _moved(self) -> None:
        self._moving = True
        self._still_timer.start()
        self.update()

    def _still_now(self) -> None:
        """The view stops moving (a change in one step such as fit, the end of a drag, or a pause): the next
        frame is drawn in full quality."""
        self._moving = False
        self._still_timer.stop()
        self.update()

    # ---------------------------------------------------------- preparing

    def _prepare(
        self,
        copy: _MeshCopy,
        job: Callable[[], MeshGeometry],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Make `copy`'s geometry with `job`: at once for a small mesh, else on the worker thread."""

        def done(geometry: MeshGeometry) -> None:
            copy.geometry, copy.smoothing = geometry, False
            self._on_prepared(copy)

        if len(copy.triangles) <= INLINE_TRIANGLES:
            done(job())
        else:
            self._worker.run(job, done, self._jobs, on_error)

    def _on_prepared(self, copy: _MeshCopy) -> None:
        if self._smooth:
            self._smooth_copy(copy)
        if self._slow():
            self._simplify()
        self._settle(redraw=copy is self._whole or self._moving)  # the simplified copy shows when moving

    def _settle(self, redraw: bool = True) -> None:
        """A preparation ended: say what is still being prepared, draw again, and tell when all is done."""
        self._show_status()
        if redraw:
            self.update()
        if not self.preparing:
            self.prepared.emit()

    def _smooth_copy(self, copy: _MeshCopy) -> None:
        geometry = copy.geometry
        if geometry is None or geometry.smooth or copy.smoothing:
            return  # smoothed when its vertices are ready, or already

        def failed(_error: BaseException) -> None:
            copy.smoothing = False  # and it stays flat
            self._settle()

        copy.smoothing = True
        self._prepare(copy, lambda: with_smooth_normals(geometry, copy.triangles), failed)

    def _simplify(self) -> None:
        """Start making the simplified copy drawn while moving (once per mesh, for big meshes)."""
        whole = self._whole
        if self._coarse is not None or self._simplifying or whole is None or whole.geometry is None:
            return
        if whole.geometry.triangle_count < LOD_MIN_TRIANGLES:
            return
        centre, started = whole.geometry.centre, time.perf_counter()

        def done(copy: _MeshCopy) -> None:
            log.debug(
                "viewer: %d triangles drawn as %d while moving (%.2f s)",
                len(whole.triangles),
                len(copy.triangles),
                time.perf_counter() - started,
            )
            self._coarse, self._simplifying = copy, False
            self._on_prepared(copy)

        def failed(_error: BaseException) -> None:
            self._simplifying = False  # and moving frames stay full
            self._settle(redraw=False)

        self._simplifying = True
        self._worker.run(
            lambda: _MeshCopy(*simplified_geometry(whole.triangles, LOD_TRIANGLES, centre)),
            done,
            self._jobs,
            failed,
        )

    def _show_status(self) -> None:
        whole = self._whole
        if whole is not None and whole.geometry is None:
            text = self.tr("Preparing the model…")
        elif whole is not None and self._smooth and whole.smoothing:
            text = self.tr("Preparing smooth shading…")
        else:
            self._status.hide()
            return
        self._status.setText(text)
        self._status.setAccessibleName(text)
        self._status.adjustSize()
        self._place_status()
        self._status.show()

    def _place_status(self) -> None:
        margin = 8
        self._status.move(margin, self.height() - self._status.height() - margin)

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
        self._software = any(name in self.gl_renderer.lower() for name in SOFTWARE_RENDERERS)
        self._programs = {
            "mesh": self._program(shaders.MESH_VERTEX, shaders.MESH_FRAGMENT),
            "grid": self._program(shaders.GRID_VERTEX, shaders.GRID_FRAGMENT),
            "background": self._program(shaders.BACKGROUND_VERTEX, shaders.BACKGROUND_FRAGMENT),
            "shadow": self._program(shaders.SHADOW_VERTEX, shaders.SHADOW_FRAGMENT),
        }
        # New buffers: after a context was re-created, the old ones went with it (each frame uploads what
        # its buffers do not hold).
        self._whole_buffers, self._coarse_buffers = _MeshBuffers(), _MeshBuffers()
        self._whole_buffers.create()
        self._coarse_buffers.create()
        self._background = QOpenGLVertexArrayObject()
        grid_array, grid_buffer = QOpenGLVertexArrayObject(), QOpenGLBuffer(QOpenGLBuffer.Type.VertexBuffer)
        if not (self._background.create() and grid_array.create() and grid_buffer.create()):
            raise RuntimeError("vertex buffers are not supported")
        self._grid, self._grid_box = (grid_array, grid_buffer), None
        self._ready = True
        if self._slow():
            self._simplify()
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
        """Send what was prepared since the last frame to the GPU (the context is current)."""
        program = self._programs["mesh"]
        for copy, buffers in ((self._whole, self._whole_buffers), (self._coarse, self._coarse_buffers)):
            buffers.hold(program, copy.geometry if copy is not None else None)
        box = (self._centre, self._size)
        if self._size is None or box == self._grid_box or self._grid is None:
            return
        points, half, _ = grid_lines(self._centre, self._size)
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
        self._grid_count, self._grid_half, self._grid_box = len(points), half, box

    def _release(self) -> None:
        """The context is going away (the widget is destroyed, or moves to another window)."""
        if not self._ready:
            return
        self.makeCurrent()
        self._whole_buffers.destroy()
        self._coarse_buffers.destroy()
        if self._grid is not None:
            self._grid[1].destroy()
            self._grid[0].destroy()
        if self._background is not None:
            self._background.destroy()
        # Dropped while the context is current, so that their destructors free their GL objects in it.
        self._grid, self._background, self._programs, self._targets = None, None, {}, {}
        self.doneCurrent()
        self._ready = False

    # ---------------------------------------------------------------- drawing

    def resizeGL(self, width: int, height: int) -> None:
        self._place_status()
        self._fast, self._slow_frames = False, 0  # a bigger or smaller view costs more or less
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
        self._upload()
        # While it is not known whether full frames are fast enough, moving ones are drawn in full (without
        # multisampling) and timed, to find out.
        cheap = self._moving and self._slow()
        measuring = self._moving and not cheap and not self._fast
        mesh = self._coarse_buffers if cheap and self._coarse_buffers.count else self._whole_buffers
        if cheap:
            target = self._target(0, MOVING_SCALE)
        elif self._multisampling() and not measuring:
            target = self._target(SAMPLES, 1.0)
        else:
            target = None
        multisampled = target is not None and target.format().samples() > 0
        started = time.perf_counter()
        if target is not None:
            target.bind()
            gl.glViewport(0, 0, target.width(), target.height())
        self._draw_scene(gl, mesh)
        if target is not None:
            self._present(gl, target)
        if measuring or not self._moving:
            gl.glFinish()  # only to time it: still frames are rare
            if mesh.count:  # a frame without the model does not tell how fast the renderer draws it
                self._learn(time.perf_counter() - started, multisampled)
        self.last_frame = {
            "triangles": mesh.count // 3,
            "multisampled": multisampled,
            "scale": MOVING_SCALE if cheap and target is not None else 1.0,
            "moving": self._moving,
            "seconds": time.perf_counter() - started,
        }

    def _learn(self, cost: float, multisampled: bool) -> None:
        """What a full frame that took `cost` seconds tells about the renderer."""
        if multisampled and cost > NO_MSAA_S:
            self._msaa_ok = False
        if cost <= SMOOTH_MOTION_S:
            self._fast = True  # with multisampling or without
        elif not multisampled:  # (a slow multisampled frame says nothing about frames without)
            self._slow_frames += 1
        if self._slow():
            self._simplify()

    def _slow(self) -> bool:
        """Whether full frames are too slow for moving ones. One fast frame tells; slow ones need to be two,
        as the first frame of a kind also compiles the renderer's shader variants. A software renderer is
        known to be slow with a big mesh."""
        if self._fast:
            return False
        return self._slow_frames >= 2 or (self._software and self._big())

    def _big(self) -> bool:
        return self._whole is not None and len(self._whole.triangles) >= LOD_MIN_TRIANGLES

    def _multisampling(self) -> bool:
        return self._msaa_ok and not (self._software and self._big())

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
        if self._size is not None:
            self._draw_shadow(gl, model_view, projection, self._size)
        if mesh.count:
            program = self._programs["mesh"]
            program.bind()
            up = view[:3, 2]  # the world's +Z in view space
            _set_uniforms(
                program,
                model_view=model_view,
                projection=projection,
                use_smooth=self._smooth and mesh.smooth,
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

    def _target(self, samples: int, scale: float) -> QOpenGLFramebufferObject | None:
        """An own framebuffer to draw the frame into: multisampled, or smaller than the view; made again when
        the view's size changes. None when it cannot be made (the frame is then drawn straight)."""
        ratio = self.devicePixelRatioF() * scale
        size = QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        target = self._targets.get(samples)
        if target is not None and target.size() == size:
            return target
        fmt = QOpenGLFramebufferObjectFormat()
        fmt.setSamples(samples)
        fmt.setAttachment(QOpenGLFramebufferObject.Attachment.CombinedDepthStencil)
        target = QOpenGLFramebufferObject(size, fmt)
        if not target.isValid():
            log.info("viewer: no framebuffer with %d samples; drawing straight into the view", samples)
            self._targets.pop(samples, None)
            if samples:
                self._msaa_ok = False
            self.makeCurrent()  # binds the widget's framebuffer again
            return None
        self._targets[samples] = target
        return target

    def _present(self, gl: QOpenGLFunctions, source: QOpenGLFramebufferObject) -> None:
        """Copy the frame drawn into `source` into the widget's framebuffer: averaging the samples of a
        multisampled one, or scaling a smaller one up (filtered)."""
        context = self.context()
        assert context is not None
        width, height = source.size().width(), source.size().height()
        ratio = self.devicePixelRatioF()
        out_width, out_height = round(self.width() * ratio), round(self.height() * ratio)
        scaled = (width, height) != (out_width, out_height)
        source.release()  # Qt's record of the bound framebuffer is the widget's again
        gl.glBindFramebuffer(GL_READ_FRAMEBUFFER, source.handle())
        gl.glBindFramebuffer(GL_DRAW_FRAMEBUFFER, self.defaultFramebufferObject())
        context.extraFunctions().glBlitFramebuffer(
            0,
            0,
            width,
            height,
            0,
            0,
            out_width,
            out_height,
            GL_COLOR_BUFFER_BIT,
            GL_LINEAR if scaled else GL_NEAREST,
        )
        gl.glBindFramebuffer(GL_FRAMEBUFFER, self.defaultFramebufferObject())
        gl.glViewport(0, 0, out_width, out_height)

    def _fail(self, reason: str) -> None:
        self._ready = False
        if not self._failure:
            self._failure = reason or "OpenGL failed"
            # Not from inside initializeGL or paintGL: the receiver replaces (and deletes) this widget.
            QTimer.singleShot(0, self, lambda: self.failed.emit(self._failure))

    def _aspect(self) -> float:
        return self.width() / self.height() if self.height() > 0 else 1.0
