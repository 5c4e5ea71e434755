"""Progress and cancellation for long work (imports, renders), without Qt.

A worker is a plain function that takes a `TaskState`: it reports progress with `state.advance()` and checks
`state.cancelled` between steps. The GUI reads the state from another thread; the tests drive it directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised by `TaskState.check()` when the user asked to stop."""


@dataclass
class TaskState:
    total: int = 0
    done: int = 0
    message: str = ""
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    on_progress: Callable[[TaskState], None] | None = field(default=None, repr=False)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def advance(self, message: str = "", step: int = 1) -> None:
        self.done += step
        if message:
            self.message = message
        if self.on_progress is not None:
            self.on_progress(self)
