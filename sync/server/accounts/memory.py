"""An in-memory `AccountsRepository`: the store of the accounts tests, and of a server run without a database.

A lock around each method gives it the same all-or-nothing behaviour the SQL statement has (see
`repository.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sync.server.accounts.repository import AuditEvent, CodePurpose, CodeRow, RefreshTokenRow, User

ACCOUNT_DELETED = "account_deleted"


class InMemoryRepository:
    """Dictionaries behind a lock; every method mirrors one statement of the PostgreSQL implementation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, RefreshTokenRow] = {}
        self.codes: dict[tuple[str, CodePurpose], CodeRow] = {}
        self.counters: dict[tuple[str, datetime], tuple[int, datetime]] = {}
        self.audit: list[AuditEvent] = []

    # Users
    def insert_user(self, user: User) -> bool:
        with self._lock:
            if any(u.email_key == user.email_key for u in self.users.values()):
                return False
            self.users[user.id] = user
            return True

    def get_user(self, user_id: str) -> User | None:
        with self._lock:
            return self.users.get(user_id)

    def get_user_by_email(self, email_key: str) -> User | None:
        with self._lock:
            return next((u for u in self.users.values() if u.email_key == email_key), None)

    def mark_verified(self, user_id: str, now: datetime) -> None:
        with self._lock:
            user = self.users.get(user_id)
            if user is not None and user.verified_at is None:
                self.users[user_id] = replace(user, verified_at=now)

    def set_password_hash(self, user_id: str, password_hash: str, now: datetime) -> None:
        with self._lock:
            user = self.users.get(user_id)
            if user is not None:
                self.users[user_id] = replace(user, password_hash=password_hash, password_changed_at=now)

    def list_user_ids(self) -> list[str]:
        with self._lock:
            return list(self.users)

    def close_account(self, user_id: str, final: AuditEvent) -> bool:
        with self._lock:
            if self.users.pop(user_id, None) is None:
                return False
            self.tokens = {h: row for h, row in self.tokens.items() if row.user_id != user_id}
            self.codes = {k: row for k, row in self.codes.items() if row.user_id != user_id}
            self.audit = [event for event in self.audit if event.user_id != user_id]
            self.audit.append(final)
            return True

    # Refresh tokens
    def insert_refresh_token(self, row: RefreshTokenRow) -> None:
        with self._lock:
            if row.token_hash in self.tokens:
                raise KeyError("duplicate refresh token hash")
            self.tokens[row.token_hash] = row

    def get_refresh_token(self, token_hash: str) -> RefreshTokenRow | None:
        with self._lock:
            return self.tokens.get(token_hash)

    def rotate_refresh_token(self, old_hash: str, successor: RefreshTokenRow, now: datetime) -> bool:
        with self._lock:
            old = self.tokens.get(old_hash)
            if old is None or old.rotated_at is not None or old.revoked_at is not None:
                return False
            if old.expires_at <= now:
                return False
            self.tokens[old_hash] = replace(old, rotated_at=now, successor_hash=successor.token_hash)
            self.tokens[successor.token_hash] = successor
            return True

    def revoke_family(self, family_id: str, now: datetime) -> int:
        with self._lock:
            return self._revoke(lambda row: row.family_id == family_id, now)

    def revoke_user_tokens(self, user_id: str, now: datetime, *, keep_family: str | None = None) -> int:
        with self._lock:
            return self._revoke(lambda row: row.user_id == user_id and row.family_id != keep_family, now)

    def _revoke(self, match: Callable[[RefreshTokenRow], bool], now: datetime) -> int:
        hits = [h for h, row in self.tokens.items() if row.revoked_at is None and match(row)]
        for h in hits:
            self.tokens[h] = replace(self.tokens[h], revoked_at=now)
        return len(hits)

    # One-time codes
    def put_code(self, row: CodeRow) -> None:
        with self._lock:
            self.codes[(row.user_id, row.purpose)] = row

    def take_code_attempt(self, user_id: str, purpose: CodePurpose, now: datetime) -> CodeRow | None:
        with self._lock:
            row = self.codes.get((user_id, purpose))
            if row is None or row.attempts_left <= 0 or row.expires_at <= now:
                return None
            row = replace(row, attempts_left=row.attempts_left - 1)
            self.codes[(user_id, purpose)] = row
            return row

    def delete_code(self, user_id: str, purpose: CodePurpose, code_hash: str) -> bool:
        with self._lock:
            row = self.codes.get((user_id, purpose))
            if row is None or row.code_hash != code_hash:
                return False
            del self.codes[(user_id, purpose)]
            return True

    # Rate-limit counters
    def hit_counter(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        with self._lock:
            count, _ = self.counters.get((key, window_start), (0, expires_at))
            self.counters[(key, window_start)] = (count + 1, expires_at)
            return count + 1

    def prune_counters(self, now: datetime) -> int:
        with self._lock:
            gone = [k for k, (_, expires) in self.counters.items() if expires <= now]
            for k in gone:
                del self.counters[k]
            return len(gone)

    def prune_expired(self, now: datetime) -> int:
        with self._lock:
            tokens = [h for h, row in self.tokens.items() if row.expires_at <= now]
            codes = [k for k, row in self.codes.items() if row.expires_at <= now]
            for h in tokens:
                del self.tokens[h]
            for k in codes:
                del self.codes[k]
            return len(tokens) + len(codes)

    # Audit entries
    def add_audit_event(self, event: AuditEvent) -> None:
        with self._lock:
            self.audit.append(event)

    def list_audit_events(self, user_id: str, limit: int) -> list[AuditEvent]:
        with self._lock:
            mine = [event for event in self.audit if event.user_id == user_id]
        # Newest first; of entries with the same time, the one added last first.
        return sorted(reversed(mine), key=lambda event: event.at, reverse=True)[:limit]

    def is_closed(self, user_id: str) -> bool:
        with self._lock:
            return any(e.user_id == user_id and e.event == ACCOUNT_DELETED for e in self.audit)
