"""Recognising embedded images by their bytes: PNG, JPEG and QOI, with their size, whatever their tag says."""

from __future__ import annotations

import struct

from core.formats.model import Thumbnail

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QOI_MAGIC = b"qoif"


def image_format(data: bytes) -> str | None:
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(QOI_MAGIC):
        return "qoi"
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def image_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    if fmt == "png" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if fmt == "qoi" and len(data) >= 14:
        width, height = struct.unpack(">II", data[4:12])
        return width, height
    if fmt == "jpg":
        return _jpeg_size(data)
    return None


def thumbnail_from_bytes(data: bytes, warnings: list[str], where: str = "thumbnail") -> Thumbnail | None:
    """A Thumbnail for an embedded image, or None (with a warning) when the bytes are no image we know."""
    fmt = image_format(data)
    if fmt is None:
        warnings.append(f"The {where} is not a PNG, JPEG or QOI image; it was skipped.")
        return None
    size = image_size(data, fmt)
    if size is None or not (0 < size[0] <= 16384 and 0 < size[1] <= 16384):
        warnings.append(f"The {where} ({fmt}) has no readable size; it was skipped.")
        return None
    return Thumbnail(width=size[0], height=size[1], format=fmt, data=data)
