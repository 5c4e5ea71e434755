"""ASCII G-code: what the slicer wrote about the print, read from the head and the tail of the file only.

Public API
----------
- `read_gcode(path, should_stop=None) -> SlicedInfo`: opens the file, reads its first and last 1 MB (two
  reads; a thumbnail cut by the head read is read on, for that block only, up to 8 MB), parses them, and runs
  the whole-file extrusion pass (`core.formats.extrusion`) only when the header and footer give no usable
  filament figures. Raises `FileFormatError` (one sentence) for an empty, binary or non-G-code file.
- `parse_gcode_metadata(head: bytes, tail: bytes = b"", *, filaments=True) -> SlicedInfo`: pure, on byte
  strings. `head` is the start of the file (or all of it, with `tail` empty); `tail` is its end and must start
  at a line start. A head that stops mid-line loses that partial line when a tail is given. The .gcode.3mf
  reader calls this on a plate's head with `filaments=False` (it takes the filaments from slice_info.config,
  or from `filaments_from_header` with the project's settings merged in).
- `apply_prusa_settings(info, settings, *, filaments=True)`: fills a SlicedInfo from PrusaSlicer-style
  `key = value` settings (PrusaSlicer, SuperSlicer, Slic3r, OrcaSlicer, BambuStudio keys); the .bgcode reader
  feeds it the printer, print and slicer metadata blocks. Fields already set are kept; usage lists fill
  `info.filaments`, merged by slot number.
- `filaments_from_header(settings, warnings) -> list[FilamentUse]`: the per-filament lists of a BambuStudio /
  OrcaSlicer header (`total filament length [mm]`, `... weight [g]`, `... volume [cm^3]`), one FilamentUse
  per filament used, at slot = id - 1 of `; filament: 1,3` (slots may be sparse).
- `split_strings(value, sep=";") -> list[str | None]`: a per-slot string list, quotes and escaped quotes
  respected (`"Prusament PLA";"Generic \\"Silk\\" PLA;blue"` is two items). The .bgcode and .gcode.3mf
  readers use it too.
- `filament_volume_cm3(labelled, length_mm, diameter_mm) -> float | None`: a volume labelled cm3 in cm3, its
  unit checked against the length (BambuStudio writes mm3 under that label).
- `apply_usage_from_moves(info, result, settings)`: per-slot lengths (and estimated weights) from an extrusion
  pass, with the warnings that say what was assumed.
- `parse_duration(text) -> int | None`: "1d 2h 3m 4s", "11m 5s", "0 hours 34 minutes", "2:11:47", "2239s",
  "480".

Decisions
---------
- Slicer names are as the slicers write them: PrusaSlicer, SuperSlicer, OrcaSlicer, BambuStudio, Cura,
  Simplify3D, ideaMaker, Slic3r. An unknown writer gives slicer None and a warning.
- Time: BambuStudio's "model printing time: A; total estimated time: B" gives B (the time the printer is busy,
  which is what a print queue needs); PrusaSlicer family: the normal-mode estimate, not the silent one.
- Cura placeholders are unknown, not zero: `;TIME:6666`, `;Filament used: 0m` and the MINX..MAXZ values of
  +-2.14748e+06 that CuraEngine writes before (or, run on its own, instead of) the real figures; a Griffin
  header whose PRINT.SIZE is 0..0.01 likewise. A weight of 0 next to a non-zero length (a profile without a
  density) is unknown too. A zero in a per-tool list next to other values is a tool that was not used: it
  stays 0.
- Colour of a slot: PrusaSlicer, SuperSlicer and Slic3r: `extruder_colour` when set (what their preview
  shows), else `filament_colour`. BambuStudio and OrcaSlicer (and a writer not recognised that uses their
  keys, such as an OrcaSlicer fork): `filament_colour` only, since there `extruder_colour` is a printer
  display colour (#018001 on an A1 mini).
- Slots: PrusaSlicer's per-extruder lists (`filament used [mm] = ...`) hold one value per slot from slot 0;
  BambuStudio's header lists hold one value per filament used, in the order of `; filament: 1,3`, so they are
  placed by those ids. Values whose slot is not known (totals that do not match the ids) are left out with a
  warning, never placed by their position.
- `first_layer_height = 150%` is 1.5 times the layer height; without a layer height it is unknown.
- BambuStudio's header labels the volume "[cm^3]" but writes mm3 (bambulab/BambuStudio#8524); a volume is only
  used to derive a weight, after checking it against the length.
- Weights the file does not give are derived (length, filament_diameter or 1.75 mm, filament_density or the
  material's default density) with a warning naming what was assumed.
- `SlicedInfo.settings` keeps every `key = value` (and, in the header and footer comment blocks, `key: value`)
  pair found in the bytes read: never more than the head and tail.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from itertools import zip_longest
from pathlib import Path
from typing import TypeVar

from core.errors import FileFormatError
from core.formats.extrusion import ExtrusionResult, extrusion_from_path, weight_g
from core.formats.gcode_thumbnails import thumbnails_from_text, unfinished_block
from core.formats.model import FilamentUse, SlicedInfo
from core.services.filament import DEFAULT_DENSITY

HEAD_BYTES = 1024 * 1024
TAIL_BYTES = 1024 * 1024
THUMBNAIL_READ_CAP = 8 * 1024 * 1024
DEFAULT_DIAMETER_MM = 1.75
CURA_PLACEHOLDER_TIME = 6666

_BOM = b"\xef\xbb\xbf"

# ---------------------------------------------------------------- slicer detection

_GENERATED_BY = re.compile(
    r"^;\s*generated by (PrusaSlicer|SuperSlicer|OrcaSlicer|BambuStudio|Slic3r Prusa Edition|Slic3r)"
    r"\s+([^\s]+)?",
    re.MULTILINE | re.IGNORECASE,
)
_DETECT = [
    (re.compile(r"^;\s*BambuStudio\s+([^\s]+)", re.MULTILINE), "BambuStudio"),
    (re.compile(r"^;\s*Generated with Cura_SteamEngine\s+([^\s]+)", re.MULTILINE), "Cura"),
    (re.compile(r"^;GENERATOR\.NAME:\s*Cura_SteamEngine\s*$", re.MULTILINE), "Cura"),
    (re.compile(r"^;\s*G-Code generated by Simplify3D\(R\) Version\s+([^\s]+)", re.MULTILINE), "Simplify3D"),
    (re.compile(r"^;\s*Sliced by ideaMaker\s+([^\s,]+)", re.MULTILINE), "ideaMaker"),
]
_CANONICAL = {
    "prusaslicer": "PrusaSlicer",
    "superslicer": "SuperSlicer",
    "orcaslicer": "OrcaSlicer",
    "bambustudio": "BambuStudio",
    "slic3r": "Slic3r",
    "slic3r prusa edition": "Slic3r Prusa Edition",
}
_PRUSA_FAMILY = {"PrusaSlicer", "SuperSlicer", "Slic3r", "Slic3r Prusa Edition", "OrcaSlicer", "BambuStudio"}

# ---------------------------------------------------------------- key/value comment lines

_EQUALS = re.compile(r"\n;[ \t]*([^\n=;]{1,120}?)[ \t]+=[ \t]?([^\n]*)")
_COLON = re.compile(r"\n;[ \t]*([A-Za-z_#][^\n:;]{0,120}?)[ \t]*:[ \t]*([^\n]*)")
_COMMA = re.compile(r"\n;[ \t]+([A-Za-z][A-Za-z0-9_]{1,60}),([^\n]*)")
_FIRST_MOVE = re.compile(r"\n[ \t]*[Gg]0?[0-3][ \t]")
_LAST_MOVE = re.compile(r".*\n[ \t]*[Gg]0?[0-3][ \t]", re.DOTALL)
# BambuStudio joins two pairs on one line; OrcaSlicer 2.x once dropped a newline between two stats lines
# (OrcaSlicer/OrcaSlicer#6065: "; filament cost = 14.10; total filament used [g] = 3.53").
_JOINED = re.compile(r"^(.*?);\s*((?:total|model|estimated|filament)\b[^=:;]*?)\s*([=:])\s*(.*)$")
_LAYER_COUNT = re.compile(r"\n;LAYER_COUNT:\s*(\d+)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_duration(text: str) -> int | None:
    """Seconds from the ways slicers write a duration; None when there is none."""
    text = text.strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?s?", text):
        return round(float(text.rstrip("s")))
    clock = re.fullmatch(r"(\d+):(\d{1,2}):(\d{1,2})", text)
    if clock:
        h, m, s = (int(g) for g in clock.groups())
        return h * 3600 + m * 60 + s
    units = {
        "d": 86400,
        "day": 86400,
        "h": 3600,
        "hour": 3600,
        "m": 60,
        "min": 60,
        "minute": 60,
        "s": 1,
        "sec": 1,
        "second": 1,
    }
    total = 0.0
    found = False
    for value, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", text):
        key = unit.rstrip("s") if unit not in ("s",) else unit
        if key not in units:
            return None
        total += float(value) * units[key]
        found = True
    return round(total) if found else None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group())
    return value if math.isfinite(value) else None


def _strict_number(text: str) -> float | None:
    text = text.strip()
    if not text or _NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


_ESCAPES = {"n": "\n", "r": "\r"}


def split_strings(value: str | None, sep: str = ";") -> list[str | None]:
    r"""A per-slot list as the slicers write it: `PLA;PETG`, `"Prusament PLA";"Generic \"Silk\" PLA;blue"`.

    An item in double quotes may hold the separator; inside the quotes a backslash escapes the next character
    (`\"`, `\\`; `\n` and `\r` are a newline and a carriage return), as PrusaSlicer, SuperSlicer, OrcaSlicer
    and BambuStudio write string lists. Whitespace around an item is dropped; a blank item is None; a trailing
    separator ends the list with one more blank item (`;;` is three). An unclosed quote runs to the end.
    """
    if value is None or not value.strip():
        return []
    items: list[str | None] = []
    position, end = 0, len(value)
    while True:
        while position < end and value[position] in " \t":
            position += 1
        if position < end and value[position] == '"':
            chars: list[str] = []
            position += 1
            while position < end and value[position] != '"':
                char = value[position]
                if char == "\\" and position + 1 < end:
                    position += 1
                    char = _ESCAPES.get(value[position], value[position])
                chars.append(char)
                position += 1
            text = "".join(chars)
            stop = value.find(sep, position + 1)  # what follows the closing quote up to `sep` is dropped
            items.append(text if text.strip() else None)
        else:
            stop = value.find(sep, position)
            text = value[position : stop if stop >= 0 else end].strip()
            items.append(text or None)
        if stop < 0:
            return items
        position = stop + len(sep)


def _numbers(value: str | None, what: str, warnings: list[str]) -> list[float | None]:
    """A per-tool list ("1.20, , 0.29" or "1.2;;0.3"): None for blanks and for values that are no number."""
    if value is None:
        return []
    sep = ";" if ";" in value and "," not in value else ","
    out: list[float | None] = []
    for part in split_strings(value, sep):
        number = _strict_number(part) if part else None
        if part and number is None:
            warnings.append(f"The {what} value {part!r} is not a number; it was ignored.")
        if number is not None and number < 0:
            warnings.append(f"The {what} value {part} is negative; it was ignored.")
            number = None
        out.append(number)
    return out


def _percent(value: str | None) -> float | None:
    if value is None:
        return None
    number = _number(value)
    if number is None:
        return None
    if "%" not in value and number <= 1.0:
        number *= 100.0  # Slic3r before 1.2 wrote fill_density = 0.2
    return round(number, 4)


# ---------------------------------------------------------------- reading bytes


def _decode(data: bytes) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _pairs(text: str, colon_zone: str) -> list[tuple[str, str]]:
    pairs = [(k.strip(), v.strip()) for k, v in _EQUALS.findall(text)]
    pairs += [(k.strip(), v.strip()) for k, v in _COLON.findall(colon_zone) if "=" not in k]
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        joined = _JOINED.match(value)
        if joined:
            out.append((key, joined.group(1).strip()))
            out.append((joined.group(2).strip(), joined.group(4).strip()))
        else:
            out.append((key, value))
    return out


def _header_and_footer(head: str, tail: str) -> str:
    """The comment blocks before the first move of the head and after the last move of the tail."""
    first = _FIRST_MOVE.search(head)
    header = head[: first.start()] if first else head
    source = tail or head
    last = _LAST_MOVE.match(source)
    footer = source[last.end() :] if last else (source if first is None else "")
    return header + "\n" + footer


def parse_gcode_metadata(head: bytes, tail: bytes = b"", *, filaments: bool = True) -> SlicedInfo:
    """What the head and tail of a G-code file say. Never raises for odd bytes: oddities become warnings.

    With `filaments=False` the filament usage is not read (`filaments` stays empty): for a caller that takes
    it from elsewhere, as the .gcode.3mf reader does.
    """
    if tail:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut >= 0 else b""
    head_text = "\n" + _decode(head)
    tail_text = "\n" + _decode(tail) if tail else ""
    info = SlicedInfo()
    _detect_slicer(info, head_text)
    text = head_text + tail_text
    zone = "\n" + _header_and_footer(head_text, tail_text)
    pairs = _pairs(text, zone)
    if info.slicer_name == "Simplify3D":
        pairs += [(k.strip(), v.strip()) for k, v in _COMMA.findall(zone)]
    settings: dict[str, str] = {}
    for key, value in pairs:
        settings[key] = value
    info.settings = settings
    info.thumbnails = thumbnails_from_text(head + b"\n" + tail if tail else head, info.warnings)

    if info.slicer_name == "Cura":
        _apply_cura(info, settings, text)
    elif info.slicer_name == "Simplify3D":
        _apply_simplify3d(info, settings)
    elif info.slicer_name == "ideaMaker":
        _apply_ideamaker(info, settings)
    else:
        slic3r_lines = [v for k, v in pairs if k == "filament used" and "mm" in v]
        if filaments and slic3r_lines and "filament used [mm]" not in settings:
            _apply_slic3r_usage(info, slic3r_lines)
        apply_prusa_settings(info, settings, filaments=filaments)
    if filaments:
        _complete_weights(info, settings)
    else:
        info.filaments = []
        _drop_volume_notes(info.settings)
    return info


def _detect_slicer(info: SlicedInfo, head_text: str) -> None:
    window = head_text[:65536]
    match = _GENERATED_BY.search(window)
    if match:
        info.slicer_name = _CANONICAL[match.group(1).lower()]
        info.slicer_version = match.group(2)
        return
    for pattern, name in _DETECT:
        found = pattern.search(window)
        if found:
            info.slicer_name = name
            info.slicer_version = found.group(1) if found.groups() else None
            if name == "Cura" and info.slicer_version is None:
                version = re.search(r"^;GENERATOR\.VERSION:\s*(\S+)", window, re.MULTILINE)
                info.slicer_version = version.group(1) if version else None
            return
    info.warnings.append("The slicer that wrote this G-code was not recognised.")


# ---------------------------------------------------------------- PrusaSlicer family

_T = TypeVar("_T")

# Keys only the BambuStudio lineage writes (OrcaSlicer and its forks too): for a file whose writer is not
# recognised, they tell that `extruder_colour` is a printer colour there, not a filament's.
_BAMBU_LINEAGE_KEYS = ("initial_layer_print_height", "sparse_infill_density", "total filament length [mm]")
_FILAMENT_COLOUR_SLICERS = {"BambuStudio", "OrcaSlicer"}


def _at(values: list[_T], index: int) -> _T | None:
    return values[index] if 0 <= index < len(values) else None


def _slot(info: SlicedInfo, number: int) -> FilamentUse:
    """The FilamentUse of slot `number`, added (keeping `info.filaments` in slot order) when missing."""
    for use in info.filaments:
        if use.slot == number:
            return use
    use = FilamentUse(slot=number)
    info.filaments.append(use)
    info.filaments.sort(key=lambda f: f.slot)
    return use


def _slots(info: SlicedInfo, count: int) -> list[FilamentUse]:
    """Slots 0 to count - 1, added as needed; item i is slot i (other slots in `info.filaments` are kept)."""
    return [_slot(info, number) for number in range(count)]


def _set_if_none(info: SlicedInfo, name: str, value: object) -> None:
    if value is not None and getattr(info, name) is None:
        setattr(info, name, value)


def _first_layer_mm(value: str | None, layer_mm: float | None) -> float | None:
    """`first_layer_height` in mm; PrusaSlicer also allows a percentage of the layer height (`150%`)."""
    number = _number(value)
    if value is None or number is None:
        return None
    if "%" in value:
        return round(layer_mm * number / 100, 4) if layer_mm and number else None
    return number


def _uses_filament_colour(info: SlicedInfo, settings: dict[str, str]) -> bool:
    """True when `extruder_colour` is no filament's colour (BambuStudio, OrcaSlicer and their forks)."""
    if info.slicer_name is not None:
        return info.slicer_name in _FILAMENT_COLOUR_SLICERS
    return any(key in settings for key in _BAMBU_LINEAGE_KEYS)


