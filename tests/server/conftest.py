"""Fixtures for the cloud service: a migrated PostgreSQL database, settings, the app and signed-in clients."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import URL, Engine, create_engine

from core.db import migrate
from sync import protocol
from sync.server.access_tokens import account_keys, issue_access_token
from sync.server.accounts.mailer import FileMailer
from sync.server.accounts.passwords import Argon2Parameters, Passwords
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.service import AccountService
from sync.server.app import create_app
from sync.server.config import Settings

DEVICE = "0190aaaa-0000-7000-8000-000000000001"
CHEAP = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)  # fast hashing for tests


def mailed_accounts(engine: Engine, settings: Settings, mail_folder: Path) -> AccountService:
    """The account service of `settings` on PostgreSQL, writing its emails into `mail_folder`, with cheap
    password hashing."""
    return AccountService(
        PostgresRepository(engine),
        FileMailer(mail_folder),
        account_keys(settings),
        passwords=Passwords(CHEAP),
    )


@pytest.fixture
def server_db(pg_url: URL) -> Iterator[Engine]:
    """A fresh database brought to every head (core and server), on a pooled engine as the service uses."""
    admin = create_engine(pg_url)
    migrate.upgrade(admin)
    admin.dispose()
    engine = create_engine(pg_url, pool_size=4)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret="a-test-secret-that-is-long-enough-0123456789")


@pytest.fixture
def client(server_db: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db)) as test_client:
        yield test_client


@pytest.fixture
def headers_for(settings: Settings) -> Callable[[str], dict[str, str]]:
    def make(owner: str) -> dict[str, str]:
        token = issue_access_token(settings, owner)
        return {"Authorization": f"Bearer {token}", protocol.PROTOCOL_HEADER: "1"}

    return make


def new_id() -> str:
    return str(uuid.uuid4())


def clock(wall_ms: int | None = None, counter: int = 0, device: str = DEVICE) -> str:
    wall = time.time_ns() // 1_000_000 if wall_ms is None else wall_ms
    return f"{wall:013d}-{counter:05d}-{device}"


def tag_change(row_id: str, name: str, at: str, *, deleted: bool = False) -> dict[str, Any]:
    """A whole `tags` record with every field stamped `at`."""
    fields = {
        "created_at": "2026-12-01T05:02:25.123456Z",
        "updated_at": "2026-12-01T05:02:25.123456Z",
        "deleted": deleted,
        "deleted_at": None,
        "name": name,
    }
    return {"table": "tags", "id": row_id, "fields": fields, "clocks": dict.fromkeys(fields, at)}


def sale_row(row_id: str, *, quantity: int = 1) -> dict[str, Any]:
    row = {
        "at": "2026-12-01T05:02:25.123456Z",
        "hlc": clock(),
        "device_id": DEVICE,
        "event_id": None,
        "product_id": new_id(),
        "quantity": quantity,
        "unit_price_cents": 1250,
        "payment_method": "cash",
        "oversold": False,
        "undoes_sale_id": None,
    }
    return {"table": "sales", "id": row_id, "row": row}


def batch(
    records: list[dict[str, Any]] | None = None, ledger: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "protocol": 1,
        "device_id": DEVICE,
        "batch_id": new_id(),
        "records": records or [],
        "ledger": ledger or [],
    }
