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
    any_,
    bindparam,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause

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


def _checked_record(owner: str, change: RecordChange, now: int) -> dict[str, Any]:
    """The fields of a record change, checked (ids, names, types, clocks); _Refused otherwise."""
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
    return fields


def _new_row(owner: str, change: RecordChange, fields: dict[str, Any], seq: int) -> dict[str, Any]:
    """Every column of the row a record change creates (defaults for fields not sent)."""
    _kind, table, allowed = TABLES[change.table]
    complete = {name: fields[name] if name in fields else _default(table.c[name]) for name in allowed}
    clocks = dict(change.clocks)
    return {
        **complete,
        "owner_id": owner,
        "id": change.id,
        "hlc": max(clocks.values()),
        "clocks": clocks,
        "seq": seq,
    }


def _merged_update(
    stored_row: Mapping[str, Any], change: RecordChange, fields: dict[str, Any], seq: int
) -> dict[str, Any] | None:
    """The columns to set when a change is merged into the stored row; None if the merge changes nothing."""
    allowed = TABLES[change.table][2]
    stored_clocks: dict[str, str] = dict(stored_row["clocks"] or {})
    stored = Versioned({name: stored_row[name] for name in allowed}, stored_clocks)
    merged = merge(stored, Versioned(fields, change.clocks))
    clocks = {name: clock for name, clock in merged.clocks.items() if clock}
    changed = {
        name: value
        for name, value in merged.fields.items()
        if canonical_json(value) != canonical_json(stored.fields[name])
    }
    if not changed and clocks == stored_clocks:
        return None
    return {**changed, "hlc": max(clocks.values(), default=stored_row["hlc"]), "clocks": clocks, "seq": seq}


def _apply_record(conn: Connection, owner: str, change: RecordChange, seq: int, now: int) -> bool:
    """Merge one record change into the stored row; True if the row changed (and took `seq`)."""
    table = TABLES[change.table][1]
    fields = _checked_record(owner, change, now)
    stored_row = (
        conn.execute(select(table).where(table.c.owner_id == owner, table.c.id == change.id))
        .mappings()
        .first()
    )
    if stored_row is None:
        conn.execute(table.insert().values(_new_row(owner, change, fields, seq)))
        return True
    values = _merged_update(dict(stored_row), change, fields, seq)
    if values is None:
        return False
    conn.execute(table.update().where(table.c.owner_id == owner, table.c.id == change.id).values(values))
    return True


def _ledger_columns(table: Table) -> dict[str, Column[Any]]:
    return {column.key: column for column in table.columns if column.key not in ("owner_id", "id", "seq")}


def _checked_ledger(owner: str, entry: LedgerRow, now: int) -> dict[str, Any]:
    """Every column of a ledger row but owner_id, id and seq, checked; _Refused otherwise."""
    table = TABLES[entry.table][1]
    _check_id(entry.id)
    row = _own_row(owner, entry.row, entry.id)
    columns = _ledger_columns(table)
    unknown = set(row) - set(columns)
    if unknown:
        raise _Refused(protocol.INVALID_VALUE, f"the table has no column {sorted(unknown)[0]}.")
    values = {name: row[name] if name in row else _default(column) for name, column in columns.items()}
    for name, value in values.items():
        _check_value(columns[name], value)
    _check_clock("the row", values["hlc"], now, skew=False)  # a sale with a wrong clock still counts
    return values


def _apply_ledger(conn: Connection, owner: str, entry: LedgerRow, seq: int, now: int) -> bool:
    """Insert one ledger row unless it is there already; True if it was inserted (and took `seq`)."""
    table = TABLES[entry.table][1]
    values = _checked_ledger(owner, entry, now)
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


def _work(request: PushRequest) -> list[tuple[str, RecordChange | LedgerRow]]:
    work: list[tuple[str, RecordChange | LedgerRow]] = [("record", r) for r in request.records]
    work += [("ledger", entry) for entry in request.ledger]
    return work


