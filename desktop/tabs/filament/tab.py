"""The Filament tab: the shelf as cards or rows, grouped by filament, material or location, with a text
filter, archived spools on request, low-stock flags, and the actions on filaments and spools (printing their
QR labels too; `select_spool` shows the spool a scanned label names).

Every action opens a form or runs one `core.services.filament` call through `ctx.ops`; the shelf refreshes
from `ctx.ops.changed` and never polls.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMenu,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import filament as shelf
from core.services import records
from core.services.labels import label_for_spool
from core.services.views import FilamentView, SpoolView
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog, open_form, weight_unit
from desktop.dialogs.units import WeightUnit, weight, weight_signed
from desktop.labels import LabelDialog
from desktop.tabs.filament.delegates import ShelfCardDelegate, ShelfRowDelegate
from desktop.tabs.filament.dialogs import FilamentDialog, SpoolDialog, UsageDialog, WeighDialog
from desktop.tabs.filament.shelf import (
    COL_BRAND,
    COL_LEFT,
    COL_LOCATION,
    COL_LOT,
    COL_MATERIAL,
    COL_SPOOL,
    GROUPINGS,
    GroupRow,
    ShelfModel,
    ShelfRow,
    SpoolRow,
    build_rows,
    filament_label,
)
from desktop.widgets import colours
from desktop.widgets.actions import tab_action
from desktop.widgets.empty_state import EmptyState
from desktop.widgets.keyboard import tab_order
from desktop.widgets.keyed_model import KeyRole
from desktop.widgets.toolbar import FilterBox, action_row
from desktop.widgets.undo_bar import UndoBar

KINDS = frozenset({"filament", "spools", "settings"})


class FilamentTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.filaments: list[FilamentView] = []
        self.spools: list[SpoolView] = []
        self._filaments_in_use: set[str] = set()  # filaments with any spool, archived ones too
        self._select_next: str | None = None
        self.unit: WeightUnit = "g"  # the user's weight unit, read again on every refresh
        self.model = ShelfModel()
        self._build_actions()
        self._build_views()
        self._build_layout()
        self._restore_preferences()
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    # ---------------------------------------------------------------- building

    def _build_actions(self) -> None:
        self.act_add_spool = tab_action(
            self,
            self.tr("Add &spool…"),
            QKeySequence.StandardKey.New,
            lambda: self.open_add_spool(),
            self.tr("Add a spool"),
        )
        self.act_add_filament = tab_action(
            self,
            self.tr("Add fila&ment…"),
            "Ctrl+Shift+N",
            lambda: self.open_add_filament(),
            self.tr("Add a filament"),
        )
        self.act_edit = tab_action(
            self, self.tr("Ed&it…"), "F2", lambda: self.open_edit(), self.tr("Edit the selection")
        )
        self.act_edit_filament = tab_action(
            self,
            self.tr("Edit its fi&lament…"),
            None,
            lambda: self.open_edit_filament(),
            self.tr("Edit the spool's filament"),
        )
        self.act_use = tab_action(
            self,
            self.tr("Record &usage…"),
            "Ctrl+U",
            lambda: self.open_usage(),
            self.tr("Record filament used from the spool"),
        )
        self.act_weigh = tab_action(
            self,
            self.tr("&Weigh in…"),
            "Ctrl+Shift+W",
            lambda: self.open_weigh(),
            self.tr("Weigh the spool and correct the record"),
        )
        self.act_label = tab_action(
            self,
            self.tr("Print la&bel…"),
            QKeySequence.StandardKey.Print,
            lambda: self.open_labels(),
            self.tr("Print a label with a QR code for the spool"),
        )
        self.act_archive = tab_action(
            self, self.tr("&Archive"), None, self.toggle_archived, self.tr("Archive the spool")
        )
        self.act_delete = tab_action(
            self,
            self.tr("&Delete"),
            QKeySequence.StandardKey.Delete,
            self.delete_selected,
            self.tr("Delete the selection"),
        )
        self.act_filter = tab_action(
            self,
            self.tr("&Filter…"),
            QKeySequence.StandardKey.Find,
            lambda: self.focus_filter(),
            self.tr("Filter the shelf"),
        )

    def _build_views(self) -> None:
        self.cards = QListView()
        self.cards.setAccessibleName(self.tr("Spools"))
        self.cards.setViewMode(QListView.ViewMode.IconMode)
        self.cards.setFlow(QListView.Flow.LeftToRight)
        self.cards.setWrapping(True)
        self.cards.setMovement(QListView.Movement.Static)
        self.cards.setResizeMode(QListView.ResizeMode.Adjust)
        self.cards.setSpacing(6)
        self.cards.setUniformItemSizes(False)
        self.cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.cards.setItemDelegate(ShelfCardDelegate(self.cards))
        self.cards.setModel(self.model)
        self.cards.setModelColumn(COL_SPOOL)

        self.table = QTreeView()
        self.table.setAccessibleName(self.tr("Spools"))
        self.table.setRootIsDecorated(False)
        self.table.setItemsExpandable(False)
        self.table.setUniformRowHeights(True)
        self.table.setAllColumnsShowFocus(True)
        self.table.setItemDelegate(ShelfRowDelegate(COL_LEFT, self.table))
        self.table.setModel(self.model)
        header = self.table.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in (
            (COL_SPOOL, 220),
            (COL_BRAND, 120),
            (COL_MATERIAL, 80),
            (COL_LEFT, 300),
            (COL_LOCATION, 140),
            (COL_LOT, 80),
        ):
            header.resizeSection(column, width)

        for view in (self.cards, self.table):
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
            view.activated.connect(lambda _index: self.open_edit())
            view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.empty = EmptyState(self.tr("Empty shelf"))
        self.pages = QStackedWidget()
        for page in (self.cards, self.table, self.empty):
            self.pages.addWidget(page)

    def _build_layout(self) -> None:
        actions, buttons = action_row(
            [
                self.act_add_spool,
                self.act_add_filament,
                None,
                self.act_edit,
                self.act_use,
                self.act_weigh,
                self.act_delete,
            ]
        )
        actions.addStretch(1)

        self.filter = FilterBox(
            self.tr("Filter by colour, material, brand, place…"), self.tr("Filter the shelf"), self.focus_main
        )
        self.filter.setMinimumWidth(240)
        self.filter.textChanged.connect(lambda _t: self.refresh())
        self.group_by = QComboBox()
        self.group_by.setAccessibleName(self.tr("Group by"))
        for text, key in (
            (self.tr("Filament"), "filament"),
            (self.tr("Material"), "material"),
            (self.tr("Location"), "location"),
        ):
            self.group_by.addItem(text, key)
        group_label = QLabel(self.tr("&Group by:"))
        group_label.setBuddy(self.group_by)
        self.group_by.currentIndexChanged.connect(lambda _i: self._preferences_changed())
        self.show_archived = QCheckBox(self.tr("Show a&rchived"))
        self.show_archived.toggled.connect(lambda _on: self._preferences_changed())
        self.as_cards = QToolButton()
        self.as_cards.setText(self.tr("&Cards"))
        self.as_cards.setAccessibleName(self.tr("Show spools as cards"))
        self.as_rows = QToolButton()
        self.as_rows.setText(self.tr("R&ows"))
        self.as_rows.setAccessibleName(self.tr("Show spools as rows"))
        self.view_mode = QButtonGroup(self)
        for button in (self.as_cards, self.as_rows):
            button.setCheckable(True)
            button.setAutoRaise(True)
            self.view_mode.addButton(button)
        self.as_cards.setChecked(True)
        self.view_mode.buttonToggled.connect(self._view_mode_toggled)

        self.options = QWidget()
        options = QHBoxLayout(self.options)
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.filter, 1)
        options.addSpacing(12)
        options.addWidget(group_label)
        options.addWidget(self.group_by)
        options.addSpacing(12)
        options.addWidget(self.show_archived)
        options.addSpacing(12)
        options.addWidget(self.as_cards)
        options.addWidget(self.as_rows)

        self.low_banner = QLabel()
        self.low_banner.setWordWrap(True)
        self.low_banner.setAccessibleName(self.tr("Running low"))
        self.low_banner.setContentsMargins(10, 6, 10, 6)
        self.low_banner.setAutoFillBackground(True)
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Shelf summary"))
        self.undo_bar = UndoBar(self)

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.options)
        layout.addWidget(self.low_banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.summary)
        tab_order(
            *buttons,
            self.filter,
            self.group_by,
            self.show_archived,
            self.as_cards,
            self.as_rows,
            self.cards,
            self.table,
            self.empty.button,
            self.undo_bar.undo_button,
            self.undo_bar.close_button,
        )

    # ---------------------------------------------------------------- keyboard

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        assert self.undo_bar.undo_action is not None
        return [
            self.undo_bar.undo_action,
            None,
            self.act_add_spool,
            self.act_add_filament,
            self.act_edit,
            self.act_edit_filament,
            self.act_use,
            self.act_weigh,
            self.act_label,
            self.act_archive,
            self.act_delete,
            None,
            self.act_filter,
        ]

    def focus_main(self) -> None:
        """Put the keyboard focus on the shelf (on its first spool when none is chosen), or on the way out
        of an empty one."""
        page = self.pages.currentWidget()
        if page is self.empty:
            (self.empty.button if self.empty.button.isVisibleTo(self) else self.filter).setFocus()
            return
        view = self.current_view()
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.selected_row() is None:
            first = next(
                (
                    n
                    for n in range(self.model.rowCount())
                    if self.model.flags(self.model.index(n, 0)) & Qt.ItemFlag.ItemIsSelectable
                ),
                None,
            )
            if first is not None:
                self.select(self.model.row_at(first).key)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    # ---------------------------------------------------------------- preferences

    def _restore_preferences(self) -> None:
        settings = self.ctx.settings
        group = str(settings.value("filament/group_by", "material"))
        self.group_by.blockSignals(True)
        self.group_by.setCurrentIndex(max(0, GROUPINGS.index(group) if group in GROUPINGS else 0))
        self.group_by.blockSignals(False)
        self.show_archived.blockSignals(True)
        self.show_archived.setChecked(str(settings.value("filament/show_archived", "false")) == "true")
        self.show_archived.blockSignals(False)
        rows = str(settings.value("filament/view", "cards")) == "rows"
        self.view_mode.blockSignals(True)
        (self.as_rows if rows else self.as_cards).setChecked(True)
        self.view_mode.blockSignals(False)

    def _view_mode_toggled(self, _button: QToolButton, checked: bool) -> None:
        if checked:
            self._preferences_changed()

    def _preferences_changed(self) -> None:
        settings = self.ctx.settings
        settings.setValue("filament/group_by", self.group_by.currentData())
        settings.setValue("filament/show_archived", "true" if self.show_archived.isChecked() else "false")
        settings.setValue("filament/view", "rows" if self.as_rows.isChecked() else "cards")
        key = self.selected_key()
        self.refresh()
        if key:
            self.select(key)

    # ---------------------------------------------------------------- contents

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & KINDS:
            self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.workspace
        self.unit = weight_unit(self.ctx)
        self.filaments = shelf.list_filaments(ws)
        every_spool = shelf.list_spools(ws, include_archived=True)
        self._filaments_in_use = {s.filament_id for s in every_spool}
        show_archived = self.show_archived.isChecked()
        self.spools = [s for s in every_spool if show_archived or not s.archived]
        group_by = str(self.group_by.currentData() or "filament")
        self.model.headers_selectable = group_by == "filament"
        self.model.set_rows(
            build_rows(
                self.filaments, self.spools, group_by=group_by, text=self.filter.text(), unit=self.unit
            )
        )
        for number, row in enumerate(self.model.rows()):
            self.table.setFirstColumnSpanned(number, QModelIndex(), isinstance(row, GroupRow))
        self.cards.doItemsLayout()
        self._show_page()
        self._show_summary()
        if self._select_next is not None:
            self.select(self._select_next)
        self._update_actions()

    def _show_page(self) -> None:
        self.options.setVisible(bool(self.filaments))
        if not self.filaments:
            self.empty.show_state(
                self.tr(
                    "The shelf is empty.\nAdd the filaments you buy, then a spool for each roll you have."
                ),
                self.tr("Add a filament…"),
                self.open_add_filament,
            )
            self.pages.setCurrentWidget(self.empty)
        elif self.model.rowCount() == 0:
            self.empty.show_state(
                self.tr("Nothing on the shelf matches “{text}”.").format(text=self.filter.text()),
                self.tr("Clear the filter"),
                self.filter.clear,
            )
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.table if self.as_rows.isChecked() else self.cards)

    def _show_summary(self) -> None:
        live = [s for s in self.spools if not s.archived]
        if not self.filaments:
            self.summary.setText("")
        elif not live:
            self.summary.setText(self.tr("No spools on the shelf."))
        else:
            total = sum(max(s.remaining_mg, 0) for s in live)
            nearly = sum(shelf.nearly_empty(s) for s in live)
            text = (
                self.tr("1 spool on the shelf")
                if len(live) == 1
                else self.tr("{n} spools on the shelf").format(n=len(live))
            )
            text += " \u00b7 " + self.tr("{weight} of filament").format(weight=weight(total, self.unit))
            if nearly:
                text += " \u00b7 " + (
                    self.tr("1 nearly empty") if nearly == 1 else self.tr("{n} nearly empty").format(n=nearly)
                )
            archived = len(self.spools) - len(live)
            if archived:
                text += " \u00b7 " + (
                    self.tr("1 archived spool shown")
                    if archived == 1
                    else self.tr("{n} archived spools shown").format(n=archived)
                )
            self.summary.setText(text)
        low = [f for f in self.filaments if shelf.running_low(f)]
        if low:
            names = ", ".join(
                self.tr("{name} ({left} left)").format(
                    name=filament_label(f), left=weight(f.remaining_mg, self.unit)
                )
                for f in low
            )
            self.low_banner.setText("\u26a0 " + self.tr("Running low: {names}").format(names=names))
            palette = self.low_banner.palette()
            palette.setColor(QPalette.ColorRole.Window, colours.warning_background(self.palette()))
            palette.setColor(QPalette.ColorRole.WindowText, colours.warning(self.palette()))
            self.low_banner.setPalette(palette)
            self.low_banner.show()
        else:
            self.low_banner.hide()

    # ---------------------------------------------------------------- selection

    def current_view(self) -> QAbstractItemView:
        return self.table if self.as_rows.isChecked() else self.cards

    def selected_row(self) -> ShelfRow | None:
        rows = self.current_view().selectionModel().selectedRows(COL_SPOOL)
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_key(self) -> str | None:
        row = self.selected_row()
        return row.key if row else None

    def selected_spool(self) -> SpoolRow | None:
        row = self.selected_row()
        return row if isinstance(row, SpoolRow) else None

    def selected_filament(self) -> FilamentView | None:
        """The filament of the selected header, or of the selected spool."""
        row = self.selected_row()
        if isinstance(row, GroupRow):
            return row.filament
        return row.filament if isinstance(row, SpoolRow) else None

    def select(self, key: str) -> None:
        """Select the row with `key` (a spool id, or `filament:<id>`); one not shown yet is selected when it
        appears."""
        number = self.model.row_of(key)
        self._select_next = None if number >= 0 else key
        if number < 0:
            return
        for view in (self.cards, self.table):
            index = self.model.index(number, COL_SPOOL)
            view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            view.scrollTo(index)
        self._update_actions()

    def spools_to_label(self) -> list[str]:
        """The spools "Print label…" prints: the selected one, or every live spool shown of the selected
        filament."""
        row = self.selected_row()
        if isinstance(row, SpoolRow):
            return [row.spool.id]
        if isinstance(row, GroupRow) and row.filament is not None:
            chosen = row.filament.id
            return [s.id for s in self.spools if s.filament_id == chosen and not s.archived]
        return []

    def select_spool(self, spool_id: str) -> bool:
        """Show and select a spool (a scanned label's): archived spools are shown and the filter is cleared
        when they hid it. False when there is no such spool."""
        try:
            spool = shelf.get_spool(self.ctx.workspace, spool_id)
        except PrintstallError:
            return False
        if spool.archived and not self.show_archived.isChecked():
            self.show_archived.setChecked(True)  # refreshes
        if self.model.row_of(spool_id) < 0 and self.filter.text():
            self.filter.clear()  # refreshes
        self.select(spool_id)
        self.current_view().setFocus(Qt.FocusReason.OtherFocusReason)
        return self.selected_key() == spool_id

    def _update_actions(self) -> None:
        row = self.selected_row()
        spool = row if isinstance(row, SpoolRow) else None
        header = row if isinstance(row, GroupRow) and row.filament is not None else None
        self.act_edit.setEnabled(spool is not None or header is not None)
        self.act_edit_filament.setEnabled(spool is not None and spool.filament is not None)
        self.act_use.setEnabled(spool is not None)
        self.act_weigh.setEnabled(spool is not None)
        self.act_archive.setEnabled(spool is not None)
        to_label = self.spools_to_label()
        self.act_label.setEnabled(bool(to_label))
        self.act_label.setText(self.tr("Print la&bels…") if len(to_label) > 1 else self.tr("Print la&bel…"))
        self.act_archive.setText(
            self.tr("Un&archive") if spool is not None and spool.spool.archived else self.tr("&Archive")
        )
        can_delete = spool is not None
        self.act_delete.setToolTip(self.tr("Delete the selection"))
        if header is not None and header.filament is not None:
            has_spools = header.filament.id in self._filaments_in_use
            can_delete = not has_spools
            if has_spools:
                self.act_delete.setToolTip(self.tr("Delete or archive its spools first"))
        self.act_delete.setEnabled(can_delete)

    def _context_menu(self, view: QAbstractItemView, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if index.isValid() and index.data(KeyRole):
            self.select(str(index.data(KeyRole)))
        menu = QMenu(self)
        row = self.selected_row()
        if isinstance(row, SpoolRow):
            for action in (
                self.act_use,
                self.act_weigh,
                self.act_label,
                None,
                self.act_edit,
                self.act_edit_filament,
                self.act_archive,
                None,
                self.act_delete,
            ):
                menu.addSeparator() if action is None else menu.addAction(action)
        elif isinstance(row, GroupRow) and row.filament is not None:
            add_here = menu.addAction(self.tr("Add a spool of this filament…"))
            filament_id = row.filament.id
            add_here.triggered.connect(lambda: self.open_add_spool(filament_id))
            menu.addAction(self.act_edit)
            if self.act_label.isEnabled():
                menu.addAction(self.act_label)
            menu.addSeparator()
            menu.addAction(self.act_delete)
        else:
            menu.addAction(self.act_add_spool)
            menu.addAction(self.act_add_filament)
        menu.popup(view.viewport().mapToGlobal(pos))

    # ---------------------------------------------------------------- forms

    def open_add_filament(self) -> FilamentDialog:
        dialog = FilamentDialog(self.ctx, None, self)
        open_form(dialog, self._filament_added)
        return dialog

    def _filament_added(self, added: FilamentView) -> None:
        self.select(f"filament:{added.id}")
        self.undo_bar.show_message(
            self.tr("Added {name}. It is on the shelf once it has a spool.").format(
                name=filament_label(added)
            ),
            lambda: self.open_add_spool(added.id),
            action_text=self.tr("Add a spoo&l…"),
        )

    def open_add_spool(self, filament_id: str | None = None) -> SpoolDialog:
        if filament_id is None:
            chosen = self.selected_filament()
            filament_id = chosen.id if chosen else None
        dialog = SpoolDialog(self.ctx, None, filament_id, self)
        open_form(dialog, lambda s: self.select(s.id))
        return dialog

    def open_edit(self) -> FormDialog | None:
        row = self.selected_row()
        if isinstance(row, SpoolRow):
            dialog: FormDialog = SpoolDialog(self.ctx, row.spool, None, self)
            return open_form(dialog, lambda s: self.select(s.id))
        if isinstance(row, GroupRow) and row.filament is not None:
            return self.open_edit_filament()
        return None

    def open_edit_filament(self) -> FilamentDialog | None:
        chosen = self.selected_filament()
        if chosen is None:
            return None
        dialog = FilamentDialog(self.ctx, chosen, self)
        open_form(dialog)
        return dialog

    def open_usage(self) -> UsageDialog | None:
        row = self.selected_spool()
        if row is None:
            return None
        dialog = UsageDialog(self.ctx, row.spool, row.colour_hex, self)
        open_form(dialog)
        return dialog

    def open_weigh(self) -> WeighDialog | None:
        row = self.selected_spool()
        if row is None:
            return None
        dialog = WeighDialog(self.ctx, row.spool, row.colour_hex, self)
        open_form(dialog, self._weighed)
        return dialog

    def _weighed(self, result: tuple[SpoolView, int]) -> None:
        spool, correction = result
        if correction == 0:
            text = self.tr("Weighed {spool}: {left} left, as recorded.")
        else:
            text = self.tr("Weighed {spool}: {left} left ({change} corrected).")
        self.undo_bar.show_message(
            text.format(
                spool=spool.label,
                left=weight(spool.remaining_mg, self.unit),
                change=weight_signed(correction, self.unit),
            )
        )

    def open_labels(self) -> LabelDialog | None:
        """The label dialog for the spools to label (see `spools_to_label`)."""
        ids = self.spools_to_label()
        if not ids:
            return None
        try:
            labels = [label_for_spool(self.ctx.workspace, spool_id) for spool_id in ids]
        except PrintstallError as error:
            self.ctx.ops.failed.emit(str(error))  # the window shows it (a spool deleted meanwhile)
            return None
        dialog = LabelDialog(self.ctx, labels, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # ---------------------------------------------------------------- direct actions

    def toggle_archived(self) -> None:
        row = self.selected_spool()
        if row is None:
            return
        archive = not row.spool.archived
        spool = row.spool

        def done(_view: object) -> None:
            if archive:
                self.undo_bar.show_message(
                    self.tr("Archived {spool}.").format(spool=spool.label),
                    lambda: self.ctx.ops.run(
                        shelf.edit_spool,
                        self.ctx.workspace,
                        spool.id,
                        archived=False,
                        changes={"spools", "filament"},
                    ),
                )

        self.ctx.ops.run(
            shelf.edit_spool,
            self.ctx.workspace,
            spool.id,
            archived=archive,
            changes={"spools", "filament"},
            on_done=done,
        )

    def delete_selected(self) -> None:
        row = self.selected_row()
        ws = self.ctx.workspace
        if isinstance(row, SpoolRow):
            spool = row.spool
            self.ctx.ops.run(
                shelf.delete_spool,
                ws,
                spool.id,
                changes={"spools", "filament"},
                on_done=lambda _r: self.undo_bar.show_message(
                    self.tr("Deleted a spool of {name}.").format(name=spool.label),
                    lambda: self._restore(shelf.SPOOL, spool.id, spool.id),
                ),
            )
        elif isinstance(row, GroupRow) and row.filament is not None and self.act_delete.isEnabled():
            f = row.filament
            self.ctx.ops.run(
                shelf.delete_filament,
                ws,
                f.id,
                changes={"filament"},
                on_done=lambda _r: self.undo_bar.show_message(
                    self.tr("Deleted the filament {name}.").format(name=filament_label(f)),
                    lambda: self._restore(shelf.FILAMENT, f.id, f"filament:{f.id}"),
                ),
            )

    def _restore(self, spec: records.EntitySpec, ident: str, key: str) -> None:  # type: ignore[type-arg]
        self.ctx.ops.run(
            records.restore,
            self.ctx.workspace,
            spec,
            ident,
            changes={"spools", "filament"},
            on_done=lambda _row: self.select(key),
        )
