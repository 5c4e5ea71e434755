"""The viewer without OpenGL: the CPU renderer's picture (core.render.thumbnail) in a QLabel.

Dragging turns the model, as in the OpenGL view (the same mouse handling: desktop.viewer.navigation); the
picture is drawn again when the drag pauses or ends and when the label changes size (a million triangles take
about half a second on the CPU, so not on every mouse move). Panning, zooming and smooth shading have no
effect here; the picture is always fitted and flat-shaded.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from core.render.thumbnail import render_thumbnail
from desktop.viewer.camera import (
    DEFAULT_AZIMUTH_DEG,
    DEFAULT_ELEVATION_DEG,
    MAX_ELEVATION_DEG,
    ORBIT_DEG_PER_PIXEL,
)
from desktop.viewer.look import BACKGROUND_BOTTOM, BACKGROUND_TOP
from desktop.viewer.navigation import MouseNavigation

log = logging.getLogger(__name__)

MIN_PICTURE, MAX_PICTURE = 64, 1024  # pixels on a side
REDRAW_DELAY_MS = 120


class ImageView(MouseNavigation, QLabel):
    """Shows the mesh as a CPU-rendered picture, centred on the viewer's background gradient."""

    pans = False  # every drag turns the model

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setWordWrap(True)
        self.setStyleSheet(
            "QLabel { color: #d8dde6; background: qlineargradient(x1:0, y1:0, x2:0, y2:1, "
            f"stop:0 {BACKGROUND_TOP.name()}, stop:1 {BACKGROUND_BOTTOM.name()}); }}"
        )
        self.azimuth_deg = DEFAULT_AZIMUTH_DEG
        self.elevation_deg = DEFAULT_ELEVATION_DEG
        self.image: QImage | None = None  # the last picture drawn
        self._triangles: npt.NDArray[np.float32] | None = None
        self._drawn_size = 0
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(REDRAW_DELAY_MS)
        self._redraw.timeout.connect(self.draw)

    def set_mesh(self, triangles: npt.NDArray[np.float32]) -> None:
        self._triangles = triangles
        self.azimuth_deg, self.elevation_deg = DEFAULT_AZIMUTH_DEG, DEFAULT_ELEVATION_DEG
        self.draw()

    def reset(self) -> None:
        self.azimuth_deg, self.elevation_deg = DEFAULT_AZIMUTH_DEG, DEFAULT_ELEVATION_DEG
        self.draw()

    def orbit(self, dx: float, dy: float) -> None:
        self.azimuth_deg = (self.azimuth_deg - dx * ORBIT_DEG_PER_PIXEL + 180.0) % 360.0 - 180.0
        elevation = self.elevation_deg + dy * ORBIT_DEG_PER_PIXEL
        self.elevation_deg = max(-MAX_ELEVATION_DEG, min(MAX_ELEVATION_DEG, elevation))
        self._redraw.start()

    def pan(self, dx: float, dy: float) -> None:
        """Nothing: the picture is always fitted."""

    def zoom(self, steps: float, at: QPointF | None = None) -> None:
        """Nothing: the picture is always fitted."""

    def fit(self) -> None:
        self.draw()

    def drag_finished(self) -> None:
        self.draw()

    def flush(self) -> None:
        """Draw now if a redraw is waiting (after a resize or a drag)."""
        if self._redraw.isActive():
            self.draw()

    def draw(self) -> None:
        """Render the picture now, at the label's size (never raises: a failure is shown as text)."""
        self._redraw.stop()
        if self._triangles is None:
            return
        ratio = self.devicePixelRatioF()
        side = int(min(self.width(), self.height()) * ratio * 0.96)
        side = max(MIN_PICTURE, min(MAX_PICTURE, side))
        try:
            picture = render_thumbnail(
                self._triangles, side, azimuth_deg=self.azimuth_deg, elevation_deg=self.elevation_deg
            )
        except ValueError:
            self._show_text(self.tr("This model has no triangles to show."))
            return
        except Exception:  # a preview must never take the window down
            log.exception("the CPU preview failed")
            self._show_text(self.tr("The preview cannot be drawn."))
            return
        rgba = np.ascontiguousarray(np.asarray(picture.convert("RGBA")))
        image = QImage(rgba.data, side, side, side * 4, QImage.Format.Format_RGBA8888).copy()
        image.setDevicePixelRatio(ratio)
        self.image = image
        self._drawn_size = side
        self.setPixmap(QPixmap.fromImage(image))

    def _show_text(self, text: str) -> None:
        self.image = None
        self.clear()
        self.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        side = int(min(event.size().width(), event.size().height()) * self.devicePixelRatioF() * 0.96)
        if self._triangles is not None and abs(min(side, MAX_PICTURE) - self._drawn_size) > 8:
            self._redraw.start()
