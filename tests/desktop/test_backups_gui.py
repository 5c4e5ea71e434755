"""File ▸ Restore from backup: the list, "Back up now", a restore after a question that says what it does,
every tab refreshed after it; and the daily backup the app makes on its own."""

from __future__ import annotations

import dataclasses
import uuid

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox

from core.services import backups, products
from core.services.ownership import adopt_local_records
from desktop.backups_dialog import EVERY_KIND, HOUR_MS, BackupsDialog, DailyBackup, contents_text
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.tabs.products import ProductsTab
from tests.core.factories import make_shop
from tests.desktop.windows import show_active


def shown_texts(view: QAbstractItemView) -> set[str]:
    model = view.model()
    return {
        str(model.index(row, column).data())
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    }


def answer(box: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    button.click()
    QApplication.processEvents()


def test_the_dialog_lists_backs_up_and_restores_and_every_tab_refreshes(
    qtbot: QtBot, ctx: AppContext
) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    first = backups.create_backup(ws, "daily")
    window = show_active(qtbot, MainWindow(ctx))
    window.backups_action.trigger()
    [dialog] = [d for d in window.findChildren(BackupsDialog) if d.isVisible()]
    assert dialog.list.topLevelItemCount() == 1
    row = dialog.list.topLevelItem(0)
    assert row is not None and row.text(1) == "Daily" and row.text(3) == "1 model, 1 product, 1 spool"

    ctx.ops.run(products.edit_product, ws, shop.product.id, name="Big dragon", changes={"products"})
    goods = window.findChild(ProductsTab)
    assert isinstance(goods, ProductsTab)
    assert "Big dragon" in shown_texts(goods.table)

    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.message.text().startswith("Backed up: 1 model, 1 product, 1 spool (")

    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))  # the older one
    assert dialog.selected() == first
    box = dialog.ask_to_restore()
    assert isinstance(box, QMessageBox)
    assert "The current state is backed up first" in box.text()
    assert "other computers" not in box.text()  # this folder was never signed in
    answer(box, QMessageBox.ButtonRole.RejectRole)
    assert products.get_product(ws, shop.product.id).name == "Big dragon"  # Cancel changed nothing

    box = dialog.ask_to_restore()
    assert isinstance(box, QMessageBox)
    with qtbot.waitSignal(ctx.ops.changed) as changed:
        answer(box, QMessageBox.ButtonRole.DestructiveRole)
    assert changed.args == [EVERY_KIND]
    assert products.get_product(ws, shop.product.id).name == "Dragon keyring"
    assert "Dragon keyring" in shown_texts(goods.table) and "Big dragon" not in shown_texts(goods.table)
    assert dialog.last_result is not None and dialog.last_result.backup == first
    assert "Restored the backup of" in dialog.message.text()
    assert dialog.list.topLevelItemCount() == 3  # with the state before the restore
    assert backups.list_backups(ws)[0].reason == "pre-restore"


def test_on_a_signed_in_folder_the_question_says_the_restore_is_sent_on(
    qtbot: QtBot, ctx: AppContext
) -> None:
    make_shop(ctx.workspace)
    adopt_local_records(ctx.workspace, str(uuid.uuid4()))
    backups.create_backup(ctx.workspace, "manual")
    dialog = show_active(qtbot, BackupsDialog(ctx))
    box = dialog.ask_to_restore()
    assert isinstance(box, QMessageBox)
    assert "sent to your other computers as new edits" in box.text()
    answer(box, QMessageBox.ButtonRole.DestructiveRole)
    assert "other computers" in dialog.message.text()


def test_a_damaged_backup_is_one_sentence_in_the_dialog(qtbot: QtBot, ctx: AppContext) -> None:
    make_shop(ctx.workspace)
    made = backups.create_backup(ctx.workspace, "manual")
    made.path.write_bytes(made.path.read_bytes()[:4096])
    dialog = show_active(qtbot, BackupsDialog(ctx))
    box = dialog.ask_to_restore()
    assert isinstance(box, QMessageBox)
    answer(box, QMessageBox.ButtonRole.DestructiveRole)
    assert dialog.error.isVisible() and "is damaged" in dialog.error.text()
    assert len(backups.list_backups(ctx.workspace)) == 1
    assert dialog.backup_button.isEnabled() and dialog.restore_button.isEnabled()


def test_the_daily_backup_runs_at_start_when_due_and_looks_again_every_hour(ctx: AppContext) -> None:
    daily = DailyBackup(ctx)
    daily.start()  # nothing to keep yet
    assert backups.list_backups(ctx.workspace) == []
    assert daily.timer.isActive() and daily.timer.interval() == HOUR_MS
    make_shop(ctx.workspace)
    daily.check()
    [made] = backups.list_backups(ctx.workspace)
    assert made.reason == "daily"
    daily.check()  # once a day
    assert backups.list_backups(ctx.workspace) == [made]
    daily.timer.stop()


def test_a_backup_made_before_its_contents_were_counted_shows_its_row_count(ctx: AppContext) -> None:
    make_shop(ctx.workspace)
    made = backups.create_backup(ctx.workspace, "manual")
    assert contents_text(made) == "1 model, 1 product, 1 spool"
    older = dataclasses.replace(made, contents={})  # as a manifest of an earlier version reads
    assert contents_text(older) == f"{made.records:,} rows"