def _slot_colours(info: SlicedInfo, settings: dict[str, str]) -> list[str | None]:
    """The colour of each slot.

    PrusaSlicer's preview shows `extruder_colour` (when set) over `filament_colour`. BambuStudio and
    OrcaSlicer use `extruder_colour` for a printer display colour (#018001 on an A1 mini), so there
    `filament_colour` alone counts.
    """
    filament = split_strings(settings.get("filament_colour"))
    if _uses_filament_colour(info, settings):
        return filament
    extruder = split_strings(settings.get("extruder_colour"))
    return [e or f for e, f in zip_longest(extruder, filament)]


def filament_volume_cm3(
    labelled: float | None, length_mm: float | None, diameter_mm: float | None
) -> float | None:
    """A volume labelled cm3 (`total filament volume [cm^3]`), in cm3, whichever unit it really holds.

    BambuStudio writes cubic millimetres under that label (bambulab/BambuStudio#8524). With the length and the
    filament diameter the unit is checked: the cross-section times the length is the volume in mm3, and a
    value that matches neither unit (within 5 %) is None. Without them, mm3 is assumed (BambuStudio's).
    """
    if labelled is None or not math.isfinite(labelled) or labelled < 0:
        return None
    if not (length_mm and diameter_mm):
        return labelled / 1000.0
    expected_mm3 = length_mm * math.pi * (diameter_mm / 2) ** 2
    if abs(labelled - expected_mm3) <= 0.05 * expected_mm3:
        return labelled / 1000.0
    if abs(labelled * 1000 - expected_mm3) <= 0.05 * expected_mm3:
        return labelled
    return None


