"""Reading Prusa binary G-code (.bgcode): its metadata and thumbnails, and on request its G-code text.

The container (libbgcode's specification, version 1; all integers little-endian):

- File header: `GCDE`, version (u32), checksum type (u16: 0 none, 1 CRC32).
- Blocks, each: type (u16), compression (u16), uncompressed size (u32), compressed size (u32, only when
  compressed); parameters (u16 encoding for metadata and G-code blocks; u16 format, width, height for
  thumbnails); the data; and, when the file says so, the CRC32 of header + parameters + data.
- Block types: file metadata, G-code, slicer, printer and print metadata, thumbnail. Compression: none,
  deflate, heatshrink 11/4, heatshrink 12/4. Metadata is INI text (`key=value` lines); G-code is plain text or
  MeatPack.

Decisions a user notices:

- A block whose CRC32 does not match is refused with FileFormatError, thumbnails included: the printer itself
  would refuse such a file, so it must not enter the library as a printable variant.
- Reading the metadata never decompresses G-code blocks: they are skipped by their declared sizes (their
  headers are still walked, so a file cut short is noticed), and their checksums are checked when the G-code
  is read (`iter_bgcode_gcode`, for the extrusion pass).
- Caps: a block may declare at most 256 MB uncompressed (16 MB for thumbnails and metadata, 8 MB for a
  MeatPack G-code block; PrusaSlicer writes 64 KB ones), and no stream may expand past its declared size.
  All metadata together may hold 64 MB; thumbnails past 64 MB in all are skipped (unread) with a warning.
- A thumbnail's format comes from its bytes; when the block's tag says otherwise, or its declared size differs
  from the image's, a warning says so. Bytes that are no image are skipped with a warning.
- Block order is not enforced (libbgcode writes file, printer, thumbnails, print, slicer metadata, then
  G-code), but every block type and compression must be known, since the layout of an unknown block cannot be.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

import heatshrink2.core as heatshrink

from core.errors import FileFormatError
from core.formats.gcode import apply_prusa_settings
from core.formats.gcode import split_strings as split_strings  # shared with the .gcode.3mf reader
from core.formats.meatpack import decode_meatpack
from core.formats.model import SlicedInfo, Thumbnail
from core.formats.thumbnails import image_format, image_size, thumbnail_from_bytes

MAGIC = b"GCDE"
VERSION = 1
FILE_HEADER = struct.Struct("<4sIH")
BLOCK_HEADER = struct.Struct("<HHI")
COMPRESSED_SIZE = struct.Struct("<I")
THUMBNAIL_PARAMS = struct.Struct("<HHH")
ENCODING_PARAMS = struct.Struct("<H")
CRC_SIZE = 4

MB = 1024 * 1024
MAX_BLOCK_BYTES = 256 * MB
MAX_THUMBNAIL_BYTES = 16 * MB
MAX_METADATA_BYTES = 16 * MB
THUMBNAIL_BUDGET = 64 * MB  # all thumbnails of a file together; more are skipped with a warning
METADATA_BUDGET = 64 * MB  # all metadata blocks together; more is refused
MAX_MEATPACK_BYTES = 8 * MB
HEATSHRINK_CHUNK = 16 * 1024  # also its input buffer (a uint16 in heatshrink2)

Source = Path | str | bytes | BinaryIO


class BlockType(IntEnum):
    FILE_METADATA = 0
    GCODE = 1
    SLICER_METADATA = 2
    PRINTER_METADATA = 3
    PRINT_METADATA = 4
    THUMBNAIL = 5


class Compression(IntEnum):
    NONE = 0
    DEFLATE = 1
    HEATSHRINK_11_4 = 2
    HEATSHRINK_12_4 = 3


class GcodeEncoding(IntEnum):
    NONE = 0
    MEATPACK = 1
    MEATPACK_WITH_COMMENTS = 2


BLOCK_NAMES = {
    BlockType.FILE_METADATA: "file metadata",
    BlockType.GCODE: "G-code",
    BlockType.SLICER_METADATA: "slicer metadata",
    BlockType.PRINTER_METADATA: "printer metadata",
    BlockType.PRINT_METADATA: "print metadata",
    BlockType.THUMBNAIL: "thumbnail",
}
THUMBNAIL_FORMATS = {0: "png", 1: "jpg", 2: "qoi"}
_COMPRESSIONS = frozenset(int(c) for c in Compression)
HEATSHRINK_WINDOWS = {Compression.HEATSHRINK_11_4: 11, Compression.HEATSHRINK_12_4: 12}


@dataclass(frozen=True)
class Block:
    """Where one block sits in the file and what its header says."""

    index: int  # 1-based position among the blocks
    offset: int  # file offset of the block header
    type: BlockType
    compression: Compression
    uncompressed_size: int
    compressed_size: int
    header_size: int
    parameters: bytes
    checksum_size: int

    @property
    def name(self) -> str:
        return BLOCK_NAMES[self.type]

    @property
    def data_size(self) -> int:
        return self.uncompressed_size if self.compression == Compression.NONE else self.compressed_size

    @property
    def end(self) -> int:
        return self.offset + self.header_size + len(self.parameters) + self.data_size + self.checksum_size

    @property
    def encoding(self) -> int:
        return int(ENCODING_PARAMS.unpack(self.parameters)[0]) if self.type != BlockType.THUMBNAIL else -1


@dataclass
class BgcodeMetadata:
    """The metadata blocks of a .bgcode file as `key = value` dicts, its thumbnails, and what was odd."""

    version: int
    checksum: bool
    file: dict[str, str] = field(default_factory=dict)
    printer: dict[str, str] = field(default_factory=dict)
    print: dict[str, str] = field(default_factory=dict)
    slicer: dict[str, str] = field(default_factory=dict)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    gcode_blocks: int = 0
    gcode_bytes: int = 0  # declared (uncompressed) size of the G-code blocks, before MeatPack decoding
    warnings: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, str]:
        """Every key the file states; the more specific blocks (print, then printer metadata) win."""
        return {**self.slicer, **self.file, **self.printer, **self.print}


class _Reader:
    """Walks the blocks of one .bgcode stream, reading a block's payload only when asked."""

    def __init__(self, stream: BinaryIO, label: str) -> None:
        self.stream = stream
        self.label = label
        stream.seek(0, io.SEEK_END)
        self.size = stream.tell()
        stream.seek(0)
        if self.size == 0:
            raise FileFormatError(f"{label} is empty.")
        head = stream.read(FILE_HEADER.size)
        if not head.startswith(MAGIC) and not MAGIC.startswith(head):
            raise FileFormatError(f"{label} is not a Prusa binary G-code file (it does not start with GCDE).")
        if len(head) < FILE_HEADER.size:
            raise FileFormatError(f"{label} is cut short: it ends inside its file header.")
        _, self.version, checksum_type = FILE_HEADER.unpack(head)
        if self.version != VERSION:
            raise FileFormatError(
                f"{label} uses binary G-code version {self.version}; Printstall reads version {VERSION}."
            )
        if checksum_type not in (0, 1):
            raise FileFormatError(f"{label} names an unknown checksum type ({checksum_type}).")
        self.checksum_size = CRC_SIZE if checksum_type == 1 else 0

    def blocks(self) -> Iterator[Block]:
        offset = FILE_HEADER.size
        index = 0
        while offset < self.size:
            index += 1
            self.stream.seek(offset)
            head = self.stream.read(BLOCK_HEADER.size)
            if len(head) < BLOCK_HEADER.size:
                raise FileFormatError(
                    f"{self.label} is cut short: it ends inside the header of block {index}."
                )
            kind, compression, uncompressed = BLOCK_HEADER.unpack(head)
            if kind not in BLOCK_NAMES:
                raise FileFormatError(
                    f"{self.label} is damaged or from a newer PrusaSlicer: block {index} has an unknown "
                    f"type ({kind})."
                )
            if compression not in _COMPRESSIONS:
                raise FileFormatError(
                    f"{self.label} is damaged or from a newer PrusaSlicer: block {index} uses an unknown "
                    f"compression ({compression})."
                )
            header_size = BLOCK_HEADER.size
            compressed = uncompressed
            if compression != Compression.NONE:
                more = self.stream.read(COMPRESSED_SIZE.size)
                if len(more) < COMPRESSED_SIZE.size:
                    raise FileFormatError(
                        f"{self.label} is cut short: it ends inside the header of block {index}."
                    )
                (compressed,) = COMPRESSED_SIZE.unpack(more)
                header_size += COMPRESSED_SIZE.size
            params_size = THUMBNAIL_PARAMS.size if kind == BlockType.THUMBNAIL else ENCODING_PARAMS.size
            parameters = self.stream.read(params_size)
            if len(parameters) < params_size:
                raise FileFormatError(f"{self.label} is cut short: it ends inside block {index}.")
            block = Block(
                index=index,
                offset=offset,
                type=BlockType(kind),
                compression=Compression(compression),
                uncompressed_size=uncompressed,
                compressed_size=compressed,
                header_size=header_size,
                parameters=parameters,
                checksum_size=self.checksum_size,
            )
            if block.end > self.size:
                raise FileFormatError(
                    f"{self.label} is cut short: its block {index} ({block.name}) ends past the end of the "
                    "file."
                )
            yield block
            offset = block.end

    def payload(self, block: Block, cap: int) -> bytes:
        """The block's data, checksum verified and decompressed to exactly its declared size."""
        what = f"block {block.index} ({block.name})"
        if block.uncompressed_size > cap:
            raise FileFormatError(
                f"{self.label} declares {block.uncompressed_size / MB:,.0f} MB of data in its {what}, "
                f"more than the {cap // MB} MB Printstall reads."
            )
        if block.data_size > cap:
            raise FileFormatError(
                f"{self.label} declares {block.data_size / MB:,.0f} MB of compressed data in its {what}, "
                f"more than the {cap // MB} MB Printstall reads."
            )
        self.stream.seek(block.offset)
        body_size = block.end - block.offset - block.checksum_size
        body = self.stream.read(body_size)
        stored = self.stream.read(block.checksum_size)
        if len(body) < body_size or len(stored) < block.checksum_size:
            raise FileFormatError(f"{self.label} is cut short: it ends inside its {what}.")
        if block.checksum_size and zlib.crc32(body) != int.from_bytes(stored, "little"):
            raise FileFormatError(f"{self.label} is damaged: its {what} fails its CRC32 check.")
        data = memoryview(body)[block.header_size + len(block.parameters) :]
        return _decompress(data, block, f"{self.label} is damaged: its {what}")


