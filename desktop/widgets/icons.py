"""Icons drawn in code (swatches, status marks): painted at 1x and 2x, so they stay sharp on HiDPI screens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap


def painted_icon(side: int, paint: Callable[[QPainter], None], *, same_when_selected: bool = False) -> QIcon:
    """An icon of `side` logical pixels that `paint(painter)` draws in a `side` x `side` square.
    `same_when_selected`: a selected row shows it unchanged (a colour stays itself) instead of tinted."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(side * scale, side * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        paint(painter)
        painter.end()
        icon.addPixmap(pixmap)
        if same_when_selected:
            icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon
