"""The mouse of both views (OpenGL and the CPU picture): left drag turns the model, right or middle drag (or
Shift+left) moves it, the wheel zooms towards the cursor, a double click fits it in view.

`MouseNavigation` is a mixin for a QWidget subclass (listed before the Qt class) that has `orbit`, `pan`,
`zoom` and `fit`; it turns mouse events into those calls. `drag_finished()` is called when the button is let
go (the CPU picture draws itself again then).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

DRAG_BUTTONS = (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton)

# For type checkers the mixin is a QWidget (it calls QWidget's handlers); at run time it is a plain class,
# so that the view's one Qt base class stays the only one.
if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class MouseNavigation(_Base):
    """Mouse handlers for a view with `orbit(dx, dy)`, `pan(dx, dy)`, `zoom(steps, at)` and `fit()`."""

    pans = True  # False: every drag turns the model (a view that cannot move it)
    _drag_button: Qt.MouseButton | None = None
    _drag_pan = False
    _last_pos = QPointF()

    def orbit(self, dx: float, dy: float) -> None:
        raise NotImplementedError

    def pan(self, dx: float, dy: float) -> None:
        raise NotImplementedError

    def zoom(self, steps: float, at: QPointF | None = None) -> None:
        raise NotImplementedError

    def fit(self) -> None:
        raise NotImplementedError

    def drag_finished(self) -> None:
        """The mouse button that dragged was let go."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        button = event.button()
        if button not in DRAG_BUTTONS:
            super().mousePressEvent(event)
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._drag_button = button
        self._drag_pan = self.pans and (button != Qt.MouseButton.LeftButton or shift)
        self._last_pos = event.position()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()

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
        if self._drag_button is None or event.button() != self._drag_button:
            super().mouseReleaseEvent(event)
            return
        self._drag_button = None
        self.drag_finished()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        self.fit()
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120 or event.pixelDelta().y() / 40
        if steps and math.isfinite(steps):
            self.zoom(steps, event.position())
        event.accept()
