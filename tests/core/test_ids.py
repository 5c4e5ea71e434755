"""Record ids: UUIDv7 made on the device, deterministic ids for natural keys and blobs."""

from __future__ import annotations

import hashlib
import time
import uuid
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ids
from core.ids import blob_id, derived_id, is_uuid, uuid7


def _unix_ms(text: str) -> int:
    return uuid.UUID(text).int >> 80


def test_uuid7_is_version_7_rfc_4122() -> None:
    for _ in range(100):
        value = uuid.UUID(uuid7())
        assert value.version == 7
        assert value.variant == uuid.RFC_4122


def test_uuid7_text_form_is_canonical() -> None:
    text = uuid7()
    assert text == str(uuid.UUID(text))
    assert is_uuid(text)


def test_uuid7_strictly_increasing_in_a_burst() -> None:
    burst = [uuid7() for _ in range(10_000)]
    assert all(a < b for a, b in pairwise(burst))
    as_ints = [uuid.UUID(u).int for u in burst]
    assert all(a < b for a, b in pairwise(as_ints))


def test_uuid7_time_prefix_is_now() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= _unix_ms(made) <= after


def test_uuid7_stays_increasing_when_the_random_part_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # The previous id of this millisecond used the largest random value: the next must still sort after it.
    future_ms = time.time_ns() // 1_000_000 + 10_000
    monkeypatch.setattr(ids, "_last_ms", future_ms)
    monkeypatch.setattr(ids, "_last_rand", (1 << 74) - 2)
    first = uuid7()  # takes the largest random value
    assert uuid.UUID(first).int & ((1 << 62) - 1) == (1 << 62) - 1
    second = uuid7()
    assert first < second
    assert uuid.UUID(second).version == 7
    assert uuid.UUID(second).variant == uuid.RFC_4122


def test_uuid7_stays_increasing_when_the_system_clock_goes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    first = uuid7()
    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() - 3_600 * 10**9)
    second = uuid7()
    assert first < second


# Ordinary text, and text made mostly of the characters a join could confuse.
part_text = st.one_of(st.text(max_size=12), st.text(alphabet="ab\x1b\x1f\\", max_size=6))
parts = st.lists(part_text, min_size=1, max_size=4).map(tuple)


@given(parts)
def test_derived_id_is_deterministic(key: tuple[str, ...]) -> None:
    assert derived_id(*key) == derived_id(*key)
    assert is_uuid(derived_id(*key))


@given(parts, parts)
def test_derived_id_differs_for_different_parts(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    if a != b:
        assert derived_id(*a) != derived_id(*b)


@given(parts.filter(lambda key: len(key) > 1), st.sampled_from(["", "\x1f", "\x1b\x1f", "/"]))
def test_parts_joined_into_one_are_another_key(key: tuple[str, ...], glue: str) -> None:
    assert derived_id(*key) != derived_id(glue.join(key))


def test_derived_id_does_not_just_concatenate() -> None:
    keys = [("ab", "c"), ("a", "bc"), ("abc",), ("a", "b", "c"), ("a\x1fb", "c"), ("a", "b\x1fc")]
    assert len({derived_id(*key) for key in keys}) == len(keys)


def test_derived_id_of_ordinary_parts_is_uuid5_of_the_joined_parts() -> None:
    # Every device and the server must derive the same ids: the scheme must not drift.
    expected = uuid.uuid5(ids.PRINTSTALL_NAMESPACE, "owner\x1ftag\x1fblue pla")
    assert derived_id("owner", "tag", "blue pla") == str(expected)


@given(st.binary(max_size=64))
def test_blob_id_ignores_the_case_of_the_hex(content: bytes) -> None:
    digest = hashlib.sha256(content).hexdigest()
    assert blob_id(digest) == blob_id(digest.upper())


def test_blob_id_differs_between_contents() -> None:
    a = hashlib.sha256(b"a").hexdigest()
    b = hashlib.sha256(b"b").hexdigest()
    assert blob_id(a) != blob_id(b)
    # ... and from a derived id over the same text that is not a blob.
    assert blob_id(a) != derived_id(a)
