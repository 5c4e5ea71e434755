"""The Events tab: market events split into upcoming and past, and the selected event's packing list and
report.

Everything the tab changes is one `core.services` call through `ctx.ops`: create and edit an event, set a
target (the spin box on each line, or "Add product"), pack units from home (refused inline when home has too
few), return what is left after the event, delete; "Plan production" queues print jobs for what the packing
list lacks (`plan.py`), "Stall mode" opens the selling screen (`desktop.stall`), and the Report page shows
what the event brought in (`report.py`). It refreshes from `ctx.ops.changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QLocale, QModelIndex, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import NotFound, PrintstallError
from core.services import events, products
from core.services.views import EventView
from desktop.context import AppContext
from desktop.dialogs.confirm import confirm
from desktop.dialogs.forms import currency
from desktop.dialogs.units import money
from desktop.stall import StallWindow
from desktop.tabs.events.dialogs import AddProductDialog, EventDialog, status_text
from desktop.tabs.events.packing import (
    AT_EVENT,
    AT_HOME,
    PACKED,
    PRODUCT,
    SOLD,
    TARGET,
    TO_PACK,
    PackingModel,
    PackingRow,
    TargetDelegate,
)
from desktop.tabs.events.plan import PlanProductionDialog
from desktop.tabs.events.report import EventReportPage
from desktop.widgets import colours
from desktop.widgets.actions import tab_action
from desktop.widgets.keyboard import tab_order

LISTENS_TO = frozenset({"events", "sales", "stock", "products"})
EventIdRole = Qt.ItemDataRole.UserRole + 1

Today = Callable[[], date]


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


def _day(value: date, pattern: str = "ddd d MMM yyyy") -> str:
    return QLocale().toString(QDate(value.year, value.month, value.day), pattern)


def date_range(event: EventView) -> str:
    """'Sat 12 Dec 2026', 'Sat 12 \u2013 Sun 13 Dec 2026', 'Mon 30 Nov \u2013 Tue 1 Dec 2026' or 'No date
    yet', in the user's language."""
    start = date.fromisoformat(event.starts_on) if event.starts_on else None
    end = date.fromisoformat(event.ends_on) if event.ends_on else None
    if start is None:
        return tr("No date yet") if end is None else tr("until {day}").format(day=_day(end))
    if end is None or end == start:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        first = _day(start, "ddd d")
    elif start.year == end.year:
        first = _day(start, "ddd d MMM")
    else:
        first = _day(start)
    return tr("{first} \u2013 {last}").format(first=first, last=_day(end))


def is_past(event: EventView, today: date) -> bool:
    last = event.ends_on or event.starts_on
    return last is not None and date.fromisoformat(last) < today


class EventList(QTreeWidget):
    """Two groups, "Upcoming" (soonest first, undated last) and "Past" (latest first), updated in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels([tr("Event"), tr("When"), tr("Status")])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName(tr("Market events"))
        self.upcoming = QTreeWidgetItem([tr("Upcoming")])
        self.past = QTreeWidgetItem([tr("Past")])
        for group in (self.upcoming, self.past):
            font = QFont(group.font(0))
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(True)
        self.addTopLevelItems([self.upcoming, self.past])
        for group in (self.upcoming, self.past):
            group.setFirstColumnSpanned(True)
            group.setExpanded(True)
        self.event_items: dict[str, QTreeWidgetItem] = {}
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def set_events(self, items: list[EventView], today: date) -> None:
        upcoming = sorted(
            (e for e in items if not is_past(e, today)),
            key=lambda e: (e.starts_on is None, e.starts_on or "", e.name.casefold()),
        )
        past = sorted(
            (e for e in items if is_past(e, today)),
            key=lambda e: (e.ends_on or e.starts_on or "", e.name.casefold()),
            reverse=True,
        )
        keep = {e.id for e in items}
        for event_id in [k for k in self.event_items if k not in keep]:
            gone = self.event_items.pop(event_id)
            if (parent := gone.parent()) is not None:
                parent.removeChild(gone)
        current = self.current_event_id()
        for group, wanted in ((self.upcoming, upcoming), (self.past, past)):
            for row, event in enumerate(wanted):
                item = self.event_items.get(event.id)
                if item is None:
                    item = QTreeWidgetItem()
                    item.setData(0, EventIdRole, event.id)
                    self.event_items[event.id] = item
                if item.parent() is not group or group.indexOfChild(item) != row:
                    if (parent := item.parent()) is not None:
                        parent.removeChild(item)
                    group.insertChild(row, item)
                item.setText(0, event.name)
                item.setText(1, date_range(event))
                item.setText(2, status_text(event.status))
                item.setToolTip(0, " \u00b7 ".join(p for p in (event.name, event.venue, event.theme) if p))
        self.upcoming.setText(0, tr("Upcoming ({n})").format(n=len(upcoming)))
        self.past.setText(0, tr("Past ({n})").format(n=len(past)))
        if current and current in self.event_items and self.current_event_id() != current:
            self.setCurrentItem(self.event_items[current])

    def current_event_id(self) -> str | None:
        item = self.currentItem()
        value = item.data(0, EventIdRole) if item is not None else None
        return str(value) if value else None

    def first_event_id(self) -> str | None:
        for group in (self.upcoming, self.past):
            child = group.child(0) if group.childCount() else None
            if child is not None:
                value = child.data(0, EventIdRole)
                return str(value) if value else None
        return None

    def select(self, event_id: str) -> None:
        item = self.event_items.get(event_id)
        if item is not None:
            self.setCurrentItem(item)


