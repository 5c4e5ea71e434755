"""The convergence property of SYNC.md against the real service: three installs of one user make random
edits, deletes, undos and stock movements while offline, and sync in random orders, some pushes cut after the
service applied them. Afterwards all three and the service hold identical data, and every ledger row is there
exactly once.

One PostgreSQL database and one app for the whole test; a fresh user for every example.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from core.db.base import Ledger, Record, record_fields
from core.db.models import SYNCED_MODELS, Product
from core.errors import PrintstallError
from core.merge import canonical_json
from core.services import products, records
from core.workspace import Workspace
from sync import protocol
from sync.client.engine import SyncEngine
from sync.client.transport import HttpTransport, Offline
from sync.server.access_tokens import issue_access_token
from sync.server.app import create_app
from sync.server.config import Settings
from sync.server.db import owner_transaction

pytestmark = pytest.mark.postgres

DEVICES = 3

# One step: (device, action, a number used to pick a product, a number used as a value).
ACTIONS = ["add", "rename", "reprice", "delete", "restore", "stock_in", "stock_out", "sync", "sync_cut"]
steps = st.lists(
    st.tuples(
        st.integers(0, DEVICES - 1),
        st.sampled_from(ACTIONS),
        st.integers(0, 50),
        st.integers(1, 9),
    ),
    min_size=5,
    max_size=30,
)


class CutAfterPush:
    """The connection drops after the service applied a push, before the answer arrives."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse:
        self.inner.push(batch)
        raise Offline("cut")

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse:
        return self.inner.pull(cursor, limit)


@dataclass
class Install:
    workspace: Workspace
    engine: SyncEngine
    transport: HttpTransport
    known: list[str] = field(default_factory=list)  # product ids this install has seen

    def sync(self, *, cut: bool = False) -> None:
        self.engine.transport = CutAfterPush(self.transport) if cut else self.transport
        try:
            self.engine.sync()
        except Offline:
            pass
        finally:
            self.engine.transport = self.transport
        with self.workspace.read() as session:  # every product this install has, in the trash or not
            self.known = sorted(session.scalars(select(Product.id)))


@pytest.fixture
def service(server_db: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db)) as client:
        yield client


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A migrated, empty database to copy (opening one from nothing runs every migration)."""
    folder = tmp_path / "template"
    Workspace.open(folder).close()
    return folder / "printstall.sqlite3"


def local_data(ws: Workspace) -> dict[str, dict[str, str]]:
    """Every synced row of the install, as canonical JSON per table and id (local-only columns left out)."""
    data: dict[str, dict[str, str]] = {}
    with ws.read() as session:
        for model in SYNCED_MODELS:
            rows: list[Record | Ledger] = list(
                session.scalars(select(model).where(model.owner_id == ws.owner_id))
            )
            data[model.__tablename__] = {row.id: canonical_json(_values(row)) for row in rows}
    return data


def _values(row: Record | Ledger) -> dict[str, Any]:
    if isinstance(row, Record):
        names = record_fields(row.__table__)
        return {"fields": {n: getattr(row, n) for n in names}, "clocks": row.clocks}
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in ("owner_id", "id")}


def server_data(engine: Engine, owner: str) -> tuple[dict[str, dict[str, str]], int]:
    """The same view of the service's rows, and how many ledger ids appear more than once."""
    data: dict[str, dict[str, str]] = {}
    doubled = 0
    with owner_transaction(engine, owner, read_only=True) as conn:
        for model in SYNCED_MODELS:
            name = model.__tablename__
            rows = conn.execute(text(f"SELECT * FROM {name}")).mappings().all()
            table: dict[str, str] = {}
            for row in rows:
                if issubclass(model, Record):
                    values: dict[str, Any] = {
                        "fields": {n: row[n] for n in record_fields(model.__table__)},
                        "clocks": row["clocks"],
                    }
                else:
                    values = {
                        c.key: row[c.key] for c in model.__table__.columns if c.key not in ("owner_id", "id")
                    }
                doubled += row["id"] in table
                table[row["id"]] = canonical_json(values)
            data[name] = table
    return data, doubled


def fixed_token(token: str) -> Callable[[bool], str | None]:
    return lambda _renew: token


def act(install: Install, action: str, pick: int, value: int) -> None:
    ws = install.workspace
    target = install.known[pick % len(install.known)] if install.known else None
    try:
        if action == "add":
            made = products.add_product(ws, name=f"Thing {value}", price_cents=100 * value)
            install.known.append(made.id)
        elif target is None:
            return
        elif action == "rename":
            products.edit_product(ws, target, name=f"Renamed {value}")
        elif action == "reprice":
            products.edit_product(ws, target, price_cents=value * 150)
        elif action == "delete":
            products.delete_product(ws, target)
        elif action == "restore":
            records.restore(ws, products.SPEC, target)
        elif action == "stock_in":
            products.adjust_stock(ws, target, value, reason="count")
        elif action == "stock_out":
            products.adjust_stock(ws, target, -1, reason="consumed")
        elif action == "sync":
            install.sync()
        elif action == "sync_cut":
            install.sync(cut=True)
    except PrintstallError:
        pass  # the product is in the trash here, or not enough stock: the user would see a message


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_three_installs_converge(
    steps: list[tuple[int, str, int, int]],
    service: TestClient,
    settings: Settings,
    server_db: Engine,
    template: Path,
) -> None:
    user = str(uuid.uuid4())
    folder = Path(tempfile.mkdtemp(prefix="printstall-converge-"))
    installs: list[Install] = []
    try:
        for n in range(DEVICES):
            data = folder / f"device-{n}"
            data.mkdir()
            shutil.copyfile(template, data / template.name)
            ws = Workspace.open(data)
            ws.set_owner(user)
            token = issue_access_token(settings, user, device_id=ws.device_id)
            transport = HttpTransport("http://testserver", fixed_token(token), client=service)
            installs.append(Install(ws, SyncEngine(ws, transport, max_rows=7, page_size=5), transport))

        for device, action, pick, value in steps:
            act(installs[device], action, pick, value)

        for install in (*installs, *installs):  # everyone pushes, then everyone pulls what the others pushed
            install.sync()

        expected, doubled = server_data(server_db, user)
        assert doubled == 0
        for install in installs:
            assert local_data(install.workspace) == expected
    finally:
        for install in installs:
            install.workspace.close()
        shutil.rmtree(folder, ignore_errors=True)
