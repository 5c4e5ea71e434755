"""Signing in adopts the records made before it: the owner, owner-derived ids and the outbox follow."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from core.db.models import SYNCED_MODELS, LocalState, ModelTag, OutboxEntry, Tag
from core.ids import derived_id
from core.services import library, products, settings
from core.services.ownership import OwnerMismatch, adopt_local_records, release_records
from core.workspace import LOCAL_OWNER, Workspace


def test_local_records_become_the_accounts(workspace: Workspace) -> None:
    user = str(uuid.uuid4())
    model = library.add_model(workspace, name="Dragon", tags=["Dragons", "gifts"])
    made = products.add_product(workspace, name="Dragon", price_cents=1500)
    products.adjust_stock(workspace, made.id, 4, reason="count")
    settings.set_value(workspace, "currency", "GBP")

    adopted = adopt_local_records(workspace, user)

    assert workspace.owner_id == user
    with workspace.read() as session:
        for model_class in SYNCED_MODELS:
            table = model_class.__table__
            assert session.scalar(select(func.count()).where(table.c.owner_id == LOCAL_OWNER)) == 0
        total = sum(
            session.scalar(select(func.count()).select_from(model_class.__table__)) or 0
            for model_class in SYNCED_MODELS
        )
        assert adopted == total
        queued = {tuple(row) for row in session.execute(select(OutboxEntry.table_name, OutboxEntry.row_id))}
        assert len(queued) == total  # every row goes up on the first sync
        tag_ids = set(session.scalars(select(Tag.id)))
        assert tag_ids == {derived_id(user, "tag", "dragons"), derived_id(user, "tag", "gifts")}
        links = [tuple(row) for row in session.execute(select(ModelTag.id, ModelTag.tag_id))]
        assert {tag for _id, tag in links} == tag_ids
        assert {link for link, _tag in links} == {derived_id(model.id, "tag", tag) for tag in tag_ids}

    # Everything still reads as before, now as the account's.
    assert sorted(library.get_model(workspace, model.id).tags) == ["Dragons", "gifts"]
    assert products.get_product(workspace, made.id).on_hand == 4
    assert settings.get(workspace, "currency") == "GBP"
    library.edit_model(workspace, model.id, tags=["Dragons"])  # the tag is found, not made twice
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(Tag)) == 2


def test_signing_in_again_changes_nothing_and_another_account_is_refused(workspace: Workspace) -> None:
    user = str(uuid.uuid4())
    products.add_product(workspace, name="Dragon", price_cents=1500)
    adopt_local_records(workspace, user)
    assert adopt_local_records(workspace, user) == 0

    with pytest.raises(OwnerMismatch, match="another Printstall account"):
        adopt_local_records(workspace, str(uuid.uuid4()))
    assert workspace.owner_id == user


def test_the_owner_survives_reopening(workspace: Workspace) -> None:
    user = str(uuid.uuid4())
    adopt_local_records(workspace, user)
    again = Workspace.open(workspace.data_dir)
    try:
        assert again.owner_id == user
    finally:
        again.close()


def test_released_records_go_back_to_the_local_owner_and_can_join_another_account(
    workspace: Workspace,
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    model = library.add_model(workspace, name="Dragon", tags=["Dragons"])
    adopt_local_records(workspace, first)
    with workspace.write() as uow:
        uow.session.add(LocalState(key="sync.cursor", value="42"))

    assert release_records(workspace) > 0
    assert workspace.owner_id == LOCAL_OWNER
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        assert session.get(LocalState, "sync.cursor") is None  # the old account's place in its history
        assert set(session.scalars(select(Tag.id))) == {derived_id(LOCAL_OWNER, "tag", "dragons")}

    adopt_local_records(workspace, second)
    assert library.get_model(workspace, model.id).tags == ["Dragons"]
    with workspace.read() as session:
        assert set(session.scalars(select(Tag.id))) == {derived_id(second, "tag", "dragons")}
