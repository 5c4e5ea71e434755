"""Importing dropped files in the background, with progress, cancel and a summary.

`ImportController.start(paths)` runs `core.services.importing.import_paths` on a thread of its own (each
file is one short write transaction, so edits made meanwhile only wait for the file at hand), reports
progress through a `TaskState`, and emits `finished` with the outcomes on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.services.importing import ImportOutcome, import_paths
from core.tasks import TaskState
from desktop.context import AppContext


class ImportController(QObject):
    progress = Signal(int, int, str)  # done, total, current file
    finished = Signal(list, bool)  # outcomes, cancelled

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state: TaskState | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, paths: Sequence[Path]) -> bool:
        """Start importing; False when an import is already running."""
        if self.running:
            return False
        state = TaskState(on_progress=lambda s: self.progress.emit(s.done, s.total, s.message))
        self._state = state

        def work() -> None:
            outcomes: list[ImportOutcome] = import_paths(self._ctx.workspace, list(paths), state=state)
            self.finished.emit(outcomes, state.cancelled)

        self._thread = threading.Thread(target=work, name="printstall-import", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        if self._state is not None:
            self._state.cancel()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def summary(outcomes: Sequence[ImportOutcome], cancelled: bool) -> str:
    added = sum(o.status == "added" for o in outcomes)
    duplicates = sum(o.status == "duplicate" for o in outcomes)
    rejected = sum(o.status == "rejected" for o in outcomes)
    text = f"Imported {added}, skipped {duplicates} already in the library, rejected {rejected}."
    return text + (" Cancelled before the end." if cancelled else "")
