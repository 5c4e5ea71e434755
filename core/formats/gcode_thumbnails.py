"""Thumbnails embedded in G-code comments, as slicers write them in the head of a file.

The blocks understood (the tag may lie: the format is read from the image's magic bytes)::

    ; thumbnail begin 220x124 13512        PrusaSlicer, SuperSlicer, OrcaSlicer, BambuStudio (PNG)
    ; thumbnail_JPG begin 300x300 20532    the same with JPEG; thumbnail_QOI for QOI
    ; png begin 300*300 12345 4 97 500     Creality plugins for Cura; "; jpg begin" likewise
    ; <base64, one line after another>
    ; thumbnail end                        (or "; png end", "; jpg end", "; thumbnail_JPG end", ...)

The number after the size is the length of the payload: PrusaSlicer counts base64 characters, some Creality
plugins count the decoded bytes; either is accepted, anything else is a damaged block that is skipped with a
warning. CRLF line ends are fine.

Public API
----------
- `thumbnails_from_text(data: bytes, warnings) -> list[Thumbnail]`: every complete block in `data`.
- `unfinished_block(data: bytes) -> int | None`: the offset of a block that starts in `data` but does not end
  there (the head read cut it), so the caller can read on from there for that block only.
"""

from __future__ import annotations

import binascii
import re

from core.formats.model import Thumbnail
from core.formats.thumbnails import thumbnail_from_bytes

MAX_THUMBNAILS = 16
MAX_PAYLOAD_CHARS = 8 * 1024 * 1024

_BEGIN = re.compile(
    rb"^;[ \t]*(thumbnail(?:_[A-Za-z]+)?|png|jpe?g)[ \t]+begin[ \t]+(\d{1,6})[ \t]*[x*X \t][ \t]*(\d{1,6})"
    rb"[ \t]+(\d{1,9})[^\r\n]*\r?$",
    re.MULTILINE,
)
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")


def _end_marker(tag: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"^;[ \t]*" + re.escape(tag) + rb"[ \t]+end[ \t]*\r?$", re.MULTILINE)


def _find_begin(data: bytes, pos: int) -> re.Match[bytes] | None:
    """The next begin line from `pos`: a fast search for "begin", then the pattern at its line start."""
    while True:
        hit = data.find(b"begin", pos)
        if hit < 0:
            return None
        line_start = max(data.rfind(b"\n", 0, hit), data.rfind(b"\r", 0, hit)) + 1
        match = _BEGIN.match(data, line_start)
        if match is not None:
            return match
        pos = hit + 5


def _blocks(data: bytes) -> list[tuple[int, int, re.Match[bytes]]]:
    """(start of the begin line, start of the end line or -1, the begin match) for each block."""
    found: list[tuple[int, int, re.Match[bytes]]] = []
    pos = 0
    while len(found) < MAX_THUMBNAILS * 2:
        begin = _find_begin(data, pos)
        if begin is None:
            break
        end = _end_marker(begin.group(1)).search(data, begin.end(), begin.end() + MAX_PAYLOAD_CHARS * 2)
        found.append((begin.start(), end.start() if end else -1, begin))
        if end is None:
            break
        pos = end.end()
    return found


def unfinished_block(data: bytes) -> int | None:
    blocks = _blocks(data)
    if blocks and blocks[-1][1] < 0:
        return blocks[-1][0]
    return None


def thumbnails_from_text(data: bytes, warnings: list[str]) -> list[Thumbnail]:
    thumbnails: list[Thumbnail] = []
    for _start, end, begin in _blocks(data):
        if end < 0:
            continue
        width, height, declared = int(begin.group(2)), int(begin.group(3)), int(begin.group(4))
        where = f"{width}x{height} thumbnail"
        payload = _NOT_BASE64.sub(b"", data[begin.end() : end].replace(b";", b""))
        if len(payload) > MAX_PAYLOAD_CHARS:
            warnings.append(f"The {where} is larger than 8 MB; it was skipped.")
            continue
        try:
            image = binascii.a2b_base64(payload, strict_mode=True)
        except (binascii.Error, ValueError):
            warnings.append(f"The {where} is not valid base64; it was skipped.")
            continue
        if declared not in (len(payload), len(image)):
            warnings.append(
                f"The {where} declares {declared} bytes but holds {len(payload)}; it was skipped as damaged."
            )
            continue
        thumbnail = thumbnail_from_bytes(image, warnings, where)
        if thumbnail is not None and len(thumbnails) < MAX_THUMBNAILS:
            thumbnails.append(thumbnail)
    return thumbnails
