"""Create, edit, delete and restore for any record type, driven by a per-entity spec of field checks.

Entity modules declare an `EntitySpec` and wrap these with their own typed functions; the spec is the one
place that says which fields a user may set and how each is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select

from core.changes import UnitOfWork, entity_label, fetch
from core.db.base import Record
from core.errors import NotFound, ValidationError
from core.workspace import Workspace

R = TypeVar("R", bound=Record)
Check = Callable[[Any], Any]


@dataclass(frozen=True)
class EntitySpec(Generic[R]):
    model: type[R]
    fields: Mapping[str, Check]  # user-settable field -> check returning the clean value
    required: tuple[str, ...] = ()
    describe: Callable[[R], str] = lambda row: getattr(row, "name", row.id)

    @property
    def label(self) -> str:
        return entity_label(self.model)

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(self.fields)
        if unknown:
            raise ValidationError(f"A {self.label} has no field {', '.join(sorted(unknown))}.")
        return {name: self.fields[name](value) for name, value in values.items()}


def create_in(uow: UnitOfWork, spec: EntitySpec[R], values: Mapping[str, Any], *, id: str | None = None) -> R:
    missing = [name for name in spec.required if values.get(name) in (None, "")]
    if missing:
        raise ValidationError(f"A {spec.label} needs a {missing[0].replace('_', ' ')}.")
    row = uow.create(spec.model, id=id, **spec.clean(values))
    uow.audit(f"{spec.model.__tablename__}.create", f"Added {spec.label} {spec.describe(row)}", row)
    return row


def create(ws: Workspace, spec: EntitySpec[R], values: Mapping[str, Any]) -> R:
    with ws.write() as uow:
        return create_in(uow, spec, values)


def edit_in(uow: UnitOfWork, spec: EntitySpec[R], ident: str, changes: Mapping[str, Any]) -> R:
    clean = spec.clean(changes)
    for name in spec.required:
        if name in clean and clean[name] in (None, ""):
            raise ValidationError(f"A {spec.label} needs a {name.replace('_', ' ')}.")
    row = uow.get(spec.model, ident)
    changed = uow.update(row, **clean)
    if changed:
        names = ", ".join(n.replace("_", " ") for n in changed if n != "updated_at")
        uow.audit(f"{spec.model.__tablename__}.edit", f"Changed {names} of {spec.describe(row)}", row)
    return row


def edit(ws: Workspace, spec: EntitySpec[R], ident: str, changes: Mapping[str, Any]) -> R:
    with ws.write() as uow:
        return edit_in(uow, spec, ident, changes)


def delete_in(uow: UnitOfWork, spec: EntitySpec[R], ident: str) -> R:
    row = uow.get(spec.model, ident)
    uow.tombstone(row)
    uow.audit(f"{spec.model.__tablename__}.delete", f"Deleted {spec.label} {spec.describe(row)}", row)
    return row


def delete(ws: Workspace, spec: EntitySpec[R], ident: str) -> R:
    """Move a record to the trash (a tombstone: it can be restored, and sync carries the deletion)."""
    with ws.write() as uow:
        return delete_in(uow, spec, ident)


def restore(ws: Workspace, spec: EntitySpec[R], ident: str) -> R:
    with ws.write() as uow:
        row = uow.get(spec.model, ident, include_deleted=True)
        if row.deleted:
            uow.undelete(row)
            uow.audit(
                f"{spec.model.__tablename__}.restore", f"Restored {spec.label} {spec.describe(row)}", row
            )
        return row


def get(ws: Workspace, spec: EntitySpec[R], ident: str) -> R:
    with ws.read() as session:
        return fetch(session, spec.model, ws.owner_id, ident)


def resolve(ws: Workspace, spec: EntitySpec[R], text: str) -> R:
    """Find a live record by its id, the end of its id (8 characters or more, as the app shows them) or,
    where it has one, its exact name (case-insensitive). An ambiguous or unknown text is a clear error."""
    text = text.strip()
    with ws.read() as session:
        row = session.get(spec.model, (ws.owner_id, text))
        if row is not None and not row.deleted:
            return row
        live_rows = session.scalars(
            select(spec.model).where(spec.model.owner_id == ws.owner_id, spec.model.deleted.is_(False))
        ).all()
    matches = [r for r in live_rows if len(text) >= 8 and r.id.endswith(text.lower())]
    if not matches and hasattr(spec.model, "name"):
        matches = [r for r in live_rows if str(getattr(r, "name", "")).casefold() == text.casefold()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValidationError(f"{text!r} matches {len(matches)} {spec.label}s; give more of the id.")
    raise NotFound(spec.label, text)


def live(ws: Workspace, spec: EntitySpec[R], order_by: Any = None) -> list[R]:
    with ws.read() as session:
        query = select(spec.model).where(spec.model.owner_id == ws.owner_id, spec.model.deleted.is_(False))
        if order_by is not None:
            query = query.order_by(order_by)
        return list(session.scalars(query))
