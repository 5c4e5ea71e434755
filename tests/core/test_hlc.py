"""The hybrid logical clock of SYNC.md: encoding, local ticks, rollover and receiving remote clocks."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ClockSkewError
from core.hlc import HLC, MAX_COUNTER, MAX_SKEW_MS, ZERO, receive, tick

NOW = 1_764_565_000_000  # some millisecond in December 2025
ME = str(uuid.UUID(int=1))
OTHER = str(uuid.UUID(int=2))

walls = st.integers(min_value=0, max_value=10**13 - 1)
counters = st.integers(min_value=0, max_value=MAX_COUNTER)
# Device ids are UUIDs, but the encoding must not depend on that (or on the absence of "-").
device_ids = st.one_of(st.uuids().map(str), st.text(alphabet="0123456789abcdef-", max_size=40))
clocks = st.builds(HLC, wall_ms=walls, counter=counters, device_id=device_ids)


@given(clocks)
def test_encode_decode_round_trip(clock: HLC) -> None:
    assert HLC.decode(clock.encode()) == clock


@given(clocks, clocks)
def test_string_order_is_tuple_order(a: HLC, b: HLC) -> None:
    as_tuples = (a.wall_ms, a.counter, a.device_id), (b.wall_ms, b.counter, b.device_id)
    assert (a.encode() < b.encode()) == (as_tuples[0] < as_tuples[1])
    assert (a.encode() == b.encode()) == (as_tuples[0] == as_tuples[1])
    assert (a < b) == (as_tuples[0] < as_tuples[1])


def test_decode_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a clock value"):
        HLC.decode("yesterday")


def test_first_tick_takes_the_wall_clock() -> None:
    assert tick(ZERO, NOW, ME) == HLC(NOW, 0, ME)


@given(st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=1, max_size=50))
def test_tick_is_monotonic_even_when_the_wall_clock_jumps_around(steps: list[int]) -> None:
    last = tick(ZERO, NOW, ME)
    now = NOW
    for step in steps:
        now += step  # negative steps: the computer's clock was set back
        nxt = tick(last, now, ME)
        assert nxt > last
        assert nxt.encode() > last.encode()
        assert nxt.wall_ms >= now
        last = nxt


def test_tick_when_the_clock_goes_backwards_keeps_the_wall_and_counts_up() -> None:
    last = HLC(NOW, 7, ME)
    nxt = tick(last, NOW - 60_000, ME)
    assert (nxt.wall_ms, nxt.counter) == (NOW, 8)


def test_counter_rollover_moves_the_wall_on_and_stays_sortable() -> None:
    last = HLC(NOW, MAX_COUNTER, ME)
    for now in (NOW, NOW - 5_000):  # same millisecond, or a clock that went back
        nxt = tick(last, now, ME)
        assert (nxt.wall_ms, nxt.counter) == (NOW + 1, 0)
        assert nxt.encode() > last.encode()
        assert len(nxt.encode()) == len(last.encode())


def test_many_ticks_in_one_millisecond_stay_sorted_past_the_rollover() -> None:
    encoded = []
    last = HLC(NOW, MAX_COUNTER - 3, ME)
    for _ in range(10):
        last = tick(last, NOW, ME)
        encoded.append(last.encode())
    assert encoded == sorted(encoded)
    assert len(set(encoded)) == len(encoded)
    assert all(HLC.decode(e).counter <= MAX_COUNTER for e in encoded)


@given(
    remote_offset=st.integers(min_value=-MAX_SKEW_MS, max_value=MAX_SKEW_MS),
    remote_counter=counters,
    local_offset=st.integers(min_value=-MAX_SKEW_MS, max_value=MAX_SKEW_MS),
    local_counter=counters,
)
def test_receive_advances_past_both_clocks(
    remote_offset: int, remote_counter: int, local_offset: int, local_counter: int
) -> None:
    remote = HLC(NOW + remote_offset, remote_counter, OTHER)
    last = HLC(NOW + local_offset, local_counter, ME)
    after = receive(last, remote.encode(), NOW, ME)
    assert after.device_id == ME
    assert (after.wall_ms, after.counter) > (remote.wall_ms, remote.counter)
    assert after > last
    assert after.encode() > remote.encode()
    # ... and the next local event is later still.
    assert tick(after, NOW, ME).encode() > after.encode()


def test_receive_from_a_clock_ahead_of_ours() -> None:
    remote = HLC(NOW + 90_000, 12, OTHER)
    after = receive(HLC(NOW, 0, ME), remote.encode(), NOW, ME)
    assert (after.wall_ms, after.counter) == (NOW + 90_000, 13)


def test_receive_accepts_exactly_five_minutes_ahead() -> None:
    remote = HLC(NOW + MAX_SKEW_MS, 0, OTHER)
    assert receive(ZERO, remote.encode(), NOW, ME).wall_ms == NOW + MAX_SKEW_MS


@pytest.mark.parametrize("ahead_ms", [MAX_SKEW_MS + 1, 6 * 60 * 1000, 365 * 24 * 3600 * 1000])
def test_receive_refuses_a_clock_more_than_five_minutes_ahead(ahead_ms: int) -> None:
    remote = HLC(NOW + ahead_ms, 0, OTHER)
    last = HLC(NOW, 3, ME)
    with pytest.raises(ClockSkewError) as caught:
        receive(last, remote.encode(), NOW, ME)
    assert re.search(r"clock is wrong", str(caught.value), re.IGNORECASE)
