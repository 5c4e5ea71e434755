"""Actions of a tab: a shortcut that works while the focus is inside the tab, and a tooltip that names it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionEvent, QKeySequence
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


class ActionButton(QToolButton):
    """A text button that follows its action (enabled, text, tooltip) and keeps the action's mnemonic, so
    Alt+letter presses it (a plain QToolButton shows the action's text without it)."""

    def __init__(self, action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDefaultAction(action)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAccessibleName(action.statusTip())
        self.setText(action.text())

    def actionEvent(self, event: QActionEvent) -> None:
        super().actionEvent(event)
        action = self.defaultAction()
        if action is not None and event.action() is action and self.text() != action.text():
            self.setText(action.text())


def action_button(action: QAction) -> QToolButton:
    """A text button for a toolbar row that follows its action."""
    return ActionButton(action)
