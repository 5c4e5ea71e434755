"""A chart's place on the dashboard: its title, a note, and the chart, or a sentence where there is nothing
to draw yet (or while matplotlib loads).

The panel, not the canvas, takes the keyboard focus: Tab reaches every chart, and a screen reader says its
name and its numbers in words (the accessible description, also the tooltip).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QFocusEvent, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop.widgets import colours


class ChartPanel(QFrame):
    def __init__(self, title: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(accessible_name)
        self.title = QLabel(title)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMargin(16)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.canvas: Any = None  # a FigureCanvasQTAgg, once matplotlib is loaded
        self.data: object = None  # what the canvas shows (a series.*Bars), None before the first drawing
        self.style_key: object = None  # and in which colours
        self.drawings = 0  # how many times the chart was drawn (tests check it is not redrawn for nothing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(2)
        title_row = QVBoxLayout()
        title_row.setSpacing(0)
        title_row.addWidget(self.title)
        title_row.addWidget(self.note)
        layout.addLayout(title_row)
        layout.addWidget(self.pages, 1)
        self._recolour()

    def _recolour(self) -> None:
        palette = self.note.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.muted(self.palette()))
        self.note.setPalette(palette)
        self.message.setPalette(palette)

    def set_canvas(self, canvas: Any) -> None:
        self.canvas = canvas
        self.pages.addWidget(canvas)

    def show_message(self, text: str) -> None:
        """A sentence in place of the chart (nothing to draw, or still loading); it is also the text
        alternative."""
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)
        self.set_summary(text)

    def show_chart(self, summary: str, note: str = "") -> None:
        assert self.canvas is not None
        self.pages.setCurrentWidget(self.canvas)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.set_summary(summary)

    def set_summary(self, text: str) -> None:
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    def showing_chart(self) -> bool:
        return self.canvas is not None and self.pages.currentWidget() is self.canvas

    # ---------------------------------------------------------------- a card, outlined when focused

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        focused = self.hasFocus()
        width = 2.0 if focused else 1.0
        painter.setPen(
            QPen(palette.color(QPalette.ColorRole.Highlight) if focused else colours.outline(palette), width)
        )
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        half = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 6, 6)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()
