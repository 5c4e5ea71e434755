"""The sync state in the status bar: a coloured dot and a line of text (offline, syncing…, up to date with the
time of the last sync, an error with its reason, or "Sign in to sync"), and a "Sync now" button. Clicking the
text opens the sync panel."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop.sync.controller import SyncController
from desktop.widgets import colours
from sync.client.runner import State, Status

DOT_PX = 10
TEXT_MAX_PX = 420


def short_time(moment: datetime) -> str:
    """11:42, in the user's locale and time zone."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(local.time(), QLocale.FormatType.ShortFormat)


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncStatus", text)


def describe(status: Status) -> str:
    """The line the status bar shows for `status`."""
    last = short_time(status.last_synced_at) if status.last_synced_at is not None else ""
    state = status.state
    if state is State.SIGNED_OUT:
        return _tr("Sign in to sync")
    if state is State.IDLE:
        return _tr("Starting to sync…")
    if state is State.SYNCING:
        return _tr("Syncing…")
    if state is State.UP_TO_DATE:
        if status.rejected:
            return _tr("Synced, {count} change(s) refused").format(count=status.rejected)
        return _tr("Up to date, last synced {time}").format(time=last)
    if state is State.OFFLINE:
        return _tr("Offline, last synced {time}").format(time=last) if last else _tr("Offline")
    return _tr("Sync error: {reason}").format(reason=status.message)


def colour_of(status: Status, palette: QPalette) -> QColor:
    state = status.state
    if state is State.UP_TO_DATE:
        return colours.warning(palette) if status.rejected else colours.ok(palette)
    if state is State.SYNCING or state is State.IDLE:
        return palette.color(QPalette.ColorRole.Highlight)
    if state is State.ERROR:
        return colours.danger(palette)
    return colours.muted(palette)  # offline, signed out


def dot(colour: QColor, size: int = DOT_PX) -> QPixmap:
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(0, 0, size - 1, size - 1)
    painter.end()
    return pixmap


class SyncStatusBar(QWidget):
    """The permanent status-bar widget."""

    open_panel = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setAccessibleName(self.tr("Sync"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.dot = QLabel()
        self.dot.setAccessibleName(self.tr("Sync state colour"))
        self.text = QToolButton()
        self.text.setAutoRaise(True)
        self.text.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.text.setAccessibleName(self.tr("Sync status"))
        self.text.clicked.connect(self.open_panel.emit)
        self.sync_now = QToolButton()
        self.sync_now.setText(self.tr("Sync now"))
        self.sync_now.setAccessibleName(self.tr("Sync now"))
        self.sync_now.setToolTip(self.tr("Sync now (F5)"))
        self.sync_now.clicked.connect(controller.sync_now)
        # Out of the Tab chain, which walks the tab's own controls: from the keyboard, Sync ▸ Sync status…
        # and F5 do what these do.
        for button in (self.text, self.sync_now):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        layout.addWidget(self.sync_now)
        controller.status_changed.connect(self.show_status)
        self.show_status(controller.status)

    def show_status(self, status: Status) -> None:
        text = describe(status)
        shown = self.text.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, TEXT_MAX_PX)
        self.text.setText(shown.replace("&", "&&"))
        details = [text]
        if status.message and status.state in (State.OFFLINE, State.SIGNED_OUT):
            details.append(status.message)
        if status.pending:
            details.append(self.tr("{count} change(s) waiting to go up").format(count=status.pending))
        details.append(self.tr("Click for the sync panel."))
        self.text.setToolTip("\n".join(details))
        self.text.setAccessibleDescription(text)
        self.dot.setPixmap(dot(colour_of(status, self.palette())))
        self.sync_now.setEnabled(self.controller.signed_in and status.state is not State.SYNCING)

    def text_shown(self) -> str:
        """The status line as the user reads it (without the menu-key escaping)."""
        return self.text.text().replace("&&", "&")
