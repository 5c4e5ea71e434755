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
        session = uow.session
        tag_ids = _rederive_tags(session, user_id)
        _rederive_settings(session, user_id)
        _relink_model_tags(session, tag_ids)
        adopted = 0
        for model in SYNCED_MODELS:
            table = model.__table__
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]  # an UPDATE's result
                update(table).where(table.c.owner_id == LOCAL_OWNER).values(owner_id=user_id)
            )
            adopted += result.rowcount
        _refill_outbox(session, user_id, uow.hlc)
        state = session.get(LocalState, OWNER_KEY)
        if state is None:
            session.add(LocalState(key=OWNER_KEY, value=user_id))
        else:
            state.value = user_id
    ws.owner_id = user_id
    return adopted


def _rederive(session: Session, table: Any, new_ids: dict[str, str]) -> None:
    """Give the local owner's rows of `table` their new ids (old -> new), skipping any that would clash."""
    taken = set(session.scalars(select(table.c.id).where(table.c.owner_id == LOCAL_OWNER)))
    for old, new in new_ids.items():
        if old == new or new in taken:
            continue
        session.execute(
            update(table).where(table.c.owner_id == LOCAL_OWNER, table.c.id == old).values(id=new)
        )
        taken.discard(old)
        taken.add(new)


def _rederive_tags(session: Session, user_id: str) -> dict[str, str]:
    rows = session.execute(select(Tag.id, Tag.name).where(Tag.owner_id == LOCAL_OWNER)).all()
    wanted = {row.id: derived_id(user_id, "tag", row.name.strip().casefold()) for row in rows}
    _rederive(session, Tag.__table__, wanted)
    moved = set(session.scalars(select(Tag.id).where(Tag.owner_id == LOCAL_OWNER)))
    return {old: new for old, new in wanted.items() if new in moved and old not in moved}


def _rederive_settings(session: Session, user_id: str) -> None:
    rows = session.execute(
        select(UserSetting.id, UserSetting.key).where(UserSetting.owner_id == LOCAL_OWNER)
    ).all()
    _rederive(
        session, UserSetting.__table__, {row.id: derived_id(user_id, "setting", row.key) for row in rows}
    )


def _relink_model_tags(session: Session, tag_ids: dict[str, str]) -> None:
    if not tag_ids:
        return
    links = session.execute(
        select(ModelTag.id, ModelTag.model_id, ModelTag.tag_id).where(
            ModelTag.owner_id == LOCAL_OWNER, ModelTag.tag_id.in_(tag_ids)
        )
    ).all()
    for link in links:
        new_tag = tag_ids[link.tag_id]
        session.execute(
            update(ModelTag.__table__)
            .where(ModelTag.owner_id == LOCAL_OWNER, ModelTag.id == link.id)
            .values(tag_id=new_tag)
        )
    _rederive(
        session,
        ModelTag.__table__,
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
