"""Filament for the queue: what the queued and printing jobs need of each filament, what the shelf holds of
it, what is short, and what to buy (whole spools and what they cost), from
`core.services.planning.filament_plan`.

The window is not modal, so it can stay open beside the queue; it reads the plan again whenever an operation
changes jobs, spools, filaments or variants.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.services import planning
from core.services.matching import FilamentNeed
from core.services.planning import Purchase
from desktop.context import AppContext
from desktop.dialogs.forms import currency, weight_unit
from desktop.dialogs.units import WeightUnit, money, weight
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel
from desktop.widgets.tables import read_only_table

LISTENS_TO = frozenset({"jobs", "spools", "filament", "variants", "models", "printers", "settings"})
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def tr(text: str) -> str:
    return QCoreApplication.translate("FilamentPlan", text)


def need_key(need: FilamentNeed) -> str:
    return f"{need.filament_id or ''}\x1f{need.label}"


class NeedsModel(KeyedTableModel[FilamentNeed]):
    """Per filament: needed, on the shelf, short (the short ones first, as core orders them)."""

    def __init__(self) -> None:
        super().__init__(
            [tr("Filament"), tr("Needed"), tr("On the shelf"), tr("Short"), tr("Jobs")], key=need_key
        )
        self.unit: WeightUnit = "g"

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column >= 1 else None

    def cell(self, item: FilamentNeed, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.label,
                weight(item.needed_mg, self.unit),
                weight(item.on_shelf_mg, self.unit),
                weight(item.short_mg, self.unit) if item.short_mg else "",
                str(len(item.job_ids)),
            )[column]
        if item.short_mg and role == Qt.ItemDataRole.BackgroundRole:
            return colours.warning_background(QGuiApplication.palette())
        if item.short_mg and role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return colours.danger(QGuiApplication.palette())
        return None


def to_buy_text(purchase: Purchase, unit: WeightUnit) -> str:
    """'2 spools of 1,000 g' or, where no spool size is known, the weight that is short."""
    if purchase.spools:
        size = weight(purchase.net_weight_mg, unit)
        if purchase.spools == 1:
            return tr("1 spool of {size}").format(size=size)
        return tr("{n} spools of {size}").format(n=purchase.spools, size=size)
    return tr("{weight} (no spool of it on the shelf to go by)").format(
        weight=weight(purchase.need.short_mg, unit)
    )


class PurchasesModel(KeyedTableModel[Purchase]):
    def __init__(self) -> None:
        super().__init__([tr("Filament"), tr("Buy"), tr("Cost")], key=lambda p: need_key(p.need))
        self.unit: WeightUnit = "g"
        self.currency = ""

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column == 2 else None

    def cell(self, item: Purchase, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.label,
                to_buy_text(item, self.unit),
                money(item.cost_cents, self.currency) if item.spools and item.cost_cents else "",
            )[column]
        return None


def _table(model: KeyedTableModel[Any], name: str) -> QTableView:
    return read_only_table(model, name, show_grid=False)


class FilamentPlanDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = tr("Filament for the queue")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.plan: planning.FilamentPlan | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("What the queue needs"))
        self.needs = NeedsModel()
        self.needs_view = _table(self.needs, tr("Filament the queue needs"))
        self.buy_heading = QLabel(tr("What to buy"))
        font = QFont(self.buy_heading.font())
        font.setBold(True)
        self.buy_heading.setFont(font)
        self.purchases = PurchasesModel()
        self.buy_view = _table(self.purchases, tr("What to buy"))
        self.buy_total = QLabel()
        self.buy_total.setAccessibleName(tr("What buying it costs"))
        self.buy_total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.buy_total.setFont(font)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.needs_view, 3)
        layout.addSpacing(6)
        layout.addWidget(self.buy_heading)
        layout.addWidget(self.buy_view, 2)
        layout.addWidget(self.buy_total)
        layout.addWidget(close)
        self.resize(680, 460)
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.workspace
        unit = weight_unit(self.ctx)
        code = currency(self.ctx)
        self.plan = plan = planning.filament_plan(ws)
        self.needs.unit = self.purchases.unit = unit
        self.purchases.currency = code
        self.needs.set_rows(list(plan.usage.needs))
        self.purchases.set_rows(list(plan.to_buy))
        short = len(plan.to_buy)
        if not plan.usage.needs:
            text = tr("Nothing queued needs filament.")
        elif not short:
            text = tr("The shelf holds all the filament the queued and printing jobs need.")
        elif short == 1:
            text = tr("The queue runs short of 1 filament: buy it before you start the jobs that need it.")
        else:
            text = tr("The queue runs short of {n} filaments: buy them before you start the jobs that need "
                      "them.").format(n=short)  # fmt: skip
        self.summary.setText(text)
        for widget in (self.buy_heading, self.buy_view, self.buy_total):
            widget.setVisible(bool(short))
        self.needs_view.setVisible(bool(plan.usage.needs))
        total = sum(p.cost_cents for p in plan.to_buy if p.spools)
        self.buy_total.setText(tr("In all: {cost}").format(cost=money(total, code)) if total else "")
