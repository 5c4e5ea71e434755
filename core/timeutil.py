"""Times as RFC 3339 UTC strings with microseconds: sortable as text, identical in SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).strftime(_FORMAT)


def now_text() -> str:
    return to_text(datetime.now(UTC))


def parse(text: str) -> datetime:
    """Parse an RFC 3339 time (any offset); the result is aware and in UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
