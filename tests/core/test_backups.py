"""Backups: a consistent snapshot with its manifest, listed and rotated; restoring one without losing the
current state, stamped as new edits so sync keeps it; no device id in a backup; a damaged backup refused; a
process killed mid-backup leaves the previous backups and the database whole."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, insert, select

from core.cli import build_cli
from core.db import migrate
from core.db.models import AuditEntry, LocalState, Model, OutboxEntry, Printer, Product, StockMovement, Tag
from core.errors import ValidationError
from core.ids import derived_id
from core.services import backups, importing, library, printers, products, transfer
from core.services.ownership import adopt_local_records
from core.store import backup_files
from core.workspace import LOCAL_OWNER, OWNER_KEY, Workspace
from tests.core.factories import make_shop
from tests.core.files import write_cube

REPO = Path(__file__).resolve().parents[2]
DAY = timedelta(days=1)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def integrity(path: Path) -> str:
    return str(query(path, "PRAGMA integrity_check")[0][0])


# ---------------------------------------------------------------- making and listing


def test_a_backup_is_a_whole_snapshot_with_its_manifest(workspace: Workspace, tmp_path: Path) -> None:
    shop = make_shop(workspace)
    importing.import_paths(workspace, [write_cube(tmp_path / "Cube.stl")])
    library.delete_model(workspace, library.add_model(workspace, name="In the trash").id)
    made = backups.create_backup(workspace, "manual")

    [listed] = backups.list_backups(workspace)
    assert listed == made
    assert made.reason == "manual" and made.path.parent == workspace.data_dir / "backups"
    assert integrity(made.path) == "ok"
    assert made.sha256 == backup_files.file_sha256(made.path) and made.size == made.path.stat().st_size
    manifest = json.loads(made.manifest_path.read_text(encoding="utf-8"))
    assert manifest["format"] == "printstall-backup" and manifest["reason"] == "manual"
    assert manifest["schema"] and set(manifest["schema"]) <= migrate.head_revisions()  # as alembic stores it
    assert manifest["rows"]["products"] == 1 and manifest["records"] == sum(manifest["rows"].values())
    # What a maker recognises it by: the trashed model is not counted.
    assert made.contents == {"models": 2, "products": 1, "spools": 1, "market_events": 0, "sales": 0}
    stored = {b["sha256"] for b in manifest["blobs"]}
    assert stored and all(workspace.blobs.has(sha) for sha in stored)
    assert query(made.path, "SELECT name FROM products") == [("Dragon keyring",)]
    assert shop.product.name == "Dragon keyring"
    # A self-contained file: no -wal or -journal beside it, and nothing half-made left.
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.manifest_path.name, made.path.name]


def test_backups_are_listed_newest_first_and_named_apart(workspace: Workspace) -> None:
    make_shop(workspace)
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first = backups.create_backup(workspace, "manual", now=moment)
    second = backups.create_backup(workspace, "manual", now=moment)  # the same second: a name of its own
    third = backups.create_backup(workspace, "daily", now=moment + DAY)
    assert [b.name for b in backups.list_backups(workspace)] == [third.name, second.name, first.name]
    assert first.name != second.name
    assert backups.find_backup(workspace, "1") == third
    assert backups.find_backup(workspace, second.name) == second


def test_rotation_keeps_seven_days_four_weeks_and_the_newest_of_each_other_kind(workspace: Workspace) -> None:
    make_shop(workspace)
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # a Thursday
    days = [start + n * DAY for n in range(40)]
    for day in days:
        backups.create_backup(workspace, "daily", now=day)
    for n in range(12):
        backups.create_backup(workspace, "manual", now=start + n * timedelta(minutes=5))
    for n in range(4):
        backups.create_backup(workspace, "pre-migration", now=start + n * timedelta(minutes=7))

    listed = backups.list_backups(workspace)
    daily = [b.created for b in listed if b.reason == "daily"]
    newest_seven = days[-7:][::-1]
    assert daily[:7] == newest_seven
    # Then the newest backup of each of the four weeks before them.
    weekly = daily[7:]
    assert len(weekly) == 4
    weeks = [d.isocalendar()[:2] for d in weekly]
    assert len(set(weeks)) == 4
    for d in weekly:
        same_week = [x for x in days[:-7] if x.isocalendar()[:2] == d.isocalendar()[:2]]
        assert d == max(same_week)
    assert len([b for b in listed if b.reason == "manual"]) == 10
    assert len([b for b in listed if b.reason == "pre-migration"]) == 3
    # Every listed backup has both files; no file is left of the removed ones.
    files = list((workspace.data_dir / "backups").iterdir())
    assert len(files) == 2 * len(listed)


def test_a_daily_backup_is_due_once_a_day_when_there_is_something_to_keep(workspace: Workspace) -> None:
    morning = datetime(2026, 5, 4, 8, 0).astimezone()
    assert not backups.due_daily_backup(workspace, morning)  # nothing in the folder yet
    make_shop(workspace)
    assert backups.due_daily_backup(workspace, morning)
    made = backups.backup_if_due(workspace, morning)
    assert made is not None and made.reason == "daily"
    assert not backups.due_daily_backup(workspace, morning + timedelta(hours=6))
    assert backups.backup_if_due(workspace, morning + timedelta(hours=6)) is None
    assert backups.due_daily_backup(workspace, morning + DAY)


def test_the_backup_before_an_upgrade_is_one_of_them(tmp_path: Path) -> None:
    with Workspace.open(tmp_path) as ws:
        make_shop(ws)
        migrate.downgrade(ws.engine, "0002")
    with Workspace.open(tmp_path) as ws:
        [made] = backups.list_backups(ws)
        assert made.reason == "pre-migration"
        assert made.schema == ["0002"] and made.rows["products"] == 1
        assert integrity(made.path) == "ok"


# ---------------------------------------------------------------- restoring


def test_restore_brings_the_values_back_and_keeps_the_state_before_it(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    products.adjust_stock(workspace, shop.product.id, 5)
    made = backups.create_backup(workspace, "manual")

    products.edit_product(workspace, shop.product.id, price_cents=1250, name="Big dragon")
    library.delete_model(workspace, shop.variant.model_id)
    later = printers.add_printer(workspace, name="Mini")
    products.adjust_stock(workspace, shop.product.id, 2)

    result = backups.restore_backup(workspace, made.name)

    product = products.get_product(workspace, shop.product.id)
    assert (product.name, product.price_cents) == ("Dragon keyring", 800)
    assert library.get_model(workspace, shop.variant.model_id).name == "Dragon"  # out of the trash again
    assert [p.name for p in printers.list_printers(workspace)] == ["MK4"]  # made after: in the trash
    with workspace.read() as session:
        assert session.get(Printer, (workspace.owner_id, later.id)).deleted  # type: ignore[union-attr]
        # Stock movements are history: the one made after the backup stays.
        assert session.scalar(select(func.count()).select_from(StockMovement)) == 2
        assert session.scalar(select(func.count()).where(AuditEntry.action == "backup.restore")) == 1
    assert product.on_hand == 7
    assert result.trashed == 1 and not result.signed_in and result.missing_files == []
    # The state just before the restore is a backup of its own.
    safety = result.safety_backup
    assert safety.reason == "pre-restore" and safety in backups.list_backups(workspace)
    assert query(safety.path, "SELECT name, price_cents FROM products") == [("Big dragon", 1250)]
    # Restoring that one undoes the restore.
    backups.restore_backup(workspace, safety)
    assert products.get_product(workspace, shop.product.id).name == "Big dragon"


def test_on_a_signed_in_folder_restored_values_are_new_edits(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    adopt_local_records(workspace, str(uuid.uuid4()))
    made = backups.create_backup(workspace, "manual")
    products.edit_product(workspace, shop.product.id, price_cents=1250)
    with workspace.write() as uow:  # as if a sync had pushed everything
        uow.session.execute(delete(OutboxEntry))
    with workspace.read() as session:
        edited = session.get(Product, (workspace.owner_id, shop.product.id))
        assert edited is not None
        edit_clock = edited.clocks["price_cents"]

    result = backups.restore_backup(workspace, made)

    assert result.signed_in
    with workspace.read() as session:
        product = session.get(Product, (workspace.owner_id, shop.product.id))
        assert product is not None and product.price_cents == 800
        # Every field carries one clock newer than the edit it undoes, so a sync sends it and keeps it.
        assert set(product.clocks.values()) == {product.hlc} and product.hlc > edit_clock
        assert product.hlc.endswith(workspace.device_id)
        pending = set(session.execute(select(OutboxEntry.table_name, OutboxEntry.row_id)).all())
        assert ("products", shop.product.id) in pending
        assert ("models", shop.variant.model_id) in pending
        assert session.scalar(select(func.count()).where(Product.owner_id == LOCAL_OWNER)) == 0


def test_a_backup_from_before_signing_in_is_restored_into_the_account(workspace: Workspace) -> None:
    model = library.add_model(workspace, name="Dragon", tags=["dragons"])
    made = backups.create_backup(workspace, "manual")
    user = str(uuid.uuid4())
    adopt_local_records(workspace, user)
    library.edit_model(workspace, model.id, name="Wyvern")

    backups.restore_backup(workspace, made)

    assert library.get_model(workspace, model.id).name == "Dragon"
    with workspace.read() as session:
        assert set(session.scalars(select(Model.owner_id))) == {user}
        live_tags = set(session.scalars(select(Tag.id).where(Tag.deleted.is_(False))))
        assert live_tags == {derived_id(user, "tag", "dragons")}
        assert session.get(LocalState, OWNER_KEY).value == user  # type: ignore[union-attr]


def test_files_the_backup_names_but_the_store_lost_are_reported(workspace: Workspace, tmp_path: Path) -> None:
    importing.import_paths(workspace, [write_cube(tmp_path / "Cube.stl")])
    made = backups.create_backup(workspace, "manual")
    lost = made.blobs[0]["sha256"]
    workspace.blobs.path_for(lost).unlink()
    result = backups.restore_backup(workspace, made)
    assert result.missing_files == [lost]
    assert "not in the file store" in backups.describe(result)


def test_a_damaged_backup_is_refused_and_nothing_changes(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    made = backups.create_backup(workspace, "manual")
    products.edit_product(workspace, shop.product.id, price_cents=1250)
    data = bytearray(made.path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
    made.path.write_bytes(bytes(data))
    before = backups.list_backups(workspace)

    with pytest.raises(ValidationError) as caught:
        backups.restore_backup(workspace, made.name)
    message = str(caught.value)
    assert (
        message
        == f"The backup {made.name} is damaged: its database file has changed since it was made. "
        + ("Nothing was changed.")
    )
    assert products.get_product(workspace, shop.product.id).price_cents == 1250
    assert backups.list_backups(workspace) == before  # not even a pre-restore backup

    # A snapshot damaged in a way its manifest agrees with still fails SQLite's own check.
    data[4096 : len(data) // 2] = os.urandom(len(data) // 2 - 4096)
    made.path.write_bytes(bytes(data))
    manifest = json.loads(made.manifest_path.read_text(encoding="utf-8"))
    manifest["database"]["sha256"] = backup_files.file_sha256(made.path)
    made.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"is damaged: .*Nothing was changed"):
        backups.restore_backup(workspace, made.name)
    assert products.get_product(workspace, shop.product.id).price_cents == 1250


# ---------------------------------------------------------------- the device id


def test_no_backup_carries_this_installs_device_id(tmp_path: Path) -> None:
    """Records from another computer (an export here) restored into this folder: the only place this install's
    id would be is its own state (the clock, the sync keys, the outbox), and a backup keeps none of it."""
    with Workspace.open(tmp_path / "other") as other:
        make_shop(other)
        transfer.export_json(other, tmp_path / "export.json")
    with Workspace.open(tmp_path / "here") as ws:
        transfer.restore_json(ws, tmp_path / "export.json")
        with ws.write() as uow:
            uow.session.add(LocalState(key="sync.cursor", value="42"))
            uow.session.execute(
                insert(OutboxEntry),
                [
                    {
                        "table_name": "products",
                        "row_id": "x",
                        "kind": "record",
                        "hlc": uow.hlc,
                        "created_at": "t",
                    }
                ],
            )
        assert ws.device_id in str(query(ws.db_path, "SELECT value FROM local_state WHERE key = 'hlc'"))
        made = backups.create_backup(ws, "manual")
        device = ws.device_id
    content = made.path.read_bytes() + made.manifest_path.read_bytes()
    assert device.encode() not in content
    assert query(made.path, "SELECT key FROM local_state") == [("owner_id",)]
    assert query(made.path, "SELECT count(*) FROM outbox") == [(0,)]


def test_a_restored_backup_does_not_bring_a_device_id_along(workspace: Workspace, tmp_path: Path) -> None:
    """The backup of one install restored on another: new edits there carry that install's own id."""
    make_shop(workspace)
    made = backups.create_backup(workspace, "manual")
    with Workspace.open(tmp_path / "second-pc") as second:
        assert second.device_id != workspace.device_id
        copied = second.data_dir / "backups"
        copied.mkdir()
        for path in (made.path, made.manifest_path):
            (copied / path.name).write_bytes(path.read_bytes())
        backups.restore_backup(second, made.name)
        with second.read() as session:
            clock = session.get(LocalState, "hlc")
            assert clock is not None and clock.value.endswith(second.device_id)
            assert {p.hlc for p in session.scalars(select(Product))} == {clock.value}


