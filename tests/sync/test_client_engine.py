"""The app's sync engine against the real service (PostgreSQL, the FastAPI app): two installs of one user
exchange records and ledger rows, merge concurrent edits, and survive cut connections without losing or
doubling anything."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from core.db.models import OutboxEntry, Product, StockMovement
from core.services import library, products
from core.services.ownership import adopt_local_records
from core.workspace import Workspace
from sync import protocol
from sync.client.engine import SyncEngine, cursor_of, pending_count, rejected_rows
from sync.client.transport import HttpTransport, Offline
from sync.server.access_tokens import issue_access_token
from sync.server.app import create_app
from sync.server.config import Settings
from sync.server.db import owner_transaction

pytestmark = pytest.mark.postgres

Installs = Callable[[str], tuple[Workspace, SyncEngine]]


@pytest.fixture
def service(server_db: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db)) as client:
        yield client


@pytest.fixture
def user() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def install(
    tmp_path: Path,
    service: TestClient,
    settings: Settings,
    user: str,
) -> Iterator[Installs]:
    opened: list[Workspace] = []

    def make(name: str) -> tuple[Workspace, SyncEngine]:
        ws = Workspace.open(tmp_path / name)
        ws.set_owner(user)
        opened.append(ws)
        token = issue_access_token(settings, user, device_id=ws.device_id)
        return ws, SyncEngine(ws, HttpTransport("http://testserver", lambda _renew: token, client=service))

    yield make
    for ws in opened:
        ws.close()


class CutAfterPush:
    """A transport whose connection is cut after the service applied a push, before the answer arrives."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner
        self.batches: list[str] = []

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse:
        self.inner.push(batch)
        self.batches.append(batch.batch_id)
        raise Offline("The connection was cut.")

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse:
        return self.inner.pull(cursor, limit)


class CutOnSecondPage:
    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner
        self.pages = 0

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse:
        return self.inner.push(batch)

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse:
        self.pages += 1
        if self.pages == 2:
            raise Offline("The connection was cut.")
        return self.inner.pull(cursor, limit)


def fixed_token(token: str) -> Callable[[bool], str | None]:
    return lambda _renew: token


def server_count(engine: Engine, owner: str, table: str) -> int:
    with owner_transaction(engine, owner) as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_product_and_its_stock_reach_the_other_install(
    install: Installs,
) -> None:
    workshop, workshop_sync = install("workshop")
    stall, stall_sync = install("stall")
    made = products.add_product(workshop, name="Dragon", price_cents=1500)
    products.adjust_stock(workshop, made.id, 12, reason="count")

    report = workshop_sync.sync()
    assert report.pushed >= 3 and not report.rejected
    assert pending_count(workshop) == 0
    stall_sync.sync()

    seen = products.get_product(stall, made.id)
    assert (seen.name, seen.price_cents, seen.on_hand) == ("Dragon", 1500, 12)
    with stall.read() as session:  # what a pull writes is not pushed back
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_concurrent_edits_of_two_fields_both_survive(
    install: Installs,
) -> None:
    workshop, workshop_sync = install("workshop")
    stall, stall_sync = install("stall")
    made = products.add_product(workshop, name="Dragon", price_cents=1500)
    workshop_sync.sync()
    stall_sync.sync()

    products.edit_product(workshop, made.id, name="Red dragon")  # both offline
    products.edit_product(stall, made.id, price_cents=1800)
    workshop_sync.sync()
    stall_sync.sync()
    workshop_sync.sync()

    for ws in (workshop, stall):
        seen = products.get_product(ws, made.id)
        assert (seen.name, seen.price_cents) == ("Red dragon", 1800)


def test_two_stalls_selling_the_last_unit_both_count(
    install: Installs,
    server_db: Engine,
    user: str,
) -> None:
    one, one_sync = install("one")
    two, two_sync = install("two")
    made = products.add_product(one, name="Dragon", price_cents=1500)
    products.adjust_stock(one, made.id, 1, reason="count")
    one_sync.sync()
    two_sync.sync()

    products.adjust_stock(one, made.id, -1, reason="consumed")  # both take the last one, offline
    products.adjust_stock(two, made.id, -1, reason="consumed")
    for engine in (one_sync, two_sync, one_sync):
        engine.sync()

    assert products.get_product(one, made.id).on_hand == -1 == products.get_product(two, made.id).on_hand
    assert server_count(server_db, user, "stock_movements") == 3


