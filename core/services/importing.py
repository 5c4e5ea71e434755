"""Importing files, folders and zip archives into the library.

Each file is stored once per SHA-256 (a FileBlob). Models and sliced files are then read
(`core.formats.inspect`): a mesh becomes a model with a thumbnail (embedded, or rendered on the CPU), a sliced
file becomes variants of the model it belongs to (`core.services.catalogue`), with its embedded thumbnails.
A file that cannot be read is rejected with the reason and leaves nothing behind. Zip archives are read
member by member with caps on sizes and compression ratio, never extracted to disk.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.changes import UnitOfWork
from core.db.models import FileBlob
from core.errors import FileFormatError, PrintstallError
from core.formats.inspect import inspect_file
from core.formats.model import Inspection, MeshInfo, Thumbnail
from core.ids import blob_id
from core.services import catalogue
from core.store.blobs import StoredBlob
from core.tasks import TaskState
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
    ".gco": ("sliced", "text/x.gcode"),
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


THUMBNAIL_SIZE = 512


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file: `added`, `duplicate` (already stored) or `rejected` (with the reason)."""

    source: str
    status: str
    message: str = ""
    sha256: str | None = None
    blob_id: str | None = None
    kind: str | None = None  # mesh, sliced, image, document
    model_id: str | None = None
    variant_ids: tuple[str, ...] = ()


@dataclass
class Analysis:
    """What reading one file gave, small enough to send back from a worker process (no triangles)."""

    inspection: Inspection  # `mesh` is None here: its measures are in `mesh_details`
    mesh_details: dict[str, Any] | None  # triangles, bbox, volume and the geometry fingerprint of a mesh
    images: list[bytes | None]  # the model's thumbnail, or one per plate of a sliced file
    embedded_fingerprint: str | None  # of the objects a .gcode.3mf carries
    parse_s: float = 0.0
    thumbnails_s: float = 0.0


Analyse = Callable[[Path, str, str], Analysis]


def analyse(path: Path, name: str, sha256: str) -> Analysis:
    """Read a model or sliced file and make its thumbnails. CPU-heavy and independent of the database, so
    the app runs it in a process pool; FileFormatError when the file cannot be read."""
    started = time.perf_counter()
    inspection = inspect_file(path, name, sha256=sha256)
    parsed = time.perf_counter()
    images, embedded = _thumbnail_images(inspection, path)
    mesh_details = None
    if inspection.mesh is not None:
        mesh_details = {
            **inspection.mesh.to_json(),
            "fingerprint": catalogue.mesh_fingerprint(inspection.mesh),
        }
        inspection.warnings.extend(inspection.mesh.warnings)
        inspection.mesh = None
    return Analysis(
        inspection,
        mesh_details,
        images,
        catalogue.mesh_fingerprint(embedded) if embedded is not None else None,
        parse_s=parsed - started,
        thumbnails_s=time.perf_counter() - parsed,
    )


@dataclass
class ImportTimings:
    """Where an import's time went, in seconds (for the benchmark and the progress panel)."""

    store: float = 0.0  # copying and hashing
    parse: float = 0.0
    thumbnails: float = 0.0  # rendering and converting
    database: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def kind_of(name: str) -> tuple[str, str] | None:
    lower = name.lower()
    if lower.endswith(".gcode.3mf"):
        return KINDS[".gcode.3mf"]
    return KINDS.get(PurePosixPath(lower).suffix)


def _order(name: str) -> tuple[int, str]:
    """Meshes before sliced files, so a sliced file finds a model imported in the same batch."""
    kind = kind_of(name)
    return (0 if kind and kind[0] == "mesh" else 1, name.lower())


