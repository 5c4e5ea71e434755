"""The account side of the app: the `/v1/account` calls, and the sign-in that keeps the app syncing.

`AccountClient` is the HTTP calls, each answering a `SessionInfo` or nothing, and raising the errors of
sync.client.transport (an `AccountRefused` with the service's sentence for a refusal: wrong password, a code
that is wrong or too old, an address that is taken...).

`SignIn` holds one signed-in session: the access token in memory only, the refresh token in the operating
system's keyring (`keyring`: Secret Service/KWallet on Linux, Credential Manager on Windows, the Keychain on
macOS) under the service "Printstall" and the user name "<server url> <user id>". Where no keyring exists
(a bare Linux box, a CI machine), signing in still works for as long as the app runs; `keyring_problem`
says so in one sentence the window shows. Nothing secret is ever written to a plain file or a log.
`SignIn.token(renew)` is the token source of `HttpTransport`: it refreshes the access token when it is
within a minute of expiring (or when the service refused it), storing the rotated refresh token first.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import keyring
from keyring.errors import KeyringError

from sync import protocol
from sync.client.transport import (
    DEFAULT_TIMEOUT_S,
    Offline,
    SignInNeeded,
    SyncError,
    TryLater,
    UpdateNeeded,
    error_sentence,
    retry_after,
)

log = logging.getLogger(__name__)

DEFAULT_SERVER_URL = "https://sync.printstall.app"
KEYRING_SERVICE = "Printstall"
RENEW_BEFORE = timedelta(minutes=1)
NO_KEYRING = (
    "This computer has no keyring (secret store) Printstall can use, so you stay signed in only until "
    "Printstall closes."
)


class AccountRefused(SyncError):
    """The service refused an account request; `str()` is its sentence."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SessionInfo:
    user_id: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionInfo:
        return cls(
            user_id=str(data["user_id"]),
            access_token=str(data["access_token"]),
            access_expires_at=datetime.fromisoformat(str(data["access_expires_at"])),
            refresh_token=str(data["refresh_token"]),
        )


@dataclass(frozen=True)
class ExportLink:
    """A download of all the user's data: a link of the service's storage, valid until `expires_at`."""

    url: str
    size: int
    expires_at: datetime


class AccountClient:
    """The account endpoints of one service."""

    def __init__(self, base_url: str, *, client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(base_url=self.base_url, timeout=DEFAULT_TIMEOUT_S)

    def close(self) -> None:
        self._client.close()

    def register(self, email: str, password: str) -> None:
        self._post("register", {"email": email, "password": password})

    def request_verification(self, email: str) -> None:
        self._post("verify/request", {"email": email})

    def verify(self, email: str, code: str, device_id: str) -> SessionInfo:
        return self._session("verify", {"email": email, "code": code, "device_id": device_id})

    def login(self, email: str, password: str, device_id: str) -> SessionInfo:
        return self._session("login", {"email": email, "password": password, "device_id": device_id})

    def refresh(self, refresh_token: str) -> SessionInfo:
        return self._session("refresh", {"refresh_token": refresh_token})

    def logout(self, refresh_token: str) -> None:
        self._post("logout", {"refresh_token": refresh_token})

    def logout_all(self, access_token: str) -> None:
        self._post("logout-all", None, access_token=access_token)

    def change_password(self, access_token: str, current: str, new: str) -> None:
        body = {"current_password": current, "new_password": new}
        self._post("password", body, access_token=access_token)

    def request_reset(self, email: str) -> None:
        self._post("reset/request", {"email": email})

    def reset_password(self, email: str, code: str, new_password: str) -> None:
        self._post("reset", {"email": email, "code": code, "new_password": new_password})

    def export(self, access_token: str) -> ExportLink:
        """Have the service pack every record and file into one archive; where to download it."""
        response = self._post("export", None, access_token=access_token)
        try:
            data = response.json()
            return ExportLink(
                str(data["url"]), int(data["size"]), datetime.fromisoformat(str(data["expires_at"]))
            )
        except (ValueError, KeyError, TypeError):
            raise TryLater("The account service sent an answer this app cannot read.") from None

    def delete_account(self, access_token: str, password: str) -> None:
        """Delete the account with every record and file on the service (the password is asked again)."""
        self._send("DELETE", "", {"password": password}, access_token=access_token)

    # ---------------------------------------------------------------- plumbing

    def _session(self, path: str, body: dict[str, Any]) -> SessionInfo:
        response = self._post(path, body)
        try:
            return SessionInfo.from_json(response.json())
        except (ValueError, KeyError, TypeError):
            raise TryLater("The account service sent an answer this app cannot read.") from None

    def _post(
        self, path: str, body: dict[str, Any] | None, *, access_token: str | None = None
    ) -> httpx.Response:
        return self._send("POST", path, body, access_token=access_token)

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, *, access_token: str | None = None
    ) -> httpx.Response:
        headers = {protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL)}
        if access_token is not None:
            headers["Authorization"] = f"Bearer {access_token}"
        url = f"/v1/account/{path}" if path else "/v1/account"
        try:
            response = self._client.request(method, url, json=body, headers=headers)
        except httpx.TimeoutException:
            raise Offline("The account service did not answer in time.") from None
        except httpx.TransportError:
            raise Offline("The account service cannot be reached; check the connection.") from None
        status = response.status_code
        if status < 400:
            return response
        if status == 426:
            raise UpdateNeeded(error_sentence(response))
        if status == 429 or status >= 500:
            raise TryLater(error_sentence(response), retry_after(response))
        raise AccountRefused(error_sentence(response), status)