def _header_slots(settings: dict[str, str], count: int, warnings: list[str]) -> list[int] | None:
    """The slot of each value of a header usage list, or None (with a warning) when that is not known."""
    listed = settings.get("filament")
    ids = _numbers(listed, "filament number", [])
    numbers = [int(n) for n in ids if n is not None and n >= 1 and n == int(n)]
    if listed is not None and len(numbers) == len(ids) == len(set(numbers)) == count:
        return [n - 1 for n in numbers]
    project = max(
        len(split_strings(settings.get("filament_type"))),
        len(split_strings(settings.get("filament_colour"))),
        len(_numbers(settings.get("filament_density"), "filament density", [])),
    )
    if listed is None and (count == project or (count == 1 and project <= 1)):
        return list(range(count))  # every filament of the project is used: in slot order
    if listed is None:
        warnings.append(
            f"The file gives the filament used by {count} filaments without saying which ones; "
            "those figures were ignored."
        )
    else:
        warnings.append(
            f"The file's filament totals ({count} values) do not match its list of filaments used "
            f"({listed.strip()!r}); they were ignored."
        )
    return None


def filaments_from_header(settings: dict[str, str], warnings: list[str]) -> list[FilamentUse]:
    """Per-filament usage from a BambuStudio / OrcaSlicer header, one FilamentUse per filament used.

    `; total filament length [mm] : 1.2,3.4`, `; total filament weight [g] : ...` and `; total filament
    volume [cm^3] : ...` hold one value per filament used, in the order of `; filament: 1,3` (the project's
    filament numbers, 1-based): slot = number - 1, so slots may be sparse. Type, colour (`filament_colour`:
    these slicers' `extruder_colour` is a printer colour), name, density, diameter and price per kg
    (`filament_cost`) are per-project-slot lists, looked up by slot. A weight of 0 next to a length (a profile
    without a density) is unknown; a missing weight is derived from the volume (its unit checked by
    `filament_volume_cm3`) and the density, the material's usual one when the file gives none, with a
    warning. Cost is weight times price. [] when the header has no such lists, or (with a warning) when their
    values cannot be matched to slots.
    """
    lengths = _numbers(settings.get("total filament length [mm]"), "filament length", warnings)
    weights = _numbers(settings.get("total filament weight [g]"), "filament weight", warnings)
    volumes = _numbers(settings.get("total filament volume [cm^3]"), "filament volume", warnings)
    count = max(len(lengths), len(weights), len(volumes))
    slots = _header_slots(settings, count, warnings) if count else None
    if slots is None:
        return []
    types = split_strings(settings.get("filament_type"))
    colours = split_strings(settings.get("filament_colour"))
    names = split_strings(settings.get("filament_settings_id"))
    prices = _numbers(settings.get("filament_cost"), "filament price", [])
    result = []
    for position, slot in enumerate(slots):
        use = FilamentUse(
            slot=slot,
            type=_at(types, slot),
            color=_at(colours, slot),
            name=_at(names, slot),
            length_mm=_at(lengths, position),
            weight_g=_at(weights, position),
        )
        if use.weight_g == 0 and use.length_mm:
            use.weight_g = None  # BambuStudio writes 0.00 g for a profile without a density
        volume = filament_volume_cm3(_at(volumes, position), use.length_mm, _diameter(settings, slot)[0])
        if use.weight_g is None and volume:
            density, assumed = _density(settings, use)
            use.weight_g = round(volume * density, 4)
            warnings.append(
                f"The weight of filament {slot + 1} is derived from its volume and density."
                if assumed is None
                else f"The weight of filament {slot + 1} is derived from its volume, assuming {assumed}: "
                f"{density:.2f} g/cm3."
            )
        price = _at(prices, slot)
        if use.weight_g is not None and price is not None:
            use.cost = round(use.weight_g * price / 1000, 4)
        result.append(use)
    return result