def _decompress(data: memoryview, block: Block, damaged: str) -> bytes:
    size = block.uncompressed_size
    if block.compression == Compression.NONE:
        return bytes(data)
    if block.compression == Compression.DEFLATE:
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data, size + 1)
        except zlib.error as exc:
            raise FileFormatError(f"{damaged} cannot be inflated ({exc}).") from exc
        if len(out) > size:
            raise FileFormatError(f"{damaged} expands beyond the size it declares.")
        if not inflater.eof or len(out) < size:
            raise FileFormatError(f"{damaged} holds less data than it declares.")
        return out
    reader = heatshrink.Reader(
        input_buffer_size=HEATSHRINK_CHUNK,
        window_sz2=HEATSHRINK_WINDOWS[block.compression],
        lookahead_sz2=4,
    )
    decoder = heatshrink.Encoder(reader)  # heatshrink2 drives its decoder through the same wrapper class
    parts: list[bytes] = []
    total = 0
    try:
        for start in range(0, len(data), HEATSHRINK_CHUNK):
            part: bytes = decoder.fill(bytes(data[start : start + HEATSHRINK_CHUNK]))
            parts.append(part)
            total += len(part)
            if total > size:
                raise FileFormatError(f"{damaged} expands beyond the size it declares.")
        tail: bytes = decoder.finish()
    except RuntimeError as exc:
        raise FileFormatError(f"{damaged} cannot be decompressed ({exc}).") from exc
    parts.append(tail)
    total += len(tail)
    if total > size:
        raise FileFormatError(f"{damaged} expands beyond the size it declares.")
    if total < size:
        raise FileFormatError(f"{damaged} holds less data than it declares.")
    return b"".join(parts)


