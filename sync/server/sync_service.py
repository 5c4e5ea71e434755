"""Push, pull and state of SYNC.md on the database, for one owner, inside a transaction of sync.server.db.

Push takes the owner's sync lock (their `server.sync_state` row, FOR UPDATE), answers a replayed batch with
its stored answer, merges each record with the stored row by `core.merge.merge`, inserts ledger rows once,
gives every row that changed the owner's next sequence number and stores the answer under the batch id.
A row that cannot be taken (unknown table, invalid value, another owner's id, a clock too far ahead) is named
in `rejected`; the rest of the batch still applies.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError

from core.db.base import record_fields
from core.db.models import SYNCED_MODELS
from core.hlc import HLC, MAX_SKEW_MS
from core.merge import Versioned, canonical_json, merge
from sync import protocol
from sync.protocol import LedgerRow, PushRequest, PushResponse, RecordChange, Rejected

_metadata = MetaData()

sync_state = Table(
    "sync_state",
    _metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    schema="server",
)
sync_batches = Table(
    "sync_batches",
    _metadata,
    Column("owner_id", String(36), primary_key=True),
    Column("batch_id", String(36), primary_key=True),
    Column("answer", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True)),
    schema="server",
)


def _with_seq(table: Table) -> Table:
    """The synced table as the server's database holds it: the core columns plus `seq`."""
    copy = table.to_metadata(_metadata)
    copy.append_column(Column("seq", BigInteger, nullable=True))
    return copy


# table name -> (kind, the server's table, the fields a record change may name)
TABLES: dict[str, tuple[str, Table, frozenset[str]]] = {
    model.__tablename__: (
        model.sync_kind,
        _with_seq(model.__table__),
        frozenset(record_fields(model.__table__)),
    )
    for model in SYNCED_MODELS
}

_CLOCK = re.compile(r"^\d{13}-\d{5}-[0-9a-f-]{1,36}$")
_INT64 = (-(2**63), 2**63 - 1)


class _Refused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# ---------------------------------------------------------------- checking values


def _check_id(value: str) -> None:
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = ""
    if canonical != value:
        raise _Refused(protocol.INVALID_VALUE, f"{value!r} is not a lower-case UUID.")


def _check_value(column: Column[Any], value: Any) -> None:
    name, kind = column.key, column.type
    if value is None:
        if not column.nullable:
            raise _Refused(protocol.INVALID_VALUE, f"{name} may not be empty.")
        return
    if isinstance(kind, JSON):
        return
    if isinstance(kind, Boolean):
        ok = isinstance(value, bool)
    elif isinstance(kind, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]
    elif isinstance(kind, String):
        ok = isinstance(value, str) and "\x00" not in value
        if ok and kind.length is not None and len(value) > kind.length:
            raise _Refused(protocol.INVALID_VALUE, f"{name} is longer than {kind.length} characters.")
    else:  # pragma: no cover - every synced column is one of the above
        ok = False
    if not ok:
        raise _Refused(protocol.INVALID_VALUE, f"{name} has a value of the wrong type.")


def _check_clock(name: str, clock: str, now: int, *, skew: bool) -> None:
    if not _CLOCK.match(clock):
        raise _Refused(protocol.INVALID_VALUE, f"the clock of {name} is not a clock value.")
    if skew and HLC.decode(clock).wall_ms - now > MAX_SKEW_MS:
        raise _Refused(
            protocol.CLOCK_SKEW,
            "this computer's clock is more than five minutes ahead; set its date and time correctly, "
            "then sync again.",
        )


def _own_row(owner: str, values: Mapping[str, Any], row_id: str) -> dict[str, Any]:
    """The values without owner_id and id, refusing another owner's id or a different row id."""
    if values.get("owner_id", owner) != owner:
        raise _Refused(protocol.WRONG_OWNER, "the row belongs to another account.")
    if values.get("id", row_id) != row_id:
        raise _Refused(protocol.INVALID_VALUE, "the row names two different ids.")
    return {key: value for key, value in values.items() if key not in ("owner_id", "id")}


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        if column.nullable:
            return None
        raise _Refused(protocol.INVALID_VALUE, f"the new row has no value for {column.key}.")
    arg = getattr(default, "arg", None)
    if getattr(default, "is_callable", False) and callable(arg):
        return arg(None)
    return arg


# ---------------------------------------------------------------- push


def _apply_record(conn: Connection, owner: str, change: RecordChange, seq: int, now: int) -> bool:
    """Merge one record change into the stored row; True if the row changed (and took `seq`)."""
    _kind, table, allowed = TABLES[change.table]
    _check_id(change.id)
    fields = _own_row(owner, change.fields, change.id)
    if set(fields) != set(change.clocks):
        raise _Refused(protocol.INVALID_VALUE, "every field sent needs a clock, and only those.")
    if not fields:
        raise _Refused(protocol.INVALID_VALUE, "the change names no field.")
    unknown = set(fields) - allowed
    if unknown:
        raise _Refused(protocol.INVALID_VALUE, f"the table has no field {sorted(unknown)[0]}.")
    for name, value in fields.items():
        _check_value(table.c[name], value)
        _check_clock(name, change.clocks[name], now, skew=True)

    stored_row = (
        conn.execute(select(table).where(table.c.owner_id == owner, table.c.id == change.id))
        .mappings()
        .first()
    )
    incoming = Versioned(fields, change.clocks)
    if stored_row is None:
        merged = incoming
        complete = {
            name: merged.fields[name] if name in merged.fields else _default(table.c[name])
            for name in allowed
        }
        clocks = dict(merged.clocks)
        values = {**complete, "owner_id": owner, "id": change.id}
        values.update(hlc=max(clocks.values()), clocks=clocks, seq=seq)
        conn.execute(table.insert().values(values))
        return True

    stored_clocks: dict[str, str] = dict(stored_row["clocks"] or {})
    stored = Versioned({name: stored_row[name] for name in allowed}, stored_clocks)
    merged = merge(stored, incoming)
    clocks = {name: clock for name, clock in merged.clocks.items() if clock}
    changed = {
        name: value
        for name, value in merged.fields.items()
        if canonical_json(value) != canonical_json(stored.fields[name])
    }
    if not changed and clocks == stored_clocks:
        return False
    values = {**changed, "hlc": max(clocks.values(), default=stored_row["hlc"]), "clocks": clocks, "seq": seq}
    conn.execute(table.update().where(table.c.owner_id == owner, table.c.id == change.id).values(values))
    return True


