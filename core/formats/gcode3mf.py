"""Reading sliced Bambu Studio / OrcaSlicer projects (.gcode.3mf): one SlicedInfo per sliced plate.

What such a zip holds and what is read from it:

- `Metadata/plate_N.gcode`, one per sliced plate: only its head is read (the `HEADER_BLOCK` with slicer,
  times, layer count, height and per-filament totals, and the `CONFIG_BLOCK` with the plate's settings), a few
  hundred KB streamed out of the zip and at most `HEAD_BYTES`. The whole member is streamed (keeping only its
  last `TAIL_BYTES`) only when nothing else says how much filament a plate uses, to read a PrusaSlicer-style
  footer; that pass also checks `plate_N.gcode.md5` (the printer refuses a plate whose MD5 does not match).
- `Metadata/slice_info.config` (XML, read with defusedxml): per plate the predicted time, total weight, nozzle
  and printer model id, and per filament its project slot, type, colour, metres and grams.
- `Metadata/project_settings.config` (JSON): the project's settings, used where a plate's G-code says nothing.
- `Metadata/plate_N.png` and `plate_N_small.png` are the plate's thumbnails. `top_N.png` (a top view for the
  printer's object-skip screen), `pick_N.png` (false colours that identify objects) and `plate_no_light_N.png`
  are renders of another kind and are not offered as thumbnails.

Decisions a user notices:

- Filament slots are the project's filament numbers (`id` 1 -> slot 0); a plate lists only the filaments it
  uses, so slots may have gaps. Lengths are in mm (slice_info gives metres). A filament's cost is its grams
  times the profile's price per kg (`filament_cost`), as the slicer's own summary computes it. A filament
  whose slot is not known (a slice_info item without an id, header totals that do not match the header's
  `filament:` list) is left out with a warning, never given the slot of its position in a list.
- A filament's colour is its `filament_colour` (or slice_info's `color`): in these slicers `extruder_colour`
  is a printer display colour (#018001 on an A1 mini).
- The Bambu header's `total filament volume [cm^3]` holds cubic millimetres (e.g. 182.19 for 75.74 mm of
  1.75 mm filament, which is 0.182 cm3). It is only used to derive grams when no weight is given, and its unit
  is decided by comparing it with the stated length and diameter, so a corrected slicer is read right too.
- Without slice_info.config the plate G-code header alone is used, with a warning: per-filament totals come
  from its `total filament length/weight/volume` lists, matched to its `filament:` ids by the shared
  `core.formats.gcode.filaments_from_header`, with the project's settings for what the plate's config block
  lacks. A zip without any plate G-code is a project, not a sliced file, and is refused.
- Nothing is extracted: member names like `../../x` are only compared with the names above.

The plate G-code's head is parsed by the shared ASCII reader (`core.formats.gcode.parse_gcode_metadata`,
without its filament usage): slicer, settings and the scalar fields. slice_info.config then wins for what it
states per plate (time, nozzle, filaments), and project_settings.config fills what neither gives. String
lists are split by the shared `core.formats.gcode.split_strings` (quotes and escaped quotes respected).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from core.errors import FileFormatError
from core.formats.bgcode import parse_number, split_numbers
from core.formats.gcode import (
    apply_prusa_settings,
    filaments_from_header,
    parse_gcode_metadata,
    split_strings,
)
from core.formats.model import FilamentUse, SlicedInfo, Thumbnail
from core.formats.safezip import MAX_RATIO, SafeZip
from core.formats.thumbnails import thumbnail_from_bytes

MB = 1024 * 1024
HEAD_BYTES = 4 * MB  # a plate's header and config blocks; Bambu's are 50-300 KB
HEAD_CHUNK = 256 * 1024
TAIL_BYTES = 64 * 1024
MAX_CONFIG_BYTES = 16 * MB  # slice_info.config, project_settings.config, md5
MAX_THUMBNAIL_BYTES = 16 * MB
THUMBNAIL_BUDGET = 64 * MB  # the thumbnails of all plates together; more are skipped with a warning
MAX_PLATE_GCODE_BYTES = 4096 * MB  # declared size of a plate's G-code that may be streamed through

PLATE_GCODE = re.compile(r"^/?metadata/plate_(\d+)\.gcode$", re.IGNORECASE)
BAMBU_VERSION = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{2}$")

Source = Path | str | bytes | BinaryIO
# What zipfile raises on damaged members; zlib.error escapes it on a corrupt deflate stream.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    RuntimeError,
    EOFError,
    NotImplementedError,
    zlib.error,
)


def _read_member(archive: SafeZip, name: str, cap: int) -> bytes:
    """SafeZip.read, with a corrupt deflate stream also reported as FileFormatError."""
    try:
        return archive.read(name, cap)
    except zlib.error as exc:
        raise FileFormatError(f"{archive.label}: the part {name} is damaged ({exc}).") from exc


@dataclass
class SlicePlate:
    """One `<plate>` of slice_info.config."""

    metadata: dict[str, str] = field(default_factory=dict)
    filaments: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)

    @property
    def index(self) -> int | None:
        number = parse_number(self.metadata.get("index"))
        return int(number) if number is not None else None


@dataclass
class SliceInfo:
    """slice_info.config: its header items and its plates."""

    header: dict[str, str] = field(default_factory=dict)
    plates: list[SlicePlate] = field(default_factory=list)

    def plate(self, index: int) -> SlicePlate | None:
        return next((p for p in self.plates if p.index == index), None)


def parse_slice_info(data: bytes, label: str = "This .gcode.3mf file") -> SliceInfo:
    """slice_info.config, read without entity expansion (an XML bomb is refused, not expanded)."""
    try:
        root: Element = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FileFormatError(
            f"{label} has a slice_info.config with a DTD or entities, which Printstall does not read "
            f"({type(exc).__name__})."
        ) from exc
    except (ParseError, ValueError) as exc:
        raise FileFormatError(f"{label} has a slice_info.config that is not valid XML ({exc}).") from exc
    result = SliceInfo()
    for item in root.iter("header_item"):
        if item.get("key") is not None:
            result.header[item.get("key", "")] = item.get("value", "")
    for element in root.iter("plate"):
        plate = SlicePlate()
        for child in element:
            if child.tag == "metadata" and child.get("key") is not None:
                plate.metadata[child.get("key", "")] = child.get("value", "")
            elif child.tag == "filament":
                plate.filaments.append(dict(child.attrib))
            elif child.tag == "warning" and child.get("msg"):
                plate.warnings.append(child.get("msg", ""))
            elif child.tag == "object" and child.get("name"):
                plate.objects.append(child.get("name", ""))
        result.plates.append(plate)
    return result


def _project_settings(data: bytes, warnings: list[str]) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        warnings.append("The project_settings.config is not valid JSON; it was ignored.")
        return {}
    if not isinstance(value, dict):
        warnings.append("The project_settings.config is not a JSON object; it was ignored.")
        return {}
    return value


_NEEDS_QUOTES = re.compile(r'[;"\\\n\r]|^\s|\s$')


def _quoted(item: str) -> str:
    """One list item as the slicers serialise it: in quotes, with `\\` and `"` escaped, when it needs them."""
    if not _NEEDS_QUOTES.search(item):
        return item
    escaped = item.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _flat_settings(project: dict[str, Any]) -> dict[str, str]:
    """Project settings as `key = value` text, lists joined by `;` (as in the G-code config block), an item
    that holds a `;` or a quote in quotes, so that `split_strings` gives the list back."""
    flat = {}
    for key, value in project.items():
        if isinstance(value, list):
            flat[str(key)] = ";".join(_quoted(str(v)) for v in value)
        elif isinstance(value, str | int | float | bool):
            flat[str(key)] = str(value)
    return flat


class _PlateStreams:
    """Streaming reads of plate G-code members: a bounded head, or a pass to the end keeping only a tail."""

    def __init__(self, source: Path | BinaryIO, label: str) -> None:
        self.label = label
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise FileFormatError(f"{label} is not a readable zip container ({exc}).") from exc

    def close(self) -> None:
        self.zip.close()

    def _open(self, name: str) -> tuple[zipfile.ZipInfo, Any]:
        info = self.zip.getinfo(name)
        try:
            return info, self.zip.open(info)
        except _ZIP_ERRORS as exc:
            raise FileFormatError(f"{self.label}: the part {name} cannot be read ({exc}).") from exc

    def head(self, name: str) -> bytes:
        """The member's first bytes, up to the end of its config block or `HEAD_BYTES`."""
        info, stream = self._open(name)
        out = bytearray()
        try:
            with stream:
                while len(out) < min(HEAD_BYTES, info.file_size):
                    chunk = stream.read(HEAD_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    if b"; CONFIG_BLOCK_END" in out[-len(chunk) - 32 :] or b"EXECUTABLE_BLOCK_START" in out:
                        break
        except _ZIP_ERRORS as exc:
            raise FileFormatError(f"{self.label}: the part {name} is damaged ({exc}).") from exc
        return bytes(out[:HEAD_BYTES])

    def tail(self, name: str) -> tuple[bytes, str]:
        """The member's last `TAIL_BYTES` and the MD5 of all of it, streamed with bounded memory."""
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PLATE_GCODE_BYTES:
            raise FileFormatError(f"{self.label}: the part {name} is larger than Printstall reads.")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > MB:
            raise FileFormatError(
                f"{self.label}: the part {name} is compressed suspiciously well (a zip bomb?)."
            )
        _, stream = self._open(name)
        digest = hashlib.md5(usedforsecurity=False)
        window: deque[bytes] = deque()
        kept = total = 0
        try:
            with stream:
                while chunk := stream.read(MB):
                    total += len(chunk)
                    if total > info.file_size:
                        raise FileFormatError(
                            f"{self.label}: the part {name} expands past its declared size."
                        )
                    digest.update(chunk)
                    window.append(chunk)
                    kept += len(chunk)
                    while kept - len(window[0]) >= TAIL_BYTES:
                        kept -= len(window.popleft())
        except _ZIP_ERRORS as exc:
            raise FileFormatError(f"{self.label}: the part {name} is damaged ({exc}).") from exc
        return b"".join(window)[-TAIL_BYTES:], digest.hexdigest()


@dataclass
class _Budget:
    remaining: int


def _thumbnails(archive: SafeZip, index: int, warnings: list[str], budget: _Budget) -> list[Thumbnail]:
    found = []
    for name in (f"Metadata/plate_{index}.png", f"Metadata/plate_{index}_small.png"):
        member = archive.find(name)
        if member is None:
            continue
        budget.remaining -= archive.size(member)
        if budget.remaining < 0:
            warnings.append(
                f"The image {member} was skipped: the thumbnails exceed {THUMBNAIL_BUDGET // MB} MB."
            )
            continue
        thumbnail = thumbnail_from_bytes(
            _read_member(archive, member, MAX_THUMBNAIL_BYTES), warnings, f"image {member}"
        )
        if thumbnail is not None:
            found.append(thumbnail)
    return found


def _filaments_from_slice_info(
    plate: SlicePlate, names: list[str | None], prices: list[float | None], warnings: list[str]
) -> list[FilamentUse]:
    """The plate's `<filament>` items by slot (`id` - 1). An item without a usable id has no known slot: it is
    left out with a warning rather than given the slot of its position in the list."""
    result: list[FilamentUse] = []
    for item in plate.filaments:
        number = parse_number(item.get("id"))
        if number is None or number < 1 or number != int(number):
            warnings.append(
                f"slice_info.config lists a filament of plate {plate.index} without a valid id "
                f"({item.get('id')!r}); it was left out."
            )
            continue
        slot = int(number) - 1
        metres = parse_number(item.get("used_m"))
        grams = parse_number(item.get("used_g"))
        price = prices[slot] if slot < len(prices) else None
        result.append(
            FilamentUse(
                slot=slot,
                type=item.get("type") or None,
                color=item.get("color") or None,
                name=names[slot] if slot < len(names) else None,
                length_mm=round(metres * 1000, 4) if metres is not None else None,
                weight_g=grams,
                cost=round(grams * price / 1000, 4) if grams is not None and price is not None else None,
            )
        )
    return sorted(result, key=lambda f: f.slot)


def _open_source(source: Source) -> tuple[Path | BinaryIO, bool]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    if isinstance(source, str):
        return Path(source), False
    return source, False


def read_gcode_3mf(source: Source, *, label: str = "This .gcode.3mf file") -> list[SlicedInfo]:
    """One SlicedInfo per sliced plate of a Bambu Studio / OrcaSlicer .gcode.3mf, in plate order."""
    opened, owned = _open_source(source)
    try:
        with SafeZip(opened, label) as archive:
            streams = _PlateStreams(opened, label)
            try:
                return _read(archive, streams, label)
            finally:
                streams.close()
    finally:
        if owned and not isinstance(opened, Path):
            opened.close()


def _read(archive: SafeZip, streams: _PlateStreams, label: str) -> list[SlicedInfo]:
    plates: dict[int, str] = {}
    for name in archive.names():
        match = PLATE_GCODE.match(name)
        if match:
            plates.setdefault(int(match.group(1)), name)
    if not plates:
        raise FileFormatError(
            f"{label} holds no sliced plate (no Metadata/plate_N.gcode); it is a project, not a sliced file."
        )
    common: list[str] = []
    slice_info = None
    member = archive.find("Metadata/slice_info.config")
    if member is None:
        common.append(f"{label} has no slice_info.config; each plate's G-code header was read instead.")
    else:
        slice_info = parse_slice_info(_read_member(archive, member, MAX_CONFIG_BYTES), label)
        orphans = sorted(p.index for p in slice_info.plates if p.index is not None and p.index not in plates)
        for orphan in orphans:
            common.append(
                f"slice_info.config describes plate {orphan}, which has no G-code here; it was skipped."
            )
    project: dict[str, Any] = {}
    member = archive.find("Metadata/project_settings.config")
    if member is not None:
        project = _project_settings(_read_member(archive, member, MAX_CONFIG_BYTES), common)
    budget = _Budget(THUMBNAIL_BUDGET)
    return [
        _plate(archive, streams, index, plates[index], slice_info, project, list(common), budget)
        for index in sorted(plates)
    ]


_SCALARS = (
    "printer_model",
    "nozzle_diameter_mm",
    "layer_height_mm",
    "first_layer_height_mm",
    "infill_percent",
    "estimated_time_s",
    "layer_count",
    "object_height_mm",
)


def _has_usage(filaments: list[FilamentUse]) -> bool:
    return any(f.length_mm is not None or f.weight_g is not None for f in filaments)


def _plate(
    archive: SafeZip,
    streams: _PlateStreams,
    index: int,
    gcode_name: str,
    slice_info: SliceInfo | None,
    project: dict[str, Any],
    warnings: list[str],
    budget: _Budget,
) -> SlicedInfo:
    head = streams.head(gcode_name)
    # The shared ASCII reader reads the header and config blocks: slicer, settings, the scalar fields. The
    # filaments are taken below, from slice_info.config or from the header with the project's settings.
    info = parse_gcode_metadata(head, filaments=False)
    info.plate = index
    plate = slice_info.plate(index) if slice_info is not None else None
    if slice_info is not None and plate is None:
        warnings.append(
            f"slice_info.config does not describe plate {index}; its G-code header was read instead."
        )
    plate_meta = plate.metadata if plate is not None else {}
    project_settings = _flat_settings(project)
    if project_settings:  # what the plate's G-code does not say, the project may
        from_project = SlicedInfo(settings=dict(project_settings))
        apply_prusa_settings(from_project, project_settings, filaments=False)
        for name in _SCALARS:
            if getattr(info, name) is None:
                setattr(info, name, getattr(from_project, name))
    settings = {**project_settings, **plate_meta, **info.settings}
    info.settings = settings

    unrecognised = "The slicer that wrote this G-code was not recognised."
    version = slice_info.header.get("X-BBL-Client-Version", "") if slice_info is not None else ""
    if info.slicer_name is None and BAMBU_VERSION.match(version):
        info.slicer_name, info.slicer_version = "BambuStudio", version
        info.warnings = [w for w in info.warnings if w != unrecognised]
    info.printer_model = info.printer_model or plate_meta.get("printer_model_id") or None
    nozzles = split_numbers(plate_meta.get("nozzle_diameters"))
    if nozzles and nozzles[0] is not None:
        info.nozzle_diameter_mm = nozzles[0]
    prediction = parse_number(plate_meta.get("prediction"))
    if prediction is not None:
        info.estimated_time_s = round(prediction)
    if info.object_height_mm is None:
        info.object_height_mm = parse_number(plate_meta.get("max_z_height"))

    names = split_strings(settings.get("filament_settings_id"))
    prices = split_numbers(settings.get("filament_cost"))
    if plate is not None and plate.filaments:
        info.filaments = _filaments_from_slice_info(plate, names, prices, warnings)
    else:
        info.filaments = filaments_from_header(settings, warnings)
    total = parse_number(plate_meta.get("weight"))
    if total is not None and len(info.filaments) == 1 and info.filaments[0].weight_g is None:
        info.filaments[0].weight_g = total
    if not _has_usage(info.filaments):
        _read_footer(archive, streams, index, gcode_name, head, info, warnings)
    if plate is not None:
        warnings.extend(f"The slicer warned about plate {index}: {message}." for message in plate.warnings)
    thumbnails = _thumbnails(archive, index, warnings, budget)
    info.thumbnails = thumbnails or info.thumbnails  # the plate renders, else what the G-code embeds
    info.warnings = [*warnings, *info.warnings]
    return info


def _read_footer(
    archive: SafeZip,
    streams: _PlateStreams,
    index: int,
    gcode_name: str,
    head: bytes,
    info: SlicedInfo,
    warnings: list[str],
) -> None:
    """Usage from the G-code's footer (`; filament used [g] = ...`), and the MD5 check on the way."""
    tail, md5 = streams.tail(gcode_name)
    expected_member = archive.find(f"{gcode_name}.md5")
    if expected_member is not None:
        expected = _read_member(archive, expected_member, MAX_CONFIG_BYTES).decode("ascii", errors="replace")
        if expected.strip() and expected.strip().lower() != md5:
            warnings.append(
                f"The G-code of plate {index} does not match its MD5 checksum; the printer may refuse it."
            )
    start = tail.find(b"\n") + 1 if len(tail) >= TAIL_BYTES else 0  # the tail must start at a line start
    found = parse_gcode_metadata(head, tail[start:])
    if not _has_usage(found.filaments):
        warnings.append(f"No filament usage was found for plate {index}.")
        return
    info.filaments = found.filaments
    info.settings = {**found.settings, **info.settings}
    for name in ("estimated_time_s", "layer_count"):
        if getattr(info, name) is None:
            setattr(info, name, getattr(found, name))
