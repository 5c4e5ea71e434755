"""The Products tab: the products with their stock at home, price, unit cost and margin (low stock and low
margins flagged); beside the list, the selected product's stock, its unit cost part by part with the
suggested price, and its stock history; and the actions (add, edit, adjust stock, components, delete).

Costs come from `core.services.costing`, worked out for every product in one call per refresh. Every action is
one `core.services` call through `ctx.ops`; the tab refreshes from `ctx.ops.changed` and never polls.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import costing, events, products, records
from core.services.costing import CostBreakdown, Rates
from core.services.labels import label_for_product
from core.services.views import ProductView
from desktop.context import AppContext
from desktop.dialogs.forms import currency, open_form, weight_unit
from desktop.dialogs.units import WeightUnit, money
from desktop.labels import LabelDialog
from desktop.tabs.products.components import ComponentsDialog
from desktop.tabs.products.cost import CostView, cost_lines, is_known, pricing_rule
from desktop.tabs.products.dialogs import AdjustStockDialog, ProductDialog
from desktop.tabs.products.models import (
    COL_COST,
    COL_KIND,
    COL_LOW,
    COL_MARGIN,
    COL_NAME,
    COL_ON_HAND,
    COL_PRICE,
    COL_SKU,
    HistoryModel,
    ProductsModel,
    SortRole,
    history_rows,
    kind_label,
    margin,
    margin_text,
    stock_state,
)
from desktop.widgets import colours
from desktop.widgets.actions import tab_action
from desktop.widgets.empty_state import EmptyState
from desktop.widgets.keyboard import tab_order
from desktop.widgets.toolbar import FilterBox, action_row
from desktop.widgets.undo_bar import UndoBar

# What a unit costs depends on: products and their components, prices of spools and filament, printers,
# variants and the rates in settings. Stock, sales and events change only what is on hand.
COST_KINDS = frozenset({"products", "filament", "spools", "printers", "variants", "settings"})
KINDS = COST_KINDS | {"stock", "sales", "events"}


class ProductFilter(QSortFilterProxyModel):
    """Sorts by each column's SortRole; keeps the rows whose name or SKU contains the filter text."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SortRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.text = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # type: ignore[override]
        if not self.text:
            return True
        model = self.sourceModel()
        assert isinstance(model, ProductsModel)
        product = model.row_at(source_row)
        return self.text in product.name.casefold() or self.text in product.sku.casefold()


class ProductsTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.currency = currency(ctx)
        self.unit: WeightUnit = weight_unit(ctx)
        self.products: list[ProductView] = []  # what the list shows
        self.costs: dict[str, CostBreakdown] = {}  # every live product's unit cost, read with the list
        self.rates: Rates = costing.rates(ctx.workspace)
        self.suggested: int | None = None  # the suggested price of the selected product
        self.any_products = False  # archived ones too
        self._select_next: str | None = None
        self.model = ProductsModel(self.currency)
        self.proxy = ProductFilter()
        self.proxy.setSourceModel(self.model)
        self.history = HistoryModel()
        self._build_actions()
        self._build()
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    # ---------------------------------------------------------------- building

    def _build_actions(self) -> None:
        self.act_add = tab_action(
            self,
            self.tr("&Add product…"),
            QKeySequence.StandardKey.New,
            lambda: self.open_add(),
            self.tr("Add a product"),
        )
        self.act_edit = tab_action(
            self, self.tr("Ed&it…"), "F2", lambda: self.open_edit(), self.tr("Edit the selected product")
        )
        self.act_adjust = tab_action(
            self,
            self.tr("Adjust &stock…"),
            None,
            lambda: self.open_adjust(),
            self.tr("Adjust the stock on hand"),
        )
        self.act_adjust.setToolTip(self.tr("Adjust the stock on hand (Enter)"))
        self.act_delete = tab_action(
            self,
            self.tr("&Delete"),
            QKeySequence.StandardKey.Delete,
            self.delete_selected,
            self.tr("Delete the selected product"),
        )
        self.act_components = tab_action(
            self,
            self.tr("&Components…"),
            None,
            lambda: self.open_components(),
            self.tr("What goes with each unit of the selected product"),
        )
        self.act_use_price = tab_action(
            self,
            self.tr("&Use suggested price"),
            None,
            self.use_suggested_price,
            self.tr("Use the suggested price as the price"),
        )
        self.act_label = tab_action(
            self,
            self.tr("Print la&bel…"),
            "Ctrl+P",
            lambda: self.open_labels(),
            self.tr("Print a QR label for the selected product"),
        )
        self.act_filter = tab_action(
            self,
            self.tr("&Filter…"),
            QKeySequence.StandardKey.Find,
            lambda: self.focus_filter(),
            self.tr("Filter the products"),
        )

    def _build(self) -> None:
        bar, buttons = action_row([self.act_add, None, self.act_edit, self.act_adjust, self.act_delete])
        bar.addSpacing(12)
        self.filter = FilterBox(
            self.tr("Filter by name or SKU…"), self.tr("Filter the products"), self.focus_main
        )
        self.filter.textChanged.connect(self._filter_changed)
        bar.addWidget(self.filter, 1)
        self.show_archived = QCheckBox(self.tr("Show a&rchived"))
        self.show_archived.setChecked(
            str(self.ctx.settings.value("products/show_archived", "false")) == "true"
        )
        self.show_archived.toggled.connect(self._archived_toggled)
        bar.addSpacing(12)
        bar.addWidget(self.show_archived)

        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Products"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; the arrows move in it
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (COL_SKU, 90),
            (COL_KIND, 90),
            (COL_ON_HAND, 76),
            (COL_LOW, 64),
            (COL_PRICE, 80),
            (COL_COST, 80),
            (COL_MARGIN, 66),
        ):
            header.resizeSection(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(lambda _index: self.open_adjust())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

        self.empty = EmptyState(self.tr("No products"))
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pages)
        self.detail_pane = self._build_detail()
        splitter.addWidget(self.detail_pane)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 560])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Products summary"))
        self.undo_bar = UndoBar(self)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.summary)
        tab_order(
            *buttons,
            self.filter,
            self.show_archived,
            self.table,
            self.empty.button,
            self.adjust_button,
            self.components_button,
            self.cost_view.use_price,
            self.history_view,
            self.undo_bar.undo_button,
            self.undo_bar.close_button,
        )

    def _build_detail(self) -> QWidget:
        pane = QWidget()
        pane.setAccessibleName(self.tr("Stock of the selected product"))
        self.detail_name = QLabel()
        font = QFont(self.detail_name.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.detail_name.setFont(font)
        self.detail_name.setWordWrap(True)
        self.detail_facts = QLabel()
        self.detail_facts.setWordWrap(True)
        self.on_hand = QLabel()
        big = QFont(self.on_hand.font())
        big.setPointSizeF(big.pointSizeF() * 2.2)
        big.setBold(True)
        self.on_hand.setFont(big)
        self.on_hand.setAccessibleName(self.tr("On hand"))
        self.on_hand_caption = QLabel()
        self.on_hand_caption.setWordWrap(True)
        adjust = QPushButton(self.tr("Adjust stock…"))
        adjust.setAccessibleName(self.tr("Adjust the stock on hand"))
        adjust.clicked.connect(lambda: self.open_adjust())
        self.adjust_button = adjust
        stock_row = QHBoxLayout()
        stock_row.addWidget(self.on_hand)
        stock_row.addWidget(self.on_hand_caption, 1)
        stock_row.addWidget(adjust, 0, Qt.AlignmentFlag.AlignVCenter)

        bold = QFont(self.on_hand_caption.font())
        bold.setBold(True)
        cost_title = QLabel(self.tr("Cost of one unit"))
        cost_title.setFont(bold)
        components = QPushButton(self.tr("Components…"))
        components.setAccessibleName(self.tr("Components of the selected product"))
        components.setToolTip(self.tr("What goes with each unit: a key ring, a bag, a card"))
        components.clicked.connect(lambda: self.open_components())
        self.components_button = components
        cost_row = QHBoxLayout()
        cost_row.addWidget(cost_title, 1)
        cost_row.addWidget(components)
        self.cost_view = CostView()
        self.cost_view.use_price.clicked.connect(self.use_suggested_price)

        history_title = QLabel(self.tr("Stock history"))
        history_title.setFont(bold)
        self.history_view = QTableView()
        self.history_view.setAccessibleName(self.tr("Stock history"))
        self.history_view.setModel(self.history)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.setTabKeyNavigation(False)
        self.history_view.setShowGrid(False)
        self.history_view.setWordWrap(False)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.verticalHeader().hide()
        self.history_view.verticalHeader().setDefaultSectionSize(
            self.history_view.fontMetrics().height() + 10
        )
        header = self.history_view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for section in (2, 3, 4):  # reason, where, note: share what is left, elided (tooltip: the note)
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.Stretch)
        self.history_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history_empty = QLabel(self.tr("No stock movements yet."))
        self.history_empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.history_empty.setContentsMargins(0, 24, 0, 0)

        chosen = QWidget()
        column = QVBoxLayout(chosen)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail_name)
        column.addWidget(self.detail_facts)
        column.addLayout(stock_row)
        column.addSpacing(8)
        column.addLayout(cost_row)
        column.addWidget(self.cost_view)
        column.addSpacing(8)
        column.addWidget(history_title)
        column.addWidget(self.history_view, 1)
        column.addWidget(self.history_empty, 1)

        nothing = QLabel(self.tr("Choose a product to see its stock, its cost and its history."))
        nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nothing.setWordWrap(True)
        self.detail_pages = QStackedWidget()
        self.detail_pages.addWidget(chosen)
        self.detail_pages.addWidget(nothing)
        self.detail_chosen, self.detail_nothing = chosen, nothing
        outer = QVBoxLayout(pane)
        outer.setContentsMargins(8, 0, 0, 0)
        outer.addWidget(self.detail_pages)
        return pane

    # ---------------------------------------------------------------- keyboard

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        assert self.undo_bar.undo_action is not None
        return [
            self.undo_bar.undo_action,
            None,
            self.act_add,
            self.act_edit,
            self.act_adjust,
            self.act_components,
            self.act_use_price,
            self.act_label,
            self.act_delete,
            None,
            self.act_filter,
        ]

    def focus_main(self) -> None:
        """Put the keyboard focus on the products (on the first when none is chosen), or on the way out of an
        empty list."""
        if self.pages.currentWidget() is self.empty:
            self.empty.button.setFocus()
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.selected() is None and self.proxy.rowCount():
            self.table.selectRow(0)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    # ---------------------------------------------------------------- contents

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if "settings" in kinds:
            self.currency = currency(self.ctx)
            self.unit = weight_unit(self.ctx)
            self.model.currency = self.currency
        if kinds & KINDS:
            self.refresh(recost=bool(kinds & COST_KINDS))

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._show_page()
        self._selection_changed()

    def _archived_toggled(self, on: bool) -> None:
        self.ctx.settings.setValue("products/show_archived", "true" if on else "false")
        self.refresh()

    def refresh(self, *, recost: bool = True) -> None:
        """Read the products again, and (`recost`) their unit costs: one costing call for the whole list."""
        everything = products.list_products(self.ctx.workspace, include_archived=True)
        self.any_products = bool(everything)
        show_archived = self.show_archived.isChecked()
        self.products = [p for p in everything if show_archived or not p.archived]
        ws = self.ctx.workspace
        if recost or any(p.id not in self.costs for p in everything):
            self.rates = costing.rates(ws)
            try:
                self.costs = costing.product_costs(ws)  # one read for the whole list
            except PrintstallError:  # a product deleted meanwhile by another process: costed next time
                self.costs = {}
        self.model.set_products(self.products, self.costs, self.rates)
        self._show_page()
        live = [p for p in self.products if not p.archived]
        low = sum(1 for p in live if stock_state(p))
        if not live:
            self.summary.setText("")
        else:
            text = self.tr("1 product") if len(live) == 1 else self.tr("{n} products").format(n=len(live))
            if low:
                text += " \u00b7 " + (
                    self.tr("1 low on stock") if low == 1 else self.tr("{n} low on stock").format(n=low)
                )
            self.summary.setText(text)
        if self._select_next is not None:
            self.select(self._select_next)
        self._selection_changed()

    def _show_page(self) -> None:
        self.filter.setVisible(self.any_products)
        self.show_archived.setVisible(self.any_products)
        self.detail_pane.setVisible(bool(self.products))
        if not self.any_products:
            self.empty.show_state(
                self.tr(
                    "No products yet.\nAdd what you sell (prints, accessories) and what you pack them in."
                ),
                self.tr("Add a product…"),
                self.open_add,
            )
            self.pages.setCurrentWidget(self.empty)
        elif not self.products:
            self.empty.show_state(
                self.tr("Every product is archived."),
                self.tr("Show archived products"),
                lambda: self.show_archived.setChecked(True),
            )
            self.pages.setCurrentWidget(self.empty)
        elif self.proxy.rowCount() == 0:
            self.empty.show_state(
                self.tr("No product matches “{text}”.").format(text=self.filter.text()),
                self.tr("Clear the filter"),
                self.filter.clear,
            )
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.table)

    # ---------------------------------------------------------------- selection and detail

    def selected(self) -> ProductView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def select(self, product_id: str) -> None:
        """Select a product; one not listed yet (just added or restored) is selected once it is."""
        row = self.model.row_of(product_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
        self._select_next = None if index.isValid() or row >= 0 else product_id
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)

    def select_product(self, product_id: str) -> bool:
        """Show and select a product (a scanned label's): archived products are shown and the filter is
        cleared when they hid it. False when there is no such product."""
        try:
            product = products.get_product(self.ctx.workspace, product_id)
        except PrintstallError:
            return False
        if product.archived and not self.show_archived.isChecked():
            self.show_archived.setChecked(True)  # refreshes
        if self.filter.text():
            self.filter.clear()  # refreshes
        self.select(product_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        selected = self.selected()
        return selected is not None and selected.id == product_id

    def open_labels(self) -> LabelDialog | None:
        """The label dialog for the selected product."""
        product = self.selected()
        if product is None:
            return None
        try:
            label = label_for_product(self.ctx.workspace, product.id)
        except PrintstallError as error:
            self.ctx.ops.failed.emit(str(error))
            return None
        dialog = LabelDialog(self.ctx, [label], self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _selection_changed(self) -> None:
        product = self.selected()
        for action in (self.act_edit, self.act_adjust, self.act_components, self.act_label, self.act_delete):
            action.setEnabled(product is not None)
        self._show_cost(product)
        if product is None:
            self.detail_pages.setCurrentWidget(self.detail_nothing)
            self.history.set_rows([])
            return
        self.detail_pages.setCurrentWidget(self.detail_chosen)
        self.detail_name.setText(product.name)
        facts = [p for p in (product.sku, kind_label(product.kind)) if p]
        if product.price_cents:
            facts.append(self.tr("sells for {price}").format(price=money(product.price_cents, self.currency)))
        cost = self.model.cost_of(product)
        if cost is not None:
            facts.append(self.tr("costs {cost}").format(cost=money(cost.total_cents, self.currency)))
            share = margin(product, cost)
            if share is not None:
                facts.append(self.tr("{share} margin").format(share=margin_text(share)))
        if product.archived:
            facts.append(self.tr("archived"))
        self.detail_facts.setText(" \u00b7 ".join(facts))
        self.on_hand.setText(str(product.on_hand).replace("-", "\u2212"))
        state = stock_state(product)
        caption = {
            "oversold": self.tr("on hand: more were sold than counted. Count them and correct the stock."),
            "out": self.tr("on hand: out of stock."),
            "low": self.tr("on hand: low (flagged at {n} or fewer).").format(n=product.low_stock),
            "": self.tr("on hand at home"),
        }[state]
        self.on_hand_caption.setText(caption)
        palette = self.on_hand.palette()
        base = self.palette()
        colour = colours.danger(base) if state == "oversold" else colours.warning(base) if state else None
        palette.setColor(self.on_hand.foregroundRole(), colour or base.color(self.foregroundRole()))
        self.on_hand.setPalette(palette)
        self.on_hand_caption.setPalette(palette)
        names = {e.id: e.name for e in events.list_events(self.ctx.workspace)}
        self.history.set_rows(history_rows(products.stock_history(self.ctx.workspace, product.id), names))
        at_events = any(row.movement.event_id for row in self.history.rows())
        self.history_view.setColumnHidden(3, not at_events)  # "Where" says "Home" on every row otherwise
        has_history = self.history.rowCount() > 0
        self.history_view.setVisible(has_history)
        self.history_empty.setVisible(not has_history)

    def _show_cost(self, product: ProductView | None) -> None:
        """The selected product's unit cost part by part, what it leaves out, and the suggested price."""
        cost = self.costs.get(product.id) if product is not None else None
        view = self.cost_view
        self.suggested = None
        if product is None or cost is None:
            view.show_cost([], None, self.currency)
            view.set_warnings([])
            view.suggestion.setText("")
            self._update_use_price(None)
            return
        known = is_known(cost)
        view.show_cost(
            cost_lines(cost, self.rates, self.unit, self.currency),
            cost.total_cents if known else None,
            self.currency,
        )
        view.set_warnings(list(cost.warnings))
        self.suggested = self.model.suggested(cost) if known else None
        if not known:
            view.suggestion.setText(self.tr("No suggested price until the cost is known."))
        elif self.suggested is None:  # a margin of 100 % or more, set outside this app
            view.suggestion.setText(self.tr("The pricing rule in Settings cannot suggest a price."))
        else:
            rule = pricing_rule(self.rates.pricing_method, self.rates.pricing_percent)
            text = self.tr("Suggested price: {price} ({rule})").format(
                price=money(self.suggested, self.currency), rule=rule
            )
            if self.suggested == product.price_cents:
                text += " \u00b7 " + self.tr("the price already")
            view.suggestion.setText(text)
        self._update_use_price(product)

    def _update_use_price(self, product: ProductView | None) -> None:
        usable = product is not None and self.suggested is not None and self.suggested != product.price_cents
        self.act_use_price.setEnabled(usable)
        self.cost_view.use_price.setEnabled(usable)
        self.cost_view.use_price.setVisible(self.suggested is not None)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = QMenu(self)
        if self.selected() is not None:
            for action in (
                self.act_adjust,
                self.act_edit,
                self.act_components,
                self.act_use_price,
                self.act_label,
                None,
                self.act_delete,
            ):
                menu.addSeparator() if action is None else menu.addAction(action)
        else:
            menu.addAction(self.act_add)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # ---------------------------------------------------------------- actions

    def open_add(self) -> ProductDialog:
        dialog = ProductDialog(self.ctx, None, self)
        open_form(dialog, lambda p: self.select(p.id))
        return dialog

    def open_edit(self) -> ProductDialog | None:
        product = self.selected()
        if product is None:
            return None
        dialog = ProductDialog(self.ctx, product, self)
        open_form(dialog, lambda p: self.select(p.id))
        return dialog

    def open_adjust(self) -> AdjustStockDialog | None:
        product = self.selected()
        if product is None:
            return None
        dialog = AdjustStockDialog(self.ctx, product, self)
        open_form(dialog)
        return dialog

    def open_components(self) -> ComponentsDialog | None:
        product = self.selected()
        if product is None:
            return None
        dialog = ComponentsDialog(self.ctx, product, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def use_suggested_price(self) -> None:
        product = self.selected()
        if product is None or self.suggested is None or self.suggested == product.price_cents:
            return
        self.ctx.ops.run(
            products.edit_product,
            self.ctx.workspace,
            product.id,
            price_cents=self.suggested,
            changes={"products"},
        )

    def delete_selected(self) -> None:
        product = self.selected()
        if product is None:
            return
        self.ctx.ops.run(
            products.delete_product,
            self.ctx.workspace,
            product.id,
            changes={"products"},
            on_done=lambda _r: self.undo_bar.show_message(
                self.tr("Deleted {name}.").format(name=product.name), lambda: self._restore(product.id)
            ),
        )

    def _restore(self, product_id: str) -> None:
        self.ctx.ops.run(
            records.restore,
            self.ctx.workspace,
            products.SPEC,
            product_id,
            changes={"products"},
            on_done=lambda _row: self.select(product_id),
        )
