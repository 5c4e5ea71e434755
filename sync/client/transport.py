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

import logging
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import protocol

TokenSource = Callable[[bool], str | None]
Answer = TypeVar("Answer", bound=BaseModel)
DEFAULT_TIMEOUT_S = 30.0
STORAGE_READ_TIMEOUT_S = 120.0
CHUNK = 1024 * 1024


def keep_credentials_out_of_logs() -> None:
    """httpx and httpcore log every request's URL at INFO and DEBUG; a presigned URL is a credential for a
    few minutes (and their DEBUG lines go further). The app calls this when it sets up logging."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


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


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def error_sentence(response: httpx.Response) -> str:
    """The service's one sentence for a refusal (its `detail`), or a plain one."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list) and detail:  # FastAPI's validation errors
        return "The service could not read what was sent; check the fields and try again."
    return f"The sync service answered {response.status_code}."


def retry_after(response: httpx.Response) -> float | None:
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
        storage: httpx.Client | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._client = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._token = token
        # Presigned URLs point at the storage itself (R2), not at the service: a plain client, no token.
        self._storage = storage or httpx.Client(timeout=httpx.Timeout(timeout_s, read=STORAGE_READ_TIMEOUT_S))

    def close(self) -> None:
        self._client.close()
        self._storage.close()

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

    # ---------------------------------------------------------------- files (SYNC.md, Blobs)

    def blob_upload(self, sha256: str, size: int) -> protocol.BlobUploadResponse:
        """`exists`, or where to PUT the file (a presigned URL of the storage, with its headers)."""
        return self._call(
            "POST", f"/v1/blobs/{sha256}/upload", protocol.BlobUploadResponse, json={"size": size}
        )

    def blob_confirm(self, sha256: str, size: int) -> protocol.BlobConfirmResponse:
        return self._call(
            "POST", f"/v1/blobs/{sha256}/confirm", protocol.BlobConfirmResponse, json={"size": size}
        )

    def blob_download(self, sha256: str) -> protocol.PresignedRequest:
        return self._call("GET", f"/v1/blobs/{sha256}", protocol.PresignedRequest)

    def put_file(self, url: str, headers: dict[str, str], source: IO[bytes]) -> None:
        """PUT a file to a presigned URL (straight to the storage; no token goes with it)."""
        try:
            response = self._storage.put(url, content=_chunks(source), headers=headers)
        except httpx.TimeoutException:
            raise Offline("The file storage did not answer in time.") from None
        except httpx.TransportError:
            raise Offline("The file storage cannot be reached; the upload starts again later.") from None
        if response.status_code >= 400:
            raise TryLater(
                f"The file storage refused the upload ({response.status_code}); trying again later."
            )

    def get_file(self, url: str, headers: dict[str, str], out: IO[bytes]) -> int:
        """GET a presigned URL into `out`; the number of bytes written."""
        written = 0
        try:
            with self._storage.stream("GET", url, headers=headers) as response:
                if response.status_code >= 400:
                    raise TryLater(f"The file storage refused the download ({response.status_code}).")
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
        except httpx.TimeoutException:
            raise Offline("The file storage did not answer in time.") from None
        except httpx.TransportError:
            raise Offline("The file storage cannot be reached; the download starts again later.") from None
        return written

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
            raise UpdateNeeded(error_sentence(response))
        if status == 429 or status >= 500:
            raise TryLater(error_sentence(response), retry_after(response))
        raise Refused(error_sentence(response), status)