def parse_ini(text: bytes) -> dict[str, str]:
    """`key=value` lines as a dict (blank lines, comment lines and lines without `=` are skipped)."""
    result: dict[str, str] = {}
    for line in text.decode("utf-8", errors="replace").splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in ";#" or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        result[key.strip()] = value.strip()
    return result


def _open(source: Source) -> tuple[BinaryIO, bool]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    if isinstance(source, str | Path):
        return Path(source).open("rb"), True
    return source, False


def _thumbnail(block: Block, data: bytes, warnings: list[str], number: int) -> Thumbnail | None:
    tag, width, height = THUMBNAIL_PARAMS.unpack(block.parameters)
    where = f"thumbnail {number}"
    found = image_format(data)
    declared = THUMBNAIL_FORMATS.get(tag)
    thumbnail = thumbnail_from_bytes(data, warnings, where)
    if thumbnail is None:
        return None
    if declared is None:
        warnings.append(f"The {where} has an unknown format tag ({tag}); its bytes are a {found} image.")
    elif declared != found:
        warnings.append(f"The {where} is tagged {declared.upper()} but holds a {str(found).upper()} image.")
    actual = image_size(data, thumbnail.format)
    if actual is not None and actual != (width, height):
        warnings.append(
            f"The {where} declares {width}x{height} but its image is {actual[0]}x{actual[1]}; "
            "the image's size is used."
        )
    return thumbnail