def _wrong_table(kind: str, item: RecordChange | LedgerRow) -> Rejected:
    message = f"there is no {kind} table {item.table!r}."
    return Rejected(table=item.table, id=item.id, reason=f"{protocol.UNKNOWN_TABLE}: {message}")


_Stored = dict[tuple[str, str], dict[str, Any]]


def _stored_rows(conn: Connection, owner: str, work: list[tuple[str, RecordChange | LedgerRow]]) -> _Stored:
    """The stored rows a batch names, read with one query per table it touches."""
    wanted: dict[str, set[str]] = {}
    for kind, item in work:
        if _kind_of(item.table) == kind:
            try:
                _check_id(item.id)
            except _Refused:
                continue
            wanted.setdefault(item.table, set()).add(item.id)
    stored: _Stored = {}
    for name, ids in wanted.items():
        kind, table, _fields = TABLES[name]
        columns = [table] if kind == "record" else [table.c.id]
        # `= ANY(array)` rather than IN (...): one statement text whatever the count, so it is prepared once.
        ids_param = bindparam("ids", sorted(ids), type_=ARRAY(String))
        rows = conn.execute(select(*columns).where(table.c.owner_id == owner, table.c.id == any_(ids_param)))
        for row in rows.mappings():
            stored[(name, row["id"])] = dict(row)
    return stored


def _apply_in_bulk(
    conn: Connection, owner: str, request: PushRequest, last_seq: int, now: int
) -> tuple[int, list[Rejected]]:
    """Apply a batch with a few statements: read the stored rows once, merge in memory, then write the new
    rows and the changes table by table. A row the database refuses raises DBAPIError (for the caller to
    redo the batch row by row)."""
    work = _work(request)
    stored = _stored_rows(conn, owner, work)
    inserts: dict[tuple[str, str], dict[str, Any]] = {}
    updates: dict[tuple[str, str], dict[str, Any]] = {}
    rejected: list[Rejected] = []
    for kind, item in work:
        if _kind_of(item.table) != kind:
            rejected.append(_wrong_table(kind, item))
            continue
        key = (item.table, item.id)
        try:
            if isinstance(item, RecordChange):
                fields = _checked_record(owner, item, now)
                current = stored.get(key)
                if current is None:
                    stored[key] = inserts[key] = _new_row(owner, item, fields, last_seq + 1)
                else:
                    values = _merged_update(current, item, fields, last_seq + 1)
                    if values is None:
                        continue
                    current.update(values)  # the stored row, or the pending new row, as it now is
                    if key not in inserts:
                        updates.setdefault(key, {}).update(values)
            else:
                values = _checked_ledger(owner, item, now)
                if key in stored:
                    continue
                stored[key] = inserts[key] = {**values, "owner_id": owner, "id": item.id, "seq": last_seq + 1}
        except _Refused as refused:
            rejected.append(Rejected(table=item.table, id=item.id, reason=str(refused)))
            continue
        last_seq += 1

    by_table: dict[str, list[dict[str, Any]]] = {}
    for (name, _id), row in inserts.items():
        by_table.setdefault(name, []).append(row)
    for name, rows in by_table.items():
        table = TABLES[name][1]
        conn.execute(insert(table).on_conflict_do_nothing(index_elements=["owner_id", "id"]), rows)
    grouped: dict[tuple[str, frozenset[str]], list[dict[str, Any]]] = {}
    for (name, row_id), values in updates.items():
        params = {**values, "b_owner": owner, "b_id": row_id}
        grouped.setdefault((name, frozenset(values)), []).append(params)
    for (name, _columns), many in grouped.items():
        table = TABLES[name][1]
        where = (table.c.owner_id == bindparam("b_owner"), table.c.id == bindparam("b_id"))
        conn.execute(table.update().where(*where), many)
    return last_seq, rejected


def _apply_row_by_row(
    conn: Connection, owner: str, request: PushRequest, last_seq: int, now: int
) -> tuple[int, list[Rejected]]:
    """Apply a batch one row at a time, each in its own savepoint, so a row the database refuses is
    rejected alone (the slow path, taken only when the bulk path met such a row)."""
    rejected: list[Rejected] = []
    for kind, item in _work(request):
        if _kind_of(item.table) != kind:
            rejected.append(_wrong_table(kind, item))
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
    return last_seq, rejected


