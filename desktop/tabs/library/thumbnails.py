"""Thumbnails for the library: PNG/JPEG blobs decoded and scaled off the UI thread, kept in a small LRU cache.

`pixmap(sha256)` answers at once from the cache, or returns None and starts decoding on a worker thread; when
the picture is ready, `ready(sha256)` is emitted on the UI thread and the next call answers from the cache.
Decoding is a QImage (thread-safe); only the UI thread turns it into a QPixmap. Scrolling therefore never
waits for a file: a cell shows its placeholder until its picture arrives.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

log = logging.getLogger(__name__)

WORKERS = 2


def decode(path: Path, edge: int) -> QImage | None:
    """The image at `path` scaled to fit `edge` x `edge` pixels, or None when it cannot be read."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > edge or size.height() > edge):
        # Readers that can (JPEG) decode straight to the smaller size; the rest scale after decoding.
        reader.setScaledSize(size.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        log.info("cannot read thumbnail %s: %s", path.name, reader.errorString())
        return None
    if image.width() > edge or image.height() > edge:
        image = image.scaled(
            edge, edge, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


class ThumbnailCache(QObject):
    """Pictures of one size (`edge` logical pixels, times the screen's pixel ratio), by blob SHA-256."""

    ready = Signal(str)  # a picture asked for is now in the cache (or could not be read)
    _decoded = Signal(str, object)  # worker thread -> UI thread: (sha256, QImage | None)

    def __init__(
        self,
        path_for: Callable[[str], Path],
        edge: int,
        *,
        capacity: int = 256,
        pixel_ratio: float = 1.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._path_for = path_for
        self.edge = edge
        self._pixel_ratio = max(1.0, pixel_ratio)
        self._capacity = capacity
        self._pixmaps: OrderedDict[str, QPixmap | None] = OrderedDict()  # None: the file could not be read
        self._pending: set[str] = set()
        self._closed = threading.Event()
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="printstall-thumbnails")
        self._decoded.connect(self._store)

    def pixmap(self, sha256: str) -> QPixmap | None:
        """The cached picture, or None (and a decode is started, unless the file could not be read)."""
        if sha256 in self._pixmaps:
            self._pixmaps.move_to_end(sha256)
            return self._pixmaps[sha256]
        if sha256 not in self._pending and not self._closed.is_set():
            self._pending.add(sha256)
            path = self._path_for(sha256)
            edge = round(self.edge * self._pixel_ratio)
            self._pool.submit(self._work, sha256, path, edge)
        return None

    @property
    def busy(self) -> bool:
        """Whether pictures asked for are still being decoded."""
        return bool(self._pending)

    def __len__(self) -> int:
        return len(self._pixmaps)

    def is_loading(self, sha256: str) -> bool:
        return sha256 in self._pending

    def _work(self, sha256: str, path: Path, edge: int) -> None:
        if self._closed.is_set():
            return
        try:
            image = decode(path, edge)
        except Exception:  # a worker must always answer, or the cell waits forever
            log.exception("decoding thumbnail %s failed", sha256)
            image = None
        if not self._closed.is_set():
            with contextlib.suppress(RuntimeError):  # the cache was deleted meanwhile
                self._decoded.emit(sha256, image)

    @Slot(str, object)
    def _store(self, sha256: str, image: QImage | None) -> None:
        self._pending.discard(sha256)
        pixmap = None
        if image is not None:
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self._pixel_ratio)
        self._pixmaps[sha256] = pixmap
        while len(self._pixmaps) > self._capacity:
            self._pixmaps.popitem(last=False)
        self.ready.emit(sha256)

    def clear(self) -> None:
        self._pixmaps.clear()

    def close(self) -> None:
        """Stop decoding; pictures asked for later are never loaded."""
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
