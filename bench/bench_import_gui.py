"""The window while importing 500 files: the longest time the event loop was blocked.

A 10 ms timer runs during the import; the largest gap between two of its ticks, minus its interval, is the
longest stall a user could feel. Runs offscreen (the stall is about the event loop, not drawing).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.common import Result


def benchmarks() -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.bench_import import make_folder
    from core.workspace import Workspace
    from desktop.app import freeze_startup_objects
    from desktop.context import AppContext
    from desktop.main_window import MainWindow
    from desktop.ops import Operations

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="printstall-bench-") as tmp:
        root = Path(tmp)
        os.environ.setdefault("PRINTSTALL_CONFIG_DIR", str(root / "config"))
        folder = root / "folder"
        folder.mkdir()
        make_folder(folder)
        with Workspace.open(root / "data") as ws:
            ctx = AppContext(ws, Operations(), QSettings(str(root / "s.ini"), QSettings.Format.IniFormat))
            window = MainWindow(ctx)
            window.show()
            app.processEvents()
            freeze_startup_objects()  # as run_app does
            gaps: list[float] = []
            last = [time.perf_counter()]
            finished_at = [0.0]
            refresh = [0.0]

            progress = [0]
            window.importer.progress.connect(lambda done, total, name: progress.__setitem__(0, done))
            where: dict[float, int] = {}

            def tick() -> None:
                now = time.perf_counter()
                if not finished_at[0]:  # the stall measured is the one while importing
                    gaps.append(now - last[0])
                    where[gaps[-1]] = progress[0]
                elif not refresh[0]:
                    refresh[0] = now - finished_at[0]
                last[0] = now

            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(tick)
            loop = QEventLoop()
            # A direct connection runs in the import thread the moment it ends, before the window's own
            # (queued) handler refreshes the screens: ticks after it are the refresh, measured apart.
            window.importer.finished.connect(
                lambda *_: finished_at.__setitem__(0, time.perf_counter()), Qt.ConnectionType.DirectConnection
            )
            window.importer.finished.connect(lambda *_: loop.quit())
            started = time.perf_counter()
            timer.start()
            window.import_paths([folder])
            loop.exec()
            QTimer.singleShot(50, loop.quit)
            loop.exec()  # one more tick, to time the screens' refresh after the import
            timer.stop()
            elapsed = time.perf_counter() - started
            outcomes = window.last_import
            window.close()
            window.deleteLater()
            app.processEvents()
            ctx.ops.shutdown()
    stall_ms = max(0.0, (max(gaps) - 0.010) * 1000) if gaps else 0.0
    worst = sorted(gaps)[-5:]
    return [
        Result(
            "longest event-loop stall while importing 500 files",
            f"{stall_ms:.0f} ms",
            "<= 50 ms",
            stall_ms <= 50,
        ),
        Result(
            f"  ({len(outcomes)} files in {elapsed:.1f} s; 5 longest tick gaps "
            f"{', '.join(f'{g * 1000:.0f} (file {where[g]})' for g in worst)} ms)",
            "",
        ),
        Result("refreshing the screens after that import", f"{refresh[0] * 1000:.0f} ms"),
    ]
