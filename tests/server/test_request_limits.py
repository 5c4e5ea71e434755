"""Requests per user per minute against a real PostgreSQL, with a clock the test moves: 429 with Retry-After
past the limit, other users unaffected, a new minute lets requests through, 0 switches the limit off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from sync.server.accounts.clock import ManualClock
from sync.server.app import create_app
from sync.server.config import Settings
from sync.server.observability import REQUESTS_LIMITED
from sync.server.request_limits import RequestLimiter, limiter_from_settings
from tests.server.conftest import new_id

pytestmark = pytest.mark.postgres

Headers = Callable[[str], dict[str, str]]
PER_MINUTE = 3
STATE = "/v1/sync/state"


@pytest.fixture
def minute() -> ManualClock:
    return ManualClock()  # 12:00:00 exactly: the window ends in 60 s


def limited_client(settings: Settings, engine: Engine, clock: ManualClock) -> TestClient:
    app = create_app(settings, engine=engine)
    app.state.request_limiter = limiter_from_settings(settings, engine, clock=clock)
    return TestClient(app)


@pytest.fixture
def api(server_db: Engine, settings: Settings, minute: ManualClock) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"requests_per_minute": PER_MINUTE})
    with limited_client(limited, server_db, minute) as client:
        yield client


def counters(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, count FROM auth.rate_limit_counters")).all()
    return {key: count for key, count in rows}


def test_the_request_past_the_limit_is_429_with_retry_after(
    api: TestClient, headers_for: Headers, minute: ManualClock
) -> None:
    headers = headers_for(new_id())
    minute.advance(seconds=15)
    for _ in range(PER_MINUTE):
        assert api.get(STATE, headers=headers).status_code == 200
    before = REQUESTS_LIMITED._value.get()
    refused = api.get(STATE, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "45"
    assert refused.json()["detail"] == (
        "Too many requests from this account in one minute; Printstall will try again in 45 seconds."
    )
    assert REQUESTS_LIMITED._value.get() == before + 1
    # blob routes count against the same allowance
    assert api.get(f"/v1/blobs/{'ab' * 32}", headers=headers).status_code == 429


def test_another_user_is_not_affected(api: TestClient, headers_for: Headers) -> None:
    busy, other = headers_for(new_id()), headers_for(new_id())
    for _ in range(PER_MINUTE + 1):
        api.get(STATE, headers=busy)
    assert api.get(STATE, headers=busy).status_code == 429
    assert api.get(STATE, headers=other).status_code == 200


def test_a_new_minute_lets_requests_through_again(
    api: TestClient, headers_for: Headers, minute: ManualClock
) -> None:
    headers = headers_for(new_id())
    for _ in range(PER_MINUTE):
        api.get(STATE, headers=headers)
    assert api.get(STATE, headers=headers).status_code == 429
    minute.advance(minutes=1)
    assert api.get(STATE, headers=headers).status_code == 200


def test_requests_are_counted_per_user_in_postgres(
    api: TestClient, headers_for: Headers, server_db: Engine
) -> None:
    owner = new_id()
    api.get(STATE, headers=headers_for(owner))
    api.get(STATE, headers=headers_for(owner))
    assert counters(server_db) == {f"requests:user:{owner}": 2}


def test_refused_tokens_and_account_routes_do_not_count(api: TestClient, server_db: Engine) -> None:
    for _ in range(PER_MINUTE + 2):
        assert api.get(STATE, headers={"Printstall-Protocol": "1"}).status_code == 401
    api.post("/v1/account/refresh", json={"refresh_token": "x"}, headers={"Printstall-Protocol": "1"})
    assert not [key for key in counters(server_db) if key.startswith("requests:")]


def test_zero_switches_the_limit_off(
    server_db: Engine, settings: Settings, headers_for: Headers, minute: ManualClock
) -> None:
    unlimited = settings.model_copy(update={"requests_per_minute": 0})
    headers = headers_for(new_id())
    with limited_client(unlimited, server_db, minute) as client:
        for _ in range(PER_MINUTE + 2):
            assert client.get(STATE, headers=headers).status_code == 200
    assert counters(server_db) == {}


class _BrokenCounters:
    def hit_counter(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        raise OperationalError("INSERT ...", {}, Exception("the database is down"))

    def prune_counters(self, now: datetime) -> int:
        return 0


def test_a_counter_that_cannot_be_written_lets_the_request_through(
    server_db: Engine, settings: Settings, headers_for: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, engine=server_db)
    app.state.request_limiter = RequestLimiter(_BrokenCounters(), PER_MINUTE)
    with TestClient(app) as client:
        assert client.get(STATE, headers=headers_for(new_id())).status_code == 200
    assert "request counter could not be written" in caplog.text


def test_the_default_limit_is_1200_a_minute() -> None:
    assert Settings().requests_per_minute == 1200