class EventsTab(QWidget):
    def __init__(self, ctx: AppContext, *, today: Today | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today: Today = today or date.today
        self.market_event: EventView | None = None
        self._select_next: str | None = None
        self.stall_window: StallWindow | None = None
        self._build()
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self._build_actions()
        self.new_button = QPushButton(tr("&New event\u2026"))
        self.new_button.setAccessibleName(tr("Create a market event"))
        self.new_button.clicked.connect(self.act_new.trigger)
        self.list = EventList()
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        left_layout.addLayout(top)
        left_layout.addWidget(self.list, 1)

        self.detail = QStackedWidget()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.detail.addWidget(self.empty)
        self.detail.addWidget(self._build_detail())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 700])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.removeAction(self.act_delete)  # Delete means the event only in the list of events
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.list.addAction(self.act_delete)
        tab_order(
            self.new_button,
            self.list,
            self.stall_button,
            self.edit_button,
            self.add_button,
            self.plan_button,
            self.return_button,
            self.delete_button,
            self.pages.tabBar(),
            self.table,
            self.pack_count,
            self.pack_button,
            self.report.table,
        )

    def _build_actions(self) -> None:
        self.act_new = tab_action(
            self,
            tr("&New event\u2026"),
            QKeySequence.StandardKey.New,
            self.new_event,
            tr("Create a market event"),
        )
        self.act_edit = tab_action(self, tr("Ed&it\u2026"), "F2", self.edit_event, tr("Edit the event"))
        self.act_add = tab_action(
            self, tr("&Add product\u2026"), None, self.add_product, tr("Add a product to the packing list")
        )
        self.act_plan = tab_action(
            self,
            tr("Plan pr&oduction\u2026"),
            None,
            self.plan_production,
            tr("Plan the print jobs the packing list still needs"),
        )
        self.act_stall = tab_action(
            self,
            tr("&Stall mode"),
            "Ctrl+Shift+S",
            self.open_stall,
            tr("Sell at the event: the full-screen stall mode"),
        )
        self.act_return = tab_action(
            self,
            tr("&Bring back unsold\u2026"),
            None,
            self.return_unsold,
            tr("Move what is left at the event back home"),
        )
        self.act_delete = tab_action(
            self,
            tr("&Delete\u2026"),
            QKeySequence.StandardKey.Delete,
            self.delete_event,
            tr("Delete the event"),
        )

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        return [
            self.act_new,
            self.act_edit,
            self.act_add,
            self.act_plan,
            self.act_return,
            None,
            self.act_stall,
            None,
            self.act_delete,
        ]

    def current_event_id(self) -> str | None:
        """The id of the event shown (for File > Export's event reports), or None."""
        return self.market_event.id if self.market_event is not None else None

    def focus_main(self) -> None:
        """Put the keyboard focus on the list of events, on the first when none is chosen."""
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.list.current_event_id() is None and (first := self.list.first_event_id()) is not None:
            self.list.select(first)

    def _build_detail(self) -> QWidget:
        page = QWidget()
        page.setAccessibleName(tr("Event details"))
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stall_button = QPushButton(tr("&Stall mode"))
        self.stall_button.setToolTip(self.act_stall.toolTip())
        self.stall_button.clicked.connect(self.act_stall.trigger)
        stall_font = QFont(self.stall_button.font())
        stall_font.setBold(True)
        self.stall_button.setFont(stall_font)
        self.edit_button = QPushButton(tr("Ed&it\u2026"))
        self.add_button = QPushButton(tr("&Add product\u2026"))
        self.plan_button = QPushButton(tr("Plan pr&oduction\u2026"))
        self.return_button = QPushButton(tr("&Bring back unsold\u2026"))
        self.delete_button = QPushButton(tr("&Delete\u2026"))
        for button, name in (
            (self.edit_button, tr("Edit the event")),
            (self.add_button, tr("Add a product to the packing list")),
            (self.plan_button, tr("Plan the print jobs the packing list still needs")),
            (self.stall_button, tr("Sell at the event: the full-screen stall mode")),
            (self.return_button, tr("Move what is left at the event back home")),
            (self.delete_button, tr("Delete the event")),
        ):
            button.setAccessibleName(name)
        self.edit_button.clicked.connect(self.act_edit.trigger)
        self.add_button.clicked.connect(self.act_add.trigger)
        self.plan_button.clicked.connect(self.act_plan.trigger)
        self.return_button.clicked.connect(self.act_return.trigger)
        self.delete_button.clicked.connect(self.act_delete.trigger)
        actions = QHBoxLayout()
        for button in (self.edit_button, self.add_button, self.plan_button, self.return_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)

        self.progress = QLabel()
        self.progress.setAccessibleName(tr("Packing progress"))
        self.packing = PackingModel()
        self.packing.target_edited.connect(self.set_target)
        self.table = QTableView()
        self.table.setModel(self.packing)
        self.table.setAccessibleName(tr("Packing list"))
        self.table.setAccessibleDescription(tr("F2 on a line's target changes how many to bring."))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list (and its target boxes); arrows move in it
        self.table.verticalHeader().hide()
        self.table.setItemDelegateForColumn(TARGET, TargetDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        numbers = max(78, self.table.fontMetrics().horizontalAdvance(tr("At event")) + 28)
        for column in (TARGET, PACKED, SOLD, AT_EVENT, AT_HOME, TO_PACK):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, numbers)
        header.resizeSection(TARGET, numbers + 24)  # room for the spin box's arrows
        self.packing.rowsInserted.connect(self._rows_inserted)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._line_chosen())
        self.list_empty = QLabel(
            tr("Nothing on the packing list yet. Add the products to bring, with a target.")
        )
        self.list_empty.setWordWrap(True)

        pack_row = QHBoxLayout()
        self.pack_label = QLabel(tr("&Pack"))
        self.pack_count = QSpinBox()
        self.pack_count.setRange(1, 100_000)
        self.pack_count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.pack_count.setAccessibleName(tr("Units to pack"))
        self.pack_label.setBuddy(self.pack_count)
        count_box = self.pack_count.lineEdit()
        assert count_box is not None
        count_box.returnPressed.connect(lambda: self.pack())  # Alt+P, a number, Enter
        self.pack_what = QLabel()
        self.pack_button = QPushButton(tr("Pack"))
        self.pack_button.setAccessibleName(tr("Pack these units from home for the event"))
        self.pack_button.clicked.connect(lambda: self.pack())
        pack_row.addWidget(self.pack_label)
        pack_row.addWidget(self.pack_count)
        pack_row.addWidget(self.pack_what)
        pack_row.addWidget(self.pack_button)
        pack_row.addStretch(1)
        self.pack_error = QLabel()
        self.pack_error.setWordWrap(True)
        self.pack_error.setAccessibleName(tr("Packing problem"))
        palette = self.pack_error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.danger(palette))
        self.pack_error.setPalette(palette)
        self.pack_error.hide()

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.stall_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.addLayout(title_row)
        layout.addWidget(self.meta)
        layout.addLayout(actions)
        layout.addWidget(line)

        packing = QWidget()
        packing.setAccessibleName(tr("Packing list"))
        packing_layout = QVBoxLayout(packing)
        packing_layout.setContentsMargins(0, 8, 0, 0)
        packing_layout.addWidget(self.list_empty)
        packing_layout.addWidget(self.table, 1)
        packing_layout.addLayout(pack_row)
        packing_layout.addWidget(self.pack_error)

        self.report = EventReportPage(self.ctx)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.setAccessibleName(tr("Packing list and report"))
        self.pages.addTab(packing, tr("Packing &list"))
        self.pages.addTab(self.report, tr("&Report"))
        self.progress.setContentsMargins(0, 0, 4, 0)
        self.pages.setCornerWidget(self.progress, Qt.Corner.TopRightCorner)  # the packing list's progress
        self.pages.currentChanged.connect(lambda index: self.progress.setVisible(index == 0))
        layout.addWidget(self.pages, 1)
        return page

    def _rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            index = self.packing.index(row, TARGET)
            self.table.openPersistentEditor(index)
            editor = self.table.indexWidget(index)
            if isinstance(editor, QSpinBox) and editor.lineEdit() is not None:
                editor.lineEdit().deselect()  # the view selects an editor's text; a resting box shows none

    # ---------------------------------------------------------------- reading

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self.refresh()

    def refresh(self) -> None:
        all_events = events.list_events(self.ctx.workspace)
        self.list.set_events(all_events, self.today())
        if self._select_next and self._select_next in self.list.event_items:
            self.list.select(self._select_next)
        elif self.list.current_event_id() is None:
            first = self.list.first_event_id()  # the next event, else the latest past one
            if first is not None:
                self.list.select(first)
        self._select_next = None
        self._show_current()

    def _show_current(self) -> None:
        event_id = self.list.current_event_id()
        event = None
        if event_id:
            try:
                event = events.get_event(self.ctx.workspace, event_id)
            except NotFound:
                event = None
        if event is None or (self.market_event is not None and event.id != self.market_event.id):
            self.pack_error.hide()
        self.market_event = event
        for action in (self.act_edit, self.act_add, self.act_delete, self.act_stall):
            action.setEnabled(event is not None)
        self.stall_button.setEnabled(event is not None)
        self.report.show_event(event.id if event is not None else None)
        if event is None:
            self.act_return.setEnabled(False)
            self.act_plan.setEnabled(False)
            count = len(self.list.event_items)
            self.empty.setText(
                tr("No market events yet. Create one to plan what to bring.")
                if not count
                else tr("Choose an event to see its packing list.")
            )
            self.detail.setCurrentIndex(0)
            self.packing.set_rows([])
            return
        self.detail.setCurrentIndex(1)
        self.title.setText(event.name)
        self.meta.setText(self._meta(event))
        self._show_packing(event)

    def _meta(self, event: EventView) -> str:
        parts = [date_range(event)]
        if event.venue:
            parts.append(event.venue)
        parts.append(status_text(event.status))
        costs = event.booth_fee_cents + event.travel_cost_cents
        if costs:
            parts.append(tr("booth and travel {amount}").format(amount=money(costs, currency(self.ctx))))
        sold = events.sales(self.ctx.workspace, event.id)
        if sold:
            units = sum(s.quantity for s in sold)
            takings = sum(s.quantity * s.unit_price_cents for s in sold)
            parts.append(
                tr("sold {n} for {amount}").format(n=units, amount=money(takings, currency(self.ctx)))
            )
        if event.theme:
            parts.append(event.theme)
        return " \u00b7 ".join(parts)

    def _show_packing(self, event: EventView) -> None:
        lines = events.packing_list(self.ctx.workspace, event.id)
        home = {p.id: p.on_hand for p in products.list_products(self.ctx.workspace, include_archived=True)}
        self.packing.set_rows([PackingRow(line, home.get(line.product_id, 0)) for line in lines])
        self.table.setVisible(bool(lines))
        self.list_empty.setVisible(not lines)
        target = sum(line.target for line in lines)
        packed = sum(min(line.packed, line.target) for line in lines)
        self.progress.setText(
            tr("{packed} of {target} units packed").format(packed=packed, target=target) if target else ""
        )
        past = is_past(event, self.today())
        self.return_button.setEnabled(any(line.at_event > 0 for line in lines))
        self.plan_button.setEnabled(bool(lines))
        self.act_plan.setEnabled(bool(lines))
        self.act_return.setEnabled(self.return_button.isEnabled())
        self.return_button.setDefault(past and self.return_button.isEnabled())
        if self.current_row() is None and lines:
            rows = self.packing.rows()
            first = next((r for r in rows if r.to_pack), rows[0])
            self.select_line(first.product_id)
        self._line_chosen()

    def current_row(self) -> PackingRow | None:
        index = self.table.currentIndex()
        return self.packing.row_at(index.row()) if index.isValid() else None

    def _line_chosen(self) -> None:
        row = self.current_row()
        has = row is not None
        for widget in (self.pack_count, self.pack_button, self.pack_label):
            widget.setEnabled(has)
        if row is None:
            self.pack_what.setText(tr("Choose a line to pack."))
            return
        self.pack_what.setText(
            tr("\u00d7 {product} from home ({home} there)").format(
                product=row.line.product_name, home=row.at_home
            )
        )
        self.pack_count.setValue(max(1, row.to_pack))

    def select_line(self, product_id: str) -> None:
        row = self.packing.row_of(product_id)
        if row >= 0:
            self.table.setCurrentIndex(self.packing.index(row, PRODUCT))

    # ---------------------------------------------------------------- actions

    def _error(self, error: PrintstallError) -> None:
        self.pack_error.setText(str(error))
        self.pack_error.show()

    def new_event(self) -> EventDialog:
        dialog = EventDialog(self.ctx, today=self.today(), parent=self)
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.open()
        return dialog

    def edit_event(self) -> EventDialog | None:
        if self.market_event is None:
            return None
        dialog = EventDialog(self.ctx, self.market_event, today=self.today(), parent=self)
        dialog.open()
        return dialog

    def _saved(self, dialog: EventDialog) -> None:
        if isinstance(dialog.result_value, EventView):
            self._select_next = dialog.result_value.id
            self.list.select(dialog.result_value.id)

    def add_product(self) -> AddProductDialog | None:
        if self.market_event is None:
            return None
        listed = {self.packing.row_at(r).product_id for r in range(self.packing.rowCount())}
        dialog = AddProductDialog(self.ctx, self.market_event, listed, parent=self)
        dialog.open()
        return dialog

    def plan_production(self) -> PlanProductionDialog | None:
        """Open "Plan production" for the chosen event (window-modal; it deletes itself when closed)."""
        if self.market_event is None:
            return None
        dialog = PlanProductionDialog(self.ctx, self.market_event, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_stall(self) -> StallWindow | None:
        """Open stall mode for the chosen event, full screen (or bring it back to the front)."""
        if self.market_event is None:
            return None
        window = self.stall_window
        if window is not None and window.event_id == self.market_event.id:
            window.raise_()
            window.activateWindow()
            return window
        if window is not None:
            window.close()
        window = StallWindow(self.ctx, self.market_event.id, parent=self)
        window.closed.connect(lambda w=window: self._stall_closed(w))
        self.stall_window = window
        screen = self.screen()
        if screen is not None:  # as big as the screen even where the window manager keeps it from full screen
            window.setGeometry(screen.availableGeometry())
        window.showFullScreen()
        window.activateWindow()
        return window

    def _stall_closed(self, window: StallWindow) -> None:
        if self.stall_window is window:
            self.stall_window = None

    def show_report(self) -> None:
        """Show the chosen event's report (the page beside the packing list)."""
        self.pages.setCurrentWidget(self.report)

    def set_target(self, product_id: str, target: int) -> None:
        if self.market_event is None:
            return
        self.pack_error.hide()
        self.ctx.ops.run(
            events.set_target,
            self.ctx.workspace,
            self.market_event.id,
            product_id,
            target,
            changes={"events"},
            on_error=self._error,
        )

    def pack(self) -> None:
        row = self.current_row()
        if self.market_event is None or row is None:
            return
        self.pack_error.hide()
        product_id = row.product_id
        self.ctx.ops.run(
            events.pack,
            self.ctx.workspace,
            self.market_event.id,
            product_id,
            self.pack_count.value(),
            changes={"events", "stock", "products"},
            on_done=lambda _r: self.select_line(product_id),
            on_error=self._error,
        )

    def return_unsold(self) -> QMessageBox | None:
        event = self.market_event
        if event is None:
            return None
        return confirm(
            self,
            tr("Bring back unsold"),
            tr("Move everything still at {event} back home?").format(event=event.name),
            tr("Bring it back"),
            lambda: self.ctx.ops.run(
                events.return_unsold,
                self.ctx.workspace,
                event.id,
                changes={"events", "stock", "products"},
                on_error=self._error,
            ),
        )

    def delete_event(self) -> QMessageBox | None:
        event = self.market_event
        if event is None:
            return None
        return confirm(
            self,
            tr("Delete event"),
            tr("Delete {event}? Its sales and stock movements stay in the ledgers.").format(event=event.name),
            tr("Delete"),
            lambda: self.ctx.ops.run(
                events.delete_event, self.ctx.workspace, event.id, changes={"events"}, on_error=self._error
            ),
            icon=QMessageBox.Icon.Warning,
            destructive=True,
        )