def apply_prusa_settings(info: SlicedInfo, settings: dict[str, str], *, filaments: bool = True) -> None:
    """Fill `info` from PrusaSlicer-style settings (SuperSlicer, Slic3r, OrcaSlicer, BambuStudio keys too).

    Fields already set are kept. With `filaments=False` only the scalar fields are filled.
    """
    s = settings
    w = info.warnings
    model = s.get("printer_model", "").strip().strip('"')
    _set_if_none(info, "printer_model", model or None)
    nozzles = [n for n in _numbers(s.get("nozzle_diameter"), "nozzle diameter", w) if n]
    _set_if_none(info, "nozzle_diameter_mm", nozzles[0] if nozzles else None)
    _set_if_none(info, "layer_height_mm", _number(s.get("layer_height")))
    first = s.get("first_layer_height") or s.get("initial_layer_print_height")
    _set_if_none(info, "first_layer_height_mm", _first_layer_mm(first, info.layer_height_mm))
    _set_if_none(info, "infill_percent", _percent(s.get("fill_density") or s.get("sparse_infill_density")))
    time_text = (
        s.get("total estimated time")
        or s.get("estimated printing time (normal mode)")
        or s.get("estimated printing time")
        or s.get("model printing time")
    )
    _set_if_none(info, "estimated_time_s", parse_duration(time_text) if time_text else None)
    layers = _number(s.get("total layers count") or s.get("total layer number"))
    _set_if_none(info, "layer_count", int(layers) if layers and layers > 0 else None)
    height = _number(s.get("max_layer_z") or s.get("max_z_height"))
    _set_if_none(info, "object_height_mm", height if height and height > 0 else None)
    if filaments:
        _apply_prusa_filaments(info, s)


