"""The GDPR export and account deletion against a real PostgreSQL and S3: the archive holds the user's rows
and files and nothing of anyone else; deletion takes every row, object, session and the account, refuses a
wrong password, and a storage failure midway leaves the account working so it can be retried."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from sync.server.accounts.service import AccountService
from sync.server.app import create_app
from sync.server.cleanup import purge_transaction
from sync.server.config import Settings
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore, S3Settings, s3_client
from tests.server.conftest import batch, clock, mailed_accounts, new_id, sale_row, tag_change
from tests.server.test_accounts_api import PASSWORD, bearer, login, post, sign_up
from tests.server.test_blobs_api import closed_port, s3_settings

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

OTHER = "someone@example.com"


@pytest.fixture
def settings(s3_server: S3Server) -> Settings:
    return s3_settings(s3_server)


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def accounts(server_db: Engine, settings: Settings, mail_folder: Path) -> AccountService:
    return mailed_accounts(server_db, settings, mail_folder)


@pytest.fixture
def api(server_db: Engine, settings: Settings, accounts: AccountService) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as test_client:
        yield test_client


def store_file(client: TestClient, token: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    answer = client.post(f"/v1/blobs/{sha}/upload", json={"size": len(data)}, headers=bearer(token)).json()
    assert httpx.put(answer["url"], content=data, headers=answer["headers"]).status_code == 200
    assert (
        client.post(f"/v1/blobs/{sha}/confirm", json={"size": len(data)}, headers=bearer(token)).status_code
        == 200
    )
    return sha


def fill(client: TestClient, token: str, name: str) -> dict[str, Any]:
    """Pushes a tag and a sale and stores one file for the signed-in user; returns their ids and bytes."""
    tag_id, sale_id = new_id(), new_id()
    pushed = client.post(
        "/v1/sync/push",
        json=batch([tag_change(tag_id, name, clock())], [sale_row(sale_id)]),
        headers=bearer(token),
    )
    assert pushed.status_code == 200 and pushed.json()["rejected"] == [], pushed.text
    data = os.urandom(3000)
    return {"tag": tag_id, "sale": sale_id, "sha": store_file(client, token, data), "data": data}


def rows_of(engine: Engine, owner: str) -> dict[str, int]:
    with purge_transaction(engine, owner) as conn:
        return {
            table: conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE owner_id = :o"), {"o": owner}
            ).scalar_one()
            for table in ("tags", "sales", "server.sync_state", "server.sync_batches")
        }


def objects_of(store: BlobStore, owner: str) -> list[str]:
    page = store._client.list_objects_v2(Bucket=store.settings.bucket, Prefix=f"users/{owner}/")
    return [item["Key"] for item in page.get("Contents", [])]


def test_the_export_holds_the_users_rows_and_files_and_nothing_else(
    api: TestClient, mail_folder: Path, blob_store: BlobStore
) -> None:
    mine = sign_up(api, mail_folder)
    theirs = sign_up(api, mail_folder, address=OTHER)
    my_data = fill(api, mine["access_token"], "PLA")
    their_data = fill(api, theirs["access_token"], "PETG")
    used = blob_store.usage_bytes(mine["user_id"])

    assert api.post("/v1/account/export", headers={"Printstall-Protocol": "1"}).status_code == 401
    answer = api.post("/v1/account/export", headers=bearer(mine["access_token"]))
    assert answer.status_code == 200, answer.text
    link = answer.json()
    assert set(link) == {"export_id", "url", "expires_at", "size"}
    download = httpx.get(link["url"])
    assert download.status_code == 200
    assert len(download.content) == link["size"]

    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    assert {"manifest.json", "account.json", "audit.json", "tables/tags.json", "tables/sales.json"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["owner_id"] == mine["user_id"]
    assert manifest["tables"]["tags"] == 1 and manifest["tables"]["sales"] == 1
    assert manifest["files"] == [{"sha256": my_data["sha"], "size": 3000}]
    assert [row["id"] for row in json.loads(archive.read("tables/tags.json"))] == [my_data["tag"]]
    assert [row["id"] for row in json.loads(archive.read("tables/sales.json"))] == [my_data["sale"]]
    assert json.loads(archive.read("tables/printers.json")) == []
    assert archive.read(f"files/{my_data['sha']}") == my_data["data"]
    assert json.loads(archive.read("account.json"))["email"] == "Maker@Example.com"
    assert "password_hash" not in archive.read("account.json").decode()
    everything = b"".join(archive.read(name) for name in names)
    for foreign in (
        theirs["user_id"],
        their_data["tag"],
        their_data["sale"],
        their_data["sha"],
        OTHER.encode(),
    ):
        assert (foreign if isinstance(foreign, bytes) else foreign.encode()) not in everything
    assert their_data["data"] not in everything

    # The export is not in the quota, and the request is in the audit log.
    assert blob_store.usage_bytes(mine["user_id"]) == used
    assert any(
        key.endswith(f"exports/{link['export_id']}.zip") for key in objects_of(blob_store, mine["user_id"])
    )
    events = api.get("/v1/account/audit", headers=bearer(mine["access_token"])).json()["events"]
    assert events[0]["event"] == "export_requested" and events[0]["detail"]["size"] == link["size"]


def delete(client: TestClient, token: str, password: str) -> httpx.Response:
    return client.request("DELETE", "/v1/account", json={"password": password}, headers=bearer(token))


def test_deleting_the_account_takes_everything_of_the_user_only(
    api: TestClient, mail_folder: Path, server_db: Engine, blob_store: BlobStore
) -> None:
    mine = sign_up(api, mail_folder)
    theirs = sign_up(api, mail_folder, address=OTHER)
    fill(api, mine["access_token"], "PLA")
    their_data = fill(api, theirs["access_token"], "PETG")
    assert api.post("/v1/account/export", headers=bearer(mine["access_token"])).status_code == 200
    owner = mine["user_id"]
    assert len(objects_of(blob_store, owner)) == 2  # the file and the export

    wrong = delete(api, mine["access_token"], "not the password at all")
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "The password is not right, so nothing was deleted."}
    assert rows_of(server_db, owner) == {
        "tags": 1,
        "sales": 1,
        "server.sync_state": 1,
        "server.sync_batches": 1,
    }
    assert len(objects_of(blob_store, owner)) == 2

    assert delete(api, mine["access_token"], PASSWORD).status_code == 204
    assert rows_of(server_db, owner) == {
        "tags": 0,
        "sales": 0,
        "server.sync_state": 0,
        "server.sync_batches": 0,
    }
    assert objects_of(blob_store, owner) == []

    # The old access token is refused everywhere, so it cannot write rows again; nor can anyone sign in.
    refused = api.post(
        "/v1/sync/push",
        json=batch([tag_change(new_id(), "x", clock())]),
        headers=bearer(mine["access_token"]),
    )
    assert refused.status_code == 401
    assert "deleted" in refused.json()["detail"]
    assert api.get("/v1/sync/state", headers=bearer(mine["access_token"])).status_code == 401
    assert rows_of(server_db, owner)["tags"] == 0
    assert post(api, "refresh", {"refresh_token": mine["refresh_token"]}).status_code == 401
    assert login(api).status_code == 401
    with server_db.connect() as conn:
        left = conn.execute(
            text("SELECT event, address, detail FROM auth.audit_events WHERE user_id = CAST(:u AS uuid)"),
            {"u": owner},
        ).all()
        assert [(row.event, row.address) for row in left] == [("account_deleted", None)]
        assert "example.com" not in json.dumps(left[0].detail).lower()
        for table in ("auth.users", "auth.refresh_tokens", "auth.one_time_codes"):
            column = "id" if table == "auth.users" else "user_id"
            count = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = CAST(:u AS uuid)"), {"u": owner}
            )
            assert count.scalar_one() == 0, table

    # The other user is untouched.
    assert rows_of(server_db, theirs["user_id"])["tags"] == 1
    assert blob_store.exists(theirs["user_id"], their_data["sha"])
    assert api.get("/v1/sync/state", headers=bearer(theirs["access_token"])).status_code == 200
    # The address can be used for a new account.
    assert sign_up(api, mail_folder)["user_id"] != owner


def test_a_storage_failure_leaves_the_account_working(
    server_db: Engine, settings: Settings, accounts: AccountService, mail_folder: Path, blob_store: BlobStore
) -> None:
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as working:
        mine = sign_up(working, mail_folder)
        fill(working, mine["access_token"], "PLA")
    owner = mine["user_id"]
    down = S3Settings(f"http://127.0.0.1:{closed_port()}", "key", "secret", "printstall")
    broken_store = BlobStore(down, client=s3_client(down, attempts=1))
    with TestClient(
        create_app(settings, engine=server_db, accounts=accounts, blob_store=broken_store)
    ) as broken:
        failed = delete(broken, mine["access_token"], PASSWORD)
        assert failed.status_code == 503
        assert failed.json()["detail"].startswith(
            "Your account could not be deleted because the file storage"
        )
        assert broken.get("/v1/sync/state", headers=bearer(mine["access_token"])).status_code == 200
        assert login(broken).status_code == 200
    assert rows_of(server_db, owner)["tags"] == 1
    assert len(objects_of(blob_store, owner)) == 1
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as again:
        assert delete(again, mine["access_token"], PASSWORD).status_code == 204
    assert rows_of(server_db, owner)["tags"] == 0
    assert objects_of(blob_store, owner) == []
