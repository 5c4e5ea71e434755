"""A product's unit cost part by part, as the Products tab shows it beside the list.

`cost_lines` turns core's `CostBreakdown` into the lines a user reads (filament per extruder with its grams
and where the price came from, electricity, wear, the failure allowance with its rate, labour, each part of
the bill of materials, or the cost entered by hand). Each line's amount is rounded so that the lines add up
to the total shown (core rounds only the total); the exact amount is in the line's tooltip. `CostView` shows
them with the total, core's warnings and the suggested price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.services.costing import CostBreakdown, Rates
from desktop.dialogs.units import WeightUnit, money, weight
from desktop.widgets import colours

ZERO = Decimal(0)


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductsTab", text)


@dataclass(frozen=True)
class CostLine:
    what: str  # "Filament, extruder 1"
    detail: str  # "37 g at 24.99 EUR/kg · Prusament PLA Orange (spool, Shelf A)"
    exact: Decimal  # cents, as core worked them out
    cents: int = 0  # as shown: rounded so that the lines add up to the total


def shown_cents(parts: list[Decimal], total: int) -> list[int]:
    """Whole cents for `parts` that add up to `total` (their sum rounded): each part rounded down, and the
    cents left over go to the parts with the largest fractions (the largest remainder method)."""
    floors = [math.floor(p) for p in parts]
    left = total - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: parts[i] - floors[i], reverse=True)
    for i in order[: max(0, min(left, len(parts)))]:
        floors[i] += 1
    return floors


def pricing_rule(method: str, percent: int) -> str:
    """How prices are suggested, in words: `"60 % margin"`, `"150 % markup"`."""
    if method == "markup":
        return tr("{n} % markup").format(n=percent)
    return tr("{n} % margin").format(n=percent)


def duration(hours: Decimal) -> str:
    minutes = int((hours * 60).to_integral_value())
    whole, rest = divmod(minutes, 60)
    if whole:
        return tr("{h} h {m:02d} min").format(h=whole, m=rest)
    return tr("{m} min").format(m=rest)


def _number(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cost_lines(cost: CostBreakdown, rates: Rates, unit: WeightUnit, currency: str) -> list[CostLine]:
    """The lines of `cost`, in the order a unit is made: print, hand work, parts."""
    if cost.entered is not None:
        return [
            CostLine(
                tr("Entered by hand"),
                tr("the cost in the product's form, used instead of working it out"),
                cost.entered,
                cost.total_cents,
            )
        ]
    lines: list[CostLine] = []
    several = len(cost.filament) > 1
    for line in cost.filament:
        what = tr("Filament, extruder {n}").format(n=line.slot + 1) if several else tr("Filament")
        grams = weight(int((line.grams * 1000).to_integral_value()), unit)
        if line.cents_per_kg is None:
            detail = tr("{weight}: no price known").format(weight=grams)
        else:
            detail = tr("{weight} at {price}/kg · {source}").format(
                weight=grams, price=money(round(line.cents_per_kg), currency), source=line.source
            )
        lines.append(CostLine(what, detail, line.cents))
    if cost.print_hours > 0:
        rate = rates.electricity_cents_per_kwh
        kwh = cost.electricity / rate if rate > 0 else ZERO
        lines.append(
            CostLine(
                tr("Electricity"),
                tr("{time} on {printer} · {kwh} kWh at {rate}/kWh").format(
                    time=duration(cost.print_hours),
                    printer=cost.printer,
                    kwh=_number(kwh, 3),
                    rate=money(round(rate), currency),
                ),
                cost.electricity,
            )
        )
        hourly = cost.wear / cost.print_hours
        lines.append(
            CostLine(
                tr("Printer wear"),
                tr("{rate} per printing hour").format(rate=money(round(hourly), currency))
                if cost.wear > 0
                else tr("no hourly cost set for {printer}").format(printer=cost.printer),
                cost.wear,
            )
        )
    if cost.filament_total + cost.machine > 0:
        lines.append(
            CostLine(
                tr("Failure allowance"),
                tr("{rate} % of prints fail: the filament and time they waste").format(
                    rate=_number(cost.failure_rate * 100, 1)
                ),
                cost.failure_allowance,
            )
        )
    if cost.labour_minutes > 0:
        labour = tr("{m} min at {rate}/h").format(
            m=_number(cost.labour_minutes, 1), rate=money(round(rates.labour_cents_per_hour), currency)
        )
    else:
        labour = tr("no hand work entered")
    lines.append(CostLine(tr("Labour"), labour, cost.labour))
    for item in cost.bom:
        lines.append(
            CostLine(
                item.name,
                tr("{n} \u00d7 {each}").format(n=item.quantity, each=money(round(item.unit_cents), currency)),
                item.cents,
            )
        )
    rounded = shown_cents([line.exact for line in lines], cost.total_cents)
    return [
        CostLine(line.what, line.detail, line.exact, cents)
        for line, cents in zip(lines, rounded, strict=True)
    ]


def is_known(cost: CostBreakdown | None) -> bool:
    """Whether there is a cost to show: one entered by hand, or anything worked out."""
    return cost is not None and (cost.entered is not None or cost.total > 0)


def _muted(label: QLabel) -> QLabel:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colours.muted(palette))
    label.setPalette(palette)
    return label


def _label(text: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CostView(QWidget):
    """The lines of a unit cost, its total, what core could not cost, and the suggested price with a button
    to use it (the tab connects `use_price`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Cost of one unit"))
        self._lines: list[tuple[QLabel, QLabel, QLabel]] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(1, 1)
        self.rule = QFrame()
        self.rule.setFrameShape(QFrame.Shape.HLine)
        self.rule.setFrameShadow(QFrame.Shadow.Sunken)
        self.total_label = _label(tr("Total"))
        self.total = _label()
        self.total.setAccessibleName(tr("Cost per unit"))
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bold = QFont(self.total.font())
        bold.setBold(True)
        self.total.setFont(bold)
        self.total_label.setFont(bold)
        self.warnings = _label(wrap=True)
        self.warnings.setAccessibleName(tr("What the cost leaves out"))
        palette = self.warnings.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.warning(palette))
        self.warnings.setPalette(palette)
        self.suggestion = _label(wrap=True)
        self.suggestion.setAccessibleName(tr("Suggested price"))
        self.use_price = QPushButton(tr("&Use suggested price"))
        self.use_price.setAccessibleName(tr("Use the suggested price as the price"))
        suggest_row = QHBoxLayout()
        suggest_row.setContentsMargins(0, 0, 0, 0)
        suggest_row.addWidget(self.suggestion, 1)
        suggest_row.addWidget(self.use_price, 0, Qt.AlignmentFlag.AlignVCenter)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(self.grid)
        column.addWidget(self.warnings)
        column.addLayout(suggest_row)

    def show_cost(self, lines: list[CostLine], total_cents: int | None, currency: str) -> None:
        """Show `lines` and the total (None: not known); the caller sets the warnings and the suggestion."""
        for labels in self._lines:
            for label in labels:
                self.grid.removeWidget(label)
                label.deleteLater()
        for widget in (self.rule, self.total_label, self.total):
            self.grid.removeWidget(widget)
        self._lines = []
        for row, line in enumerate(lines):
            what = _label(line.what)
            detail = _muted(_label(line.detail, wrap=True))
            amount = _label(money(line.cents))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            amount.setToolTip(tr("{amount} before rounding").format(amount=_exact(line.exact, currency)))
            amount.setAccessibleName(line.what)
            what.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(what, row, 0)
            self.grid.addWidget(detail, row, 1)
            self.grid.addWidget(amount, row, 2)
            self._lines.append((what, detail, amount))
        self.grid.addWidget(self.rule, len(lines), 0, 1, 3)
        self.grid.addWidget(self.total_label, len(lines) + 1, 0, 1, 2)
        self.grid.addWidget(self.total, len(lines) + 1, 2)
        self.total.setText(money(total_cents, currency) if total_cents is not None else tr("not known"))

    def set_warnings(self, warnings: list[str]) -> None:
        self.warnings.setText("\n".join(f"\u26a0 {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))

    def lines(self) -> list[tuple[str, str, str]]:
        """What each line shows: (what, detail, amount)."""
        return [(a.text(), b.text(), c.text()) for a, b, c in self._lines]


def _exact(cents: Decimal, currency: str) -> str:
    return f"{_number(cents / 100, 4)} {currency}".strip()
