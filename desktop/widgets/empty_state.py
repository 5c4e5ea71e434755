"""What a list shows instead of itself when there is nothing in it: a sentence and, usually, the way out."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.text = QLabel()
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(lambda: self._action() if self._action else None)
        self._action: Callable[[], object] | None = None
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def show_state(
        self, text: str, button_text: str = "", action: Callable[[], object] | None = None
    ) -> None:
        self.text.setText(text)
        self.button.setText(button_text)
        self.button.setVisible(bool(button_text))
        self._action = action
