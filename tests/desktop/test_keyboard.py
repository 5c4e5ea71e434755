"""Keyboard reach and names: every control in every tab and form has a name a screen reader can say, every
Alt+letter means one thing, Ctrl+1 to Ctrl+6 land in each tab ready to work, Tab walks a tab in reading
order, and the common shortcuts do what they say."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

from core.services import events, filament, jobs, library, products
from core.services.labels import label_for_product, label_for_spool
from desktop import main_window
from desktop.backups_dialog import BackupsDialog
from desktop.context import AppContext
from desktop.dialogs.printers import PrinterDialog, PrintersDialog
from desktop.labels import LabelDialog
from desktop.main_window import MainWindow
from desktop.settings_dialog import SettingsDialog
from desktop.sync.account_dialog import AccountDialog
from desktop.sync.controller import SyncController
from desktop.sync.panel import SyncPanel
from desktop.tabs.dashboard import DashboardTab
from desktop.tabs.events import EventsTab
from desktop.tabs.events.dialogs import AddProductDialog, EventDialog
from desktop.tabs.events.packing import TARGET
from desktop.tabs.events.plan import PlanProductionDialog
from desktop.tabs.filament import FilamentTab
from desktop.tabs.filament.dialogs import FilamentDialog, SpoolDialog, UsageDialog, WeighDialog
from desktop.tabs.library import LibraryTab
from desktop.tabs.library.edit_dialog import ModelEditDialog
from desktop.tabs.products import ProductsTab
from desktop.tabs.products.components import ComponentsDialog
from desktop.tabs.products.dialogs import AdjustStockDialog, ProductDialog
from desktop.tabs.queue import QueueTab
from desktop.tabs.queue.dialogs import JobDialog, QueueJobDialog
from desktop.tabs.queue.filament_plan import FilamentPlanDialog
from tests.core.factories import Shop, make_shop
from tests.core.files import write_cube
from tests.desktop.windows import show_active

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
)
PARTS_OF_A_CONTROL = (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractItemView)  # their inner widgets


def open_window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    return show_active(qtbot, MainWindow(ctx), 1300, 850)


def stock_the_shop(ctx: AppContext) -> Shop:
    """A spool, a product with stock, a queued job, an event with a packing list."""
    ws = ctx.workspace
    shop = make_shop(ws)
    products.adjust_stock(ws, shop.product.id, 4)
    jobs.queue_job(ws, shop.variant.id, copies=2, printer_id=shop.printer.id)
    event = events.create_event(ws, name="Christmas market", starts_on="2026-12-12")
    events.set_target(ws, event.id, shop.product.id, 3)
    return shop


def tab_of(window: MainWindow, kind: type[Any]) -> Any:
    found = window.findChild(kind)
    assert isinstance(found, kind)
    return found


def press(qtbot: QtBot, keys: str) -> None:
    """Press `keys` ("Ctrl+2", "Delete", "F2") where the keyboard focus is."""
    *mods, key = keys.split("+")
    modifiers = Qt.KeyboardModifier.NoModifier
    for mod in mods:
        modifiers |= {
            "Ctrl": Qt.KeyboardModifier.ControlModifier,
            "Shift": Qt.KeyboardModifier.ShiftModifier,
        }[mod]
    focus = QApplication.focusWidget()
    assert focus is not None, f"nothing has the focus to press {keys}"
    qtbot.keyClick(focus, getattr(Qt.Key, f"Key_{key}"), modifiers)


def open_dialogs(window: QWidget) -> list[QDialog]:
    return [d for d in window.findChildren(QDialog) if d.isVisible()]


# ---------------------------------------------------------------- names


def unnamed_controls(root: QWidget) -> list[str]:
    """Interactive widgets shown in `root` that have no accessible name, no text with a word in it (a
    symbol such as a cross does not count) and no label pointing at them."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QHeaderView):
            continue
        if not widget.isVisibleTo(root):
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not root and not isinstance(parent, PARTS_OF_A_CONTROL):
            parent = parent.parentWidget()
        if parent is not None and parent is not root and not isinstance(widget, QAbstractSpinBox):
            continue  # a combo box's line edit, a line edit's clear button, a view's scroll buttons
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if widget.accessibleName() or re.search(r"\w", text) or id(widget) in buddies:
            continue
        missing.append(f"{type(widget).__name__} in {type(widget.parentWidget()).__name__} ({text!r})")
    return missing


