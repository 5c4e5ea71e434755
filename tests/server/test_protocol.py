"""The wire models of SYNC.md, protocol version 1."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync import protocol


def test_a_push_body_as_sync_md_writes_it_parses() -> None:
    body = (
        '{"protocol": 1, "device_id": "d", "batch_id": "b", '
        '"records": [{"table": "tags", "id": "i", "fields": {"name": "x"}, "clocks": {"name": "c"}}], '
        '"ledger": [{"table": "sales", "id": "j", "row": {"quantity": 1}}]}'
    )
    push = protocol.PushRequest.model_validate_json(body)
    assert push.records[0].fields == {"name": "x"}
    assert push.ledger[0].row == {"quantity": 1}


def test_another_protocol_version_or_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        protocol.PushRequest.model_validate({"protocol": 2, "device_id": "d", "batch_id": "b"})
    with pytest.raises(ValidationError):
        protocol.PushRequest.model_validate({"device_id": "d", "batch_id": "b", "extra": 1})


def test_limits_are_documented_constants() -> None:
    assert protocol.PROTOCOL == 1
    assert protocol.MAX_ROWS == 1000 and protocol.MAX_BYTES == 4 * 1024 * 1024
    assert protocol.DEFAULT_PULL_LIMIT <= protocol.MAX_PULL_LIMIT
