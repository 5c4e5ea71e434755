"""Saving "download my data": the export archive's link fetched to a temporary name beside the target, then
renamed, so a cut download never leaves a half archive under the name the user chose. No Qt here: the sync
controller runs it on its worker thread."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx

from sync.client.transport import DEFAULT_TIMEOUT_S, Offline, TryLater

CHUNK = 1 << 20


def download(url: str, target: Path, *, client: httpx.Client | None = None) -> int:
    """Fetch `url` into `target`; its size in bytes. Raises `Offline` or `TryLater` (one sentence each) when
    the storage cannot be reached or refuses, and `OSError` when the file cannot be written."""
    partial = target.with_name(f".{target.name}.part")
    own = client is None
    http = client or httpx.Client(timeout=DEFAULT_TIMEOUT_S, follow_redirects=True)
    try:
        with http.stream("GET", url) as response:
            if response.status_code >= 400:
                raise TryLater(f"The download link answered {response.status_code}; ask for a new one.")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
        partial.replace(target)
    except httpx.TimeoutException:
        raise Offline("The download did not answer in time.") from None
    except httpx.TransportError:
        raise Offline("The download cannot be reached; check the connection.") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if own:
            http.close()
    return target.stat().st_size
