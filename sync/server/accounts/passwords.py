"""Password hashing (argon2id) and the rules a new password must meet.

Parameters are explicit, not the library's defaults, so a library upgrade never changes them silently:
argon2id, 3 passes over 64 MiB with 4 lanes (RFC 9106's second recommended option, for servers that cannot
give 2 GiB to each login), 16-byte salt, 32-byte hash. Raising them later is safe: `verify` reports when a
stored hash was made with other parameters and hands back a new hash to store (rehash on the next successful
login).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sync.server.accounts.errors import WeakPassword

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing megabytes of "password" is a denial of service, not a security gain

# A short list of the most common passwords of ten characters or more (shorter ones fail the length rule).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "asdfghjkl;",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "abcdefghij",
        "abc1234567",
        "1111111111",
        "0000000000",
        "aaaaaaaaaa",
        "letmein123",
        "welcome123",
        "football123",
        "baseball123",
        "princess123",
        "sunshine123",
        "dragon1234",
        "monkey1234",
        "changeme123",
        "administrator",
        "printstall",
        "printstall1",
        "printstall123",
    }
)


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """The cost of one hash; `PRODUCTION` is what the service uses, tests pass a cheaper one."""

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 4
    hash_len: int = 32
    salt_len: int = 16


PRODUCTION = Argon2Parameters()


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking a password: whether it matched, and a new hash to store when one is due."""

    ok: bool
    new_hash: str | None = None


class Passwords:
    """Hashes and verifies passwords with argon2id at the given parameters."""

    def __init__(self, parameters: Argon2Parameters = PRODUCTION) -> None:
        self.parameters = parameters
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism,
            hash_len=parameters.hash_len,
            salt_len=parameters.salt_len,
            type=Type.ID,
        )
        # Verifying against this when an account does not exist costs the same as a real check.
        self._dummy_hash = self._hasher.hash("not a password of anyone")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> Verification:
        """Checks `password` against `stored_hash`; on success, a rehash when the parameters have changed."""
        try:
            self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verification(ok=True, new_hash=self._hasher.hash(password))
        return Verification(ok=True)

    def waste_time(self, password: str) -> None:
        """Spends what a real verification would, so an unknown email answers as slowly as a known one."""
        self.verify(self._dummy_hash, password)


def check_password_rules(password: str, email: str) -> None:
    """Raises `WeakPassword` with one sentence naming the first rule `password` breaks."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use a password of at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use a password of at most {MAX_LENGTH} characters.")
    folded = password.strip().casefold()
    address = email.strip().casefold()
    if folded in {address, address.partition("@")[0]}:
        raise WeakPassword("Use a password that is not your email address.")
    if folded in COMMON_PASSWORDS:
        raise WeakPassword("That password is one of the most common ones; choose another.")