def test_a_push_cut_after_the_service_applied_it_is_resent_once(
    install: Installs,
    server_db: Engine,
    user: str,
) -> None:
    ws, engine = install("workshop")
    made = products.add_product(ws, name="Dragon", price_cents=1500)
    products.adjust_stock(ws, made.id, 5, reason="count")
    real = engine.transport
    assert isinstance(real, HttpTransport)
    cut = CutAfterPush(real)
    engine.transport = cut

    with pytest.raises(Offline):
        engine.sync()
    assert pending_count(ws) > 0  # nothing is forgotten
    products.adjust_stock(ws, made.id, 2, reason="count")  # work goes on while offline

    engine.transport = real
    engine.sync()
    assert pending_count(ws) == 0
    assert server_count(server_db, user, "stock_movements") == 2  # the replayed batch added nothing
    assert server_count(server_db, user, "products") == 1


def test_a_pull_cut_midway_resumes_from_the_last_applied_page(
    install: Installs,
) -> None:
    workshop, workshop_sync = install("workshop")
    stall, stall_sync = install("stall")
    made = [products.add_product(workshop, name=f"Thing {n}", price_cents=100 + n) for n in range(7)]
    workshop_sync.sync()

    stall_sync.page_size = 3
    real = stall_sync.transport
    assert isinstance(real, HttpTransport)
    stall_sync.transport = CutOnSecondPage(real)
    with pytest.raises(Offline):
        stall_sync.sync()
    first_page_end = cursor_of(stall)
    assert first_page_end > 0
    with stall.read() as session:
        arrived = session.scalar(select(func.count()).select_from(Product)) or 0
    assert 0 < arrived < len(made)

    stall_sync.transport = real
    stall_sync.sync()
    assert sorted(p.name for p in products.list_products(stall)) == sorted(p.name for p in made)
    assert cursor_of(stall) > first_page_end


def test_a_refused_row_is_listed_and_not_sent_again(
    install: Installs,
) -> None:
    ws, engine = install("workshop")
    good = products.add_product(ws, name="Dragon", price_cents=1500)
    bad = products.add_product(ws, name="Wyvern", price_cents=900)
    with ws.write() as uow:  # a value the service cannot store (as a damaged or tampered database would)
        row = uow.get(Product, bad.id)
        uow.update(row, name="x" * 5000)

    report = engine.sync()
    assert [(r.table, r.id) for r in report.rejected] == [("products", bad.id)]
    assert [r.id for r in rejected_rows(ws)] == [bad.id]
    assert pending_count(ws) == 0
    assert engine.sync().rejected == []  # not retried until it changes

    products.edit_product(ws, bad.id, name="Wyvern")  # fixed: it goes, and leaves the list
    assert engine.sync().rejected == []
    assert rejected_rows(ws) == []
    assert good.id != bad.id


def test_a_batch_is_split_to_the_row_limit(
    install: Installs,
    server_db: Engine,
    user: str,
) -> None:
    ws, engine = install("workshop")
    engine.max_rows = 4
    for n in range(5):
        made = products.add_product(ws, name=f"Thing {n}", price_cents=100)
        products.adjust_stock(ws, made.id, 1, reason="count")
    engine.sync()
    assert pending_count(ws) == 0
    assert server_count(server_db, user, "products") == 5
    with ws.read() as session:
        assert session.scalar(select(func.count()).select_from(StockMovement)) == 5
    assert server_count(server_db, user, "stock_movements") == 5


def test_two_computers_with_offline_work_sign_in_and_share_one_library(
    tmp_path: Path, service: TestClient, settings: Settings, user: str, server_db: Engine
) -> None:
    installs: list[tuple[Workspace, SyncEngine]] = []
    for name in ("workshop", "laptop"):
        ws = Workspace.open(tmp_path / name)  # used for weeks before anyone signed in
        library.add_model(ws, name=f"{name} dragon", tags=["Dragons"])
        adopt_local_records(ws, user)
        token = issue_access_token(settings, user, device_id=ws.device_id)
        transport = HttpTransport("http://testserver", fixed_token(token), client=service)
        installs.append((ws, SyncEngine(ws, transport)))
    try:
        for _ws, engine in (*installs, installs[0]):
            engine.sync()
        for ws, _engine in installs:
            models = library.list_models(ws)
            assert sorted(m.name for m in models) == ["laptop dragon", "workshop dragon"]
            assert all(m.tags == ["Dragons"] for m in models)
        assert server_count(server_db, user, "tags") == 1  # one tag, made on both computers
    finally:
        for ws, _engine in installs:
            ws.close()
