"""Putting a screen up for a test the way a user has it: shown, sized, and the active window (keyboard
shortcuts reach the active window only)."""

from __future__ import annotations

from typing import TypeVar

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def show_active(qtbot: QtBot, widget: W, width: int = 1200, height: int = 800) -> W:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget
