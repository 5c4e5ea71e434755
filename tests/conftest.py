"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import CONFIG_DIR_ENV, DATA_DIR_ENV
from core.workspace import Workspace
from tests.keyrings import os_keyring  # noqa: F401  (the OS keyring, in memory; see tests/keyrings.py)
from tests.pg import pg_engine, pg_server, pg_url  # noqa: F401  (PostgreSQL fixtures, see tests/pg.py)
from tests.s3 import blob_store, s3_server  # noqa: F401  (S3 fixtures, see tests/s3.py)


@pytest.fixture(autouse=True)
def isolated_install(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config (device ids), data folder or log folder."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("default-data")))
    monkeypatch.setenv("PRINTSTALL_LOG_DIR", str(tmp_path_factory.mktemp("logs")))  # desktop.errors


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A freshly opened (and migrated) workspace whose data folder is the test's tmp_path."""
    ws = Workspace.open(tmp_path)
    try:
        yield ws
    finally:
        ws.close()