def _walk(paths: Iterable[Path]) -> Iterator[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            found.append(path)
    yield from sorted(found, key=lambda p: _order(p.name))


def import_paths(
    ws: Workspace,
    paths: Iterable[Path],
    timings: ImportTimings | None = None,
    state: TaskState | None = None,
    analyse_with: Analyse = analyse,
) -> list[ImportOutcome]:
    """Import files, folders (recursively) and zip archives. One outcome per file found.

    With a `state`, progress is reported per file and a cancel stops before the next file: the files already
    imported stay (each is its own transaction), the rest are not touched. `analyse_with` reads a stored
    file (the app passes one that runs `analyse` in a process pool).
    """
    timings = timings if timings is not None else ImportTimings()
    state = state if state is not None else TaskState()
    files = list(_walk(paths))
    state.total += len(files)
    outcomes: list[ImportOutcome] = []
    for path in files:
        if state.cancelled:
            break
        if not path.exists():
            outcomes.append(ImportOutcome(str(path), "rejected", "The file does not exist."))
        elif path.suffix.lower() == ".zip":
            outcomes.extend(_import_zip(ws, path, timings, state, analyse_with))
            continue
        else:
            try:
                with path.open("rb") as stream:
                    outcomes.append(_import_stream(ws, str(path), path.name, stream, timings, analyse_with))
            except OSError as exc:
                outcomes.append(
                    ImportOutcome(str(path), "rejected", f"Could not read the file: {exc.strerror}.")
                )
        state.advance(path.name)
    return outcomes


def _import_zip(
    ws: Workspace, path: Path, timings: ImportTimings, state: TaskState, analyse_with: Analyse
) -> list[ImportOutcome]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        state.advance(path.name)
        return [ImportOutcome(str(path), "rejected", f"Not a readable zip archive ({exc}).")]
    outcomes: list[ImportOutcome] = []
    with archive:
        members = sorted((m for m in archive.infolist() if not m.is_dir()), key=lambda m: _order(m.filename))
        if len(members) > MAX_ZIP_MEMBERS:
            state.advance(path.name)
            return [ImportOutcome(str(path), "rejected", f"The archive holds over {MAX_ZIP_MEMBERS} files.")]
        declared = sum(m.file_size for m in members)
        if declared > MAX_ZIP_TOTAL_BYTES:
            state.advance(path.name)
            return [ImportOutcome(str(path), "rejected", "The archive unpacks to more than 4 GB.")]
        state.total += len(members) - 1  # the archive was counted as one file
        for member in members:
            if state.cancelled:
                break
            state.advance(member.filename)
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
                    outcomes.append(
                        _import_stream(
                            ws, source, name, stream, timings, analyse_with, max_bytes=member.file_size
                        )
                    )
            except (zipfile.BadZipFile, RuntimeError, ValueError, OSError) as exc:
                outcomes.append(ImportOutcome(source, "rejected", f"The archive entry is damaged ({exc})."))
    return outcomes


def _import_stream(
    ws: Workspace,
    source: str,
    name: str,
    stream: IO[bytes],
    timings: ImportTimings,
    analyse_with: Analyse,
    max_bytes: int = MAX_FILE_BYTES,
) -> ImportOutcome:
    kind = kind_of(name)
    if kind is None:
        return ImportOutcome(
            source, "rejected", "Not a model, sliced file, image or document Printstall keeps."
        )
    started = time.perf_counter()
    try:
        stored = ws.blobs.put_stream(stream, max_bytes=max(max_bytes, 1))
    except PrintstallError as exc:
        return ImportOutcome(source, "rejected", str(exc))
    finally:
        timings.store += time.perf_counter() - started

    def forget() -> None:
        if stored.created:
            ws.blobs.path_for(stored.sha256).unlink(missing_ok=True)

    if stored.size == 0:
        forget()
        return ImportOutcome(source, "rejected", "The file is empty.")
    ident = blob_id(stored.sha256)
    with ws.read() as session:
        existing = session.get(FileBlob, (ws.owner_id, ident))
        if existing is not None and not existing.deleted:
            message = f"Already stored as {existing.original_name}."
            return ImportOutcome(source, "duplicate", message, stored.sha256, ident, kind[0])
    analysis = None
    if kind[0] in ("mesh", "sliced"):
        try:
            analysis = analyse_with(ws.blobs.path_for(stored.sha256), name, stored.sha256)
        except FileFormatError as exc:
            forget()
            return ImportOutcome(source, "rejected", _sentence(str(exc)), stored.sha256, None, kind[0])
        timings.parse += analysis.parse_s
        timings.thumbnails += analysis.thumbnails_s
    try:
        return _catalogue(ws, source, name, stored, kind, analysis, timings)
    except PrintstallError as exc:
        forget()
        return ImportOutcome(source, "rejected", str(exc), stored.sha256, None, kind[0])


def _sentence(reason: str) -> str:
    reason = reason.strip()
    return (reason[:1].upper() + reason[1:]).rstrip(".") + "."


def _png(thumbnail: Thumbnail) -> bytes:
    """Embedded images as PNG or JPEG bytes a window can show (QOI is converted)."""
    if thumbnail.format in ("png", "jpg"):
        return thumbnail.data
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(thumbnail.data)) as image:
        image.save(out, "PNG")
    return out.getvalue()


