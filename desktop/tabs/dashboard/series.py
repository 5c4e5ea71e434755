"""What each dashboard chart shows, as plain values: built from the `core.services.reports` series in the
user's currency and weight unit, compared to decide whether a chart must be drawn again, and put into words
for screen readers and tooltips.

No matplotlib here: importing it is slow, so `charts.py` does, once the dashboard is first shown.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QLocale

from core.services.reports import EventSales, PrinterLoad, StockLevel
from desktop.dialogs.units import MG_PER, WeightUnit, money, weight

MAX_EVENTS = 5  # the most recent: more pairs of bars than that no longer leave room for their names
MAX_PRODUCTS = 8  # the low ones first: the Products tab has them all
MONTHS = 12
WEEKS = 8


def tr(text: str) -> str:
    return QCoreApplication.translate("dashboard", text)


def short_month(month: int) -> str:
    """`Jan` for 1, in the user's language."""
    return QLocale().monthName(month, QLocale.FormatType.ShortFormat)


def _label(name: str, width: int = 12) -> str:
    """An axis label: a name on at most two lines of about `width` characters."""
    lines = textwrap.wrap(name, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return "\n".join(lines)


def hours_text(value: float) -> str:
    """`12.5 h`, `3 h`."""
    return tr("{n} h").format(n=f"{value:,.1f}".removesuffix(".0"))


# ---------------------------------------------------------------- revenue and profit per event


@dataclass(frozen=True)
class EventBars:
    """Revenue and profit of the most recent events that sold something, oldest first, in cents."""

    names: tuple[str, ...]
    labels: tuple[str, ...]  # what the axis shows under each pair of bars: the name and the month
    revenue_cents: tuple[int, ...]
    profit_cents: tuple[int, ...]
    currency: str
    left_out: int  # older events not shown

    @property
    def empty(self) -> bool:
        return not self.names

    def empty_text(self) -> str:
        return tr("No sales yet. Sell at an event, and each event's revenue and profit show here.")

    def note(self) -> str:
        if not self.left_out:
            return ""
        return tr("The last {n} events with sales.").format(n=len(self.names))

    def summary(self) -> str:
        if self.empty:
            return self.empty_text()
        parts = [
            tr("{event}: revenue {revenue}, profit {profit}").format(
                event=name, revenue=money(revenue, self.currency), profit=money(profit, self.currency)
            )
            for name, revenue, profit in zip(self.names, self.revenue_cents, self.profit_cents, strict=True)
        ]
        return "; ".join(parts) + "."


def event_bars(sales: Sequence[EventSales], currency: str) -> EventBars:
    shown = list(sales)[-MAX_EVENTS:]
    labels = []
    for item in shown:
        label = _label(item.name)
        if item.starts_on:
            day = date.fromisoformat(item.starts_on[:10])
            label += f"\n{short_month(day.month)} {day.year}"
        labels.append(label)
    return EventBars(
        tuple(item.name for item in shown),
        tuple(labels),
        tuple(item.revenue_cents for item in shown),
        tuple(item.profit_cents for item in shown),
        currency,
        len(sales) - len(shown),
    )


# ---------------------------------------------------------------- stock levels


@dataclass(frozen=True)
class StockBars:
    """Units on hand per product (by name), each with its low-stock level (0: none) and its state."""

    names: tuple[str, ...]
    labels: tuple[str, ...]  # the names, long ones shortened
    on_hand: tuple[int, ...]
    low_at: tuple[int, ...]
    states: tuple[str, ...]  # "oversold", "out", "low" or ""
    left_out: int  # products not shown (low ones only when more are low than there is room for)

    @property
    def empty(self) -> bool:
        return not self.names

    def empty_text(self) -> str:
        return tr("No products yet. Add what you sell in the Products tab to see its stock here.")

    def note(self) -> str:
        if not self.left_out:
            return ""
        total = len(self.names) + self.left_out
        if all(self.states):  # the room went to low ones: there may be more
            return tr("{n} of {total} products, all of them low; the Products tab lists every one.").format(
                n=len(self.names), total=total
            )
        return tr("{n} of {total} products, every low one among them.").format(n=len(self.names), total=total)

    def summary(self) -> str:
        if self.empty:
            return self.empty_text()
        words = {
            "oversold": tr("oversold"),
            "out": tr("out of stock"),
            "low": tr("low"),
            "": "",
        }
        parts = []
        for name, on_hand, low_at, state in zip(
            self.names, self.on_hand, self.low_at, self.states, strict=True
        ):
            text = tr("{product}: {n} on hand").format(product=name, n=on_hand)
            if state:
                text += ", " + words[state]
            if low_at:
                text += " " + tr("(low at {n})").format(n=low_at)
            parts.append(text)
        return "; ".join(parts) + "."


def stock_state(on_hand: int, low_at: int) -> str:
    """As the Products tab flags a product: below zero, none left, at or under its low level, or enough."""
    if on_hand < 0:
        return "oversold"
    if on_hand == 0:
        return "out"
    return "low" if on_hand <= low_at else ""


def stock_bars(levels: Sequence[StockLevel]) -> StockBars:
    states = [stock_state(level.on_hand, level.low_stock) for level in levels]
    chosen = [n for n, state in enumerate(states) if state]
    chosen += [n for n, state in enumerate(states) if not state]
    keep = sorted(chosen[:MAX_PRODUCTS])  # back in the services' order: by name
    return StockBars(
        tuple(levels[n].name for n in keep),
        tuple(textwrap.shorten(levels[n].name, 24, placeholder="…") for n in keep),
        tuple(levels[n].on_hand for n in keep),
        tuple(levels[n].low_stock for n in keep),
        tuple(states[n] for n in keep),
        len(levels) - len(keep),
    )


# ---------------------------------------------------------------- filament used per month


@dataclass(frozen=True)
class MonthBars:
    """Filament used per calendar month, oldest first, in milligrams."""

    months: tuple[str, ...]  # YYYY-MM
    labels: tuple[str, ...]  # "Mar", with the year under January and under the first month
    used_mg: tuple[int, ...]
    unit: WeightUnit

    @property
    def empty(self) -> bool:
        return not any(self.used_mg)

    def empty_text(self) -> str:
        return tr(
            "No filament used in the last 12 months. Finish a print or record usage on a spool to see it "
            "here."
        )

    def note(self) -> str:
        return ""

    def amounts(self) -> list[float]:
        """The bar heights, in the user's unit."""
        return [float(Decimal(mg) / MG_PER[self.unit]) for mg in self.used_mg]

    def summary(self) -> str:
        if self.empty:
            return self.empty_text()
        total = weight(sum(self.used_mg), self.unit)
        parts = [
            tr("{month}: {weight}").format(
                month=f"{short_month(int(key[5:7]))} {key[:4]}", weight=weight(mg, self.unit)
            )
            for key, mg in zip(self.months, self.used_mg, strict=True)
            if mg
        ]
        return tr("{total} in the last 12 months.").format(total=total) + " " + "; ".join(parts) + "."


def month_bars(used: Sequence[tuple[str, int]], unit: WeightUnit) -> MonthBars:
    labels = []
    for number, (key, _mg) in enumerate(used):
        year, month = int(key[:4]), int(key[5:7])
        label = short_month(month)
        if number == 0 or month == 1:
            label += f"\n{year}"
        labels.append(label)
    return MonthBars(tuple(k for k, _ in used), tuple(labels), tuple(mg for _, mg in used), unit)


# ---------------------------------------------------------------- queue load


@dataclass(frozen=True)
class LoadBars:
    """Hours printed per printer per week (oldest first) and the hours waiting in each queue now."""

    weeks: tuple[str, ...]  # Monday's date, YYYY-MM-DD
    labels: tuple[str, ...]  # "12 Jan"
    printers: tuple[str, ...]
    hours: tuple[tuple[float, ...], ...]  # per printer, per week
    queued: tuple[float, ...]  # per printer

    @property
    def empty(self) -> bool:
        return not self.printers or not (any(any(h) for h in self.hours) or any(self.queued))

    def empty_text(self) -> str:
        if not self.printers:
            return tr("No printers yet. Add one (Edit › Printers…) to see how busy it is.")
        return tr("Nothing printed in the last 8 weeks and nothing queued.")

    def note(self) -> str:
        return ""

    def summary(self) -> str:
        if self.empty:
            return self.empty_text()
        parts = [
            tr("{printer}: {printed} printed, {queued} queued now").format(
                printer=name, printed=hours_text(sum(hours)), queued=hours_text(queued)
            )
            for name, hours, queued in zip(self.printers, self.hours, self.queued, strict=True)
        ]
        return tr("Hours printed in the last 8 weeks.") + " " + "; ".join(parts) + "."


def load_bars(loads: Sequence[PrinterLoad]) -> LoadBars:
    weeks = tuple(monday for monday, _ in loads[0].weeks) if loads else ()
    labels = []
    for monday in weeks:
        day = date.fromisoformat(monday)
        labels.append(f"{day.day} {short_month(day.month)}")
    return LoadBars(
        weeks,
        tuple(labels),
        tuple(load.name for load in loads),
        tuple(tuple(hours for _, hours in load.weeks) for load in loads),
        tuple(load.queued_hours for load in loads),
    )
