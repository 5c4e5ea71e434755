"""A workaround for PySide6 6.12.0 on Python 3.11: every call of a Qt method that returns nothing (`update()`,
`setText()`, `glDrawArrays()`, ...) takes one reference from `None` without having given it one.

Python 3.12 made `None` immortal, so there the lost references do not matter; on 3.11 its count falls by one
per call, and when it reaches zero Python aborts ("none_dealloc: deallocating None"). A 3D view makes dozens
of such calls per frame, so a few seconds of turning a model would end the app.

`protect_none()` gives `None` 2**40 extra references once, as Python 3.12 does for immortal objects: no
realistic session makes a million million calls. It touches nothing on Python 3.12 and later.
"""

from __future__ import annotations

import ctypes
import sys

EXTRA_REFERENCES = 1 << 40
_done = False


def protect_none() -> None:
    """Make `None` effectively immortal on Python before 3.12 (once per process; harmless to call again)."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    # ob_refcnt is the first field of every object (a Py_ssize_t) in CPython's release builds.
    # True and False lose references the same way (a crash seen in "bool_dealloc").
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += EXTRA_REFERENCES
    _done = True
