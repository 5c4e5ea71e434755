"""Prusa binary G-code: metadata reads and G-code decode throughput, on the real files and a large one.

The large file is mini_cube_b.bgcode with its ten G-code blocks repeated (copied byte for byte, each with its
own CRC32, so the file stays valid): the real metadata and thumbnails, and about 50 MB of G-code text.
"""

from __future__ import annotations

import struct
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.common import Result, best_of, peak_memory_mb
from core.formats.bgcode import BlockType, _Reader, iter_bgcode_gcode, read_bgcode
from core.formats.meatpack import decode_meatpack

SLICERS = Path(__file__).resolve().parent.parent / "tests" / "data" / "slicers"
REPEATS = 80


def large_bgcode(path: Path, source: Path = SLICERS / "mini_cube_b.bgcode", repeats: int = REPEATS) -> None:
    """`source` with its G-code blocks repeated `repeats` times (blocks copied whole, checksums included)."""
    data = source.read_bytes()
    checksum = 4 if struct.unpack_from("<H", data, 8)[0] == 1 else 0
    offset, metadata, gcode = 10, bytearray(data[:10]), bytearray()
    while offset < len(data):
        kind, compression, size = struct.unpack_from("<HHI", data, offset)
        header = 8
        if compression:
            (size,) = struct.unpack_from("<I", data, offset + 8)
            header = 12
        end = offset + header + (6 if kind == BlockType.THUMBNAIL else 2) + size + checksum
        (gcode if kind == BlockType.GCODE else metadata).extend(data[offset:end])
        offset = end
    with path.open("wb") as out:
        out.write(metadata)
        for _ in range(repeats):
            out.write(gcode)


def decode_all(path: Path) -> int:
    return sum(len(part) for part in iter_bgcode_gcode(path))


def _packed_blocks(path: Path) -> list[bytes]:
    with path.open("rb") as stream:
        reader = _Reader(stream, "bench")
        return [reader.payload(b, 1 << 30) for b in reader.blocks() if b.type == BlockType.GCODE]


def benchmarks() -> list[Result]:
    results = []
    for name in ("mini_cube_b.bgcode", "mini_cube_ps2.8.1.bgcode"):
        path = SLICERS / name
        seconds = best_of(partial(read_bgcode, path), repeat=20)
        results.append(
            Result(
                f"bgcode metadata read, {name} ({path.stat().st_size // 1024} KB)", f"{seconds * 1e3:.2f} ms"
            )
        )
        text = decode_all(path)
        seconds = best_of(partial(decode_all, path), repeat=5)
        results.append(
            Result(
                f"bgcode G-code decode, {name} ({text / 1e6:.2f} MB of text)",
                f"{text / seconds / 1e6:.1f} MB/s",
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.bgcode"
        large_bgcode(path)
        size_mb = path.stat().st_size / 1e6
        seconds = best_of(lambda: read_bgcode(path), repeat=10)
        results.append(
            Result(f"bgcode metadata read, {size_mb:.0f} MB file (G-code skipped)", f"{seconds * 1e3:.2f} ms")
        )
        started = time.perf_counter()
        text = decode_all(path)
        first = time.perf_counter() - started
        seconds = min(first, best_of(lambda: decode_all(path), repeat=2))
        results.append(
            Result(
                f"bgcode G-code decode throughput, {size_mb:.0f} MB file ({text / 1e6:.0f} MB of text)",
                f"{text / seconds / 1e6:.1f} MB/s",
            )
        )
        packed = _packed_blocks(SLICERS / "mini_cube_b.bgcode")
        text_per_round = sum(len(decode_meatpack(block)) for block in packed)
        seconds = best_of(lambda: [decode_meatpack(block) for block in packed], repeat=10)
        results.append(
            Result("MeatPack decode alone (of decoded text)", f"{text_per_round / seconds / 1e6:.1f} MB/s")
        )
        results.append(
            Result(
                f"bgcode G-code decode, peak memory ({size_mb:.0f} MB file)",
                f"{peak_memory_mb(decode_all, path):.1f} MB",
            )
        )
    return results
