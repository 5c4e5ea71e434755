"""Files the user opened from outside the window: on the command line (`printstall FILE...`), by a later
launch (handed over by `desktop/single_instance.py`), or from macOS's Finder, which sends a
`QFileOpenEvent` to the application instead of passing them as arguments.

`FileOpener` queues them until the window exists and while an import runs, then hands them to the window's
`import_paths`; each hand-over also brings the window forward.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

from desktop.main_window import MainWindow

log = logging.getLogger(__name__)


class FileOpener(QObject):
    def __init__(self, app: QCoreApplication, *, file_open_events: bool = sys.platform == "darwin") -> None:
        """With `file_open_events` (on by default on macOS only, where Qt sends them), an event filter on
        `app` takes `QFileOpenEvent`s; it is installed at once, so files opened while the app starts are kept.
        """
        super().__init__(app)
        self.waiting: list[Path] = []
        self.window: MainWindow | None = None
        if file_open_events:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file()
            if name:
                self.open([Path(name)])
                return True
        return False

    def open(self, paths: Sequence[Path]) -> None:
        """Import `paths` (now, or once the window exists and is free) and bring the window forward."""
        self.waiting.extend(paths)
        if self.window is not None:
            self.bring_forward()
        self.deliver()

    def attach(self, window: MainWindow) -> None:
        """From now on, files go to `window`: those waiting at once, later ones after each import."""
        self.window = window
        window.importer.finished.connect(self.deliver)  # connected after the window's own slot: runs after it
        self.deliver()

    def deliver(self) -> None:
        window = self.window
        if window is None or not self.waiting or window.importer.running:
            return
        paths, self.waiting = self.waiting, []
        log.info("opening %d file(s) from outside the window", len(paths))
        window.import_paths(paths)

    def bring_forward(self) -> None:
        window = self.window
        assert window is not None
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
