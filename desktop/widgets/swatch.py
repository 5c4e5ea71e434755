"""A filament colour: a filled circle with an outline that shows on any background, or a dashed ring when the
colour is unknown."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from desktop.widgets import colours
from desktop.widgets.icons import painted_icon


def parse_hex(code: str) -> QColor | None:
    """`#RRGGBB` or `#RRGGBBAA` (as core stores it) -> a QColor; anything else -> None."""
    code = (code or "").strip()
    if len(code) not in (7, 9) or not code.startswith("#"):
        return None
    try:
        red, green, blue = (int(code[i : i + 2], 16) for i in (1, 3, 5))
        alpha = int(code[7:9], 16) if len(code) == 9 else 255
    except ValueError:
        return None
    return QColor(red, green, blue, alpha)


def paint_swatch(painter: QPainter, rect: QRectF, code: str, palette: QPalette) -> None:
    """Paint the swatch for colour `code` centred in `rect`."""
    side = min(rect.width(), rect.height()) - 2
    circle = QRectF(0, 0, side, side)
    circle.moveCenter(rect.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = parse_hex(code)
    if colour is None:
        pen = QPen(colours.muted(palette), 1.2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(circle.adjusted(1, 1, -1, -1))
        painter.setPen(colours.muted(palette))
        font = painter.font()
        font.setPixelSize(max(8, int(side * 0.5)))
        painter.setFont(font)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, "?")
    else:
        if colour.alpha() < 255:  # translucent filament: a checker behind it, so it reads as see-through
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(200, 200, 200)))
            painter.drawEllipse(circle)
            painter.setBrush(QBrush(QColor(255, 255, 255)))
            painter.drawPie(circle, 0, 90 * 16)
            painter.drawPie(circle, 180 * 16, 90 * 16)
        painter.setBrush(QBrush(colour))
        painter.setPen(QPen(colours.outline(palette), 1))
        painter.drawEllipse(circle.adjusted(0.5, 0.5, -0.5, -0.5))
        # a soft highlight, so a swatch looks like a thing and not a hole
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(255, 255, 255, 60)))
        highlight = QRectF(0, 0, side * 0.32, side * 0.32)
        highlight.moveCenter(QPointF(circle.left() + side * 0.34, circle.top() + side * 0.32))
        painter.drawEllipse(highlight)
    painter.restore()


@lru_cache(maxsize=512)
def _swatch_icon(code: str, side: int, dark: bool) -> QIcon:
    palette = QApplication.palette()
    return painted_icon(
        side,
        lambda painter: paint_swatch(painter, QRectF(0, 0, side, side), code, palette),
        same_when_selected=True,  # a colour stays itself on a selected row
    )


def swatch_icon(code: str, side: int = 16) -> QIcon:
    """An icon of the swatch (for item views and combo boxes), sharp on HiDPI screens."""
    return _swatch_icon(code or "", side, colours.is_dark(QApplication.palette()))


class ColourSwatch(QWidget):
    """A swatch as a widget (in dialogs), with its colour as the accessible description."""

    def __init__(self, code: str = "", side: int = 24, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""
        self._side = side
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set_colour(code)

    def set_colour(self, code: str) -> None:
        self._code = code or ""
        self.setAccessibleDescription(self._code or self.tr("No colour"))
        self.update()

    def colour(self) -> str:
        return self._code

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_swatch(painter, QRectF(self.rect()), self._code, self.palette())
