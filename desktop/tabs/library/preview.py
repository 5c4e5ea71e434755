"""The 3D preview of a model: its mesh read off the UI thread, then handed to the viewer.

The viewer (`desktop.viewer.show_preview(parent, triangles)`) is imported only when a model is first shown,
and the preview button stays hidden when it cannot be imported. Reading a mesh
(`core.formats.inspect.inspect_file`) can take seconds for a large one, so it runs on a worker thread; the
triangles (or one sentence saying why there are none) come back through a queued signal.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core.errors import PrintstallError
from core.formats.inspect import inspect_file

log = logging.getLogger(__name__)

ShowPreview = Callable[[Any, Any], Any]


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryPreview", text)


def find_viewer() -> ShowPreview | None:
    """`desktop.viewer.show_preview`, or None when the viewer cannot be imported."""
    try:
        module = importlib.import_module("desktop.viewer")
    except Exception:  # a missing or broken viewer (no OpenGL module, say) only hides the button
        log.info("no 3D viewer", exc_info=True)
        return None
    show = getattr(module, "show_preview", None)
    return show if callable(show) else None


def read_triangles(path: Path, name: str) -> Any:
    """The mesh's triangles (an (n, 3, 3) float32 array); PrintstallError when the file has none."""
    inspection = inspect_file(path, name)
    if inspection.mesh is None or inspection.mesh.triangle_count == 0:
        raise PrintstallError(tr("{name} holds no triangles to show.").format(name=name))
    return inspection.mesh.triangles


class MeshLoader(QObject):
    """Reads one mesh at a time on a worker thread."""

    loaded = Signal(str, object)  # model id, triangles
    failed = Signal(str, str)  # model id, one sentence

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._busy = False
        # Connected first, so `busy` is False by the time the tab's slots run (on the UI thread).
        self.loaded.connect(self._done)
        self.failed.connect(self._done)

    @property
    def busy(self) -> bool:
        """True from `load` until `loaded` or `failed` reaches the UI thread (the worker thread outlives its
        signal by a moment, so it is not asked)."""
        return self._busy

    def _done(self, *_args: object) -> None:
        self._busy = False

    def load(self, model_id: str, path: Path, name: str) -> bool:
        """Start reading; False when a mesh is being read already."""
        if self.busy:
            return False

        def work() -> None:
            try:
                triangles = read_triangles(path, name)
            except PrintstallError as exc:
                self._emit(self.failed, model_id, str(exc))
            except Exception as exc:
                log.exception("reading %s for the preview failed", name)
                self._emit(
                    self.failed, model_id, tr("The mesh could not be read ({error}).").format(error=exc)
                )
            else:
                self._emit(self.loaded, model_id, triangles)

        self._busy = True
        self._thread = threading.Thread(target=work, name="printstall-preview", daemon=True)
        self._thread.start()
        return True

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the tab was closed meanwhile
            signal.emit(*args)

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
