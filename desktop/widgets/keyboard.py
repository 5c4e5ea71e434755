"""Keyboard reach: the order Tab moves the focus in, set to the order the eye reads a screen."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtWidgets import QWidget


def tab_order(*widgets: QWidget) -> None:
    """Tab goes from each widget to the next (hidden or disabled ones are skipped when it is pressed)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)
