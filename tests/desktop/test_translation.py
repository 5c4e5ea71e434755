"""Every text the window and its forms show goes through Qt's translation: under a pseudo-translation that
brackets every string it is asked for, no label, button, placeholder, tooltip, accessible name or title is
left unbracketed (but data the user typed or chose: the currency code, the data folder)."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QLineEdit, QWidget

from core.services import filament, products
from core.services.labels import label_for_spool
from desktop.backups_dialog import BackupsDialog
from desktop.context import AppContext
from desktop.dialogs.printers import PrinterDialog, PrintersDialog
from desktop.labels import LabelDialog
from desktop.main_window import MainWindow
from desktop.settings_dialog import SettingsDialog
from desktop.sync.account_dialog import AccountDialog
from desktop.sync.controller import SyncController
from desktop.sync.panel import SyncPanel
from desktop.tabs.events.dialogs import EventDialog
from desktop.tabs.filament.dialogs import FilamentDialog, SpoolDialog
from desktop.tabs.products.components import ComponentsDialog
from desktop.tabs.products.dialogs import ProductDialog
from desktop.tabs.queue.dialogs import QueueJobDialog
from desktop.tabs.queue.filament_plan import FilamentPlanDialog

OPEN, CLOSE = "\u27e6", "\u27e7"


class PseudoTranslator(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        return f"{OPEN}{source}{CLOSE}"

    def isEmpty(self) -> bool:
        return False


def untranslated(root: QWidget, data: set[str]) -> list[str]:
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        shown = {
            "text": widget.text() if isinstance(widget, QLabel | QAbstractButton) else "",
            "placeholder": widget.placeholderText() if isinstance(widget, QLineEdit) else "",
            "tooltip": widget.toolTip(),
            "accessible name": widget.accessibleName(),
            "accessible description": widget.accessibleDescription(),
            "title": widget.windowTitle() if widget.isWindow() else "",
        }
        for what, text in shown.items():
            if re.search(r"[^\W\d_]", text) and OPEN not in text and text not in data:
                found.append(f"{type(widget).__name__} {what}: {text!r}")
    return found


def test_every_text_in_the_window_and_its_forms_is_translatable(
    qtbot: QtBot, ctx: AppContext, pseudo: None
) -> None:
    data = {"EUR", str(ctx.workspace.data_dir), "#1A1A1A"}  # a currency code, a path, a colour code
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    for index in range(window.tabs.count()):
        window.show_tab(index)
        assert untranslated(window, data) == [], window.tabs.tabText(index)
    fil = filament.add_filament(ctx.workspace, brand="Prusament", material="PLA", colour_name="Black")
    spool = filament.add_spool(ctx.workspace, filament_id=fil.id)
    sync = SyncController(ctx, parent=window)
    forms: list[QDialog] = [
        SettingsDialog(ctx, window),
        BackupsDialog(ctx, window),
        AccountDialog(sync, window),
        SyncPanel(sync, window),
        PrintersDialog(ctx, window),
        PrinterDialog(ctx, None, window),
        FilamentDialog(ctx, None, window),
        SpoolDialog(ctx, None, None, window),
        ProductDialog(ctx, None, window),
        ComponentsDialog(ctx, products.add_product(ctx.workspace, name="Dragon"), window),
        QueueJobDialog(ctx, parent=window),
        FilamentPlanDialog(ctx, window),
        EventDialog(ctx, parent=window),
        LabelDialog(ctx, [label_for_spool(ctx.workspace, spool.id)], window),
    ]
    for form in forms:
        form.show()
        assert untranslated(form, data) == [], type(form).__name__
        form.close()
