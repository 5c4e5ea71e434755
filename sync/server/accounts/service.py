"""The account operations the HTTP layer calls: one method per user action, each raising a typed error.

Decisions (where the issue left a choice):
- **Register with an address that has an account** creates nothing and answers exactly as a new registration
  does (the password is hashed either way, so timing matches too); the address's owner gets an email saying
  an account exists (or, when that account is still unconfirmed, a fresh confirmation code). So the register
  form cannot be used to learn who has an account; the rate limit per client address bounds the emails.
- **Signing in before confirming the address is refused** (`EmailNotVerified`, only after the password
  proved right, so it reveals nothing to someone without it). A typo in the address would otherwise leave an
  account that can never reset its password. `verify_email` signs the device in, so the user types no
  password twice.
- **Unknown addresses** at login cost one argon2 verification like known ones, and get the same
  `InvalidCredentials`. `request_reset` and `request_verification` answer nothing, whatever the address; a
  mail failure there is logged, not raised, since raising would tell an existing account from a missing one.
- **Changing the password** ends every other session (the caller's own stays); **resetting** it ends all of
  them and confirms the address (the code proved the user reads that mailbox).
- A successful login with a hash made at older argon2 parameters stores a new hash.
- **The audit log** (`auth.audit_events`, `GET /v1/account/audit`) records what happened to an account, with
  the device id and client address where known, never a password, code or token: `register` (a new account
  only: a registration with a taken address tells its owner by email instead), `email_verified`, `login`,
  `login_failed` (wrong password), `login_limited`, `refresh_reuse` (the session was ended), `logout`,
  `logout_all`, `password_changed`, `reset_requested`, `password_reset`, `export_requested` and
  `account_deleted`. Attempts on addresses without an account are not recorded (there is no one to show
  them to).
- **A deleted account** keeps one `account_deleted` entry (no address, no email); `authenticate` refuses
  the access tokens of such an account (`AccountClosed`), so a token issued before the deletion cannot write
  rows again in the minutes it has left. That costs one index probe per authenticated request.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.ids import uuid7
from sync.server.accounts.clock import Clock, utc_now
from sync.server.accounts.codes import OneTimeCodes, gone
from sync.server.accounts.errors import (
    AccountClosed,
    EmailNotVerified,
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    MailError,
    RateLimited,
    WrongPassword,
)
from sync.server.accounts.limits import LimitPolicy, RateLimiter
from sync.server.accounts.mailer import (
    Mailer,
    Message,
    already_registered_message,
    reset_message,
    verification_message,
)
from sync.server.accounts.passwords import Passwords, check_password_rules
from sync.server.accounts.repository import AccountsRepository, AuditEvent, User
from sync.server.accounts.tokens import (
    ACCESS_LIFETIME,
    AUDIENCE,
    AccessClaims,
    AccessTokens,
    IssuedRefresh,
    RefreshTokens,
)

log = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 254
AUDIT_LIMIT = 100
ACCOUNT_DELETED = "account_deleted"


@dataclass(frozen=True, slots=True)
class AccountKeys:
    """The secrets of the service, each derived from one master secret from the environment.

    `previous_access` holds the access-token keys of secrets being rotated out: tokens they signed are
    accepted until they expire, so rotating the secret signs nobody out.
    """

    access: bytes
    refresh: bytes
    codes: bytes
    previous_access: tuple[bytes, ...] = ()

    @classmethod
    def from_secret(cls, secret: bytes, previous: tuple[bytes, ...] = ()) -> AccountKeys:
        if any(len(s) < 32 for s in (secret, *previous)):
            raise ValueError("the accounts secret must be at least 32 bytes")

        def derive(master: bytes, label: str) -> bytes:
            return hmac.new(master, f"printstall-accounts/{label}".encode(), hashlib.sha256).digest()

        return cls(
            access=derive(secret, "access-token"),
            refresh=derive(secret, "refresh-successor"),
            codes=derive(secret, "codes"),
            previous_access=tuple(derive(old, "access-token") for old in previous),
        )


@dataclass(frozen=True, slots=True)
class Session:
    """What a sign-in or a refresh hands to the app."""

    user_id: str
    session_id: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def email_key(email: str) -> str:
    """The address as compared: trimmed and case-folded. Raises `InvalidEmail` for what cannot be one."""
    address = email.strip()
    local, at, domain = address.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or len(address) > MAX_EMAIL_LENGTH
        or any(ch.isspace() for ch in address)
    ):
        raise InvalidEmail()
    return address.casefold()


class AccountService:
    """Register, confirm, sign in, refresh, sign out, change and reset passwords."""

    def __init__(
        self,
        repository: AccountsRepository,
        mailer: Mailer,
        keys: AccountKeys,
        *,
        clock: Clock = utc_now,
        passwords: Passwords | None = None,
        limits: LimitPolicy | None = None,
        issuer: str = "printstall",
        audience: str = AUDIENCE,
        access_lifetime: timedelta = ACCESS_LIFETIME,
    ) -> None:
        self._repo = repository
        self._mailer = mailer
        self._clock = clock
        self._passwords = passwords or Passwords()
        self._limits = limits or LimitPolicy()
        self._limiter = RateLimiter(repository, clock=clock)
        self.access = AccessTokens(
            keys.access,
            issuer=issuer,
            audience=audience,
            lifetime=access_lifetime,
            previous_keys=keys.previous_access,
            clock=clock,
        )
        self.refresh_tokens = RefreshTokens(repository, keys.refresh, clock=clock)
        self.codes = OneTimeCodes(repository, keys.codes, clock=clock)

    # Registration and confirmation
    def register(self, email: str, password: str, *, address: str) -> None:
        """Starts an account and mails its confirmation code (see the module docstring for existing ones)."""
        key = email_key(email)
        check_password_rules(password, email)
        self._limiter.hit(self._limits.register_per_address, address)
        now = self._clock()
        user = User(
            id=str(uuid.uuid4()),
            email=email.strip(),
            email_key=key,
            password_hash=self._passwords.hash(password),
            created_at=now,
            password_changed_at=now,
        )
        if self._repo.insert_user(user):
            self.record(user.id, "register", address=address)
            self._mail_quietly(verification_message(user.email, self.codes.issue(user.id, "verify_email")))
            return
        existing = self._repo.get_user_by_email(key)
        if existing is not None:
            self._mail_limited_for(existing, already_registered=True)

    def request_verification(self, email: str, *, address: str) -> None:
        """Mails a fresh confirmation code to an unconfirmed account; answers the same for any address."""
        key = email_key(email)
        self._limiter.hit(self._limits.register_per_address, address)
        user = self._repo.get_user_by_email(key)
        if user is not None and user.verified_at is None:
            self._mail_limited_for(user, already_registered=False)

    def verify_email(self, email: str, code: str, *, device_id: str, address: str | None = None) -> Session:
        """Confirms the address with its code and signs this device in."""
        user = self._repo.get_user_by_email(email_key(email))
        if user is None:
            raise gone()
        self.codes.consume(user.id, "verify_email", code)
        self._repo.mark_verified(user.id, self._clock())
        self.record(user.id, "email_verified", device_id=device_id, address=address)
        return self._start_session(user.id, device_id)

    # Sessions
    def login(self, email: str, password: str, *, device_id: str, address: str) -> Session:
        key = email_key(email)
        try:
            self._limiter.hit(self._limits.login_per_address, address)
            self._limiter.hit(self._limits.login_per_account, key)
        except RateLimited:
            limited = self._repo.get_user_by_email(key)
            if limited is not None:
                self.record(limited.id, "login_limited", device_id=device_id, address=address)
            raise
        user = self._repo.get_user_by_email(key)
        if user is None:
            self._passwords.waste_time(password)
            raise InvalidCredentials()
        result = self._passwords.verify(user.password_hash, password)
        if not result.ok:
            self.record(user.id, "login_failed", device_id=device_id, address=address)
            raise InvalidCredentials()
        if result.new_hash is not None:
            self._repo.set_password_hash(user.id, result.new_hash, user.password_changed_at)
        if user.verified_at is None:
            raise EmailNotVerified()
        self.record(user.id, "login", device_id=device_id, address=address)
        return self._start_session(user.id, device_id)

    def refresh(self, refresh_token: str, *, address: str | None = None) -> Session:
        """A new access token and the rotated refresh token (see `tokens.py` for reuse and grace)."""
        try:
            issued = self.refresh_tokens.rotate(refresh_token)
        except InvalidRefreshToken as error:
            if error.reused:
                row = self.refresh_tokens.find(refresh_token)
                if row is not None:
                    self.record(row.user_id, "refresh_reuse", device_id=row.device_id, address=address)
            raise
        user = self._repo.get_user(issued.row.user_id)
        if user is None:
            raise InvalidRefreshToken()
        return self._session(issued)

    def authenticate(self, access_token: str) -> AccessClaims:
        """The claims of a valid access token (`InvalidAccessToken` otherwise; `AccountClosed` for a token of
        a deleted account)."""
        claims = self.access.decode(access_token)
        if _is_uuid(claims.user_id) and self._repo.is_closed(claims.user_id):
            raise AccountClosed()
        return claims

    def logout(self, refresh_token: str, *, address: str | None = None) -> None:
        """Signs this device out (its refresh-token family). An unknown token is already signed out."""
        row = self.refresh_tokens.find(refresh_token)
        if row is not None:
            self.refresh_tokens.revoke_family(row.family_id)
            self.record(row.user_id, "logout", device_id=row.device_id, address=address)

    def logout_all(self, claims: AccessClaims, *, address: str | None = None) -> None:
        """Signs every device of the caller out, this one included."""
        self.refresh_tokens.revoke_user(claims.user_id)
        self.record(claims.user_id, "logout_all", device_id=claims.device_id, address=address)

    # Passwords
    def change_password(
        self,
        claims: AccessClaims,
        current_password: str,
        new_password: str,
        *,
        address: str | None = None,
    ) -> None:
        """Sets a new password after checking the current one; every other session ends."""
        user = self._repo.get_user(claims.user_id)
        if user is None:
            raise InvalidCredentials()
        if not self._passwords.verify(user.password_hash, current_password).ok:
            raise InvalidCredentials()
        check_password_rules(new_password, user.email)
        self._repo.set_password_hash(user.id, self._passwords.hash(new_password), self._clock())
        self.refresh_tokens.revoke_user(user.id, keep_family=claims.session_id)
        self.record(user.id, "password_changed", device_id=claims.device_id, address=address)

    def request_reset(self, email: str, *, address: str) -> None:
        """Mails a reset code when the address has an account; answers the same either way."""
        key = email_key(email)
        self._limiter.hit(self._limits.reset_per_address, address)
        self._limiter.hit(self._limits.reset_per_account, key)
        user = self._repo.get_user_by_email(key)
        if user is None:
            return
        code = self.codes.issue(user.id, "reset_password")
        self.record(user.id, "reset_requested", address=address)
        self._mail_quietly(reset_message(user.email, code))

    def reset_password(self, email: str, code: str, new_password: str, *, address: str) -> None:
        """Sets a new password with a reset code; every session of the account ends."""
        key = email_key(email)
        self._limiter.hit(self._limits.reset_per_address, address)
        user = self._repo.get_user_by_email(key)
        if user is None:
            raise gone()
        check_password_rules(new_password, user.email)
        self.codes.consume(user.id, "reset_password", code)
        now = self._clock()
        self._repo.set_password_hash(user.id, self._passwords.hash(new_password), now)
        self._repo.mark_verified(user.id, now)
        self.refresh_tokens.revoke_user(user.id)
        self.record(user.id, "password_reset", address=address)

    # Data rights (the S3 and synced-row side is sync.server.data_rights)
    def confirm_password(self, claims: AccessClaims, password: str) -> None:
        """Checks the caller's current password again before an irreversible step (`WrongPassword`), counted
        by the per-account sign-in limit so a stolen session cannot guess it."""
        user = self._repo.get_user(claims.user_id)
        if user is None:
            raise WrongPassword()
        self._limiter.hit(self._limits.login_per_account, user.email_key)
        if not self._passwords.verify(user.password_hash, password).ok:
            raise WrongPassword()

    def close_account(self, claims: AccessClaims, **detail: Any) -> bool:
        """Deletes the user row, sessions, codes and audit log, keeping one `account_deleted` entry (no email,
        no address); from then on the account's access tokens are refused. False if it was already gone."""
        final = self._event(claims.user_id, ACCOUNT_DELETED, claims.device_id, None, detail)
        return self._repo.close_account(claims.user_id, final)

    def audit_log(self, user_id: str, limit: int = AUDIT_LIMIT) -> list[AuditEvent]:
        """The user's latest audit entries, newest first."""
        return self._repo.list_audit_events(user_id, limit)

    def record(
        self,
        user_id: str,
        event: str,
        *,
        device_id: str | None = None,
        address: str | None = None,
        **detail: Any,
    ) -> None:
        """Adds an audit entry. `detail` must hold small facts only, never a secret."""
        self._repo.add_audit_event(self._event(user_id, event, device_id, address, detail))

    def user(self, user_id: str) -> User | None:
        """The account (for the export's `account.json`)."""
        return self._repo.get_user(user_id)

    # Helpers
    def _event(
        self, user_id: str, event: str, device_id: str | None, address: str | None, detail: dict[str, Any]
    ) -> AuditEvent:
        return AuditEvent(
            id=uuid7(),  # time-ordered: entries of the same instant list in the order they happened
            user_id=user_id,
            at=self._clock(),
            event=event,
            device_id=device_id,
            address=address,
            detail=dict(detail),
        )

    def _start_session(self, user_id: str, device_id: str) -> Session:
        return self._session(self.refresh_tokens.start(user_id, device_id))

    def _session(self, issued: IssuedRefresh) -> Session:
        row = issued.row
        access, access_expires = self.access.issue(row.user_id, row.device_id, row.family_id)
        return Session(
            user_id=row.user_id,
            session_id=row.family_id,
            access_token=access,
            access_expires_at=access_expires,
            refresh_token=issued.token,
            refresh_expires_at=row.expires_at,
        )

    def _mail_limited_for(self, user: User, *, already_registered: bool) -> None:
        """Mails the owner of an existing account, at most `mail_per_account` times an hour, never raising."""
        try:
            self._limiter.hit(self._limits.mail_per_account, user.email_key)
        except RateLimited:
            log.info("mail limit reached for an account; nothing sent")
            return
        if already_registered and user.verified_at is not None:
            self._mail_quietly(already_registered_message(user.email))
        else:
            self._mail_quietly(verification_message(user.email, self.codes.issue(user.id, "verify_email")))

    def _mail_quietly(self, message: Message) -> None:
        try:
            self._mailer.send(message)
        except MailError:
            log.warning("could not send the %s email", message.kind, exc_info=True)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
