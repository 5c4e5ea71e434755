"""The account audit log: what the service records (in memory), that it holds no secrets, that a closed
account's tokens are refused, and `GET /v1/account/audit` on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sync.server.access_tokens import account_keys
from sync.server.accounts.clock import ManualClock
from sync.server.accounts.errors import AccountClosed, InvalidCredentials, InvalidRefreshToken, RateLimited
from sync.server.accounts.limits import Limit, LimitPolicy
from sync.server.accounts.mailer import FileMailer
from sync.server.accounts.memory import InMemoryRepository
from sync.server.accounts.passwords import Passwords
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.repository import AuditEvent
from sync.server.accounts.service import AccountService
from sync.server.app import create_app
from sync.server.config import Settings
from tests.server.test_accounts_api import CHEAP, EMAIL, PASSWORD, bearer, last_code, login, post, sign_up
from tests.server.test_accounts_service import ADDRESS, Outbox, make_service

NEW_PASSWORD = "orange filament in the drawer"


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def repo() -> InMemoryRepository:
    return InMemoryRepository()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def service(repo: InMemoryRepository, outbox: Outbox, clock: ManualClock) -> AccountService:
    limits = LimitPolicy(login_per_account=Limit("login-account", 3, timedelta(minutes=15)))
    return make_service(repo, outbox, clock, limits=limits)


def events(service: AccountService, user_id: str) -> list[str]:
    return [event.event for event in reversed(service.audit_log(user_id))]


def test_every_account_event_is_recorded_without_secrets(
    service: AccountService, outbox: Outbox, clock: ManualClock, repo: InMemoryRepository
) -> None:
    service.register(EMAIL, PASSWORD, address=ADDRESS)
    codes = [outbox.last_code()]
    session = service.verify_email(EMAIL, codes[0], device_id="workshop-pc", address=ADDRESS)
    user = session.user_id
    clock.advance(seconds=1)
    with pytest.raises(InvalidCredentials):
        service.login(EMAIL, "not the password at all", device_id="laptop", address=ADDRESS)
    laptop = service.login(EMAIL, PASSWORD, device_id="laptop", address=ADDRESS)
    renewed = service.refresh(laptop.refresh_token, address=ADDRESS)
    clock.advance(minutes=5)  # past the grace: presenting the old token again is reuse
    service.refresh(renewed.refresh_token, address=ADDRESS)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(laptop.refresh_token, address=ADDRESS)
    service.logout(session.refresh_token, address=ADDRESS)
    claims = service.authenticate(
        service.login(EMAIL, PASSWORD, device_id="phone", address=ADDRESS).access_token
    )
    service.change_password(claims, PASSWORD, NEW_PASSWORD, address=ADDRESS)
    service.logout_all(claims, address=ADDRESS)
    service.request_reset(EMAIL, address=ADDRESS)
    codes.append(outbox.last_code())
    service.reset_password(EMAIL, codes[-1], PASSWORD, address=ADDRESS)
    service.record(user, "export_requested", device_id="phone", address=ADDRESS, size=123)

    assert events(service, user) == [
        "register",
        "email_verified",
        "login_failed",
        "login",
        "refresh_reuse",
        "logout",
        "login",
        "password_changed",
        "logout_all",
        "reset_requested",
        "password_reset",
        "export_requested",
    ]
    log = service.audit_log(user)
    assert {e.address for e in log} == {ADDRESS}
    by_event = {e.event: e for e in log}
    assert by_event["login_failed"].device_id == "laptop"
    assert by_event["refresh_reuse"].device_id == "laptop"
    assert by_event["logout"].device_id == "workshop-pc"
    assert by_event["password_changed"].device_id == "phone"
    secrets = [
        PASSWORD,
        NEW_PASSWORD,
        "not the password at all",
        *codes,
        laptop.refresh_token,
        laptop.access_token,
    ]
    text = repr(repo.audit)
    assert not [secret for secret in secrets if secret in text]


def test_limited_logins_are_recorded_for_the_account(service: AccountService, outbox: Outbox) -> None:
    service.register(EMAIL, PASSWORD, address=ADDRESS)
    user = service.verify_email(EMAIL, outbox.last_code(), device_id="pc").user_id
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            service.login(EMAIL, "not the password at all", device_id="pc", address=ADDRESS)
    with pytest.raises(RateLimited):
        service.login(EMAIL, PASSWORD, device_id="pc", address=ADDRESS)
    assert events(service, user)[-1] == "login_limited"


def test_the_log_is_newest_first_and_limited(service: AccountService, clock: ManualClock) -> None:
    user = "5f0b0c7e-2b1d-4c1e-9a57-0d6a3f1f2c44"
    for n in range(120):
        clock.advance(seconds=1)
        service.record(user, f"event-{n}")
    log = service.audit_log(user)
    assert len(log) == 100
    assert log[0].event == "event-119" and log[-1].event == "event-20"
    assert service.audit_log("00000000-0000-4000-8000-000000000000") == []


def test_closing_an_account_keeps_one_entry_and_refuses_its_tokens(
    service: AccountService, outbox: Outbox, repo: InMemoryRepository
) -> None:
    service.register(EMAIL, PASSWORD, address=ADDRESS)
    session = service.verify_email(EMAIL, outbox.last_code(), device_id="pc", address=ADDRESS)
    claims = service.authenticate(session.access_token)
    assert service.close_account(claims, rows=3, objects=1)
    assert repo.users == {} and repo.tokens == {} and repo.codes == {}
    (entry,) = repo.audit
    assert isinstance(entry, AuditEvent)
    assert (entry.event, entry.user_id, entry.address, entry.detail) == (
        "account_deleted",
        session.user_id,
        None,
        {"rows": 3, "objects": 1},
    )
    assert EMAIL.lower() not in repr(entry).lower()
    with pytest.raises(AccountClosed):
        service.authenticate(session.access_token)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(session.refresh_token)
    assert not service.close_account(claims)


# ---------------------------------------------------------------- on PostgreSQL, over HTTP


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def api(server_db: Engine, settings: Settings, mail_folder: Path) -> Iterator[TestClient]:
    accounts = AccountService(
        PostgresRepository(server_db),
        FileMailer(mail_folder),
        account_keys(settings),
        passwords=Passwords(CHEAP),
    )
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as test_client:
        yield test_client


@pytest.mark.postgres
def test_the_audit_endpoint_shows_the_callers_latest_entries(api: TestClient, mail_folder: Path) -> None:
    session = sign_up(api, mail_folder)
    assert login(api, password="not the password at all").status_code == 401
    assert login(api).status_code == 200
    other = sign_up(api, mail_folder, address="someone@example.com")
    answer = api.get("/v1/account/audit", headers=bearer(session["access_token"]))
    assert answer.status_code == 200, answer.text
    entries = answer.json()["events"]
    assert [e["event"] for e in entries] == ["login", "login_failed", "email_verified", "register"]
    assert entries[0]["device_id"] and entries[0]["address"] == "testclient"
    assert set(entries[0]) == {"at", "event", "device_id", "address", "detail"}
    others = api.get("/v1/account/audit", headers=bearer(other["access_token"])).json()["events"]
    assert [e["event"] for e in others] == ["email_verified", "register"]
    assert api.get("/v1/account/audit", headers={"Printstall-Protocol": "1"}).status_code == 401
    assert last_code(mail_folder, "verify_email")  # the mails carried the codes; the log does not
    assert "Bearer" not in answer.text and PASSWORD not in answer.text


@pytest.mark.postgres
def test_password_change_and_logout_are_recorded_on_postgres(api: TestClient, mail_folder: Path) -> None:
    session = sign_up(api, mail_folder)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert post(api, "password", body, token=session["access_token"]).status_code == 204
    assert post(api, "logout", {"refresh_token": session["refresh_token"]}).status_code == 204
    entries = api.get("/v1/account/audit", headers=bearer(session["access_token"])).json()["events"]
    assert [e["event"] for e in entries][:2] == ["logout", "password_changed"]
