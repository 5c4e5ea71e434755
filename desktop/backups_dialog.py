"""File ▸ Restore from backup: the data folder's backups (when, why, size, records), "Back up now", and
"Restore" after a question that says the current state is backed up first (and, on a folder that belongs to
an account, that the restored values go to the other computers as new edits).

Both run through `ctx.ops` (the writer thread); a restore emits `changed` with every kind, so every tab
reloads. The rules of a restore are `core.services.backups`'.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import backups
from core.services.backups import Backup, RestoreResult
from core.workspace import LOCAL_OWNER
from desktop.context import AppContext
from desktop.dialogs.confirm import confirm
from desktop.dialogs.forms import ErrorLabel
from desktop.ops import KINDS

log = logging.getLogger(__name__)

EVERY_KIND = frozenset(KINDS) | {"settings"}  # what a restore may have changed
HOUR_MS = 60 * 60 * 1000


def tr(text: str) -> str:
    return QCoreApplication.translate("BackupsDialog", text)


def reason_text(reason: str) -> str:
    return {
        "daily": tr("Daily"),
        "manual": tr("Made by hand"),
        "pre-migration": tr("Before an upgrade"),
        "pre-restore": tr("Before a restore"),
    }.get(reason, reason)


def when_text(backup: Backup) -> str:
    return backup.created.astimezone().strftime("%Y-%m-%d %H:%M")


def size_text(size: int) -> str:
    return tr("{n} MB").format(n=f"{size / 1_000_000:.1f}")


def contents_text(backup: Backup) -> str:
    """What the backup holds, in the things a maker counts: "40 models, 21 products, 12 spools, 3 events,
    120 sales" (kinds with none left out). A backup with none of them (only filaments and printers, say), or
    made before the counts were kept, shows its row count."""
    words = {
        "models": (tr("1 model"), tr("{n} models")),
        "products": (tr("1 product"), tr("{n} products")),
        "spools": (tr("1 spool"), tr("{n} spools")),
        "market_events": (tr("1 event"), tr("{n} events")),
        "sales": (tr("1 sale"), tr("{n} sales")),
    }
    parts = [
        one if count == 1 else many.format(n=f"{count:,}")
        for table, (one, many) in words.items()
        if (count := backup.contents.get(table, 0))
    ]
    return ", ".join(parts) if parts else tr("{n} rows").format(n=f"{backup.records:,}")


class BackupsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backups: list[Backup] = []
        self.last_result: RestoreResult | None = None
        self.setWindowTitle(self.tr("Restore from backup"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Printstall backs up your data every day, before each upgrade and before a restore. "
                "Restoring brings your records back to how they were in a backup; the current state is "
                "backed up first, so a restore can itself be undone."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.list = QTreeWidget()
        self.list.setAccessibleName(self.tr("Backups"))
        self.list.setRootIsDecorated(False)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHeaderLabels([self.tr("When"), self.tr("Why"), self.tr("Size"), self.tr("Holds")])
        header = self.list.header()
        for column in (0, 1, 2):  # the short columns fit their text; what each backup holds gets the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.list.itemActivated.connect(lambda _item, _column: self.ask_to_restore())
        layout.addWidget(self.list, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        self.error = ErrorLabel()
        layout.addWidget(self.error)

        row = QHBoxLayout()
        self.backup_button = QPushButton(self.tr("&Back up now"))
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(self.tr("&Restore…"))
        self.restore_button.clicked.connect(self.ask_to_restore)
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    # ---------------------------------------------------------------- the list

    def reload(self) -> None:
        selected = self.selected()
        self.backups = backups.list_backups(self.ctx.workspace)
        self.list.clear()
        for backup in self.backups:
            item = QTreeWidgetItem(
                [when_text(backup), reason_text(backup.reason), size_text(backup.size), contents_text(backup)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, backup.name)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, backup.name)
            item.setToolTip(3, item.text(3))
            self.list.addTopLevelItem(item)
        names = [b.name for b in self.backups]
        index = names.index(selected.name) if selected is not None and selected.name in names else 0
        current = self.list.topLevelItem(index)
        if current is not None:
            self.list.setCurrentItem(current)
        self._selection_changed()

    def selected(self) -> Backup | None:
        item = self.list.currentItem()
        if item is None:
            return None
        name = item.data(0, Qt.ItemDataRole.UserRole)
        return next((b for b in self.backups if b.name == name), None)

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _busy(self, busy: bool) -> None:
        self.backup_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected() is not None)

    def _say(self, text: str) -> None:
        self.error.show_error("")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _failed(self, error: PrintstallError) -> None:
        self._busy(False)
        self.message.hide()
        self.error.show_error(str(error))

    # ---------------------------------------------------------------- back up now

    def back_up_now(self) -> None:
        self._busy(True)
        self._say(self.tr("Backing up…"))
        self.ctx.ops.run(
            backups.create_backup,
            self.ctx.workspace,
            "manual",
            on_done=self._backed_up,
            on_error=self._failed,
        )

    def _backed_up(self, made: Backup) -> None:
        self._busy(False)
        self.reload()
        self._say(
            self.tr("Backed up: {contents} ({size}).").format(
                contents=contents_text(made), size=size_text(made.size)
            )
        )

    # ---------------------------------------------------------------- restore

    def signed_in(self) -> bool:
        return self.ctx.workspace.owner_id != LOCAL_OWNER

    def ask_to_restore(self) -> QDialog | None:
        backup = self.selected()
        if backup is None:
            return None
        text = self.tr(
            "Bring your records back to the backup of {when}? The current state is backed up first, so you "
            "can go back to it. Sales, stock and filament use recorded since the backup are kept."
        ).format(when=when_text(backup))
        if self.signed_in():
            text += " " + self.tr(
                "The restored values will be sent to your other computers as new edits at the next sync."
            )
        return confirm(
            self,
            self.tr("Restore from backup"),
            text,
            self.tr("Restore"),
            lambda: self.restore(backup),
            destructive=True,
        )

    def restore(self, backup: Backup) -> None:
        self._busy(True)
        self._say(self.tr("Restoring…"))
        self.ctx.ops.run(
            backups.restore_backup,
            self.ctx.workspace,
            backup,
            changes=EVERY_KIND,
            on_done=self._restored,
            on_error=self._failed,
        )

    def _restored(self, result: RestoreResult) -> None:
        self.last_result = result
        self._busy(False)
        self.reload()
        parts = [
            self.tr("Restored the backup of {when}. The state before it was saved as a backup.").format(
                when=when_text(result.backup)
            )
        ]
        if result.missing_files:
            parts.append(
                self.tr("{n} files it names are not on this computer.").format(n=len(result.missing_files))
            )
        if result.signed_in:
            parts.append(self.tr("The restored values go to your other computers at the next sync."))
        self._say(" ".join(parts))


class DailyBackup(QObject):
    """The daily backup: checked when the app starts and every hour, made on the writer thread when due."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.setInterval(HOUR_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()
        self.timer.start()

    def check(self) -> None:
        self.ctx.ops.run(backups.backup_if_due, self.ctx.workspace, on_done=self._done, on_error=self._failed)

    def _done(self, made: Backup | None) -> None:
        if made is not None:
            log.info("daily backup %s (%d records)", made.name, made.records)

    def _failed(self, error: PrintstallError) -> None:
        log.warning("the daily backup failed: %s", error)  # tried again within the hour
