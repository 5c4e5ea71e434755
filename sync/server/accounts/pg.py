"""The PostgreSQL `AccountsRepository`: the `auth` schema (migrations s0001-s0003), one statement per method.

Every method runs its one statement in a transaction of its own as `printstall_auth` (`SET LOCAL ROLE`, which
ends with the transaction), so the statement's atomicity is all the accounts logic relies on (see
`repository.py`); the role may use `auth` and nothing else, and `printstall_app` may not use `auth` at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

from sync.server.accounts.repository import AuditEvent, CodePurpose, CodeRow, RefreshTokenRow, User
from sync.server.db import AUTH_ROLE

_USER_COLUMNS = (
    "id::text AS id, email, email_key, password_hash, created_at, password_changed_at, verified_at"
)
_TOKEN_COLUMNS = (
    "token_hash, user_id::text AS user_id, family_id, device_id, issued_at, expires_at, rotated_at, "
    "successor_hash, revoked_at"
)
_CODE_COLUMNS = "user_id::text AS user_id, purpose, code_hash, created_at, expires_at, attempts_left"

_INSERT_USER = text(
    "INSERT INTO auth.users (id, email, email_key, password_hash, created_at, password_changed_at, "
    "verified_at) VALUES (CAST(:id AS uuid), :email, :email_key, :password_hash, :created_at, "
    ":password_changed_at, :verified_at) ON CONFLICT (email_key) DO NOTHING"
)
_GET_USER = text(f"SELECT {_USER_COLUMNS} FROM auth.users WHERE id = CAST(:id AS uuid)")
_GET_USER_BY_EMAIL = text(f"SELECT {_USER_COLUMNS} FROM auth.users WHERE email_key = :email_key")
_MARK_VERIFIED = text(
    "UPDATE auth.users SET verified_at = coalesce(verified_at, :now) WHERE id = CAST(:id AS uuid)"
)
_SET_PASSWORD_HASH = text(
    "UPDATE auth.users SET password_hash = :hash, password_changed_at = :now WHERE id = CAST(:id AS uuid)"
)

_INSERT_TOKEN = text(
    "INSERT INTO auth.refresh_tokens (token_hash, user_id, family_id, device_id, issued_at, expires_at, "
    "rotated_at, successor_hash, revoked_at) VALUES (:token_hash, CAST(:user_id AS uuid), :family_id, "
    ":device_id, :issued_at, :expires_at, :rotated_at, :successor_hash, :revoked_at)"
)
_GET_TOKEN = text(f"SELECT {_TOKEN_COLUMNS} FROM auth.refresh_tokens WHERE token_hash = :token_hash")
_ROTATE_TOKEN = text(
    "WITH old AS ("
    " UPDATE auth.refresh_tokens SET rotated_at = :now, successor_hash = :token_hash"
    " WHERE token_hash = :old_hash AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > :now"
    " RETURNING 1"
    ") INSERT INTO auth.refresh_tokens (token_hash, user_id, family_id, device_id, issued_at, expires_at)"
    " SELECT :token_hash, CAST(:user_id AS uuid), :family_id, :device_id, :issued_at, :expires_at FROM old"
    " RETURNING 1"
)
_REVOKE_FAMILY = text(
    "UPDATE auth.refresh_tokens SET revoked_at = :now WHERE family_id = :family_id AND revoked_at IS NULL"
)
_REVOKE_USER = text(
    "UPDATE auth.refresh_tokens SET revoked_at = :now WHERE user_id = CAST(:user_id AS uuid) "
    "AND revoked_at IS NULL AND family_id IS DISTINCT FROM :keep"
)

_PUT_CODE = text(
    "INSERT INTO auth.one_time_codes (user_id, purpose, code_hash, created_at, expires_at, attempts_left) "
    "VALUES (CAST(:user_id AS uuid), :purpose, :code_hash, :created_at, :expires_at, :attempts_left) "
    "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at, "
    "attempts_left = excluded.attempts_left"
)
_TAKE_CODE_ATTEMPT = text(
    "UPDATE auth.one_time_codes SET attempts_left = attempts_left - 1 "
    "WHERE user_id = CAST(:user_id AS uuid) AND purpose = :purpose "
    "AND attempts_left > 0 AND expires_at > :now "
    f"RETURNING {_CODE_COLUMNS}"
)
_DELETE_CODE = text(
    "DELETE FROM auth.one_time_codes "
    "WHERE user_id = CAST(:user_id AS uuid) AND purpose = :purpose AND code_hash = :code_hash"
)

_HIT_COUNTER = text(
    "INSERT INTO auth.rate_limit_counters (key, window_start, count, expires_at) "
    "VALUES (:key, :window_start, 1, :expires_at) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = auth.rate_limit_counters.count + 1 "
    "RETURNING count"
)
_PRUNE_COUNTERS = text("DELETE FROM auth.rate_limit_counters WHERE expires_at <= :now")
_PRUNE_EXPIRED = text(
    "WITH t AS (DELETE FROM auth.refresh_tokens WHERE expires_at <= :now RETURNING 1), "
    "c AS (DELETE FROM auth.one_time_codes WHERE expires_at <= :now RETURNING 1) "
    "SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM c) AS gone"
)
_LIST_USER_IDS = text("SELECT id::text AS id FROM auth.users ORDER BY id")

_AUDIT_COLUMNS = "id::text AS id, user_id::text AS user_id, at, event, device_id, address, detail"
_AUDIT_VALUES = "CAST(:id AS uuid), CAST(:user_id AS uuid), :at, :event, :device_id, :address, :detail"
_ADD_AUDIT = text(
    f"INSERT INTO auth.audit_events (id, user_id, at, event, device_id, address, detail) "
    f"VALUES ({_AUDIT_VALUES})"
).bindparams(bindparam("detail", type_=JSONB))
_LIST_AUDIT = text(
    f"SELECT {_AUDIT_COLUMNS} FROM auth.audit_events WHERE user_id = CAST(:user_id AS uuid) "
    "ORDER BY at DESC, id DESC LIMIT :limit"
)
_IS_CLOSED = text(
    "SELECT EXISTS (SELECT 1 FROM auth.audit_events WHERE user_id = CAST(:user_id AS uuid) "
    "AND event = 'account_deleted') AS closed"
)
# One statement: the user row (tokens and codes follow by foreign key), every audit entry of theirs, and the
# one entry that stays, inserted only when the user row went. Every part sees the same snapshot, so the new
# entry is not among the deleted ones.
_CLOSE_ACCOUNT = text(
    "WITH gone AS (DELETE FROM auth.users WHERE id = CAST(:user_id AS uuid) RETURNING id), "
    "old AS (DELETE FROM auth.audit_events WHERE user_id = CAST(:user_id AS uuid) "
    "AND EXISTS (SELECT 1 FROM gone)) "
    "INSERT INTO auth.audit_events (id, user_id, at, event, device_id, address, detail) "
    f"SELECT {_AUDIT_VALUES} FROM gone RETURNING 1"
).bindparams(bindparam("detail", type_=JSONB))


class PostgresRepository:
    """`AccountsRepository` over the `auth` schema on the service's pooled engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            conn.execute(text(f"SET LOCAL ROLE {AUTH_ROLE}"))
            yield conn

    def _rowcount(self, statement: Any, params: Mapping[str, object]) -> int:
        with self._transaction() as conn:
            return conn.execute(statement, dict(params)).rowcount

    def _one(self, statement: Any, params: Mapping[str, object]) -> Mapping[str, Any] | None:
        with self._transaction() as conn:
            row = conn.execute(statement, dict(params)).mappings().one_or_none()
            return None if row is None else dict(row)

    # Users
    def insert_user(self, user: User) -> bool:
        params = {
            "id": user.id,
            "email": user.email,
            "email_key": user.email_key,
            "password_hash": user.password_hash,
            "created_at": user.created_at,
            "password_changed_at": user.password_changed_at,
            "verified_at": user.verified_at,
        }
        return self._rowcount(_INSERT_USER, params) == 1

    def get_user(self, user_id: str) -> User | None:
        row = self._one(_GET_USER, {"id": user_id})
        return None if row is None else User(**row)

    def get_user_by_email(self, email_key: str) -> User | None:
        row = self._one(_GET_USER_BY_EMAIL, {"email_key": email_key})
        return None if row is None else User(**row)

    def mark_verified(self, user_id: str, now: datetime) -> None:
        self._rowcount(_MARK_VERIFIED, {"id": user_id, "now": now})

    def set_password_hash(self, user_id: str, password_hash: str, now: datetime) -> None:
        self._rowcount(_SET_PASSWORD_HASH, {"id": user_id, "hash": password_hash, "now": now})

    def list_user_ids(self) -> list[str]:
        with self._transaction() as conn:
            return [str(row.id) for row in conn.execute(_LIST_USER_IDS)]

    def close_account(self, user_id: str, final: AuditEvent) -> bool:
        return self._one(_CLOSE_ACCOUNT, _audit_params(final)) is not None

    # Refresh tokens
    def insert_refresh_token(self, row: RefreshTokenRow) -> None:
        self._rowcount(_INSERT_TOKEN, _token_params(row))

    def get_refresh_token(self, token_hash: str) -> RefreshTokenRow | None:
        row = self._one(_GET_TOKEN, {"token_hash": token_hash})
        return None if row is None else RefreshTokenRow(**row)

    def rotate_refresh_token(self, old_hash: str, successor: RefreshTokenRow, now: datetime) -> bool:
        params = {**_token_params(successor), "old_hash": old_hash, "now": now}
        return self._one(_ROTATE_TOKEN, params) is not None

    def revoke_family(self, family_id: str, now: datetime) -> int:
        return self._rowcount(_REVOKE_FAMILY, {"family_id": family_id, "now": now})

    def revoke_user_tokens(self, user_id: str, now: datetime, *, keep_family: str | None = None) -> int:
        return self._rowcount(_REVOKE_USER, {"user_id": user_id, "now": now, "keep": keep_family})

    # One-time codes
    def put_code(self, row: CodeRow) -> None:
        params = {
            "user_id": row.user_id,
            "purpose": row.purpose,
            "code_hash": row.code_hash,
            "created_at": row.created_at,
            "expires_at": row.expires_at,
            "attempts_left": row.attempts_left,
        }
        self._rowcount(_PUT_CODE, params)

    def take_code_attempt(self, user_id: str, purpose: CodePurpose, now: datetime) -> CodeRow | None:
        row = self._one(_TAKE_CODE_ATTEMPT, {"user_id": user_id, "purpose": purpose, "now": now})
        return None if row is None else CodeRow(**row)

    def delete_code(self, user_id: str, purpose: CodePurpose, code_hash: str) -> bool:
        params = {"user_id": user_id, "purpose": purpose, "code_hash": code_hash}
        return self._rowcount(_DELETE_CODE, params) == 1

    # Rate-limit counters
    def hit_counter(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        row = self._one(_HIT_COUNTER, {"key": key, "window_start": window_start, "expires_at": expires_at})
        assert row is not None
        return int(row["count"])

    def prune_counters(self, now: datetime) -> int:
        return self._rowcount(_PRUNE_COUNTERS, {"now": now})

    def prune_expired(self, now: datetime) -> int:
        row = self._one(_PRUNE_EXPIRED, {"now": now})
        assert row is not None
        return int(row["gone"])

    # Audit entries
    def add_audit_event(self, event: AuditEvent) -> None:
        self._rowcount(_ADD_AUDIT, _audit_params(event))

    def list_audit_events(self, user_id: str, limit: int) -> list[AuditEvent]:
        with self._transaction() as conn:
            rows = conn.execute(_LIST_AUDIT, {"user_id": user_id, "limit": limit}).mappings().all()
            return [AuditEvent(**row) for row in rows]

    def is_closed(self, user_id: str) -> bool:
        row = self._one(_IS_CLOSED, {"user_id": user_id})
        return row is not None and bool(row["closed"])


def _audit_params(event: AuditEvent) -> dict[str, object]:
    return {
        "id": event.id,
        "user_id": event.user_id,
        "at": event.at,
        "event": event.event,
        "device_id": event.device_id,
        "address": event.address,
        "detail": event.detail,
    }


def _token_params(row: RefreshTokenRow) -> dict[str, object]:
    return {
        "token_hash": row.token_hash,
        "user_id": row.user_id,
        "family_id": row.family_id,
        "device_id": row.device_id,
        "issued_at": row.issued_at,
        "expires_at": row.expires_at,
        "rotated_at": row.rotated_at,
        "successor_hash": row.successor_hash,
        "revoked_at": row.revoked_at,
    }
