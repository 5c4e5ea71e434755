"""The unit of work every service writes through: one transaction, one clock value, field clocks, the
outbox and the audit trail, so no service can forget a piece of the sync bookkeeping.
"""

from __future__ import annotations

import getpass
import re
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import hlc as hlc_mod
from core.db.base import Ledger, Record, record_fields
from core.db.models import AuditEntry, LocalState, OutboxEntry
from core.errors import NotFound
from core.ids import uuid7
from core.timeutil import now_ms, now_text

R = TypeVar("R", bound=Record)
L = TypeVar("L", bound=Ledger)

HLC_KEY = "hlc"


def entity_label(cls: type[Any]) -> str:
    """'PrintJob' -> 'print job', for messages."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()


def _column_default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises a variety of errors where no user name is set
        return ""


def fetch(session: Session, cls: type[R], owner_id: str, ident: str, *, include_deleted: bool = False) -> R:
    """The live record `ident` of `cls`, or NotFound (also for a record in the trash)."""
    row = session.get(cls, (owner_id, ident))
    if row is None or (row.deleted and not include_deleted):
        raise NotFound(entity_label(cls), ident)
    return row


class UnitOfWork:
    """A write transaction. Services get one from `Workspace.write()` and never commit themselves."""

    def __init__(self, session: Session, owner_id: str, device_id: str, user: str) -> None:
        self.session = session
        self.owner_id = owner_id
        self.device_id = device_id
        self.user = user
        self._hlc: str | None = None
        self._outboxed: set[tuple[str, str]] = set()
        self.now = now_text()

    # -- clock

    @property
    def hlc(self) -> str:
        """The one clock value of this transaction, taken from the stored last value on first use."""
        if self._hlc is None:
            state = self.session.get(LocalState, HLC_KEY)
            last = hlc_mod.HLC.decode(state.value) if state else hlc_mod.ZERO
            value = hlc_mod.tick(last, now_ms(), self.device_id).encode()
            if state is None:
                self.session.add(LocalState(key=HLC_KEY, value=value))
            else:
                state.value = value
            self._hlc = value
        return self._hlc

    def advance_clock(self, seen: str) -> None:
        """Move the stored clock past a clock value this store now holds (a restore), so that every later
        local edit wins over it."""
        state = self.session.get(LocalState, HLC_KEY)
        last = hlc_mod.HLC.decode(state.value) if state else hlc_mod.ZERO
        remote = hlc_mod.HLC.decode(seen)
        newest = max(last, hlc_mod.HLC(remote.wall_ms, remote.counter, self.device_id)).encode()
        if state is None:
            self.session.add(LocalState(key=HLC_KEY, value=newest))
        else:
            state.value = newest

    # -- reads

    def get(self, cls: type[R], ident: str, *, include_deleted: bool = False) -> R:
        return fetch(self.session, cls, self.owner_id, ident, include_deleted=include_deleted)

    def find(self, cls: type[R], ident: str) -> R | None:
        return self.session.get(cls, (self.owner_id, ident))

    # -- record writes

    def create(self, cls: type[R], *, id: str | None = None, **fields: Any) -> R:
        """A new record with every field stamped. With a deterministic `id` that exists, it is updated
        (and brought back from the trash) instead."""
        if id is not None:
            existing = self.find(cls, id)
            if existing is not None:
                self.update(existing, deleted=False, deleted_at=None, **fields)
                return existing
        values: dict[str, Any] = {}
        for column in cls.__table__.columns:
            if column.key in fields:
                values[column.key] = fields.pop(column.key)
            elif column.key in ("owner_id", "id", "hlc", "clocks"):
                continue
            else:
                values[column.key] = _column_default(column)
        if fields:
            raise TypeError(f"{cls.__name__} has no fields {sorted(fields)}")
        values["created_at"] = values["updated_at"] = self.now
        values["deleted"] = False
        values["deleted_at"] = None
        clock = self.hlc
        row = cls(
            owner_id=self.owner_id,
            id=id or uuid7(),
            hlc=clock,
            clocks={name: clock for name in record_fields(cls.__table__)},
            **values,
        )
        self.session.add(row)
        self._to_outbox(row, "record")
        return row

    def update(self, row: Record, **fields: Any) -> list[str]:
        """Set fields; only the ones whose value changes get the new clock. Returns their names."""
        allowed = set(record_fields(row.__table__))
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"{type(row).__name__} has no fields {sorted(unknown)}")
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        if not changed:
            return []
        clock = self.hlc
        for name in changed:
            setattr(row, name, fields[name])
        if "updated_at" not in changed:
            row.updated_at = self.now
            changed.append("updated_at")
        row.clocks = {**row.clocks, **{name: clock for name in changed}}
        row.hlc = clock
        self._to_outbox(row, "record")
        return changed

    def tombstone(self, row: Record) -> None:
        self.update(row, deleted=True, deleted_at=self.now)

    def undelete(self, row: Record) -> None:
        self.update(row, deleted=False, deleted_at=None)

    # -- ledger writes

    def append(self, cls: type[L], **fields: Any) -> L:
        row = cls(
            owner_id=self.owner_id,
            id=fields.pop("id", None) or uuid7(),
            at=fields.pop("at", None) or self.now,
            hlc=self.hlc,
            device_id=self.device_id,
            **fields,
        )
        self.session.add(row)
        self._to_outbox(row, "ledger")
        return row

    def audit(self, action: str, summary: str, entity: Record | Ledger | None = None) -> AuditEntry:
        return self.append(
            AuditEntry,
            user=self.user,
            action=action,
            entity=type(entity).__tablename__ if entity is not None else "",
            entity_id=entity.id if entity is not None else None,
            summary=summary,
        )

    def _to_outbox(self, row: Record | Ledger, kind: str) -> None:
        key = (row.__tablename__, row.id)
        if key in self._outboxed:
            return
        self._outboxed.add(key)
        self.session.add(
            OutboxEntry(table_name=key[0], row_id=key[1], kind=kind, hlc=self.hlc, created_at=self.now)
        )


def pending_outbox(session: Session) -> list[OutboxEntry]:
    return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))
