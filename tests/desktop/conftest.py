"""Qt runs offscreen unless the caller chose a platform (the OpenGL tests run under Xvfb with xcb).

`ctx` gives a screen what the app gives it: the workspace, a synchronous operations runner (so a test sees
the result of a click at once) and preferences in a temporary file. The sync service's fixtures (a migrated
PostgreSQL, its settings) come from tests/server for the sync window's tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from core.workspace import Workspace
from desktop.app import close_windows
from desktop.context import AppContext
from desktop.none_guard import protect_none
from desktop.ops import Operations
from tests.desktop.test_translation import PseudoTranslator
from tests.server.conftest import server_db, settings  # noqa: F401  (the sync service's, for the sync GUI)
from tests.sync.conftest import mail_folder, service  # noqa: F401  (the service, its emails in a folder)

protect_none()  # PySide6 6.12 on Python 3.11 loses references to None, True and False (see the module)


@pytest.fixture
def ctx(workspace: Workspace, tmp_path: Path, qapp: object) -> Iterator[AppContext]:
    preferences = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    context = AppContext(workspace, Operations(synchronous=True), preferences)
    yield context
    context.ops.shutdown()


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """Close and delete every top-level window a test leaves (a dialog it opened, a print dialog), so none is
    left for Python's exit to tear down after the objects it points to are gone (a crash at exit)."""
    yield
    app = QApplication.instance()
    if isinstance(app, QApplication):
        close_windows(app)
        app.processEvents()


@pytest.fixture
def pseudo(qapp: object) -> Iterator[None]:
    """Texts translated by `PseudoTranslator` while the test runs, to tell the untranslated ones."""
    translator = PseudoTranslator()
    QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)
