"""What the accounts logic stores, as a typed Protocol: users, refresh tokens, one-time codes, counters and
the audit log.

Each method is one SQL statement (or one SECURITY DEFINER function in the `auth` schema) and must be atomic
on its own; the logic never needs a transaction around two calls. What PostgreSQL must do per method:

Users (`auth.users`, unique index on `email_key`):
- `insert_user`: `INSERT ... ON CONFLICT (email_key) DO NOTHING`; True when the row was inserted.
- `get_user`, `get_user_by_email`: one `SELECT` by primary key / by `email_key`.
- `mark_verified`: `UPDATE users SET verified_at = coalesce(verified_at, :now) WHERE id = :id`.
- `set_password_hash`: `UPDATE users SET password_hash = :hash, password_changed_at = :now WHERE id = :id`.

Refresh tokens (`auth.refresh_tokens`, primary key `token_hash`, indexes on `family_id` and `user_id`):
- `insert_refresh_token`: a plain `INSERT` (the first token of a new family, at sign-in).
- `get_refresh_token`: one `SELECT` by `token_hash`.
- `rotate_refresh_token`: a compare-and-swap. In one statement (a data-modifying CTE), set `rotated_at` and
  `successor_hash` on the old row *only if* it is not yet rotated, not revoked and not expired, and insert
  the successor row only if that update touched a row: `WITH old AS (UPDATE refresh_tokens SET rotated_at =
  :now, successor_hash = :succ WHERE token_hash = :old AND rotated_at IS NULL AND revoked_at IS NULL AND
  expires_at > :now RETURNING 1) INSERT INTO refresh_tokens (...) SELECT ... FROM old`. True when the swap
  happened; two concurrent rotations of one token therefore make exactly one successor.
- `revoke_family`: `UPDATE refresh_tokens SET revoked_at = :now WHERE family_id = :f AND revoked_at IS
  NULL`.
- `revoke_user_tokens`: the same by `user_id`, optionally `AND family_id <> :keep`.

One-time codes (`auth.one_time_codes`, primary key `(user_id, purpose)`: one live code per purpose per
user):
- `put_code`: `INSERT ... ON CONFLICT (user_id, purpose) DO UPDATE SET ...` (a new code replaces the old
  one).
- `take_code_attempt`: `UPDATE one_time_codes SET attempts_left = attempts_left - 1 WHERE user_id = :u AND
  purpose = :p AND attempts_left > 0 AND expires_at > :now RETURNING *`: an attempt is spent *before* the
  comparison, so parallel guesses cannot exceed the limit. None when there is no live code.
- `delete_code`: `DELETE ... WHERE user_id = :u AND purpose = :p AND code_hash = :h` (only the code that was
  checked, never a newer one that replaced it); True when a row went, so a code is used at most once.

Rate-limit counters (`auth.rate_limit_counters`, primary key `(key, window_start)`):
- `hit_counter`: `INSERT ... VALUES (:key, :start, 1, :expires) ON CONFLICT (key, window_start) DO UPDATE
  SET count = count + 1 RETURNING count`.
- `prune_counters`: `DELETE ... WHERE expires_at <= :now` (housekeeping, from a periodic job).

Housekeeping and account deletion:
- `prune_expired`: `WITH t AS (DELETE FROM refresh_tokens WHERE expires_at <= :now RETURNING 1), c AS
  (DELETE FROM one_time_codes WHERE expires_at <= :now RETURNING 1) SELECT count(t) + count(c)`.
- `list_user_ids`: `SELECT id FROM users` (the daily job's owners).
- `close_account`: in one statement, delete the user (refresh tokens and codes go with it by foreign key) and
  every audit entry of theirs, and insert the one `account_deleted` entry given, only if the user row went.

Audit entries (`auth.audit_events`, index (user_id, at)):
- `add_audit_event`: a plain `INSERT`.
- `list_audit_events`: the user's latest `limit` entries, newest first.
- `is_closed`: whether the user has an `account_deleted` entry (a partial index makes it one probe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

CodePurpose = Literal["verify_email", "reset_password"]


@dataclass(frozen=True, slots=True)
class User:
    """An account. `email_key` is the case-folded address, unique; `email` is kept as the user typed it."""

    id: str
    email: str
    email_key: str
    password_hash: str
    created_at: datetime
    password_changed_at: datetime
    verified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshTokenRow:
    """One refresh token, stored by the SHA-256 of its text; the tokens of one sign-in share a `family_id`."""

    token_hash: str
    user_id: str
    family_id: str
    device_id: str
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    successor_hash: str | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CodeRow:
    """The live one-time code of one purpose for one user, stored as a keyed hash."""

    user_id: str
    purpose: CodePurpose
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts_left: int


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something that happened to an account. `detail` holds small facts (never a password, code or token)."""

    id: str
    user_id: str
    at: datetime
    event: str
    device_id: str | None = None
    address: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class UserStore(Protocol):
    def insert_user(self, user: User) -> bool: ...
    def get_user(self, user_id: str) -> User | None: ...
    def get_user_by_email(self, email_key: str) -> User | None: ...
    def mark_verified(self, user_id: str, now: datetime) -> None: ...
    def set_password_hash(self, user_id: str, password_hash: str, now: datetime) -> None: ...
    def list_user_ids(self) -> list[str]: ...
    def close_account(self, user_id: str, final: AuditEvent) -> bool: ...


class RefreshTokenStore(Protocol):
    def insert_refresh_token(self, row: RefreshTokenRow) -> None: ...
    def get_refresh_token(self, token_hash: str) -> RefreshTokenRow | None: ...
    def rotate_refresh_token(self, old_hash: str, successor: RefreshTokenRow, now: datetime) -> bool: ...
    def revoke_family(self, family_id: str, now: datetime) -> int: ...
    def revoke_user_tokens(self, user_id: str, now: datetime, *, keep_family: str | None = None) -> int: ...


class CodeStore(Protocol):
    def put_code(self, row: CodeRow) -> None: ...
    def take_code_attempt(self, user_id: str, purpose: CodePurpose, now: datetime) -> CodeRow | None: ...
    def delete_code(self, user_id: str, purpose: CodePurpose, code_hash: str) -> bool: ...


class CounterStore(Protocol):
    def hit_counter(self, key: str, window_start: datetime, expires_at: datetime) -> int: ...
    def prune_counters(self, now: datetime) -> int: ...
    def prune_expired(self, now: datetime) -> int: ...


class AuditStore(Protocol):
    def add_audit_event(self, event: AuditEvent) -> None: ...
    def list_audit_events(self, user_id: str, limit: int) -> list[AuditEvent]: ...
    def is_closed(self, user_id: str) -> bool: ...


class AccountsRepository(UserStore, RefreshTokenStore, CodeStore, CounterStore, AuditStore, Protocol):
    """Everything the accounts logic stores; PostgreSQL's `auth` schema and `memory.InMemoryRepository`."""
