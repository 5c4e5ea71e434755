"""The main window: the five tabs, the menus, drag and drop import anywhere, and the status bar."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from core.services.importing import ImportOutcome
from desktop import theme
from desktop.context import AppContext
from desktop.importer import ImportController, summary
from desktop.settings_dialog import SettingsDialog
from desktop.tabs.events import EventsTab
from desktop.tabs.filament import FilamentTab
from desktop.tabs.library import LibraryTab
from desktop.tabs.products import ProductsTab
from desktop.tabs.queue import QueueTab


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.workspace = ctx.workspace
        self.setWindowTitle(self.tr("Printstall"))
        self.setAcceptDrops(True)
        self.resize(1200, 780)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        pages: list[tuple[str, QWidget]] = [
            (self.tr("&Library"), LibraryTab(ctx)),
            (self.tr("&Filament"), FilamentTab(ctx)),
            (self.tr("&Products"), ProductsTab(ctx)),
            (self.tr("Print &queue"), QueueTab(ctx)),
            (self.tr("&Events"), EventsTab(ctx)),
        ]
        for title, page in pages:
            page.setAccessibleName(title.replace("&", ""))
            self.tabs.addTab(page, title)

        self.importer = ImportController(ctx, self)
        self.importer.progress.connect(self._on_import_progress)
        self.importer.finished.connect(self._on_import_finished)
        self.last_import: list[ImportOutcome] = []
        self._build_status_bar()
        self._build_menus()
        ctx.ops.failed.connect(self._show_error)
        self._restore_layout()

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
        bar.showMessage(self.tr("Data folder: {path}").format(path=self.workspace.data_dir))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        import_action = QAction(self.tr("&Import files…"), self)
        import_action.setShortcut(QKeySequence.StandardKey.Open)
        import_action.triggered.connect(self.choose_files_to_import)
        file_menu.addAction(import_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        settings_action = QAction(self.tr("&Settings…"), self)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        settings_action.triggered.connect(self.open_settings)
        edit_menu.addAction(settings_action)
        printers_action = QAction(self.tr("&Printers…"), self)
        printers_action.triggered.connect(self.open_printers)
        edit_menu.addAction(printers_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for index in range(self.tabs.count()):
            action = QAction(self.tabs.tabText(index), self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)

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
        super().closeEvent(event)
