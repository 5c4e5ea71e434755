"""The app's side of the wire: the sync calls of SYNC.md over HTTP, with every failure turned into one of a
few errors the engine and the window can act on.

- `Offline`: the service could not be reached (no network, DNS, a refused or cut connection, a timeout);
- `TryLater`: the service is there but busy or failing (429, 5xx), with the wait it asked for, if any;
- `SignInNeeded`: the access token was refused and no new one could be had (401);
- `UpdateNeeded`: the service speaks another protocol version (426);
- `Refused`: the service refused the request itself (another 4xx), with its sentence.

The access token comes from a callable, asked again after a 401 with `renew=True` (the account side
refreshes it), so the transport never holds a refresh token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import protocol

TokenSource = Callable[[bool], str | None]
Answer = TypeVar("Answer", bound=BaseModel)
DEFAULT_TIMEOUT_S = 30.0


class SyncError(Exception):
    """A sync call that did not succeed; `str()` is one sentence for the sync panel."""


class Offline(SyncError):
    pass


class TryLater(SyncError):
    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SignInNeeded(SyncError):
    pass


class UpdateNeeded(SyncError):
    pass


class Refused(SyncError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    return f"The sync service answered {response.status_code}."


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class HttpTransport:
    """The sync endpoints of one service, through one `httpx.Client` (which a test may hand in)."""

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._token = token

    def close(self) -> None:
        self._client.close()

    # ---------------------------------------------------------------- the calls

    def state(self) -> protocol.SyncState:
        return self._call("GET", "/v1/sync/state", protocol.SyncState)

    def push(self, batch: protocol.PushRequest) -> protocol.PushResponse:
        body = batch.model_dump_json().encode("utf-8")
        return self._call(
            "POST",
            "/v1/sync/push",
            protocol.PushResponse,
            content=body,
            headers={"Content-Type": "application/json"},
        )

    def pull(self, cursor: int, limit: int = protocol.DEFAULT_PULL_LIMIT) -> protocol.PullResponse:
        return self._call(
            "GET", "/v1/sync/pull", protocol.PullResponse, params={"cursor": cursor, "limit": limit}
        )

    # ---------------------------------------------------------------- plumbing

    def _call(self, method: str, path: str, answer: type[Answer], **kwargs: Any) -> Answer:
        response = self._send(method, path, renew=False, **kwargs)
        if response.status_code == 401:
            response = self._send(method, path, renew=True, **kwargs)
        self._raise_for(response)
        try:
            return answer.model_validate_json(response.content)
        except ValidationError:
            raise TryLater(
                "The sync service sent an answer this app cannot read; trying again later."
            ) from None

    def _send(self, method: str, path: str, *, renew: bool, **kwargs: Any) -> httpx.Response:
        token = self._token(renew)
        if token is None:
            raise SignInNeeded("Sign in to sync.")
        headers = {
            protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL),
            "Authorization": f"Bearer {token}",
            **kwargs.pop("headers", {}),
        }
        try:
            return self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise Offline("The sync service did not answer in time.") from None
        except httpx.TransportError:
            raise Offline("The sync service cannot be reached; working offline.") from None

    @staticmethod
    def _raise_for(response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status == 401:
            raise SignInNeeded("Your sign-in has ended; sign in again to sync.")
        if status == 426:
            raise UpdateNeeded(_detail(response))
        if status == 429 or status >= 500:
            raise TryLater(_detail(response), _retry_after(response))
        raise Refused(_detail(response), status)
