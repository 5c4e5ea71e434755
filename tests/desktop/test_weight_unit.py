"""The "Weights in" setting: switched to ounces in the settings dialog, every weight the window shows is in
ounces at once, and a number typed into a weight field means ounces (a number typed with "g" still means
grams). What is stored stays milligrams."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from core.services import filament, importing, jobs
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog
from desktop.main_window import MainWindow
from desktop.settings_dialog import SettingsDialog
from desktop.tabs.filament import FilamentTab
from desktop.tabs.filament.dialogs import SpoolDialog
from desktop.tabs.filament.shelf import COL_LEFT, GroupRow
from desktop.tabs.library import LibraryTab
from desktop.tabs.queue import QueueTab
from desktop.tabs.queue.model import FILAMENT
from tests.core.factories import Shop, make_shop
from tests.core.files import SLICERS


def choose_weights_in(qtbot: QtBot, ctx: AppContext, unit: str) -> None:
    """What the user does: Edit > Settings, "Weights in", Save."""
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.weight_unit.setCurrentIndex(dialog.weight_unit.findData(unit))
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted


def window_with_a_shop(qtbot: QtBot, ctx: AppContext) -> tuple[MainWindow, Shop]:
    shop = make_shop(ctx.workspace)  # a 1,000 g spool; a variant of 12.5 g a plate
    jobs.queue_job(ctx.workspace, shop.variant.id, copies=2, printer_id=shop.printer.id)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    return window, shop


def page(window: MainWindow, kind: type[QWidget]) -> QWidget:
    found = window.findChild(kind)
    assert found is not None
    return found


def shelf_in_ounces(qtbot: QtBot, ctx: AppContext) -> tuple[FilamentTab, Shop]:
    """The filament tab with weights in ounces and the shop's spool chosen."""
    window, shop = window_with_a_shop(qtbot, ctx)
    choose_weights_in(qtbot, ctx, "oz")
    shelf = page(window, FilamentTab)
    assert isinstance(shelf, FilamentTab)
    shelf.select(shop.spool.id)
    return shelf, shop


def unit_beside(form: FormDialog, field: str) -> str:
    """The unit label a form shows right after a field's box."""
    box = form.fields[field].widget
    parent = box.parentWidget()
    assert parent is not None
    labels = [label.text() for label in parent.findChildren(QLabel) if label.text() in ("g", "oz")]
    assert labels, f"no unit beside {field}"
    return labels[0]


def test_switching_to_ounces_changes_every_weight_the_window_shows(qtbot: QtBot, ctx: AppContext) -> None:
    window, shop = window_with_a_shop(qtbot, ctx)
    shelf = page(window, FilamentTab)
    queue = page(window, QueueTab)
    assert isinstance(shelf, FilamentTab) and isinstance(queue, QueueTab)
    [row] = shelf.model.spool_rows()
    assert row.left_text == "1,000 g of 1,000 g"
    job_cell = queue.model.job_index(jobs.list_jobs(ctx.workspace)[0].id, FILAMENT)
    assert job_cell.data() == "25 g PLA"

    choose_weights_in(qtbot, ctx, "oz")

    # The shelf: cards and rows, the group header and the line under the shelf.
    [row] = shelf.model.spool_rows()
    assert row.left_text == "35.27 oz of 35.27 oz"
    assert shelf.model.index(shelf.model.row_of(shop.spool.id), COL_LEFT).data() == "35.27 oz of 35.27 oz"
    assert "35.27 oz of filament" in shelf.summary.text()
    header = shelf.model.rows()[0]
    assert isinstance(header, GroupRow) and "35.27 oz left" in header.detail
    # The queue's filament column.
    assert job_cell.data() == "0.88 oz PLA"

    # And back.
    choose_weights_in(qtbot, ctx, "g")
    assert shelf.model.spool_rows()[0].left_text == "1,000 g of 1,000 g"
    assert job_cell.data() == "25 g PLA"


