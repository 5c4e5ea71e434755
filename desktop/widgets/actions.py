"""Actions of a tab: a shortcut that works while the focus is inside the tab, and a tooltip that names it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton, QWidget

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def tab_action(
    owner: QWidget, text: str, shortcut: Shortcut, slot: Callable[[], object], what: str
) -> QAction:
    """An action on `owner` (a tab): `text` for buttons and menus, `what` for tooltips and screen readers."""
    action = QAction(text, owner)
    tooltip = what
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        tooltip += f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tooltip)
    action.setStatusTip(what)
    action.triggered.connect(lambda _checked=False: slot())
    owner.addAction(action)
    return action


def action_button(action: QAction) -> QToolButton:
    """A text button for a toolbar row that follows its action (enabled, text, tooltip)."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAccessibleName(action.statusTip())
    return button
