"""The Library tab: search as you type, filters, a grid or a list of the models, and the detail pane.

Searching, filtering and sorting happen in SQL (`core.services.search`); the views share one id-holding model
and one selection. Edits, deletions and their undo are operations (`ctx.ops.run`), and the tab refreshes from
`ctx.ops.changed` like every screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QItemSelectionModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from core.errors import NotFound, PrintstallError
from core.services import costing, library, records, search
from core.services.costing import CostBreakdown
from core.services.search import Facets, FileEntry, ModelDetail
from desktop.context import AppContext
from desktop.dialogs.forms import currency, weight_unit
from desktop.exporting import open_copy, save_copy
from desktop.tabs.library.detail import PICTURE, VARIANT_PICTURE, DetailPane
from desktop.tabs.library.edit_dialog import ModelEditDialog
from desktop.tabs.library.grid import THUMB, GridView
from desktop.tabs.library.model import Column, IdRole, LibraryModel, LibraryQuery
from desktop.tabs.library.preview import MeshLoader, ShowPreview, find_viewer
from desktop.tabs.library.thumbnails import ThumbnailCache
from desktop.widgets.actions import tab_action
from desktop.widgets.keyboard import tab_order
from desktop.widgets.toolbar import FilterBox
from desktop.widgets.undo_bar import UndoBar

FetchFile = Callable[[str, Callable[[Path], None], Callable[[str], None]], None]
log = logging.getLogger(__name__)

# Models and variants, and what a print costs: printers, settings, the prices of spools and filament.
KINDS = frozenset({"models", "variants", "printers", "settings", "spools", "filament"})


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryTab", text)


class LibraryTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._ws = ctx.workspace
        self._filling = False  # True while the tab itself sets the filter menus
        self._updating = False  # True while the model's rows change (the current row may move meanwhile)
        self._select_next: str | None = None  # the model to make current after the next change
        ratio = self.devicePixelRatioF()
        path_for = self._ws.blobs.path_for
        # Not children of the tab: their worker threads hold them, so they outlive it until the last decode.
        self.thumbnails = ThumbnailCache(path_for, THUMB, capacity=256, pixel_ratio=ratio)
        self.pictures = ThumbnailCache(path_for, PICTURE, capacity=16, pixel_ratio=ratio)
        self.variant_pictures = ThumbnailCache(path_for, VARIANT_PICTURE, capacity=128, pixel_ratio=ratio)
        self.model = LibraryModel(self._ws, self.thumbnails)
        self.facets = Facets([], [], [])
        self.library_size = 0
        self.edit_dialog: ModelEditDialog | None = None
        self._deleted: list[tuple[str, str]] = []  # (id, name) of models deleted here, newest last
        self._show_preview: ShowPreview | None = None
        self._viewer_checked = False
        # the user's weight unit and currency, for the detail pane; read again when they change
        self.unit = weight_unit(ctx)
        self.currency = currency(ctx)
        self.mesh_loader = MeshLoader()
        # Set by the window when sync is there: fetch(sha256, done(path), failed(sentence)) downloads a file
        # only the service has (a mesh made on another computer), off the UI thread.
        self.fetch_file: FetchFile | None = None
        self.mesh_loader.loaded.connect(self._mesh_loaded)
        self.mesh_loader.failed.connect(self._mesh_failed)

        self._build_bar()
        self._build_views()
        self.detail = DetailPane(self.pictures, self.variant_pictures)
        self.detail.edit_requested.connect(self.edit_model)
        self.detail.delete_requested.connect(self.delete_model)
        self.detail.preview_requested.connect(self.preview_model)
        self.detail.save_requested.connect(self.save_file)
        self.detail.open_requested.connect(self.open_file)
        self.undo_bar = UndoBar(None)  # Ctrl+Z is the tab's own: it undoes deletions one after another

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.undo_bar)
        self._build_actions()
        self._restore_layout()
        tab_order(
            self.search,
            self.tag_filter,
            self.category_filter,
            self.licence_filter,
            self.variants_filter,
            self.sort_choice,
            self.grid_button,
            self.list_button,
            self.grid,
            self.list,
            self.detail.edit_button,
            self.detail.delete_button,
            self.detail.preview_button,
            self.detail.files,
            self.undo_bar.undo_button,
            self.undo_bar.close_button,
        )

        ctx.ops.changed.connect(self._on_changed)
        self.model.rowsInserted.connect(self._rows_changed)
        self.model.rowsRemoved.connect(self._rows_changed)
        self.selection.currentRowChanged.connect(self._current_changed)
        self._load_facets()
        self._count_library()
        self.model.set_query(self._query_from_controls())
        self._rows_changed()

    # ---------------------------------------------------------------- building

    def _build_bar(self) -> None:
        self.search = FilterBox(
            tr("Search names, designers, tags and notes (Ctrl+F)"), tr("Search models"), self._focus_results
        )
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self._filters_changed)

        self.tag_filter = self._combo(tr("Filter by tag"))
        self.category_filter = self._combo(tr("Filter by category"))
        self.licence_filter = self._combo(tr("Filter by licence"))
        self.variants_filter = self._combo(tr("Filter by variants"))
        for text, value in (
            (tr("With or without variants"), None),
            (tr("With variants"), True),
            (tr("Without variants"), False),
        ):
            self.variants_filter.addItem(text, value)
        self.sort_choice = self._combo(tr("Sort order"))
        for label, key in (
            (tr("Sort by name"), "name"),
            (tr("Sort by designer"), "designer"),
            (tr("Newest first"), "added desc"),
            (tr("Most variants first"), "variants desc"),
            (tr("Best match first"), "relevance"),
        ):
            self.sort_choice.addItem(label, key)
        self.sort_choice.currentIndexChanged.disconnect(self._filters_changed)
        self.sort_choice.currentIndexChanged.connect(self._sort_chosen)

        self.grid_button = QToolButton()
        self.grid_button.setText(tr("&Grid"))
        self.grid_button.setAccessibleName(tr("Show the models as a grid of pictures"))
        self.list_button = QToolButton()
        self.list_button.setText(tr("Lis&t"))
        self.list_button.setAccessibleName(tr("Show the models as a list"))
        self.view_buttons = QButtonGroup(self)
        for number, button in enumerate((self.grid_button, self.list_button)):
            button.setCheckable(True)
            button.setAutoRaise(True)
            self.view_buttons.addButton(button, number)
        self.grid_button.setChecked(True)
        self.view_buttons.idClicked.connect(self.set_view)

        self.bar = QHBoxLayout()
        self.bar.addWidget(self.search, 3)
        for widget in (self.tag_filter, self.category_filter, self.licence_filter, self.variants_filter):
            self.bar.addWidget(widget, 1)
        self.bar.addWidget(self.sort_choice, 1)
        self.bar.addWidget(self.grid_button)
        self.bar.addWidget(self.list_button)
        self.summary = QLabel()
        self.summary.setAccessibleName(tr("Search results"))

    def _combo(self, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(accessible)
        combo.setToolTip(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.currentIndexChanged.connect(self._filters_changed)
        return combo

    def _build_views(self) -> None:
        # Both views share the selection; only the one on screen is attached to the model (a hidden view
        # still asks the model for more rows, and a never-shown list thinks its last row is in sight).
        self.selection = QItemSelectionModel(self.model, self)
        self.grid = GridView()
        self.list = QTreeView()
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The header shows the order and asks for another; SQL sorts (see _header_sorted).
        self.list.header().setSectionsClickable(True)
        self.list.header().setSortIndicatorShown(True)
        self.list.header().setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.list.header().sortIndicatorChanged.connect(self._header_sorted)
        self.list.setAccessibleName(tr("Models"))
        self.list.setAccessibleDescription(tr("A list of the models that match the search"))
        self.list.setIconSize(QSize(32, 32))
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(tr("No models"))
        self.stack = QStackedWidget()
        for widget in (self.grid, self.list, self.empty):
            self.stack.addWidget(widget)
        for view in (self.grid, self.list):
            view.activated.connect(self._activated)

    def _build_actions(self) -> None:
        self.act_search = tab_action(
            self, tr("&Search…"), QKeySequence.StandardKey.Find, self.focus_search, tr("Search the library")
        )
        self.act_undo = tab_action(
            self,
            tr("U&ndo"),
            QKeySequence.StandardKey.Undo,
            self.undo_delete,
            tr("Bring the deleted model back"),
        )
        self.act_undo.setEnabled(False)
        # Delete and F2 act on the current model only while the grid or the list has the focus, so they keep
        # their meaning in the search box and the detail pane.
        self.act_edit = tab_action(self, tr("Ed&it…"), "F2", self._edit_current, tr("Edit the model"))
        self.act_delete = tab_action(
            self, tr("&Delete"), QKeySequence.StandardKey.Delete, self._delete_current, tr("Delete the model")
        )
        for action in (self.act_edit, self.act_delete):
            self.removeAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            for view in (self.grid, self.list):
                view.addAction(action)

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        return [self.act_undo, None, self.act_edit, self.act_delete, None, self.act_search]

    def focus_main(self) -> None:
        """Put the keyboard focus in the search box: the library starts with what you look for."""
        self.focus_search()

    # ---------------------------------------------------------------- layout and views

    def set_view(self, which: int) -> None:
        """0: the grid, 1: the list."""
        button = self.view_buttons.button(which)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self._ctx.settings.setValue("library/view", which)
        self._show_page()

    def _attach(self, view: QAbstractItemView) -> None:
        """Give `view` the model and the shared selection; take them from the other view."""
        for other in (self.grid, self.list):
            if other is not view and other.model() is self.model:
                other.setModel(None)
        if view.model() is self.model:
            return
        view.setModel(self.model)
        view.setSelectionModel(self.selection)
        if view is self.list:
            header = self.list.header()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
            for column, width in ((Column.DESIGNER, 160), (Column.LICENCE, 130), (Column.SELLING, 110),
                                  (Column.CATEGORY, 110), (Column.VARIANTS, 70)):  # fmt: skip
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, width)
            self._sync_sort_controls()
        current = self.selection.currentIndex()
        if current.isValid():
            view.scrollTo(current)

    @property
    def view(self) -> QAbstractItemView:
        return self.list if self.view_buttons.checkedId() == 1 else self.grid

    def _show_page(self) -> None:
        if self.model.rowCount() == 0:
            self.stack.setCurrentWidget(self.empty)
        else:
            shown = self.stack.currentWidget()
            focused = shown is not None and shown.hasFocus()
            self._attach(self.view)
            self.stack.setCurrentWidget(self.view)
            if focused:
                self.view.setFocus()

    def _restore_layout(self) -> None:
        view = str(self._ctx.settings.value("library/view", 0))
        self.set_view(1 if view == "1" else 0)
        state = self._ctx.settings.value("library/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([700, 460])
        self.splitter.splitterMoved.connect(
            lambda *_: self._ctx.settings.setValue("library/splitter", self.splitter.saveState())
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _focus_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        view = self.view
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not view.currentIndex().isValid():
            view.setCurrentIndex(self.model.index(0, 0))

    # ---------------------------------------------------------------- search and filters

    def _query_from_controls(self) -> LibraryQuery:
        kind, _, value = str(self.licence_filter.currentData() or "").partition(":")
        return LibraryQuery(
            text=self.search.text(),
            tag=self.tag_filter.currentData(),
            category=self.category_filter.currentData(),
            licence=value if kind == "licence" else None,
            selling=value if kind == "selling" else None,  # type: ignore[arg-type]
            has_variants=self.variants_filter.currentData(),
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def _filters_changed(self, *_: object) -> None:
        if self._filling:
            return
        self._apply(self._query_from_controls())

    def _header_sorted(self, column: int, order: Qt.SortOrder) -> None:
        if 0 <= column < len(Column.SORT_KEYS):
            descending = order == Qt.SortOrder.DescendingOrder
            self._apply(replace(self.model.query, sort=Column.SORT_KEYS[column], descending=descending))

    def _sort_chosen(self, *_args: object) -> None:
        sort, _, order = str(self.sort_choice.currentData()).partition(" ")
        query = replace(self._query_from_controls(), sort=sort, descending=order == "desc")  # type: ignore[arg-type]
        self._apply(query)

    def _apply(self, query: LibraryQuery) -> None:
        if query == self.model.query:
            return
        current = self.current_id()
        self._update_rows(
            lambda: self.model.set_query(query), [current] if current else [], data_changed=False
        )
        self._sync_sort_controls()

    def _sync_sort_controls(self) -> None:
        """Show the model's sort order in the sort menu and the list's header."""
        query = self.model.query
        self._filling = True
        try:
            index = self.sort_choice.findData(f"{query.sort} desc" if query.descending else query.sort)
            if index < 0:  # the same key the other way round (from the list's header)
                index = self.sort_choice.findData(query.sort if query.descending else f"{query.sort} desc")
            self.sort_choice.blockSignals(True)
            if index >= 0:
                self.sort_choice.setCurrentIndex(index)
            self.sort_choice.blockSignals(False)
            header = self.list.header()
            header.blockSignals(True)
            if query.sort in Column.SORT_KEYS:
                order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
                header.setSortIndicator(Column.SORT_KEYS.index(query.sort), order)
            else:
                header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
        finally:
            self._filling = False

    def _load_facets(self) -> None:
        self.facets = search.facets(self._ws)
        self._filling = True
        try:
            self._fill(self.tag_filter, tr("All tags"), [(t, t) for t in self.facets.tags])
            self._fill(self.category_filter, tr("All categories"), [(c, c) for c in self.facets.categories])
            licences: list[tuple[str, Any]] = [
                (tr("Selling prints allowed"), "selling:allowed"),
                (tr("Selling prints not allowed"), "selling:not_allowed"),
                (tr("Selling prints not known"), "selling:unknown"),
            ]
            licences += [(lic or tr("No licence given"), f"licence:{lic}") for lic in self.facets.licences]
            self._fill(self.licence_filter, tr("Any licence"), licences)
        finally:
            self._filling = False

    @staticmethod
    def _fill(combo: QComboBox, everything: str, choices: list[tuple[str, Any]]) -> None:
        """Refill a filter menu, keeping the chosen entry when it is still offered."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, value in choices:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _count_library(self) -> None:
        self.library_size = search.count_models(self._ws)

    def _rows_changed(self, *_: object) -> None:
        self._show_page()
        query = self.model.query
        found = self.model.total
        if self.library_size == 0:
            text = tr(
                "No models yet. Drop files, folders or zip archives anywhere on this window to import them."
            )
        elif not query.filtered:
            text = (
                tr("1 model in the library")
                if found == 1
                else tr("{n} models in the library").format(n=f"{found:,}")
            )
        elif found == 0:
            text = (
                tr("No models match “{text}”.").format(text=query.text.strip())
                if query.text.strip()
                else tr("No models match the filters.")
            )
        else:
            text = tr("{n} of {total} models match").format(n=f"{found:,}", total=f"{self.library_size:,}")
        self.summary.setText(text)
        self.empty.setText(text)

    # ---------------------------------------------------------------- the current model

    def current_id(self) -> str | None:
        index = self.selection.currentIndex()
        return str(index.data(IdRole)) if index.isValid() else None

    def select_model(self, model_id: str) -> bool:
        """Make `model_id` the current model when it is among the rows shown."""
        row = self.model.row_of(model_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag
        self.selection.setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.view.scrollTo(index)
        return True

    def _update_rows(self, change: Callable[[], None], keep: list[str], *, data_changed: bool) -> None:
        """Run `change` (which updates the model's rows), then make the first of `keep` that is still shown
        the current model; when none is, nothing is current."""
        self._updating = True
        try:
            change()
        finally:
            self._updating = False
        self._rows_changed()
        before = self.detail.detail.model.id if self.detail.detail else None
        if not any(self.select_model(model_id) for model_id in keep):
            self.selection.clear()
        if data_changed or self.current_id() != before:
            self._show_current()  # another model, or the same one with new details

    def _neighbours(self) -> list[str]:
        """The current model, then the one after it and the one before it: who takes its place if it goes."""
        current = self.current_id()
        row = self.model.row_of(current) if current else -1
        if row < 0:
            return []
        rows = [row, row + 1, row - 1]
        return [self.model.id_at(r) for r in rows if 0 <= r < self.model.rowCount()]

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._updating:
            self._show_current()

    def _show_current(self) -> None:
        model_id = self.current_id()
        detail: ModelDetail | None = None
        if model_id is not None:
            try:
                detail = search.model_detail(self._ws, model_id)
            except NotFound:
                detail = None
        if detail is not None and not self._viewer_checked:
            self._viewer_checked = True
            self._show_preview = find_viewer()
        self.detail.preview_button.setVisible(self._show_preview is not None)
        costs: dict[str, CostBreakdown] = {}
        if detail is not None:
            try:
                costs = {v.id: costing.variant_cost(self._ws, v.id) for v in detail.variants}
            except PrintstallError:  # not worth losing the details over: they show without costs
                log.exception("Costing the variants of %s failed", detail.model.id)
        self.detail.show_detail(detail, self.unit, costs, self.currency)
        for action in (self.act_edit, self.act_delete):
            action.setEnabled(detail is not None)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_model(str(index.data(IdRole)))

    def _edit_current(self) -> None:
        if (model_id := self.current_id()) is not None:
            self.edit_model(model_id)

    def _delete_current(self) -> None:
        if (model_id := self.current_id()) is not None:
            self.delete_model(model_id)

    # ---------------------------------------------------------------- operations

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if not kinds & KINDS:
            return
        if "settings" in kinds:
            self.unit = weight_unit(self._ctx)
            self.currency = currency(self._ctx)
        keep = ([self._select_next] if self._select_next else []) + self._neighbours()
        self._select_next = None
        if kinds & {"models", "variants"}:
            self._count_library()
            self._load_facets()
            self._update_rows(self.model.refresh, keep, data_changed=True)
        else:
            self._show_current()

    def edit_model(self, model_id: str) -> None:
        try:
            model = library.get_model(self._ws, model_id)
        except NotFound:
            return
        dialog = ModelEditDialog(
            self._ctx,
            model,
            tags=self.facets.tags,
            categories=self.facets.categories,
            licences=self.facets.licences,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.edit_dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ModelEditDialog) -> None:
        if self.edit_dialog is dialog:
            self.edit_dialog = None
        self.view.setFocus()

    def delete_model(self, model_id: str) -> None:
        cards = search.model_cards(self._ws, [model_id])
        name = cards[0].name if cards else ""

        def deleted(_result: object) -> None:
            self._deleted.append((model_id, name))
            self.act_undo.setEnabled(True)
            self.undo_bar.show_message(tr("Deleted “{name}”.").format(name=name), self.undo_delete)

        self._ctx.ops.run(
            library.delete_model,
            self._ws,
            model_id,
            changes={"models"},
            on_done=deleted,
            on_error=self._failed,
        )

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        model_id, name = self._deleted.pop()
        self._select_next = model_id
        self.act_undo.setEnabled(bool(self._deleted))

        def restored(_result: object) -> None:
            self.undo_bar.show_message(
                tr("Restored “{name}”.").format(name=name), self.undo_delete if self._deleted else None
            )

        self._ctx.ops.run(
            records.restore,
            self._ws,
            library.MODEL,
            model_id,
            changes={"models"},
            on_done=restored,
            on_error=self._failed,
        )

    def _failed(self, error: PrintstallError) -> None:
        self._select_next = None
        self.act_undo.setEnabled(bool(self._deleted))
        self.undo_bar.show_message(str(error), error=True)

    # ---------------------------------------------------------------- 3D preview

    def preview_model(self, model_id: str) -> None:
        detail = self.detail.detail
        if self._show_preview is None or detail is None or detail.model.id != model_id or detail.mesh is None:
            return
        self._with_local_file(detail.mesh, lambda: self._read_mesh(model_id), busy=self.detail.preview_button)

    def _read_mesh(self, model_id: str) -> None:
        detail = self.detail.detail
        if detail is None or detail.model.id != model_id or detail.mesh is None:
            return  # another model was chosen while the mesh downloaded
        path = self._ws.blobs.path_for(detail.mesh.sha256)
        if self.mesh_loader.load(model_id, path, detail.mesh.name):
            self.detail.preview_button.setEnabled(False)
            self.detail.set_status(tr("Reading {name}…").format(name=detail.mesh.name))

    def _mesh_loaded(self, model_id: str, triangles: object) -> None:
        self.detail.preview_button.setEnabled(True)
        self.detail.set_status("")
        if self._show_preview is None:
            return
        try:
            self._show_preview(self.window(), triangles)
        except Exception:
            log.exception("the 3D preview failed")
            self.detail.set_status(tr("The 3D preview could not be shown; the details are in the log file."))

    def _mesh_failed(self, model_id: str, message: str) -> None:
        self.detail.preview_button.setEnabled(True)
        self.detail.set_status(message)

    # ---------------------------------------------------------------- opening and saving a copy of a file

    def save_file(self, entry: FileEntry) -> None:
        """Ask where to save a copy of `entry` (a model's file or a variant's sliced file), and save it."""
        self._with_local_file(entry, lambda: save_copy(self, self._ctx, entry.name, entry.sha256))

    def open_file(self, entry: FileEntry) -> None:
        """Open `entry` in the app this computer uses for its kind of file (a slicer, a G-code viewer)."""
        self._with_local_file(entry, lambda: open_copy(self, self._ctx, entry.name, entry.sha256))

    def _with_local_file(
        self, entry: FileEntry, then: Callable[[], object], busy: QWidget | None = None
    ) -> None:
        """`then()` once the file is in the data folder: at once, or after downloading a file made on another
        computer from the sync service (`busy`, a button, is disabled meanwhile)."""
        if self._ws.blobs.has(entry.sha256):
            self.detail.set_status("")
            then()
            return
        if self.fetch_file is None:
            self.detail.set_status(tr("{name} is missing from the data folder.").format(name=entry.name))
            return

        def downloaded(_path: Path) -> None:
            if busy is not None:
                busy.setEnabled(True)
            self._with_local_file(entry, then, busy)

        def failed(message: str) -> None:
            if busy is not None:
                busy.setEnabled(True)
            self.detail.set_status(message)

        if busy is not None:
            busy.setEnabled(False)
        self.detail.set_status(tr("Downloading {name}…").format(name=entry.name))
        self.fetch_file(entry.sha256, downloaded, failed)
