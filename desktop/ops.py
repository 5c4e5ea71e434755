"""Running `core` operations off the UI thread, one writer at a time, and telling screens what changed.

Every user action is a `core.services` call. `Operations.run()` sends it to a single worker thread (so no two
threads write SQLite at once), and delivers the result or the error back on the UI thread. After a
successful write, `changed` is emitted with the kinds of records it touched; screens refresh from that signal
and never poll the database. Tests construct `Operations(synchronous=True)`: the call runs at once, on the
caller's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import PrintstallError

log = logging.getLogger(__name__)

# The kinds of records screens listen for.
KINDS = (
    "models", "variants", "filament", "spools", "products", "stock", "printers", "jobs", "events", "sales",
)  # fmt: skip


class Operations(QObject):
    """The one door to `core` writes for the GUI."""

    changed = Signal(frozenset)  # the kinds of records an operation touched
    failed = Signal(str)  # one sentence for the user
    _finished = Signal(object, object, object)  # (callback, result, error) back to the UI thread

    def __init__(self, *, synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._synchronous = synchronous
        self._writer = None if synchronous else ThreadPoolExecutor(1, thread_name_prefix="printstall-writer")
        self._finished.connect(self._deliver)

    def run(
        self,
        func: Callable[..., Any],
        *args: Any,
        changes: Iterable[str] = (),
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[PrintstallError], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Call `func(*args, **kwargs)` on the writer thread; then, on the UI thread, `on_done(result)` and
        `changed` with `changes`, or `on_error(error)` (default: the `failed` signal) for a
        PrintstallError."""
        kinds = frozenset(changes)

        def finish(result: Any, error: BaseException | None) -> None:
            if error is None:
                if on_done is not None:
                    on_done(result)
                if kinds:
                    self.changed.emit(kinds)
            elif isinstance(error, PrintstallError):
                if on_error is not None:
                    on_error(error)
                else:
                    self.failed.emit(str(error))
            else:
                raise error

        if self._writer is None:
            try:
                result = func(*args, **kwargs)
            except PrintstallError as exc:
                finish(None, exc)
                return
            finish(result, None)
            return
        future = self._writer.submit(func, *args, **kwargs)

        def done(f: Future[Any]) -> None:
            error = f.exception()
            self._finished.emit(finish, None if error else f.result(), error)

        future.add_done_callback(done)

    @Slot(object, object, object)
    def _deliver(self, finish: Callable[[Any, BaseException | None], None], result: Any, error: Any) -> None:
        finish(result, error)

    def shutdown(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True, cancel_futures=True)
