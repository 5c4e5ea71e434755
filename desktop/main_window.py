"""The main window: the six tabs, the menus, drag and drop import anywhere, and the status bar.

Every action is in a menu with its shortcut: File (import, export, restore from backup, quit), Edit (what
the current tab can do, then the settings and the printers), View (the tabs, Ctrl+1 to Ctrl+6, which also put
the focus where work in the tab starts) and Sync (the account, sync now, the sync panel). The sync state stays
at the right of the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar, cast

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from core.services import filament
from core.services.importing import ImportOutcome
from desktop import theme
from desktop.backups_dialog import BackupsDialog
from desktop.context import AppContext
from desktop.exporting import export_menu
from desktop.importer import ImportController, summary
from desktop.scanner import install_scanner
from desktop.settings_dialog import SettingsDialog
from desktop.sync.account_dialog import AccountDialog
from desktop.sync.controller import SyncController
from desktop.sync.panel import SyncPanel
from desktop.sync.status import SyncStatusBar
from desktop.tabs.dashboard import DashboardTab
from desktop.tabs.events import EventsTab
from desktop.tabs.filament import FilamentTab
from desktop.tabs.library import LibraryTab
from desktop.tabs.products import ProductsTab
from desktop.tabs.queue import QueueTab

T = TypeVar("T", bound=QWidget)


class Tab(Protocol):
    """What the window asks of each tab."""

    def menu_actions(self) -> list[QAction | None]:
        """The tab's actions for the Edit menu, in order; None is a separator."""
        ...

    def focus_main(self) -> None:
        """Put the keyboard focus where work in the tab starts."""
        ...


