"""Unexpected errors: logged with the details to a rotating file, shown to the user as one clear sentence.

`setup_logging()` opens `printstall.log` in the user's log folder. `install()` routes everything nobody
caught there: exceptions on the UI thread (`sys.excepthook`, which PySide6 also calls for a slot that
raised), on other threads (`threading.excepthook`), and Qt's own warnings (`qInstallMessageHandler`). Each
crash entry carries the versions of Printstall, Python, Qt and the OS, so one entry pasted into a bug report
is enough. The user sees one sentence in a `CrashDialog` with "Copy details" (the same text, to the
clipboard) and "Open log folder".
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import platform
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import platformdirs

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from sync.client.transport import keep_credentials_out_of_logs

log = logging.getLogger("printstall")
qt_log = logging.getLogger("qt")

LOG_DIR_ENV = "PRINTSTALL_LOG_DIR"
LOG_NAME = "printstall.log"
FAULT_LOG_NAME = "native-crashes.log"

_handler: logging.Handler | None = None
_log_folder: Path | None = None
_fault_file: IO[str] | None = None


def log_dir() -> Path:
    """The folder of the log files: `PRINTSTALL_LOG_DIR`, else the user's log folder (platformdirs)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_log_path("Printstall", appauthor=False)


def current_log_dir() -> Path:
    """The folder `setup_logging` writes to (the default one before it ran)."""
    return _log_folder or log_dir()


def versions() -> str:
    """One line naming every version a bug report needs."""
    return (
        f"Printstall {__version__}, Python {platform.python_version()}, Qt {qVersion()} "
        f"(PySide6 {pyside_version}), {platform.platform()}"
    )


def setup_logging(folder: Path | None = None) -> Path:
    """Log to `printstall.log` in `folder` (default: `log_dir()`), rotating, 5 x 1 MB; returns the file's
    path. Called again, it replaces its earlier file handler."""
    global _handler, _log_folder
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _handler, _log_folder = handler, folder
    keep_credentials_out_of_logs()
    log.info("%s", versions())
    return path


def stop_logging() -> None:
    """Close the log file `setup_logging` opened (tests; the app keeps it until it exits)."""
    global _handler, _log_folder
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
    _handler = _log_folder = None


def enable_fault_log() -> None:
    """A hard crash in native code (Qt, a driver) never reaches Python's hooks: Python's fault handler writes
    the stacks of every thread to `native-crashes.log` beside the log instead (a frozen app has no stderr)."""
    global _fault_file
    folder = current_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _fault_file = (folder / FAULT_LOG_NAME).open("a", encoding="utf-8")
    faulthandler.enable(_fault_file, all_threads=True)


# ---------------------------------------------------------------- reporting


def crash_details(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None, thread: str
) -> str:
    """The text of a crash report: where, the versions, the traceback."""
    trace = "".join(traceback.format_exception(kind, error, tb))
    return f"Unhandled error in thread {thread!r}\n{versions()}\n{trace}".rstrip("\n")


def report(kind: type[BaseException], error: BaseException, tb: TracebackType | None, thread: str) -> str:
    """Log the crash (one self-contained entry) and return its details."""
    details = crash_details(kind, error, tb, thread)
    log.error("%s", details)
    return details


class CrashDialog(QDialog):
    """One sentence, and the details a bug report needs one click away. Not modal: the window stays usable,
    and a test is never stopped by it."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle(self.tr("Printstall"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        icon.setAccessibleName(self.tr("Error"))
        self.message = QLabel(
            self.tr(
                "Something went wrong and Printstall could not finish what it was doing; what you saved is "
                "safe, and the details are in the log file."
            )
        )
        self.message.setWordWrap(True)
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.setToolTip(self.tr("Put the details on the clipboard, to paste into a bug report"))
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton(self.tr("&Open log folder"))
        self.folder_button.clicked.connect(self.open_log_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def add(self, details: str) -> None:
        """Another error while the dialog is up: its details go after the first ones."""
        self.details = f"{self.details}\n\n{details}"

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText(self.tr("&Copied"))

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(current_log_dir())))


class CrashReporter(QObject):
    """Shows the crash dialog on the UI thread, whichever thread failed (a queued signal from the others)."""

    crashed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: CrashDialog | None = None
        # Before the event loop runs (or after it ended) a dialog that does not wait would vanish at once.
        self.wait_when_idle = True
        self.crashed.connect(self.show)

    def show(self, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(details)
            return
        dialog = CrashDialog(details)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        app = QCoreApplication.instance()
        if self.wait_when_idle and app is not None and app.thread().loopLevel() == 0:
            dialog.exec()
        else:
            dialog.show()
            dialog.raise_()

    def _forget(self) -> None:
        self.dialog = None


# ---------------------------------------------------------------- the hooks


_reporter: CrashReporter | None = None
_previous: dict[str, Any] = {}


def _show(details: str) -> None:
    if _reporter is not None and isinstance(QCoreApplication.instance(), QApplication):
        _reporter.crashed.emit(details)  # queued to the UI thread when emitted from another
    elif sys.stderr is not None:  # a frozen windowed app has none
        print(details, file=sys.stderr)


def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """`sys.excepthook`: the log, then one sentence (Ctrl+C in a terminal stays Python's)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    _show(report(kind, error, tb, threading.current_thread().name))


def thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """`threading.excepthook`: the same for an exception that ends a thread."""
    if args.exc_type is SystemExit:
        return
    assert args.exc_value is not None
    name = args.thread.name if args.thread is not None else "unknown"
    _show(report(args.exc_type, args.exc_value, args.exc_traceback, name))


QT_LEVELS = {
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's warnings and worse go to the log (debug and info messages are dropped)."""
    level = QT_LEVELS.get(kind)
    if level is not None:
        where = f" ({context.category})" if context.category and context.category != "default" else ""
        qt_log.log(level, "%s%s", message, where)


def install() -> CrashReporter | None:
    """Route every uncaught error and Qt warning to the log and the crash dialog; `uninstall()` undoes it.
    The reporter exists when a QApplication does (without one, errors are logged and printed)."""
    global _reporter
    if not _previous:
        _previous.update(sys=sys.excepthook, threading=threading.excepthook)
        _previous["qt"] = qInstallMessageHandler(qt_message_handler)
    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    app = QCoreApplication.instance()
    if _reporter is None and isinstance(app, QApplication):
        _reporter = CrashReporter(app)
    return _reporter


def uninstall() -> None:
    """Put back the hooks `install()` replaced (tests)."""
    global _reporter
    if _previous:
        sys.excepthook = _previous.pop("sys")
        threading.excepthook = _previous.pop("threading")
        qInstallMessageHandler(_previous.pop("qt"))
    if _reporter is not None:
        if _reporter.dialog is not None:
            _reporter.dialog.close()
        _reporter.deleteLater()
        _reporter = None
