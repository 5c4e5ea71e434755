"""Access tokens (JWT) and refresh tokens (opaque, rotated, in families).

**Access tokens** are JWTs signed with HS256. Only this service issues and checks them (every replica holds
the same secret from the environment), so an asymmetric algorithm would buy nothing but a key pair to
manage; and EdDSA in PyJWT needs `cryptography`, which the service does not otherwise depend on. Claims:
`sub` (user id), `aud` ("printstall-sync" unless configured), `iss`, `iat`, `exp` (10 minutes unless
configured), `jti`, `did` (device id) and
`sid` (the session, i.e. the refresh-token family, so "change password" can keep the caller's own session).
`decode` raises one `InvalidAccessToken` for every kind of bad token. A token signed with the key of a
previous secret (being rotated out) is still accepted until it expires. An access token stays valid
until it expires even after a logout: that is the price of not reading the database on every request,
bounded by the 10 minutes.

**Refresh tokens** are 32 random bytes, url-safe base64, stored only as their SHA-256. A sign-in starts a
family; every refresh marks the presented token rotated and issues its successor (a compare-and-swap, see
`repository.py`). Presenting a rotated token again is reuse: the whole family is revoked, because either the
client or a thief holds a stale copy. Except within 60 s of the rotation, when the same successor is handed
back (a client whose connection was cut before it saw the answer retries with the old token). The successor
must be the *same* text, but the store holds hashes only; so a successor is derived, not drawn: it is
HMAC-SHA256(server key, presented token). Anyone who can present the old token within the grace window gets
the successor (inherent in the requirement); the database alone never yields a usable token. The grace
applies only while the successor itself is live (not rotated, not revoked); otherwise it is reuse as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from sync.server.accounts.clock import Clock, utc_now
from sync.server.accounts.errors import InvalidAccessToken, InvalidRefreshToken
from sync.server.accounts.repository import RefreshTokenRow, RefreshTokenStore

AUDIENCE = "printstall-sync"
DEFAULT_ISSUER = "printstall"
ALGORITHM = "HS256"
ACCESS_LIFETIME = timedelta(minutes=10)
REFRESH_LIFETIME = timedelta(days=30)  # sliding: each rotation starts 30 days afresh
REUSE_GRACE = timedelta(seconds=60)
MIN_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says."""

    user_id: str
    device_id: str
    session_id: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