def _storable(rejected: Rejected) -> Rejected:
    """The rejection with each NUL character replaced by U+FFFD: the answer is stored as jsonb, which cannot
    hold one, and a table name, id or field name with a NUL is never a real row's anyway."""
    if "\x00" not in rejected.table + rejected.id + rejected.reason:
        return rejected
    return Rejected(
        table=rejected.table.replace("\x00", "\ufffd"),
        id=rejected.id.replace("\x00", "\ufffd"),
        reason=rejected.reason.replace("\x00", "\ufffd"),
    )


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
    try:
        with conn.begin_nested():
            last_seq, rejected = _apply_in_bulk(conn, owner, request, last_seq, now)
    except DBAPIError:
        last_seq, rejected = _apply_row_by_row(conn, owner, request, last_seq, now)

    answer = PushResponse(
        batch_id=request.batch_id, max_seq=last_seq, rejected=[_storable(r) for r in rejected]
    )
    conn.execute(sync_state.update().where(sync_state.c.owner_id == owner).values(last_seq=last_seq))
    conn.execute(
        sync_batches.insert().values(owner_id=owner, batch_id=request.batch_id, answer=answer.model_dump())
    )
    return answer


# ---------------------------------------------------------------- pull


def _union(branch: str, tail: str) -> TextClause:
    """One query over every synced table: `branch` ({name}: the table) for each, joined by UNION ALL."""
    branches = [branch.format(name=name) for name in TABLES]
    return text(" UNION ALL ".join(branches) + tail)


# The seqs of the next page: from each table's (owner_id, seq) index at most `limit` values, then the
# smallest `limit` of them all.
_PAGE_SEQS = _union(
    "(SELECT seq FROM {name} WHERE owner_id = :owner AND seq > :cursor ORDER BY seq LIMIT :limit)",
    " ORDER BY seq LIMIT :limit",
)
# The rows of a page known to lie in (cursor, last], as (seq, table, row as JSON), in seq order. json, not
# jsonb: a JSON column may hold text jsonb refuses (an escaped NUL).
_PAGE_ROWS = _union(
    "SELECT t.seq, '{name}' AS table_name, row_to_json(t) AS row FROM {name} AS t "
    "WHERE t.owner_id = :owner AND t.seq > :cursor AND t.seq <= :last",
    " ORDER BY seq",
)


def pull(conn: Connection, owner: str, cursor: int, limit: int) -> protocol.PullResponse:
    """Everything of the owner with seq > cursor, in seq order, `limit` rows at most (one snapshot: the
    caller's REPEATABLE READ transaction). Two queries whatever the number of tables: the page's seqs
    from the indexes, then its rows; no table reads more rows than the page holds."""
    seqs = conn.execute(_PAGE_SEQS, {"owner": owner, "cursor": cursor, "limit": limit + 1}).scalars().all()
    if not seqs:
        return protocol.PullResponse(records=[], ledger=[], next_cursor=cursor, more=False)
    more = len(seqs) > limit
    last = int(seqs[min(limit, len(seqs)) - 1])
    page = conn.execute(_PAGE_ROWS, {"owner": owner, "cursor": cursor, "last": last}).all()
    records: list[protocol.PulledRecord] = []
    ledger: list[protocol.PulledLedgerRow] = []
    for seq, name, row in page:
        kind, table, fields = TABLES[name]
        if kind == "record":
            values = {field: row[field] for field in fields}
            records.append(
                protocol.PulledRecord(table=name, id=row["id"], fields=values, clocks=row["clocks"], seq=seq)
            )
        else:
            values = {key: row[key] for key in _ledger_columns(table)}
            ledger.append(protocol.PulledLedgerRow(table=name, id=row["id"], row=values, seq=seq))
    return protocol.PullResponse(records=records, ledger=ledger, next_cursor=last, more=more)
