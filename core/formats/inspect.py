"""One entry point for every file kind: decide what a file is, run its reader, return an `Inspection`.

The kind comes from the name where it is clear and from the first bytes otherwise (a `.gcode.3mf` renamed
`.3mf` is still recognised by its plate G-code).
"""

from __future__ import annotations

from pathlib import Path

from core.errors import FileFormatError
from core.formats.model import Inspection
from core.store.blobs import file_sha256

KINDS = ("stl", "3mf", "obj", "gcode", "bgcode", "gcode.3mf")
GCODE_SUFFIXES = (".gcode", ".gco", ".g")


def _is_sliced_3mf(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                n.lower().startswith("metadata/plate_") and n.lower().endswith(".gcode")
                for n in archive.namelist()
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def detect_kind(path: Path, name: str | None = None) -> str:
    """The kind of a file from its name, checked against its first bytes."""
    lower = (name or path.name).lower()
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
    except OSError as exc:
        raise FileFormatError(f"The file cannot be read ({exc.strerror}).") from exc
    if not head:
        raise FileFormatError("The file is empty.")
    if head.startswith(b"GCDE"):
        return "bgcode"
    if head.startswith(b"PK\x03\x04"):
        if lower.endswith(".gcode.3mf") or _is_sliced_3mf(path):
            return "gcode.3mf"
        if lower.endswith(".3mf"):
            return "3mf"
        raise FileFormatError(
            "This is a zip archive, not a model or sliced file; import it to read what it holds."
        )
    if lower.endswith(".bgcode"):
        raise FileFormatError("This is not a binary G-code file (it does not start with GCDE).")
    if lower.endswith((".3mf", ".gcode.3mf")):
        raise FileFormatError("This is not a 3MF file (it is not a zip container).")
    if lower.endswith(".stl"):
        return "stl"
    if lower.endswith(".obj"):
        return "obj"
    if lower.endswith(GCODE_SUFFIXES):
        return "gcode"
    raise FileFormatError(
        "This is not a model or sliced file Printstall reads (STL, 3MF, OBJ, G-code, .bgcode)."
    )


def inspect_file(path: Path, name: str | None = None, *, sha256: str | None = None) -> Inspection:
    """Read `path` (whose original name may be given) into an Inspection; FileFormatError when it cannot."""
    kind = detect_kind(path, name)
    size = path.stat().st_size
    result = Inspection(kind=kind, sha256=sha256 or file_sha256(path), size_bytes=size)
    if kind == "stl":
        from core.formats.stl import read_stl

        result.mesh = read_stl(path)
    elif kind == "obj":
        from core.formats.obj import read_obj

        result.mesh = read_obj(path)
    elif kind == "3mf":
        from core.formats.threemf import read_3mf

        model = read_3mf(path)
        result.mesh, result.thumbnails, result.metadata = model.mesh, model.thumbnails, model.metadata
        result.warnings.extend(model.warnings)
    elif kind == "gcode":
        from core.formats.gcode import read_gcode

        result.sliced = read_gcode(path)
    elif kind == "bgcode":
        from core.formats.bgcode import read_bgcode

        result.sliced = read_bgcode(path)
    else:
        from core.formats.gcode3mf import read_gcode_3mf

        result.plates = read_gcode_3mf(path)
        result.sliced = result.plates[0] if result.plates else None
    return result
