"""Password hashing (argon2id, explicit parameters, rehash) and the password rules."""

from __future__ import annotations

import pytest

from sync.server.accounts.errors import WeakPassword
from sync.server.accounts.passwords import PRODUCTION, Argon2Parameters, Passwords, check_password_rules

CHEAP = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)


def test_production_hash_is_argon2id_with_the_stated_parameters() -> None:
    stored = Passwords(PRODUCTION).hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_verify_accepts_the_password_and_refuses_others() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("correct horse battery")
    assert passwords.verify(stored, "correct horse battery").ok
    assert passwords.verify(stored, "correct horse batterY").ok is False
    assert passwords.verify("not a hash", "correct horse battery").ok is False


def test_verify_hands_back_a_new_hash_when_the_parameters_changed() -> None:
    old = Passwords(CHEAP).hash("correct horse battery")
    stronger = Passwords(Argon2Parameters(time_cost=2, memory_cost_kib=16, parallelism=1))
    result = stronger.verify(old, "correct horse battery")
    assert result.ok and result.new_hash is not None
    assert "$m=16,t=2,p=1$" in result.new_hash
    assert stronger.verify(result.new_hash, "correct horse battery").new_hash is None
    assert Passwords(CHEAP).verify(old, "wrong password!").new_hash is None


@pytest.mark.parametrize(
    ("password", "sentence"),
    [
        ("short1!", "Use a password of at least 10 characters."),
        ("x" * 1025, "Use a password of at most 1024 characters."),
        ("Maker.Anna@Example.com", "Use a password that is not your email address."),
        ("maker.anna", "Use a password that is not your email address."),
        ("Password123", "That password is one of the most common ones; choose another."),
        ("qwertyuiop", "That password is one of the most common ones; choose another."),
    ],
)
def test_rules_refuse_with_one_sentence(password: str, sentence: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        check_password_rules(password, "maker.anna@example.com")
    assert str(caught.value) == sentence


def test_a_good_password_passes() -> None:
    check_password_rules("spools of teal PLA", "maker.anna@example.com")
