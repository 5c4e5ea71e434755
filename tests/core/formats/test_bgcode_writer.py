"""A small .bgcode writer and MeatPack encoder for tests and the benchmark, and tests that readers read it
back.

The encoder follows what PrusaSlicer's libbgcode writes (so files built here look like real ones): every block
starts with "enable packing" (and "no spaces"), comment lines are copied as plain text behind "disable
packing" (MeatPack with comments) or dropped (plain MeatPack, which ends each block with "reset all"),
command lines lose their comment and surrounding blanks, and G lines also lose their spaces and end with a
second newline. None of this is product code: readers only ever decode.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import heatshrink2

from core.formats.bgcode import BlockType, Compression, GcodeEncoding, iter_bgcode_gcode, read_bgcode_metadata
from core.formats.meatpack import (
    DISABLE_PACKING,
    ENABLE_NO_SPACES,
    ENABLE_PACKING,
    NIBBLE_CHARS,
    RESET_ALL,
    decode_meatpack,
)

SLICERS = Path(__file__).resolve().parents[2] / "data" / "slicers"
NIBBLES = {char: value for value, char in enumerate(NIBBLE_CHARS[:15])}


def _command(code: int) -> bytes:
    return bytes((0xFF, 0xFF, code))


def _is_g_line(line: bytes) -> bool:
    at = line.find(b"G")
    return at >= 0 and at + 1 < len(line) and line[at + 1 : at + 2].isdigit()


def meatpack_encode(text: bytes, *, no_spaces: bool = True, comments: bool = True) -> bytes:
    """One MeatPack stream (one .bgcode block) for `text`, written the way libbgcode writes it."""
    values = dict(NIBBLES)
    if no_spaces:
        del values[ord(" ")]
        values[ord("E")] = NIBBLES[ord(" ")]
    out = bytearray(_command(ENABLE_PACKING))
    if no_spaces:
        out += _command(ENABLE_NO_SPACES)
    packing = True
    for line in text.splitlines(keepends=True):
        if comments and line.startswith(b";"):
            if packing:
                out += _command(DISABLE_PACKING)
                packing = False
            out += line
            continue
        if line[:1] in (b";", b"\n", b"\r") or len(line) < 2:
            continue
        body = line.split(b";", 1)[0].strip(b" \t")
        if not body:
            continue
        if _is_g_line(body):
            body = body.replace(b"x", b"X").replace(b"g", b"G").replace(b" ", b"")
            if no_spaces:
                body = body.replace(b"e", b"E")
            body += b"\n"
        if not body.endswith(b"\n"):
            body += b"\n"
        if not packing:
            out += _command(ENABLE_PACKING)
            packing = True
        for index in range(0, len(body), 2):
            first = body[index]
            second = body[index + 1] if index + 1 < len(body) else ord("\n")
            if first in values and second in values:
                out.append(values[first] | values[second] << 4)
            elif first in values:
                out += bytes((values[first] | 0xF0, second))
            elif second in values:
                out += bytes((0x0F | values[second] << 4, first))
            else:
                out += bytes((0xFF, first, second))
    if not comments:
        out += _command(RESET_ALL)
    return bytes(out)


def block(
    kind: int,
    payload: bytes,
    parameters: bytes = b"\0\0",
    compression: int = Compression.NONE,
    *,
    checksum: bool = True,
    declared_size: int | None = None,
) -> bytes:
    """One block: header, parameters, data compressed as asked, and its CRC32 when the file has them."""
    size = len(payload) if declared_size is None else declared_size
    if compression == Compression.NONE:
        header = struct.pack("<HHI", kind, compression, size)
        data = payload
    else:
        if compression == Compression.DEFLATE:
            data = zlib.compress(payload)
        else:
            window = 11 if compression == Compression.HEATSHRINK_11_4 else 12
            data = heatshrink2.encode(payload, window_sz2=window, lookahead_sz2=4)
        header = struct.pack("<HHII", kind, compression, size, len(data))
    body = header + parameters + data
    return body + (struct.pack("<I", zlib.crc32(body)) if checksum else b"")


def metadata_block(
    kind: int, values: dict[str, str], compression: int = Compression.NONE, **kw: bool
) -> bytes:
    text = "".join(f"{key}={value}\n" for key, value in values.items()).encode()
    return block(kind, text, b"\0\0", compression, **kw)


def thumbnail_block(image: bytes, tag: int, width: int, height: int, **kw: bool) -> bytes:
    return block(BlockType.THUMBNAIL, image, struct.pack("<HHH", tag, width, height), **kw)


def gcode_blocks(
    text: bytes,
    encoding: int = GcodeEncoding.MEATPACK_WITH_COMMENTS,
    compression: int = Compression.HEATSHRINK_12_4,
    *,
    block_text: int = 65536,
    checksum: bool = True,
) -> list[bytes]:
    """G-code cut at line ends into blocks of about `block_text` bytes of text, encoded as asked."""
    blocks = []
    start = 0
    while start < len(text):
        end = text.find(b"\n", min(start + block_text, len(text)) - 1)
        end = len(text) if end < 0 else end + 1
        chunk = text[start:end]
        if encoding != GcodeEncoding.NONE:
            chunk = meatpack_encode(chunk, comments=encoding == GcodeEncoding.MEATPACK_WITH_COMMENTS)
        blocks.append(
            block(BlockType.GCODE, chunk, struct.pack("<H", encoding), compression, checksum=checksum)
        )
        start = end
    return blocks


def bgcode_file(blocks: Iterable[bytes], *, checksum: bool = True, version: int = 1) -> bytes:
    return b"GCDE" + struct.pack("<IH", version, 1 if checksum else 0) + b"".join(blocks)


def split_blocks(data: bytes) -> list[tuple[int, int]]:
    """(offset, end) of every block of a well-formed .bgcode file (for tests that damage one block)."""
    checksum = 4 if struct.unpack_from("<H", data, 8)[0] == 1 else 0
    spans = []
    offset = 10
    while offset < len(data):
        kind, compression, size = struct.unpack_from("<HHI", data, offset)
        header = 8
        if compression:
            (size,) = struct.unpack_from("<I", data, offset + 8)
            header = 12
        end = offset + header + (6 if kind == BlockType.THUMBNAIL else 2) + size + checksum
        spans.append((offset, end))
        offset = end
    return spans


def simple_file(gcode: bytes = b"G1 X1 Y2 E0.5\n", **kw: int) -> bytes:
    """A small, complete file: file, printer, print and slicer metadata, one PNG thumbnail, and G-code."""
    png = (SLICERS / "mini_cube_b.bgcode").read_bytes()
    start = png.index(b"\x89PNG")
    thumbnail = png[start : start + 461]
    return bgcode_file(
        [
            metadata_block(BlockType.FILE_METADATA, {"Producer": "PrusaSlicer 2.8.1"}),
            metadata_block(BlockType.PRINTER_METADATA, {"printer_model": "MK4S", "nozzle_diameter": "0.4"}),
            thumbnail_block(thumbnail, 0, 16, 16),
            metadata_block(BlockType.PRINT_METADATA, {"filament used [g]": "1.5"}),
            metadata_block(BlockType.SLICER_METADATA, {"layer_height": "0.2"}, Compression.DEFLATE),
            *gcode_blocks(gcode, **kw),
        ]
    )


# --- the writer reads back ----------------------------------------------------------------------------------


def test_a_written_file_reads_back() -> None:
    data = simple_file(b"; hello\nG1 X1 Y2 E0.5\nM104 S200 ; heat\n")
    metadata = read_bgcode_metadata(data)
    assert metadata.file == {"Producer": "PrusaSlicer 2.8.1"}
    assert metadata.slicer == {"layer_height": "0.2"}
    assert [(t.width, t.height, t.format) for t in metadata.thumbnails] == [(16, 16, "png")]
    assert b"".join(iter_bgcode_gcode(data)) == b"; hello\nG1 X1 Y2 E0.5\nM104 S200\n"


def test_split_blocks_finds_every_block_of_a_real_file() -> None:
    data = (SLICERS / "mini_cube_b.bgcode").read_bytes()
    spans = split_blocks(data)
    assert len(spans) == 16 and spans[-1][1] == len(data)


def test_the_encoder_writes_what_prusaslicer_writes() -> None:
    # Same commands and same packing as PrusaSlicer's own first G-code block of mini_cube_ps2.8.1.bgcode.
    encoded = meatpack_encode(b"; \nM73 P0 R3\n")
    assert encoded == bytes.fromhex("fffffbfffff7fffffa3b200afffffb7f4df3200f50ff2052c3")
    assert decode_meatpack(encoded) == b"; \nM73 P0 R3\n"
