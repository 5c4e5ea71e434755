"""The products table and the stock history table: item models over core's views, and the words for kinds and
movement reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication

from core.errors import ValidationError
from core.services.costing import CostBreakdown, Rates, margin_percent, suggested_price
from core.services.views import MovementView, ProductView
from desktop.dialogs.units import money
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel

SortRole = Qt.ItemDataRole.UserRole + 10  # what a column sorts by (numbers as numbers)

COL_NAME, COL_SKU, COL_KIND, COL_ON_HAND, COL_LOW, COL_PRICE, COL_COST, COL_MARGIN = range(8)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductsTab", text)


def kind_label(kind: str) -> str:
    return {"printed": tr("Printed"), "accessory": tr("Accessory"), "packaging": tr("Packaging")}.get(
        kind, kind
    )


def reason_label(reason: str) -> str:
    """Words for a stock movement's reason (core's ADJUST_REASONS and what jobs, events and sales write)."""
    return {
        "adjust": tr("Correction"),
        "count": tr("Stock count"),
        "damaged": tr("Damaged"),
        "gift": tr("Given away"),
        "consumed": tr("Used up"),
        "found": tr("Found"),
        "printed": tr("Printed"),
        "sold": tr("Sold"),
        "packed": tr("Packed for an event"),
        "returned": tr("Back from an event"),
    }.get(reason, reason)


def margin(p: ProductView, cost: CostBreakdown | None) -> Decimal | None:
    """The share of the price that is profit, in per cent; None without a price or a known cost."""
    if cost is None or (cost.entered is None and cost.total <= 0):
        return None
    return margin_percent(p.price_cents, cost.total)


def margin_text(share: Decimal) -> str:
    """76.25 -> "76%"; a loss with a typographic minus: "\u221212%"."""
    whole = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return tr("{n}%").format(n=str(whole).replace("-", "\u2212"))


def stock_state(p: ProductView) -> str:
    """ "oversold", "out", "low" or "" (enough)."""
    if p.on_hand < 0:
        return "oversold"
    if p.on_hand == 0:
        return "out"
    return "low" if p.is_low else ""


class ProductsModel(KeyedTableModel[ProductView]):
    """The products, with the unit cost core worked out for each (`costs`) and the margin it leaves; a price
    under the one the pricing rule suggests (`rates`) flags its margin as low, and a loss more loudly."""

    def __init__(self, currency: str) -> None:
        super().__init__(
            [
                tr("Product"),
                tr("SKU"),
                tr("Kind"),
                tr("On hand"),
                tr("Low at"),
                tr("Price"),
                tr("Cost"),
                tr("Margin"),
            ],
            key=lambda p: p.id,
        )
        self.currency = currency
        self.costs: Mapping[str, CostBreakdown] = {}
        self.rates: Rates | None = None

    def set_products(self, rows: list[ProductView], costs: Mapping[str, CostBreakdown], rates: Rates) -> None:
        """Show `rows` with their `costs`; cost and margin cells whose numbers changed are repainted even
        when the product itself did not change (a spool's price, a setting)."""
        before, self.costs = self.costs, dict(costs)
        rates_changed, self.rates = rates != self.rates, rates
        self.set_rows(rows)
        for row, item in enumerate(self.rows()):
            if rates_changed or before.get(item.id) != self.costs.get(item.id):
                self.dataChanged.emit(self.index(row, COL_COST), self.index(row, COL_MARGIN))

    def suggested(self, cost: CostBreakdown) -> int | None:
        """The price the pricing rule suggests for `cost` (None for a rule that cannot price)."""
        if self.rates is None:
            return None
        try:
            return suggested_price(cost.total, self.rates.pricing_method, self.rates.pricing_percent)
        except ValidationError:
            return None

    def cost_of(self, item: ProductView) -> CostBreakdown | None:
        cost = self.costs.get(item.id)
        return cost if cost is not None and (cost.entered is not None or cost.total > 0) else None

    def margin_state(self, item: ProductView) -> str:
        """ "loss" (nothing or less left of the price), "low" (priced under the suggested price) or ""."""
        cost = self.cost_of(item)
        share = margin(item, cost)
        if cost is None or share is None:
            return ""
        if share <= 0:
            return "loss"
        suggested = self.suggested(cost)
        return "low" if suggested is not None and item.price_cents < suggested else ""

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column >= COL_ON_HAND else None

    def cell(self, item: ProductView, column: int, role: int) -> Any:
        state = stock_state(item)
        cost = self.cost_of(item)
        share = margin(item, cost)
        if role == Qt.ItemDataRole.DisplayRole:
            on_hand = str(item.on_hand).replace("-", "\u2212")
            return (
                item.name,
                item.sku,
                kind_label(item.kind),
                on_hand,
                str(item.low_stock) if item.low_stock else "",
                money(item.price_cents) if item.price_cents or item.kind == "printed" else "",
                money(cost.total_cents) if cost is not None else "",
                margin_text(share) if share is not None else "",
            )[column]
        if role == SortRole:
            return (
                item.name.casefold(),
                item.sku.casefold(),
                kind_label(item.kind),
                item.on_hand,
                item.low_stock,
                item.price_cents,
                cost.total_cents if cost is not None else -1,
                float(share) if share is not None else -1e9,
            )[column]
        palette = QGuiApplication.palette()
        margin_state = self.margin_state(item) if column == COL_MARGIN else ""
        if role == Qt.ItemDataRole.BackgroundRole and (state or margin_state):
            return colours.warning_background(palette)
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.archived:
                return colours.muted(palette)
            if column == COL_ON_HAND and state == "oversold":
                return colours.danger(palette)
            if column == COL_ON_HAND and state:
                return colours.warning(palette)
            if margin_state:
                return colours.danger(palette) if margin_state == "loss" else colours.warning(palette)
            if column == COL_COST and self.costs.get(item.id, _NO_COST).warnings:
                return colours.warning(palette)
        if role == Qt.ItemDataRole.FontRole and ((column == COL_ON_HAND and state) or margin_state == "loss"):
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column, state, margin_state)
        return None

    def _tooltip(self, item: ProductView, column: int, state: str, margin_state: str) -> str | None:
        if column == COL_ON_HAND and state:
            return {
                "oversold": tr("More sold than was on hand: count the stock and correct it."),
                "out": tr("Out of stock."),
                "low": tr("Low: at or under the low-stock level of {n}.").format(n=item.low_stock),
            }[state]
        if column == COL_MARGIN and margin_state:
            if margin_state == "loss":
                return tr("Sold at a loss: the price does not cover what one costs.")
            cost = self.cost_of(item)
            suggested = self.suggested(cost) if cost is not None else None
            return tr("Priced under the suggested {price}: see the cost beside the list.").format(
                price=money(suggested)
            )
        if column == COL_COST:
            cost = self.costs.get(item.id)
            if cost is not None and cost.warnings:
                return "\n".join(cost.warnings)
            if cost is not None and cost.entered is not None:
                return tr("Entered by hand.")
        return None