def _apply_ledger(conn: Connection, owner: str, entry: LedgerRow, seq: int, now: int) -> bool:
    """Insert one ledger row unless it is there already; True if it was inserted (and took `seq`)."""
    _kind, table, _fields = TABLES[entry.table]
    _check_id(entry.id)
    row = _own_row(owner, entry.row, entry.id)
    columns = {column.key: column for column in table.columns if column.key not in ("owner_id", "id", "seq")}
    unknown = set(row) - set(columns)
    if unknown:
        raise _Refused(protocol.INVALID_VALUE, f"the table has no column {sorted(unknown)[0]}.")
    values = {name: row[name] if name in row else _default(column) for name, column in columns.items()}
    for name, value in values.items():
        _check_value(columns[name], value)
    _check_clock("the row", values["hlc"], now, skew=False)  # a sale with a wrong clock still counts
    statement = (
        insert(table)
        .values({**values, "owner_id": owner, "id": entry.id, "seq": seq})
        .on_conflict_do_nothing(index_elements=["owner_id", "id"])
        .returning(table.c.id)
    )
    return conn.execute(statement).first() is not None


def _kind_of(table: str) -> str | None:
    known = TABLES.get(table)
    return known[0] if known else None


def push(conn: Connection, owner: str, request: PushRequest) -> PushResponse:
    """Apply one push batch in the caller's transaction (an owner_transaction of `owner`)."""
    conn.execute(insert(sync_state).values(owner_id=owner, last_seq=0).on_conflict_do_nothing())
    last_seq: int = conn.execute(
        select(sync_state.c.last_seq).where(sync_state.c.owner_id == owner).with_for_update()
    ).scalar_one()
    replay = conn.execute(
        select(sync_batches.c.answer).where(
            sync_batches.c.owner_id == owner, sync_batches.c.batch_id == request.batch_id
        )
    ).scalar_one_or_none()
    if replay is not None:
        return PushResponse.model_validate(replay)

    now = now_ms()
    rejected: list[Rejected] = []
    work: list[tuple[str, RecordChange | LedgerRow]] = [("record", r) for r in request.records]
    work += [("ledger", entry) for entry in request.ledger]
    for kind, item in work:
        if _kind_of(item.table) != kind:
            message = f"there is no {kind} table {item.table!r}."
            rejected.append(
                Rejected(table=item.table, id=item.id, reason=f"{protocol.UNKNOWN_TABLE}: {message}")
            )
            continue
        try:
            with conn.begin_nested():
                if isinstance(item, RecordChange):
                    changed = _apply_record(conn, owner, item, last_seq + 1, now)
                else:
                    changed = _apply_ledger(conn, owner, item, last_seq + 1, now)
        except _Refused as refused:
            rejected.append(Rejected(table=item.table, id=item.id, reason=str(refused)))
            continue
        except DBAPIError as error:
            first_line = str(error.orig).splitlines()[0] if error.orig else "refused"
            reason = f"{protocol.INVALID_VALUE}: the database refused the row ({first_line})."
            rejected.append(Rejected(table=item.table, id=item.id, reason=reason))
            continue
        if changed:
            last_seq += 1

    answer = PushResponse(batch_id=request.batch_id, max_seq=last_seq, rejected=rejected)
    conn.execute(sync_state.update().where(sync_state.c.owner_id == owner).values(last_seq=last_seq))
    conn.execute(
        sync_batches.insert().values(owner_id=owner, batch_id=request.batch_id, answer=answer.model_dump())
    )
    return answer


# ---------------------------------------------------------------- pull


def pull(conn: Connection, owner: str, cursor: int, limit: int) -> protocol.PullResponse:
    """Everything of the owner with seq > cursor, in seq order, `limit` rows at most (one snapshot: the
    caller's REPEATABLE READ transaction)."""
    page: list[tuple[int, str, RowMapping]] = []
    for name, (_kind, table, _fields) in TABLES.items():
        rows = conn.execute(
            select(table)
            .where(table.c.owner_id == owner, table.c.seq > cursor)
            .order_by(table.c.seq)
            .limit(limit + 1)
        ).mappings()
        page.extend((int(row["seq"]), name, row) for row in rows)
    page.sort(key=lambda item: item[0])
    more = len(page) > limit
    page = page[:limit]
    records: list[protocol.PulledRecord] = []
    ledger: list[protocol.PulledLedgerRow] = []
    for seq, name, row in page:
        kind, _table, fields = TABLES[name]
        if kind == "record":
            values = {field: row[field] for field in fields}
            records.append(
                protocol.PulledRecord(table=name, id=row["id"], fields=values, clocks=row["clocks"], seq=seq)
            )
        else:
            values = {key: value for key, value in row.items() if key not in ("owner_id", "id", "seq")}
            ledger.append(protocol.PulledLedgerRow(table=name, id=row["id"], row=values, seq=seq))
    next_cursor = page[-1][0] if page else cursor
    return protocol.PullResponse(records=records, ledger=ledger, next_cursor=next_cursor, more=more)
