"""The Filament tab: adding through the forms, inline errors, usage and weighing, low stock, filtering,
grouping, archiving and deleting with undo."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QWidget

from core.services import filament
from core.services.views import FilamentView
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog
from desktop.tabs.filament import FilamentTab
from desktop.tabs.filament.shelf import COL_LEFT, GroupRow, SpoolRow
from desktop.widgets import colours
from tests.desktop.windows import show_active


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> FilamentTab:
    return show_active(qtbot, FilamentTab(ctx), 1100, 700)


def add_black(ctx: AppContext, **values: object) -> FilamentView:
    return filament.add_filament(
        ctx.workspace,
        brand="Prusament",
        material="PLA",
        colour_name="Galaxy Black",
        colour_hex="#1A1A1A",
        empty_spool_weight_mg=193_000,
        **values,
    )


def spool_row(tab: FilamentTab, name: str) -> SpoolRow:
    [row] = [r for r in tab.model.spool_rows() if r.name == name]
    return row


def left_text(tab: FilamentTab, spool_id: str) -> str:
    return str(tab.model.data(tab.model.index(tab.model.row_of(spool_id), COL_LEFT)))


def ok(qtbot: QtBot, form: FormDialog) -> None:
    assert form.ok_button.isEnabled(), form.ok_button.toolTip()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClicks(widget, text)


def test_an_empty_shelf_says_how_to_start(tab: FilamentTab) -> None:
    assert tab.pages.currentWidget() is tab.empty
    assert "shelf is empty" in tab.empty.text.text()
    assert not tab.options.isVisibleTo(tab)


def test_add_a_spool_of_a_new_filament_through_the_forms(
    qtbot: QtBot, tab: FilamentTab, ctx: AppContext
) -> None:
    spool_form = tab.open_add_spool()
    assert not spool_form.ok_button.isEnabled()  # no filament chosen yet
    filament_form = spool_form.add_filament()
    type_into(qtbot, filament_form.brand.lineEdit(), "Prusament")
    type_into(qtbot, filament_form.material.lineEdit(), "petg")
    type_into(qtbot, filament_form.colour_name, "Jungle Green")
    type_into(qtbot, filament_form.colour_hex, "#2e8b57")
    filament_form.net_weight.clear()
    type_into(qtbot, filament_form.net_weight, "1000")
    type_into(qtbot, filament_form.empty_weight, "193")
    type_into(qtbot, filament_form.price, "24,99")
    type_into(qtbot, filament_form.low_stock, "500")
    ok(qtbot, filament_form)

    [added] = filament.list_filaments(ctx.workspace)
    assert (added.material, added.colour_hex, added.price_cents, added.low_stock_mg) == (
        "PETG",
        "#2E8B57",
        2499,
        500_000,
    )
    assert (added.empty_spool_weight_mg, added.density_mg_cm3) == (193_000, 1270)  # density from the material
    assert spool_form.filament.currentData() == added.id  # the new filament is chosen in the spool form
    assert spool_form.initial.text() == "1000"
    type_into(qtbot, spool_form.location.lineEdit(), "Dry box")
    type_into(qtbot, spool_form.lot, "L-2211")
    ok(qtbot, spool_form)

    [spool] = filament.list_spools(ctx.workspace)
    assert (spool.location, spool.lot, spool.initial_weight_mg) == ("Dry box", "L-2211", 1_000_000)
    assert tab.pages.currentWidget() is tab.cards  # cards by default
    row = spool_row(tab, "Jungle Green")
    assert (row.filament and row.filament.brand, row.spool.location) == ("Prusament", "Dry box")
    assert left_text(tab, spool.id) == "1,000 g of 1,000 g"
    assert tab.selected_key() == spool.id
    assert tab.summary.text() == "1 spool on the shelf · 1,000 g of filament"


def test_a_filament_added_on_its_own_offers_a_spool(qtbot: QtBot, tab: FilamentTab, ctx: AppContext) -> None:
    form = tab.open_add_filament()
    type_into(qtbot, form.material.lineEdit(), "PLA")
    ok(qtbot, form)
    assert tab.undo_bar.isVisibleTo(tab)
    assert "once it has a spool" in tab.undo_bar.message.text()
    qtbot.mouseClick(tab.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    spool_form = tab.findChildren(FormDialog)[-1]
    assert spool_form.windowTitle() == "Add a spool"
    assert spool_form.fields["filament_id"].read() == filament.list_filaments(ctx.workspace)[0].id


def test_a_filament_needs_a_material_and_a_price_that_is_not_negative(
    qtbot: QtBot, tab: FilamentTab, ctx: AppContext
) -> None:
    form = tab.open_add_filament()
    type_into(qtbot, form.brand.lineEdit(), "Sunlu")
    assert not form.ok_button.isEnabled()
    assert form.ok_button.toolTip() == "Fill in: Material"
    qtbot.keyClick(form.colour_name, Qt.Key.Key_Return)  # Enter on a form with a gap says what is missing
    material = form.fields["material"]
    assert material.error.isVisibleTo(form) and material.error.text() == "Fill in the material."

    type_into(qtbot, form.material.lineEdit(), "PLA")
    assert not material.error.isVisibleTo(form)
    type_into(qtbot, form.price, "-19.99")
    ok(qtbot, form)
    price = form.fields["price_cents"]
    assert price.error.isVisibleTo(form)
    assert price.error.text() == "The price cannot be negative."
    assert form.price.hasFocus() or not form.isActiveWindow()
    assert form.isVisible()
    assert filament.list_filaments(ctx.workspace) == []

    form.price.clear()
    type_into(qtbot, form.price, "twenty")
    ok(qtbot, form)
    assert price.error.text() == "Type an amount like 24.99."
    type_into(qtbot, form.colour_hex, "#12")
    form.price.clear()
    ok(qtbot, form)
    assert form.fields["colour_hex"].error.text() == "'#12' is not a colour code like #1E90FF."
    assert filament.list_filaments(ctx.workspace) == []


def test_spool_errors_show_by_their_field(qtbot: QtBot, tab: FilamentTab, ctx: AppContext) -> None:
    black = add_black(ctx)
    form = tab.open_add_spool(black.id)
    form.initial.clear()
    type_into(qtbot, form.initial, "0")
    type_into(qtbot, form.purchase_date, "last week")
    ok(qtbot, form)
    assert form.fields["initial_weight_mg"].error.text() == "The spool weight must be at least 1."
    assert filament.list_spools(ctx.workspace) == []
    form.initial.clear()
    type_into(qtbot, form.initial, "750")
    ok(qtbot, form)
    assert (
        form.fields["purchase_date"].error.text()
        == "The purchase date 'last week' is not a date like 2026-12-24."
    )
    assert not form.fields["initial_weight_mg"].error.isVisibleTo(form)
    form.purchase_date.clear()
    ok(qtbot, form)
    [spool] = filament.list_spools(ctx.workspace)
    assert spool.initial_weight_mg == 750_000


def test_record_usage_and_weigh_in_change_the_weight_shown(
    qtbot: QtBot, tab: FilamentTab, ctx: AppContext
) -> None:
    black = add_black(ctx)
    spool = filament.add_spool(ctx.workspace, filament_id=black.id, location="Shelf A")
    tab.refresh()
    tab.select(spool.id)
    usage = tab.open_usage()
    assert usage is not None
    type_into(qtbot, usage.amount, "250")
    assert usage.preview.text() == "750 g left"
    usage.reason.setCurrentIndex(usage.reason.findData("waste"))
    type_into(qtbot, usage.note, "purge tower")
    ok(qtbot, usage)
    assert left_text(tab, spool.id) == "750 g of 1,000 g"
    assert [(u.delta_mg, u.reason, u.note) for u in filament.spool_history(ctx.workspace, spool.id)] == [
        (-250_000, "waste", "purge tower")
    ]

    weigh = tab.open_weigh()
    assert weigh is not None
    type_into(qtbot, weigh.gross, "793")  # 193 g of empty spool + 600 g of filament
    assert weigh.net_label.text() == "600 g"
    assert weigh.preview.text() == "\u2212150 g"
    ok(qtbot, weigh)
    assert left_text(tab, spool.id) == "600 g of 1,000 g"
    assert (
        tab.undo_bar.message.text()
        == "Weighed Prusament PLA Galaxy Black: 600 g left (\u2212150 g corrected)."
    )
    assert filament.get_spool(ctx.workspace, spool.id).remaining_mg == 600_000


def test_weighing_less_than_the_empty_spool_is_refused_inline(
    qtbot: QtBot, tab: FilamentTab, ctx: AppContext
) -> None:
    black = add_black(ctx)
    spool = filament.add_spool(ctx.workspace, filament_id=black.id)
    tab.refresh()
    tab.select(spool.id)
    weigh = tab.open_weigh()
    assert weigh is not None
    type_into(qtbot, weigh.gross, "150")
    assert weigh.preview.text() == "Less than the empty spool weighs."
    ok(qtbot, weigh)
    assert (
        weigh.fields["gross_mg"].error.text().startswith("The weighed 150 g is less than the empty spool's")
    )
    assert filament.spool_history(ctx.workspace, spool.id) == []


def test_low_stock_is_highlighted(tab: FilamentTab, ctx: AppContext) -> None:
    black = add_black(ctx, low_stock_mg=500_000)
    white = filament.add_filament(
        ctx.workspace, material="PLA", colour_name="Jet White", colour_hex="#F5F5F5"
    )
    nearly = filament.add_spool(ctx.workspace, filament_id=black.id)
    filament.record_usage(ctx.workspace, nearly.id, 960_000)
    filament.add_spool(ctx.workspace, filament_id=white.id)
    tab.refresh()

    assert tab.low_banner.isVisibleTo(tab)
    assert tab.low_banner.text() == "\u26a0 Running low: Prusament PLA Galaxy Black (40 g left)"
    assert spool_row(tab, "Galaxy Black").nearly_empty
    assert not spool_row(tab, "Jet White").nearly_empty
    assert spool_row(tab, "Galaxy Black").filament_low and not spool_row(tab, "Jet White").filament_low
    foreground = tab.model.data(
        tab.model.index(tab.model.row_of(nearly.id), COL_LEFT), Qt.ItemDataRole.ForegroundRole
    )
    assert QColor(foreground) == colours.warning(QGuiApplication.palette())
    assert tab.summary.text().endswith("· 1 nearly empty")

    tab.group_by.setCurrentIndex(tab.group_by.findData("filament"))
    headers = {r.title: r for r in tab.model.rows() if isinstance(r, GroupRow)}
    assert headers["Prusament PLA Galaxy Black"].warning == "Running low: under 500 g"
    assert headers["PLA Jet White"].warning == ""

    filament.add_spool(ctx.workspace, filament_id=black.id)  # a new roll arrives
    tab.ctx.ops.changed.emit(frozenset({"spools"}))
    assert not tab.low_banner.isVisibleTo(tab)


def test_filter_group_and_show_archived(qtbot: QtBot, tab: FilamentTab, ctx: AppContext) -> None:
    black = add_black(ctx)
    teal = filament.add_filament(ctx.workspace, brand="Polymaker", material="PETG", colour_name="Teal")
    filament.add_spool(ctx.workspace, filament_id=black.id, location="Shelf A")
    filament.add_spool(ctx.workspace, filament_id=teal.id, location="Dry box")
    filament.add_spool(ctx.workspace, filament_id=black.id, location="Shelf A", archived=True)
    tab.refresh()
    assert [r.title for r in tab.model.rows() if isinstance(r, GroupRow)] == ["PETG", "PLA"]
    assert len(tab.model.spool_rows()) == 2

    type_into(qtbot, tab.filter, "dry")
    assert [r.name for r in tab.model.spool_rows()] == ["Teal"]
    tab.filter.clear()
    type_into(qtbot, tab.filter, "zebra")
    assert tab.pages.currentWidget() is tab.empty
    qtbot.mouseClick(tab.empty.button, Qt.MouseButton.LeftButton)  # "Clear the filter"
    assert tab.filter.text() == ""

    tab.group_by.setCurrentIndex(tab.group_by.findData("location"))
    assert [r.title for r in tab.model.rows() if isinstance(r, GroupRow)] == ["Dry box", "Shelf A"]
    tab.show_archived.setChecked(True)
    assert len(tab.model.spool_rows()) == 3
    assert tab.summary.text().endswith("· 1 archived spool shown")
    assert ctx.settings.value("filament/group_by") == "location"

    qtbot.mouseClick(tab.as_rows, Qt.MouseButton.LeftButton)
    assert tab.pages.currentWidget() is tab.table
    assert ctx.settings.value("filament/view") == "rows"
    again = FilamentTab(ctx)  # the choices are remembered
    qtbot.addWidget(again)
    assert again.as_rows.isChecked() and again.group_by.currentData() == "location"
    assert again.show_archived.isChecked()


def test_archive_and_delete_with_undo(qtbot: QtBot, tab: FilamentTab, ctx: AppContext) -> None:
    black = add_black(ctx)
    spool = filament.add_spool(ctx.workspace, filament_id=black.id)
    tab.refresh()
    tab.select(spool.id)
    tab.act_archive.trigger()
    assert filament.list_spools(ctx.workspace) == []
    assert tab.model.spool_rows() == []
    qtbot.mouseClick(tab.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert [s.id for s in filament.list_spools(ctx.workspace)] == [spool.id]

    tab.select(spool.id)
    with qtbot.waitActive(tab):  # shortcuts reach the active window only
        tab.activateWindow()
    tab.cards.setFocus()
    qtbot.keyClick(tab.cards, Qt.Key.Key_Delete)
    assert filament.list_spools(ctx.workspace) == []
    assert tab.undo_bar.message.text() == "Deleted a spool of Prusament PLA Galaxy Black."
    qtbot.keyClick(tab.cards, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.id for s in filament.list_spools(ctx.workspace)] == [spool.id]
    assert tab.selected_key() == spool.id


def test_a_filament_with_spools_cannot_be_deleted_but_an_unused_one_can(
    tab: FilamentTab, ctx: AppContext
) -> None:
    black = add_black(ctx)
    spare = filament.add_filament(ctx.workspace, material="ASA", colour_name="Grey")
    filament.add_spool(ctx.workspace, filament_id=black.id)
    tab.group_by.setCurrentIndex(tab.group_by.findData("filament"))
    tab.select(f"filament:{black.id}")
    assert not tab.act_delete.isEnabled()
    assert tab.act_delete.toolTip() == "Delete or archive its spools first"
    tab.select(f"filament:{spare.id}")
    assert tab.act_delete.isEnabled()
    tab.act_delete.trigger()
    assert [f.id for f in filament.list_filaments(ctx.workspace)] == [black.id]
    tab.undo_bar.undo()
    assert len(filament.list_filaments(ctx.workspace)) == 2


def test_edit_a_spool_and_its_filament(qtbot: QtBot, tab: FilamentTab, ctx: AppContext) -> None:
    black = add_black(ctx, price_cents=2499)
    spool = filament.add_spool(ctx.workspace, filament_id=black.id, location="Shelf A")
    tab.refresh()
    tab.select(spool.id)
    form = tab.open_edit()
    assert form is not None and form.windowTitle() == "Edit spool"
    form.location.setEditText("")
    type_into(qtbot, form.location.lineEdit(), "AMS slot 1")
    ok(qtbot, form)
    assert filament.get_spool(ctx.workspace, spool.id).location == "AMS slot 1"
    assert spool_row(tab, "Galaxy Black").spool.location == "AMS slot 1"

    edit_filament = tab.open_edit_filament()
    assert edit_filament is not None
    assert edit_filament.price.text() == "24.99" and edit_filament.empty_weight.text() == "193"
    edit_filament.colour_name.clear()
    type_into(qtbot, edit_filament.colour_name, "Galaxy Purple")
    ok(qtbot, edit_filament)
    changed = filament.get_filament(ctx.workspace, black.id)
    assert (changed.colour_name, changed.price_cents) == ("Galaxy Purple", 2499)
    assert spool_row(tab, "Galaxy Purple").spool.label == "Prusament PLA Galaxy Purple"
