"""A strip that says what was just done (a deletion) and offers to undo it, or a next step, then goes away by
itself."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

SHOWN_MS = 20_000


class UndoBar(QFrame):
    """`show_message("Deleted MK4.", undo)`: Undo (or Ctrl+Z inside `scope`) calls `undo` once.
    `show_message("Added PLA.", add_spool, action_text="Add a spool…")` offers a next step instead (not on
    Ctrl+Z)."""

    def __init__(self, scope: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Last change"))
        self.message = QLabel()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_button = QPushButton(self.tr("U&ndo"))
        self.undo_button.setAccessibleName(self.tr("Undo the last change"))
        self.undo_button.clicked.connect(self.undo)
        close = QToolButton()
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss"))
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(close)
        self._undo: Callable[[], object] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        shortcut = QShortcut(QKeySequence.StandardKey.Undo, scope)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self._undo_key)
        self._is_undo = False
        self.hide()

    def show_message(
        self, text: str, undo: Callable[[], object] | None = None, *, action_text: str | None = None
    ) -> None:
        self.message.setText(text)
        self._undo = undo
        self._is_undo = action_text is None
        self.undo_button.setText(action_text or self.tr("U&ndo"))
        self.undo_button.setAccessibleName(
            action_text.replace("&", "") if action_text else self.tr("Undo the last change")
        )
        self.undo_button.setVisible(undo is not None)
        self.show()
        self._timer.start(SHOWN_MS)

    def _undo_key(self) -> None:
        if self._is_undo and self.isVisible():
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
        self.hide()
