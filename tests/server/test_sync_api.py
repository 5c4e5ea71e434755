"""The sync endpoints against a real PostgreSQL: push, pull, replay, merge, isolation between accounts,
authentication and the protocol version."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from sync import protocol
from sync.server.config import Settings
from tests.server.conftest import batch, clock, new_id, sale_row, tag_change

pytestmark = pytest.mark.postgres

Headers = Callable[[str], dict[str, str]]


def push(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/sync/push", json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def pull(client: TestClient, headers: dict[str, str], cursor: int = 0, limit: int = 500) -> dict[str, Any]:
    response = client.get("/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_state_names_the_protocol_and_limits(client: TestClient, headers_for: Headers) -> None:
    state = client.get("/v1/sync/state", headers=headers_for(new_id())).json()
    assert state["protocol"] == protocol.PROTOCOL
    assert state["schema_version"] == "0003"
    assert state["max_rows"] == protocol.MAX_ROWS
    assert state["max_bytes"] == protocol.MAX_BYTES
    assert abs(state["server_time_ms"] - time.time() * 1000) < 60_000


def test_push_then_pull_round_trips_a_record_and_a_ledger_row(
    client: TestClient, headers_for: Headers
) -> None:
    owner = headers_for(new_id())
    tag, sale = tag_change(new_id(), "Dragons", clock()), sale_row(new_id())
    answer = push(client, owner, batch([tag], [sale]))
    assert answer["rejected"] == []
    assert answer["max_seq"] == 2

    page = pull(client, owner)
    assert page["more"] is False
    assert page["next_cursor"] == 2
    [record] = page["records"]
    assert {k: record[k] for k in ("table", "id", "fields", "clocks")} == tag
    assert record["seq"] == 1
    [ledger] = page["ledger"]
    assert {k: ledger[k] for k in ("table", "id", "row")} == sale
    assert ledger["seq"] == 2
    assert pull(client, owner, cursor=2) == {"records": [], "ledger": [], "next_cursor": 2, "more": False}


def test_pull_pages_in_seq_order_across_tables(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())
    push(client, owner, batch([tag_change(new_id(), "a", clock())], [sale_row(new_id())]))
    push(client, owner, batch([tag_change(new_id(), "b", clock())], [sale_row(new_id())]))
    seen: list[int] = []
    cursor = 0
    while True:
        page = pull(client, owner, cursor=cursor, limit=3)
        seqs = sorted(row["seq"] for row in page["records"] + page["ledger"])
        seen += seqs
        cursor = page["next_cursor"]
        if not page["more"]:
            break
        assert cursor == seqs[-1]
    assert seen == [1, 2, 3, 4]


def test_a_replayed_batch_changes_nothing_and_gets_the_same_answer(
    client: TestClient, headers_for: Headers
) -> None:
    owner = headers_for(new_id())
    body = batch([tag_change(new_id(), "Dragons", clock())], [sale_row(new_id())])
    first = push(client, owner, body)
    again = push(client, owner, body)
    assert again == first
    page = pull(client, owner)
    assert len(page["records"]) == 1 and len(page["ledger"]) == 1
    assert page["next_cursor"] == first["max_seq"]


def test_a_ledger_row_is_inserted_once_and_an_unchanged_record_takes_no_seq(
    client: TestClient, headers_for: Headers
) -> None:
    owner = headers_for(new_id())
    tag, sale = tag_change(new_id(), "Dragons", clock()), sale_row(new_id())
    push(client, owner, batch([tag], [sale]))
    answer = push(client, owner, batch([tag], [sale]))  # a new batch id with the same rows
    assert answer == {"batch_id": answer["batch_id"], "max_seq": 2, "rejected": []}


def test_concurrent_edits_merge_per_field_by_clock(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())
    row_id, base = new_id(), int(time.time() * 1000) - 3_600_000
    push(client, owner, batch([tag_change(row_id, "Dragons", clock(base))]))
    # Device A renames (later clock); device B, offline, renamed earlier and touched another field.
    rename = {
        "table": "tags",
        "id": row_id,
        "fields": {"name": "Wyverns"},
        "clocks": {"name": clock(base + 20)},
    }
    stale = {
        "table": "tags",
        "id": row_id,
        "fields": {"name": "Drakes"},
        "clocks": {"name": clock(base + 10)},
    }
    touch = {
        "table": "tags",
        "id": row_id,
        "fields": {"updated_at": "2026-12-02T00:00:00.000000Z"},
        "clocks": {"updated_at": clock(base + 15)},
    }
    assert push(client, owner, batch([rename]))["rejected"] == []
    assert push(client, owner, batch([stale, touch]))["rejected"] == []
    [record] = pull(client, owner)["records"]
    assert record["fields"]["name"] == "Wyverns"
    assert record["clocks"]["name"] == clock(base + 20)
    assert record["fields"]["updated_at"] == "2026-12-02T00:00:00.000000Z"
    assert record["clocks"]["updated_at"] == clock(base + 15)


def test_a_delete_survives_a_concurrent_edit(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())
    row_id, base = new_id(), int(time.time() * 1000) - 3_600_000
    push(client, owner, batch([tag_change(row_id, "Dragons", clock(base))]))
    delete = {
        "table": "tags",
        "id": row_id,
        "fields": {"deleted": True, "deleted_at": "2026-12-02T00:00:00.000000Z"},
        "clocks": {"deleted": clock(base + 10), "deleted_at": clock(base + 10)},
    }
    edit = {
        "table": "tags",
        "id": row_id,
        "fields": {"name": "Wyverns"},
        "clocks": {"name": clock(base + 20)},
    }
    assert push(client, owner, batch([delete]))["rejected"] == []
    assert push(client, owner, batch([edit]))["rejected"] == []
    [record] = pull(client, owner)["records"]
    assert record["fields"]["deleted"] is True
    assert record["fields"]["name"] == "Wyverns"


def test_account_b_pulls_nothing_of_account_a(client: TestClient, headers_for: Headers) -> None:
    a, b = headers_for(new_id()), headers_for(new_id())
    row_id = new_id()
    push(client, a, batch([tag_change(row_id, "Secret", clock())], [sale_row(new_id())]))
    assert pull(client, b) == {"records": [], "ledger": [], "next_cursor": 0, "more": False}
    # B pushing the same id makes B's own row; A's stays A's.
    push(client, b, batch([tag_change(row_id, "Mine", clock())]))
    assert pull(client, a)["records"][0]["fields"]["name"] == "Secret"
    assert pull(client, b)["records"][0]["fields"]["name"] == "Mine"


def test_bad_rows_are_rejected_by_name_and_the_rest_applies(client: TestClient, headers_for: Headers) -> None:
    owner_id = new_id()
    owner = headers_for(owner_id)
    good = tag_change(new_id(), "Good", clock())
    unknown = {"table": "nope", "id": new_id(), "fields": {"x": 1}, "clocks": {"x": clock()}}
    too_long = tag_change(new_id(), "x" * 101, clock())
    wrong_type = {"table": "tags", "id": new_id(), "fields": {"name": 5}, "clocks": {"name": clock()}}
    ahead = tag_change(new_id(), "Future", clock(int(time.time() * 1000) + 10 * 60 * 1000))
    other_owner = sale_row(new_id())
    other_owner["row"]["owner_id"] = new_id()
    ledger_as_record = {"table": "sales", "id": new_id(), "fields": {"x": 1}, "clocks": {"x": clock()}}
    missing = {"table": "tags", "id": new_id(), "fields": {"name": "No dates"}, "clocks": {"name": clock()}}
    body = batch([good, unknown, too_long, wrong_type, ahead, ledger_as_record, missing], [other_owner])
    answer = push(client, owner, body)
    reasons = {row["id"]: row["reason"].split(":")[0] for row in answer["rejected"]}
    assert reasons == {
        unknown["id"]: protocol.UNKNOWN_TABLE,
        too_long["id"]: protocol.INVALID_VALUE,
        wrong_type["id"]: protocol.INVALID_VALUE,
        ahead["id"]: protocol.CLOCK_SKEW,
        ledger_as_record["id"]: protocol.UNKNOWN_TABLE,
        missing["id"]: protocol.INVALID_VALUE,
        other_owner["id"]: protocol.WRONG_OWNER,
    }
    assert "clock" in next(r["reason"] for r in answer["rejected"] if r["id"] == ahead["id"])
    page = pull(client, owner)
    assert [record["id"] for record in page["records"]] == [good["id"]]
    assert page["ledger"] == []


def test_a_ledger_row_with_a_clock_far_ahead_still_counts(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())
    sale = sale_row(new_id())
    sale["row"]["hlc"] = clock(int(time.time() * 1000) + 24 * 3600 * 1000)
    assert push(client, owner, batch(ledger=[sale]))["rejected"] == []


def test_a_batch_over_the_row_limit_is_refused(client: TestClient, headers_for: Headers) -> None:
    rows = [sale_row(new_id()) for _ in range(protocol.MAX_ROWS + 1)]
    response = client.post("/v1/sync/push", json=batch(ledger=rows), headers=headers_for(new_id()))
    assert response.status_code == 413


def test_a_malformed_batch_is_422(client: TestClient, headers_for: Headers) -> None:
    response = client.post("/v1/sync/push", json={"protocol": 1}, headers=headers_for(new_id()))
    assert response.status_code == 422


def _token(settings: Settings, **claims: Any) -> str:
    now = int(time.time())
    base: dict[str, Any] = {"sub": new_id(), "aud": settings.jwt_audience, "exp": now + 600}
    base.update(claims)
    secret = claims.pop("_secret", None) or settings.jwt_secret.get_secret_value()
    base.pop("_secret", None)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, secret, algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 10},
        {"aud": "someone-else"},
        {"_secret": "another-secret-that-is-long-enough-012345"},
        {"aud": None},
        {"exp": None},
        {"sub": "not-a-uuid"},
    ],
    ids=["expired", "wrong-audience", "wrong-secret", "no-audience", "no-expiry", "bad-subject"],
)
def test_a_bad_token_is_401(client: TestClient, settings: Settings, claims: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {_token(settings, **claims)}", protocol.PROTOCOL_HEADER: "1"}
    for response in (
        client.get("/v1/sync/pull", headers=headers),
        client.get("/v1/sync/state", headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_no_token_is_401(client: TestClient) -> None:
    response = client.get("/v1/sync/pull", headers={protocol.PROTOCOL_HEADER: "1"})
    assert response.status_code == 401


@pytest.mark.parametrize("version", ["2", "0", "", None])
def test_an_unknown_protocol_is_426_with_a_message_to_update(
    client: TestClient, headers_for: Headers, version: str | None
) -> None:
    headers = headers_for(new_id())
    del headers[protocol.PROTOCOL_HEADER]
    if version is not None:
        headers[protocol.PROTOCOL_HEADER] = version
    response = client.post("/v1/sync/push", json=batch(), headers=headers)
    assert response.status_code == 426
    assert "update Printstall" in response.json()["detail"]
    assert client.get("/v1/sync/pull", headers={protocol.PROTOCOL_HEADER: "9"}).status_code == 426


def test_concurrent_pushes_of_one_owner_get_distinct_gapless_seqs(
    client: TestClient, headers_for: Headers
) -> None:
    owner = headers_for(new_id())
    bodies = [batch([tag_change(new_id(), f"t{i}", clock())], [sale_row(new_id())]) for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda body: push(client, owner, body), bodies))
    assert sorted(answer["max_seq"] for answer in answers) == [2, 4, 6, 8, 10, 12, 14, 16]
    page = pull(client, owner)
    assert sorted(row["seq"] for row in page["records"] + page["ledger"]) == list(range(1, 17))


def test_a_batch_may_create_a_row_and_edit_it_and_others(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())
    base = int(time.time() * 1000) - 3_600_000
    first, second = new_id(), new_id()
    push(client, owner, batch([tag_change(second, "Second", clock(base))]))
    rename = {
        "table": "tags",
        "id": first,
        "fields": {"name": "Renamed"},
        "clocks": {"name": clock(base + 2)},
    }
    stale = {"table": "tags", "id": second, "fields": {"name": "Old"}, "clocks": {"name": clock(base - 1)}}
    delete = {
        "table": "tags",
        "id": second,
        "fields": {"deleted": True, "deleted_at": "2026-12-02T00:00:00.000000Z"},
        "clocks": {"deleted": clock(base + 3), "deleted_at": clock(base + 3)},
    }
    body = batch([tag_change(first, "First", clock(base + 1)), rename, stale, delete])
    answer = push(client, owner, body)
    # The new row, its rename and the delete each take a seq; the stale edit changes nothing.
    assert answer == {"batch_id": body["batch_id"], "max_seq": 4, "rejected": []}
    records = {record["id"]: record for record in pull(client, owner)["records"]}
    assert records[first]["fields"]["name"] == "Renamed"
    assert records[first]["clocks"]["name"] == clock(base + 2)
    assert records[first]["seq"] == 3
    assert records[second]["fields"] | {"deleted_at": None} == tag_change(second, "Second", "")["fields"] | {
        "deleted": True
    }
    assert records[second]["seq"] == 4


def test_a_row_the_database_refuses_is_rejected_alone(client: TestClient, headers_for: Headers) -> None:
    owner = headers_for(new_id())

    def setting() -> dict[str, Any]:
        fields = {
            "created_at": "2026-12-01T05:02:25.123456Z",
            "updated_at": "2026-12-01T05:02:25.123456Z",
            "key": "k",
            "value": "VALUE",
        }
        return {
            "table": "user_settings",
            "id": new_id(),
            "fields": fields,
            "clocks": dict.fromkeys(fields, clock()),
        }

    # JSON PostgreSQL stores (a NUL escape in a json column) and JSON it refuses (NaN, which the wire allows).
    kept, refused = setting(), setting()
    sale = sale_row(new_id())
    raw = json.dumps(batch([kept, refused], [sale]))
    raw = raw.replace('"VALUE"', '{"text": "nul \\u0000 inside"}', 1).replace('"VALUE"', "NaN", 1)
    response = client.post("/v1/sync/push", content=raw, headers=owner | {"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    answer = response.json()
    [rejected] = answer["rejected"]
    assert rejected["id"] == refused["id"]
    assert rejected["reason"].startswith(protocol.INVALID_VALUE)
    assert answer["max_seq"] == 2
    page = pull(client, owner)
    [record] = page["records"]
    assert record["id"] == kept["id"]
    assert record["fields"]["value"] == {"text": "nul \u0000 inside"}
    assert [row["id"] for row in page["ledger"]] == [sale["id"]]


def test_a_body_that_is_not_utf8_is_422(client: TestClient, headers_for: Headers) -> None:
    headers = headers_for(new_id()) | {"Content-Type": "application/json"}
    response = client.post("/v1/sync/push", content=b"\xf5Y\x7f\xff.F", headers=headers)
    assert response.status_code == 422


def test_rows_named_with_a_nul_character_are_rejected_and_the_answer_stored(
    client: TestClient, headers_for: Headers
) -> None:
    owner = headers_for(new_id())
    odd_table = {"table": "ta\u0000gs", "id": new_id(), "fields": {"x": 1}, "clocks": {"x": clock()}}
    odd_id = tag_change("a\u0000b", "Dragons", clock())
    odd_field = {"table": "tags", "id": new_id(), "fields": {"n\u0000": 1}, "clocks": {"n\u0000": clock()}}
    good = tag_change(new_id(), "Good", clock())
    body = batch([odd_table, odd_id, odd_field, good])
    answer = push(client, owner, body)
    assert [(row["table"], row["id"]) for row in answer["rejected"]] == [
        ("ta\ufffdgs", odd_table["id"]),
        ("tags", "a\ufffdb"),
        ("tags", odd_field["id"]),
    ]
    assert answer["max_seq"] == 1
    assert push(client, owner, body) == answer
