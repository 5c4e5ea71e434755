"""Plan production for an event: per product of its packing list the target against what is packed, at home
and already queued, what is short and the plates to print for it; the filament the queue needs with these
jobs, against the shelf, and what to buy; and a button that queues the jobs.

The plan is `core.services.planning.plan_production(ws, event_id)`; "Queue N jobs" is the same call with
`create=True` through `ctx.ops` (one transaction), after which the queue tab refreshes from the `changed`
signal and this dialog shows the plan again, now covered.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import planning
from core.services.matching import FilamentNeed
from core.services.planning import PlanLine, ProductionPlan, Purchase
from core.services.views import EventView
from desktop.context import AppContext
from desktop.dialogs.forms import currency, weight_unit
from desktop.dialogs.units import WeightUnit, money, weight
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel
from desktop.widgets.tables import read_only_table

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
PRODUCT, TARGET, PACKED, AT_HOME, QUEUED, SHORT, PRINT = range(7)
FILAMENT, NEEDED, ON_SHELF, BUY = range(4)


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


def cannot_print(line: PlanLine) -> bool:
    return line.short > 0 and line.variant_id is None


def print_text(line: PlanLine) -> str:
    """What to print for a line: '5 plates (30 units)', 'nothing to print' (a check mark), or why not."""
    if cannot_print(line):
        return tr("No variant to print")
    if not line.plates:
        return "\u2713"
    return tr("{plates} ({units} units)").format(plates=plates_text(line.plates), units=line.units_planned)


def plates_text(plates: int) -> str:
    return tr("1 plate") if plates == 1 else tr("{n} plates").format(n=plates)


def note_text(line: PlanLine) -> str:
    """Why a short line cannot be printed, in the user's language (core's note says the same in English)."""
    return tr("{product} has no variant to print: make or buy {n} more.").format(
        product=line.product_name, n=line.short
    )


class PlanModel(KeyedTableModel[PlanLine]):
    def __init__(self) -> None:
        super().__init__(
            [
                tr("Product"),
                tr("Target"),
                tr("Packed"),
                tr("At home"),
                tr("Queued"),
                tr("Short"),
                tr("To print"),
            ],
            key=lambda line: line.product_id,
        )

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column not in (PRODUCT, PRINT) else None

    def cell(self, item: PlanLine, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            numbers = {
                TARGET: item.target,
                PACKED: item.packed,
                AT_HOME: item.at_home,
                QUEUED: item.queued,
                SHORT: item.short,
            }
            if column == PRODUCT:
                return item.product_name
            if column == PRINT:
                text = print_text(item)
                if role == Qt.ItemDataRole.AccessibleTextRole and text == "\u2713":
                    return tr("nothing to print")
                return text
            return str(numbers[column])
        palette = QGuiApplication.palette()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == PRINT and cannot_print(item):
                return colours.danger(palette)
            if column == PRINT and not item.short:
                return colours.ok(palette)
            if column == SHORT and item.short:
                return colours.warning(palette)
        if role == Qt.ItemDataRole.FontRole and column == PRINT and item.plates:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == PRINT and cannot_print(item):
                return note_text(item)
            if column == PRINT and item.plates:
                return tr(
                    "{variant}: {per} on a plate, so {plates} \u00d7 {per} = {units} for {short} short."
                ).format(
                    variant=item.variant_name,
                    per=item.units_per_plate,
                    plates=item.plates,
                    units=item.units_planned,
                    short=item.short,
                )
            if column == QUEUED:
                return tr("Units that queued or printing jobs of the product will make.")
            if column == SHORT:
                return tr("Target less packed, at home and queued.")
        return None


def need_key(need: FilamentNeed) -> str:
    return f"{need.filament_id or ''}\x1f{need.label}"


class FilamentModel(KeyedTableModel[FilamentNeed]):
    """Per filament the whole queue with the planned jobs needs: needed, on the shelf, and what to buy."""

    def __init__(self) -> None:
        super().__init__([tr("Filament"), tr("Needed"), tr("On the shelf"), tr("To buy")], key=need_key)
        self.unit: WeightUnit = "g"
        self.currency = ""
        self.purchases: dict[str, Purchase] = {}

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column in (NEEDED, ON_SHELF) else None

    def buy_text(self, need: FilamentNeed) -> str:
        purchase = self.purchases.get(need_key(need))
        if not need.short_mg:
            return "\u2713"
        if purchase is not None and purchase.spools:
            size = weight(purchase.net_weight_mg, self.unit)
            cost = money(purchase.cost_cents, self.currency)
            if purchase.spools == 1:
                return tr("1 spool of {size} ({cost})").format(size=size, cost=cost)
            return tr("{n} spools of {size} ({cost})").format(n=purchase.spools, size=size, cost=cost)
        return tr("{weight} (none of it on the shelf)").format(weight=weight(need.short_mg, self.unit))

    def cell(self, item: FilamentNeed, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == FILAMENT:
                return item.label
            if column == NEEDED:
                return weight(item.needed_mg, self.unit)
            if column == ON_SHELF:
                return weight(item.on_shelf_mg, self.unit)
            text = self.buy_text(item)
            if role == Qt.ItemDataRole.AccessibleTextRole and text == "\u2713":
                return tr("enough on the shelf")
            return text
        palette = QGuiApplication.palette()
        if role == Qt.ItemDataRole.ForegroundRole and column == BUY:
            return colours.danger(palette) if item.short_mg else colours.ok(palette)
        if role == Qt.ItemDataRole.BackgroundRole and item.short_mg:
            return colours.warning_background(palette)
        if role == Qt.ItemDataRole.ToolTipRole and column == BUY and item.short_mg:
            return tr("{short} short").format(short=weight(item.short_mg, self.unit))
        return None


def _table(model: KeyedTableModel[Any], name: str) -> QTableView:
    return read_only_table(model, name, single_selection=True)


def fit_rows(table: QTableView, most: int = 12) -> None:
    """Make `table` as tall as its rows (up to `most` of them; more scroll), so a short list leaves no blank
    box under it."""
    rows = min(table.model().rowCount(), most)
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += (
        sum(table.rowHeight(row) for row in range(rows))
        if rows
        else table.verticalHeader().defaultSectionSize()
    )
    table.setFixedHeight(height + 2)


def _bold(label: QLabel) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


def _coloured(label: QLabel, colour: Any) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


class PlanProductionDialog(QDialog):
    """What printing the event's packing list still needs, and the button that queues it."""

    def __init__(self, ctx: AppContext, event: EventView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.market_event = event
        self.plan: ProductionPlan | None = None
        self.queued: ProductionPlan | None = None  # what "Queue" made, once it ran
        title = tr("Plan production for {event}").format(event=event.name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleDescription(tr("What the packing list still needs"))
        self.lines = PlanModel()
        self.lines_view = _table(self.lines, tr("Production per product"))
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleDescription(tr("Products that cannot be printed"))
        _coloured(self.notes, colours.warning(self.palette()))

        self.filament_heading = _bold(QLabel(tr("Filament for the queue with these jobs")))
        self.filament_summary = QLabel()
        self.filament_summary.setWordWrap(True)
        self.filament = FilamentModel()
        self.filament_view = _table(self.filament, tr("Filament against the shelf"))

        self.done_note = QLabel()
        self.done_note.setWordWrap(True)
        self.done_note.setAccessibleDescription(tr("What was queued"))
        _coloured(self.done_note, colours.ok(self.palette()))
        self.done_note.hide()
        self.error = QLabel()
        self.error.setWordWrap(True)
        _coloured(self.error, colours.danger(self.palette()))
        self.error.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.queue_button = QPushButton()
        self.buttons.addButton(self.queue_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.queue_button.clicked.connect(self.queue_jobs)
        self.buttons.rejected.connect(self.reject)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        self.close_button: QPushButton = close

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.lines_view)
        layout.addWidget(self.notes)
        layout.addSpacing(10)
        layout.addWidget(self.filament_heading)
        layout.addWidget(self.filament_summary)
        layout.addWidget(self.filament_view)
        layout.addWidget(self.done_note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.refresh()
        width = max(880, self.sizeHint().width())
        self.resize(width, layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 600)

    # ---------------------------------------------------------------- reading

    def refresh(self) -> None:
        ws = self.ctx.workspace
        self.plan = plan = planning.plan_production(ws, self.market_event.id)
        self.lines.set_rows(list(plan.lines))
        fit_rows(self.lines_view)
        self._show_summary(plan)
        blocked = [line for line in plan.lines if cannot_print(line)]
        if len(blocked) == 1:
            self.notes.setText(note_text(blocked[0]))
        elif blocked:
            self.notes.setText(
                tr("No variant to print, so make or buy them another way: {products}.").format(
                    products=", ".join(
                        tr("{product} ({n})").format(product=line.product_name, n=line.short)
                        for line in blocked
                    )
                )
            )
        self.notes.setVisible(bool(blocked))
        self._show_filament(plan)
        jobs = len(plan.jobs)
        if jobs == 1:
            self.queue_button.setText(tr("&Queue 1 job"))
        elif jobs:
            self.queue_button.setText(tr("&Queue {n} jobs").format(n=jobs))
        else:
            self.queue_button.setText(tr("Nothing to queue"))
        self.queue_button.setAccessibleName(tr("Queue the planned print jobs for the event"))
        self.queue_button.setEnabled(jobs > 0)
        self.queue_button.setDefault(jobs > 0)
        self.close_button.setDefault(jobs == 0)
        (self.queue_button if jobs else self.close_button).setFocus()

    def _show_summary(self, plan: ProductionPlan) -> None:
        if not plan.lines:
            self.summary.setText(
                tr("The packing list of {event} is empty: add products with a target first.").format(
                    event=self.market_event.name
                )
            )
            return
        short = [line for line in plan.lines if line.short]
        plates = sum(line.plates for line in plan.lines)
        units = sum(line.units_planned for line in plan.lines)
        if not short:
            text = tr(
                "Everything on the packing list is covered by what is packed, at home and already queued: "
                "nothing to print."
            )
        elif plan.jobs:
            text = tr(
                "{n} of {total} products fall short of their target after what is packed, at home and "
                "queued. Printing {plates} makes {units} units."
            ).format(n=len(short), total=len(plan.lines), plates=plates_text(plates), units=units)
        else:
            text = tr(
                "{n} of {total} products fall short of their target, and none of them can be printed."
            ).format(n=len(short), total=len(plan.lines))
        self.summary.setText(text)

    def _show_filament(self, plan: ProductionPlan) -> None:
        self.filament.unit = weight_unit(self.ctx)
        self.filament.currency = currency(self.ctx)
        self.filament.purchases = {need_key(p.need): p for p in plan.filament.to_buy}
        needs = list(plan.filament.usage.needs)
        self.filament.set_rows(needs)
        if needs:
            self.filament.dataChanged.emit(
                self.filament.index(0, 0), self.filament.index(len(needs) - 1, BUY)
            )
        self.filament_view.setVisible(bool(needs))
        fit_rows(self.filament_view, 8)
        buy = plan.filament.to_buy
        if not needs:
            text = tr("Nothing queued or planned needs filament.")
        elif not buy:
            text = tr("The shelf holds all the filament the queue needs with these jobs.")
        else:
            cost = sum(p.cost_cents for p in buy if p.spools)
            text = (
                tr("The queue with these jobs runs short of 1 filament.")
                if len(buy) == 1
                else tr("The queue with these jobs runs short of {n} filaments.").format(n=len(buy))
            )
            if cost:
                text += " " + tr("Buying the spools costs {cost}.").format(
                    cost=money(cost, self.filament.currency)
                )
        self.filament_summary.setText(text)

    # ---------------------------------------------------------------- queueing

    def queue_jobs(self) -> None:
        if self.plan is None or not self.plan.jobs:
            return
        self.queue_button.setEnabled(False)
        self.error.hide()
        self.ctx.ops.run(
            planning.plan_production,
            self.ctx.workspace,
            self.market_event.id,
            create=True,
            changes={"jobs"},
            on_done=self._queued,
            on_error=self._failed,
        )

    def _queued(self, plan: ProductionPlan) -> None:
        self.queued = plan
        jobs = len(plan.jobs)
        plates = sum(job.copies for job in plan.jobs)
        text = (
            tr("Queued 1 job ({plates}) for {event}: it is in the print queue.")
            if jobs == 1
            else tr("Queued {n} jobs ({plates}) for {event}: they are in the print queue.")
        )
        self.done_note.setText(text.format(n=jobs, plates=plates_text(plates), event=self.market_event.name))
        self.done_note.show()
        self.refresh()
        self.close_button.setFocus()

    def _failed(self, error: PrintstallError) -> None:
        self.error.setText(str(error))
        self.error.show()
        self.queue_button.setEnabled(bool(self.plan and self.plan.jobs))