def _largest(thumbnails: list[Thumbnail]) -> Thumbnail | None:
    return max(thumbnails, key=lambda t: t.width * t.height, default=None)


def _embedded_mesh(path: Path) -> MeshInfo | None:
    """The objects a .gcode.3mf carries, if it carries them."""
    from core.formats.threemf import read_3mf

    try:
        return read_3mf(path, mesh="optional").mesh
    except FileFormatError:
        return None


def _thumbnail_images(inspection: Inspection, path: Path) -> tuple[list[bytes | None], MeshInfo | None]:
    """One image per variant (sliced) or for the model (mesh), and a sliced file's embedded mesh."""
    if inspection.mesh is not None:
        embedded = _largest(inspection.thumbnails)
        if embedded is not None:
            return [_png(embedded)], None
        from core.render.thumbnail import render_thumbnail_png

        try:
            return [render_thumbnail_png(inspection.mesh.triangles, size=THUMBNAIL_SIZE)], None
        except ValueError:  # nothing to draw
            return [None], None
    plates = inspection.plates or ([inspection.sliced] if inspection.sliced else [])
    images = [(_png(t) if (t := _largest(p.thumbnails)) else None) for p in plates]
    mesh = _embedded_mesh(path) if inspection.kind == "gcode.3mf" else None
    return images, mesh


def _store_image(ws: Workspace, uow: UnitOfWork, data: bytes, name: str) -> str:
    stored = ws.blobs.put_bytes(data)
    ident = blob_id(stored.sha256)
    media = "image/jpeg" if data.startswith(b"\xff\xd8") else "image/png"
    uow.create(
        FileBlob,
        id=ident,
        sha256=stored.sha256,
        size=stored.size,
        kind="image",
        original_name=name[:255],
        media_type=media,
    )
    return ident


def _catalogue(
    ws: Workspace,
    source: str,
    name: str,
    stored: StoredBlob,
    kind: tuple[str, str],
    analysis: Analysis | None,
    timings: ImportTimings,
) -> ImportOutcome:
    images = analysis.images if analysis is not None else []
    details = (analysis.mesh_details or {}) if analysis is not None else {}
    started = time.perf_counter()
    with ws.write() as uow:
        blob = uow.create(
            FileBlob,
            id=blob_id(stored.sha256),
            sha256=stored.sha256,
            size=stored.size,
            kind=kind[0],
            original_name=name[:255],
            media_type=kind[1],
            details=details,
        )
        thumbs = [
            _store_image(ws, uow, image, f"{catalogue.base_name(name)}.png") if image else None
            for image in images
        ]
        created = None
        if analysis is not None and analysis.mesh_details is not None:
            created = catalogue.add_mesh(uow, blob, analysis.inspection, thumbs[0] if thumbs else None)
            message = f"New model {created.model_name}."
        elif analysis is not None:
            created = catalogue.add_sliced(
                uow,
                blob,
                analysis.inspection,
                [[t] if t else [] for t in thumbs],
                analysis.embedded_fingerprint,
            )
            count = len(created.variant_ids)
            what = "1 variant" if count == 1 else f"{count} variants"
            message = f"{what} of {created.model_name} ({created.how})."
        else:
            uow.audit("file.import", f"Imported {name} ({stored.size} bytes)", blob)
            message = ""
    timings.database += time.perf_counter() - started
    timings.counts[kind[0]] = timings.counts.get(kind[0], 0) + 1
    return ImportOutcome(
        source,
        "added",
        message,
        stored.sha256,
        blob.id,
        kind[0],
        created.model_id if created else None,
        tuple(created.variant_ids) if created else (),
    )
