"""The printers dialog: add and edit through the form, inline errors, delete with undo, and a printer's own
share of failed prints (blank: the one in settings)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from core.services import printers, settings
from desktop.context import AppContext
from desktop.dialogs.printers import PrinterDialog, PrintersDialog
from desktop.ops import Operations


def shown(dialog: PrintersDialog) -> list[list[str]]:
    model = dialog.model
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def type_into(qtbot: QtBot, widget: object, text: str) -> None:
    widget.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)  # type: ignore[arg-type]


def click_ok(qtbot: QtBot, form: PrinterDialog) -> None:
    assert form.ok_button.isEnabled()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)


def test_an_empty_list_says_what_printers_are_for(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.pages.currentWidget() is dialog.empty
    assert "No printers yet" in dialog.empty.text()
    assert not dialog.edit_button.isEnabled() and not dialog.delete_button.isEnabled()


def test_add_a_printer_through_the_form(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.add()
    assert not form.ok_button.isEnabled()  # the name is required
    qtbot.keyClicks(form.name, "MK4 left")
    qtbot.keyClicks(form.model, "Original Prusa MK4S")
    form.nozzle.setCurrentText("0.6")
    form.build_x.setValue(250)
    form.build_y.setValue(210)
    form.build_z.setValue(220)
    form.power.setValue(120)
    qtbot.keyClicks(form.hourly, "0.35")
    click_ok(qtbot, form)

    assert form.result() == PrinterDialog.DialogCode.Accepted
    [printer] = printers.list_printers(ctx.workspace)
    assert (
        printer.name,
        printer.nozzle_um,
        printer.build_x_mm,
        printer.power_w,
        printer.hourly_cost_cents,
    ) == (
        "MK4 left",
        600,
        250,
        120,
        35,
    )
    assert shown(dialog) == [
        ["MK4 left", "Original Prusa MK4S", "0.6 mm", "250 × 210 × 220 mm", "120 W", "0.35 EUR", ""]
    ]
    assert dialog.selected() == printer


def test_bad_input_is_shown_by_its_field_and_writes_nothing(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    form = dialog.add()
    qtbot.keyClicks(form.name, "Mini")
    qtbot.keyClicks(form.hourly, "-1")
    click_ok(qtbot, form)
    hourly = form.fields["hourly_cost_cents"]
    assert hourly.error.isVisibleTo(form)
    assert hourly.error.text() == "The hourly machine cost cannot be negative."
    assert form.isVisible() or not form.result()
    assert printers.list_printers(ctx.workspace) == []

    type_into(qtbot, form.hourly, "abc")
    assert not hourly.error.isVisibleTo(form)  # typing clears the old error
    click_ok(qtbot, form)
    assert hourly.error.text() == "Type an amount like 24.99."

    form.hourly.clear()
    form.nozzle.setCurrentText("9")
    click_ok(qtbot, form)
    assert form.fields["nozzle_um"].error.text() == "The nozzle size must be at most 3000."
    assert printers.list_printers(ctx.workspace) == []

    form.name.clear()
    assert not form.ok_button.isEnabled()
    assert "Name" in form.ok_button.toolTip()


def test_edit_then_delete_and_undo(qtbot: QtBot, ctx: AppContext) -> None:
    mini = printers.add_printer(ctx.workspace, name="Mini", model="Prusa Mini+", hourly_cost_cents=20)
    printers.add_printer(ctx.workspace, name="X1C", model="Bambu Lab X1 Carbon")
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select(mini.id)
    form = dialog.edit_selected()
    assert form is not None
    assert form.name.text() == "Mini" and form.hourly.text() == "0.20"
    type_into(qtbot, form.name, "Mini (kitchen)")
    form.power.setValue(80)
    click_ok(qtbot, form)
    edited = printers.get_printer(ctx.workspace, mini.id)
    assert (edited.name, edited.power_w, edited.hourly_cost_cents, edited.model) == (
        "Mini (kitchen)",
        80,
        20,
        "Prusa Mini+",
    )
    assert [row[0] for row in shown(dialog)] == ["Mini (kitchen)", "X1C"]

    dialog.select(mini.id)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in printers.list_printers(ctx.workspace)] == ["X1C"]
    assert [row[0] for row in shown(dialog)] == ["X1C"]
    assert dialog.undo_bar.isVisibleTo(dialog)
    assert dialog.undo_bar.message.text() == "Deleted printer Mini (kitchen)."

    qtbot.mouseClick(dialog.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in printers.list_printers(ctx.workspace)] == ["Mini (kitchen)", "X1C"]
    assert [row[0] for row in shown(dialog)] == ["Mini (kitchen)", "X1C"]
    assert dialog.selected() is not None and dialog.selected().id == mini.id  # type: ignore[union-attr]
    assert not dialog.undo_bar.isVisibleTo(dialog)


def test_delete_key_deletes_the_selected_printer(qtbot: QtBot, ctx: AppContext) -> None:
    printers.add_printer(ctx.workspace, name="Mini")
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # shortcuts reach the active window only
        dialog.show()
        dialog.activateWindow()
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert printers.list_printers(ctx.workspace) == []
    assert dialog.pages.currentWidget() is dialog.empty


def test_the_form_waits_for_the_writer_thread(qtbot: QtBot, ctx: AppContext) -> None:
    background = AppContext(ctx.workspace, Operations(), ctx.settings)  # the app's real, threaded runner
    try:
        dialog = PrintersDialog(background)
        qtbot.addWidget(dialog)
        form = dialog.add()
        qtbot.keyClicks(form.name, "Voron 2.4")
        accepted: list[bool] = []
        form.accepted.connect(lambda: accepted.append(True))
        with qtbot.waitSignal(background.ops.changed, timeout=10_000):
            click_ok(qtbot, form)
            assert not form.ok_button.isEnabled()  # busy until the writer answers
            form.reject()  # Escape while saving does not lose the answer
        assert accepted == [True]
        assert [row[0] for row in shown(dialog)] == ["Voron 2.4"]
        assert dialog.selected() is not None
    finally:
        background.ops.shutdown()


def test_a_printer_has_its_own_failure_rate_in_per_cent_or_the_one_in_settings(
    qtbot: QtBot, ctx: AppContext
) -> None:
    settings.set_value(ctx.workspace, "failure_rate_permille", 50)
    dialog = PrintersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.add()
    assert form.failure_rate.text() == ""
    assert form.failure_rate.placeholderText() == "5"  # what applies while it is blank
    assert "Blank: as in Settings (5 %)" in form.fields["failure_rate_permille"].hint
    qtbot.keyClicks(form.name, "Ender")
    qtbot.keyClicks(form.failure_rate, "150")
    click_ok(qtbot, form)
    rate = form.fields["failure_rate_permille"]
    assert rate.error.text() == "Type a share under 100 %, like 5 or 7.5."
    type_into(qtbot, form.failure_rate, "a lot")
    click_ok(qtbot, form)
    assert rate.error.text() == "Type a share in per cent, like 5 or 7.5."
    type_into(qtbot, form.failure_rate, "-2")
    click_ok(qtbot, form)
    assert rate.error.text() == "The failure rate cannot be negative."
    assert printers.list_printers(ctx.workspace) == []

    type_into(qtbot, form.failure_rate, "12.5 %")
    click_ok(qtbot, form)
    [ender] = printers.list_printers(ctx.workspace)
    assert ender.failure_rate_permille == 125
    assert shown(dialog)[0][-1] == "12.5 %"

    form = dialog.edit_selected()
    assert form is not None and form.failure_rate.text() == "12.5"
    form.failure_rate.clear()  # back to the rate in settings
    click_ok(qtbot, form)
    assert printers.get_printer(ctx.workspace, ender.id).failure_rate_permille is None
    assert shown(dialog)[0][-1] == ""
