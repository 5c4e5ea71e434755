"""The one merge function of SYNC.md: its laws as properties, and the cases users will meet."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.hlc import HLC
from core.merge import Versioned, canonical_json, merge

FIELD_NAMES = ("name", "price_cents", "deleted", "deleted_at", "tags", "notes")
DEVICES = ("0b6f0c58-7e0c-4a43-a1d5-4a4f7a0e0001", "0b6f0c58-7e0c-4a43-a1d5-4a4f7a0e0002")
T0 = 1_764_565_000_000

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=8),
)
json_values = st.one_of(json_scalars, st.lists(json_scalars, max_size=3))

# Few distinct clocks, so that equal clocks (with different values) turn up all the time.
hlc_strings = st.builds(
    HLC,
    wall_ms=st.integers(min_value=T0, max_value=T0 + 2),
    counter=st.integers(min_value=0, max_value=1),
    device_id=st.sampled_from(DEVICES),
).map(HLC.encode)


@st.composite
def records(draw: st.DrawFn, clock_pool: list[str] | None = None) -> Versioned:
    names = draw(st.sets(st.sampled_from(FIELD_NAMES)))
    clock = st.sampled_from(clock_pool) if clock_pool else hlc_strings
    fields = {name: draw(json_values) for name in sorted(names)}
    clocks = {name: draw(clock) for name in sorted(names)}
    return Versioned(fields, clocks)


@st.composite
def record_triples(draw: st.DrawFn) -> tuple[Versioned, Versioned, Versioned]:
    """Three versions of one record whose field clocks come from one small pool: many exact ties."""
    pool = draw(st.lists(hlc_strings, min_size=1, max_size=3, unique=True))
    return draw(records(pool)), draw(records(pool)), draw(records(pool))


def snapshot(record: Versioned) -> str:
    """A strict comparison key: unlike ==, it tells True from 1 and a list from a tuple."""
    return canonical_json({"fields": dict(record.fields), "clocks": dict(record.clocks)})


def clock(wall_offset: int, device: int = 0, counter: int = 0) -> str:
    return HLC(T0 + wall_offset, counter, DEVICES[device]).encode()


# ---------------------------------------------------------------- laws


@given(record_triples())
def test_merge_is_commutative(triple: tuple[Versioned, Versioned, Versioned]) -> None:
    a, b, _ = triple
    assert snapshot(merge(a, b)) == snapshot(merge(b, a))


@given(record_triples())
def test_merge_is_associative(triple: tuple[Versioned, Versioned, Versioned]) -> None:
    a, b, c = triple
    assert snapshot(merge(merge(a, b), c)) == snapshot(merge(a, merge(b, c)))


@given(records())
def test_merge_is_idempotent(a: Versioned) -> None:
    assert snapshot(merge(a, a)) == snapshot(a)


@given(record_triples())
def test_merging_again_changes_nothing(triple: tuple[Versioned, Versioned, Versioned]) -> None:
    a, b, _ = triple
    merged = merge(a, b)
    assert snapshot(merge(merged, a)) == snapshot(merged)
    assert snapshot(merge(merged, b)) == snapshot(merged)


@given(record_triples())
def test_merge_keeps_every_field_and_the_newest_clock(triple: tuple[Versioned, Versioned, Versioned]) -> None:
    a, b, _ = triple
    merged = merge(a, b)
    assert set(merged.fields) == set(a.fields) | set(b.fields)
    assert set(merged.clocks) == set(merged.fields)
    assert merged.hlc == max(a.hlc, b.hlc)
    for name, value in merged.fields.items():
        # Every value comes from one of the sides, with that side's clock.
        encoded = canonical_json(value)
        sides = [r for r in (a, b) if name in r.fields and canonical_json(r.fields[name]) == encoded]
        assert any(r.clocks[name] == merged.clocks[name] for r in sides)


@given(record_triples())
def test_merge_result_survives_a_json_round_trip(triple: tuple[Versioned, Versioned, Versioned]) -> None:
    # What the server stores and sends back must merge to the same thing as the in-memory value.
    a, b, _ = triple
    merged = merge(a, b)
    wire = json.loads(json.dumps({"fields": dict(merged.fields), "clocks": dict(merged.clocks)}))
    assert snapshot(merge(Versioned(wire["fields"], wire["clocks"]), a)) == snapshot(merged)


# ---------------------------------------------------------------- examples


def test_newer_clock_wins_per_field() -> None:
    a = Versioned({"name": "Benchy", "price_cents": 500}, {"name": clock(1), "price_cents": clock(5)})
    b = Versioned(
        {"name": "Benchy v2", "price_cents": 450}, {"name": clock(3, 1), "price_cents": clock(2, 1)}
    )
    for merged in (merge(a, b), merge(b, a)):
        assert merged.fields == {"name": "Benchy v2", "price_cents": 500}
        assert merged.clocks == {"name": clock(3, 1), "price_cents": clock(5)}
        assert merged.hlc == clock(5)


def test_counter_breaks_ties_within_one_millisecond() -> None:
    a = Versioned({"name": "first"}, {"name": clock(0, 1, counter=1)})
    b = Versioned({"name": "second"}, {"name": clock(0, 0, counter=2)})
    assert merge(a, b).fields["name"] == merge(b, a).fields["name"] == "second"


def test_concurrent_edits_to_different_fields_both_survive() -> None:
    base_clocks = {"name": clock(0), "price_cents": clock(0), "notes": clock(0)}
    base = Versioned({"name": "Dragon", "price_cents": 1200, "notes": ""}, base_clocks)
    on_laptop = Versioned({**base.fields, "name": "Crystal dragon"}, {**base_clocks, "name": clock(10, 0)})
    on_phone = Versioned({**base.fields, "price_cents": 1500}, {**base_clocks, "price_cents": clock(7, 1)})
    for merged in (merge(on_laptop, on_phone), merge(on_phone, on_laptop)):
        assert merged.fields == {"name": "Crystal dragon", "price_cents": 1500, "notes": ""}
    # The server's copy (the base) merged with both ends the same way.
    assert snapshot(merge(merge(base, on_phone), on_laptop)) == snapshot(merge(on_laptop, on_phone))


def test_delete_survives_a_concurrent_edit_and_an_undo_brings_the_row_back() -> None:
    base_clocks = {"name": clock(0), "deleted": clock(0), "deleted_at": clock(0)}
    base = Versioned({"name": "Keyring", "deleted": False, "deleted_at": None}, base_clocks)
    deleted = Versioned(
        {**base.fields, "deleted": True, "deleted_at": "2025-12-01T05:00:00.000000Z"},
        {**base_clocks, "deleted": clock(5, 0), "deleted_at": clock(5, 0)},
    )
    # The other device renames the record later than the delete, without having seen it.
    renamed = Versioned({**base.fields, "name": "Keyring (blue)"}, {**base_clocks, "name": clock(9, 1)})
    merged = merge(deleted, renamed)
    assert snapshot(merged) == snapshot(merge(renamed, deleted))
    assert merged.fields["deleted"] is True
    assert merged.fields["deleted_at"] == "2025-12-01T05:00:00.000000Z"
    assert merged.fields["name"] == "Keyring (blue)"

    # An explicit undo with a newer clock restores the record, edits included.
    undone = Versioned(
        {**merged.fields, "deleted": False, "deleted_at": None},
        {**merged.clocks, "deleted": clock(12, 0), "deleted_at": clock(12, 0)},
    )
    for restored in (merge(undone, renamed), merge(merged, undone), merge(deleted, undone)):
        assert restored.fields["deleted"] is False
        assert restored.fields["deleted_at"] is None
    assert merge(undone, renamed).fields["name"] == "Keyring (blue)"


def test_equal_clocks_pick_the_same_winner_on_both_sides() -> None:
    same = clock(4, 0)
    values: list[Any] = ["apple", "banana", 3, True, None, [1, 2], ["a"], 0, False, ""]
    for x in values:
        for y in values:
            a = Versioned({"v": x}, {"v": same})
            b = Versioned({"v": y}, {"v": same})
            left, right = merge(a, b).fields["v"], merge(b, a).fields["v"]
            assert canonical_json(left) == canonical_json(right)
            assert canonical_json(left) == max(canonical_json(x), canonical_json(y))


def test_a_field_only_one_side_has_is_taken() -> None:
    a = Versioned({"name": "Vase"}, {"name": clock(1)})
    b = Versioned({"colour": "teal"}, {"colour": clock(0, 1)})
    merged = merge(a, b)
    assert merged.fields == {"name": "Vase", "colour": "teal"}
    assert merged.clocks == {"name": clock(1), "colour": clock(0, 1)}
