"""Record ids: time-ordered UUIDv7 made on the device, and deterministic UUIDv5 ids for natural keys."""

from __future__ import annotations

import os
import threading
import time
import uuid

# A fixed namespace so that every device derives the same id for the same natural key.
PRINTSTALL_NAMESPACE = uuid.UUID("4f1c2d9e-6b7a-4c35-9a51-2f0e8d6b3c71")

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def _random74() -> int:
    return int.from_bytes(os.urandom(10), "big") >> 6


def uuid7() -> str:
    """A UUIDv7 (RFC 9562) as text: 48-bit Unix milliseconds, then random bits.

    Within one millisecond the 74 random bits are incremented, so ids made in a burst stay sorted.
    """
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            rand = _last_rand + 1
            if rand >> 74:
                # The random bits ran out within this millisecond: borrow the next one (RFC 9562, 6.2).
                ms, rand = ms + 1, _random74()
        else:
            rand = _random74()
        _last_ms, _last_rand = ms, rand
    rand_a = rand >> 62  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))


_SEPARATOR = "\x1f"
_ESCAPE = "\x1b"


def _escaped(part: str) -> str:
    # Parts that hold neither control character are unchanged, so their ids are what a plain join gave.
    return part.replace(_ESCAPE, _ESCAPE + _ESCAPE).replace(_SEPARATOR, _ESCAPE + _SEPARATOR)


def derived_id(*parts: str) -> str:
    """A deterministic id for a natural key, the same on every device (UUIDv5 over the joined parts).

    Each part is escaped before the join, so a part that holds the separator cannot pass for two parts.
    """
    return str(uuid.uuid5(PRINTSTALL_NAMESPACE, _SEPARATOR.join(_escaped(part) for part in parts)))


def blob_id(sha256: str) -> str:
    """A FileBlob's id is derived from its content hash."""
    return derived_id("blob", sha256.lower())


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
