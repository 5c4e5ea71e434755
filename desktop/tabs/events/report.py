"""An event's report, beside its packing list: what sold, what it brought in and cost, and the profit.

Everything comes from `core.services.reports.event_report`: per product the units, the revenue, the unit cost
(today's), the cost of goods and the profit, with a total row that is the sum of the lines; the takings less
the cost of goods, the booth fee and travel; the revenue per payment method; the best sellers; and the
products sold beyond the stock counted at the event. Amounts are in the user's currency.

The report is read again when something it shows may have changed, but only while it is on screen (it costs
every product it lists); it catches up when it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import NotFound
from core.services import reports
from core.services.events import PAYMENT_METHODS
from core.services.reports import EventReport
from desktop.context import AppContext
from desktop.dialogs.forms import currency
from desktop.dialogs.units import money
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel

# What the report shows depends on sales, the event's costs and everything a unit cost is made of.
LISTENS_TO = frozenset(
    {"sales", "events", "products", "variants", "models", "filament", "spools", "printers", "settings"}
)
PRODUCT, UNITS, REVENUE, UNIT_COST, COGS, PROFIT = range(6)
TOTAL_KEY = "\x00total"
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


def method_name(method: str) -> str:
    return {"cash": tr("Cash"), "card": tr("Card"), "other": tr("Other")}.get(method, method)


@dataclass(frozen=True)
class ReportRow:
    key: str
    name: str
    units: int
    revenue_cents: int
    unit_cost_cents: int | None  # None on the total row
    cogs_cents: int
    total: bool = False

    @property
    def profit_cents(self) -> int:
        return self.revenue_cents - self.cogs_cents


def report_rows(report: EventReport) -> list[ReportRow]:
    """The report's lines that sold something (a sale taken back nets out to nothing), then the total."""
    rows = [
        ReportRow(
            line.product_id, line.name, line.units, line.revenue_cents, line.unit_cost_cents, line.cogs_cents
        )
        for line in report.lines
        if line.units or line.revenue_cents
    ]
    if rows:
        rows.append(
            ReportRow(
                TOTAL_KEY,
                tr("Total"),
                report.units,
                report.revenue_cents,
                None,
                report.cogs_cents,
                total=True,
            )
        )
    return rows