# ---------------------------------------------------------------- killed mid-backup

BACKUP_IN_A_CHILD = """
import sys
from pathlib import Path
from core.services.backups import create_backup
from core.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
create_backup(ws, "manual")
"""


def fill(ws: Workspace, count: int) -> None:
    now = "2026-01-01T00:00:00.000000Z"
    with ws.write() as uow:
        clock = uow.hlc
        rows = [
            {
                "owner_id": ws.owner_id,
                "id": str(uuid.uuid4()),
                "name": f"Model {n}",
                "description": f"{n} " + "a long description of a model " * 40,
                "created_at": now,
                "updated_at": now,
                "deleted": False,
                "hlc": clock,
                "clocks": {"name": clock},
            }
            for n in range(count)
        ]
        uow.session.execute(insert(Model), rows)


def test_a_backup_killed_midway_leaves_the_previous_backup_and_the_database_whole(tmp_path: Path) -> None:
    rows = 10_000
    with Workspace.open(tmp_path) as ws:
        fill(ws, 100)
        previous = backups.create_backup(ws, "manual")
        fill(ws, rows - 100)
    folder = tmp_path / "backups"

    killed = False
    for _attempt in range(3):
        child = subprocess.Popen([sys.executable, "-c", BACKUP_IN_A_CHILD, str(tmp_path)], cwd=REPO)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if any(backup_files.PARTIAL in p.name for p in folder.iterdir()):
                os.kill(child.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                killed = True
                break
            time.sleep(0.001)
        child.wait(timeout=60)
        if killed:
            break
        # The child finished before it was caught: drop its backup and try again.
        with Workspace.open(tmp_path) as ws:
            for made in backups.list_backups(ws):
                if made.name != previous.name:
                    made.manifest_path.unlink()
                    made.path.unlink()
    assert killed, "the backup finished before it could be killed"

    with Workspace.open(tmp_path) as ws:
        assert backups.list_backups(ws) == [previous]  # no half backup is listed
        assert integrity(previous.path) == "ok"
        assert query(previous.path, "SELECT count(*) FROM models") == [(100,)]
        assert integrity(ws.db_path) == "ok"
        with ws.read() as session:
            assert session.scalar(select(func.count()).select_from(Model)) == rows
        # The next backup works beside the leftovers, and rotation clears them once they are stale.
        made = backups.create_backup(ws, "manual")
        assert integrity(made.path) == "ok"
        backup_files.rotate(folder, datetime.now(UTC) + timedelta(hours=2))
        assert not [p for p in folder.iterdir() if backup_files.PARTIAL in p.name]
        assert {b.name for b in backups.list_backups(ws)} == {previous.name, made.name}


# ---------------------------------------------------------------- the command line


def run(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_cli(), ["--data-dir", str(data), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_backup_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "printer", "add", "MK4")[0] == 0
    code, out, _ = run(data, "backup", "create")
    assert (
        code == 0 and out.startswith("Backed up ") and " rows (" in out
    )  # a printer: none of the counted kinds
    assert run(data, "printer", "add", "Mini")[0] == 0
    code, out, _ = run(data, "backup", "list")
    assert code == 0 and len(out.splitlines()) == 1 and "manual" in out
    listed = json.loads(run(data, "backup", "list", "--json")[1])
    assert [b["reason"] for b in listed] == ["manual"]

    code, out, _ = run(data, "backup", "restore", "1")  # asks first; no answer is no
    assert code == 1 and "The current state is backed up first" in out
    code, out, _ = run(data, "backup", "restore", "1", "--yes")
    assert code == 0 and "Restored " in out and "pre-restore" in out
    with Workspace.open(data) as ws:
        assert [p.name for p in printers.list_printers(ws)] == ["MK4"]
        assert [b.reason for b in backups.list_backups(ws)] == ["pre-restore", "manual"]

    code, _out, err = run(data, "backup", "restore", "7", "--yes")
    assert code == 1 and err.startswith("Error: No backup with id '7'")
    manifest = next((data / "backups").glob("*_manual.json"))
    snapshot = manifest.with_suffix(".sqlite3")
    snapshot.write_bytes(snapshot.read_bytes()[:4096])
    code, _out, err = run(data, "backup", "restore", manifest.stem, "--yes")
    assert code == 1 and len(err.splitlines()) == 1 and "is damaged" in err and "Nothing was changed" in err
