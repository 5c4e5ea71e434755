"""Reading zip containers (3MF, .gcode.3mf, zip archives) without trusting them.

Members are read into memory only up to a cap, whatever size they declare; a member that expands past its
cap or its declared size, or with a suspicious compression ratio, is refused. Nothing is ever extracted to
disk, so names like `../../x` are harmless: they are only looked up, never used as paths.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import IO

from core.errors import FileFormatError

DEFAULT_MEMBER_CAP = 512 * 1024 * 1024
MAX_RATIO = 200
CHUNK = 1024 * 1024


class SafeZip:
    def __init__(self, source: Path | IO[bytes], label: str) -> None:
        self.label = label
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, ValueError) as exc:
            raise FileFormatError(f"{label} is not a readable zip container ({exc}).") from exc
        self._members = {info.filename: info for info in self._zip.infolist() if not info.is_dir()}

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return list(self._members)

    def find(self, name: str) -> str | None:
        """The member called `name`, ignoring case and a leading slash (3MF names are case-insensitive)."""
        wanted = name.lstrip("/").lower()
        for member in self._members:
            if member.lstrip("/").lower() == wanted:
                return member
        return None

    def size(self, name: str) -> int:
        return self._members[name].file_size

    def read(self, name: str, cap: int = DEFAULT_MEMBER_CAP) -> bytes:
        info = self._members.get(name)
        if info is None:
            raise FileFormatError(f"{self.label} has no part {name!r}.")
        if info.file_size > cap:
            raise FileFormatError(f"{self.label}: the part {name} is larger than {cap // (1024 * 1024)} MB.")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > CHUNK:
            raise FileFormatError(
                f"{self.label}: the part {name} is compressed suspiciously well (a zip bomb?)."
            )
        limit = min(cap, info.file_size)
        out = bytearray()
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    out += chunk
                    if len(out) > limit:
                        raise FileFormatError(
                            f"{self.label}: the part {name} expands past its declared size."
                        )
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            OSError,
            ValueError,
            RuntimeError,
            EOFError,
        ) as exc:
            raise FileFormatError(f"{self.label}: the part {name} is damaged ({exc}).") from exc
        return bytes(out)
