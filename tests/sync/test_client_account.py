"""Signing in from the app against the real service: sign-up with the mailed code, the refresh token kept in
the keyring (never in a file), tokens renewed for sync, sign-outs, and a machine with no keyring."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx
import keyring
import pytest
from fastapi.testclient import TestClient
from keyring.backends.fail import Keyring as NoKeyring
from sqlalchemy import Engine

from core.services import products
from core.workspace import Workspace
from sync.client.account import KEYRING_SERVICE, NO_KEYRING, AccountClient, AccountRefused, SignIn
from sync.client.engine import SyncEngine
from sync.client.transport import HttpTransport, SignInNeeded
from sync.server.app import create_app
from sync.server.devstack import S3Server
from tests.keyrings import MemoryKeyring
from tests.server.conftest import mailed_accounts
from tests.server.test_accounts_api import last_code
from tests.server.test_blobs_api import s3_settings

pytestmark = pytest.mark.postgres

EMAIL = "maker@example.com"
PASSWORD = "teal spools on the shelf"


def signed_up(
    service: TestClient, mail_folder: Path, device: str = "device-1"
) -> tuple[AccountClient, SignIn]:
    accounts = AccountClient("http://testserver", client=service)
    accounts.register(EMAIL, PASSWORD)
    session = accounts.verify(EMAIL, last_code(mail_folder, "verify_email"), device)
    return accounts, SignIn.start(accounts, session)


def test_sign_up_keeps_the_refresh_token_in_the_keyring_only(
    service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    accounts, signed_in = signed_up(service, mail_folder)
    [(where, stored)] = os_keyring.entries.items()
    assert where == (KEYRING_SERVICE, f"http://testserver {signed_in.user_id}")
    assert signed_in.keyring_problem == ""
    for path in tmp_path.rglob("*"):  # no file anywhere holds the token
        if path.is_file():
            assert stored.encode() not in path.read_bytes()

    again = SignIn.resume(accounts, signed_in.user_id)  # the next start of the app
    assert again is not None and again.token() is not None
    assert os_keyring.entries[where] != stored  # rotated on use, and the new one kept


def test_the_token_syncs_and_renews_itself(
    service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    _accounts, signed_in = signed_up(service, mail_folder)
    ws = Workspace.open(tmp_path / "data")
    try:
        ws.set_owner(signed_in.user_id)
        products.add_product(ws, name="Dragon", price_cents=1500)
        engine = SyncEngine(ws, HttpTransport("http://testserver", signed_in.token, client=service))
        assert engine.sync().pushed >= 1
        signed_in._access_expires -= timedelta(hours=1)  # the access token has run out meanwhile
        before = signed_in._access
        products.add_product(ws, name="Wyvern", price_cents=900)
        assert engine.sync().pushed >= 1
        assert signed_in._access != before
    finally:
        ws.close()


def test_a_wrong_password_is_one_clear_refusal(
    service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring
) -> None:
    accounts, _signed_in = signed_up(service, mail_folder)
    with pytest.raises(AccountRefused) as refused:
        accounts.login(EMAIL, "not the password at all", "device-2")
    assert refused.value.status == 401
    assert "password" in str(refused.value).lower()


def test_sign_out_ends_the_session_and_forgets_the_token(
    service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring
) -> None:
    accounts, signed_in = signed_up(service, mail_folder)
    [stored] = os_keyring.entries.values()
    signed_in.sign_out()
    assert os_keyring.entries == {}
    with pytest.raises(AccountRefused):
        accounts.refresh(stored)  # the service ended it too
    assert SignIn.resume(accounts, signed_in.user_id) is None


def test_sign_out_everywhere_ends_the_other_devices(
    service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring
) -> None:
    accounts, workshop = signed_up(service, mail_folder, "workshop")
    stall = accounts.login(EMAIL, PASSWORD, "stall")  # another computer, with its own keyring
    workshop.sign_out_everywhere()
    with pytest.raises(AccountRefused):
        accounts.refresh(stall.refresh_token)
    with pytest.raises(SignInNeeded):  # and this one asks to sign in again
        HttpTransport("http://testserver", workshop.token, client=service).state()


def test_without_a_keyring_sign_in_lasts_until_the_app_closes(
    service: TestClient, mail_folder: Path, tmp_path: Path
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())  # type: ignore[no-untyped-call]
    try:
        accounts, signed_in = signed_up(service, mail_folder)
        assert signed_in.keyring_problem == NO_KEYRING
        assert signed_in.token(renew=True) is not None  # works for this run, from memory
        assert SignIn.resume(accounts, signed_in.user_id) is None  # the next run signs in again
    finally:
        keyring.set_keyring(previous)


@pytest.mark.s3
def test_download_my_data_then_delete_my_account(
    server_db: Engine, s3_server: S3Server, mail_folder: Path, os_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    settings = s3_settings(s3_server)
    accounts_service = mailed_accounts(server_db, settings, mail_folder)
    with TestClient(create_app(settings, engine=server_db, accounts=accounts_service)) as service:
        accounts, signed_in = signed_up(service, mail_folder)
        ws = Workspace.open(tmp_path / "data")
        try:
            ws.set_owner(signed_in.user_id)
            products.add_product(ws, name="Dragon", price_cents=1500)
            SyncEngine(ws, HttpTransport("http://testserver", signed_in.token, client=service)).sync()
        finally:
            ws.close()

        access = signed_in.token()
        assert access is not None
        link = accounts.export(access)
        archive = httpx.get(link.url)
        assert archive.status_code == 200 and len(archive.content) == link.size
        with zipfile.ZipFile(io.BytesIO(archive.content)) as packed:
            assert any(
                "Dragon" in packed.read(name).decode() for name in packed.namelist() if "products" in name
            )

        with pytest.raises(AccountRefused) as wrong:
            accounts.delete_account(access, "not my password")
        assert wrong.value.status == 403
        accounts.delete_account(access, PASSWORD)
        with pytest.raises(SignInNeeded):  # the account is gone: this computer is signed out
            signed_in.token(renew=True)
        with pytest.raises(AccountRefused):
            accounts.login(EMAIL, PASSWORD, "device-1")