class AccessTokens:
    """Issues and checks HS256 access tokens with one secret key."""

    def __init__(
        self,
        key: bytes,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = AUDIENCE,
        lifetime: timedelta = ACCESS_LIFETIME,
        previous_keys: Sequence[bytes] = (),
        clock: Clock = utc_now,
    ) -> None:
        if any(len(k) < MIN_KEY_BYTES for k in (key, *previous_keys)):
            raise ValueError(f"the access-token key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key
        # Keys of a secret being rotated out: tokens they signed are still accepted until they expire.
        self._previous_keys = tuple(previous_keys)
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._clock = clock

    def _decode_with(self, token: str, key: bytes) -> dict[str, Any]:
        # Expiry is checked by `decode` against the injectable clock, not PyJWT's wall clock.
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=self.audience,
            issuer=self.issuer,
            options={
                "require": ["sub", "aud", "iss", "iat", "exp", "jti", "did", "sid"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        return claims

    def issue(self, user_id: str, device_id: str, session_id: str) -> tuple[str, datetime]:
        """A signed token and the time it expires."""
        now = self._clock()
        expires = now + self.lifetime
        claims: dict[str, Any] = {
            "sub": user_id,
            "aud": self.audience,
            "iss": self.issuer,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
            "did": device_id,
            "sid": session_id,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), expires

    def decode(self, token: str) -> AccessClaims:
        """The claims of a valid token; `InvalidAccessToken` for anything else."""
        claims: dict[str, Any] | None = None
        for key in (self._key, *self._previous_keys):
            try:
                claims = self._decode_with(token, key)
                break
            except jwt.InvalidSignatureError:
                continue  # perhaps signed with a key being rotated out
            except jwt.PyJWTError as error:
                raise InvalidAccessToken() from error
        if claims is None:
            raise InvalidAccessToken()
        fields = ("sub", "did", "sid", "jti")
        if not all(isinstance(claims[f], str) for f in fields):
            raise InvalidAccessToken()
        if not all(isinstance(claims[f], int) for f in ("iat", "exp")):
            raise InvalidAccessToken()
        if self._clock().timestamp() >= claims["exp"]:
            raise InvalidAccessToken()
        return AccessClaims(
            user_id=claims["sub"],
            device_id=claims["did"],
            session_id=claims["sid"],
            token_id=claims["jti"],
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )


@dataclass(frozen=True, slots=True)
class IssuedRefresh:
    """A refresh token's text (shown to the client once) and its stored row."""

    token: str
    row: RefreshTokenRow


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class RefreshTokens:
    """Starts, rotates and revokes refresh-token families in a `RefreshTokenStore`."""

    def __init__(
        self,
        store: RefreshTokenStore,
        successor_key: bytes,
        *,
        clock: Clock = utc_now,
        lifetime: timedelta = REFRESH_LIFETIME,
        grace: timedelta = REUSE_GRACE,
    ) -> None:
        if len(successor_key) < MIN_KEY_BYTES:
            raise ValueError(f"the refresh-token key must be at least {MIN_KEY_BYTES} bytes")
        self._store = store
        self._successor_key = successor_key
        self._clock = clock
        self.lifetime = lifetime
        self.grace = grace

    def start(self, user_id: str, device_id: str) -> IssuedRefresh:
        """The first token of a new family (a sign-in on one device)."""
        token = secrets.token_urlsafe(32)
        row = self._row(token, user_id, uuid.uuid4().hex, device_id, self._clock())
        self._store.insert_refresh_token(row)
        return IssuedRefresh(token, row)

    def rotate(self, token: str) -> IssuedRefresh:
        """The successor of `token`; raises `InvalidRefreshToken` (revoking the family on reuse)."""
        now = self._clock()
        token_hash = hash_refresh_token(token)
        row = self._store.get_refresh_token(token_hash)
        self._check_live(row, now)
        assert row is not None
        successor_token = self._successor_of(token)
        successor = self._row(successor_token, row.user_id, row.family_id, row.device_id, now)
        if row.rotated_at is None:
            if self._store.rotate_refresh_token(token_hash, successor, now):
                return IssuedRefresh(successor_token, successor)
            # Another request rotated it first (or it was revoked meanwhile): judge the row as it is now.
            row = self._store.get_refresh_token(token_hash)
            self._check_live(row, now)
            assert row is not None and row.rotated_at is not None
        if (
            row.rotated_at is not None
            and now - row.rotated_at <= self.grace
            and row.successor_hash is not None
            and hmac.compare_digest(row.successor_hash, successor.token_hash)
        ):
            current = self._store.get_refresh_token(row.successor_hash)
            if current is not None and current.rotated_at is None and current.revoked_at is None:
                return IssuedRefresh(successor_token, current)
        self._store.revoke_family(row.family_id, now)
        raise InvalidRefreshToken(reused=True)

    def find(self, token: str) -> RefreshTokenRow | None:
        return self._store.get_refresh_token(hash_refresh_token(token))

    def revoke_family(self, family_id: str) -> int:
        """Log out one device: every token of that sign-in stops working."""
        return self._store.revoke_family(family_id, self._clock())

    def revoke_user(self, user_id: str, *, keep_family: str | None = None) -> int:
        """Log out every device of a user (but `keep_family`, when given)."""
        return self._store.revoke_user_tokens(user_id, self._clock(), keep_family=keep_family)

    def _check_live(self, row: RefreshTokenRow | None, now: datetime) -> None:
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise InvalidRefreshToken()

    def _successor_of(self, token: str) -> str:
        digest = hmac.new(self._successor_key, token.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def _row(
        self, token: str, user_id: str, family_id: str, device_id: str, now: datetime
    ) -> RefreshTokenRow:
        return RefreshTokenRow(
            token_hash=hash_refresh_token(token),
            user_id=user_id,
            family_id=family_id,
            device_id=device_id,
            issued_at=now,
            expires_at=now + self.lifetime,
        )
