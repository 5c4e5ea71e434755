"""The Print queue tab: queueing, starting with the prefilled spool, finishing (stock and spool change, on
screen too), failing at 40 %, reordering by drag and drop, shortage warnings and time estimates."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox, QWidget

from core.services import filament, jobs, library, printers, products
from core.timeutil import parse
from desktop.context import AppContext
from desktop.dialogs.units import weight
from desktop.tabs.queue import QueueTab
from desktop.tabs.queue.dialogs import JobDialog, QueueJobDialog
from desktop.tabs.queue.model import FILAMENT, FINISH, STATUS, JobIdRole
from desktop.tabs.queue.snapshot import FINISHED, UNASSIGNED
from tests.core.factories import make_shop
from tests.desktop.windows import show_active


def make_tab(qtbot: QtBot, ctx: AppContext, **kwargs: object) -> QueueTab:
    return show_active(qtbot, QueueTab(ctx, **kwargs), 1100, 600)  # type: ignore[arg-type]


def shown_rows(widget: QWidget) -> list[list[str]]:
    """Every row any item view inside `widget` shows, as display texts."""
    rows: list[list[str]] = []

    def walk(model: QAbstractItemModel, parent: QModelIndex) -> None:
        for r in range(model.rowCount(parent)):
            cells = [model.index(r, c, parent).data() for c in range(model.columnCount(parent))]
            rows.append([str(c) for c in cells if c is not None])
            walk(model, model.index(r, 0, parent))

    for view in widget.findChildren(QAbstractItemView):
        if view.model() is not None:
            walk(view.model(), QModelIndex())
    return rows


def job_texts(tab: QueueTab, key: str, column: int = 0) -> list[str]:
    parent = tab.model.section_index(key)
    return [tab.model.index(r, column, parent).data() for r in range(tab.model.rowCount(parent))]


def press_ok(dialog: JobDialog | QueueJobDialog) -> None:
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()


def test_queue_start_and_finish_a_job(qtbot: QtBot, ctx: AppContext, qtmodeltester: ModelTester) -> None:
    from desktop.tabs.filament import FilamentTab
    from desktop.tabs.products import ProductsTab

    ws = ctx.workspace
    shop = make_shop(ws, grams_mg=12_500, units_per_plate=2)
    tab = make_tab(qtbot, ctx)
    qtmodeltester.check(tab.model)
    shelf_tab, products_tab = FilamentTab(ctx), ProductsTab(ctx)
    qtbot.addWidget(shelf_tab)
    qtbot.addWidget(products_tab)
    assert tab.summary.text().startswith("Nothing queued")

    # Queue 3 plates on the MK4.
    add = tab.add_dialog()
    assert add.variant.currentText() == "Dragon, black PLA"
    add.copies.setValue(3)
    add.printer.setCurrentIndex(add.printer.findData(shop.printer.id))
    assert "Makes 6 units" in add.preview.text() and "37.5 g" in add.preview.text()
    press_ok(add)
    assert not add.isVisible()
    (job,) = jobs.list_jobs(ws)
    assert (job.copies, job.printer_id, job.status) == (3, shop.printer.id, "queued")
    assert job_texts(tab, shop.printer.id) == ["Dragon, black PLA"]
    assert tab.selected_job_id() == job.id
    assert tab.summary.text() == "1 queued"

    # Start it: the spool is prefilled by the matching service.
    start = tab.action_dialog("start")
    assert start is not None
    picker = start.pickers[0]
    assert picker.spool_id() == shop.spool.id
    assert picker.combo.currentText().startswith("Prusament PLA Galaxy Black \u00b7 1,000 g left")
    assert picker.warning.isHidden()
    press_ok(start)
    started = jobs.get_job(ws, job.id)
    assert started.status == "printing" and started.spools == {"0": shop.spool.id}
    assert job_texts(tab, shop.printer.id, STATUS)[0].startswith("Printing")

    # Finish it: 3 plates x 2 units into stock, 3 x 12.5 g off the spool, and the other tabs follow.
    finish = tab.action_dialog("finish")
    assert finish is not None
    assert finish.pickers[0].spool_id() == shop.spool.id
    assert finish.effect.text() == (
        "Adds 6 \u00d7 Dragon keyring to stock and takes 37.5 g of filament off the spools."
    )
    with qtbot.waitSignal(ctx.ops.changed) as changed:
        press_ok(finish)
    assert changed.args == [frozenset({"jobs", "stock", "spools", "products"})]
    assert products.get_product(ws, shop.product.id).on_hand == 6
    assert filament.get_spool(ws, shop.spool.id).remaining_mg == 962_500
    assert tab.banner.message.text() == (
        "Finished Dragon, black PLA: 6 \u00d7 Dragon keyring added to stock, 37.5 g of filament used."
    )
    assert job_texts(tab, shop.printer.id) == []
    assert job_texts(tab, FINISHED, STATUS) == ["Done"]
    assert tab.summary.text().startswith("Nothing queued")

    # On screen: the Products tab shows 6 on hand, the Filament tab the lighter spool, and the next
    # job's spool list the weight left.
    assert any("Dragon keyring" in row and "6" in row for row in shown_rows(products_tab))
    assert any(weight(962_500, "g") in cell for row in shown_rows(shelf_tab) for cell in row)
    jobs.queue_job(ws, shop.variant.id, printer_id=shop.printer.id)
    ctx.ops.changed.emit(frozenset({"jobs"}))
    tab.select_job(jobs.list_jobs(ws, status="queued")[0].id)
    again = tab.action_dialog("start")
    assert again is not None
    assert f"{weight(962_500, 'g')} left" in again.pickers[0].combo.currentText()
    again.reject()


def test_fail_at_40_percent_uses_40_percent_of_the_filament(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws, grams_mg=12_500)
    job = jobs.queue_job(ws, shop.variant.id, copies=3, printer_id=shop.printer.id)
    tab = make_tab(qtbot, ctx)
    tab.select_job(job.id)

    fail = tab.action_dialog("fail")
    assert fail is not None and fail.printed is not None and fail.reason is not None
    assert fail.printed.value() == 100  # not started in the app: all of it, unless told otherwise
    fail.printed.setValue(40)
    fail.reason.setCurrentText("Came loose from the bed")
    assert fail.pickers[0].spool_id() == shop.spool.id
    assert fail.effect.text() == (
        "Takes 15 g of the 37.5 g this print needs off the spools; adds nothing to stock."
    )
    with qtbot.waitSignal(ctx.ops.changed) as changed:
        press_ok(fail)
    assert changed.args == [frozenset({"jobs", "spools"})]

    assert filament.get_spool(ws, shop.spool.id).remaining_mg == 1_000_000 - 15_000  # 40 % of 37.5 g
    failed = jobs.get_job(ws, job.id)
    assert (failed.status, failed.printed_permille, failed.failure_reason) == (
        "failed", 400, "Came loose from the bed",
    )  # fmt: skip
    assert products.get_product(ws, shop.product.id).on_hand == 0
    assert job_texts(tab, FINISHED, STATUS) == ["Failed at 40 %"]
    assert "15 g of filament used" in tab.banner.message.text()


def test_a_printing_job_fails_at_its_elapsed_share_by_default(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)  # 5400 s a plate
    job = jobs.queue_job(ws, shop.variant.id, copies=2, printer_id=shop.printer.id)
    started = jobs.start_job(ws, job.id, spools={0: shop.spool.id})
    assert started.started_at is not None
    later = parse(started.started_at) + timedelta(seconds=4320)  # 4320 s of 10800 s: 40 %
    tab = make_tab(qtbot, ctx, clock=lambda: later)
    tab.select_job(job.id)
    assert job_texts(tab, shop.printer.id, STATUS) == ["Printing, 40 %"]
    fail = tab.action_dialog("fail")
    assert fail is not None and fail.printed is not None
    assert fail.printed.value() == 40
    fail.reject()


def test_drag_and_drop_reorders_and_moves_between_printers(
    qtbot: QtBot, ctx: AppContext, qtmodeltester: ModelTester
) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    other = printers.add_printer(ws, name="X1C")
    a, b, c = (jobs.queue_job(ws, shop.variant.id, copies=n, printer_id=shop.printer.id) for n in (1, 2, 3))
    loose = jobs.queue_job(ws, shop.variant.id, copies=4)
    tab = make_tab(qtbot, ctx)
    model = tab.model
    qtmodeltester.check(model)  # Qt's tester then checks every remove, move and insert of the refreshes

    def ids(key: str) -> list[str]:
        parent = model.section_index(key)
        return [model.index(r, 0, parent).data(JobIdRole) for r in range(model.rowCount(parent))]

    assert ids(shop.printer.id) == [a.id, b.id, c.id]
    assert model.section_keys() == [shop.printer.id, other.id, UNASSIGNED]

    # Drag c above a, the way the view does it: mimeData of the dragged row, dropMimeData on the target.
    section = model.section_index(shop.printer.id)
    dragged = model.mimeData([model.index(2, 0, section)])
    assert model.canDropMimeData(dragged, Qt.DropAction.MoveAction, 0, 0, section)
    assert model.dropMimeData(dragged, Qt.DropAction.MoveAction, 0, 0, section)
    assert [j.id for j in jobs.list_jobs(ws, printer_id=shop.printer.id)] == [c.id, a.id, b.id]
    assert [j.position for j in jobs.list_jobs(ws, printer_id=shop.printer.id)] == [1, 2, 3]
    assert ids(shop.printer.id) == [c.id, a.id, b.id]
    assert tab.selected_job_id() == c.id

    # Down to the end through moveRows (row 3 = after the last), and onto the other printer's section.
    section = model.section_index(shop.printer.id)
    assert model.moveRows(section, 0, 1, section, 3)
    assert ids(shop.printer.id) == [a.id, b.id, c.id]
    dragged = model.mimeData([model.index(1, 0, model.section_index(shop.printer.id))])
    assert model.dropMimeData(dragged, Qt.DropAction.MoveAction, -1, 0, model.section_index(other.id))
    assert ids(shop.printer.id) == [a.id, c.id] and ids(other.id) == [b.id]
    assert jobs.get_job(ws, b.id).printer_id == other.id

    # An unassigned job can be dragged onto a printer; a printer's job cannot go back to "Unassigned".
    dragged = model.mimeData([model.index(0, 0, model.section_index(UNASSIGNED))])
    assert model.dropMimeData(dragged, Qt.DropAction.MoveAction, 0, 0, model.section_index(shop.printer.id))
    assert ids(shop.printer.id) == [loose.id, a.id, c.id] and ids(UNASSIGNED) == []
    dragged = model.mimeData([model.index(0, 0, model.section_index(shop.printer.id))])
    assert not model.canDropMimeData(dragged, Qt.DropAction.MoveAction, 0, 0, model.section_index(UNASSIGNED))

    # Keyboard: Ctrl+Down moves the selected job one place down.
    tab.select_job(loose.id)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert ids(shop.printer.id) == [a.id, loose.id, c.id]

    # A printing job stays where it is: it cannot be dragged.
    jobs.start_job(ws, a.id)
    ctx.ops.changed.emit(frozenset({"jobs"}))
    printing = model.job_index(a.id)
    assert not model.flags(printing) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(model.job_index(c.id)) & Qt.ItemFlag.ItemIsDragEnabled


def test_a_shortage_warning_names_what_is_short(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws, grams_mg=29_000)
    filament.record_usage(ws, shop.spool.id, 969_000)  # 31 g left
    job = jobs.queue_job(ws, shop.variant.id, copies=2, printer_id=shop.printer.id)  # 58 g
    tab = make_tab(qtbot, ctx)

    assert tab.shortage.isVisible()
    assert "The queue needs 58 g of Prusament PLA Galaxy Black; only 31 g is on the shelf." in (
        tab.shortage.text()
    )
    cell = tab.model.job_index(job.id, FILAMENT)
    warning = "Extruder 1 needs 58 g of PLA; the best spool has 31 g left."
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == warning
    assert cell.data(Qt.ItemDataRole.DecorationRole) is not None

    tab.select_job(job.id)
    start = tab.action_dialog("start")
    assert start is not None
    assert start.pickers[0].warning.text() == warning
    # A fuller spool of the same filament picked by hand clears the warning.
    full = filament.add_spool(ws, filament_id=shop.filament.id)
    start.reject()
    ctx.ops.changed.emit(frozenset({"spools"}))
    assert tab.shortage.isHidden()
    start = tab.action_dialog("start")
    assert start is not None
    assert start.pickers[0].spool_id() == full.id and start.pickers[0].warning.isHidden()
    start.pickers[0].combo.setCurrentIndex(start.pickers[0].combo.findData(shop.spool.id))
    assert start.pickers[0].warning.text() == "Extruder 1 needs 58 g of PLA; this spool has 31 g left."
    start.reject()


def test_finishing_without_a_spool_is_refused_inline(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    job = jobs.queue_job(ws, shop.variant.id, printer_id=shop.printer.id)
    tab = make_tab(qtbot, ctx)
    tab.select_job(job.id)
    finish = tab.action_dialog("finish")
    assert finish is not None
    finish.pickers[0].combo.setCurrentIndex(0)  # "Choose a spool…"
    assert finish.pickers[0].warning.text() == "Choose a spool for extruder 1 (PLA)."
    press_ok(finish)
    assert finish.isVisible()
    error = finish.fields["slot0"].error
    assert error.isVisibleTo(finish) and error.text().startswith("Choose a spool for extruder 1")
    assert jobs.get_job(ws, job.id).status == "queued"
    assert filament.get_spool(ws, shop.spool.id).remaining_mg == 1_000_000


def test_estimated_finish_times_accumulate_per_printer(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)  # 5400 s (1 h 30 min) a plate
    slow = library.add_variant(ws, model_id=shop.variant.model_id, name="No time known", material="PLA")
    first = jobs.queue_job(ws, shop.variant.id, copies=1, printer_id=shop.printer.id)
    second = jobs.queue_job(ws, shop.variant.id, copies=2, printer_id=shop.printer.id)
    unknown = jobs.queue_job(ws, slow.id, printer_id=shop.printer.id)
    third = jobs.queue_job(ws, shop.variant.id, copies=1, printer_id=shop.printer.id)
    loose = jobs.queue_job(ws, shop.variant.id)
    started = jobs.start_job(ws, first.id, spools={0: shop.spool.id})
    assert started.started_at is not None
    began = parse(started.started_at)
    now = began + timedelta(minutes=30)
    tab = make_tab(qtbot, ctx, clock=lambda: now)
    rows = tab.model.snapshot.rows if tab.model.snapshot else {}

    # Printing since `began` for 1 h 30: ends at began + 1:30; then 2 x 1:30 = 3 h: began + 4:30.
    assert rows[first.id].finishes_at == began + timedelta(hours=1, minutes=30)
    assert rows[second.id].starts_at == began + timedelta(hours=1, minutes=30)
    assert rows[second.id].finishes_at == began + timedelta(hours=4, minutes=30)
    assert rows[unknown.id].finishes_at is None
    assert rows[third.id].finishes_at == began + timedelta(hours=6) and rows[third.id].at_least
    texts = job_texts(tab, shop.printer.id, FINISH)
    assert texts[2] == "unknown" and texts[3].startswith("\u2265 ")
    assert job_texts(tab, UNASSIGNED, FINISH) == ["not scheduled"]
    assert rows[loose.id].finishes_at is None

    # A print past its estimate is due now, and the queue behind it starts from now.
    late = began + timedelta(hours=2)
    tab.clock = lambda: late
    tab.retime()
    assert job_texts(tab, shop.printer.id, FINISH)[0] == "due now"
    rows = tab.model.snapshot.rows if tab.model.snapshot else {}
    assert rows[second.id].finishes_at == late + timedelta(hours=3)


def test_cancel_asks_first(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    shop = make_shop(ws)
    job = jobs.queue_job(ws, shop.variant.id, printer_id=shop.printer.id)
    tab = make_tab(qtbot, ctx)
    tab.select_job(job.id)
    box = tab.cancel_selected()
    assert box is not None
    keep = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    keep.click()
    assert jobs.get_job(ws, job.id).status == "queued"
    box = tab.cancel_selected()
    assert box is not None
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    yes.click()
    QApplication.processEvents()
    assert jobs.get_job(ws, job.id).status == "cancelled"
    assert job_texts(tab, FINISHED, STATUS) == ["Cancelled"]


def test_the_tab_is_usable_by_keyboard_and_names_its_parts(qtbot: QtBot, ctx: AppContext) -> None:
    shop = make_shop(ctx.workspace)
    job = jobs.queue_job(ctx.workspace, shop.variant.id, printer_id=shop.printer.id)
    tab = make_tab(qtbot, ctx)
    for button in (tab.add_button, tab.start_button, tab.finish_button, tab.fail_button, tab.cancel_button):
        assert button.accessibleName()
        assert "&" in button.text()
    assert not tab.start_button.isEnabled()
    tab.select_job(job.id)
    assert tab.start_button.isEnabled() and tab.finish_button.isEnabled()
    # Enter on a queued job opens the start dialog.
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    opened = [w for w in tab.findChildren(JobDialog) if w.isVisible()]
    assert len(opened) == 1 and opened[0].mode == "start"
    assert opened[0].pickers[0].combo.accessibleName() == "Spool for extruder 1"
    opened[0].reject()
    assert tab.model.section_index(shop.printer.id).data().startswith("MK4 \u2014 1 job, free at ")
