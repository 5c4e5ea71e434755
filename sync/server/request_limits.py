"""Requests per user per minute on the authenticated routes (sync and blobs), counted in PostgreSQL.

`limit_requests` is a router dependency (`create_app` adds it to the sync and blob routers): after the token
is checked it counts the request in a fixed one-minute window under the key `requests:user:<user id>`
(`auth.rate_limit_counters`, through the accounts repository's `hit_counter`, one upsert per request), and
past `Settings.requests_per_minute` answers 429 with `Retry-After` (the seconds left in the window) and a
sentence. 0 switches the limit off. Every instance of the service shares the counters, so the limit holds
for the whole deployment.

If the counter cannot be written (the database is down) the request goes through and a warning is logged:
the limit protects the service, it must not be the reason it fails. Expired counters are removed by
`printstall-server maintenance` (`prune_counters`), as for the accounts' limits.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from sync.server.access_tokens import Owner
from sync.server.accounts.clock import Clock, utc_now
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.repository import CounterStore
from sync.server.config import Settings
from sync.server.observability import REQUESTS_LIMITED

WINDOW = timedelta(minutes=1)
KEY_PREFIX = "requests:user:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

log = logging.getLogger(__name__)


class TooManyRequests(HTTPException):
    """429 with `Retry-After` in whole seconds and a sentence the app can show."""

    def __init__(self, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(
            429,
            f"Too many requests from this account in one minute; Printstall will try again in {seconds} "
            "seconds.",
            headers={"Retry-After": str(seconds)},
        )
        self.retry_after = seconds


@dataclass
class RequestLimiter:
    """At most `per_minute` requests per user in each fixed minute of `clock` (0: no limit)."""

    store: CounterStore
    per_minute: int
    clock: Clock = field(default=utc_now)

    def hit(self, user_id: str) -> None:
        """Count one request by `user_id`; raise `TooManyRequests` when it is over the limit."""
        if self.per_minute <= 0:
            return
        now = self.clock()
        elapsed = (now - _EPOCH).total_seconds()
        start = _EPOCH + timedelta(seconds=elapsed - elapsed % WINDOW.total_seconds())
        end = start + WINDOW
        count = self.store.hit_counter(f"{KEY_PREFIX}{user_id}", start, end)
        if count > self.per_minute:
            REQUESTS_LIMITED.inc()
            raise TooManyRequests((end - now).total_seconds())


def limiter_from_settings(settings: Settings, engine: Engine, *, clock: Clock = utc_now) -> RequestLimiter:
    """The limiter of the app: the counters of the `auth` schema on the service's engine."""
    return RequestLimiter(PostgresRepository(engine), settings.requests_per_minute, clock)


async def limit_requests(request: Request, owner: Owner) -> None:
    """Router dependency: count the authenticated user's request; 429 past the limit."""
    limiter: RequestLimiter = request.app.state.request_limiter
    if limiter.per_minute <= 0:
        return
    try:
        await run_in_threadpool(limiter.hit, owner)
    except SQLAlchemyError:
        log.warning("The request counter could not be written; the request was let through.", exc_info=True)
