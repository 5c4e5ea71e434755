"""The accounts logic on both repositories (in memory and PostgreSQL), and what only PostgreSQL can show: a
compare-and-swap under two connections, and the sync role shut out of `auth`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import ProgrammingError

from sync.server.accounts import pg
from sync.server.accounts.clock import ManualClock
from sync.server.accounts.errors import EmailNotVerified, InvalidCode, InvalidRefreshToken, RateLimited
from sync.server.accounts.limits import Limit, LimitPolicy
from sync.server.accounts.memory import InMemoryRepository
from sync.server.accounts.passwords import Passwords
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.repository import AccountsRepository, AuditEvent, CodeRow, RefreshTokenRow, User
from sync.server.accounts.service import AccountKeys, AccountService
from sync.server.db import owner_transaction
from tests.server.test_accounts_service import ADDRESS, CHEAP, PASSWORD, Outbox, signed_up

AUTH_TABLES = ("auth.users", "auth.refresh_tokens", "auth.one_time_codes", "auth.rate_limit_counters")


@pytest.fixture(params=["memory", pytest.param("pg", marks=pytest.mark.postgres)])
def repo(request: pytest.FixtureRequest) -> Iterator[AccountsRepository]:
    if request.param == "memory":
        yield InMemoryRepository()
    else:
        yield PostgresRepository(request.getfixturevalue("server_db"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def make_service(
    repo: AccountsRepository, outbox: Outbox, clock: ManualClock, limits: LimitPolicy | None = None
) -> AccountService:
    keys = AccountKeys.from_secret(b"s" * 32)
    return AccountService(repo, outbox, keys, clock=clock, passwords=Passwords(CHEAP), limits=limits)


@pytest.fixture
def service(repo: AccountsRepository, outbox: Outbox, clock: ManualClock) -> AccountService:
    return make_service(repo, outbox, clock)


def test_register_verify_and_login(service: AccountService, outbox: Outbox, repo: AccountsRepository) -> None:
    service.register(" Anna@Example.com ", PASSWORD, address=ADDRESS)
    user = repo.get_user_by_email("anna@example.com")
    assert user is not None and user.email == "Anna@Example.com" and user.verified_at is None
    assert repo.get_user(user.id) == user
    with pytest.raises(EmailNotVerified):
        service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    session = service.verify_email("ANNA@example.com", outbox.last_code(), device_id="workshop-pc")
    claims = service.authenticate(session.access_token)
    assert claims.user_id == user.id and claims.device_id == "workshop-pc"
    verified = repo.get_user(user.id)
    assert verified is not None and verified.verified_at is not None
    login = service.login("anna@EXAMPLE.com", PASSWORD, device_id="laptop", address=ADDRESS)
    assert login.user_id == user.id and login.session_id != session.session_id
    service.register("ANNA@example.COM", "another password here", address=ADDRESS)  # tells the owner
    service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)


def test_refresh_rotates_reuse_revokes_the_family_and_the_grace_gives_the_same_successor(
    service: AccountService, outbox: Outbox, clock: ManualClock
) -> None:
    first = signed_up(service, outbox)
    other = service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    second = service.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.session_id == first.session_id
    clock.advance(seconds=30)
    retry = service.refresh(first.refresh_token)  # within the grace: the same successor
    assert retry.refresh_token == second.refresh_token and retry.session_id == first.session_id
    clock.advance(seconds=31)
    with pytest.raises(InvalidRefreshToken, match="used twice"):
        service.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(second.refresh_token)  # the whole family is revoked
    service.refresh(other.refresh_token)  # another sign-in is not


def test_logout_all_and_password_change(service: AccountService, outbox: Outbox) -> None:
    pc = signed_up(service, outbox)
    laptop = service.login("anna@example.com", PASSWORD, device_id="laptop", address=ADDRESS)
    service.change_password(service.authenticate(pc.access_token), PASSWORD, "a brand new password")
    pc = service.refresh(pc.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        service.refresh(laptop.refresh_token)
    service.logout_all(service.authenticate(pc.access_token))
    with pytest.raises(InvalidRefreshToken):
        service.refresh(pc.refresh_token)
    service.login("anna@example.com", "a brand new password", device_id="x", address=ADDRESS)


def test_codes_spend_attempts_and_are_used_once(
    service: AccountService, outbox: Outbox, repo: AccountsRepository, clock: ManualClock
) -> None:
    signed_up(service, outbox)
    user = repo.get_user_by_email("anna@example.com")
    assert user is not None
    service.request_reset("anna@example.com", address=ADDRESS)
    code = outbox.last_code()
    wrong = "AAAAAAAA" if code != "AAAAAAAA" else "BBBBBBBB"
    with pytest.raises(InvalidCode):
        service.reset_password("anna@example.com", wrong, "a brand new password", address=ADDRESS)
    service.reset_password("anna@example.com", code, "a brand new password", address=ADDRESS)
    with pytest.raises(InvalidCode):
        service.reset_password("anna@example.com", code, "another new password", address=ADDRESS)

    now = clock()
    row = CodeRow(user.id, "verify_email", "h1", now, now + timedelta(minutes=10), attempts_left=2)
    repo.put_code(row)
    repo.put_code(replace(row, code_hash="h2"))  # replaces the first
    first = repo.take_code_attempt(user.id, "verify_email", now)
    assert first is not None and first.code_hash == "h2" and first.attempts_left == 1
    assert not repo.delete_code(user.id, "verify_email", "h1")  # not the live code
    second = repo.take_code_attempt(user.id, "verify_email", now)
    assert second is not None and second.attempts_left == 0
    assert repo.take_code_attempt(user.id, "verify_email", now) is None  # no attempts left
    assert repo.delete_code(user.id, "verify_email", "h2")
    assert not repo.delete_code(user.id, "verify_email", "h2")
    repo.put_code(replace(row, code_hash="h3"))
    assert repo.take_code_attempt(user.id, "verify_email", now + timedelta(minutes=10)) is None  # expired


def test_rate_limit_counters(repo: AccountsRepository, outbox: Outbox, clock: ManualClock) -> None:
    window = timedelta(minutes=15)
    limits = LimitPolicy(login_per_account=Limit("login-account", 2, window))
    service = make_service(repo, outbox, clock, limits)
    signed_up(service, outbox)
    service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)
    service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)
    with pytest.raises(RateLimited):
        service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)
    clock.advance(minutes=15)
    service.login("anna@example.com", PASSWORD, device_id="x", address=ADDRESS)

    now = clock()
    assert [repo.hit_counter("k", now, now + window) for _ in range(3)] == [1, 2, 3]
    assert repo.hit_counter("k", now + window, now + 2 * window) == 1
    assert repo.prune_counters(now + window) >= 1
    assert repo.hit_counter("k", now, now + window) == 1  # its window was pruned
    assert repo.prune_counters(now + 2 * window) >= 2


# PostgreSQL only.


def _user_and_token(repo: PostgresRepository, clock: ManualClock) -> RefreshTokenRow:
    now = clock()
    user = User("0190aaaa-0000-7000-8000-0000000000aa", "a@example.com", "a@example.com", "h", now, now)
    assert repo.insert_user(user) and not repo.insert_user(
        replace(user, id="0190aaaa-0000-7000-8000-0000000000bb")
    )
    token = RefreshTokenRow("old", user.id, "family", "pc", now, now + timedelta(days=30))
    repo.insert_refresh_token(token)
    return token


def _successor(token: RefreshTokenRow, name: str, clock: ManualClock) -> RefreshTokenRow:
    return replace(token, token_hash=name, issued_at=clock())


def _successors(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT token_hash FROM auth.refresh_tokens WHERE token_hash <> 'old'")
            ).scalars()
        )


@pytest.mark.postgres
def test_two_connections_rotating_one_token_make_one_successor(server_db: Engine, clock: ManualClock) -> None:
    repo = PostgresRepository(server_db)
    token = _user_and_token(repo, clock)
    first = _successor(token, "first", clock)
    params = {**pg._token_params(first), "old_hash": "old", "now": clock()}
    with server_db.connect() as holder:
        with holder.begin() as tx:
            holder.execute(text("SET LOCAL ROLE printstall_auth"))
            assert holder.execute(pg._ROTATE_TOKEN, params).one_or_none() is not None  # row locked, open
            backend = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
            outcome: list[bool] = []
            racer = threading.Thread(
                target=lambda: outcome.append(
                    repo.rotate_refresh_token("old", _successor(token, "second", clock), clock())
                )
            )
            racer.start()
            deadline = time.monotonic() + 10
            while not _waits_on(server_db, backend):  # the second rotation waits for the first's row lock
                assert time.monotonic() < deadline, "the second rotation never waited for the first"
                time.sleep(0.02)
            tx.commit()
        racer.join(10)
    assert outcome == [False]
    assert _successors(server_db) == ["first"]
    old = repo.get_refresh_token("old")
    assert old is not None and old.successor_hash == "first" and old.rotated_at is not None


def _waits_on(engine: Engine, backend: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                {"pid": backend},
            ).scalar_one()
        )


@pytest.mark.postgres
def test_many_parallel_rotations_have_one_winner(server_db: Engine, clock: ManualClock) -> None:
    repo = PostgresRepository(server_db)
    token = _user_and_token(repo, clock)
    start = threading.Barrier(4)

    def rotate(i: int) -> bool:
        successor = _successor(token, f"succ-{i}", clock)
        start.wait()
        return repo.rotate_refresh_token("old", successor, clock())

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(rotate, range(4)))
    assert sorted(results) == [False, False, False, True]
    (winner,) = _successors(server_db)
    assert winner == f"succ-{results.index(True)}"
    assert not repo.rotate_refresh_token("old", _successor(token, "late", clock), clock())


@pytest.mark.postgres
def test_rotation_refuses_revoked_and_expired_tokens(server_db: Engine, clock: ManualClock) -> None:
    repo = PostgresRepository(server_db)
    token = _user_and_token(repo, clock)
    assert not repo.rotate_refresh_token("old", _successor(token, "s1", clock), token.expires_at)
    assert repo.revoke_user_tokens(token.user_id, clock(), keep_family="family") == 0
    assert repo.revoke_family("family", clock()) == 1
    assert repo.revoke_family("family", clock()) == 0
    assert not repo.rotate_refresh_token("old", _successor(token, "s2", clock), clock())
    assert _successors(server_db) == []


@pytest.mark.postgres
def test_the_sync_role_cannot_read_or_write_auth(server_db: Engine) -> None:
    owner = "0190aaaa-0000-7000-8000-0000000000cc"
    for table in AUTH_TABLES:
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            owner_transaction(server_db, owner) as conn,
        ):
            conn.execute(text(f"SELECT * FROM {table}"))
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            owner_transaction(server_db, owner) as conn,
        ):
            conn.execute(text(f"DELETE FROM {table}"))


def test_audit_entries_are_listed_newest_first_per_user(repo: AccountsRepository, clock: ManualClock) -> None:
    user, other = str(uuid.uuid4()), str(uuid.uuid4())
    for n in range(3):
        clock.advance(seconds=1)
        repo.add_audit_event(
            AuditEvent(str(uuid.uuid4()), user, clock(), f"e{n}", "pc", ADDRESS, {"n": n, "nested": [1, "a"]})
        )
    repo.add_audit_event(AuditEvent(str(uuid.uuid4()), other, clock(), "theirs"))
    listed = repo.list_audit_events(user, 2)
    assert [(e.event, e.device_id, e.address, e.detail["n"]) for e in listed] == [
        ("e2", "pc", ADDRESS, 2),
        ("e1", "pc", ADDRESS, 1),
    ]
    assert listed[0].at == clock() and listed[0].detail["nested"] == [1, "a"]
    assert not repo.is_closed(user)


def test_close_account_keeps_only_the_final_entry_and_prune_expired(
    service: AccountService, outbox: Outbox, repo: AccountsRepository, clock: ManualClock
) -> None:
    session = signed_up(service, outbox)
    other = signed_up(service, outbox, email="ben@example.com")
    service.request_reset("anna@example.com", address=ADDRESS)  # a live code
    assert set(repo.list_user_ids()) == {session.user_id, other.user_id}
    claims = service.authenticate(session.access_token)
    assert service.close_account(claims, rows=2)
    assert not service.close_account(claims)
    assert repo.get_user(session.user_id) is None
    assert repo.list_user_ids() == [other.user_id]
    assert [(e.event, e.address, e.detail) for e in repo.list_audit_events(session.user_id, 10)] == [
        ("account_deleted", None, {"rows": 2})
    ]
    assert repo.is_closed(session.user_id) and not repo.is_closed(other.user_id)
    assert repo.take_code_attempt(session.user_id, "reset_password", clock()) is None
    assert [e.event for e in repo.list_audit_events(other.user_id, 10)] == ["email_verified", "register"]

    assert repo.prune_expired(clock()) == 0
    clock.advance(days=400)  # past every refresh token's and code's expiry
    assert repo.prune_expired(clock()) >= 1
    with pytest.raises(InvalidRefreshToken):
        service.refresh(other.refresh_token)
