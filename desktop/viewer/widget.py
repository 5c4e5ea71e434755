"""ModelViewer: the 3D view of a mesh, drawn with OpenGL where it can be and by the CPU where it cannot.

Which one is decided when the viewer is made (desktop.viewer.probe: the Qt platform and a test context), and
again if OpenGL fails once running (a shader that does not compile): the OpenGL view is then replaced by the
CPU picture, keeping the mesh. Either way the API is the same, and nothing here raises for lack of OpenGL.

Keys (with the viewer focused): F fit, R or Home reset the view, S smooth/flat shading, arrows turn the model
(Shift+arrows move it), + and - zoom. Mouse: left drag turns, right or middle drag (or Shift+left) moves,
the wheel zooms towards the cursor, a double click fits.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import QStackedLayout, QWidget

from desktop.none_guard import protect_none
from desktop.viewer.fallback import ImageView
from desktop.viewer.geometry import clean_triangles
from desktop.viewer.probe import opengl_support

if TYPE_CHECKING:
    from desktop.viewer.gl_view import MeshView

log = logging.getLogger(__name__)

KEY_TURN_PIXELS = 37.5  # one arrow key press turns 15°
KEY_PAN_PIXELS = 30.0


class ModelViewer(QWidget):
    """An interactive view of one triangle mesh ((n, 3, 3) float32, in mm)."""

    smooth_changed = Signal(bool)
    prepared = Signal()  # the model is drawn as asked for now (see `preparing`)
    fallback_started = Signal(str)  # the reason, when the OpenGL view gives way to the CPU picture

    def __init__(self, parent: QWidget | None = None, *, allow_opengl: bool = True) -> None:
        protect_none()  # PySide6 6.12 on Python 3.11 would otherwise abort after a few seconds of turning
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("3D model preview"))
        self.setAccessibleDescription(
            self.tr(
                "Drag to turn the model, right-drag or Shift+drag to move it, scroll to zoom. "
                "F fits the model in view, R resets the view, S switches smooth shading, "
                "arrow keys turn the model, plus and minus zoom."
            )
        )
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._triangles: npt.NDArray[np.float32] | None = None
        self._smooth = False
        self._gl: MeshView | None = None
        self._image: ImageView | None = None
        support = opengl_support() if allow_opengl else None
        self._fallback_reason = support.reason if support is not None else "OpenGL was turned off"
        if support is not None and support.available:
            try:
                # Imported only here: Qt's OpenGL modules need the system's OpenGL libraries to load.
                from desktop.viewer.gl_view import MeshView
            except ImportError as exc:
                self._fallback_reason = f"Qt's OpenGL modules cannot be loaded: {exc}"
            else:
                self._fallback_reason = ""
                self._gl = MeshView(self)
                self._gl.failed.connect(self._use_fallback)
                self._gl.initialised.connect(self._on_gl_initialised)
                self._gl.prepared.connect(self.prepared)
                self._install(self._gl)
        if self._gl is None:
            self._install_fallback()

    # ------------------------------------------------------------------ API

    @property
    def uses_opengl(self) -> bool:
        """True while the OpenGL view is shown, False when the CPU picture is."""
        return self._gl is not None

    @property
    def fallback_reason(self) -> str:
        """Why the CPU picture is shown ("" while OpenGL is used)."""
        return self._fallback_reason

    @property
    def gl_version(self) -> str:
        """The OpenGL version string of the view's context ("" before its first frame, or without OpenGL)."""
        return self._gl.gl_version if self._gl is not None else ""

    @property
    def smooth(self) -> bool:
        return self._smooth

    @property
    def preparing(self) -> bool:
        """Whether the model is still being prepared for drawing (its vertices, smooth normals, or the
        simplified copy drawn while it moves); `prepared` is emitted when that is done."""
        return self._gl is not None and self._gl.preparing

    @property
    def status(self) -> str:
        """What the viewer says about its preparations, such as "Preparing smooth shading…" ("" when it says
        nothing)."""
        return self._gl.status if self._gl is not None else ""

    @property
    def triangle_count(self) -> int:
        return 0 if self._triangles is None else len(self._triangles)

    def set_mesh(self, triangles: npt.ArrayLike) -> None:
        """Show a mesh ((n, 3, 3) in mm; triangles with a non-finite coordinate are left out), framed in the
        default 3/4 view. An empty mesh shows an empty scene (or a message, without OpenGL). A big mesh is
        prepared in the background (see `preparing`): the window does not wait for it."""
        self._triangles = clean_triangles(triangles)
        if self._gl is not None:
            self._gl.set_mesh(self._triangles)
        if self._image is not None:
            self._image.set_mesh(self._triangles)

    def fit(self) -> None:
        """Frame the whole model, keeping the direction of view."""
        if self._gl is not None:
            self._gl.fit()
        elif self._image is not None:
            self._image.fit()

    def reset(self) -> None:
        """Back to the default 3/4 view, fitted."""
        if self._gl is not None:
            self._gl.reset()
        elif self._image is not None:
            self._image.reset()

    def set_smooth(self, smooth: bool) -> None:
        """Smooth (normals averaged over shared vertices) or flat (one normal per triangle) shading. The CPU
        picture is always flat; the setting is kept for when it matters. Smooth normals are computed in the
        background the first time they are asked for: the view shades flat until they are ready."""
        smooth = bool(smooth)
        if self._gl is not None:
            self._gl.set_smooth(smooth)
        if smooth != self._smooth:
            self._smooth = smooth
            self.smooth_changed.emit(smooth)

    def orbit(self, dx_pixels: float, dy_pixels: float) -> None:
        """Turn the model as a mouse drag of that many pixels would."""
        if self._gl is not None:
            self._gl.orbit(dx_pixels, dy_pixels)
        elif self._image is not None:
            self._image.orbit(dx_pixels, dy_pixels)
            self._image.draw()

    def pan(self, dx_pixels: float, dy_pixels: float) -> None:
        if self._gl is not None:
            self._gl.pan(dx_pixels, dy_pixels)

    def zoom(self, steps: float, at: QPointF | None = None) -> None:
        """Zoom in by `steps` wheel notches (negative: out), towards `at` in the viewer's coordinates."""
        if self._gl is not None:
            self._gl.zoom(steps, at)

    def render_image(self) -> QImage:
        """What the viewer shows now, as an image (the OpenGL frame, drawn afresh, or the CPU picture on its
        background)."""
        if self._gl is not None:
            image = self._gl.grabFramebuffer()
            if self._gl.isValid() and not self._gl.failure:
                return image
            self._use_fallback(self._gl.failure or "no OpenGL context could be made for the view")
        assert self._image is not None
        self._image.flush()
        return self._image.grab().toImage()

    # ------------------------------------------------------------- keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = Qt.Key(event.key()), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        arrows = {
            Qt.Key.Key_Left: (-1.0, 0.0),
            Qt.Key.Key_Right: (1.0, 0.0),
            Qt.Key.Key_Up: (0.0, -1.0),
            Qt.Key.Key_Down: (0.0, 1.0),
        }
        if key == Qt.Key.Key_F:
            self.fit()
        elif key in (Qt.Key.Key_R, Qt.Key.Key_Home):
            self.reset()
        elif key == Qt.Key.Key_S:
            self.set_smooth(not self._smooth)
        elif key in arrows and shift:
            dx, dy = arrows[key]
            self.pan(dx * KEY_PAN_PIXELS, dy * KEY_PAN_PIXELS)
        elif key in arrows:
            dx, dy = arrows[key]
            self.orbit(dx * KEY_TURN_PIXELS, dy * KEY_TURN_PIXELS)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.0)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom(-1.0)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # ------------------------------------------------------------- internals

    def _install(self, view: QWidget) -> None:
        view.setAccessibleName(self.accessibleName())
        view.setAccessibleDescription(self.accessibleDescription())
        view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._stack.addWidget(view)
        self._stack.setCurrentWidget(view)
        self.setFocusProxy(view)

    def _install_fallback(self) -> None:
        self._image = ImageView(self)
        self._install(self._image)
        if self._triangles is not None:
            self._image.set_mesh(self._triangles)

    def _on_gl_initialised(self) -> None:
        if self._gl is not None:
            log.debug("viewer: OpenGL %s on %s", self._gl.gl_version, self._gl.gl_renderer)

    def _use_fallback(self, reason: str) -> None:
        """The OpenGL view failed while running: show the CPU picture instead, keeping the mesh."""
        if self._gl is None:
            return
        log.warning("viewer: falling back to the CPU picture: %s", reason)
        had_focus = self._gl.hasFocus()
        gl, self._gl = self._gl, None
        self._fallback_reason = reason
        self._stack.removeWidget(gl)
        gl.hide()
        gl.deleteLater()
        self._install_fallback()
        if had_focus and self._image is not None:
            self._image.setFocus()
        self.fallback_started.emit(reason)
