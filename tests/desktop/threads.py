"""A worker thread that lingers after its work, as one does on a busy machine: for tests that the window
does not take "the thread is still alive" to mean "the work is still running"."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest


class SlowToExitThread(threading.Thread):
    def run(self) -> None:
        super().run()
        time.sleep(1.0)


def make_threads_slow_to_exit(monkeypatch: pytest.MonkeyPatch, module: object) -> None:
    """`module`'s `threading.Thread` becomes `SlowToExitThread` for the test."""
    monkeypatch.setattr(module, "threading", SimpleNamespace(Thread=SlowToExitThread))
