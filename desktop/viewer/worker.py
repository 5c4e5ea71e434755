"""The viewer's worker thread: preparing a mesh (shared vertices, smooth normals, a simplified copy) takes up
to a few seconds for a million triangles, and the window must not wait for it.

`Worker.run(job, on_done, state)` calls the plain function `job()` on one background thread shared by all
viewers (jobs run one at a time, in order) and `on_done(result)` on the UI thread. Cancelling `state` (a
`core.tasks.TaskState`) drops a job that has not started and a result that has not been delivered: a view
cancels what it asked for when it is given another mesh, and a deleted Worker cancels all it was asked, so
that a closed preview does not hold up the next one. The numpy work releases the interpreter lock for its big
array operations, so the event loop keeps running meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from core.tasks import TaskState

log = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(1, thread_name_prefix="printstall-viewer")
    return _pool


class Worker(QObject):
    """Runs jobs for one view and hands their results back to it on the UI thread."""

    # (on_done, on_error, state, result, error) from the worker thread to the UI thread
    _finished = Signal(object, object, object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished.connect(self._deliver)
        # The states of the jobs asked for, while a job holds them (TaskState compares by value: by id here).
        asked: weakref.WeakValueDictionary[int, TaskState] = weakref.WeakValueDictionary()
        self._asked = asked

        def cancel_all() -> None:  # not a method: the Worker's Python side may be gone by then
            for state in list(asked.values()):
                state.cancel()

        self.destroyed.connect(cancel_all)

    def run(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        state: TaskState,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run `job()` in the background, then `on_done(result)` here unless `state` was cancelled. A failure
        is logged and passed to `on_error`."""

        def work() -> None:
            if state.cancelled:
                return
            result: Any = None
            error: BaseException | None = None
            try:
                result = job()
            except Exception as exc:  # a job must always answer, or the view waits for it forever
                error = exc
            with contextlib.suppress(RuntimeError):  # the view was deleted meanwhile
                self._finished.emit(on_done, on_error, state, result, error)

        self._asked[id(state)] = state
        _shared_pool().submit(work)

    @Slot(object, object, object, object, object)
    def _deliver(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        state: TaskState,
        result: Any,
        error: BaseException | None,
    ) -> None:
        if state.cancelled:
            return
        if error is None:
            on_done(result)
            return
        log.warning("preparing the model for the viewer failed: %s", error, exc_info=error)
        if on_error is not None:
            on_error(error)
