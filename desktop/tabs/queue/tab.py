"""The Print queue tab: jobs grouped by printer, reordered by dragging (or Ctrl+Up/Down), and the actions of
a job's life (queue, start, finish, fail, cancel), each one `core.services.jobs` call through `ctx.ops`; and
the filament the queue needs, with what to buy (`filament_plan.FilamentPlanDialog`).

The tab reads the queue when an operation changes jobs, spools, variants, products or printers, and moves
its time estimates on with the clock every half minute without reading again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import jobs
from core.services.views import JobResult, JobView
from desktop.context import AppContext
from desktop.dialogs.confirm import confirm
from desktop.dialogs.forms import weight_unit
from desktop.dialogs.units import WeightUnit, weight
from desktop.tabs.queue import snapshot
from desktop.tabs.queue.dialogs import CHANGES, JobDialog, QueueJobDialog
from desktop.tabs.queue.filament_plan import FilamentPlanDialog
from desktop.tabs.queue.model import COPIES, FILAMENT, FINISH, JOB, STATUS, TIME, QueueModel
from desktop.widgets import colours
from desktop.widgets.actions import tab_action
from desktop.widgets.keyboard import tab_order
from desktop.widgets.undo_bar import MessageBar

LISTENS_TO = frozenset(
    {"jobs", "spools", "filament", "variants", "models", "products", "printers", "settings"}
)
TICK_MS = 30_000


def tr(text: str) -> str:
    return QCoreApplication.translate("QueueTab", text)


Clock = Callable[[], datetime]


class QueueView(QTreeView):
    """The queue tree: single selection, drag within and between printers, sections spanning the row. The tab
    gives it its keys: Ctrl+Up / Ctrl+Down move the current job (the keyboard's drag), Delete cancels it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAllColumnsShowFocus(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAccessibleName(tr("Print queue"))
        self.setAccessibleDescription(
            tr("Jobs by printer. Ctrl+Up and Ctrl+Down move a queued job; Enter starts or finishes it.")
        )


class QueueTab(QWidget):
    def __init__(self, ctx: AppContext, *, clock: Clock | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self._data: snapshot.QueueData | None = None
        self._select_next: str | None = None  # a job to select once the refresh after an operation shows it
        self.plan_dialog: FilamentPlanDialog | None = None
        self.last_result: JobResult | None = None
        self.unit: WeightUnit = "g"  # the user's weight unit, read again on every refresh
        self._build()
        ctx.ops.changed.connect(self._on_changed)
        self.model.move_requested.connect(self.move_job)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.retime)
        self.timer.start()
        self.refresh()

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self.add_button = QPushButton(tr("&Add a print\u2026"))
        self.add_button.setToolTip(tr("Queue plates of a sliced variant (Ctrl+N)"))
        self.start_button = QPushButton(tr("&Start\u2026"))
        self.finish_button = QPushButton(tr("Fi&nished\u2026"))
        self.fail_button = QPushButton(tr("Faile&d\u2026"))
        self.cancel_button = QPushButton(tr("Cancel &job"))
        self.plan_button = QPushButton(tr("Fi&lament for the queue\u2026"))
        self.plan_button.setToolTip(tr("What the queue needs of each filament, and what to buy"))
        style = self.style()
        self.start_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.finish_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
        self.fail_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical))
        self.cancel_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogCancelButton))
        for button, name in (
            (self.add_button, tr("Add a print to the queue")),
            (self.start_button, tr("Start the selected job")),
            (self.finish_button, tr("Mark the selected job as finished")),
            (self.fail_button, tr("Mark the selected job as failed")),
            (self.cancel_button, tr("Cancel the selected job")),
            (self.plan_button, tr("Filament for the queue and what to buy")),
        ):
            button.setAccessibleName(name)
        self._build_actions()
        for button, action in (
            (self.add_button, self.act_add),
            (self.start_button, self.act_start),
            (self.finish_button, self.act_finish),
            (self.fail_button, self.act_fail),
            (self.cancel_button, self.act_cancel),
            (self.plan_button, self.act_plan),
        ):
            button.clicked.connect(action.trigger)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addSpacing(12)
        for button in (self.start_button, self.finish_button, self.fail_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.plan_button)
        buttons.addStretch(1)
        self.summary = QLabel()
        self.summary.setAccessibleName(tr("Queue summary"))
        buttons.addWidget(self.summary)

        self.shortage = QLabel()
        self.shortage.setObjectName("queueShortage")
        self.shortage.setWordWrap(True)
        self.shortage.setAccessibleName(tr("Filament the queue runs short of"))
        self.shortage.setContentsMargins(8, 6, 8, 6)
        self.shortage.hide()
        self.banner = MessageBar(tr("Last action"))

        self.model = QueueModel(self)
        self.view = QueueView()
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(JOB, QHeaderView.ResizeMode.Stretch)
        for column in (STATUS, COPIES, FILAMENT, TIME, FINISH):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.view.activated.connect(self._activated)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.model.rowsInserted.connect(self._rows_inserted)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.shortage)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        for action in (self.act_cancel, self.act_move_up, self.act_move_down):  # keys of the queue's rows
            self.removeAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(action)
        tab_order(
            self.add_button,
            self.start_button,
            self.finish_button,
            self.fail_button,
            self.cancel_button,
            self.plan_button,
            self.banner.close_button,
            self.view,
        )

    def _build_actions(self) -> None:
        self.act_add = tab_action(
            self,
            tr("&Add a print\u2026"),
            QKeySequence.StandardKey.New,
            self.add_dialog,
            tr("Add a print to the queue"),
        )
        self.act_start = tab_action(
            self, tr("&Start\u2026"), None, lambda: self.action_dialog("start"), tr("Start the selected job")
        )
        self.act_finish = tab_action(
            self,
            tr("Fi&nished\u2026"),
            None,
            lambda: self.action_dialog("finish"),
            tr("Mark the selected job as finished"),
        )
        self.act_fail = tab_action(
            self,
            tr("Faile&d\u2026"),
            None,
            lambda: self.action_dialog("fail"),
            tr("Mark the selected job as failed"),
        )
        self.act_cancel = tab_action(
            self,
            tr("Cancel &job\u2026"),
            QKeySequence.StandardKey.Delete,
            self.cancel_selected,
            tr("Cancel the selected job"),
        )
        self.act_plan = tab_action(
            self,
            tr("Fi&lament for the queue\u2026"),
            None,
            self.open_filament_plan,
            tr("Filament for the queue and what to buy"),
        )
        self.act_move_up = tab_action(
            self, tr("Move &up"), "Ctrl+Up", lambda: self.move_selected(-1), tr("Move the job one place up")
        )
        self.act_move_down = tab_action(
            self,
            tr("Move do&wn"),
            "Ctrl+Down",
            lambda: self.move_selected(1),
            tr("Move the job one place down"),
        )

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        return [
            self.act_add,
            None,
            self.act_start,
            self.act_finish,
            self.act_fail,
            self.act_cancel,
            None,
            self.act_move_up,
            self.act_move_down,
            None,
            self.act_plan,
        ]

    def focus_main(self) -> None:
        """Put the keyboard focus on the queue, on its first job when none is chosen."""
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.selected_job_id() is None:
            first = next((j for key in self.model.section_keys() for j in self.model.job_ids(key)), None)
            if first is not None:
                self.select_job(first)

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for row in range(first, last + 1):
                self.view.setFirstColumnSpanned(row, QModelIndex(), True)
                self.view.expand(self.model.index(row, 0))

    # ---------------------------------------------------------------- reading

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self.refresh()

    def refresh(self) -> None:
        self.unit = weight_unit(self.ctx)
        self.model.weight_unit = self.unit
        self._data = snapshot.read(self.ctx.workspace)
        self.retime()

    def retime(self) -> None:
        if self._data is None:
            return
        selected = self._select_next or self.selected_job_id()
        self._select_next = None
        snap = snapshot.arrange(self._data, self.clock())
        self.model.set_snapshot(snap)
        for row in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
        if selected and self.selected_job_id() != selected:
            self.select_job(selected)
        self._update_summary()
        self._update_buttons()

    def _update_summary(self) -> None:
        snap = self.model.snapshot
        if snap is None:
            return
        queued, printing = snap.counts.get("queued", 0), snap.counts.get("printing", 0)
        if not queued and not printing:
            self.summary.setText(tr("Nothing queued. Add a print to start a queue."))
        else:
            parts = []
            if printing:
                parts.append(tr("1 printing") if printing == 1 else tr("{n} printing").format(n=printing))
            parts.append(tr("1 queued") if queued == 1 else tr("{n} queued").format(n=queued))
            self.summary.setText(", ".join(parts))
        if snap.shortages:
            palette = self.palette()
            back = colours.warning_background(palette)
            edge = colours.warning(palette)
            self.shortage.setStyleSheet(
                f"QLabel#queueShortage {{ background: rgba({back.red()}, {back.green()}, {back.blue()}, "
                f"{back.alpha()}); border: 1px solid {edge.name()}; border-radius: 4px; }}"
            )
            shown = list(snap.shortages[:3])
            more = len(snap.shortages) - len(shown)
            if more:
                shown.append(tr("\u2026and {n} more.").format(n=more))
            shown.append(tr("Filament for the queue\u2026 says what to buy."))
            self.shortage.setText(
                "\u26a0 " + tr("Not enough filament for the whole queue:") + "\n" + "\n".join(shown)
            )
            self.shortage.show()
        else:
            self.shortage.hide()

    # ---------------------------------------------------------------- selection

    def selected_job_id(self) -> str | None:
        index = self.view.currentIndex()
        row = self.model.row_of(index) if index.isValid() else None
        if row is None or not self.view.selectionModel().isSelected(index.siblingAtColumn(0)):
            return None
        return row.id

    def selected_job(self) -> JobView | None:
        job_id = self.selected_job_id()
        row = self.model.row(job_id) if job_id else None
        return row.job if row else None

    def select_after_refresh(self, job_id: str) -> None:
        """Select `job_id` now if it is shown, and again after the refresh the running operation causes."""
        self._select_next = job_id
        self.select_job(job_id)

    def select_job(self, job_id: str) -> None:
        index = self.model.job_index(job_id)
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)

    def _update_buttons(self) -> None:
        job = self.selected_job()
        status = job.status if job else None
        for button, action, enabled in (
            (self.start_button, self.act_start, status == "queued"),
            (self.finish_button, self.act_finish, status in jobs.OPEN),
            (self.fail_button, self.act_fail, status in jobs.OPEN),
            (self.cancel_button, self.act_cancel, status in jobs.OPEN),
        ):
            button.setEnabled(enabled)
            action.setEnabled(enabled)
        for action in (self.act_move_up, self.act_move_down):
            action.setEnabled(status == "queued")

    # ---------------------------------------------------------------- actions

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_of(index.siblingAtColumn(0))
        if row is None:
            return
        if row.job.status == "queued":
            self.action_dialog("start")
        elif row.job.status == "printing":
            self.action_dialog("finish")

    def _default_printer(self) -> str | None:
        index = self.view.currentIndex()
        section = self.model.section_of(index) if index.isValid() else None
        return section.printer.id if section is not None and section.printer is not None else None

    def add_dialog(self) -> QueueJobDialog:
        dialog = QueueJobDialog(self.ctx, printer_id=self._default_printer(), parent=self)
        dialog.accepted.connect(lambda: self._queued(dialog))
        dialog.open()
        return dialog

    def _queued(self, dialog: QueueJobDialog) -> None:
        job = dialog.result_value
        if isinstance(job, JobView):
            self.select_after_refresh(job.id)

    def action_dialog(self, mode: str, job_id: str | None = None) -> JobDialog | None:
        row = self.model.row(job_id) if job_id else None
        job = row.job if row is not None else self.selected_job()
        if job is None:
            return None
        dialog = JobDialog(self.ctx, job, mode, now=self.clock(), parent=self)
        dialog.accepted.connect(lambda: self._acted(dialog))
        dialog.open()
        return dialog

    def open_filament_plan(self) -> FilamentPlanDialog:
        """Show what the queue needs and what to buy; beside the queue, not in front of it (one window)."""
        if self.plan_dialog is None:
            self.plan_dialog = FilamentPlanDialog(self.ctx, self)
            self.plan_dialog.finished.connect(lambda _r: self._plan_closed())
        self.plan_dialog.show()
        self.plan_dialog.raise_()
        self.plan_dialog.activateWindow()
        return self.plan_dialog

    def _plan_closed(self) -> None:
        if self.plan_dialog is not None:
            self.plan_dialog.deleteLater()
            self.plan_dialog = None

    def _acted(self, dialog: JobDialog) -> None:
        result = dialog.result_value
        title = dialog.variant.name if dialog.variant else tr("the job")
        if dialog.mode == "start" and isinstance(result, JobView):
            self.banner.show_message(tr("Started {job}.").format(job=title))
            self.select_after_refresh(result.id)
            return
        if not isinstance(result, JobResult):
            return
        self.last_result = result
        used = weight(sum(result.usage_mg.values()), self.unit)
        if dialog.mode == "finish":
            if result.units_added and dialog.product_name:
                text = tr(
                    "Finished {job}: {n} \u00d7 {product} added to stock, {g} of filament used."
                ).format(job=title, n=result.units_added, product=dialog.product_name, g=used)
            else:
                text = tr("Finished {job}: {g} of filament used.").format(job=title, g=used)
        else:
            text = tr("Recorded the failed {job}: {g} of filament used.").format(job=title, g=used)
        self.banner.show_message("\n".join([text, *result.warnings]))

    def cancel_selected(self) -> QMessageBox | None:
        job = self.selected_job()
        if job is None or job.status not in jobs.OPEN:
            return None
        row = self.model.row(job.id)
        name = row.title if row and row.title else tr("this job")
        return confirm(
            self,
            tr("Cancel job"),
            tr("Cancel {job}? It moves to the finished list; no filament or stock changes.").format(job=name),
            tr("Cancel the job"),
            lambda: self.ctx.ops.run(
                jobs.cancel_job,
                self.ctx.workspace,
                job.id,
                changes=CHANGES["cancel"],
                on_done=lambda _v: self.banner.show_message(tr("Cancelled {job}.").format(job=name)),
                on_error=self._error,
            ),
            destructive=True,
            no=tr("Keep it"),
            default_yes=True,
        )

    def move_job(self, job_id: str, printer_id: str | None, place: int) -> None:
        def done(_views: object) -> None:
            self.select_after_refresh(job_id)

        self.ctx.ops.run(
            jobs.move_job,
            self.ctx.workspace,
            job_id,
            place,
            printer_id=printer_id,
            changes=CHANGES["move"],
            on_done=done,
            on_error=self._error,
        )

    def move_selected(self, step: int) -> None:
        """Ctrl+Up / Ctrl+Down: one place up or down among the queued jobs of its printer."""
        job = self.selected_job()
        if job is None or job.status != "queued":
            return
        key = job.printer_id or snapshot.UNASSIGNED
        queued = [j for j in self.model.job_ids(key) if (r := self.model.row(j)) and r.job.status == "queued"]
        place = queued.index(job.id) + 1 + step
        if 1 <= place <= len(queued):
            self.move_job(job.id, job.printer_id, place)

    def move_to_printer(self, printer_id: str) -> None:
        job = self.selected_job()
        if job is not None and job.status == "queued" and printer_id != job.printer_id:
            self.move_job(job.id, printer_id, len(self.model.job_ids(printer_id)) + 1)

    def _error(self, error: PrintstallError) -> None:
        self.banner.show_message(str(error), error=True)

    def _context_menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        menu = QMenu(self)
        job = self.model.row_of(index.siblingAtColumn(0)) if index.isValid() else None
        if job is not None:
            self.select_job(job.id)
            status = job.job.status
            for action in (self.act_start, self.act_finish, self.act_fail, self.act_cancel):
                menu.addAction(action)
            if status == "queued":
                menu.addSeparator()
                menu.addAction(self.act_move_up)
                menu.addAction(self.act_move_down)
                snap = self.model.snapshot
                targets = [
                    p
                    for p in (snap.printers if snap else ())
                    if not p.archived and p.id != job.job.printer_id
                ]
                if targets:
                    to = menu.addMenu(tr("Move to printer"))
                    for printer in targets:
                        act = to.addAction(printer.name)
                        act.triggered.connect(lambda _=False, pid=printer.id: self.move_to_printer(pid))
            menu.addSeparator()
        menu.addAction(self.act_add)
        menu.popup(self.view.viewport().mapToGlobal(point))