class SignIn:
    """One signed-in user of one service: tokens for the sync transport, kept as the module docstring says."""

    def __init__(self, accounts: AccountClient, user_id: str, refresh_token: str | None = None) -> None:
        self.accounts = accounts
        self.user_id = user_id
        self._lock = threading.Lock()
        self._access: str | None = None
        self._access_expires = datetime.min.replace(tzinfo=UTC)
        self._refresh_in_memory = refresh_token
        self.keyring_problem = ""

    @property
    def _keyring_user(self) -> str:
        return f"{self.accounts.base_url} {self.user_id}"

    @classmethod
    def start(cls, accounts: AccountClient, session: SessionInfo) -> SignIn:
        """After a login or a confirmed code: keep the refresh token, hold the access token."""
        signed_in = cls(accounts, session.user_id)
        signed_in._take(session)
        return signed_in

    @classmethod
    def resume(cls, accounts: AccountClient, user_id: str) -> SignIn | None:
        """The session a previous run kept in the keyring, or None (sign in again)."""
        signed_in = cls(accounts, user_id)
        if signed_in._stored_refresh() is None:
            return None
        return signed_in

    def token(self, renew: bool = False) -> str | None:
        """The access token for the next request (the transport's token source)."""
        with self._lock:
            now = datetime.now(UTC)
            if self._access is not None and not renew and now < self._access_expires - RENEW_BEFORE:
                return self._access
            refresh = self._stored_refresh()
            if refresh is None:
                return None
            try:
                session = self.accounts.refresh(refresh)
            except AccountRefused as refused:
                self._forget()
                raise SignInNeeded(f"{refused} Sign in again to sync.") from None
            self._take(session)
            return self._access

    def sign_out(self) -> None:
        """This device only: the service ends the session; the keyring entry goes even when offline."""
        refresh = self._stored_refresh()
        try:
            if refresh is not None:
                self.accounts.logout(refresh)
        finally:
            self._forget()

    def sign_out_everywhere(self) -> None:
        access = self.token()
        if access is None:
            raise SignInNeeded("Sign in first.")
        self.accounts.logout_all(access)
        self._forget()

    # ---------------------------------------------------------------- the refresh token

    def _take(self, session: SessionInfo) -> None:
        self._store_refresh(session.refresh_token)
        self._access = session.access_token
        self._access_expires = session.access_expires_at

    def _stored_refresh(self) -> str | None:
        if self._refresh_in_memory is not None:
            return self._refresh_in_memory
        try:
            return keyring.get_password(KEYRING_SERVICE, self._keyring_user)
        except KeyringError:
            self.keyring_problem = NO_KEYRING
            return None

    def _store_refresh(self, token: str) -> None:
        try:
            keyring.set_password(KEYRING_SERVICE, self._keyring_user, token)
        except KeyringError:
            self.keyring_problem = NO_KEYRING
            self._refresh_in_memory = token
            return
        self._refresh_in_memory = None
        self.keyring_problem = ""

    def _forget(self) -> None:
        self._access = None
        self._refresh_in_memory = None
        with contextlib.suppress(KeyringError):  # nothing stored, or no keyring: nothing to remove
            keyring.delete_password(KEYRING_SERVICE, self._keyring_user)
