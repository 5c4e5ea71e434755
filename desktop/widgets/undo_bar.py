"""Strips under a list that say what was just done: `MessageBar` until it is dismissed or replaced, `UndoBar`
with a button to undo it (or a next step) that goes away by itself."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from desktop.widgets import colours
from desktop.widgets.actions import tab_action

SHOWN_MS = 20_000


class MessageBar(QFrame):
    """`show_message("Started Dragon.")`: one message (in the error colour with `error=True`) and a button
    that dismisses it."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(accessible_name)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("\u2715")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss the message"))
        self.close_button.clicked.connect(self.dismiss)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(8, 4, 4, 4)
        self.row.addWidget(self.message, 1)
        self.row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, *, error: bool = False) -> None:
        palette = self.message.palette()
        base = self.palette()
        palette.setColor(
            QPalette.ColorRole.WindowText,
            colours.danger(base) if error else base.color(QPalette.ColorRole.WindowText),
        )
        self.message.setPalette(palette)
        self.message.setText(text)
        self.show()

    def dismiss(self) -> None:
        self.hide()


class UndoBar(MessageBar):
    """`show_message("Deleted MK4.", undo)`: Undo (or Ctrl+Z inside `scope`, the action `undo_action`) calls
    `undo` once. `show_message("Added PLA.", add_spool, action_text="Add a spool…")` offers a next step
    instead (not on Ctrl+Z). Without a `scope` the owner handles Ctrl+Z itself."""

    def __init__(self, scope: QWidget | None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Last change"), parent)
        self.undo_button = QPushButton(self.tr("U&ndo"))
        self.undo_button.setAccessibleName(self.tr("Undo the last change"))
        self.undo_button.clicked.connect(self.undo)
        self.row.insertWidget(1, self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        self._undo: Callable[[], object] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self._is_undo = False
        self.undo_action: QAction | None = None
        if scope is not None:
            self.undo_action = tab_action(
                scope,
                self.tr("U&ndo"),
                QKeySequence.StandardKey.Undo,
                self._undo_key,
                self.tr("Undo the last change"),
            )
            self.undo_action.setEnabled(False)

    def show_message(
        self,
        text: str,
        undo: Callable[[], object] | None = None,
        *,
        action_text: str | None = None,
        error: bool = False,
    ) -> None:
        super().show_message(text, error=error)
        self._undo = undo
        self._is_undo = action_text is None
        self.undo_button.setText(action_text or self.tr("U&ndo"))
        self.undo_button.setAccessibleName(
            action_text.replace("&", "") if action_text else self.tr("Undo the last change")
        )
        self.undo_button.setVisible(undo is not None)
        if self.undo_action is not None:
            self.undo_action.setEnabled(self._is_undo and undo is not None)
        self._timer.start(SHOWN_MS)

    def _undo_key(self) -> None:
        if self._is_undo:
            self.undo()

    def undo(self) -> None:
        """Run the offered action (the undo, or the next step) once."""
        action, self._undo = self._undo, None
        self.dismiss()
        if action is not None:
            action()

    def dismiss(self) -> None:
        self._timer.stop()
        self._undo = None
        if self.undo_action is not None:
            self.undo_action.setEnabled(False)
        super().dismiss()