def every_form(ctx: AppContext, shop: Shop, parent: QWidget) -> list[QDialog]:
    ws = ctx.workspace
    spool = filament.get_spool(ws, shop.spool.id)
    job = jobs.list_jobs(ws)[0]
    event = events.list_events(ws)[0]
    product = products.get_product(ws, shop.product.id)
    sync = SyncController(ctx, parent=parent)
    return [
        SettingsDialog(ctx, parent),
        BackupsDialog(ctx, parent),
        AccountDialog(sync, parent),
        SyncPanel(sync, parent),
        PrintersDialog(ctx, parent),
        PrinterDialog(ctx, shop.printer, parent),
        FilamentDialog(ctx, shop.filament, parent),
        SpoolDialog(ctx, None, shop.filament.id, parent),
        SpoolDialog(ctx, spool, None, parent),
        UsageDialog(ctx, spool, "", parent),
        WeighDialog(ctx, spool, "", parent),
        ProductDialog(ctx, product, parent),
        AdjustStockDialog(ctx, product, parent),
        ComponentsDialog(ctx, product, parent),
        QueueJobDialog(ctx, parent=parent),
        FilamentPlanDialog(ctx, parent),
        JobDialog(ctx, job, "start", parent=parent),
        JobDialog(ctx, job, "fail", parent=parent),
        EventDialog(ctx, event, parent=parent),
        AddProductDialog(ctx, event, set(), parent),
        PlanProductionDialog(ctx, event, parent),
        ModelEditDialog(ctx, library.get_model(ws, shop.variant.model_id), parent=parent),
        LabelDialog(ctx, [label_for_spool(ws, spool.id), label_for_product(ws, product.id)], parent),
    ]


@pytest.mark.parametrize("stocked", [False, True], ids=["empty", "stocked"])
def test_every_control_in_every_tab_has_a_name(qtbot: QtBot, ctx: AppContext, stocked: bool) -> None:
    shop = stock_the_shop(ctx) if stocked else None
    window = open_window(qtbot, ctx)
    if shop is not None:
        tab_of(window, LibraryTab).select_model(shop.variant.model_id)  # the detail pane and its buttons
    for index in range(window.tabs.count()):
        window.show_tab(index)
        assert unnamed_controls(window) == [], window.tabs.tabText(index)


