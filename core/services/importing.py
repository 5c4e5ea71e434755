"""Importing files into the content-addressed store: files, folders and zip archives.

Each file is stored once per SHA-256 and recorded as a FileBlob. Reading what is inside (meshes, sliced
files) is the file-intelligence layer's job; this module only stores and reports, per file, what it did.
Zip archives are read member by member with caps on sizes and compression ratio, never extracted to disk.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from core.db.models import FileBlob
from core.errors import PrintstallError
from core.ids import blob_id
from core.store.blobs import StoredBlob
from core.workspace import Workspace

MAX_FILE_BYTES = 2 * 1024**3  # a single model or sliced file
MAX_ZIP_TOTAL_BYTES = 4 * 1024**3  # everything unpacked from one archive
MAX_ZIP_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 200  # deflate rarely passes 20:1 on real files; bombs reach 1000:1

KINDS: dict[str, tuple[str, str]] = {
    ".stl": ("mesh", "model/stl"),
    ".3mf": ("mesh", "model/3mf"),
    ".obj": ("mesh", "model/obj"),
    ".gcode": ("sliced", "text/x.gcode"),
    ".bgcode": ("sliced", "application/x.bgcode"),
    ".gcode.3mf": ("sliced", "model/3mf"),
    ".png": ("image", "image/png"),
    ".jpg": ("image", "image/jpeg"),
    ".jpeg": ("image", "image/jpeg"),
    ".webp": ("image", "image/webp"),
    ".pdf": ("document", "application/pdf"),
    ".txt": ("document", "text/plain"),
    ".md": ("document", "text/markdown"),
}


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file: `added`, `duplicate` (already stored) or `rejected` (with the reason)."""

    source: str
    status: str
    message: str = ""
    sha256: str | None = None
    blob_id: str | None = None
    kind: str | None = None


def kind_of(name: str) -> tuple[str, str] | None:
    lower = name.lower()
    if lower.endswith(".gcode.3mf"):
        return KINDS[".gcode.3mf"]
    return KINDS.get(PurePosixPath(lower).suffix)


def _walk(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def import_paths(ws: Workspace, paths: Iterable[Path]) -> list[ImportOutcome]:
    """Import files, folders (recursively) and zip archives. One outcome per file found."""
    outcomes: list[ImportOutcome] = []
    for path in _walk(paths):
        if not path.exists():
            outcomes.append(ImportOutcome(str(path), "rejected", "The file does not exist."))
        elif path.suffix.lower() == ".zip":
            outcomes.extend(_import_zip(ws, path))
        else:
            try:
                with path.open("rb") as stream:
                    outcomes.append(_import_stream(ws, str(path), path.name, stream))
            except OSError as exc:
                outcomes.append(
                    ImportOutcome(str(path), "rejected", f"Could not read the file: {exc.strerror}.")
                )
    return outcomes


def _import_zip(ws: Workspace, path: Path) -> list[ImportOutcome]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [ImportOutcome(str(path), "rejected", f"Not a readable zip archive ({exc}).")]
    outcomes: list[ImportOutcome] = []
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            return [ImportOutcome(str(path), "rejected", f"The archive holds over {MAX_ZIP_MEMBERS} files.")]
        declared = sum(m.file_size for m in members)
        if declared > MAX_ZIP_TOTAL_BYTES:
            return [ImportOutcome(str(path), "rejected", "The archive unpacks to more than 4 GB.")]
        for member in members:
            name = PurePosixPath(member.filename).name
            source = f"{path}!{member.filename}"
            if name.startswith(".") or member.filename.startswith("__MACOSX/"):
                continue
            if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
                outcomes.append(
                    ImportOutcome(
                        source, "rejected", "The file is compressed suspiciously well (a zip bomb?)."
                    )
                )
                continue
            try:
                with archive.open(member) as stream:
                    # The declared size may lie: cap what is actually read at it.
                    outcomes.append(_import_stream(ws, source, name, stream, max_bytes=member.file_size))
            except (zipfile.BadZipFile, RuntimeError, ValueError, OSError) as exc:
                outcomes.append(ImportOutcome(source, "rejected", f"The archive entry is damaged ({exc})."))
    return outcomes


def _import_stream(
    ws: Workspace, source: str, name: str, stream: IO[bytes], max_bytes: int = MAX_FILE_BYTES
) -> ImportOutcome:
    kind = kind_of(name)
    if kind is None:
        return ImportOutcome(
            source, "rejected", "Not a model, sliced file, image or document Printstall keeps."
        )
    try:
        stored = ws.blobs.put_stream(stream, max_bytes=max(max_bytes, 1))
    except PrintstallError as exc:
        return ImportOutcome(source, "rejected", str(exc))
    if stored.size == 0:
        if stored.created:
            ws.blobs.path_for(stored.sha256).unlink()
        return ImportOutcome(source, "rejected", "The file is empty.")
    return _record_blob(ws, source, name, stored, *kind)


def _record_blob(
    ws: Workspace, source: str, name: str, stored: StoredBlob, kind: str, media: str
) -> ImportOutcome:
    ident = blob_id(stored.sha256)
    with ws.write() as uow:
        existing = uow.find(FileBlob, ident)
        if existing is not None and not existing.deleted:
            return ImportOutcome(
                source,
                "duplicate",
                f"Already stored as {existing.original_name}.",
                stored.sha256,
                ident,
                kind,
            )
        row = uow.create(
            FileBlob,
            id=ident,
            sha256=stored.sha256,
            size=stored.size,
            kind=kind,
            original_name=name[:255],
            media_type=media,
        )
        uow.audit("file.import", f"Imported {name} ({stored.size} bytes)", row)
    return ImportOutcome(source, "added", "", stored.sha256, ident, kind)
