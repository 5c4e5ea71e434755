"""How much is left of something (filament on a spool): a bar of remaining over initial, with its text
beside it.

The text is never painted over the fill, so it stays readable whatever the bar's colour."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.widgets import colours

BAR_HEIGHT = 8


def fraction(remaining: int, initial: int) -> float:
    if initial <= 0:
        return 0.0
    return max(0.0, min(1.0, remaining / initial))


def paint_bar(
    painter: QPainter,
    rect: QRectF,
    share: float,
    palette: QPalette,
    *,
    low: bool = False,
    selected: bool = False,
) -> None:
    """The bar alone, vertically centred in `rect`: a track, and a fill of `share` (0 to 1). On a selected row
    the fill takes the highlighted-text colour, so it shows against the selection."""
    track = QRectF(rect.left(), rect.center().y() - BAR_HEIGHT / 2, rect.width(), BAR_HEIGHT)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colours.outline(palette), 1))
    track_colour = palette.color(QPalette.ColorRole.Base)
    if selected:
        track_colour = palette.color(QPalette.ColorRole.Highlight).darker(130)
    painter.setBrush(QBrush(track_colour))
    painter.drawRoundedRect(track.adjusted(0.5, 0.5, -0.5, -0.5), BAR_HEIGHT / 2, BAR_HEIGHT / 2)
    if share > 0:
        fill = QRectF(track)
        fill.setWidth(max(BAR_HEIGHT, track.width() * share))
        colour = colours.warning(palette) if low else palette.color(QPalette.ColorRole.Highlight)
        if selected:
            colour = palette.color(QPalette.ColorRole.HighlightedText)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawRoundedRect(fill.adjusted(1, 1, -1, -1), (BAR_HEIGHT - 2) / 2, (BAR_HEIGHT - 2) / 2)
    painter.restore()


def paint_bar_with_text(
    painter: QPainter,
    rect: QRectF,
    share: float,
    text: str,
    palette: QPalette,
    *,
    low: bool = False,
    text_colour: QColor | None = None,
    text_width: int = 0,
    selected: bool = False,
) -> None:
    """The bar on the left and `text` right-aligned in a column of `text_width` (or the text's width)."""
    metrics = QFontMetrics(painter.font())
    width = max(text_width, metrics.horizontalAdvance(text)) + 8
    bar_rect = QRectF(rect.left(), rect.top(), max(24.0, rect.width() - width), rect.height())
    paint_bar(painter, bar_rect, share, palette, low=low, selected=selected)
    painter.save()
    colour = text_colour or (colours.warning(palette) if low else palette.color(QPalette.ColorRole.Text))
    painter.setPen(colour)
    text_rect = QRectF(bar_rect.right() + 8, rect.top(), rect.right() - bar_rect.right() - 8, rect.height())
    painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
    painter.restore()


class WeightBar(QWidget):
    """A bar widget with its text, e.g. "640 g of 1,000 g"; the text is also its accessible description."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._share = 0.0
        self._text = ""
        self._low = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, remaining: int, initial: int, text: str, *, low: bool = False) -> None:
        self._share = fraction(remaining, initial)
        self._text = text
        self._low = low
        self.setAccessibleDescription(text)
        self.update()

    def text(self) -> str:
        return self._text

    def sizeHint(self) -> QSize:
        return QSize(220, max(BAR_HEIGHT + 8, self.fontMetrics().height() + 4))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_bar_with_text(
            painter, QRectF(self.rect()), self._share, self._text, self.palette(), low=self._low
        )
