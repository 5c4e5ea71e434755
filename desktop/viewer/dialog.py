"""The preview window: a non-modal dialog with a ModelViewer and its toolbar (fit, reset, smooth shading)."""

from __future__ import annotations

import numpy.typing as npt

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QSizePolicy, QToolBar, QVBoxLayout, QWidget

from desktop.viewer.widget import ModelViewer

_open: set[QDialog] = set()  # dialogs without a parent stay alive while they are open


class PreviewDialog(QDialog):
    def __init__(self, parent: QWidget | None, triangles: npt.ArrayLike, title: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("3D preview"))
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 680)
        self.viewer = ModelViewer(self)

        toolbar = QToolBar(self.tr("View"), self)
        toolbar.setAccessibleName(self.tr("View controls"))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.fit_action = self._action(self.tr("&Fit"), "F", self.tr("Fit the model in view (F)"))
        self.fit_action.triggered.connect(self.viewer.fit)
        self.reset_action = self._action(
            self.tr("&Reset view"), "R", self.tr("Back to the 3/4 view (R or Home)")
        )
        self.reset_action.triggered.connect(self.viewer.reset)
        self.smooth_action = self._action(
            self.tr("&Smooth shading"), "S", self.tr("Smooth or flat shading (S)")
        )
        self.smooth_action.setCheckable(True)
        self.smooth_action.toggled.connect(self.viewer.set_smooth)
        self.viewer.smooth_changed.connect(self.smooth_action.setChecked)
        for action in (self.fit_action, self.reset_action, self.smooth_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.hint = QLabel()
        toolbar.addWidget(self.hint)
        self._update_for_backend()
        self.viewer.fallback_started.connect(lambda _reason: self._update_for_backend())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.viewer, 1)
        self.viewer.set_mesh(triangles)
        self.viewer.setFocus()

    def _action(self, text: str, key: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _update_for_backend(self) -> None:
        if self.viewer.uses_opengl:
            self.hint.setText(self.tr("Drag: turn · Right-drag: move · Wheel: zoom  "))
            self.smooth_action.setEnabled(True)
        else:
            self.hint.setText(self.tr("Drag: turn (no OpenGL: a still picture)  "))
            self.hint.setToolTip(self.viewer.fallback_reason)
            self.smooth_action.setEnabled(False)
        self.hint.setAccessibleName(self.hint.text())


def show_preview(parent: QWidget | None, triangles: npt.ArrayLike, title: str | None = None) -> PreviewDialog:
    """Open a non-modal preview window of `triangles` ((n, 3, 3) in mm) and return it (already shown)."""
    dialog = PreviewDialog(parent, triangles, title)
    if parent is None:
        _open.add(dialog)
        dialog.finished.connect(lambda _result: _open.discard(dialog))
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