def _apply_prusa_filaments(info: SlicedInfo, s: dict[str, str]) -> None:
    """PrusaSlicer's per-extruder lists (one value per slot, from slot 0) and the BambuStudio header's
    per-filament lists (`filaments_from_header`), merged by slot number."""
    w = info.warnings
    lengths = _numbers(s.get("filament used [mm]"), "filament length", w)
    weights = _numbers(s.get("filament used [g]"), "filament weight", w)
    volumes = _numbers(s.get("filament used [cm3]"), "filament volume", w)
    costs = _numbers(s.get("filament cost"), "filament cost", w)
    types = split_strings(s.get("filament_type"))
    colours = _slot_colours(info, s)
    names = split_strings(s.get("filament_settings_id"))
    from_header = filaments_from_header(s, w)

    count = max(len(lengths), len(weights), len(volumes), len(costs))
    if count == 0 and not from_header and not info.filaments and any(types):
        used = [n for n in _numbers(s.get("filament"), "filament number", []) if n]
        count = 1 if len(set(types)) == 1 and len(types) > 1 and not used else len(types)
    for slot in _slots(info, count):
        i = slot.slot
        slot.type = slot.type or _at(types, i)
        slot.color = slot.color or _at(colours, i)
        slot.name = slot.name or _at(names, i)
        if slot.length_mm is None:
            slot.length_mm = _at(lengths, i)
        if slot.weight_g is None:
            slot.weight_g = _at(weights, i)
        if slot.cost is None:
            slot.cost = _at(costs, i)
    for use in from_header:
        slot = _slot(info, use.slot)
        for name in ("type", "color", "name", "length_mm", "weight_g", "cost"):
            if getattr(slot, name) is None:
                setattr(slot, name, getattr(use, name))
    for i, volume in enumerate(volumes):
        if volume is not None and i < count:
            info.settings.setdefault(f"_volume_cm3_{i}", str(volume))

    single_cost = _number(s.get("total filament cost"))
    if (
        len(info.filaments) == 1
        and info.filaments[0].cost is None
        and single_cost is not None
        and single_cost >= 0
    ):
        info.filaments[0].cost = single_cost
    _check_totals(info, s)


