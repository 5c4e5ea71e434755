"""The wire format of SYNC.md (protocol version 1), shared by the app's sync engine and the cloud service.

Every request carries the header `Printstall-Protocol: 1`; a server answers an unknown version with 426.
Values inside `fields` and `row` are plain JSON (integers for money, weights and lengths; RFC 3339 UTC text
for times); the service checks them against the table's columns, not these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL = 1
PROTOCOL_HEADER = "Printstall-Protocol"

# A push batch holds at most this many rows (records + ledger rows) and this many bytes of request body;
# the client splits larger pushes.
MAX_ROWS = 1000
MAX_BYTES = 4 * 1024 * 1024
# A pull page holds at most this many rows; the default when the client names none.
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500

# Rejection reasons (`Rejected.reason` starts with one of these, then ": " and a sentence for the sync panel).
UNKNOWN_TABLE = "unknown_table"
INVALID_VALUE = "invalid_value"
WRONG_OWNER = "wrong_owner"
CLOCK_SKEW = "clock_skew"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordChange(_Wire):
    """A mutable row: the fields sent and the clock (encoded HLC) of each."""

    table: str
    id: str
    fields: dict[str, Any]
    clocks: dict[str, str]


class LedgerRow(_Wire):
    """An immutable row: every column but owner_id and id."""

    table: str
    id: str
    row: dict[str, Any]


class PushRequest(_Wire):
    protocol: Literal[1] = 1
    device_id: str
    batch_id: str
    records: list[RecordChange] = Field(default_factory=list)
    ledger: list[LedgerRow] = Field(default_factory=list)


class Rejected(_Wire):
    table: str
    id: str
    reason: str


class PushResponse(_Wire):
    batch_id: str
    max_seq: int
    rejected: list[Rejected] = Field(default_factory=list)


class PulledRecord(RecordChange):
    seq: int


class PulledLedgerRow(LedgerRow):
    seq: int


class PullResponse(_Wire):
    records: list[PulledRecord]
    ledger: list[PulledLedgerRow]
    next_cursor: int
    more: bool


class SyncState(_Wire):
    protocol: int
    schema_version: str
    max_rows: int
    max_bytes: int
    server_time_ms: int


class BlobUploadRequest(_Wire):
    size: int = Field(ge=0)


class PresignedRequest(_Wire):
    """A presigned URL to PUT or GET straight from object storage, with the headers the request must carry."""

    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    expires_at: str


class BlobUploadResponse(_Wire):
    """`{"exists": true}` when the server has the blob already, otherwise where to upload it."""

    exists: bool = False
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    expires_at: str | None = None


class BlobConfirmResponse(_Wire):
    sha256: str
    size: int
    confirmed: bool


class ErrorBody(_Wire):
    """What every error answer holds: one sentence a user can read."""

    detail: str
