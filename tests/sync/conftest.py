"""The app's sync engine is tested against the real service: the service's fixtures are shared here, and
`service` is the service itself (through FastAPI's TestClient, an `httpx.Client`) with its emails written
into `mail_folder`, where the tests read the codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sync.server.app import create_app
from sync.server.config import Settings
from tests.server.conftest import mailed_accounts, server_db, settings  # noqa: F401  (a migrated PostgreSQL, the settings)


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def service(server_db: Engine, settings: Settings, mail_folder: Path) -> Iterator[TestClient]:  # noqa: F811
    accounts = mailed_accounts(server_db, settings, mail_folder)
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as client:
        yield client
