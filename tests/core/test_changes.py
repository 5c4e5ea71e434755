"""The unit of work (clocks, field clocks, outbox) and opening a data folder (device id, backups, bad
files)."""

from __future__ import annotations

import shutil
import sqlite3
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core import changes
from core.config import config_dir
from core.db import migrate
from core.db.models import AuditEntry, LocalState, Model, OutboxEntry, Product, StockMovement
from core.errors import StoreError
from core.hlc import HLC
from core.workspace import DB_NAME, Workspace


def outbox(ws: Workspace) -> list[tuple[str, str, str, str]]:
    with ws.read() as session:
        rows = session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))
        return [(o.table_name, o.row_id, o.kind, o.hlc) for o in rows]


def count(ws: Workspace, cls: type[Any]) -> int:
    with ws.read() as session:
        return session.scalar(select(func.count()).select_from(cls)) or 0


def stored_hlc(ws: Workspace) -> str | None:
    with ws.read() as session:
        state = session.get(LocalState, "hlc")
        return state.value if state else None


# ---------------------------------------------------------------- clocks


def test_one_clock_per_transaction(workspace: Workspace) -> None:
    with workspace.write() as uow:
        model = uow.create(Model, name="Benchy", description="a boat")
        product = uow.create(Product, name="Benchy keyring", price_cents=450)
        movement = uow.append(StockMovement, product_id=product.id, quantity=3, reason="printed")
        entry = uow.audit("create", "Made a keyring", product)
        clock = uow.hlc

    with workspace.read() as session:
        rows = [
            session.get(Model, (workspace.owner_id, model.id)),
            session.get(Product, (workspace.owner_id, product.id)),
            session.get(StockMovement, (workspace.owner_id, movement.id)),
            session.get(AuditEntry, (workspace.owner_id, entry.id)),
        ]
    assert all(row is not None and row.hlc == clock for row in rows)
    for record in rows[:2]:
        assert isinstance(record, Model | Product)
        assert set(record.clocks.values()) == {clock}
        assert {"name", "deleted", "updated_at"} <= set(record.clocks)
    assert {hlc for *_, hlc in outbox(workspace)} == {clock}
    assert HLC.decode(clock).device_id == workspace.device_id
    assert stored_hlc(workspace) == clock


def test_each_transaction_gets_a_later_clock(workspace: Workspace) -> None:
    seen = []
    for n in range(20):
        with workspace.write() as uow:
            uow.create(Model, name=f"model {n}")
            seen.append(uow.hlc)
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)
    decoded = [HLC.decode(s) for s in seen]
    assert all(a < b for a, b in pairwise(decoded))


