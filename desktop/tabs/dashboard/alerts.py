"""The dashboard's alerts as a list: warnings first, then notes, each with its mark and core's sentence.

An alert is about a product (low or oversold stock, its model's licence) or a filament (its spools together
running low); `subject()` says which, so activating the row can show it in its tab.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPalette, QPen

from core.services.reports import Alert
from desktop.widgets import colours
from desktop.widgets.icons import painted_icon
from desktop.widgets.keyed_model import KeyedTableModel

ICON_SIDE = 16


def tr(text: str) -> str:
    return QCoreApplication.translate("dashboard", text)


def ordered(alerts: Sequence[Alert]) -> list[Alert]:
    """Warnings before notes, each in core's order (products, filament, licences)."""
    return sorted(alerts, key=lambda a: a.severity != "warning")


def subject(alert: Alert) -> tuple[str, str]:
    """("product" or "filament", its id): what the alert is about."""
    return ("filament" if alert.kind == "filament_stock" else "product", alert.subject_id)


def where(alert: Alert) -> str:
    return tr("the Filament tab") if subject(alert)[0] == "filament" else tr("the Products tab")


def _mark(colour: QColor, sign: str, triangle: bool) -> QIcon:
    def paint(painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = float(ICON_SIDE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        if triangle:
            path = QPainterPath(QPointF(side / 2, 1))
            path.lineTo(side - 0.5, side - 1.5)
            path.lineTo(0.5, side - 1.5)
            path.closeSubpath()
            painter.drawPath(path)
        else:
            painter.drawEllipse(QRectF(1, 1, side - 2, side - 2))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(10)
        painter.setFont(font)
        painter.setPen(QPen(QColor("#ffffff") if colour.lightnessF() < 0.6 else QColor("#1f1f1f")))
        box = QRectF(0, 3 if triangle else 0, side, side - (3 if triangle else 0))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, sign)

    return painted_icon(ICON_SIDE, paint, same_when_selected=True)


def severity_icon(severity: str, palette: QPalette) -> QIcon:
    """An amber triangle with "!" for a warning, a circle with "i" for a note."""
    if severity == "warning":
        amber = QColor("#ffb74d") if colours.is_dark(palette) else QColor("#e69500")
        return _mark(amber, "!", triangle=True)
    blue = QColor("#6ea8e8") if colours.is_dark(palette) else QColor("#2f6fb3")
    return _mark(blue, "i", triangle=False)


class AlertsModel(KeyedTableModel[Alert]):
    """One column: the alert's sentence, with its severity as an icon and in words for screen readers."""

    def __init__(self, palette: QPalette) -> None:
        super().__init__([tr("Alert")], key=lambda a: f"{a.kind}:{a.subject_id}")
        self.set_palette(palette)

    def set_palette(self, palette: QPalette) -> None:
        """Paint the marks in `palette`'s colours (when first shown: painting them at start-up costs time)."""
        self._palette = QPalette(palette)
        self._icons: dict[str, QIcon] = {}
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def icon(self, severity: str) -> QIcon:
        severity = severity if severity == "warning" else "info"
        if severity not in self._icons:
            self._icons[severity] = severity_icon(severity, self._palette)
        return self._icons[severity]

    def cell(self, item: Alert, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return item.message
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon(item.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tr("{message}\nPress Enter to show it in {where}.").format(
                message=item.message, where=where(item)
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            word = tr("Warning") if item.severity == "warning" else tr("Note")
            return f"{word}: {item.message}"
        return None
