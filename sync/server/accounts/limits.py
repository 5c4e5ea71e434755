"""Rate limits: fixed-window counters per key, refusing with the seconds left in the window.

A key is a limit's name and a subject: an account (the case-folded email, so unknown addresses are limited
too and the limit reveals nothing) or a client address. Subjects are stored as a SHA-256, so the counters
table holds no email addresses of people who have no account. Every attempt counts, successful or not: a
user signs in a few times a month, so the allowance never bites them, and there is no read-then-write race.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sync.server.accounts.clock import Clock, utc_now
from sync.server.accounts.errors import RateLimited
from sync.server.accounts.repository import CounterStore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `max_hits` per `window` for one subject."""

    name: str
    max_hits: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """The limits the accounts service applies; tests pass smaller ones."""

    login_per_account: Limit = field(
        default_factory=lambda: Limit("login-account", 10, timedelta(minutes=15))
    )
    login_per_address: Limit = field(
        default_factory=lambda: Limit("login-address", 50, timedelta(minutes=15))
    )
    reset_per_account: Limit = field(default_factory=lambda: Limit("reset-account", 5, timedelta(hours=1)))
    reset_per_address: Limit = field(default_factory=lambda: Limit("reset-address", 20, timedelta(hours=1)))
    register_per_address: Limit = field(
        default_factory=lambda: Limit("register-address", 10, timedelta(hours=1))
    )
    mail_per_account: Limit = field(default_factory=lambda: Limit("mail-account", 5, timedelta(hours=1)))


class RateLimiter:
    """Counts hits in a `CounterStore` and raises `RateLimited` past a limit."""

    def __init__(self, store: CounterStore, *, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def hit(self, limit: Limit, subject: str) -> None:
        """Counts one attempt by `subject`; raises `RateLimited` when it is over the limit."""
        now = self._clock()
        window = limit.window.total_seconds()
        elapsed = (now - _EPOCH).total_seconds()
        start = _EPOCH + timedelta(seconds=elapsed - elapsed % window)
        end = start + limit.window
        digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32]
        count = self._store.hit_counter(f"{limit.name}:{digest}", start, end)
        if count > limit.max_hits:
            raise RateLimited((end - now).total_seconds())