def test_clocks_keep_increasing_when_the_computer_clock_is_set_back(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workspace.write() as uow:
        uow.create(Model, name="before")
        first = uow.hlc
    set_back = HLC.decode(first).wall_ms - 3_600_000
    monkeypatch.setattr(changes, "now_ms", lambda: set_back)
    seen = [first]
    for n in range(3):
        with workspace.write() as uow:
            uow.create(Model, name=f"after {n}")
            seen.append(uow.hlc)
    assert all(a < b for a, b in pairwise(seen))
    assert all(HLC.decode(s).wall_ms == HLC.decode(first).wall_ms for s in seen)


def test_the_clock_survives_reopening(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws, ws.write() as uow:
        uow.create(Model, name="before")
        first = uow.hlc
    with Workspace.open(tmp_path) as ws, ws.write() as uow:
        uow.create(Model, name="after")
        assert uow.hlc > first


# ---------------------------------------------------------------- field clocks


def test_update_stamps_only_changed_fields(workspace: Workspace) -> None:
    with workspace.write() as uow:
        model = uow.create(Model, name="Vase", description="spiral", category="home")
        created = uow.hlc
    with workspace.write() as uow:
        row = uow.get(Model, model.id)
        changed = uow.update(row, name="Spiral vase", description="spiral", category="home")
        edited = uow.hlc
    assert set(changed) == {"name", "updated_at"}
    assert edited > created

    with workspace.read() as session:
        stored = session.get(Model, (workspace.owner_id, model.id))
    assert stored is not None
    assert stored.name == "Spiral vase"
    assert stored.hlc == edited
    assert stored.clocks["name"] == edited
    assert stored.clocks["updated_at"] == edited
    untouched = set(stored.clocks) - {"name", "updated_at"}
    assert untouched and all(stored.clocks[name] == created for name in untouched)


def test_an_update_that_changes_nothing_writes_nothing(workspace: Workspace) -> None:
    with workspace.write() as uow:
        model = uow.create(Model, name="Vase")
    before_outbox, before_clock = outbox(workspace), stored_hlc(workspace)
    with workspace.write() as uow:
        assert uow.update(uow.get(Model, model.id), name="Vase") == []
    assert outbox(workspace) == before_outbox
    assert stored_hlc(workspace) == before_clock


def test_tombstone_and_undelete_are_field_changes(workspace: Workspace) -> None:
    with workspace.write() as uow:
        model = uow.create(Model, name="Owl")
        created = uow.hlc
    with workspace.write() as uow:
        uow.tombstone(uow.get(Model, model.id))
        deleted_at = uow.hlc
    with workspace.write() as uow:
        row = uow.get(Model, model.id, include_deleted=True)
        assert row.deleted and row.deleted_at is not None
        uow.undelete(row)
        restored = uow.hlc
    with workspace.read() as session:
        stored = session.get(Model, (workspace.owner_id, model.id))
    assert stored is not None and not stored.deleted and stored.deleted_at is None
    assert created < deleted_at < restored
    assert stored.clocks["deleted"] == stored.clocks["deleted_at"] == restored
    assert stored.clocks["name"] == created


# ---------------------------------------------------------------- outbox


def test_outbox_gets_one_row_per_changed_row_per_transaction(workspace: Workspace) -> None:
    with workspace.write() as uow:
        a = uow.create(Model, name="A")
        b = uow.create(Model, name="B")
        uow.update(a, description="first")
        uow.update(a, description="second")
        uow.update(b, notes="n")
        sale = uow.append(StockMovement, product_id=b.id, quantity=-1, reason="sold")
        first = uow.hlc
    assert sorted(outbox(workspace)) == sorted(
        [
            ("models", a.id, "record", first),
            ("models", b.id, "record", first),
            ("stock_movements", sale.id, "ledger", first),
        ]
    )

    with workspace.write() as uow:
        uow.update(uow.get(Model, a.id), name="A2")
        uow.update(uow.get(Model, b.id), name="B")  # no change
        second = uow.hlc
    new_rows = outbox(workspace)[3:]
    assert new_rows == [("models", a.id, "record", second)]


def test_a_failed_transaction_leaves_neither_the_row_nor_its_outbox_entry(workspace: Workspace) -> None:
    with workspace.write() as uow:
        kept = uow.create(Model, name="kept")
    clock_before = stored_hlc(workspace)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), workspace.write() as uow:
        uow.create(Model, name="lost")
        uow.update(uow.get(Model, kept.id), name="renamed")
        uow.append(StockMovement, product_id=kept.id, quantity=1, reason="adjust")
        uow.session.flush()  # the rows reached the database before the failure
        raise Boom

    assert count(workspace, Model) == 1
    assert count(workspace, StockMovement) == 0
    assert outbox(workspace) == [("models", kept.id, "record", clock_before)]
    with workspace.read() as session:
        stored = session.get(Model, (workspace.owner_id, kept.id))
    assert stored is not None and stored.name == "kept"
    assert stored_hlc(workspace) == clock_before


# ---------------------------------------------------------------- device id


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_device_id_lives_in_the_config_not_in_the_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Workspace.open(data) as ws:
        device = ws.device_id
    assert device
    assert (data / DB_NAME).stat().st_size > 0
    assert device.encode() in _all_bytes(config_dir())
    # Neither the database file nor anything else in the data folder (so no copy or backup) holds it.
    assert device.encode() not in _all_bytes(data)


def test_device_id_is_stable_across_reopening(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws:
        first = ws.device_id
    with Workspace.open(tmp_path) as ws:
        assert ws.device_id == first


def test_a_copied_data_folder_is_another_device(tmp_path: Path) -> None:
    original = tmp_path / "original"
    with Workspace.open(original) as ws:
        with ws.write() as uow:
            uow.create(Model, name="shared history")
        device = ws.device_id
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    with Workspace.open(copy) as ws:
        assert ws.device_id != device
        assert count(ws, Model) == 1
        with ws.write() as uow:
            uow.create(Model, name="made on the copy")
            assert HLC.decode(uow.hlc).device_id == ws.device_id
    with Workspace.open(original) as ws:
        assert ws.device_id == device


def test_the_same_folder_on_another_computer_is_another_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the config folder is the data folder (Windows, macOS), copying it to a new computer at the same
    path brings the config file along: the computer's name keeps the devices apart."""
    monkeypatch.setattr("platform.node", lambda: "workshop-pc")
    with Workspace.open(tmp_path / "data") as ws:
        workshop = ws.device_id
    monkeypatch.setattr("platform.node", lambda: "stall-laptop")
    with Workspace.open(tmp_path / "data") as ws:
        assert ws.device_id != workshop


# ---------------------------------------------------------------- opening a data folder


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_a_new_database_is_migrated_without_a_backup(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws:
        assert not migrate.needs_upgrade(ws.engine)
    assert not (tmp_path / "backups").exists()


def test_an_older_database_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws:
        migrate.downgrade(ws.engine, "base")
        assert migrate.needs_upgrade(ws.engine)
    assert "models" not in _tables(tmp_path / DB_NAME)

    with Workspace.open(tmp_path) as ws:
        assert not migrate.needs_upgrade(ws.engine)
        with ws.write() as uow:
            uow.create(Model, name="works after the upgrade")

    backups = list((tmp_path / "backups").glob("*.sqlite3"))  # a backup with its manifest beside it
    assert len(backups) == 1 and backups[0].with_suffix(".json").is_file()
    # The copy is of the database as it was before the upgrade, and whole.
    assert "models" not in _tables(backups[0])
    assert "alembic_version" in _tables(backups[0])
    conn = sqlite3.connect(backups[0])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
    finally:
        conn.close()


def test_an_up_to_date_database_is_not_backed_up_again(tmp_path: Path) -> None:
    for _ in range(2):
        with Workspace.open(tmp_path):
            pass
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize(
    "content",
    [b"these are my notes, not a database\n", bytes(range(256)) * 16, b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["text", "binary", "bad-header"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / DB_NAME
    db.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Workspace.open(tmp_path)
    message = str(caught.value)
    assert str(db) in message
    assert "not a Printstall database" in message
    assert db.read_bytes() == content
    assert not (tmp_path / "backups").exists()


def test_a_database_from_a_newer_version_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with Workspace.open(tmp_path):
        pass
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer version of Printstall"):
        Workspace.open(tmp_path)
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()
    with pytest.raises(StoreError, match="belongs to another program"):
        Workspace.open(tmp_path)
    assert _tables(db) == {"recipes"}
    assert not (tmp_path / "backups").exists()
