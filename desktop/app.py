"""Starting the app: the QApplication, the workspace, sync, the main window, and one clear message on
failure."""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core import __version__
from core.config import default_data_dir
from core.errors import PrintstallError
from core.services import settings
from core.workspace import Workspace
from desktop import errors, theme
from desktop.backups_dialog import DailyBackup
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.none_guard import protect_none
from desktop.open_files import FileOpener
from desktop.ops import Operations
from desktop.settings_dialog import chosen_data_folder
from desktop.single_instance import HandOverFailed, SingleInstance, server_name
from desktop.sync.controller import SyncController

log = logging.getLogger(__name__)


def resource_path(name: str) -> Path:
    """A file of `resources/`: beside the packages in a source tree, in the bundle in the installed app."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    return base / "resources" / name


def freeze_startup_objects() -> None:
    """Move everything made at start-up (Qt wrappers, modules, ORM mappers) out of the garbage collector's
    view. A full collection otherwise walks them all and holds the interpreter for ~80 ms, which the window
    feels as a stall during long imports."""
    gc.collect()
    gc.freeze()


def run_app(
    data_dir: Path | None,
    *,
    quit_after: float | None = None,
    paths: Sequence[Path] = (),
    started: float | None = None,
) -> int:
    """Open the window on `data_dir`, or on the folder chosen in the settings, or on the default one, and
    import `paths` into it. When a window is already open on that folder, hand `paths` to it and return 0.
    `started` is the `time.perf_counter()` of the process's start (for the log)."""
    started = time.perf_counter() if started is None else started
    protect_none()  # before any Qt call: see desktop/none_guard.py
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    opener = FileOpener(app)  # before anything else: macOS sends the files a launch opens as events
    opener.open(paths)
    app.setApplicationName("Printstall")
    app.setOrganizationName("Printstall")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("printstall")  # Wayland matches the window to printstall.desktop (its icon)
    icon = resource_path("icons/printstall.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    errors.setup_logging()
    errors.enable_fault_log()
    errors.install()
    preferences = QSettings()
    data_dir = data_dir or chosen_data_folder(preferences) or default_data_dir()
    instance = SingleInstance(server_name(data_dir), app)
    try:
        if not instance.start(opener.waiting):
            log.info("handed %d path(s) to the window already open on %s", len(opener.waiting), data_dir)
            return 0
    except HandOverFailed as exc:
        log.error("the window open on %s did not take the files: %s", data_dir, exc)
        QMessageBox.critical(
            None,
            QCoreApplication.translate("app", "Printstall cannot start"),
            QCoreApplication.translate(
                "app", "Printstall is already open on this data folder but does not answer."
            ),
        )
        return 1
    instance.received.connect(opener.open)
    try:
        workspace = Workspace.open(data_dir)
    except PrintstallError as exc:
        log.exception("could not open the data folder")
        QMessageBox.critical(None, QCoreApplication.translate("app", "Printstall cannot start"), str(exc))
        return 1
    ops = Operations()
    ctx = AppContext(workspace, ops, preferences)
    theme.apply(app, str(settings.get(workspace, "theme")))
    with workspace:
        sync = SyncController(ctx)
        window = MainWindow(ctx, sync)
        window.show()
        QTimer.singleShot(
            0, lambda: log.info("main window shown in %.0f ms", 1000 * (time.perf_counter() - started))
        )
        opener.attach(window)
        sync.start()  # resumes the session the keyring kept, in the background
        daily_backup = DailyBackup(ctx, window)
        daily_backup.start()  # today's backup if it is due, then a look every hour
        freeze_startup_objects()
        if quit_after is not None:
            QTimer.singleShot(int(quit_after * 1000), app.quit)
        try:
            return app.exec()
        finally:
            instance.close()
            sync.shutdown()  # after the sync in progress, before the writer and the database close
            ops.shutdown()
            close_windows(app)


def close_windows(app: QApplication) -> None:
    """Delete every window while Qt is whole: left to Python's exit, a dialog can be torn down after an object
    it points to (a print dialog's printer) and crash the app on its way out."""
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