def _check_totals(info: SlicedInfo, s: dict[str, str]) -> None:
    total_weight = _number(s.get("total filament used [g]"))
    weights = [f.weight_g for f in info.filaments if f.weight_g is not None]
    if total_weight and weights:
        parts = sum(weights)
        if abs(parts - total_weight) > max(0.01, 0.01 * total_weight):
            info.warnings.append(
                f"The per-filament weights add up to {parts:.2f} g "
                f"but the file's total says {total_weight:.2f} g."
            )
    total_cost = _number(s.get("total filament cost"))
    costs = [f.cost for f in info.filaments if f.cost is not None]
    if total_cost and costs and len(info.filaments) > 1:
        parts = sum(costs)
        if abs(parts - total_cost) > max(0.01, 0.01 * total_cost):
            info.warnings.append(
                f"The per-filament costs add up to {parts:.2f} but the file's total says {total_cost:.2f}."
            )


def _apply_slic3r_usage(info: SlicedInfo, lines: list[str]) -> None:
    """Slic3r 1.x: one "; filament used = 333.4mm (2.4cm3)" line per extruder."""
    slots = _slots(info, len(lines))
    for slot, line in zip(slots, lines, strict=False):
        match = re.match(r"\s*([\d.]+)\s*mm(?:\s*\(([\d.]+)\s*cm3\))?", line)
        if match:
            slot.length_mm = float(match.group(1))
            if match.group(2):
                info.settings.setdefault(f"_volume_cm3_{slot.slot}", match.group(2))


# ---------------------------------------------------------------- Cura, Simplify3D, ideaMaker


def _cura_settings(text: str) -> dict[str, str]:
    """The key = value lines of the profile Cura serialises in ";SETTING_3" lines at the end of the file."""
    chunks = re.findall(r"\n;SETTING_3 ([^\n]*)", text)
    if not chunks:
        return {}
    try:
        data = json.loads("".join(chunks))
    except ValueError:
        return {}
    blobs: list[str] = []
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, str):
                blobs.append(value)
            elif isinstance(value, list):
                blobs.extend(v for v in value if isinstance(v, str))
    out: dict[str, str] = {}
    for blob in blobs[:16]:
        blob = blob.replace("\\n", "\n")  # Cura escapes the newlines of each profile once more
        values = blob.split("[values]", 1)[-1] if "[values]" in blob else ""
        for line in values.split("\n"):
            if " = " in line:
                key, value = line.split(" = ", 1)
                out.setdefault(key.strip(), value.strip())
    return out


