"""When the app syncs: at start, soon after a change, on demand, and after a failure only once a growing,
jittered wait has passed; the status the window shows says which, against the real service."""

from __future__ import annotations

import queue
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from core.services import products
from core.workspace import Workspace
from sync import protocol
from sync.client.engine import SyncEngine
from sync.client.runner import BACKOFF_CAP_S, State, Status, SyncRunner, backoff_delay
from sync.client.transport import HttpTransport, Offline
from sync.server.access_tokens import issue_access_token
from sync.server.app import create_app
from sync.server.config import Settings

WAIT_S = 20.0


def test_backoff_grows_is_capped_and_jittered() -> None:
    ceilings = [backoff_delay(n, lambda: 1.0) for n in range(1, 12)]
    assert ceilings[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(ceilings) == BACKOFF_CAP_S
    assert backoff_delay(5, lambda: 0.25) == 8.0  # a random share of the ceiling


class Unplugged:
    """A network cable that can be pulled out and put back."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner
        self.plugged = False
        self.calls = 0

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse:
        self.calls += 1
        if not self.plugged:
            raise Offline("The sync service cannot be reached; working offline.")
        return self.inner.push(batch)

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse:
        if not self.plugged:
            raise Offline("The sync service cannot be reached; working offline.")
        return self.inner.pull(cursor, limit)


@pytest.fixture
def workspace_of_user(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "data")
    ws.set_owner(str(uuid.uuid4()))
    try:
        yield ws
    finally:
        ws.close()


@pytest.mark.postgres
def test_offline_then_back_online(
    server_db: Engine, settings: Settings, workspace_of_user: Workspace
) -> None:
    ws = workspace_of_user
    token = issue_access_token(settings, ws.owner_id, device_id=ws.device_id)
    statuses: queue.Queue[Status] = queue.Queue()

    def next_status(state: State) -> Status:
        while True:
            status = statuses.get(timeout=WAIT_S)
            if status.state is state:
                return status

    with TestClient(create_app(settings, engine=server_db)) as service:
        cable = Unplugged(HttpTransport("http://testserver", lambda _renew: token, client=service))
        runner = SyncRunner(SyncEngine(ws, cable), statuses.put, debounce_s=0.05, rng=lambda: 0.0)
        products.add_product(ws, name="Dragon", price_cents=1500)
        runner.start()
        try:
            offline = next_status(State.OFFLINE)
            assert "offline" in offline.message and offline.pending > 0
            assert offline.next_attempt_s is not None and offline.next_attempt_s > 0

            cable.plugged = True
            runner.sync_now()
            done = next_status(State.UP_TO_DATE)
            assert done.pending == 0 and done.last_synced_at is not None

            calls = cable.calls
            products.add_product(ws, name="Wyvern", price_cents=900)
            runner.changed()  # what the window calls after every write
            assert next_status(State.UP_TO_DATE).pending == 0
            assert cable.calls > calls
        finally:
            runner.stop()
