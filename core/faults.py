"""Named points where a test may kill the process, to prove a transaction is all-or-nothing.

Setting PRINTSTALL_FAULT=<name> makes `checkpoint(name)` kill the process on the spot (SIGKILL where the
platform has it), exactly as a power cut or a task manager would. Without the variable it does nothing.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "PRINTSTALL_FAULT"


def checkpoint(name: str) -> None:
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
