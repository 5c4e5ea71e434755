"""Cleanup against a real PostgreSQL and S3: the tombstone purge (and what the purge role may not do), the
collection of unreferenced files, old exports, `POST /v1/trash/empty` and the daily `maintenance` command."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from core.ids import blob_id
from sync.server.accounts.memory import InMemoryRepository
from sync.server.accounts.repository import AuditEvent
from sync.server.app import create_app, main
from sync.server.cleanup import (
    collect_blobs,
    delete_old_exports,
    erase_owner_rows,
    purge_tombstones,
    purge_transaction,
    rfc3339,
    run_maintenance,
)
from sync.server.config import Settings
from sync.server.db import owner_transaction
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore
from tests.server.conftest import batch, clock, new_id, tag_change

pytestmark = pytest.mark.postgres

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=40)
LATELY = NOW - timedelta(days=5)


def insert_row(conn: Connection, table: str, owner: str, row_id: str, **values: Any) -> None:
    """A row with the given values and every other NOT NULL column filled with a value of its type."""
    row: dict[str, Any] = {"owner_id": owner, "id": row_id, **values}
    for column in inspect(conn).get_columns(table):
        name = column["name"]
        if name in row or column["nullable"]:
            continue
        kind = str(column["type"]).upper()
        row[name] = False if "BOOL" in kind else 0 if "INT" in kind else "{}" if "JSON" in kind else "x"
    for name, value in row.items():
        if isinstance(value, list | dict):
            row[name] = json.dumps(value)
    names = ", ".join(f'"{name}"' for name in row)
    params = ", ".join(f":{name}" for name in row)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), row)


def tag(conn: Connection, owner: str, *, deleted_at: datetime | None = None, updated: datetime = NOW) -> str:
    row_id = new_id()
    insert_row(
        conn,
        "tags",
        owner,
        row_id,
        name="PLA",
        deleted=deleted_at is not None,
        deleted_at=None if deleted_at is None else rfc3339(deleted_at),
        updated_at=rfc3339(updated),
    )
    return row_id


def ids(engine: Engine, owner: str, table: str) -> set[str]:
    with owner_transaction(engine, owner, read_only=True) as conn:
        return {str(row.id) for row in conn.execute(text(f"SELECT id FROM {table}"))}


def test_purge_removes_old_tombstones_and_never_ledger_rows(server_db: Engine) -> None:
    owner, other = new_id(), new_id()
    with owner_transaction(server_db, owner) as conn:
        live = tag(conn, owner)
        tag(conn, owner, deleted_at=LONG_AGO)
        recent = tag(conn, owner, deleted_at=LATELY)
        old_without_time = new_id()
        insert_row(conn, "tags", owner, old_without_time, deleted=True, updated_at=rfc3339(LONG_AGO))
        sale = new_id()
        insert_row(conn, "sales", owner, sale)
    with owner_transaction(server_db, other) as conn:
        others_old = tag(conn, other, deleted_at=LONG_AGO)

    assert purge_tombstones(server_db, owner, NOW - timedelta(days=30)) == 2
    assert ids(server_db, owner, "tags") == {live, recent}
    assert ids(server_db, owner, "sales") == {sale}
    assert ids(server_db, other, "tags") == {others_old}

    assert purge_tombstones(server_db, owner, None) == 1  # empty trash: every tombstone
    assert ids(server_db, owner, "tags") == {live}
    assert ids(server_db, owner, "sales") == {sale}
    assert ids(server_db, other, "tags") == {others_old}


def test_the_purge_role_deletes_only_the_named_owners_rows(server_db: Engine) -> None:
    owner = new_id()
    with owner_transaction(server_db, owner) as conn:
        tag(conn, owner, deleted_at=LONG_AGO)
    with purge_transaction(server_db, new_id()) as conn:
        assert conn.execute(text("DELETE FROM tags")).rowcount == 0
        assert conn.execute(text("DELETE FROM sales")).rowcount == 0
    with server_db.begin() as conn:  # names no owner at all
        conn.execute(text("SET LOCAL ROLE printstall_purge"))
        assert conn.execute(text("DELETE FROM tags")).rowcount == 0
    assert len(ids(server_db, owner, "tags")) == 1
    for statement in (
        "UPDATE tags SET name = 'x'",
        "INSERT INTO server.sync_state (owner_id, last_seq) VALUES ('x', 1)",
        "SELECT count(*) FROM auth.users",
    ):
        with (
            pytest.raises(DBAPIError, match="permission denied"),
            purge_transaction(server_db, owner) as conn,
        ):
            conn.execute(text(statement))


def test_erase_owner_rows_takes_records_ledger_and_sync_state(
    client: TestClient, server_db: Engine, headers_for: Callable[[str], dict[str, str]]
) -> None:
    owner, other = new_id(), new_id()
    for who in (owner, other):
        pushed = client.post(
            "/v1/sync/push", json=batch([tag_change(new_id(), "PLA", clock())]), headers=headers_for(who)
        )
        assert pushed.status_code == 200, pushed.text
    with owner_transaction(server_db, owner) as conn:
        insert_row(conn, "stock_movements", owner, new_id())
    assert erase_owner_rows(server_db, owner) == 2
    with purge_transaction(server_db, owner) as conn:
        for table in ("tags", "stock_movements", "server.sync_state", "server.sync_batches"):
            # (the purge role may list every owner's sync state, so the owner is named here)
            count = text(f"SELECT count(*) FROM {table} WHERE owner_id = :o")
            assert conn.execute(count, {"o": owner}).scalar_one() == 0, table
    assert len(ids(server_db, other, "tags")) == 1
    with purge_transaction(server_db, other) as conn:
        assert conn.execute(text("SELECT count(*) FROM server.sync_batches")).scalar_one() == 1


def test_trash_empty_endpoint(client: TestClient, headers_for: Callable[[str], dict[str, str]]) -> None:
    owner = new_id()
    kept, gone = new_id(), new_id()
    changes = [tag_change(kept, "PLA", clock()), tag_change(gone, "PETG", clock(), deleted=True)]
    assert client.post("/v1/sync/push", json=batch(changes), headers=headers_for(owner)).status_code == 200
    assert (
        client.post(
            "/v1/trash/empty", headers={"Authorization": headers_for(owner)["Authorization"]}
        ).status_code
        == 426
    )
    assert client.post("/v1/trash/empty", headers={"Printstall-Protocol": "1"}).status_code == 401
    # The test settings point at no S3 server: the rows still go, the files are left for the daily job.
    emptied = client.post("/v1/trash/empty", headers=headers_for(owner))
    assert emptied.status_code == 200, emptied.text
    assert emptied.json() == {"rows_purged": 1, "files_deleted": 0, "bytes_freed": 0}
    page = client.get("/v1/sync/pull", headers=headers_for(owner)).json()
    assert [row["id"] for row in page["records"]] == [kept]


# ---------------------------------------------------------------- files


def stored(store: BlobStore, owner: str, size: int = 1000) -> str:
    data = os.urandom(size)
    sha = hashlib.sha256(data).hexdigest()
    store._client.put_object(Bucket=store.settings.bucket, Key=f"users/{owner}/blobs/{sha}", Body=data)
    return sha


@pytest.mark.s3
def test_collect_blobs_deletes_old_unreferenced_files_only(server_db: Engine, blob_store: BlobStore) -> None:
    owner, other = new_id(), new_id()
    by_file, by_trashed_file, by_thumbnail, by_model, unreferenced = (
        stored(blob_store, owner) for _ in range(5)
    )
    others_copy = stored(blob_store, other)
    with owner_transaction(server_db, owner) as conn:
        for sha in (by_file, by_trashed_file):
            insert_row(conn, "file_blobs", owner, blob_id(sha), sha256=sha)
        insert_row(conn, "model_files", owner, new_id(), blob_id=blob_id(by_file))
        insert_row(
            conn,
            "model_files",
            owner,
            new_id(),
            blob_id=blob_id(by_trashed_file),
            deleted=True,
            deleted_at=rfc3339(LATELY),
        )
        insert_row(
            conn,
            "sliced_files",
            owner,
            new_id(),
            variant_id=new_id(),
            thumbnail_blob_ids=[blob_id(by_thumbnail)],
        )
        insert_row(conn, "models", owner, new_id(), thumbnail_blob_id=blob_id(by_model))
    before = blob_store.usage_bytes(owner)

    # Young files are kept whatever references them (the record that names one may still be on its way).
    assert collect_blobs(server_db, blob_store, owner).files == 0

    later = datetime.now(UTC) + timedelta(days=2)
    collected = collect_blobs(server_db, blob_store, owner, now=later)
    assert (collected.files, collected.bytes_freed) == (1, 1000)
    left = {item.name for item in blob_store.list_blobs(owner)}
    assert left == {by_file, by_trashed_file, by_thumbnail, by_model}
    assert unreferenced not in left
    assert blob_store.usage_bytes(owner) == before - 1000
    assert {item.name for item in blob_store.list_blobs(other)} == {others_copy}

    # Once the trashed file's tombstone is purged, its file goes too.
    assert purge_tombstones(server_db, owner, None) == 1
    assert collect_blobs(server_db, blob_store, owner, now=later).files == 1
    assert not blob_store.exists(owner, by_trashed_file)


@pytest.mark.s3
def test_exports_are_outside_the_quota_and_old_ones_go(blob_store: BlobStore) -> None:
    owner = new_id()
    stored(blob_store, owner, 500)
    export = new_id()
    blob_store.put_export(owner, export, io.BytesIO(b"x" * 4000))
    assert blob_store.usage_bytes(owner) == 500
    assert [item.name for item in blob_store.list_exports(owner)] == [export]
    assert delete_old_exports(blob_store, owner, datetime.now(UTC) - timedelta(days=7)) == 0
    assert delete_old_exports(blob_store, owner, datetime.now(UTC) + timedelta(days=1)) == 1
    assert blob_store.list_exports(owner) == []
    assert blob_store.usage_bytes(owner) == 500


@pytest.mark.s3
def test_run_maintenance_cleans_every_owner(server_db: Engine, blob_store: BlobStore) -> None:
    repo = InMemoryRepository()
    owner = new_id()
    with owner_transaction(server_db, owner) as conn:
        conn.execute(text("INSERT INTO server.sync_state (owner_id, last_seq) VALUES (:o, 1)"), {"o": owner})
        old = tag(conn, owner, deleted_at=LONG_AGO)
        recent = tag(conn, owner, deleted_at=LATELY)
    stored(blob_store, owner)
    blob_store.put_export(owner, new_id(), io.BytesIO(b"zip"))
    summary = run_maintenance(server_db, blob_store, repo, now=datetime.now(UTC) + timedelta(days=8))
    assert summary.owners == 1 and summary.failed == []
    assert summary.tombstones == 1
    assert (summary.files, summary.bytes_freed, summary.exports) == (1, 1000, 1)
    assert ids(server_db, owner, "tags") == {recent} and old not in ids(server_db, owner, "tags")
    assert "1 tombstones purged" in summary.line()


@pytest.mark.s3
def test_the_maintenance_command_end_to_end(
    server_db: Engine,
    s3_server: S3Server,
    blob_store: BlobStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = new_id()
    with owner_transaction(server_db, owner) as conn:
        conn.execute(text("INSERT INTO server.sync_state (owner_id, last_seq) VALUES (:o, 1)"), {"o": owner})
        tag(conn, owner, deleted_at=LONG_AGO)
    with server_db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO auth.rate_limit_counters (key, window_start, count, expires_at) "
                "VALUES ('k', now() - interval '2 hours', 1, now() - interval '1 hour')"
            )
        )
    url = server_db.url.render_as_string(hide_password=False)
    for name, value in {
        "DATABASE_URL": url,
        "JWT_SECRET": "a-test-secret-that-is-long-enough-0123456789",
        "S3_ENDPOINT_URL": s3_server.endpoint,
        "S3_ACCESS_KEY": s3_server.access_key,
        "S3_SECRET_KEY": s3_server.secret_key,
        "S3_BUCKET": s3_server.bucket,
    }.items():
        monkeypatch.setenv(f"PRINTSTALL_SERVER_{name}", value)
    with pytest.raises(SystemExit) as exited:
        main(["maintenance"])
    assert exited.value.code == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("maintenance: 1 owners, 1 tombstones purged")
    assert "1 rate-limit counters pruned" in line
    assert ids(server_db, owner, "tags") == set()


def test_the_maintenance_app_route_is_in_the_schema(server_db: Engine, settings: Settings) -> None:
    paths = create_app(settings, engine=server_db).openapi()["paths"]
    assert "/v1/trash/empty" in paths


@pytest.mark.s3
def test_maintenance_erases_what_a_push_left_after_an_account_deletion(
    server_db: Engine, blob_store: BlobStore
) -> None:
    repo = InMemoryRepository()
    owner = new_id()
    repo.add_audit_event(AuditEvent(new_id(), owner, NOW, "account_deleted"))
    with owner_transaction(server_db, owner) as conn:
        conn.execute(text("INSERT INTO server.sync_state (owner_id, last_seq) VALUES (:o, 1)"), {"o": owner})
        tag(conn, owner)
        insert_row(conn, "sales", owner, new_id())
    stored(blob_store, owner)
    summary = run_maintenance(server_db, blob_store, repo)
    assert summary.closed_cleared == 1 and summary.failed == []
    assert ids(server_db, owner, "tags") == set() and ids(server_db, owner, "sales") == set()
    assert blob_store.list_blobs(owner) == []