def shortcuts(standard: QKeySequence.StandardKey, *more: str) -> list[QKeySequence]:
    """The platform's keys for `standard`, then `more` (which also stand in where the platform has none)."""
    keys = QKeySequence.keyBindings(standard)
    return keys + [QKeySequence(k) for k in more if QKeySequence(k) not in keys]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, sync: SyncController | None = None) -> None:
        """`sync` is the app's sync controller (desktop/app.py starts it); without one, the window makes its
        own, signed out until the user signs in."""
        super().__init__()
        self.ctx = ctx
        self.workspace = ctx.workspace
        self._owns_sync = sync is None
        self.sync = sync if sync is not None else SyncController(ctx, parent=self)
        self.account_dialog: AccountDialog | None = None
        self.sync_panel: SyncPanel | None = None
        self.setWindowTitle(self.tr("Printstall"))
        self.setAcceptDrops(True)
        self.resize(1200, 780)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        # No mnemonics in the tab titles: Alt+letter belongs to the menus and each tab's buttons; Ctrl+1 to
        # Ctrl+6 (and Ctrl+Tab) switch tabs.
        pages: list[tuple[str, QWidget]] = [
            (self.tr("Library"), LibraryTab(ctx)),
            (self.tr("Filament"), FilamentTab(ctx)),
            (self.tr("Products"), ProductsTab(ctx)),
            (self.tr("Print queue"), QueueTab(ctx)),
            (self.tr("Events"), EventsTab(ctx)),
            (self.tr("Dashboard"), DashboardTab(ctx)),
        ]
        for title, page in pages:
            page.setAccessibleName(title)
            self.tabs.addTab(page, title)
            if isinstance(page, LibraryTab):
                page.fetch_file = self.sync.fetch_file  # meshes made on another computer, on first open
        for _title, page in pages:
            if isinstance(page, DashboardTab):
                page.show_subject.connect(self.show_subject)

        self.importer = ImportController(ctx, self)
        self.importer.progress.connect(self._on_import_progress)
        self.importer.finished.connect(self._on_import_finished)
        self.last_import: list[ImportOutcome] = []
        self._build_status_bar()
        self._build_menus()
        ctx.ops.failed.connect(self._show_error)
        self.scanner = install_scanner(ctx, self)
        self.scanner.found.connect(self.show_subject)
        self.scanner.not_found.connect(
            lambda code: self.statusBar().showMessage(
                self.tr("No spool or product has the code {code}.").format(code=code), 8000
            )
        )
        self.scanner.failed.connect(self._show_error)
        self._restore_layout()
        self.current_tab().focus_main()

    # ---------------------------------------------------------------- chrome

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.task_label = QLabel()
        self.task_progress = QProgressBar()
        self.task_progress.setMaximumWidth(220)
        self.task_cancel = QPushButton(self.tr("Cancel"))
        self.task_cancel.setAccessibleName(self.tr("Cancel the import"))
        self.task_cancel.clicked.connect(self.importer.cancel)
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            bar.addPermanentWidget(widget)
            widget.hide()
        self.sync_status = SyncStatusBar(self.sync)
        self.sync_status.open_panel.connect(self.open_sync_panel)
        bar.addPermanentWidget(self.sync_status)
        self.sync.notice.connect(self._show_notice)
        bar.showMessage(self.tr("Data folder: {path}").format(path=self.workspace.data_dir))

    def _window_action(self, text: str, keys: list[QKeySequence], slot: Callable[[], object]) -> QAction:
        """An action whose shortcut works anywhere in the window, whatever its menu shows."""
        action = QAction(text, self)
        action.setShortcuts(keys)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.import_action = self._window_action(
            self.tr("&Import files…"),
            shortcuts(QKeySequence.StandardKey.Open, "Ctrl+I"),
            self.choose_files_to_import,
        )
        file_menu.addAction(self.import_action)
        file_menu.addMenu(
            export_menu(self, self.ctx, current_event=self._page(EventsTab).list.current_event_id)
        )
        self.backups_action = self._window_action(self.tr("Restore from &backup…"), [], self.open_backups)
        file_menu.addAction(self.backups_action)
        file_menu.addSeparator()
        quit_action = self._window_action(
            self.tr("&Quit"), shortcuts(QKeySequence.StandardKey.Quit, "Ctrl+Q"), self.close
        )
        file_menu.addAction(quit_action)

        self.edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self.settings_action = self._window_action(
            self.tr("Se&ttings…"),
            shortcuts(QKeySequence.StandardKey.Preferences, "Ctrl+,"),
            self.open_settings,
        )
        self.printers_action = self._window_action(self.tr("&Printers…"), [], self.open_printers)
        self.edit_menu.aboutToShow.connect(self.fill_edit_menu)
        self.fill_edit_menu()

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.tab_actions: list[QAction] = []
        for index in range(self.tabs.count()):
            action = self._window_action(
                self.tabs.tabText(index),
                [QKeySequence(f"Ctrl+{index + 1}")],
                partial(self.show_tab, index),
            )
            view_menu.addAction(action)
            self.tab_actions.append(action)

        account_menu = self.menuBar().addMenu(self.tr("S&ync"))
        self.account_action = self._window_action(self.tr("&Sign in…"), [], self.open_account)
        self.sync_now_action = self._window_action(
            self.tr("Sync &now"), [QKeySequence("F5")], self.sync.sync_now
        )
        self.sync_panel_action = self._window_action(self.tr("Sync s&tatus…"), [], self.open_sync_panel)
        for action in (self.account_action, self.sync_now_action, self.sync_panel_action):
            account_menu.addAction(action)
        self.sync.session_changed.connect(self._session_changed)
        self._session_changed()

    def fill_edit_menu(self) -> None:
        """The Edit menu: what the current tab can do, then the settings and the printers."""
        menu: QMenu = self.edit_menu
        menu.clear()
        for action in self.current_tab().menu_actions():
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        menu.addAction(self.printers_action)

    def current_tab(self) -> Tab:
        return cast(Tab, self.tabs.currentWidget())

    def show_tab(self, index: int) -> None:
        """Show tab `index` with the keyboard focus in it (Ctrl+1 to Ctrl+6)."""
        self.tabs.setCurrentIndex(index)
        self.current_tab().focus_main()

    def show_subject(self, kind: str, subject_id: str) -> None:
        """Show a product (in the Products tab), a spool, or a filament (its emptiest spool, in the Filament
        tab): where the Dashboard's alerts and scanned labels lead."""
        if kind == "product":
            products_tab = self._page(ProductsTab)
            self.show_tab(self.tabs.indexOf(products_tab))
            products_tab.select_product(subject_id)
        elif kind in ("spool", "filament"):
            filament_tab = self._page(FilamentTab)
            self.show_tab(self.tabs.indexOf(filament_tab))
            if kind == "filament":
                live = [s for s in filament.list_spools(self.workspace) if s.filament_id == subject_id]
                if not live:
                    return
                subject_id = min(live, key=lambda s: (s.remaining_mg, s.id)).id
            filament_tab.select_spool(subject_id)

    def _page(self, kind: type[T]) -> T:
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if isinstance(page, kind):
                return page
        raise LookupError(kind.__name__)

    def open_backups(self) -> BackupsDialog:
        dialog = BackupsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_printers(self) -> None:
        from desktop.dialogs.printers import PrintersDialog

        PrintersDialog(self.ctx, self).open()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.ctx, self)
        if dialog.exec():
            app = QApplication.instance()
            if isinstance(app, QApplication):
                theme.apply(app, str(dialog.values()["theme"]))

    def _show_error(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Printstall"), message)

    # ---------------------------------------------------------------- sync

    def open_account(self) -> AccountDialog:
        """The account dialog (one, kept: a call it started reports back to it even after it was closed)."""
        if self.account_dialog is None:
            self.account_dialog = AccountDialog(self.sync, self)
        self.account_dialog.show()
        self.account_dialog.raise_()
        self.account_dialog.activateWindow()
        return self.account_dialog

    def open_sync_panel(self) -> SyncPanel:
        if self.sync_panel is None:
            self.sync_panel = SyncPanel(self.sync, self)
            self.sync_panel.open_account.connect(self.open_account)
        self.sync_panel.show()
        self.sync_panel.show_status(self.sync.status)
        self.sync_panel.raise_()
        return self.sync_panel

    def _session_changed(self) -> None:
        self.account_action.setText(self.tr("&Account…") if self.sync.signed_in else self.tr("&Sign in…"))
        self.sync_now_action.setEnabled(self.sync.signed_in)

    def _show_notice(self, message: str) -> None:
        """A message that does not stop the user (the window stays usable while it is up)."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Printstall"), message, parent=self)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    # ---------------------------------------------------------------- import

    def choose_files_to_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Import files"),
            "",
            self.tr("Models and sliced files (*.stl *.3mf *.obj *.gcode *.bgcode *.zip);;All files (*)"),
        )
        if names:
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: Sequence[Path]) -> bool:
        if not self.importer.start(paths):
            self.statusBar().showMessage(self.tr("An import is running; wait for it or cancel it."), 5000)
            return False
        self.task_label.setText(self.tr("Importing…"))
        self.task_progress.setRange(0, 0)
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            widget.show()
        return True

    def _on_import_progress(self, done: int, total: int, current: str) -> None:
        self.task_progress.setRange(0, max(total, 1))
        self.task_progress.setValue(done)
        self.task_label.setText(self.tr("Importing {name}").format(name=current))

    def _on_import_finished(self, outcomes: list[ImportOutcome], cancelled: bool) -> None:
        self.last_import = outcomes
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            widget.hide()
        self.statusBar().showMessage(summary(outcomes, cancelled), 15000)
        self.ctx.ops.changed.emit(frozenset({"models", "variants"}))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # ---------------------------------------------------------------- layout

    def _restore_layout(self) -> None:
        geometry = self.ctx.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        tab = str(self.ctx.settings.value("window/tab", 0))
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("window/tab", self.tabs.currentIndex())
        self.importer.shutdown()
        if self._owns_sync:
            self.sync.shutdown()
        super().closeEvent(event)
