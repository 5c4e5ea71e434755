"""The clock every accounts module takes, so tests can move time instead of waiting for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, and replaying a scenario)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Moves forward by `timedelta(**delta)`, e.g. `advance(minutes=30)`."""
        self.now += timedelta(**delta)