def test_every_control_in_every_form_has_a_name(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    for form in every_form(ctx, shop, window):
        form.show()
        assert unnamed_controls(form) == [], type(form).__name__
        assert form.accessibleName() or form.windowTitle()
        form.close()


# ---------------------------------------------------------------- Alt+letter


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def clashes(texts: list[str]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for text in texts:
        key = mnemonic(text)
        if key is not None:
            by_key.setdefault(key, []).append(text)
    return {key: used for key, used in by_key.items() if len(used) > 1}


def test_no_alt_letter_means_two_things_in_any_tab_or_menu(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    tab_of(window, LibraryTab).select_model(shop.variant.model_id)
    menus = [a.menu() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    for index in range(window.tabs.count()):
        window.show_tab(index)
        texts = [a.text() for a in window.menuBar().actions()]
        texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
        for widget in window.findChildren(QWidget):
            if widget.isVisible() and (
                isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy())
            ):
                texts.append(widget.text())
        assert clashes(texts) == {}, window.tabs.tabText(index)
        window.fill_edit_menu()
        for menu in menus:
            assert isinstance(menu, QMenu)
            assert clashes([a.text() for a in menu.actions() if not a.isSeparator()]) == {}, menu.title()


# ---------------------------------------------------------------- where the focus goes


def test_ctrl_and_a_number_shows_a_tab_ready_to_work(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    library_tab, shelf = tab_of(window, LibraryTab), tab_of(window, FilamentTab)
    goods, queue, fairs = tab_of(window, ProductsTab), tab_of(window, QueueTab), tab_of(window, EventsTab)
    dashboard = tab_of(window, DashboardTab)
    assert QApplication.focusWidget() is library_tab.search  # where the window opens

    press(qtbot, "Ctrl+2")
    assert window.tabs.currentWidget() is shelf
    assert QApplication.focusWidget() is shelf.current_view()
    assert shelf.selected_key() == shop.spool.id  # on the first spool, so the keys act on it
    press(qtbot, "Ctrl+3")
    assert QApplication.focusWidget() is goods.table and goods.selected().id == shop.product.id
    press(qtbot, "Ctrl+4")
    assert QApplication.focusWidget() is queue.view and queue.selected_job_id() is not None
    press(qtbot, "Ctrl+5")
    assert QApplication.focusWidget() is fairs.list and fairs.market_event.name == "Christmas market"
    press(qtbot, "Ctrl+6")  # on the first alert (the keyring's licence does not say whether it may be sold)
    assert QApplication.focusWidget() is dashboard.alert_list
    assert dashboard.selected_alert().subject_id == shop.product.id
    press(qtbot, "Ctrl+1")
    assert window.tabs.currentWidget() is library_tab and QApplication.focusWidget() is library_tab.search
    press(qtbot, "Ctrl+Tab")  # Qt's own: the next tab
    assert window.tabs.currentWidget() is shelf


def tab_walk(qtbot: QtBot, steps: int) -> list[QWidget]:
    """Where the focus is, then the widgets it visits as Tab is pressed `steps` times."""
    start = QApplication.focusWidget()
    assert start is not None
    seen = [start]
    for _ in range(steps):
        press(qtbot, "Tab")
        focus = QApplication.focusWidget()
        assert focus is not None
        seen.append(focus)
    return seen


def in_order(seen: list[QWidget], wanted: list[QWidget]) -> bool:
    """Whether `wanted` are all in `seen`, in that order (with others between them)."""
    it = iter(seen)
    return all(any(w is s for s in it) for w in wanted)


def test_tab_walks_each_tab_in_reading_order_and_leaves_lists(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    library_tab, shelf = tab_of(window, LibraryTab), tab_of(window, FilamentTab)
    goods, queue, fairs = tab_of(window, ProductsTab), tab_of(window, QueueTab), tab_of(window, EventsTab)
    library_tab.select_model(shop.variant.model_id)

    window.show_tab(0)
    walk = tab_walk(qtbot, 12)
    assert in_order(walk, [library_tab.tag_filter, library_tab.sort_choice, library_tab.grid])
    assert in_order(
        walk, [library_tab.grid, library_tab.detail.edit_button, library_tab.detail.delete_button]
    )

    window.show_tab(1)
    walk = tab_walk(qtbot, 12)
    assert in_order(walk, [shelf.current_view(), window.tabs.tabBar(), shelf.filter, shelf.group_by])
    assert in_order(walk, [shelf.filter, shelf.show_archived, shelf.current_view()])

    window.show_tab(2)
    walk = tab_walk(qtbot, 12)
    assert in_order(walk, [goods.table, goods.adjust_button, window.tabs.tabBar(), goods.filter, goods.table])

    window.show_tab(3)
    walk = tab_walk(qtbot, 10)
    assert in_order(walk, [window.tabs.tabBar(), queue.add_button, queue.start_button, queue.view])

    window.show_tab(4)
    walk = tab_walk(qtbot, 10)
    # The packing list's target boxes are not a trap: Tab leaves the list for the pack count.
    assert in_order(
        walk, [fairs.edit_button, fairs.delete_button, fairs.table, fairs.pack_count, fairs.pack_button]
    )

    window.show_tab(5)
    dashboard = tab_of(window, DashboardTab)
    walk = tab_walk(qtbot, 6)
    # From the alerts through the four charts (each says its numbers to a screen reader), as the eye reads.
    assert in_order(walk, [dashboard.alert_list, *dashboard.panels(), window.tabs.tabBar()])


def test_a_packing_target_is_changed_from_the_keyboard(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    fairs = tab_of(window, EventsTab)
    press(qtbot, "Ctrl+5")
    fairs.table.setFocus()
    fairs.table.setCurrentIndex(fairs.packing.index(0, TARGET))
    press(qtbot, "F2")
    box = QApplication.focusWidget()
    assert isinstance(box, QSpinBox) and box.accessibleName() == "Target for Dragon keyring"
    box.selectAll()
    qtbot.keyClicks(box, "5")
    press(qtbot, "Return")
    event = events.list_events(ctx.workspace)[0]
    assert [line.target for line in events.packing_list(ctx.workspace, event.id)] == [5]
    assert shop.product.id == events.packing_list(ctx.workspace, event.id)[0].product_id


# ---------------------------------------------------------------- shortcuts


def test_ctrl_f_goes_to_the_search_or_filter_of_the_tab(qtbot: QtBot, ctx: AppContext) -> None:
    stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    for number, kind, box in (
        (1, LibraryTab, "search"),
        (2, FilamentTab, "filter"),
        (3, ProductsTab, "filter"),
    ):
        press(qtbot, f"Ctrl+{number}")
        if number == 1:
            press(qtbot, "Down")  # the library opens in its search box: go down into the results first
        field = getattr(tab_of(window, kind), box)
        assert QApplication.focusWidget() is not field
        press(qtbot, "Ctrl+F")
        assert QApplication.focusWidget() is field


def test_ctrl_i_imports_files(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh = write_cube(tmp_path / "Dragon.stl")

    class PickedFiles:  # the file dialog, answered as a user would
        @staticmethod
        def getOpenFileNames(*_args: object) -> tuple[list[str], str]:
            return [str(mesh)], ""

    monkeypatch.setattr(main_window, "QFileDialog", PickedFiles)
    window = open_window(qtbot, ctx)
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        press(qtbot, "Ctrl+I")
    assert "Imported 1" in window.statusBar().currentMessage()
    assert [m.name for m in library.list_models(ctx.workspace)] == ["Dragon"]


def test_delete_then_ctrl_z_in_the_filament_and_products_tabs(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    open_window(qtbot, ctx)
    ws = ctx.workspace

    press(qtbot, "Ctrl+2")
    press(qtbot, "Delete")
    assert filament.list_spools(ws) == []
    press(qtbot, "Ctrl+Z")
    assert [s.id for s in filament.list_spools(ws)] == [shop.spool.id]

    press(qtbot, "Ctrl+3")
    press(qtbot, "Delete")
    assert products.list_products(ws) == []
    press(qtbot, "Ctrl+Z")
    assert [p.id for p in products.list_products(ws)] == [shop.product.id]


def test_delete_and_ctrl_z_in_the_library(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    library_tab = tab_of(window, LibraryTab)
    press(qtbot, "Down")  # from the search box into the results
    assert QApplication.focusWidget() is library_tab.grid
    press(qtbot, "Delete")
    assert library.list_models(ctx.workspace) == []
    press(qtbot, "Ctrl+Z")
    assert [m.id for m in library.list_models(ctx.workspace)] == [shop.variant.model_id]


@pytest.mark.parametrize(
    ("number", "form"),
    [(2, SpoolDialog), (3, ProductDialog), (4, QueueJobDialog), (5, EventDialog)],
    ids=["filament", "products", "queue", "events"],
)
def test_ctrl_n_adds_what_the_tab_lists(
    qtbot: QtBot, ctx: AppContext, number: int, form: type[QDialog]
) -> None:
    stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    press(qtbot, f"Ctrl+{number}")
    press(qtbot, "Ctrl+N")
    [opened] = open_dialogs(window)
    assert isinstance(opened, form)
    assert not getattr(opened, "record", None)  # a new one, not an edit
    opened.reject()


@pytest.mark.parametrize(
    ("number", "form"),
    [(2, SpoolDialog), (3, ProductDialog), (5, EventDialog)],
    ids=["filament", "products", "events"],
)
def test_f2_edits_the_selection(qtbot: QtBot, ctx: AppContext, number: int, form: type[QDialog]) -> None:
    stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    press(qtbot, f"Ctrl+{number}")
    press(qtbot, "F2")
    [opened] = open_dialogs(window)
    assert isinstance(opened, form) and getattr(opened, "record", None) is not None
    opened.reject()


@pytest.mark.parametrize(
    ("number", "question"), [(4, "Cancel job"), (5, "Delete event")], ids=["queue", "events"]
)
def test_delete_asks_first_where_it_cannot_be_undone(
    qtbot: QtBot, ctx: AppContext, number: int, question: str
) -> None:
    stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    press(qtbot, f"Ctrl+{number}")
    press(qtbot, "Delete")
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert box.windowTitle() == question
    box.reject()


def menu_texts(window: MainWindow) -> list[str]:
    window.fill_edit_menu()
    return [a.text().replace("&", "") for a in window.edit_menu.actions() if not a.isSeparator()]


def test_the_edit_menu_offers_what_the_current_tab_can_do(qtbot: QtBot, ctx: AppContext) -> None:
    shop = stock_the_shop(ctx)
    window = open_window(qtbot, ctx)
    assert menu_texts(window) == ["Undo", "Edit…", "Delete", "Search…", "Settings…", "Printers…"]
    press(qtbot, "Ctrl+2")
    texts = menu_texts(window)
    assert {"Add spool…", "Record usage…", "Weigh in…", "Archive", "Delete"} <= set(texts)
    press(qtbot, "Ctrl+4")
    assert {"Add a print…", "Start…", "Finished…", "Failed…", "Move up", "Move down"} <= set(
        menu_texts(window)
    )
    # Every item shows its keys, and choosing one acts on the selection.
    press(qtbot, "Ctrl+2")
    window.fill_edit_menu()
    actions = {a.text().replace("&", ""): a for a in window.edit_menu.actions() if not a.isSeparator()}
    assert actions["Record usage…"].shortcut().toString() == "Ctrl+U"
    assert actions["Delete"].shortcut().toString() == "Del"
    archive: QAction = actions["Archive"]
    archive.trigger()
    assert filament.get_spool(ctx.workspace, shop.spool.id).archived
