"""Importing dropped files in the background, with progress, cancel and a summary.

`ImportController.start(paths)` runs `core.services.importing.import_paths` on a thread of its own (each
file is one short write transaction, so edits made meanwhile only wait for the file at hand), reports
progress through a `TaskState`, and emits `finished` with the outcomes on the UI thread. Reading files and
rendering thumbnails (`importing.analyse`) runs in a process pool with the `spawn` start method, so the CPU
work never holds the interpreter lock that the window's event loop needs.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.services.importing import Analysis, ImportOutcome, analyse, import_paths
from core.tasks import TaskState
from desktop.context import AppContext

log = logging.getLogger(__name__)


class ImportController(QObject):
    progress = Signal(int, int, str)  # done, total, current file
    finished = Signal(list, bool)  # outcomes, cancelled
    _worker_done = Signal(list, bool)  # emitted on the import thread; queued to the UI thread

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state: TaskState | None = None
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._running = False
        self._worker_done.connect(self._on_worker_done)

    def _analyse_in_pool(self, path: Path, name: str, sha256: str) -> Analysis:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool.submit(analyse, path, name, sha256).result()

    @property
    def running(self) -> bool:
        """True from `start` until `finished` is emitted. Kept on the UI thread: the worker thread is still
        alive for a moment after it hands over its outcomes, so asking the thread would refuse an import
        started from a slot of `finished`."""
        return self._running

    def start(self, paths: Sequence[Path]) -> bool:
        """Start importing; False when an import is already running."""
        if self.running:
            return False
        state = TaskState(on_progress=lambda s: self.progress.emit(s.done, s.total, s.message))
        self._state = state
        self._running = True

        def work() -> None:
            outcomes: list[ImportOutcome] = []
            try:
                outcomes = import_paths(
                    self._ctx.workspace, list(paths), state=state, analyse_with=self._analyse_in_pool
                )
            except Exception:  # a bug must not leave the window waiting for an import that died
                log.exception("the import stopped")
                outcomes = [
                    ImportOutcome("", "rejected", "The import stopped on an unexpected error; see the log.")
                ]
            finally:
                self._worker_done.emit(outcomes, state.cancelled)

        self._thread = threading.Thread(target=work, name="printstall-import", daemon=True)
        self._thread.start()
        return True

    def _on_worker_done(self, outcomes: list[ImportOutcome], cancelled: bool) -> None:
        self._running = False
        self.finished.emit(outcomes, cancelled)

    def cancel(self) -> None:
        if self._state is not None:
            self._state.cancel()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def shutdown(self) -> None:
        """Stop a running import and the worker process."""
        self.cancel()
        self.wait(30)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def summary(outcomes: Sequence[ImportOutcome], cancelled: bool) -> str:
    added = sum(o.status == "added" for o in outcomes)
    duplicates = sum(o.status == "duplicate" for o in outcomes)
    rejected = sum(o.status == "rejected" for o in outcomes)
    text = f"Imported {added}, skipped {duplicates} already in the library, rejected {rejected}."
    return text + (" Cancelled before the end." if cancelled else "")
