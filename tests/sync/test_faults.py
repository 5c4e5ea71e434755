"""Sync over a bad line, against the real service through a proxy that refuses, cuts requests and answers,
delays, and answers 503: whatever happens, nothing is lost and nothing is doubled. And an app killed in the
middle of a sync finishes it after the restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from core.services import products
from core.workspace import Workspace
from sync.client.engine import SyncEngine, pending_count
from sync.client.transport import HttpTransport, SyncError
from sync.server.access_tokens import issue_access_token
from sync.server.app import create_app
from sync.server.config import Settings
from tests.sync.faults import CUT_REQUEST, CUT_RESPONSE, DELAY, ERROR, REFUSE, FaultyProxy, live_service
from tests.sync.test_convergence import local_data, server_data

pytestmark = pytest.mark.postgres

FAULTS = [REFUSE, CUT_REQUEST, CUT_RESPONSE, ERROR, CUT_RESPONSE, DELAY]


@pytest.fixture
def proxy(server_db: Engine, settings: Settings) -> Iterator[FaultyProxy]:
    with live_service(create_app(settings, engine=server_db)) as url:
        port = urlsplit(url).port
        assert port is not None
        faulty = FaultyProxy(port)
        try:
            yield faulty
        finally:
            faulty.close()


def install(folder: Path, user: str, settings: Settings, proxy: FaultyProxy) -> tuple[Workspace, SyncEngine]:
    ws = Workspace.open(folder)
    ws.set_owner(user)
    token = issue_access_token(settings, user, device_id=ws.device_id)
    # One connection per request, so each request meets the proxy's next fault.
    client = httpx.Client(base_url=proxy.url, timeout=5, limits=httpx.Limits(max_keepalive_connections=0))
    transport = HttpTransport(proxy.url, lambda _renew: token, client=client)
    return ws, SyncEngine(ws, transport, max_rows=4, page_size=3)


def sync_until_done(engine: SyncEngine, attempts: int = 40) -> int:
    """What the runner does: try, and after a failure try again; how many attempts failed."""
    failures = 0
    for _ in range(attempts):
        try:
            engine.sync()
            return failures
        except SyncError:
            failures += 1
    raise AssertionError("the sync never got through")


def work(ws: Workspace, tag: str) -> None:
    for n in range(3):
        made = products.add_product(ws, name=f"{tag} {n}", price_cents=100 + n)
        products.adjust_stock(ws, made.id, n + 1, reason="count")
        products.edit_product(ws, made.id, price_cents=200 + n)


@hypothesis_settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(faults=st.lists(st.sampled_from(FAULTS), min_size=1, max_size=8))
def test_nothing_is_lost_or_doubled_over_a_bad_line(
    faults: list[str],
    proxy: FaultyProxy,
    settings: Settings,
    server_db: Engine,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    user = str(uuid.uuid4())
    folder = tmp_path_factory.mktemp("faults")
    workshop, workshop_sync = install(folder / "workshop", user, settings, proxy)
    stall, stall_sync = install(folder / "stall", user, settings, proxy)
    try:
        work(workshop, "workshop")
        work(stall, "stall")
        proxy.modes = list(faults)
        sync_until_done(workshop_sync)
        proxy.modes = list(reversed(faults))
        sync_until_done(stall_sync)
        proxy.modes = list(faults)
        sync_until_done(workshop_sync)

        expected, doubled = server_data(server_db, user)
        assert doubled == 0
        assert len(expected["stock_movements"]) == 6  # every movement once
        assert local_data(workshop) == local_data(stall) == expected
        assert pending_count(workshop) == pending_count(stall) == 0
    finally:
        workshop.close()
        stall.close()


SYNC_IN_A_CHILD = textwrap.dedent(
    """
    import sys
    import httpx
    from core.workspace import Workspace
    from sync.client.engine import SyncEngine
    from sync.client.transport import HttpTransport

    folder, url, token = sys.argv[1:4]
    ws = Workspace.open(__import__("pathlib").Path(folder))
    client = httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0))
    SyncEngine(ws, HttpTransport(url, lambda _renew: token, client=client), max_rows=3).sync()
    """
)


def test_an_app_killed_mid_sync_finishes_after_the_restart(
    proxy: FaultyProxy, settings: Settings, server_db: Engine, tmp_path: Path
) -> None:
    user = str(uuid.uuid4())
    ws, engine = install(tmp_path / "workshop", user, settings, proxy)
    work(ws, "workshop")  # 3 products, 3 movements, their audit entries: several batches
    ws.close()
    token = issue_access_token(settings, user)
    proxy.modes = ["pass", "pass", DELAY, DELAY]
    child = subprocess.Popen(
        [sys.executable, "-c", SYNC_IN_A_CHILD, str(tmp_path / "workshop"), proxy.url, token],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 30
        while len(proxy.seen) < 3:  # two batches went up; the third is on its way
            assert child.poll() is None, "the sync finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)

    ws = Workspace.open(tmp_path / "workshop")
    try:
        assert pending_count(ws) > 0  # the kill left work to do
        engine = SyncEngine(ws, engine.transport, max_rows=3)
        engine.sync()
        assert pending_count(ws) == 0
        expected, doubled = server_data(server_db, user)
        assert doubled == 0 and len(expected["stock_movements"]) == 3
        assert local_data(ws) == expected
    finally:
        ws.close()
