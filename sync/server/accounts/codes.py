"""One-time codes for email verification and password reset: 8 characters the user types into the app.

The alphabet leaves out the look-alikes 0/O, 1/I/L (31 symbols, about 40 bits per code). Typed input is
upper-cased and spaces and dashes are dropped. A code lives 30 minutes and allows 5 attempts; issuing a new
one for the same purpose replaces the old (one live code per purpose per user). Codes are stored as
HMAC-SHA256(server key, purpose, user, code), not a plain hash: 40 bits would fall to an offline search of a
leaked table in minutes, and the key lives outside the database. Comparison is constant-time, and an attempt
is spent before the comparison (see `repository.take_code_attempt`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sync.server.accounts.clock import Clock, utc_now
from sync.server.accounts.errors import InvalidCode
from sync.server.accounts.repository import CodePurpose, CodeRow, CodeStore

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
LIFETIME = timedelta(minutes=30)
MAX_ATTEMPTS = 5
MIN_KEY_BYTES = 32


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(entered: str) -> str:
    """The code as stored: upper case, without the spaces and dashes people type between groups."""
    return "".join(ch for ch in entered.upper() if ch not in " -\t")


class OneTimeCodes:
    """Issues and checks codes in a `CodeStore`."""

    def __init__(
        self,
        store: CodeStore,
        key: bytes,
        *,
        clock: Clock = utc_now,
        lifetime: timedelta = LIFETIME,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the code key must be at least {MIN_KEY_BYTES} bytes")
        self._store = store
        self._key = key
        self._clock = clock
        self.lifetime = lifetime
        self.max_attempts = max_attempts

    def issue(self, user_id: str, purpose: CodePurpose) -> str:
        """A fresh code (to be mailed), replacing any earlier code of this purpose for this user."""
        code = new_code()
        now = self._clock()
        self._store.put_code(
            CodeRow(
                user_id=user_id,
                purpose=purpose,
                code_hash=self._hash(user_id, purpose, code),
                created_at=now,
                expires_at=now + self.lifetime,
                attempts_left=self.max_attempts,
            )
        )
        return code

    def consume(self, user_id: str, purpose: CodePurpose, entered: str) -> None:
        """Uses the code up if `entered` is it; raises `InvalidCode` with one sentence otherwise."""
        row = self._store.take_code_attempt(user_id, purpose, self._clock())
        if row is None:
            raise gone()
        candidate = self._hash(user_id, purpose, normalise(entered))
        if not hmac.compare_digest(candidate, row.code_hash):
            if row.attempts_left == 0:
                raise InvalidCode("That code is not right, and it has no tries left; ask for a new code.")
            tries = "1 try" if row.attempts_left == 1 else f"{row.attempts_left} tries"
            raise InvalidCode(f"That code is not right; {tries} left.")
        if not self._store.delete_code(user_id, purpose, row.code_hash):
            raise gone()  # used (or replaced) by a parallel request a moment ago

    def _hash(self, user_id: str, purpose: CodePurpose, code: str) -> str:
        message = f"{purpose}\x00{user_id}\x00{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def gone() -> InvalidCode:
    """The one answer for no code, an expired code and a used-up code (also for an unknown address)."""
    return InvalidCode("That code has expired or was already used; ask for a new one.")
