"""The account endpoints against a real PostgreSQL, with the emails written as files (read for the codes):
sign-up and confirmation, tokens that work on the sync routes, refresh rotation and reuse, sign-outs, password
reset and rate limits."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sync import protocol
from sync.server.access_tokens import account_keys
from sync.server.accounts.limits import Limit, LimitPolicy
from sync.server.accounts.mailer import FileMailer
from sync.server.accounts.passwords import Passwords
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.service import AccountService
from sync.server.app import create_app
from sync.server.config import Settings
from tests.server.conftest import CHEAP, DEVICE, batch, clock, new_id, tag_change

pytestmark = pytest.mark.postgres

EMAIL = "Maker@Example.com"
PASSWORD = "teal spools on the shelf"
NEW_PASSWORD = "orange filament in the drawer"
PROTOCOL = {protocol.PROTOCOL_HEADER: "1"}
LOGINS_PER_ACCOUNT = 3


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def accounts(server_db: Engine, settings: Settings, mail_folder: Path) -> AccountService:
    limits = LimitPolicy(login_per_account=Limit("login-account", LOGINS_PER_ACCOUNT, timedelta(minutes=15)))
    return AccountService(
        PostgresRepository(server_db),
        FileMailer(mail_folder),
        account_keys(settings),
        passwords=Passwords(CHEAP),
        limits=limits,
    )


@pytest.fixture
def api(server_db: Engine, settings: Settings, accounts: AccountService) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as test_client:
        yield test_client


def mails(folder: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def last_code(folder: Path, kind: str) -> str:
    sent = [m for m in mails(folder) if m["X-Printstall-Kind"] == kind]
    assert sent, f"no {kind} email was written"
    match = re.search(r":\s*(\S+)\s*$", str(sent[-1]["Subject"]))
    assert match is not None
    return match.group(1)


def post(client: TestClient, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = dict(PROTOCOL)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(f"/v1/account/{path}", json=body, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **PROTOCOL}


def sign_up(client: TestClient, folder: Path, address: str = EMAIL) -> dict[str, Any]:
    assert post(client, "register", {"email": address, "password": PASSWORD}).status_code == 202
    code = last_code(folder, "verify_email")
    response = post(client, "verify", {"email": address, "code": code, "device_id": DEVICE})
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()
    return session


def login(client: TestClient, password: str = PASSWORD, address: str = EMAIL) -> Any:
    return post(client, "login", {"email": address, "password": password, "device_id": DEVICE})


def can_sync(client: TestClient, access_token: str) -> bool:
    return client.get("/v1/sync/state", headers=bearer(access_token)).status_code == 200


def test_register_verify_and_the_token_works_on_sync(api: TestClient, mail_folder: Path) -> None:
    session = sign_up(api, mail_folder)
    assert set(session) == {
        "access_token",
        "access_expires_at",
        "refresh_token",
        "refresh_expires_at",
        "user_id",
    }
    state = api.get("/v1/sync/state", headers=bearer(session["access_token"]))
    assert state.status_code == 200, state.text
    pushed = api.post(
        "/v1/sync/push",
        json=batch([tag_change(new_id(), "PLA", clock())]),
        headers=bearer(session["access_token"]),
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["max_seq"] == 1
    page = api.get("/v1/sync/pull", headers=bearer(session["access_token"])).json()
    assert [row["fields"]["name"] for row in page["records"]] == ["PLA"]


def test_a_wrong_or_missing_code_signs_nobody_in(api: TestClient, mail_folder: Path) -> None:
    assert post(api, "register", {"email": EMAIL, "password": PASSWORD}).status_code == 202
    wrong = post(api, "verify", {"email": EMAIL, "code": "AAAA-AAAA", "device_id": DEVICE})
    assert wrong.status_code == 400
    assert wrong.json()["detail"]
    unconfirmed = login(api)
    assert unconfirmed.status_code == 403
    assert "Confirm your email" in unconfirmed.json()["detail"]


def test_register_answers_the_same_for_a_taken_address(api: TestClient, mail_folder: Path) -> None:
    sign_up(api, mail_folder)
    again = post(api, "register", {"email": EMAIL.lower(), "password": "something else entirely"})
    assert again.status_code == 202
    assert mails(mail_folder)[-1]["X-Printstall-Kind"] == "already_registered"


def test_bad_input_is_422_with_a_sentence(api: TestClient) -> None:
    bad_email = post(api, "register", {"email": "not an address", "password": PASSWORD})
    assert bad_email.status_code == 422
    assert bad_email.json()["detail"] == "Enter an email address such as name@example.com."
    weak = post(api, "register", {"email": EMAIL, "password": "short"})
    assert weak.status_code == 422
    assert isinstance(weak.json()["detail"], str)


def test_login_with_a_wrong_password_is_401(api: TestClient, mail_folder: Path) -> None:
    sign_up(api, mail_folder)
    wrong = login(api, password="not the password at all")
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "The email address or password is not right."}
    unknown = login(api, address="nobody@example.com")
    assert unknown.status_code == 401
    assert unknown.json() == wrong.json()
    right = login(api)
    assert right.status_code == 200
    assert can_sync(api, right.json()["access_token"])


def test_refresh_rotates_and_reuse_ends_the_session(api: TestClient, mail_folder: Path) -> None:
    first = sign_up(api, mail_folder)
    second = post(api, "refresh", {"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second_session = second.json()
    assert second_session["refresh_token"] != first["refresh_token"]
    assert second_session["user_id"] == first["user_id"]
    assert can_sync(api, second_session["access_token"])
    third = post(api, "refresh", {"refresh_token": second_session["refresh_token"]}).json()

    # The first token's successor has been rotated too, so presenting it now is reuse, past any grace.
    reused = post(api, "refresh", {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert "used twice" in reused.json()["detail"]
    assert post(api, "refresh", {"refresh_token": third["refresh_token"]}).status_code == 401


def test_logout_ends_this_device_only(api: TestClient, mail_folder: Path) -> None:
    here = sign_up(api, mail_folder)
    there = login(api).json()
    assert post(api, "logout", {"refresh_token": here["refresh_token"]}).status_code == 204
    assert post(api, "refresh", {"refresh_token": here["refresh_token"]}).status_code == 401
    assert post(api, "refresh", {"refresh_token": there["refresh_token"]}).status_code == 200
    assert post(api, "logout", {"refresh_token": "unknown"}).status_code == 204


def test_logout_all_ends_every_device(api: TestClient, mail_folder: Path) -> None:
    here = sign_up(api, mail_folder)
    there = login(api).json()
    assert post(api, "logout-all").status_code == 401
    assert post(api, "logout-all", token="not-a-token").status_code == 401
    assert post(api, "logout-all", token=here["access_token"]).status_code == 204
    for session in (here, there):
        assert post(api, "refresh", {"refresh_token": session["refresh_token"]}).status_code == 401


def test_change_password_keeps_this_session_and_ends_the_others(api: TestClient, mail_folder: Path) -> None:
    here = sign_up(api, mail_folder)
    there = login(api).json()
    body = {"current_password": "a wrong current password", "new_password": NEW_PASSWORD}
    assert post(api, "password", body, token=here["access_token"]).status_code == 401
    body["current_password"] = PASSWORD
    assert post(api, "password", body).status_code == 401
    assert post(api, "password", body, token=here["access_token"]).status_code == 204
    assert post(api, "refresh", {"refresh_token": here["refresh_token"]}).status_code == 200
    assert post(api, "refresh", {"refresh_token": there["refresh_token"]}).status_code == 401
    assert login(api).status_code == 401
    assert login(api, password=NEW_PASSWORD).status_code == 200


def test_reset_flow(api: TestClient, mail_folder: Path) -> None:
    session = sign_up(api, mail_folder)
    assert post(api, "reset/request", {"email": "nobody@example.com"}).status_code == 202
    assert post(api, "reset/request", {"email": EMAIL}).status_code == 202
    code = last_code(mail_folder, "reset_password")
    wrong = post(api, "reset", {"email": EMAIL, "code": "AAAA-AAAA", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    done = post(api, "reset", {"email": EMAIL, "code": code, "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    assert post(api, "refresh", {"refresh_token": session["refresh_token"]}).status_code == 401
    assert post(api, "reset", {"email": EMAIL, "code": code, "new_password": PASSWORD}).status_code == 400
    assert login(api).status_code == 401
    assert login(api, password=NEW_PASSWORD).status_code == 200


def test_too_many_logins_are_429_with_retry_after(api: TestClient, mail_folder: Path) -> None:
    sign_up(api, mail_folder)
    for _ in range(LOGINS_PER_ACCOUNT):
        assert login(api, password="not the password at all").status_code == 401
    limited = login(api)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 15 * 60
    assert limited.json()["detail"].startswith("Too many attempts; try again in")


def test_account_routes_need_the_protocol_header(api: TestClient) -> None:
    response = api.post("/v1/account/register", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 426
    assert "update Printstall" in response.json()["detail"]


def test_the_app_built_from_settings_mails_into_the_configured_folder(
    server_db: Engine, mail_folder: Path
) -> None:
    settings = Settings(jwt_secret="a-test-secret-that-is-long-enough-0123456789", mail_folder=mail_folder)
    with TestClient(create_app(settings, engine=server_db)) as client:
        assert post(client, "register", {"email": EMAIL, "password": PASSWORD}).status_code == 202
        code = last_code(mail_folder, "verify_email")
        session = post(client, "verify", {"email": EMAIL, "code": code, "device_id": DEVICE}).json()
        assert can_sync(client, session["access_token"])
