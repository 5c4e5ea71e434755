"""Unexpected errors: logged with the details to a rotating file, shown to the user as one clear sentence."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

import platformdirs

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

from core import __version__
from sync.client.transport import keep_credentials_out_of_logs

log = logging.getLogger("printstall")


def log_dir() -> Path:
    return platformdirs.user_log_path("Printstall", appauthor=False)


def setup_logging() -> Path:
    """Log to `printstall.log` in the user's log folder (rotating, 5 x 1 MB); returns the file's path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "printstall.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    keep_credentials_out_of_logs()
    log.info(
        "Printstall %s, Python %s, Qt %s (PySide6 %s), %s",
        __version__,
        platform.python_version(),
        qVersion(),
        pyside_version,
        platform.platform(),
    )
    return path


def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Show one sentence; the traceback goes to the log."""
    details = "".join(traceback.format_exception(kind, error, tb))
    log.error("unhandled error:\n%s", details)
    if QApplication.instance() is None:
        sys.__excepthook__(kind, error, tb)
        return
    message = QCoreApplication.translate(
        "errors",
        "Something went wrong, and Printstall could not finish what it was doing. Nothing you saved is "
        "lost. The details are in the log file; you can copy them from here.",
    )
    box = QMessageBox(QMessageBox.Icon.Critical, "Printstall", message)
    box.setDetailedText(details)
    box.exec()


def install() -> None:
    sys.excepthook = excepthook