def read_bgcode_metadata(source: Source, *, label: str = "This .bgcode file") -> BgcodeMetadata:
    """The metadata blocks and thumbnails of a .bgcode file (its G-code blocks are skipped, not decoded)."""
    stream, owned = _open(source)
    try:
        reader = _Reader(stream, label)
        result = BgcodeMetadata(version=reader.version, checksum=bool(reader.checksum_size))
        targets = {
            BlockType.FILE_METADATA: result.file,
            BlockType.PRINTER_METADATA: result.printer,
            BlockType.PRINT_METADATA: result.print,
            BlockType.SLICER_METADATA: result.slicer,
        }
        thumbnail_bytes = metadata_bytes = 0
        for block in reader.blocks():
            if block.type == BlockType.GCODE:
                result.gcode_blocks += 1
                result.gcode_bytes += block.uncompressed_size
                continue
            if block.type == BlockType.THUMBNAIL:
                if block.uncompressed_size <= MAX_THUMBNAIL_BYTES:  # else payload() refuses it
                    thumbnail_bytes += block.uncompressed_size
                    if thumbnail_bytes > THUMBNAIL_BUDGET:
                        budget = THUMBNAIL_BUDGET // MB
                        result.warnings.append(
                            f"A thumbnail was skipped: the file's thumbnails exceed {budget} MB."
                        )
                        continue
                data = reader.payload(block, MAX_THUMBNAIL_BYTES)
                thumbnail = _thumbnail(block, data, result.warnings, len(result.thumbnails) + 1)
                if thumbnail is not None:
                    result.thumbnails.append(thumbnail)
                continue
            text = reader.payload(
                block, MAX_METADATA_BYTES
            )  # read even if unknown: a damaged file is refused
            metadata_bytes += len(text)
            if metadata_bytes > METADATA_BUDGET:
                raise FileFormatError(f"{label} holds more than {METADATA_BUDGET // MB} MB of metadata.")
            if block.encoding != 0:
                result.warnings.append(
                    f"The {block.name} block uses an unknown encoding ({block.encoding}); it was skipped."
                )
            else:
                targets[block.type].update(parse_ini(text))
        if result.gcode_blocks == 0:
            result.warnings.append(f"{label} holds no G-code.")
        return result
    finally:
        if owned:
            stream.close()


def iter_bgcode_gcode(source: Source, *, label: str = "This .bgcode file") -> Iterator[bytes]:
    """The G-code text of a .bgcode file, one decoded block at a time (checksums verified)."""
    stream, owned = _open(source)
    try:
        reader = _Reader(stream, label)
        for block in reader.blocks():
            if block.type != BlockType.GCODE:
                continue
            encoding = block.encoding
            if encoding == GcodeEncoding.NONE:
                yield reader.payload(block, MAX_BLOCK_BYTES)
            elif encoding in (GcodeEncoding.MEATPACK, GcodeEncoding.MEATPACK_WITH_COMMENTS):
                data = reader.payload(block, MAX_MEATPACK_BYTES)
                yield decode_meatpack(data, label=f"{label} is damaged: its block {block.index} (G-code)")
            else:
                raise FileFormatError(
                    f"{label} uses an unknown G-code encoding ({encoding}) in its block {block.index}."
                )
    finally:
        if owned:
            stream.close()


def read_bgcode(source: Source, *, label: str = "This .bgcode file") -> SlicedInfo:
    """What a .bgcode file says about its print: slicer, printer, layers, time, filaments, thumbnails.

    The metadata blocks hold the same `key = value` settings as an ASCII PrusaSlicer header and footer, so
    they are mapped by the ASCII reader's `apply_prusa_settings`; only the slicer comes from `Producer`.
    """
    metadata = read_bgcode_metadata(source, label=label)
    settings = metadata.settings()
    info = SlicedInfo(settings=dict(settings))
    info.slicer_name, info.slicer_version = parse_producer(settings.get("Producer"))
    apply_prusa_settings(info, settings)
    info.thumbnails = metadata.thumbnails
    info.warnings = [*metadata.warnings, *info.warnings]
    return info


# --- small value parsers (also used by the .gcode.3mf reader) ---------------------------------------------

_PRODUCER = re.compile(r"^\s*(.+?)[\s_-]+v?(\d[\w.+~-]*)\s*$")


def parse_number(value: str | None) -> float | None:
    """A finite number, or None for anything else (blank, text, nan, inf)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def split_numbers(value: str | None) -> list[float | None]:
    """A per-tool number list (`1.20, 0, 0.29`; `,` or `;` separated); blanks become None."""
    if value is None or not value.strip():
        return []
    return [parse_number(item) for item in re.split(r"[,;]", value)]


def parse_producer(value: str | None) -> tuple[str | None, str | None]:
    """`PrusaSlicer 2.8.1` -> ("PrusaSlicer", "2.8.1")."""
    if not value or not value.strip():
        return None, None
    match = _PRODUCER.match(value)
    if match is None:
        return value.strip(), None
    return match.group(1), match.group(2)
