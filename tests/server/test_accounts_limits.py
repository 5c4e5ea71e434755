"""Fixed-window rate limits: refusal past the limit with the seconds to wait, per key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.server.accounts.clock import ManualClock
from sync.server.accounts.errors import RateLimited
from sync.server.accounts.limits import Limit, RateLimiter
from sync.server.accounts.memory import InMemoryRepository

LIMIT = Limit("login-account", 3, timedelta(minutes=15))


def test_refuses_past_the_limit_with_the_wait() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 5, tzinfo=UTC))
    limiter = RateLimiter(InMemoryRepository(), clock=clock)
    for _ in range(3):
        limiter.hit(LIMIT, "anna@example.com")
    with pytest.raises(RateLimited) as caught:
        limiter.hit(LIMIT, "anna@example.com")
    assert caught.value.retry_after == 600  # the window 12:00-12:15 ends in 10 minutes
    assert str(caught.value) == "Too many attempts; try again in 10 minutes."
    assert caught.value.status_code == 429
    limiter.hit(LIMIT, "bob@example.com")  # another subject has its own count
    limiter.hit(Limit("reset-account", 3, timedelta(hours=1)), "anna@example.com")  # another limit too


def test_short_waits_are_said_in_seconds_and_the_next_window_is_fresh() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 14, 15, tzinfo=UTC))
    limiter = RateLimiter(InMemoryRepository(), clock=clock)
    for _ in range(3):
        limiter.hit(LIMIT, "10.0.0.1")
    with pytest.raises(RateLimited) as caught:
        limiter.hit(LIMIT, "10.0.0.1")
    assert caught.value.retry_after == 45
    assert str(caught.value) == "Too many attempts; try again in 45 seconds."
    clock.advance(seconds=45)
    limiter.hit(LIMIT, "10.0.0.1")


def test_counters_hold_no_address_and_old_windows_are_pruned() -> None:
    repo = InMemoryRepository()
    clock = ManualClock()
    RateLimiter(repo, clock=clock).hit(LIMIT, "anna@example.com")
    assert all("anna" not in key for key, _ in repo.counters)
    assert repo.prune_counters(clock.now) == 0
    assert repo.prune_counters(clock.now + timedelta(minutes=15)) == 1
