"""The app's sync engine (SYNC.md): push the outbox, pull the service's changes, merge them in.

**Push.** The outbox (core/changes.py) holds one entry per changed row per local transaction. A batch is the
oldest entries' distinct rows, each sent as it is *now* (every field with its clock, or the whole ledger row),
at most `max_rows` rows and `max_bytes` bytes. Before the batch goes out, its id and the outbox entries it
covers are stored (`local_state` "sync.push.inflight") in their own transaction; so after a crash, a cut
connection or a closed laptop the same batch id goes out again, and the service answers a batch it applied
already with its stored answer instead of applying it twice. Only when the answer is in are the covered
entries deleted. An edit made while a batch is out gets an entry of its own, so it goes in a later batch.

**Rejected rows.** A row the service refuses (SYNC.md: unknown table, invalid value, another owner's id) is
listed in `local_state` "sync.rejected" for the sync panel and not sent again until it changes. A row refused
for clock skew keeps its entry: it goes through once the computer's clock is right and the time has caught up.

**Pull.** Pages after the stored cursor, each applied in one transaction that also stores the page's
`next_cursor`: a page is applied whole or not at all, and the cursor never passes a row that is not in. A
record is merged into the local row with core's merge (per field, larger clock wins), so local edits not yet
pushed keep their newer clocks and go out later; a ledger row is inserted once. Nothing a pull writes enters
the outbox. The local clock is moved past the largest record clock seen (SYNC.md: on receiving clocks).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import hlc as hlc_mod
from core.changes import UnitOfWork
from core.db.base import Ledger, Record, record_fields
from core.db.models import MODEL_BY_TABLE, FileBlob, LocalState, OutboxEntry
from core.merge import Versioned, merge
from core.timeutil import now_ms
from core.workspace import LOCAL_OWNER, Workspace
from sync import protocol
from sync.client.files import (
    DEFAULT_CACHE_LIMIT_BYTES,
    FileTransport,
    fetch_thumbnails,
    referencing_rows,
    trim_cache,
    upload,
)
from sync.client.transport import TryLater

TRIM_EVERY_S = 3600.0
CURSOR_KEY = "sync.cursor"
INFLIGHT_KEY = "sync.push.inflight"
REJECTED_KEY = "sync.rejected"
_NOT_COLUMNS = ("owner_id", "id")


class Transport(Protocol):
    """What the engine needs of the service (sync.client.transport.HttpTransport in the app)."""

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse: ...

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse: ...


@dataclass
class SyncReport:
    """What one `sync()` did: rows pushed and pulled, and rows the service refused this time."""

    pushed: int = 0
    pulled: int = 0
    rejected: list[protocol.Rejected] = field(default_factory=list)
    thumbnails: int = 0  # thumbnails downloaded after the pull
    cache_freed: int = 0  # bytes of files the service holds, deleted here to stay under the cache limit


@dataclass(frozen=True)
class _Batch:
    batch_id: str
    entry_seqs: tuple[int, ...]


# ---------------------------------------------------------------- local state


def _state(session: Session, key: str) -> str | None:
    row = session.get(LocalState, key)
    return row.value if row is not None else None


def _set_state(session: Session, key: str, value: str | None) -> None:
    row = session.get(LocalState, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(LocalState(key=key, value=value))
    else:
        row.value = value


def cursor_of(workspace: Workspace) -> int:
    """The last seq this install has pulled and applied."""
    with workspace.read() as session:
        return int(_state(session, CURSOR_KEY) or 0)


def rejected_rows(workspace: Workspace) -> list[protocol.Rejected]:
    """The rows the service refused, for the sync panel (newest reason per row)."""
    with workspace.read() as session:
        stored = json.loads(_state(session, REJECTED_KEY) or "[]")
    return [protocol.Rejected.model_validate(item) for item in stored]


def requeue_rejected(workspace: Workspace) -> int:
    """Send the refused rows again at the next sync (after the user freed space or fixed the clock);
    how many. They leave the list when they go through."""
    rejected = rejected_rows(workspace)
    with workspace.write() as uow:
        for item in rejected:
            model = MODEL_BY_TABLE.get(item.table)
            if model is not None and uow.session.get(model, (workspace.owner_id, item.id)) is not None:
                uow.session.add(
                    OutboxEntry(
                        table_name=item.table,
                        row_id=item.id,
                        kind=model.sync_kind,
                        hlc=uow.hlc,
                        created_at=uow.now,
                    )
                )
    return len(rejected)


def pending_count(workspace: Workspace) -> int:
    """How many distinct rows wait to be pushed."""
    with workspace.read() as session:
        return len(set(session.execute(select(OutboxEntry.table_name, OutboxEntry.row_id)).all()))


# ---------------------------------------------------------------- rows on the wire


def record_change(row: Record) -> protocol.RecordChange:
    """A record as it is now: every field that has a clock, with that clock."""
    clocks: dict[str, str] = {name: clock for name, clock in (row.clocks or {}).items() if clock}
    names = [name for name in record_fields(row.__table__) if name in clocks]
    return protocol.RecordChange(
        table=row.__tablename__,
        id=row.id,
        fields={name: getattr(row, name) for name in names},
        clocks={name: clocks[name] for name in names},
    )


def ledger_row(row: Ledger) -> protocol.LedgerRow:
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in _NOT_COLUMNS}
    return protocol.LedgerRow(table=row.__tablename__, id=row.id, row=values)


class SyncEngine:
    """Push and pull for one workspace whose owner is the signed-in user."""

    def __init__(
        self,
        workspace: Workspace,
        transport: Transport,
        *,
        max_rows: int = protocol.MAX_ROWS,
        max_bytes: int = protocol.MAX_BYTES,
        page_size: int = protocol.DEFAULT_PULL_LIMIT,
        files: FileTransport | None = None,
        cache_limit_bytes: int = DEFAULT_CACHE_LIMIT_BYTES,
    ) -> None:
        if workspace.owner_id == LOCAL_OWNER:
            raise ValueError("sync needs a signed-in owner; adopt the local records first")
        self.workspace = workspace
        self.transport = transport
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.page_size = page_size
        # Where files go up and come down (the same HttpTransport in the app); None: records only.
        self.files = files
        self.cache_limit_bytes = cache_limit_bytes
        self.trim_every_s = TRIM_EVERY_S
        self._next_trim = 0.0  # the first sync of a run trims the file cache

    def sync(self) -> SyncReport:
        """Everything waiting goes up, then everything new comes down."""
        report = SyncReport()
        self.push_all(report)
        self.pull_all(report)
        if self.files is not None:
            if report.pulled:
                report.thumbnails = fetch_thumbnails(self.workspace, self.files)
            if time.monotonic() >= self._next_trim:  # a walk over every file: not on every sync
                report.cache_freed = trim_cache(self.workspace, self.cache_limit_bytes)
                self._next_trim = time.monotonic() + self.trim_every_s
        return report

    # ---------------------------------------------------------------- push

    def push_all(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        while True:
            batch = self._next_batch()
            if batch is None:
                return report
            self._push(batch, report)

    def _next_batch(self) -> _Batch | None:
        """The batch that is out already, else a new one (stored before it is sent); None if nothing waits."""
        with self.workspace.write() as uow:
            session = uow.session
            stored = _state(session, INFLIGHT_KEY)
            if stored is not None:
                data = json.loads(stored)
                return _Batch(data["batch_id"], tuple(data["entry_seqs"]))
            seqs = self._choose_entries(session)
            if not seqs:
                return None
            batch = _Batch(str(uuid.uuid4()), tuple(seqs))
            _set_state(
                session, INFLIGHT_KEY, json.dumps({"batch_id": batch.batch_id, "entry_seqs": list(seqs)})
            )
            return batch

    def _choose_entries(self, session: Session) -> list[int]:
        """The oldest outbox entries covering at most `max_rows` rows and, sent, at most `max_bytes`."""
        chosen: dict[tuple[str, str], list[int]] = {}
        for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)):
            key = (entry.table_name, entry.row_id)
            if key not in chosen and len(chosen) >= self.max_rows:
                break
            chosen.setdefault(key, []).append(entry.seq)
        keys = list(chosen)
        while len(keys) > 1 and len(self._request(session, keys, "size").model_dump_json()) > self.max_bytes:
            keys = keys[: len(keys) // 2]
        return sorted(seq for key in keys for seq in chosen[key])

    def _request(
        self, session: Session, keys: Iterable[tuple[str, str]], batch_id: str
    ) -> protocol.PushRequest:
        records: list[protocol.RecordChange] = []
        ledger: list[protocol.LedgerRow] = []
        owner = self.workspace.owner_id
        for table, row_id in keys:
            model = MODEL_BY_TABLE.get(table)
            row = session.get(model, (owner, row_id)) if model is not None else None
            if isinstance(row, Record):
                change = record_change(row)
                if change.fields:
                    records.append(change)
            elif isinstance(row, Ledger):
                ledger.append(ledger_row(row))
        return protocol.PushRequest(
            device_id=self.workspace.device_id, batch_id=batch_id, records=records, ledger=ledger
        )

    def _push(self, batch: _Batch, report: SyncReport) -> None:
        with self.workspace.read() as session:
            entries = session.scalars(select(OutboxEntry).where(OutboxEntry.seq.in_(batch.entry_seqs))).all()
            keys = list(dict.fromkeys((entry.table_name, entry.row_id) for entry in entries))
            blob_ids = [row_id for table, row_id in keys if table == FileBlob.__tablename__]
            blobs = [
                blob
                for blob_id in blob_ids
                if (blob := session.get(FileBlob, (self.workspace.owner_id, blob_id))) is not None
            ]
            session.expunge_all()
        held: list[protocol.Rejected] = []
        if self.files is not None and blobs:
            # Files first (SYNC.md): a record goes up only once the files it names are confirmed.
            refused = upload(self.workspace, self.files, blobs)
            if refused:
                reasons = {item.blob_id: item.reason for item in refused}
                waiting = referencing_rows(self.workspace, set(reasons))
                held = [
                    protocol.Rejected(table=FileBlob.__tablename__, id=blob_id, reason=reason)
                    for blob_id, reason in reasons.items()
                ] + [
                    protocol.Rejected(
                        table=table,
                        id=row_id,
                        reason=f"{protocol.INVALID_VALUE}: its file could not be uploaded.",
                    )
                    for table, row_id in sorted(waiting)
                ]
                dropped = {(item.table, item.id) for item in held}
                keys = [key for key in keys if key not in dropped]
        with self.workspace.read() as session:
            request = self._request(session, keys, batch.batch_id)
        answer = self.transport.push(request)  # raises on failure; the batch stays stored for the next try
        if held:
            answer = answer.model_copy(update={"rejected": [*answer.rejected, *held]})
        skewed = {
            (item.table, item.id) for item in answer.rejected if item.reason.startswith(protocol.CLOCK_SKEW)
        }
        with self.workspace.write() as uow:
            session = uow.session
            done = [
                entry.seq
                for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.seq.in_(batch.entry_seqs)))
                if (entry.table_name, entry.row_id) not in skewed
            ]
            session.execute(delete(OutboxEntry).where(OutboxEntry.seq.in_(done)))
            self._note_rejected(session, answer.rejected, sent=keys)
            _set_state(session, INFLIGHT_KEY, None)
        report.pushed += len(request.records) + len(request.ledger) - len(answer.rejected)
        report.rejected.extend(answer.rejected)
        if skewed and len(skewed) == len(keys):
            # Nothing else in the batch went through: stop here rather than send it again at once.
            raise TryLater(answer.rejected[0].reason.split(": ", 1)[-1])

    @staticmethod
    def _note_rejected(
        session: Session, rejected: Sequence[protocol.Rejected], *, sent: Sequence[tuple[str, str]]
    ) -> None:
        """Rows of this batch that went through leave the list; rows refused now are (re)named in it."""
        stored = {
            (item["table"], item["id"]): item for item in json.loads(_state(session, REJECTED_KEY) or "[]")
        }
        for key in sent:
            stored.pop(key, None)
        for item in rejected:
            stored[(item.table, item.id)] = item.model_dump()
        _set_state(session, REJECTED_KEY, json.dumps(list(stored.values())) if stored else None)

    # ---------------------------------------------------------------- pull

    def pull_all(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        while True:
            cursor = cursor_of(self.workspace)
            page = self.transport.pull(cursor, self.page_size)
            with self.workspace.write() as uow:
                if int(_state(uow.session, CURSOR_KEY) or 0) != cursor:
                    continue  # another sync of this install applied the page meanwhile
                report.pulled += self._apply_page(uow, page)
                _set_state(uow.session, CURSOR_KEY, str(page.next_cursor))
            if not page.more:
                return report

    def _apply_page(self, uow: UnitOfWork, page: protocol.PullResponse) -> int:
        session, owner = uow.session, self.workspace.owner_id
        newest = ""
        applied = 0
        for change in page.records:
            model = MODEL_BY_TABLE.get(change.table)
            if model is None or not issubclass(model, Record):
                continue  # a table this version does not have (the service checks schema versions first)
            _merge_record(session, model, owner, change)
            applied += 1
            newest = max(newest, max(change.clocks.values(), default=""))
        for entry in page.ledger:
            model = MODEL_BY_TABLE.get(entry.table)
            if model is None or not issubclass(model, Ledger):
                continue
            if session.get(model, (owner, entry.id)) is None:
                columns = {c.key for c in model.__table__.columns}
                values = {key: value for key, value in entry.row.items() if key in columns}
                session.add(model(**{**values, "owner_id": owner, "id": entry.id}))
            applied += 1
        if newest and hlc_mod.HLC.decode(newest).wall_ms - now_ms() <= hlc_mod.MAX_SKEW_MS:
            uow.advance_clock(newest)
        return applied


def _merge_record(session: Session, model: type[Record], owner: str, change: protocol.RecordChange) -> None:
    names = record_fields(model.__table__)
    fields = {name: value for name, value in change.fields.items() if name in names}
    clocks = {name: clock for name, clock in change.clocks.items() if name in fields}
    local = session.get(model, (owner, change.id))
    if local is None:
        values: dict[str, Any] = {}
        for column in model.__table__.columns:
            if column.key in fields:
                values[column.key] = fields[column.key]
            elif column.key not in ("owner_id", "id", "hlc", "clocks") and column.default is not None:
                arg = column.default.arg
                values[column.key] = arg(None) if callable(arg) else arg
        session.add(
            model(**values, owner_id=owner, id=change.id, clocks=clocks, hlc=max(clocks.values(), default=""))
        )
        return
    mine = Versioned({name: getattr(local, name) for name in names}, dict(local.clocks or {}))
    merged = merge(mine, Versioned(fields, clocks))
    for name, value in merged.fields.items():
        if getattr(local, name) != value:
            setattr(local, name, value)
    kept = {name: clock for name, clock in merged.clocks.items() if clock}
    if kept != (local.clocks or {}):
        local.clocks = kept
        local.hlc = max(kept.values(), default=local.hlc)