_NO_COST = CostBreakdown()


@dataclass(frozen=True)
class HistoryRow:
    """A stock movement with what the history shows beside it."""

    movement: MovementView
    where: str  # "Home" or the event's name
    on_hand_after: int | None  # at home, after this movement (None for movements at an event)


def local_time(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def history_rows(movements: list[MovementView], event_names: dict[str, str]) -> list[HistoryRow]:
    """Newest first, with the stock at home after each home movement."""
    rows: list[HistoryRow] = []
    balance = 0
    for m in movements:  # oldest first
        if m.event_id is None:
            balance += m.quantity
            rows.append(HistoryRow(m, tr("Home"), balance))
        else:
            rows.append(HistoryRow(m, event_names.get(m.event_id, tr("An event")), None))
    return rows[::-1]


class HistoryModel(KeyedTableModel[HistoryRow]):
    def __init__(self) -> None:
        super().__init__(
            [tr("When"), tr("Change"), tr("Reason"), tr("Where"), tr("Note"), tr("On hand")],
            key=lambda r: r.movement.id,
        )

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column in (1, 5) else None

    def cell(self, item: HistoryRow, column: int, role: int) -> Any:
        m = item.movement
        if role == Qt.ItemDataRole.DisplayRole:
            change = f"{m.quantity:+d}".replace("-", "\u2212")
            after = "" if item.on_hand_after is None else str(item.on_hand_after).replace("-", "\u2212")
            return (local_time(m.at), change, reason_label(m.reason), item.where, m.note, after)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            palette = QGuiApplication.palette()
            return colours.ok(palette) if m.quantity > 0 else colours.danger(palette)
        if role == Qt.ItemDataRole.ToolTipRole and m.note:
            return m.note
        return None