def _apply_cura(info: SlicedInfo, s: dict[str, str], text: str) -> None:
    w = info.warnings
    profile = _cura_settings(text)
    for key, value in profile.items():
        info.settings.setdefault(key, value)
    seconds = _number(s.get("TIME") or s.get("PRINT.TIME"))
    if seconds is not None and int(seconds) == CURA_PLACEHOLDER_TIME:
        w.append("The print time is Cura's placeholder (6666 s), so it is unknown.")
    elif seconds and seconds > 0:
        info.estimated_time_s = round(seconds)
    lengths: list[float | None] = []
    for part in split_strings(s.get("Filament used"), ","):
        metres = _number(part)
        lengths.append(round(metres * 1000, 3) if metres else None)  # "0m" is Cura's placeholder: unknown
    if s.get("Filament used") is not None and not any(lengths):
        w.append("The filament used is Cura's placeholder (0 m), so it is unknown.")
        lengths = []
    # Griffin: per extruder train, volume in mm3 and nozzle.
    trains = sorted({int(m) for m in re.findall(r"^EXTRUDER_TRAIN\.(\d+)\.", "\n".join(s), re.MULTILINE)})
    volumes: dict[int, float] = {}
    for t in trains:
        volume = _number(s.get(f"EXTRUDER_TRAIN.{t}.MATERIAL.VOLUME_USED"))
        if volume:
            volumes[t] = volume
        _set_if_none(info, "nozzle_diameter_mm", _number(s.get(f"EXTRUDER_TRAIN.{t}.NOZZLE.DIAMETER")))
    count = max(len(lengths), (max(volumes) + 1) if volumes else 0)
    slots = _slots(info, count)
    for i, length in enumerate(lengths):
        slots[i].length_mm = length
    diameter = _number(profile.get("material_diameter"))
    for t, volume in volumes.items():
        info.settings.setdefault(f"_volume_cm3_{t}", str(volume / 1000.0))
        if slots[t].length_mm is None:
            d = diameter or 2.85
            if diameter is None:
                w.append(
                    "Filament length was derived from the volume assuming 2.85 mm filament (Ultimaker's)."
                )
            slots[t].length_mm = round(volume / (math.pi * (d / 2) ** 2), 2)
    layer = _number(s.get("Layer height")) or _number(profile.get("layer_height"))
    _set_if_none(info, "layer_height_mm", layer)
    _set_if_none(info, "first_layer_height_mm", _number(profile.get("layer_height_0")))
    _set_if_none(info, "nozzle_diameter_mm", _number(profile.get("machine_nozzle_size")))
    infill = profile.get("infill_sparse_density")
    if infill is not None and _strict_number(infill) is not None:
        info.infill_percent = _strict_number(infill)
    maxz = _number(s.get("MAXZ") or s.get("PRINT.SIZE.MAX.Z"))
    minz = _number(s.get("MINZ") or s.get("PRINT.SIZE.MIN.Z"))
    if maxz is not None and 0.01 < maxz < 10000:
        info.object_height_mm = maxz
        if minz is not None and 0 < minz < maxz:
            _set_if_none(info, "first_layer_height_mm", minz)
    machine = s.get("TARGET_MACHINE.NAME") or profile.get("machine_name")
    if machine and machine.strip() not in ("Unknown", ""):
        info.printer_model = machine.strip()
    layers = _LAYER_COUNT.search(text)
    if layers and int(layers.group(1)) > 0:
        info.layer_count = int(layers.group(1))


def _apply_simplify3d(info: SlicedInfo, s: dict[str, str]) -> None:
    info.estimated_time_s = parse_duration(s.get("Build time", "")) if s.get("Build time") else None
    layer = _number(s.get("layerHeight"))
    info.layer_height_mm = layer
    first = _number(s.get("firstLayerHeightPercentage"))
    if layer and first:
        info.first_layer_height_mm = round(layer * first / 100, 4)
    info.infill_percent = _number(s.get("infillPercentage"))
    info.nozzle_diameter_mm = _number(s.get("extruderDiameter"))
    length = _number(s.get("Filament length"))
    weight = _number(s.get("Plastic weight"))
    cost = _number(s.get("Material cost"))
    if length or weight:
        slot = _slots(info, 1)[0]
        slot.length_mm = length or None
        slot.weight_g = weight or None
        slot.cost = cost
    volume = s.get("Plastic volume")
    if volume and "mm^3" in volume and _number(volume):
        info.settings.setdefault("_volume_cm3_0", str((_number(volume) or 0) / 1000))
    density = _at(split_strings(s.get("filamentDensities"), "|"), 0)
    if density and _number(density):
        info.settings.setdefault("filament_density", density)
    diameter = _at(split_strings(s.get("filamentDiameters"), "|"), 0)
    if diameter and _number(diameter):
        info.settings.setdefault("filament_diameter", diameter)


def _apply_ideamaker(info: SlicedInfo, s: dict[str, str]) -> None:
    seconds = s.get("Print Time")
    info.estimated_time_s = parse_duration(seconds) if seconds else None
    used = sorted(int(m) for m in re.findall(r"^Material#(\d+) Used$", "\n".join(s), re.MULTILINE))
    slots = _slots(info, max(used) if used else 0)
    for n in used:
        slots[n - 1].length_mm = _number(s.get(f"Material#{n} Used"))
    for slot in slots:
        n = slot.slot + 1
        slot.type = s.get(f"Filament Type #{n}") or None
        slot.name = s.get(f"Filament Name #{n}") or None
    dimension = (s.get("Dimension") or "").split()
    if len(dimension) >= 4:
        info.nozzle_diameter_mm = _number(dimension[3])
    info.printer_model = (s.get("Printer Type") or "").strip() or None
    diameter = s.get("Filament Diameter #1")
    if diameter:
        info.settings.setdefault("filament_diameter", diameter)


# ---------------------------------------------------------------- weights and usage from moves


