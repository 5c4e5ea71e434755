"""The viewer's colours, shared by the OpenGL view and the CPU fallback so that both look alike."""

from __future__ import annotations

from PySide6.QtGui import QColor

from core.render.thumbnail import DEFAULT_COLOR

MODEL_COLOR = QColor(*DEFAULT_COLOR)  # the app's orange, #F28C28, as in the thumbnails
BACKGROUND_TOP = QColor("#4a5160")
BACKGROUND_BOTTOM = QColor("#1f2329")
GRID_COLOR = QColor(210, 218, 230, 60)  # minor lines; major lines are drawn about twice as strong


def linear(color: QColor) -> tuple[float, float, float]:
    """The colour in linear light (the shaders light in linear and encode to sRGB at the end)."""
    return (color.redF() ** 2.2, color.greenF() ** 2.2, color.blueF() ** 2.2)
