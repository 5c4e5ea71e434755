"""The row above a tab's list: its action buttons in groups, and the box that filters or searches the list."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QToolButton, QWidget

from desktop.widgets.actions import action_button


def action_row(actions: Sequence[QAction | None]) -> tuple[QHBoxLayout, list[QToolButton]]:
    """A button per action, with a vertical rule where `actions` has None; the caller adds the rest to the
    row. Returns the row and its buttons."""
    row = QHBoxLayout()
    row.setSpacing(4)
    buttons = []
    for action in actions:
        if action is None:
            rule = QFrame()
            rule.setFrameShape(QFrame.Shape.VLine)
            rule.setFrameShadow(QFrame.Shadow.Sunken)
            row.addWidget(rule)
        else:
            buttons.append(action_button(action))
            row.addWidget(buttons[-1])
    return row, buttons


class FilterBox(QLineEdit):
    """A filter or search field: Escape clears it; Down, Enter or Return move to the results (`leave`)."""

    def __init__(
        self,
        placeholder: str,
        accessible_name: str,
        leave: Callable[[], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._leave = leave
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(accessible_name)
        self.setClearButtonEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._leave is not None and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._leave()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)
