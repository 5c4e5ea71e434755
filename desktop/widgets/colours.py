"""Colours for states (warning, danger, muted text) chosen from the current palette, so they read in light and
dark themes alike."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def warning(palette: QPalette) -> QColor:
    """Text and marks for "running low": amber, dark on light themes and light on dark ones."""
    return QColor("#ffb74d") if is_dark(palette) else QColor("#a35200")


def danger(palette: QPalette) -> QColor:
    """Text for errors and negative stock."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def ok(palette: QPalette) -> QColor:
    return QColor("#81c995") if is_dark(palette) else QColor("#1e7b34")


def warning_background(palette: QPalette) -> QColor:
    """A row tint for low stock that keeps the row's text readable."""
    return QColor(255, 183, 77, 46) if is_dark(palette) else QColor(255, 167, 38, 56)


def muted(palette: QPalette) -> QColor:
    """Secondary text: between the text and the base colour."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(
        (text.red() * 3 + base.red() * 2) // 5,
        (text.green() * 3 + base.green() * 2) // 5,
        (text.blue() * 3 + base.blue() * 2) // 5,
    )


def outline(palette: QPalette) -> QColor:
    """A thin border that shows against the base colour (for white swatches on white, black on black)."""
    return QColor(255, 255, 255, 90) if is_dark(palette) else QColor(0, 0, 0, 70)
