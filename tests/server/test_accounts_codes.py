"""One-time codes: alphabet, hashed storage, expiry, attempts, replacement, single use."""

from __future__ import annotations

import pytest

from sync.server.accounts.clock import ManualClock
from sync.server.accounts.codes import ALPHABET, OneTimeCodes, new_code
from sync.server.accounts.errors import InvalidCode
from sync.server.accounts.memory import InMemoryRepository

KEY = b"k" * 32
GONE = "That code has expired or was already used; ask for a new one."


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def repo() -> InMemoryRepository:
    return InMemoryRepository()


@pytest.fixture
def codes(repo: InMemoryRepository, clock: ManualClock) -> OneTimeCodes:
    return OneTimeCodes(repo, KEY, clock=clock)


def test_codes_are_eight_unambiguous_characters() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    for _ in range(200):
        code = new_code()
        assert len(code) == 8 and set(code) <= set(ALPHABET)


def test_only_a_keyed_hash_is_stored(codes: OneTimeCodes, repo: InMemoryRepository) -> None:
    code = codes.issue("u1", "verify_email")
    row = repo.codes[("u1", "verify_email")]
    assert code not in row.code_hash and len(row.code_hash) == 64
    other = OneTimeCodes(InMemoryRepository(), b"j" * 32)
    assert other._hash("u1", "verify_email", code) != row.code_hash


def test_the_right_code_works_once_typed_loosely(codes: OneTimeCodes) -> None:
    code = codes.issue("u1", "verify_email")
    codes.consume("u1", "verify_email", f" {code[:4].lower()}-{code[4:]} ")
    with pytest.raises(InvalidCode, match="already used"):
        codes.consume("u1", "verify_email", code)


def test_purposes_and_users_are_separate(codes: OneTimeCodes) -> None:
    code = codes.issue("u1", "verify_email")
    with pytest.raises(InvalidCode):
        codes.consume("u1", "reset_password", code)
    with pytest.raises(InvalidCode):
        codes.consume("u2", "verify_email", code)
    codes.consume("u1", "verify_email", code)


def test_a_code_expires_after_30_minutes(codes: OneTimeCodes, clock: ManualClock) -> None:
    code = codes.issue("u1", "reset_password")
    clock.advance(minutes=29, seconds=59)
    fresh = codes.issue("u2", "reset_password")
    codes.consume("u2", "reset_password", fresh)
    clock.advance(seconds=1)
    with pytest.raises(InvalidCode) as caught:
        codes.consume("u1", "reset_password", code)
    assert str(caught.value) == GONE


def test_five_wrong_attempts_use_the_code_up(codes: OneTimeCodes) -> None:
    code = codes.issue("u1", "verify_email")
    wrong = "".join("2" if ch != "2" else "3" for ch in code)
    messages = []
    for _ in range(5):
        with pytest.raises(InvalidCode) as caught:
            codes.consume("u1", "verify_email", wrong)
        messages.append(str(caught.value))
    assert messages[0] == "That code is not right; 4 tries left."
    assert messages[3] == "That code is not right; 1 try left."
    assert messages[4] == "That code is not right, and it has no tries left; ask for a new code."
    with pytest.raises(InvalidCode) as caught:
        codes.consume("u1", "verify_email", code)
    assert str(caught.value) == GONE


def test_a_new_code_replaces_the_old_one(codes: OneTimeCodes) -> None:
    first = codes.issue("u1", "verify_email")
    second = codes.issue("u1", "verify_email")
    if first != second:
        with pytest.raises(InvalidCode):
            codes.consume("u1", "verify_email", first)
    codes.consume("u1", "verify_email", second)