class ReportModel(KeyedTableModel[ReportRow]):
    def __init__(self) -> None:
        super().__init__(
            [
                tr("Product"),
                tr("Units"),
                tr("Revenue"),
                tr("Unit cost"),
                tr("Cost of goods"),
                tr("Gross profit"),
            ],
            key=lambda r: r.key,
        )
        self.currency = ""

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column != PRODUCT else None

    def cell(self, item: ReportRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == PRODUCT:
                return item.name
            if column == UNITS:
                return str(item.units)
            if column == UNIT_COST:
                if item.unit_cost_cents is None:
                    return ""
                if not item.unit_cost_cents:
                    return "\u2014" if role == Qt.ItemDataRole.DisplayRole else tr("not known")
                return money(item.unit_cost_cents, self.currency)
            cents = {REVENUE: item.revenue_cents, COGS: item.cogs_cents, PROFIT: item.profit_cents}[column]
            return money(cents, self.currency)
        if role == Qt.ItemDataRole.FontRole and item.total:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == PROFIT and item.profit_cents < 0:
            return colours.danger(QGuiApplication.palette())
        if role == Qt.ItemDataRole.ToolTipRole and column == UNIT_COST:
            if item.unit_cost_cents == 0:
                return tr(
                    "No unit cost is known for this product: give it a variant or a cost of its own in the "
                    "Products tab, or its cost of goods counts as nothing."
                )
            if item.unit_cost_cents:
                return tr("What one costs to make today (filament, machine, labour, extras).")
        if role == Qt.ItemDataRole.ToolTipRole and column == PROFIT:
            return tr("Revenue less the cost of goods, before the booth fee and travel.")
        return None


def _bold(label: QLabel, factor: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    if factor != 1.0:
        font.setPointSizeF(font.pointSizeF() * factor)
    label.setFont(font)
    return label


class Card(QFrame):
    """A titled box of the report's summary row."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(title)
        self.title = _bold(QLabel(title))
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(12, 10, 12, 10)
        self.body.setSpacing(4)
        self.body.addWidget(self.title)


class EventReportPage(QWidget):
    """The report of one event (`show_event`), read when shown and after changes while shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.event_id: str | None = None
        self.report: EventReport | None = None
        self._stale = True
        self.setAccessibleName(tr("Event report"))
        self._build()
        ctx.ops.changed.connect(self._on_changed)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self.oversold = QLabel()
        self.oversold.setWordWrap(True)
        self.oversold.setAccessibleDescription(tr("Sold beyond the stock"))
        palette = self.oversold.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.warning(palette))
        self.oversold.setPalette(palette)
        self.oversold.hide()

        # Takings and profit: revenue less the cost of goods, the booth fee and travel.
        self.money_card = Card(tr("Takings and profit"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(3)
        self.amounts: dict[str, QLabel] = {}
        rows = (
            ("revenue", tr("Revenue")),
            ("cogs", tr("Cost of goods")),
            ("booth", tr("Booth fee")),
            ("travel", tr("Travel")),
            ("profit", tr("Profit")),
        )
        for row, (key, title) in enumerate(rows):
            name = QLabel(title)
            amount = QLabel()
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setAccessibleDescription(title)
            amount.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if key == "profit":
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                grid.addWidget(line, row, 0, 1, 2)
                row += 1
                _bold(name, 1.15)
                _bold(amount, 1.15)
            grid.addWidget(name, row, 0)
            grid.addWidget(amount, row, 1)
            self.amounts[key] = amount
        grid.setColumnStretch(1, 1)
        self.money_card.body.addLayout(grid)
        self.money_card.body.addStretch(1)

        self.payment_card = Card(tr("By payment method"))
        pay_grid = QGridLayout()
        pay_grid.setHorizontalSpacing(18)
        pay_grid.setVerticalSpacing(3)
        self.by_payment: dict[str, QLabel] = {}
        for row, method in enumerate(PAYMENT_METHODS):
            amount = QLabel()
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setAccessibleDescription(
                tr("Paid by {method}").format(method=method_name(method).casefold())
            )
            pay_grid.addWidget(QLabel(method_name(method)), row, 0)
            pay_grid.addWidget(amount, row, 1)
            self.by_payment[method] = amount
        pay_grid.setColumnStretch(1, 1)
        self.payment_card.body.addLayout(pay_grid)
        self.payment_card.body.addStretch(1)

        self.best_card = Card(tr("Best sellers"))
        self.best = QLabel()
        self.best.setWordWrap(True)
        self.best.setAccessibleDescription(tr("Best sellers"))
        self.best.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.best_card.body.addWidget(self.best)
        self.best_card.body.addStretch(1)

        cards = QHBoxLayout()
        cards.addWidget(self.money_card, 3)
        cards.addWidget(self.payment_card, 2)
        cards.addWidget(self.best_card, 2)

        self.model = ReportModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Sales per product"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        self.nothing_sold = QLabel()
        self.nothing_sold.setWordWrap(True)
        palette = self.nothing_sold.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.muted(palette))
        self.nothing_sold.setPalette(palette)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.oversold)
        layout.addLayout(cards)
        layout.addSpacing(4)
        layout.addWidget(self.nothing_sold)
        layout.addWidget(self.table, 1)

    # ---------------------------------------------------------------- reading

    def show_event(self, event_id: str | None) -> None:
        if event_id != self.event_id:
            self.event_id = event_id
            self.report = None
            self._stale = True
        self._refresh_if_seen()

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self._stale = True
            self._refresh_if_seen()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_if_seen()

    def _refresh_if_seen(self) -> None:
        if self._stale and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        if self.event_id is None:
            self.report = None
            self.model.set_rows([])
            return
        try:
            report = reports.event_report(self.ctx.workspace, self.event_id)
        except NotFound:
            self.report = None
            self.model.set_rows([])
            return
        self.report = report
        code = currency(self.ctx)
        self.model.currency = code
        rows = report_rows(report)
        self.model.set_rows(rows)
        if rows:  # the currency may have changed: every cell again
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(len(rows) - 1, PROFIT))
        self.table.setVisible(bool(rows))
        self.nothing_sold.setVisible(not rows)
        self.nothing_sold.setText(
            tr("Nothing sold at {event} yet. Sales tapped in stall mode show here as they happen.").format(
                event=report.event.name
            )
        )
        event = report.event
        self.amounts["revenue"].setText(money(report.revenue_cents, code))
        self.amounts["cogs"].setText(money(-report.cogs_cents, code))
        self.amounts["booth"].setText(money(-event.booth_fee_cents, code))
        self.amounts["travel"].setText(money(-event.travel_cost_cents, code))
        profit = self.amounts["profit"]
        profit.setText(money(report.profit_cents, code))
        palette = self.palette()
        colour = colours.danger(palette) if report.profit_cents < 0 else colours.ok(palette)
        own = profit.palette()
        own.setColor(
            QPalette.ColorRole.WindowText, colour if report.revenue_cents else palette.windowText().color()
        )
        profit.setPalette(own)
        for method, label in self.by_payment.items():
            label.setText(money(report.by_payment.get(method, 0), code))
        best = report.best_sellers()
        if best:
            self.best.setText(
                "\n".join(
                    tr("{place}. {product}: {n} sold").format(place=place, product=line.name, n=line.units)
                    for place, line in enumerate(best, start=1)
                )
            )
        else:
            self.best.setText(tr("None yet."))
        if report.oversold:
            self.oversold.setText(
                tr(
                    "\u26a0 Sold more than was counted at the event: {products}. Count what is left and "
                    "adjust the stock."
                ).format(products=", ".join(report.oversold))
            )
        self.oversold.setVisible(bool(report.oversold))
