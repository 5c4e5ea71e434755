"""The sync panel: where sync stands, when it last went through, how many changed rows wait to go up, and the
rows the service refused (table, id and its reason), with "Sync now" and the way to the account dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.sync.controller import SyncController
from desktop.sync.status import colour_of, describe, dot, short_time
from sync.client.engine import pending_count, rejected_rows
from sync.client.runner import Status


class SyncPanel(QDialog):
    open_account = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(self.tr("Sync"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        state_row = QHBoxLayout()
        self.dot = QLabel()
        self.dot.setAccessibleName(self.tr("Sync state colour"))
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setAccessibleName(self.tr("Sync state"))
        state_row.addWidget(self.dot)
        state_row.addWidget(self.state, 1)
        self.account = QLabel()
        self.account.setAccessibleName(self.tr("Account"))
        self.account.setTextFormat(Qt.TextFormat.PlainText)
        self.last = QLabel()
        self.last.setAccessibleName(self.tr("Last synced"))
        self.pending = QLabel()
        self.pending.setAccessibleName(self.tr("Changes waiting to go up"))
        form.addRow(self.tr("State:"), state_row)
        form.addRow(self.tr("Account:"), self.account)
        form.addRow(self.tr("Last synced:"), self.last)
        form.addRow(self.tr("Waiting to go up:"), self.pending)
        layout.addLayout(form)

        self.refused_label = QLabel(
            self.tr(
                "Refused by the &service (a record goes again once it is changed, or with the button below):"
            )
        )
        self.refused = QTableWidget(0, 3)
        self.refused.setHorizontalHeaderLabels([self.tr("Table"), self.tr("Id"), self.tr("Reason")])
        self.refused.setAccessibleName(self.tr("Changes the service refused"))
        self.refused.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.refused.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.refused.verticalHeader().hide()
        header = self.refused.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.refused_label.setBuddy(self.refused)
        self.no_refused = QLabel(self.tr("The service took every change."))
        layout.addWidget(self.refused_label)
        layout.addWidget(self.refused, 1)
        layout.addWidget(self.no_refused)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.sync_now = QPushButton(self.tr("Sync &now"))
        self.sync_now.setAccessibleName(self.tr("Sync now"))
        self.sync_now.clicked.connect(controller.sync_now)
        self.retry = QPushButton(self.tr("Send &refused again"))
        self.retry.setAccessibleName(self.tr("Send the refused changes again"))
        self.retry.clicked.connect(controller.retry_refused)
        self.account_button = QPushButton(self.tr("&Account…"))
        self.account_button.setAccessibleName(self.tr("Open the account dialog"))
        self.account_button.clicked.connect(self.open_account.emit)
        buttons.addButton(self.retry, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.sync_now, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.account_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        controller.status_changed.connect(self._status_changed)
        controller.session_changed.connect(lambda: self._status_changed(controller.status))
        self.show_status(controller.status)

    def _status_changed(self, status: Status) -> None:
        if self.isVisible():  # a hidden panel reads nothing; it is brought up to date when opened
            self.show_status(status)

    def show_status(self, status: Status) -> None:
        ws = self.controller.workspace
        self.dot.setPixmap(dot(colour_of(status, self.palette())))
        text = describe(status)
        if status.message and status.message not in text:
            text = self.tr("{state}. {details}").format(state=text, details=status.message)
        self.state.setText(text)
        if self.controller.signed_in:
            self.account.setText(self.controller.email or self.tr("signed in"))
        elif self.controller.folder_has_account:
            self.account.setText(self.tr("signed out (this data folder belongs to an account)"))
        else:
            self.account.setText(self.tr("nobody signed in"))
        last = status.last_synced_at
        self.last.setText(
            short_time(last) if last is not None else self.tr("not yet, since Printstall started")
        )
        waiting = pending_count(ws)
        self.pending.setText(self.tr("{count} changed row(s)").format(count=waiting))
        rows = rejected_rows(ws)
        self.refused.setRowCount(len(rows))
        for index, row in enumerate(rows):
            for column, value in enumerate((row.table, row.id, row.reason)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.refused.setItem(index, column, item)
        self.refused.setVisible(bool(rows))
        self.refused_label.setVisible(bool(rows))
        self.no_refused.setVisible(not rows)
        self.retry.setVisible(bool(rows))
        self.retry.setEnabled(self.controller.signed_in)
        self.sync_now.setEnabled(self.controller.signed_in)
        self.account_button.setText(
            self.tr("&Account…") if self.controller.signed_in else self.tr("&Sign in…")
        )
        self.account_button.setAccessibleName(self.account_button.text().replace("&", "").rstrip("…"))

    def refused_rows(self) -> list[tuple[str, ...]]:
        """What the table lists, row by row."""
        rows = []
        for row in range(self.refused.rowCount()):
            cells = [self.refused.item(row, column) for column in range(3)]
            rows.append(tuple(cell.text() if cell is not None else "" for cell in cells))
        return rows
