"""Whose records these are: the local owner before anyone signs in, the account after.

Records made before the first sign-in belong to `LOCAL_OWNER`. Signing in on a data folder that holds them
*adopts* them for the account, in one transaction:

- every synced row's `owner_id` becomes the account's id;
- ids derived from the owner are derived again for the account (a tag's id is derived from the owner and its
  name, a setting's from the owner and its key), and the rows that name them follow (a model's tag link is
  derived from the model and the tag), so a tag "dragons" made offline on two computers is one tag once both
  have signed in;
- the outbox is filled anew with every row, so the first sync pushes all of them.

A data folder that already belongs to one account is never handed to another (`OwnerMismatch`): signing in to
a second account on the same computer needs a data folder of its own, so two accounts' records never mix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.orm import Session

from core.db.models import SYNCED_MODELS, LocalState, ModelTag, OutboxEntry, Tag, UserSetting
from core.errors import PrintstallError
from core.ids import derived_id, is_uuid
from core.timeutil import now_text
from core.workspace import LOCAL_OWNER, OWNER_KEY, Workspace


class OwnerMismatch(PrintstallError):
    """The data folder belongs to another account."""


def adopt_local_records(ws: Workspace, user_id: str) -> int:
    """Make this data folder the account `user_id`'s (see the module docstring); the number of rows adopted.

    Signing in again to the same account changes nothing and answers 0.
    """
    if not is_uuid(user_id) or user_id == LOCAL_OWNER:
        raise ValueError(f"not an account id: {user_id!r}")
    if ws.owner_id == user_id:
        return 0
    if ws.owner_id != LOCAL_OWNER:
        raise OwnerMismatch(
            "This data folder belongs to another Printstall account. Sign out of that account, or open a "
            "new data folder for this one, so the two accounts' records stay apart."
        )
    with ws.write() as uow:
        adopted = move_records(uow.session, LOCAL_OWNER, user_id)
        _refill_outbox(uow.session, user_id, uow.hlc)
        _set_owner(uow.session, user_id)
    ws.owner_id = user_id
    return adopted


def release_records(ws: Workspace) -> int:
    """Give the account's records in this data folder back to the local owner (after the account was
    deleted, or to sign in to another account with the same records): the reverse of adoption. The outbox
    and this install's sync state (`local_state` keys starting "sync.") are cleared: nothing is pushed
    anywhere until someone signs in again, which adopts everything afresh."""
    owner = ws.owner_id
    if owner == LOCAL_OWNER:
        return 0
    with ws.write() as uow:
        released = move_records(uow.session, owner, LOCAL_OWNER)
        uow.session.execute(delete(OutboxEntry))
        uow.session.execute(delete(LocalState).where(LocalState.key.startswith("sync.")))
        _set_owner(uow.session, LOCAL_OWNER)
    ws.owner_id = LOCAL_OWNER
    return released


def _set_owner(session: Session, owner_id: str) -> None:
    state = session.get(LocalState, OWNER_KEY)
    if state is None:
        session.add(LocalState(key=OWNER_KEY, value=owner_id))
    else:
        state.value = owner_id


def move_records(session: Session, old_owner: str, new_owner: str) -> int:
    """Every synced row of `old_owner` becomes `new_owner`'s, owner-derived ids derived again."""
    tag_ids = _rederive_tags(session, old_owner, new_owner)
    _rederive_settings(session, old_owner, new_owner)
    _relink_model_tags(session, old_owner, tag_ids)
    moved = 0
    for model in SYNCED_MODELS:
        table = model.__table__
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]  # an UPDATE's result
            update(table).where(table.c.owner_id == old_owner).values(owner_id=new_owner)
        )
        moved += result.rowcount
    return moved


def _rederive(session: Session, table: Any, owner: str, new_ids: dict[str, str]) -> None:
    """Give `owner`'s rows of `table` their new ids (old -> new), skipping any that would clash."""
    taken = set(session.scalars(select(table.c.id).where(table.c.owner_id == owner)))
    for old, new in new_ids.items():
        if old == new or new in taken:
            continue
        session.execute(update(table).where(table.c.owner_id == owner, table.c.id == old).values(id=new))
        taken.discard(old)
        taken.add(new)


def _rederive_tags(session: Session, old_owner: str, new_owner: str) -> dict[str, str]:
    rows = session.execute(select(Tag.id, Tag.name).where(Tag.owner_id == old_owner)).all()
    wanted = {row.id: derived_id(new_owner, "tag", row.name.strip().casefold()) for row in rows}
    _rederive(session, Tag.__table__, old_owner, wanted)
    moved = set(session.scalars(select(Tag.id).where(Tag.owner_id == old_owner)))
    return {old: new for old, new in wanted.items() if new in moved and old not in moved}


def _rederive_settings(session: Session, old_owner: str, new_owner: str) -> None:
    rows = session.execute(
        select(UserSetting.id, UserSetting.key).where(UserSetting.owner_id == old_owner)
    ).all()
    wanted = {row.id: derived_id(new_owner, "setting", row.key) for row in rows}
    _rederive(session, UserSetting.__table__, old_owner, wanted)


def _relink_model_tags(session: Session, owner: str, tag_ids: dict[str, str]) -> None:
    if not tag_ids:
        return
    links = session.execute(
        select(ModelTag.id, ModelTag.model_id, ModelTag.tag_id).where(
            ModelTag.owner_id == owner, ModelTag.tag_id.in_(tag_ids)
        )
    ).all()
    for link in links:
        session.execute(
            update(ModelTag.__table__)
            .where(ModelTag.owner_id == owner, ModelTag.id == link.id)
            .values(tag_id=tag_ids[link.tag_id])
        )
    _rederive(
        session,
        ModelTag.__table__,
        owner,
        {link.id: derived_id(link.model_id, "tag", tag_ids[link.tag_id]) for link in links},
    )


def _refill_outbox(session: Session, user_id: str, clock: str) -> None:
    session.execute(delete(OutboxEntry))
    now = now_text()
    for model in SYNCED_MODELS:
        table = model.__table__
        ids = session.scalars(select(table.c.id).where(table.c.owner_id == user_id)).all()
        if ids:
            session.execute(
                insert(OutboxEntry),
                [
                    {
                        "table_name": table.name,
                        "row_id": row_id,
                        "kind": model.sync_kind,
                        "hlc": clock,
                        "created_at": now,
                    }
                    for row_id in ids
                ],
            )
