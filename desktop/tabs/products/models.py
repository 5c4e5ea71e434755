"""The products table and the stock history table: item models over core's views, and the words for kinds and
movement reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication

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


def margin(p: ProductView) -> float | None:
    if p.cost_cents is None or p.price_cents <= 0:
        return None
    return (p.price_cents - p.cost_cents) / p.price_cents


def stock_state(p: ProductView) -> str:
    """ "oversold", "out", "low" or "" (enough)."""
    if p.on_hand < 0:
        return "oversold"
    if p.on_hand == 0:
        return "out"
    return "low" if p.is_low else ""


class ProductsModel(KeyedTableModel[ProductView]):
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

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column >= COL_ON_HAND else None

    def cell(self, item: ProductView, column: int, role: int) -> Any:
        state = stock_state(item)
        if role == Qt.ItemDataRole.DisplayRole:
            share = margin(item)
            on_hand = str(item.on_hand).replace("-", "\u2212")
            return (
                item.name,
                item.sku,
                kind_label(item.kind),
                on_hand,
                str(item.low_stock) if item.low_stock else "",
                money(item.price_cents) if item.price_cents or item.kind == "printed" else "",
                money(item.cost_cents),
                f"{share:.0%}" if share is not None else "",
            )[column]
        if role == SortRole:
            return (
                item.name.casefold(),
                item.sku.casefold(),
                kind_label(item.kind),
                item.on_hand,
                item.low_stock,
                item.price_cents,
                item.cost_cents if item.cost_cents is not None else -1,
                margin(item) if margin(item) is not None else -1.0,
            )[column]
        palette = QGuiApplication.palette()
        if role == Qt.ItemDataRole.BackgroundRole and state:
            return colours.warning_background(palette)
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.archived:
                return colours.muted(palette)
            if column == COL_ON_HAND and state == "oversold":
                return colours.danger(palette)
            if column == COL_ON_HAND and state:
                return colours.warning(palette)
        if role == Qt.ItemDataRole.FontRole and column == COL_ON_HAND and state:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_ON_HAND and state:
            return {
                "oversold": tr("More sold than was on hand: count the stock and correct it."),
                "out": tr("Out of stock."),
                "low": tr("Low: at or under the low-stock level of {n}.").format(n=item.low_stock),
            }[state]
        return None


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
