"""The Events tab: upcoming and past events, creating and editing with inline checks, targets (spin box per
line and "Add product") and packing, with a shortage refused inline. Stall mode, the report and production
planning have their own tests (test_stall.py, test_event_report.py, test_plan_production.py)."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QMessageBox, QSpinBox

from core.services import events, products
from desktop.context import AppContext
from desktop.tabs.events import EventsTab
from desktop.tabs.events.packing import AT_EVENT, AT_HOME, PACKED, PRODUCT, SOLD, TARGET, TO_PACK
from tests.core.factories import make_shop

TODAY = date(2026, 11, 20)


def make_tab(qtbot: QtBot, ctx: AppContext) -> EventsTab:
    tab = EventsTab(ctx, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    return tab


def qdate(text: str) -> QDate:
    day = date.fromisoformat(text)
    return QDate(day.year, day.month, day.day)


def packing_rows(tab: EventsTab) -> list[list[str]]:
    model = tab.packing
    columns = (PRODUCT, TARGET, PACKED, SOLD, AT_EVENT, AT_HOME, TO_PACK)
    return [[str(model.index(r, c).data()) for c in columns] for r in range(model.rowCount())]


def test_events_are_split_into_upcoming_and_past(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    events.create_event(ws, name="Autumn fair", starts_on="2026-10-03", ends_on="2026-10-04")
    events.create_event(ws, name="Christmas market", starts_on="2026-12-12", ends_on="2026-12-13")
    events.create_event(ws, name="Still on today", starts_on="2026-11-19", ends_on="2026-11-20")
    events.create_event(ws, name="Some day", venue="Town hall")
    events.create_event(ws, name="Spring fair", starts_on="2026-04-11")
    tab = make_tab(qtbot, ctx)

    upcoming = [tab.list.upcoming.child(i).text(0) for i in range(tab.list.upcoming.childCount())]
    past = [tab.list.past.child(i).text(0) for i in range(tab.list.past.childCount())]
    assert upcoming == ["Still on today", "Christmas market", "Some day"]  # soonest first, undated last
    assert past == ["Autumn fair", "Spring fair"]  # latest first
    assert tab.list.upcoming.text(0) == "Upcoming (3)" and tab.list.past.text(0) == "Past (2)"
    christmas = tab.list.event_items[
        next(e.id for e in events.list_events(ws) if e.name == "Christmas market")
    ]
    assert christmas.text(1) == "Sat 12 \u2013 Sun 13 Dec 2026"
    # The next event is shown at once.
    assert tab.title.text() == "Still on today"


def test_creating_an_event_that_ends_before_it_starts_is_refused_inline(
    qtbot: QtBot, ctx: AppContext
) -> None:
    tab = make_tab(qtbot, ctx)
    assert tab.empty.text().startswith("No market events yet")
    dialog = tab.new_event()
    assert not dialog.ok_button.isEnabled()  # no name yet
    dialog.name.setText("Christmas market")
    dialog.name.textEdited.emit("Christmas market")
    dialog.starts.edit.setDate(qdate("2026-12-12"))
    assert dialog.ends.value() == date(2026, 12, 12)  # the end moves with the start
    dialog.ends.edit.setDate(qdate("2026-12-10"))

    end_error = dialog.fields["ends_on"].error
    assert end_error.isVisibleTo(dialog)
    assert end_error.text() == "The event cannot end before it starts."
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert events.list_events(ctx.workspace) == []

    # The name is required too, and says so once it was touched.
    dialog.name.setText("")
    dialog.name.textEdited.emit("")
    assert not dialog.ok_button.isEnabled()
    assert dialog.fields["name"].error.text() == "Give the event a name."

    dialog.name.setText("Christmas market")
    dialog.name.textEdited.emit("Christmas market")
    dialog.ends.edit.setDate(qdate("2026-12-13"))
    assert end_error.isHidden()
    dialog.venue.setText("Old town square")
    dialog.booth.setText("60")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    (event,) = events.list_events(ctx.workspace)
    assert (event.name, event.starts_on, event.ends_on, event.venue, event.booth_fee_cents) == (
        "Christmas market", "2026-12-12", "2026-12-13", "Old town square", 6000,
    )  # fmt: skip
    assert tab.list.current_event_id() == event.id
    assert tab.title.text() == "Christmas market"
    assert "Old town square" in tab.meta.text()


def test_editing_an_event_sends_only_what_changed(qtbot: QtBot, ctx: AppContext) -> None:
    event = events.create_event(ctx.workspace, name="Maker Faire", starts_on="2026-12-05", venue="Hall 2")
    tab = make_tab(qtbot, ctx)
    dialog = tab.edit_event()
    assert dialog is not None
    assert dialog.name.text() == "Maker Faire" and dialog.ends.value() is None
    dialog.starts.edit.setDate(qdate("2026-12-06"))
    assert dialog.ends.value() is None  # an unset end stays unset
    dialog.ok_button.click()
    assert not dialog.isVisible()
    changed = events.get_event(ctx.workspace, event.id)
    assert (changed.starts_on, changed.venue) == ("2026-12-06", "Hall 2")
    assert tab.list.event_items[event.id].text(1) == "Sun 6 Dec 2026"


def test_set_a_target_and_pack(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    products.adjust_stock(ws, shop.product.id, 8)
    bag = products.add_product(ws, name="Gift bag", kind="packaging")
    products.adjust_stock(ws, bag.id, 40)
    event = events.create_event(ws, name="Christmas market", starts_on="2026-12-12")
    tab = make_tab(qtbot, ctx)
    assert tab.list_empty.isVisible() and not tab.table.isVisible()

    # "Add product": the keyring with a target of 5.
    add = tab.add_product()
    assert add is not None
    add.product.setCurrentIndex(add.product.findData(shop.product.id))
    add.target.setValue(5)
    add.ok_button.click()
    assert not add.isVisible()
    assert packing_rows(tab) == [["Dragon keyring", "5", "0", "0", "0", "8", "5"]]

    # The spin box on the line: raise the target to 10.
    index = tab.packing.index(0, TARGET)
    editor = tab.table.indexWidget(index)
    assert isinstance(editor, QSpinBox)
    assert editor.value() == 5 and editor.accessibleName() == "Target for Dragon keyring"
    editor.setValue(10)
    editor.editingFinished.emit()
    assert [(line.product_name, line.target) for line in events.packing_list(ws, event.id)] == [
        ("Dragon keyring", 10)
    ]
    assert packing_rows(tab) == [["Dragon keyring", "10", "0", "0", "0", "8", "10"]]

    # Pack: the count is prefilled with what is left to pack; 10 is more than the 8 at home.
    assert tab.current_row() is not None and tab.pack_count.value() == 10
    tab.pack_button.click()
    assert tab.pack_error.isVisible()
    assert tab.pack_error.text() == "Only 8 of Dragon keyring at home; cannot pack 10."
    assert events.packing_list(ws, event.id)[0].packed == 0

    tab.pack_count.setValue(6)
    tab.pack_button.click()
    assert tab.pack_error.isHidden()
    assert packing_rows(tab) == [["Dragon keyring", "10", "6", "0", "6", "2", "4"]]
    assert products.get_product(ws, shop.product.id).on_hand == 2
    assert tab.progress.text() == "6 of 10 units packed"
    assert events.get_event(ws, event.id).status == "packed"
    assert tab.list.event_items[event.id].text(2) == "Packed"

    # A sale at the stall shows as sold, and what is left comes home again.
    events.sell(ws, shop.product.id, 2, event_id=event.id)
    ctx.ops.changed.emit(frozenset({"sales", "stock"}))
    assert packing_rows(tab) == [["Dragon keyring", "10", "6", "2", "4", "2", "4"]]
    box = tab.return_unsold()
    assert isinstance(box, QMessageBox)
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    yes.click()
    QApplication.processEvents()
    assert packing_rows(tab)[0][4] == "0" and products.get_product(ws, shop.product.id).on_hand == 6


def test_a_target_of_zero_takes_the_line_off(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    event = events.create_event(ws, name="Fair", starts_on="2026-12-12")
    events.set_target(ws, event.id, shop.product.id, 3)
    tab = make_tab(qtbot, ctx)
    editor = tab.table.indexWidget(tab.packing.index(0, TARGET))
    assert isinstance(editor, QSpinBox)
    editor.setValue(0)
    editor.editingFinished.emit()
    assert events.packing_list(ws, event.id) == []
    assert tab.packing.rowCount() == 0 and tab.list_empty.isVisible()


def test_delete_asks_first(qtbot: QtBot, ctx: AppContext) -> None:
    event = events.create_event(ctx.workspace, name="Fair", starts_on="2026-12-12")
    tab = make_tab(qtbot, ctx)
    box = tab.delete_event()
    assert box is not None
    cancel = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    cancel.click()
    assert events.list_events(ctx.workspace) == [events.get_event(ctx.workspace, event.id)]
    box = tab.delete_event()
    assert box is not None
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    yes.click()
    QApplication.processEvents()
    assert events.list_events(ctx.workspace) == []
    assert tab.detail.currentIndex() == 0


def test_buttons_have_names_and_mnemonics(qtbot: QtBot, ctx: AppContext) -> None:
    events.create_event(ctx.workspace, name="Fair", starts_on="2026-12-12")
    tab = make_tab(qtbot, ctx)
    buttons = (
        tab.new_button,
        tab.stall_button,
        tab.edit_button,
        tab.add_button,
        tab.plan_button,
        tab.return_button,
        tab.delete_button,
    )
    for button in buttons:
        assert button.accessibleName() and "&" in button.text()
    assert tab.table.accessibleName() == "Packing list"
    assert [tab.pages.tabText(i) for i in range(tab.pages.count())] == ["Packing &list", "&Report"]
    assert tab.pack_label.buddy() is tab.pack_count
    assert tab.list.accessibleName() == "Market events"
