"""The hybrid logical clock of SYNC.md: `(wall_ms, counter, device_id)` encoded as one sortable string."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ClockSkewError

MAX_COUNTER = 99_999
MAX_SKEW_MS = 5 * 60 * 1000


@dataclass(frozen=True, order=True)
class HLC:
    wall_ms: int
    counter: int
    device_id: str

    def encode(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:05d}-{self.device_id}"

    @classmethod
    def decode(cls, text: str) -> HLC:
        try:
            wall, counter, device = text.split("-", 2)
            return cls(int(wall), int(counter), device)
        except ValueError as exc:
            raise ValueError(f"not a clock value: {text!r}") from exc


ZERO = HLC(0, 0, "")


def _after(last: HLC, wall_ms: int, device_id: str) -> HLC:
    """The next clock value after `last`, with the counter rolling into the wall time past 99999."""
    wall = max(last.wall_ms, wall_ms)
    counter = last.counter + 1 if wall == last.wall_ms else 0
    if counter > MAX_COUNTER:
        wall, counter = last.wall_ms + 1, 0
    return HLC(wall, counter, device_id)


def tick(last: HLC, now_ms: int, device_id: str) -> HLC:
    """A local event: one call per local transaction."""
    return _after(last, now_ms, device_id)


def receive(last: HLC, seen: str, now_ms: int, device_id: str) -> HLC:
    """Advance the local clock past a clock value seen from another device.

    A value more than five minutes ahead of our own time is refused: one device with a wrong clock must not
    win every conflict forever.
    """
    remote = HLC.decode(seen)
    if remote.wall_ms - now_ms > MAX_SKEW_MS:
        raise ClockSkewError(
            "A change arrived stamped more than five minutes in the future; the other computer's clock is "
            "wrong. Set its date and time correctly, then sync again."
        )
    newest = max(last, HLC(remote.wall_ms, remote.counter, device_id))
    return _after(newest, now_ms, device_id)
