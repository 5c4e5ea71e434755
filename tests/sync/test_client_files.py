"""Files in sync against the real service and S3 server: an imported mesh goes up before its records, the
other computer gets the thumbnail at once and the mesh when it is opened; a cut upload starts again; a file
over the quota holds back only what needs it; the cache limit never deletes a file only this computer has."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from core.db.models import FileBlob, Model
from core.services import products
from core.services.importing import import_paths
from core.workspace import Workspace
from sync.client.engine import SyncEngine, pending_count, rejected_rows, requeue_rejected
from sync.client.files import ensure_local, thumbnail_shas, trim_cache
from sync.client.transport import HttpTransport, Offline, Refused, keep_credentials_out_of_logs
from sync.server.access_tokens import issue_access_token
from sync.server.app import create_app
from sync.server.db import owner_transaction
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore
from tests.core.files import cube_stl_bytes
from tests.server.test_blobs_api import s3_settings

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

Install = tuple[Workspace, SyncEngine, HttpTransport]


class CutUpload(HttpTransport):
    """The connection drops halfway through the first file upload."""

    cuts = 1
    lock = threading.Lock()

    def put_file(self, url: str, headers: dict[str, str], source: IO[bytes]) -> None:
        with self.lock:
            cut, self.cuts = self.cuts > 0, max(0, self.cuts - 1)
        if cut:
            source.read(10)
            raise Offline("The file storage cannot be reached; the upload starts again later.")
        super().put_file(url, headers, source)


@pytest.fixture
def user() -> str:
    return str(uuid.uuid4())


def make_installs(
    tmp_path: Path, service: TestClient, settings_token: Callable[[str], str], user: str
) -> Callable[..., Install]:
    opened: list[Workspace] = []

    def make(name: str, transport_class: type[HttpTransport] = HttpTransport) -> Install:
        ws = Workspace.open(tmp_path / name)
        ws.set_owner(user)
        opened.append(ws)
        token = settings_token(ws.device_id)
        transport = transport_class("http://testserver", lambda _renew: token, client=service)
        return ws, SyncEngine(ws, transport, files=transport), transport

    make.opened = opened  # type: ignore[attr-defined]
    return make


@pytest.fixture
def installs(
    tmp_path: Path, server_db: Engine, s3_server: S3Server, user: str
) -> Iterator[tuple[Callable[..., Install], TestClient]]:
    settings = s3_settings(s3_server, quota_bytes=10 * 1024 * 1024)
    with TestClient(create_app(settings, engine=server_db)) as service:
        make = make_installs(
            tmp_path, service, lambda device: issue_access_token(settings, user, device_id=device), user
        )
        yield make, service
        for ws in make.opened:  # type: ignore[attr-defined]
            ws.close()


def imported_cube(ws: Workspace, tmp_path: Path, size: float = 20.0) -> str:
    path = tmp_path / f"cube-{size}.stl"
    path.write_bytes(cube_stl_bytes(size))
    [outcome] = import_paths(ws, [path])
    assert outcome.status == "added" and outcome.sha256 is not None
    return outcome.sha256


def test_a_mesh_reaches_the_other_computer_thumbnail_first(
    installs: tuple[Callable[..., Install], TestClient], tmp_path: Path, blob_store: BlobStore, user: str
) -> None:
    make, _service = installs
    workshop, workshop_sync, _ = make("workshop")
    laptop, laptop_sync, laptop_files = make("laptop")
    mesh = imported_cube(workshop, tmp_path)
    [thumbnail] = thumbnail_shas(workshop)

    workshop_sync.sync()
    assert blob_store.exists(user, mesh) and blob_store.exists(user, thumbnail)

    report = laptop_sync.sync()
    assert report.thumbnails == 1
    assert laptop.blobs.has(thumbnail)  # the library shows its picture at once
    assert not laptop.blobs.has(mesh)  # the mesh only when opened
    path = ensure_local(laptop, laptop_files, mesh)
    assert path.read_bytes() == workshop.blobs.read_bytes(mesh)


def test_an_upload_cut_midway_starts_again_and_the_records_wait_for_it(
    installs: tuple[Callable[..., Install], TestClient],
    tmp_path: Path,
    blob_store: BlobStore,
    user: str,
    server_db: Engine,
) -> None:
    make, _service = installs
    ws, engine, _transport = make("workshop", CutUpload)
    mesh = imported_cube(ws, tmp_path)
    files = {mesh, *thumbnail_shas(ws)}

    with pytest.raises(Offline):
        engine.sync()
    assert not all(blob_store.exists(user, sha) for sha in files)  # one upload was cut
    assert pending_count(ws) > 0
    with owner_transaction(server_db, user) as conn:  # and no record went up without its file
        assert conn.execute(text("SELECT count(*) FROM file_blobs")).scalar_one() == 0

    engine.sync()
    assert all(blob_store.exists(user, sha) for sha in files)
    assert pending_count(ws) == 0


def test_a_file_over_the_quota_holds_back_only_what_needs_it(
    tmp_path: Path, server_db: Engine, s3_server: S3Server, user: str, blob_store: BlobStore
) -> None:
    settings = s3_settings(s3_server, quota_bytes=100)  # smaller than any mesh
    with TestClient(create_app(settings, engine=server_db)) as service:
        make = make_installs(
            tmp_path, service, lambda device: issue_access_token(settings, user, device_id=device), user
        )
        ws, engine, _ = make("workshop")
        try:
            mesh = imported_cube(ws, tmp_path)
            made = products.add_product(ws, name="Dragon", price_cents=1500)
            report = engine.sync()

            held = {(r.table, r.id) for r in rejected_rows(ws)}
            with ws.read() as session:
                blob_id = session.scalars(select(FileBlob.id).where(FileBlob.sha256 == mesh)).one()
            assert ("file_blobs", blob_id) in held
            assert any("quota" in r.reason for r in report.rejected)
            assert not blob_store.exists(user, mesh)
            laptop, laptop_sync, _ = make("laptop")
            laptop_sync.sync()
            assert products.get_product(laptop, made.id).name == "Dragon"  # the rest went up
            assert requeue_rejected(ws) == len(held)  # "Retry" puts them back in line
            assert pending_count(ws) > 0
        finally:
            for opened in make.opened:  # type: ignore[attr-defined]
                opened.close()


def test_the_cache_limit_keeps_thumbnails_and_files_only_this_computer_has(
    installs: tuple[Callable[..., Install], TestClient], tmp_path: Path
) -> None:
    make, _service = installs
    ws, engine, _ = make("workshop")
    engine.trim_every_s = 0.0  # the app trims at most hourly; here after every sync
    synced = imported_cube(ws, tmp_path, 20.0)
    engine.sync()
    unsent = imported_cube(ws, tmp_path, 30.0)  # imported after the sync: only here
    thumbnails = thumbnail_shas(ws)

    freed = trim_cache(ws, limit_bytes=0)

    assert freed > 0 and not ws.blobs.has(synced)  # the service has it; it comes back when opened
    assert ws.blobs.has(unsent)
    assert all(ws.blobs.has(sha) for sha in thumbnails)
    with ws.read() as session:
        assert session.scalar(select(Model.id).limit(1)) is not None

    engine.cache_limit_bytes = 0  # a sync keeps the store under the limit once the files are up
    report = engine.sync()
    assert report.cache_freed > 0 and not ws.blobs.has(unsent)
    assert all(ws.blobs.has(sha) for sha in thumbnail_shas(ws))


def test_two_users_on_one_service_never_see_each_others_records_or_files(
    tmp_path: Path, server_db: Engine, s3_server: S3Server, user: str
) -> None:
    settings = s3_settings(s3_server)
    other = str(uuid.uuid4())
    with TestClient(create_app(settings, engine=server_db)) as service:
        mine = make_installs(
            tmp_path / "mine", service, lambda d: issue_access_token(settings, user, device_id=d), user
        )
        theirs = make_installs(
            tmp_path / "theirs", service, lambda d: issue_access_token(settings, other, device_id=d), other
        )
        try:
            ws, engine, _ = mine("workshop")
            mesh = imported_cube(ws, tmp_path)
            products.add_product(ws, name="Dragon", price_cents=1500)
            engine.sync()

            their_ws, their_engine, their_files = theirs("workshop")
            report = their_engine.sync()
            assert report.pulled == 0 and products.list_products(their_ws) == []
            with pytest.raises(Refused) as refused:  # knowing the SHA-256 is not enough
                ensure_local(their_ws, their_files, mesh)
            assert refused.value.status == 404
            assert not their_ws.blobs.has(mesh)
        finally:
            for opened in (*mine.opened, *theirs.opened):  # type: ignore[attr-defined]
                opened.close()


def test_no_token_or_presigned_url_reaches_the_log(
    installs: tuple[Callable[..., Install], TestClient], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make, _service = installs
    keep_credentials_out_of_logs()  # what the app does when it sets up its log file
    caplog.set_level(logging.DEBUG)
    ws, engine, transport = make("workshop")
    mesh = imported_cube(ws, tmp_path)
    engine.sync()
    laptop, _laptop_sync, laptop_files = make("laptop")
    link = laptop_files.blob_download(mesh)
    ensure_local(laptop, laptop_files, mesh)

    token = transport._token(False)
    assert token is not None and token not in caplog.text
    assert "X-Amz-Signature" not in caplog.text and link.url not in caplog.text
