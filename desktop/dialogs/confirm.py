"""Asking before an action that cannot be undone: a window-modal question whose answer runs the action."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(
    parent: QWidget,
    title: str,
    text: str,
    yes: str,
    on_yes: Callable[[], object],
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    destructive: bool = False,
    no: str | None = None,
    default_yes: bool = False,
) -> QMessageBox:
    """Open the question (it does not block) and return it; `on_yes()` runs only when the user picks `yes`.
    `no` names the other button (default: Cancel)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    agree = box.addButton(
        yes, QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    if no is None:
        box.addButton(QMessageBox.StandardButton.Cancel)
    else:
        box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    if default_yes:
        box.setDefaultButton(agree)
    box.finished.connect(lambda _result: on_yes() if box.clickedButton() is agree else None)
    box.open()
    return box
