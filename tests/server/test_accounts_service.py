"""The account operations end to end on the in-memory repository, with a mailer that records what it sends."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from sync.server.accounts.clock import ManualClock
from sync.server.accounts.errors import (
    EmailNotVerified,
    InvalidAccessToken,
    InvalidCode,
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    MailError,
    RateLimited,
    WeakPassword,
)
from sync.server.accounts.limits import Limit, LimitPolicy
from sync.server.accounts.mailer import FileMailer, Message
from sync.server.accounts.memory import InMemoryRepository
from sync.server.accounts.passwords import Argon2Parameters, Passwords
from sync.server.accounts.service import AccountKeys, AccountService, Session
from tests.server.conftest import CHEAP

PASSWORD = "teal spools on the shelf"
ADDRESS = "203.0.113.7"


@dataclass
class Outbox:
    sent: list[Message] = field(default_factory=list)
    failing: bool = False

    def send(self, message: Message) -> None:
        if self.failing:
            raise MailError("The email could not be sent; the mail service did not answer.")
        self.sent.append(message)

    def last_code(self) -> str:
        match = re.search(r"^    ([A-Z0-9]{8})$", self.sent[-1].text, re.MULTILINE)
        assert match is not None
        return match.group(1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def repo() -> InMemoryRepository:
    return InMemoryRepository()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def make_service(
    repo: InMemoryRepository, mailer: Outbox | FileMailer, clock: ManualClock, **kw: object
) -> AccountService:
    return AccountService(
        repo,
        mailer,
        AccountKeys.from_secret(b"s" * 32),
        clock=clock,
        passwords=kw.pop("passwords", None) or Passwords(CHEAP),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def service(repo: InMemoryRepository, outbox: Outbox, clock: ManualClock) -> AccountService:
    return make_service(repo, outbox, clock)


def signed_up(service: AccountService, outbox: Outbox, email: str = "Anna@Example.com") -> Session:
    service.register(email, PASSWORD, address=ADDRESS)
    return service.verify_email(email, outbox.last_code(), device_id="workshop-pc")


def test_register_verify_and_login(service: AccountService, outbox: Outbox, repo: InMemoryRepository) -> None:
    service.register(" Anna@Example.com ", PASSWORD, address=ADDRESS)
    (mail,) = outbox.sent
    assert mail.kind == "verify_email" and mail.to == "Anna@Example.com"
    (user,) = repo.users.values()
    assert user.email_key == "anna@example.com" and user.password_hash.startswith("$argon2id$")
    with pytest.raises(EmailNotVerified):
        service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    session = service.verify_email("ANNA@example.com", outbox.last_code(), device_id="workshop-pc")
    claims = service.authenticate(session.access_token)
    assert claims.user_id == user.id and claims.device_id == "workshop-pc"
    assert claims.session_id == session.session_id
    login = service.login("anna@EXAMPLE.com", PASSWORD, device_id="laptop", address=ADDRESS)
    assert login.user_id == user.id and login.session_id != session.session_id


def test_register_refuses_bad_input(service: AccountService) -> None:
    with pytest.raises(InvalidEmail):
        service.register("anna at example", PASSWORD, address=ADDRESS)
    with pytest.raises(WeakPassword, match="at least 10"):
        service.register("anna@example.com", "short", address=ADDRESS)


def test_a_second_registration_creates_nothing_and_tells_the_owner(
    service: AccountService, outbox: Outbox, repo: InMemoryRepository
) -> None:
    signed_up(service, outbox)
    assert service.register("ANNA@example.COM", "another password here", address=ADDRESS) is None
    assert len(repo.users) == 1
    assert outbox.sent[-1].kind == "already_registered" and outbox.sent[-1].to == "Anna@Example.com"
    service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)  # password unchanged


def test_registering_again_unconfirmed_sends_a_new_code(service: AccountService, outbox: Outbox) -> None:
    service.register("anna@example.com", PASSWORD, address=ADDRESS)
    service.register("anna@example.com", PASSWORD, address=ADDRESS)
    assert [m.kind for m in outbox.sent] == ["verify_email", "verify_email"]
    service.verify_email("anna@example.com", outbox.last_code(), device_id="pc")
    service.request_verification("nobody@example.com", address=ADDRESS)
    service.request_verification("anna@example.com", address=ADDRESS)  # already confirmed: nothing
    assert len(outbox.sent) == 2


def test_wrong_password_and_unknown_address_answer_alike(service: AccountService, outbox: Outbox) -> None:
    signed_up(service, outbox)
    with pytest.raises(InvalidCredentials) as wrong:
        service.login("anna@example.com", "not the password", device_id="pc", address=ADDRESS)
    with pytest.raises(InvalidCredentials) as unknown:
        service.login("bob@example.com", PASSWORD, device_id="pc", address=ADDRESS)
    assert str(wrong.value) == str(unknown.value) == "The email address or password is not right."


def test_refresh_rotates_and_reuse_ends_the_session(
    service: AccountService, outbox: Outbox, clock: ManualClock
) -> None:
    first = signed_up(service, outbox)
    second = service.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.session_id == first.session_id
    assert service.authenticate(second.access_token).session_id == first.session_id
    clock.advance(seconds=30)
    assert service.refresh(first.refresh_token).refresh_token == second.refresh_token  # a retry
    clock.advance(seconds=31)
    with pytest.raises(InvalidRefreshToken, match="used twice"):
        service.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(second.refresh_token)


def test_access_tokens_expire(service: AccountService, outbox: Outbox, clock: ManualClock) -> None:
    session = signed_up(service, outbox)
    clock.advance(minutes=10)
    with pytest.raises(InvalidAccessToken):
        service.authenticate(session.access_token)
    service.authenticate(service.refresh(session.refresh_token).access_token)


def test_logout_this_device_and_all_devices(service: AccountService, outbox: Outbox) -> None:
    pc = signed_up(service, outbox)
    laptop = service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    service.logout(laptop.refresh_token)
    service.logout(laptop.refresh_token)  # twice is fine
    service.logout("never-issued")
    with pytest.raises(InvalidRefreshToken):
        service.refresh(laptop.refresh_token)
    pc = service.refresh(pc.refresh_token)
    tablet = service.login("anna@example.com", PASSWORD, device_id="tablet", address=ADDRESS)
    service.logout_all(service.authenticate(pc.access_token))
    for session in (pc, tablet):
        with pytest.raises(InvalidRefreshToken):
            service.refresh(session.refresh_token)


def test_change_password_ends_the_other_sessions(service: AccountService, outbox: Outbox) -> None:
    pc = signed_up(service, outbox)
    laptop = service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    claims = service.authenticate(pc.access_token)
    with pytest.raises(InvalidCredentials):
        service.change_password(claims, "not the password", "a brand new password")
    with pytest.raises(WeakPassword):
        service.change_password(claims, PASSWORD, "anna@example.com")
    service.change_password(claims, PASSWORD, "a brand new password")
    service.refresh(pc.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(laptop.refresh_token)
    with pytest.raises(InvalidCredentials):
        service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)
    service.login("anna@example.com", "a brand new password", device_id="x", address=ADDRESS)


def test_reset_password_with_the_mailed_code(service: AccountService, outbox: Outbox) -> None:
    session = signed_up(service, outbox)
    sent = len(outbox.sent)
    assert service.request_reset("nobody@example.com", address=ADDRESS) is None
    assert len(outbox.sent) == sent  # nothing for an unknown address, and the same answer
    service.request_reset("ANNA@example.com", address=ADDRESS)
    mail = outbox.sent[-1]
    assert mail.kind == "reset_password" and mail.to == "Anna@Example.com"
    code = outbox.last_code()
    with pytest.raises(InvalidCode):
        service.reset_password("nobody@example.com", code, "a brand new password", address=ADDRESS)
    with pytest.raises(WeakPassword):
        service.reset_password("anna@example.com", code, "1234567890", address=ADDRESS)
    service.reset_password("anna@example.com", code.lower(), "a brand new password", address=ADDRESS)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(session.refresh_token)
    with pytest.raises(InvalidCode):
        service.reset_password("anna@example.com", code, "another new password", address=ADDRESS)
    service.login("anna@example.com", "a brand new password", device_id="x", address=ADDRESS)


def test_reset_confirms_an_unconfirmed_address(service: AccountService, outbox: Outbox) -> None:
    service.register("anna@example.com", PASSWORD, address=ADDRESS)
    service.request_reset("anna@example.com", address=ADDRESS)
    service.reset_password("anna@example.com", outbox.last_code(), "a brand new password", address=ADDRESS)
    service.login("anna@example.com", "a brand new password", device_id="x", address=ADDRESS)


def test_reset_codes_expire(service: AccountService, outbox: Outbox, clock: ManualClock) -> None:
    signed_up(service, outbox)
    service.request_reset("anna@example.com", address=ADDRESS)
    clock.advance(minutes=30)
    with pytest.raises(InvalidCode, match="expired"):
        service.reset_password(
            "anna@example.com", outbox.last_code(), "a brand new password", address=ADDRESS
        )


def test_a_mail_outage_does_not_reveal_the_account(service: AccountService, outbox: Outbox) -> None:
    signed_up(service, outbox)
    outbox.failing = True
    service.request_reset("anna@example.com", address=ADDRESS)
    service.request_reset("nobody@example.com", address=ADDRESS)


def test_login_is_limited_per_account_and_per_address(
    repo: InMemoryRepository, outbox: Outbox, clock: ManualClock
) -> None:
    window = timedelta(minutes=15)
    limits = LimitPolicy(
        login_per_account=Limit("login-account", 3, window),
        login_per_address=Limit("login-address", 5, window),
    )
    service = make_service(repo, outbox, clock, limits=limits)
    signed_up(service, outbox)
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            service.login("anna@example.com", "not the password", device_id="x", address="198.51.100.1")
    with pytest.raises(RateLimited) as caught:
        service.login("anna@example.com", PASSWORD, device_id="x", address="198.51.100.2")
    assert caught.value.retry_after == 900
    for i in range(2):  # the address has made 3 attempts already
        with pytest.raises(InvalidCredentials):
            service.login(f"guess{i}@example.com", PASSWORD, device_id="x", address="198.51.100.1")
    with pytest.raises(RateLimited):
        service.login("bob@example.com", PASSWORD, device_id="x", address="198.51.100.1")
    clock.advance(minutes=15)
    service.login("anna@example.com", PASSWORD, device_id="x", address="198.51.100.1")


def test_reset_is_limited_per_account(repo: InMemoryRepository, outbox: Outbox, clock: ManualClock) -> None:
    limits = LimitPolicy(reset_per_account=Limit("reset-account", 2, timedelta(hours=1)))
    service = make_service(repo, outbox, clock, limits=limits)
    signed_up(service, outbox)
    service.request_reset("anna@example.com", address="198.51.100.1")
    service.request_reset("anna@example.com", address="198.51.100.2")
    with pytest.raises(RateLimited, match="try again in 60 minutes"):
        service.request_reset("Anna@example.com", address="198.51.100.3")
    service.request_reset("bob@example.com", address="198.51.100.3")  # another account has its own count


def test_login_rehashes_an_old_hash(repo: InMemoryRepository, outbox: Outbox, clock: ManualClock) -> None:
    signed_up(make_service(repo, outbox, clock), outbox)
    stronger = Argon2Parameters(time_cost=2, memory_cost_kib=16, parallelism=1)
    service = make_service(repo, outbox, clock, passwords=Passwords(stronger))
    service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)
    (user,) = repo.users.values()
    assert "$m=16,t=2,p=1$" in user.password_hash


def test_the_file_mailer_receives_the_code(
    repo: InMemoryRepository, clock: ManualClock, tmp_path: Path
) -> None:
    mailer = FileMailer(tmp_path)
    service = make_service(repo, mailer, clock)
    service.register("anna@example.com", PASSWORD, address=ADDRESS)
    (path,) = mailer.sent
    text = path.read_text()
    code = re.search(r"^Subject: Your Printstall code: ([A-Z0-9]{8})$", text, re.MULTILINE)
    assert code is not None
    service.verify_email("anna@example.com", code.group(1), device_id="pc")