def test_the_library_detail_shows_each_extruders_filament_in_ounces(qtbot: QtBot, ctx: AppContext) -> None:
    outcomes = importing.import_paths(ctx.workspace, [SLICERS / "mmu_attribute_test.gcode"])
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    library = page(window, LibraryTab)
    assert isinstance(library, LibraryTab)
    library.select_model(str(outcomes[0].model_id))
    assert library.detail.variant_cards[0].extruders[0].text() == "27.0 g"

    choose_weights_in(qtbot, ctx, "oz")

    amounts = [label.text() for label in library.detail.variant_cards[0].extruders]
    assert amounts[0] == "0.95 oz"  # 27 g
    assert all(a.endswith(" oz") for a in amounts)


def test_in_ounces_a_typed_number_means_ounces_and_a_typed_g_still_means_grams(
    qtbot: QtBot, ctx: AppContext
) -> None:
    shelf, shop = shelf_in_ounces(qtbot, ctx)
    usage = shelf.open_usage()
    assert usage is not None
    assert unit_beside(usage, "grams_mg") == "oz"
    assert usage.bar.text() == "35.27 oz of 35.27 oz left"
    qtbot.keyClicks(usage.amount, "10")
    assert usage.preview.text() == "25.27 oz left"
    qtbot.mouseClick(usage.ok_button, Qt.MouseButton.LeftButton)
    assert filament.get_spool(ctx.workspace, shop.spool.id).remaining_mg == 1_000_000 - 283_495  # 10 oz

    usage = shelf.open_usage()
    assert usage is not None
    qtbot.keyClicks(usage.amount, "250 g")
    qtbot.mouseClick(usage.ok_button, Qt.MouseButton.LeftButton)
    assert filament.get_spool(ctx.workspace, shop.spool.id).remaining_mg == 1_000_000 - 283_495 - 250_000

    weigh = shelf.open_weigh()
    assert weigh is not None
    assert unit_beside(weigh, "gross_mg") == "oz"
    assert "The empty spool counts as 6.81 oz." in weigh.fields["gross_mg"].hint  # 193 g
    weigh.reject()


def test_a_form_opened_and_saved_in_ounces_keeps_the_exact_milligrams(qtbot: QtBot, ctx: AppContext) -> None:
    shelf, shop = shelf_in_ounces(qtbot, ctx)
    edit = shelf.open_edit()
    assert isinstance(edit, SpoolDialog)
    assert edit.initial.text() == "35.27"
    edit.location.setEditText("Dry box")  # a change elsewhere; the weight is left as shown
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    spool = filament.get_spool(ctx.workspace, shop.spool.id)
    assert (spool.location, spool.initial_weight_mg) == ("Dry box", 1_000_000)  # not 35.27 oz = 999,888 mg

    shelf.select(f"filament:{shop.filament.id}")
    edit = shelf.open_edit_filament()
    assert edit is not None
    assert edit.net_weight.text() == "35.27" and edit.empty_weight.text() == "6.81"
    edit.net_weight.setText("35")
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    changed = filament.get_filament(ctx.workspace, shop.filament.id)
    assert (changed.net_weight_mg, changed.empty_spool_weight_mg) == (992_233, 193_000)


def test_the_queue_dialogs_speak_ounces(qtbot: QtBot, ctx: AppContext) -> None:
    window, _ = window_with_a_shop(qtbot, ctx)
    choose_weights_in(qtbot, ctx, "oz")
    queue = page(window, QueueTab)
    assert isinstance(queue, QueueTab)
    add = queue.add_dialog()
    add.copies.setValue(2)
    assert "0.88 oz of filament" in add.preview.text()
    add.reject()
    queue.select_job(jobs.list_jobs(ctx.workspace)[0].id)
    start = queue.action_dialog("start")
    assert start is not None
    assert start.pickers[0].need.text().startswith("Needs 0.88 oz of")
    assert "35.27 oz left" in start.pickers[0].combo.currentText()
    start.reject()
