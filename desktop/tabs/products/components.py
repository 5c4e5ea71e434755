"""The components of a product (its bill of materials): other products that go with each unit, such as a key
ring, a bag or a card, with how many of each. They count in the product's unit cost.

Each add, change of quantity and removal is saved at once, one `core.services` call through `ctx.ops`; the
list follows `ctx.ops.changed`, so the cost beside the products list moves with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import costing, products
from core.services.views import ProductView
from desktop.context import AppContext
from desktop.dialogs.forms import ErrorLabel, currency
from desktop.dialogs.units import money
from desktop.widgets.keyed_model import KeyedTableModel

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LISTENS_TO = frozenset({"products", "filament", "spools", "printers", "variants", "settings"})


def tr(text: str) -> str:
    return QCoreApplication.translate("ComponentsDialog", text)


@dataclass(frozen=True)
class ComponentRow:
    component_id: str
    name: str
    quantity: int
    unit_cents: int | None  # the component's own unit cost; None where it is not known

    @property
    def cents(self) -> int | None:
        return None if self.unit_cents is None else self.unit_cents * self.quantity


class ComponentsModel(KeyedTableModel[ComponentRow]):
    def __init__(self, currency_code: str) -> None:
        super().__init__(
            [tr("Component"), tr("Quantity"), tr("Each"), tr("Cost")], key=lambda r: r.component_id
        )
        self.currency = currency_code

    def cell_alignment(self, column: int) -> int | None:
        return RIGHT if column >= 1 else None

    def cell(self, item: ComponentRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.name,
                str(item.quantity),
                money(item.unit_cents) if item.unit_cents is not None else tr("not known"),
                money(item.cents) if item.cents is not None else "",
            )[column]
        return None


class ComponentsDialog(QDialog):
    """Add components to a product, change how many, remove them; every change is saved at once."""

    def __init__(self, ctx: AppContext, product: ProductView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.product = product
        self.currency = currency(ctx)
        title = tr("Components of {name}").format(name=product.name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        intro = QLabel(
            tr(
                "What goes with each unit you sell besides the print: a key ring, a bag, a card. Each is a "
                "product of its own, and its cost counts in this one's."
            )
        )
        intro.setWordWrap(True)

        self.model = ComponentsModel(self.currency)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(tr("Components"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(tr("No components yet: choose one below and add it."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        self.total = QLabel()
        self.total.setAccessibleName(tr("Components per unit"))

        self.component = QComboBox()
        self.component.setAccessibleName(tr("Component to add"))
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 10_000)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.quantity.setAccessibleName(tr("How many go with each unit"))
        self.add_button = QPushButton(tr("&Add"))
        self.remove_button = QPushButton(tr("&Remove"))
        self.remove_button.setAccessibleName(tr("Remove the selected component"))
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.component.currentIndexChanged.connect(lambda _i: self._component_chosen())
        choose_label = QLabel(tr("C&omponent:"))
        choose_label.setBuddy(self.component)
        count_label = QLabel(tr("&How many:"))
        count_label.setBuddy(self.quantity)
        add_row = QHBoxLayout()
        add_row.addWidget(choose_label)
        add_row.addWidget(self.component, 1)
        add_row.addWidget(count_label)
        add_row.addWidget(self.quantity)
        add_row.addWidget(self.add_button)
        self.error = ErrorLabel()

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        side = QHBoxLayout()
        side.addWidget(self.total, 1)
        side.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.pages, 1)
        layout.addLayout(side)
        layout.addLayout(add_row)
        layout.addWidget(self.error)
        layout.addWidget(close)
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.remove_selected)
        self.setMinimumWidth(520)
        self.resize(600, 420)

        self._select_next: str | None = None  # a component just added, to select once it is listed
        ctx.ops.changed.connect(self._on_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._row_chosen())
        self.refresh()

    # ---------------------------------------------------------------- contents

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.workspace
        everything = {p.id: p for p in products.list_products(ws, include_archived=True)}
        if self.product.id not in everything:  # deleted meanwhile
            self.reject()
            return
        lines = [(cid, n) for cid, n in products.bom(ws, self.product.id) if cid in everything]
        try:
            costs = costing.product_costs(ws, [cid for cid, _n in lines])
        except PrintstallError:
            costs = {}
        rows = [
            ComponentRow(
                cid,
                everything[cid].name,
                quantity,
                cost.total_cents
                if (cost := costs.get(cid)) and (cost.entered is not None or cost.total)
                else None,
            )
            for cid, quantity in lines
        ]
        self.model.set_rows(sorted(rows, key=lambda r: r.name.casefold()))
        if self._select_next is not None and (row := self.model.row_of(self._select_next)) >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._select_next = None
        self.pages.setCurrentWidget(self.table if rows else self.empty)
        known = [r.cents for r in rows if r.cents is not None]
        self.total.setText(
            tr("Components per unit: {cost}").format(cost=money(sum(known), self.currency)) if rows else ""
        )
        on_list = {r.component_id for r in rows}
        chosen = self.component.currentData()
        self.component.blockSignals(True)
        self.component.clear()
        for p in sorted(everything.values(), key=lambda p: p.name.casefold()):
            if p.id != self.product.id and (not p.archived or p.id in on_list):
                self.component.addItem(p.name, p.id)
        self.component.setCurrentIndex(max(0, self.component.findData(chosen)))
        self.component.blockSignals(False)
        self._component_chosen()
        self.remove_button.setEnabled(self.selected() is not None)

    def selected(self) -> ComponentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _row_chosen(self) -> None:
        row = self.selected()
        self.remove_button.setEnabled(row is not None)
        if row is not None:
            self.component.setCurrentIndex(max(0, self.component.findData(row.component_id)))

    def _component_chosen(self) -> None:
        """A component already on the list: the quantity box shows how many, and the button changes it."""
        self.error.show_error("")
        component_id = self.component.currentData()
        row = self.model.row_of(component_id) if component_id else -1
        self.add_button.setEnabled(component_id is not None)
        if row >= 0:
            self.quantity.setValue(self.model.row_at(row).quantity)
            self.add_button.setText(tr("&Set quantity"))
            self.add_button.setAccessibleName(tr("Set how many of the component go with each unit"))
        else:
            self.add_button.setText(tr("&Add"))
            self.add_button.setAccessibleName(tr("Add the component"))

    # ---------------------------------------------------------------- changes

    def add(self) -> None:
        component_id = self.component.currentData()
        if component_id is None:
            return

        self._select_next = component_id  # once the list shows it
        self.ctx.ops.run(
            products.set_bom_line,
            self.ctx.workspace,
            self.product.id,
            component_id,
            self.quantity.value(),
            changes={"products"},
            on_error=self._failed,
        )

    def remove_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ctx.ops.run(
            products.remove_bom_line,
            self.ctx.workspace,
            self.product.id,
            row.component_id,
            changes={"products"},
            on_error=self._failed,
        )

    def _failed(self, error: PrintstallError) -> None:
        self._select_next = None
        self.error.show_error(str(error))
