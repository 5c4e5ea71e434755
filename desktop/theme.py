"""Light and dark themes: Qt's Fusion style with a palette of our own, chosen in the settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = QColor("#F28C28")  # the orange of the thumbnails and the viewer


def _dark() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#2b2d30",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f2023",
        role.AlternateBase: "#26282b",
        role.ToolTipBase: "#3c3f43",
        role.ToolTipText: "#e6e6e6",
        role.Text: "#e6e6e6",
        role.Button: "#34373b",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Highlight: "#c86a12",
        role.HighlightedText: "#ffffff",
        role.Link: "#f5a55a",
        role.PlaceholderText: "#8a8d91",
    }
    for name, value in colours.items():
        palette.setColor(name, QColor(value))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor("#74777b"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor("#74777b"))
    return palette


def _light() -> QPalette:
    palette = QApplication.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#d9731a"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return palette


def apply(app: QApplication, theme: str) -> str:
    """Apply "light", "dark" or "system"; returns the theme in effect ("light" or "dark")."""
    app.setStyle("Fusion")
    if theme == "system":
        scheme = QGuiApplication.styleHints().colorScheme()
        theme = "dark" if scheme == Qt.ColorScheme.Dark else "light"
    app.setPalette(_dark() if theme == "dark" else _light())
    return theme
