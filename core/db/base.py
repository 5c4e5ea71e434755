"""The declarative base and the column sets every synced table shares.

Synced tables follow SYNC.md: primary key (owner_id, id), no database-enforced foreign or unique keys between
them, integers for money (cents), weights (milligrams) and lengths (micrometres), times as RFC 3339 text.
Mutable records carry a tombstone and per-field clocks; ledger rows are insert-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A UUID as its 36-character text form: identical on SQLite, PostgreSQL and the wire.
Id = String(36)
# An RFC 3339 UTC time with microseconds ("2026-12-01T05:02:25.123456Z").
Timestamp = String(32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigInteger(),
        str: String(),
        bool: Boolean(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Synced:
    """Columns of every synced table. `sync_kind` says how sync treats the table's rows."""

    sync_kind: ClassVar[str] = ""
    __tablename__: str
    __table__: ClassVar[Any]

    if TYPE_CHECKING:

        def __init__(self, **fields: Any) -> None: ...

    owner_id: Mapped[str] = mapped_column(Id, primary_key=True, sort_order=-2)
    id: Mapped[str] = mapped_column(Id, primary_key=True, sort_order=-1)


class Record(Synced):
    """A mutable record: merged field by field; deleted by tombstone, never removed."""

    sync_kind: ClassVar[str] = "record"

    created_at: Mapped[str] = mapped_column(Timestamp)
    updated_at: Mapped[str] = mapped_column(Timestamp)
    deleted: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[str | None] = mapped_column(Timestamp, default=None)
    hlc: Mapped[str] = mapped_column(String(64))
    clocks: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Ledger(Synced):
    """An immutable movement row: inserted once, never updated, never deleted (a correction is a new row)."""

    sync_kind: ClassVar[str] = "ledger"

    at: Mapped[str] = mapped_column(Timestamp)
    hlc: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(Id)


# Columns sync handles itself; every other column of a Record is a field with its own clock.
RECORD_META = frozenset({"owner_id", "id", "hlc", "clocks"})


def record_fields(table: Any) -> list[str]:
    return [column.key for column in table.columns if column.key not in RECORD_META]