def _density(settings: dict[str, str], slot: FilamentUse) -> tuple[float, str | None]:
    """g/cm3 for a slot, and what was assumed (None when the file says)."""
    densities = _numbers(settings.get("filament_density"), "filament density", [])
    given = (
        densities[slot.slot]
        if slot.slot < len(densities)
        else (densities[0] if len(densities) == 1 else None)
    )
    if given:
        return given, None
    material = (slot.type or "").strip().upper()
    if material in DEFAULT_DENSITY:
        return DEFAULT_DENSITY[material] / 1000.0, f"the usual {material} density"
    return DEFAULT_DENSITY["PLA"] / 1000.0, "PLA's density (the material is unknown)"


def _diameter(settings: dict[str, str], slot: int) -> tuple[float, bool]:
    diameters = _numbers(settings.get("filament_diameter"), "filament diameter", [])
    given = diameters[slot] if slot < len(diameters) else (diameters[0] if len(diameters) == 1 else None)
    return (given, False) if given else (DEFAULT_DIAMETER_MM, True)


def _complete_weights(info: SlicedInfo, settings: dict[str, str]) -> None:
    for slot in info.filaments:
        if slot.weight_g == 0 and slot.length_mm:
            slot.weight_g = None  # a profile without a density: the slicer wrote 0 g
        if slot.weight_g is not None or not slot.length_mm:
            continue
        density, assumed = _density(settings, slot)
        volume = _number(settings.get(f"_volume_cm3_{slot.slot}"))
        if volume:
            slot.weight_g = round(volume * density, 2)
            diameter_assumed = False
        else:
            diameter, diameter_assumed = _diameter(settings, slot.slot)
            slot.weight_g = round(weight_g(slot.length_mm, diameter, density), 2)
        notes = [n for n in (assumed, "1.75 mm filament" if not volume and diameter_assumed else None) if n]
        if notes:
            info.warnings.append(
                f"The weight of filament {slot.slot + 1} was estimated from its length, assuming "
                f"{' and '.join(notes)}: {density:.2f} g/cm3."
            )
    _drop_volume_notes(info.settings)


def _drop_volume_notes(settings: dict[str, str]) -> None:
    """The `_volume_cm3_N` notes the readers leave for `_complete_weights` are no settings of the file."""
    for key in [k for k in settings if k.startswith("_volume_cm3")]:
        del settings[key]


def _has_usage(info: SlicedInfo) -> bool:
    return any((f.length_mm or 0) > 0 or (f.weight_g or 0) > 0 for f in info.filaments)


def apply_usage_from_moves(info: SlicedInfo, result: ExtrusionResult, settings: dict[str, str]) -> None:
    """Per-slot lengths from the extrusion pass; weights estimated, with warnings."""
    info.warnings.extend(result.warnings)
    if not result.complete or not result.lengths_mm:
        if result.complete:
            info.warnings.append("The file gives no filament usage and its moves extrude nothing.")
        return
    count = max(result.lengths_mm) + 1
    info.filaments = [f for f in info.filaments if f.slot < count]
    slots = _slots(info, count)
    for slot in slots:
        slot.length_mm = round(result.lengths_mm.get(slot.slot, 0.0), 2)
        slot.weight_g = None
    info.warnings.append("The file gives no filament usage; it was computed from the moves.")
    _complete_weights(info, dict(settings))


# ---------------------------------------------------------------- files


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if not sample or b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= len(sample) // 100


_GCODE_LINE = re.compile(rb"(?m)^[ \t]*(?:[GMTgmt][0-9]|;)")


def read_gcode(path: str | Path, should_stop: Callable[[], bool] | None = None) -> SlicedInfo:
    """Metadata of an ASCII G-code file from at most two 1 MB reads, plus the extrusion pass if needed."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                raise FileFormatError("The G-code file is empty.")
            head = fh.read(HEAD_BYTES)
            tail = b""
            if size > HEAD_BYTES:
                start = max(HEAD_BYTES, size - TAIL_BYTES)
                fh.seek(start - 1)
                tail = fh.read(TAIL_BYTES + 1)
                newline = tail.find(b"\n")
                tail = tail[newline + 1 :] if newline >= 0 else b""
            if head.startswith(b"GCDE"):
                raise FileFormatError("This is a binary G-code (.bgcode) file, not text G-code.")
            if not _looks_like_text(head) or _GCODE_LINE.search(head[:65536]) is None:
                raise FileFormatError("The file does not contain G-code text.")
            info = parse_gcode_metadata(head, tail)
            cut_at = unfinished_block(head) if size > HEAD_BYTES else None
            if cut_at is not None:
                fh.seek(cut_at)
                block = fh.read(THUMBNAIL_READ_CAP)
                info.thumbnails += thumbnails_from_text(block, info.warnings)
    except OSError as error:
        raise FileFormatError(f"The G-code file could not be read ({error.strerror or error}).") from error
    if not _has_usage(info):
        result = extrusion_from_path(path, should_stop)
        apply_usage_from_moves(info, result, info.settings)
    return info
