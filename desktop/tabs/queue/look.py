"""How the queue shows a job's state and its times: status icons drawn in code (crisp at any scale, a shape
per state so colour is never the only cue), status colours from the palette, durations and clock times."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from PySide6.QtCore import QCoreApplication, QLocale, QPointF, QRectF, Qt, QTime
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication

from desktop.widgets import colours
from desktop.widgets.icons import painted_icon


def tr(text: str) -> str:
    return QCoreApplication.translate("QueueTab", text)


# Colour words -> a code for a swatch, for requirements that name a colour without giving its code.
_NAMED = {
    "black": "#1A1A1A", "white": "#F5F5F5", "grey": "#8A8A8A", "gray": "#8A8A8A", "silver": "#C0C0C0",
    "gold": "#D4AF37", "red": "#D32F2F", "orange": "#F28C28", "yellow": "#FBC02D", "green": "#388E3C",
    "blue": "#1976D2", "purple": "#7B1FA2", "pink": "#EC407A", "brown": "#6D4C41", "beige": "#E8D9B5",
    "natural": "#EFE6D0",
}  # fmt: skip


def colour_code(code: str, name: str) -> str:
    """`code` when there is one, else the code of the last colour word in `name`, else an empty string."""
    if code:
        return code
    words = [w for w in name.casefold().replace("-", " ").split() if w in _NAMED]
    return _NAMED[words[-1]] if words else ""


def status_colour(status: str, palette: QPalette) -> QColor:
    dark = colours.is_dark(palette)
    if status == "printing":
        return QColor("#64b5f6") if dark else QColor("#1565c0")
    if status == "done":
        return colours.ok(palette)
    if status == "failed":
        return colours.danger(palette)
    return colours.muted(palette)  # queued, cancelled


def status_text(status: str) -> str:
    return {
        "queued": tr("Queued"),
        "printing": tr("Printing"),
        "done": tr("Done"),
        "failed": tr("Failed"),
        "cancelled": tr("Cancelled"),
    }.get(status, status)


def _paint_status(painter: QPainter, side: float, status: str, colour: QColor) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    circle = QRectF(1, 1, side - 2, side - 2)
    white = QColor(255, 255, 255)
    if status == "queued":  # a clock face: waiting its turn
        painter.setPen(QPen(colour, 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(circle.adjusted(0.5, 0.5, -0.5, -0.5))
        centre = circle.center()
        painter.drawLine(centre, QPointF(centre.x(), circle.top() + side * 0.25))
        painter.drawLine(centre, QPointF(circle.right() - side * 0.27, centre.y()))
        return
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(circle)
    pen = QPen(white, side * 0.12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    s = side
    if status == "printing":  # a play triangle
        path = QPainterPath(QPointF(s * 0.40, s * 0.30))
        path.lineTo(QPointF(s * 0.72, s * 0.50))
        path.lineTo(QPointF(s * 0.40, s * 0.70))
        path.closeSubpath()
        painter.setBrush(white)
        painter.drawPath(path)
    elif status == "done":  # a tick
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath(QPointF(s * 0.30, s * 0.52))
        path.lineTo(QPointF(s * 0.44, s * 0.66))
        path.lineTo(QPointF(s * 0.71, s * 0.36))
        painter.drawPath(path)
    elif status == "failed":  # a cross
        painter.setPen(pen)
        painter.drawLine(QPointF(s * 0.34, s * 0.34), QPointF(s * 0.66, s * 0.66))
        painter.drawLine(QPointF(s * 0.66, s * 0.34), QPointF(s * 0.34, s * 0.66))
    else:  # cancelled: a bar
        painter.setPen(pen)
        painter.drawLine(QPointF(s * 0.30, s * 0.5), QPointF(s * 0.70, s * 0.5))


@lru_cache(maxsize=32)
def _status_icon(status: str, rgba: int, side: int) -> QIcon:
    return painted_icon(side, lambda painter: _paint_status(painter, side, status, QColor.fromRgba(rgba)))


def status_icon(status: str, side: int = 16) -> QIcon:
    return _status_icon(status, status_colour(status, QApplication.palette()).rgba(), side)


def duration(seconds: int | None) -> str:
    """'45 min', '1 h 30 min', '26 h'; an unknown time as a dash."""
    if seconds is None:
        return "\u2014"
    minutes = max(0, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return tr("{m} min").format(m=minutes)
    if not minutes or hours >= 24:
        return tr("{h} h").format(h=hours)
    return tr("{h} h {m} min").format(h=hours, m=minutes)


def when(moment: datetime, now: datetime) -> str:
    """A clock time in the user's time zone, with the day when it is not today: '14:30', 'tomorrow 09:10',
    'Thu 09:10', '12 Dec 09:10'."""
    local, today = moment.astimezone(), now.astimezone()
    locale = QLocale()
    clock = locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    days = (local.date() - today.date()).days
    if days == 0:
        return clock
    if days == 1:
        return tr("tomorrow {time}").format(time=clock)
    if days == -1:
        return tr("yesterday {time}").format(time=clock)
    if 1 < days < 7:
        return tr("{day} {time}").format(
            day=locale.dayName(local.isoweekday(), QLocale.FormatType.ShortFormat), time=clock
        )
    return tr("{day} {month} {time}").format(
        day=local.day, month=locale.monthName(local.month, QLocale.FormatType.ShortFormat), time=clock
    )


def until(moment: datetime, now: datetime) -> str:
    """'in 1 h 10 min' or '20 min ago'."""
    delta = moment - now
    if delta >= timedelta(0):
        return tr("in {time}").format(time=duration(int(delta.total_seconds())))
    return tr("{time} ago").format(time=duration(int(-delta.total_seconds())))
