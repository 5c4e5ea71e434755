"""A content-addressed file store: each file kept once, under its SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.errors import FileFormatError, StoreError

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    created: bool  # False when the store already held this content


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, path: Path) -> StoredBlob:
        with path.open("rb") as source:
            return self.put_stream(source)

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_stream(io.BytesIO(data))

    def put_stream(self, source: IO[bytes], max_bytes: int | None = None) -> StoredBlob:
        """Copy `source` into the store. A stream longer than `max_bytes` is refused and leaves nothing."""
        self._tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise FileFormatError(
                            f"The file is larger than the {max_bytes // (1024 * 1024)} MB this import allows."
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.is_file():
                tmp.unlink()
                return StoredBlob(sha, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return StoredBlob(sha, size, created=True)
        except OSError as exc:
            raise StoreError(f"Could not write to the file store in {self.root}: {exc.strerror}.") from exc
        finally:
            if tmp.exists():
                tmp.unlink()

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
