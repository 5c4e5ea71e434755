"""Reading Prusa binary G-code: real PrusaSlicer files, files the test writer builds, and damaged files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.formats.bgcode as bgcode
from core.errors import FileFormatError
from core.formats.bgcode import (
    BlockType,
    Compression,
    GcodeEncoding,
    iter_bgcode_gcode,
    parse_producer,
    read_bgcode,
    read_bgcode_metadata,
    split_numbers,
    split_strings,
)
from core.formats.model import FilamentUse
from tests.core.formats.test_bgcode_writer import (
    SLICERS,
    bgcode_file,
    block,
    gcode_blocks,
    metadata_block,
    simple_file,
    split_blocks,
    thumbnail_block,
)

MINI_B = SLICERS / "mini_cube_b.bgcode"
MINI_281 = SLICERS / "mini_cube_ps2.8.1.bgcode"


def _image(path: Path, magic: bytes, size: int) -> bytes:
    data = path.read_bytes()
    start = data.index(magic)
    return data[start : start + size]


PNG_16 = _image(MINI_B, b"\x89PNG", 461)
QOI_16 = _image(MINI_281, b"qoif", 274)


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 12), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


# --- the real files -----------------------------------------------------------------------------------------


def test_mini_cube_b() -> None:
    info = read_bgcode(MINI_B)
    assert (info.slicer_name, info.slicer_version) == ("PrusaSlicer", "2.6.0")
    assert info.printer_model == "MINI"
    assert info.nozzle_diameter_mm == 0.4
    assert info.layer_height_mm == 0.15
    assert info.first_layer_height_mm == 0.2
    assert info.infill_percent == 15.0
    assert info.estimated_time_s == 32 * 60 + 6
    assert info.layer_count is None  # a .bgcode states no layer count
    assert info.object_height_mm == 18.05
    assert info.filaments == [
        FilamentUse(
            slot=0, type="PETG", color="#FF8000", name="Generic PETG @MINI", length_mm=986.61, weight_g=3.01,
            cost=0.08,
        )
    ]  # fmt: skip
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [(16, 16, "png"), (220, 124, "png")]
    assert [len(t.data) for t in info.thumbnails] == [461, 4836]
    assert info.warnings == []
    assert info.settings["Producer"] == "PrusaSlicer 2.6.0"
    assert info.settings["fill_pattern"] == "gyroid"  # from the (deflated) slicer metadata
    assert info.plate is None


def test_mini_cube_ps281() -> None:
    info = read_bgcode(MINI_281)
    data = info.to_json()
    assert data["slicer"] == {"name": "PrusaSlicer", "version": "2.8.1"}
    assert data["printer_model"] == "MK4S"
    assert (data["nozzle_diameter_mm"], data["layer_height_mm"], data["first_layer_height_mm"]) == (
        0.4,
        0.2,
        0.2,
    )
    assert data["infill_percent"] == 15.0
    assert data["estimated_time_s"] == 3 * 60 + 41
    assert data["object_height_mm"] == 6.2
    assert data["filaments"] == [
        {"slot": 0, "type": "PLA", "color": "#FF8000", "name": "Prusament PLA @MK4S", "length_mm": 252.22,
         "weight_g": 0.75, "cost": 0.03}
    ]  # fmt: skip
    assert (data["total_length_mm"], data["total_weight_g"], data["total_cost"]) == (252.22, 0.75, 0.03)
    assert data["thumbnails"] == [
        {"width": 16, "height": 16, "format": "qoi"},
        {"width": 313, "height": 173, "format": "qoi"},
    ]
    assert data["warnings"] == []


def test_metadata_blocks_are_kept_apart() -> None:
    metadata = read_bgcode_metadata(MINI_281)
    assert metadata.version == 1 and metadata.checksum
    assert metadata.file == {"Producer": "PrusaSlicer 2.8.1", "Produced on": "2024-10-21 at 06:38:01 UTC"}
    assert metadata.printer["printer_model"] == "MK4S"
    assert metadata.printer["objects_info"].startswith('{"objects":[{"name":"Shape-Box"')
    assert metadata.print["estimated first layer printing time (normal mode)"] == "20s"
    assert len(metadata.slicer) == 353 and metadata.slicer["binary_gcode"] == "1"
    assert (metadata.gcode_blocks, metadata.gcode_bytes) == (1, 33804)
    assert read_bgcode_metadata(MINI_B).gcode_blocks == 10


def test_reading_metadata_decompresses_no_gcode(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[BlockType] = []
    real = bgcode._decompress

    def spy(data: memoryview, block: bgcode.Block, damaged: str) -> bytes:
        seen.append(block.type)
        return real(data, block, damaged)

    monkeypatch.setattr(bgcode, "_decompress", spy)
    read_bgcode(MINI_B)
    assert BlockType.GCODE not in seen and BlockType.SLICER_METADATA in seen


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_gcode_of_mini_cube_b_is_its_ascii_twin() -> None:
    decoded = b"".join(iter_bgcode_gcode(MINI_B)).decode().splitlines()
    ascii_lines = _lines(SLICERS / "mini_cube_a.gcode")
    start, end = 122, 122 + len(decoded)
    assert len(decoded) == 25851
    assert decoded == ascii_lines[start:end]
    # What the ASCII file has besides: its header (slicer line, metadata, thumbnails) and its footer (usage,
    # configuration), all comments, which the binary file keeps in its metadata and thumbnail blocks.
    assert all(not line or line.startswith(";") for line in ascii_lines[:start] + ascii_lines[end:])
    assert "; thumbnail begin 220x124 6448" in ascii_lines[:start]
    assert "; filament used [g] = 3.01" in ascii_lines[end:]


def test_gcode_of_mini_cube_ps281_matches_its_ascii_twin() -> None:
    decoded = b"".join(iter_bgcode_gcode(MINI_281)).decode().splitlines()
    ascii_lines = _lines(SLICERS / "mini_cube_ps2.8.1.gcode")
    # Every command line is the same, in the same order.
    commands = [line for line in decoded if not line.startswith(";")]
    assert commands == [line for line in ascii_lines if line and not line.startswith(";")]
    assert len(commands) == 2147
    # PrusaSlicer 2.8.1 writes a few comments only into the binary form (bare `;` lines of the start G-code, a
    # `; max_layer_z` line); every other comment of the binary file is in the ASCII one.
    extra = {line for line in decoded if line.startswith(";")} - set(ascii_lines)
    assert extra == {"; ", "; max_layer_z = 6.2"}
    assert decoded[:3] == ["; ", "M73 P0 R3", "M73 Q0 S3"] and decoded[-1] == "M73 Q100 S0"


def test_gcode_blocks_are_yielded_one_by_one() -> None:
    parts = list(iter_bgcode_gcode(MINI_B))
    assert len(parts) == 10 and all(part.endswith(b"\n") for part in parts)


# --- files built here ---------------------------------------------------------------------------------------

GCODE = b"; start\nG28\nG1 X10.5 Y-3 Z0.2 F1200\nG1 X20 E1.25 ; extrude\nM104 S215\nM117 Hello O_o\n;end\n"
AS_READ = {
    GcodeEncoding.NONE: GCODE,
    GcodeEncoding.MEATPACK: b"G28\nG1 X10.5 Y-3 Z0.2 F1200\nG1 X20 E1.25\nM104 S215\nM117 Hello O_o\n",
    GcodeEncoding.MEATPACK_WITH_COMMENTS: (
        b"; start\nG28\nG1 X10.5 Y-3 Z0.2 F1200\nG1 X20 E1.25\nM104 S215\nM117 Hello O_o\n;end\n"
    ),
}


@pytest.mark.parametrize("compression", list(Compression))
@pytest.mark.parametrize("encoding", list(GcodeEncoding))
def test_every_compression_and_encoding(compression: Compression, encoding: GcodeEncoding) -> None:
    data = simple_file(GCODE * 300, encoding=encoding, compression=compression, block_text=4096)
    parts = list(iter_bgcode_gcode(data))
    assert len(parts) > 5
    assert b"".join(parts) == AS_READ[encoding] * 300
    info = read_bgcode(data)
    assert info.printer_model == "MK4S" and info.layer_height_mm == 0.2 and info.filaments[0].weight_g == 1.5


def test_files_without_checksums_and_in_any_order_are_read(tmp_path: Path) -> None:
    data = bgcode_file(
        [
            *gcode_blocks(b"G1 X1\n", checksum=False),
            metadata_block(
                BlockType.PRINT_METADATA, {"estimated printing time (normal mode)": "1h 2m"}, checksum=False
            ),
            metadata_block(
                BlockType.FILE_METADATA,
                {"Producer": "SuperSlicer 2.5.59.2"},
                Compression.HEATSHRINK_11_4,
                checksum=False,
            ),
        ],
        checksum=False,
    )
    path = tmp_path / "x.bgcode"
    path.write_bytes(data)
    info = read_bgcode(path)
    assert (info.slicer_name, info.slicer_version, info.estimated_time_s) == ("SuperSlicer", "2.5.59.2", 3720)
    with path.open("rb") as stream:  # an open file works too, and is left open
        assert b"".join(iter_bgcode_gcode(stream)) == b"G1 X1\n"
        assert not stream.closed


def test_thumbnails_are_recognised_by_their_bytes() -> None:
    data = bgcode_file(
        [
            thumbnail_block(QOI_16, 0, 16, 16),  # tagged PNG, holds QOI
            thumbnail_block(_jpeg(), 1, 24, 12),
            thumbnail_block(PNG_16, 0, 32, 32),  # declares the wrong size
            thumbnail_block(b"not an image at all", 0, 8, 8),
            thumbnail_block(PNG_16, 9, 16, 16),  # an unknown tag
        ]
    )
    info = read_bgcode(data)
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [
        (16, 16, "qoi"), (24, 12, "jpg"), (16, 16, "png"), (16, 16, "png"),
    ]  # fmt: skip
    assert info.warnings == [
        "The thumbnail 1 is tagged PNG but holds a QOI image.",
        "The thumbnail 3 declares 32x32 but its image is 16x16; the image's size is used.",
        "The thumbnail 4 is not a PNG, JPEG or QOI image; it was skipped.",
        "The thumbnail 4 has an unknown format tag (9); its bytes are a png image.",
        "This .bgcode file holds no G-code.",
    ]


def test_unknown_metadata_encoding_is_skipped_with_a_warning() -> None:
    data = bgcode_file(
        [
            block(BlockType.PRINTER_METADATA, b"printer_model=MK4", b"\x05\x00"),
            metadata_block(BlockType.PRINT_METADATA, {"filament used [mm]": "12.5"}),
            *gcode_blocks(b"G1 X1\n"),
        ]
    )
    info = read_bgcode(data)
    assert info.printer_model is None and info.filaments[0].length_mm == 12.5
    assert info.warnings == ["The printer metadata block uses an unknown encoding (5); it was skipped."]


def test_per_tool_lists_keep_their_blanks() -> None:
    data = bgcode_file(
        [
            metadata_block(
                BlockType.PRINT_METADATA,
                {
                    "filament used [mm]": "100.5,,20",
                    "filament used [g]": "1.20, 0, 0.29",
                    "filament cost": "0.05,0,0.01",
                },
            ),
            metadata_block(
                BlockType.SLICER_METADATA,
                {
                    "filament_type": "PLA;PETG;PLA",
                    "filament_colour": "#FF0000;;#0000FF",
                    "filament_settings_id": '"Prusament PLA";"Generic PETG";""',
                    "nozzle_diameter": "0.4,0.6,0.4",
                    "fill_density": "0.2",
                    "layer_height": "0.2",
                    "first_layer_height": "150%",
                },
            ),
            *gcode_blocks(b"T0\n"),
        ]
    )
    info = read_bgcode(data)
    assert [(f.slot, f.type, f.color, f.name) for f in info.filaments] == [
        (0, "PLA", "#FF0000", "Prusament PLA"),
        (1, "PETG", None, "Generic PETG"),
        (2, "PLA", "#0000FF", None),
    ]
    assert [f.length_mm for f in info.filaments] == [100.5, None, 20.0]
    assert [f.weight_g for f in info.filaments] == [1.2, 0.0, 0.29]
    assert info.total_weight_g == 1.49 and info.total_cost == 0.06
    assert info.nozzle_diameter_mm == 0.4 and info.infill_percent == 20.0
    assert info.first_layer_height_mm == 0.3  # a percentage of the layer height


def test_value_parsers() -> None:
    assert parse_producer("PrusaSlicer-2.9.0-alpha1+win64") == ("PrusaSlicer", "2.9.0-alpha1+win64")
    assert parse_producer("Something") == ("Something", None) and parse_producer(None) == (None, None)
    assert split_numbers("1, x, nan, 2") == [1.0, None, None, 2.0] and split_numbers("") == []
    assert split_strings("PLA;PETG") == ["PLA", "PETG"] and split_strings('""') == [None]
    assert split_strings('"Generic PLA";"My \\"best\\" PETG; v2"') == ["Generic PLA", 'My "best" PETG; v2']


# --- damaged files ------------------------------------------------------------------------------------------


def _patched(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _recrc(data: bytes, span: tuple[int, int]) -> bytes:
    start, end = span
    return data[: end - 4] + struct.pack("<I", zlib.crc32(data[start : end - 4])) + data[end:]


REAL = MINI_B.read_bytes()
SPANS = split_blocks(REAL)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This .bgcode file is empty."),
        (b"GCD", "This .bgcode file is cut short: it ends inside its file header."),
        (
            b"; generated by PrusaSlicer\nG1 X1\n",
            "is not a Prusa binary G-code file (it does not start with GCDE)",
        ),
        (_patched(REAL, 4, struct.pack("<I", 2)), "uses binary G-code version 2; Printstall reads version 1"),
        (_patched(REAL, 8, struct.pack("<H", 7)), "names an unknown checksum type (7)"),
        (REAL[:10] + bytes(range(256)) * 3, "block 1 has an unknown type (256)"),
        (REAL[:10] + b"\x01\x00\x09\x00" + b"\0" * 20, "block 1 uses an unknown compression (9)"),
        (REAL[: SPANS[3][0] + 5], "is cut short: it ends inside the header of block 4"),
        (REAL[: SPANS[3][0] + 200], "is cut short: its block 4 (thumbnail) ends past the end of the file"),
        (REAL[: SPANS[-1][1] - 1], "is cut short: its block 16 (G-code) ends past the end of the file"),
        (
            _patched(REAL, SPANS[1][0] + 20, b"X"),
            "is damaged: its block 2 (printer metadata) fails its CRC32 check",
        ),
        (_patched(REAL, SPANS[2][0] + 60, b"X"), "is damaged: its block 3 (thumbnail) fails its CRC32 check"),
    ],
)
def test_damaged_files_are_refused_with_one_sentence(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        read_bgcode(data)
    text = str(caught.value)
    assert text.endswith(".") and "\n" not in text


def test_a_damaged_gcode_block_is_noticed_when_the_gcode_is_read() -> None:
    data = _patched(REAL, SPANS[9][0] + 100, b"\x00\x01")
    assert read_bgcode(data).printer_model == "MINI"  # metadata reads skip G-code blocks
    with pytest.raises(FileFormatError, match=r"its block 10 \(G-code\) fails its CRC32 check"):
        b"".join(iter_bgcode_gcode(data))


def test_a_block_declaring_4_gb_is_refused_before_anything_is_read() -> None:
    huge = struct.pack("<HHI", BlockType.PRINTER_METADATA, 0, 0xFFFF_FFF0) + b"\0\0"
    with pytest.raises(FileFormatError, match="ends past the end of the file"):
        read_bgcode(bgcode_file([huge]))
    compressed = struct.pack("<HHII", BlockType.PRINTER_METADATA, 1, 0xFFFF_FFF0, 10) + b"\0\0" + b"x" * 14
    with pytest.raises(
        FileFormatError, match=r"declares 4,096 MB of data in its block 1 \(printer metadata\)"
    ):
        read_bgcode(bgcode_file([compressed]))
    thumbnail = struct.pack("<HHII", BlockType.THUMBNAIL, 1, 17 * 1024 * 1024, 10) + b"\0" * 6 + b"x" * 14
    with pytest.raises(FileFormatError, match="more than the 16 MB Printstall reads"):
        read_bgcode(bgcode_file([thumbnail]))


@pytest.mark.parametrize(
    "compression", [Compression.DEFLATE, Compression.HEATSHRINK_11_4, Compression.HEATSHRINK_12_4]
)
def test_streams_may_not_expand_past_their_declared_size(compression: Compression) -> None:
    payload = b"printer_model=MK4\n" * 1000
    for declared, message in ((100, "expands beyond the size it declares"), (50_000, "holds less data than")):
        data = bgcode_file(
            [block(BlockType.PRINTER_METADATA, payload, compression=compression, declared_size=declared)]
        )
        with pytest.raises(FileFormatError, match=message):
            read_bgcode(data)


def test_a_deflate_stream_that_is_not_deflate_is_refused() -> None:
    bad = struct.pack("<HHII", BlockType.SLICER_METADATA, 1, 100, 8) + b"\0\0" + b"notzlib!"
    bad += struct.pack("<I", zlib.crc32(bad))
    with pytest.raises(FileFormatError, match="cannot be inflated"):
        read_bgcode(bgcode_file([bad]))


def test_unknown_gcode_encoding_and_bad_meatpack_are_refused() -> None:
    data = bgcode_file([block(BlockType.GCODE, b"G1 X1\n", b"\x07\x00")])
    with pytest.raises(FileFormatError, match=r"unknown G-code encoding \(7\) in its block 1"):
        list(iter_bgcode_gcode(data))
    data = bgcode_file([block(BlockType.GCODE, b"\xff\xff\xfb\xff\xff\xff", b"\x01\x00")])
    with pytest.raises(FileFormatError, match=r"is damaged: its block 1 \(G-code\) is not valid MeatPack"):
        list(iter_bgcode_gcode(data))


def test_random_bytes_after_a_valid_header() -> None:
    for seed in range(20):
        junk = bytes((seed * 37 + i * 101) % 256 for i in range(300 + seed))
        with pytest.raises(FileFormatError):
            read_bgcode(REAL[:10] + junk)


# --- fuzzing ------------------------------------------------------------------------------------------------

SMALL = MINI_281.read_bytes()
SMALL_SPANS = split_blocks(SMALL)


def _mutate(data: bytes, operations: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, where, value in operations:
        if not out:
            break
        at = where % len(out)
        if kind == "flip":
            out[at] ^= 1 << (value % 8)
        elif kind == "insert":
            out[at:at] = bytes([value % 256])
        elif kind == "delete":
            del out[at]
        else:
            del out[at:]
    return bytes(out)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]), st.integers(0, 10**6), st.integers(0, 255)
    ),
    min_size=1,
    max_size=4,
)


def _read_everything(data: bytes) -> None:
    try:
        read_bgcode(data)
        for _ in iter_bgcode_gcode(data):
            pass
    except FileFormatError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([SMALL, REAL]), OPERATIONS)
def test_mutated_real_files_raise_only_file_format_errors(
    data: bytes, operations: list[tuple[str, int, int]]
) -> None:
    _read_everything(_mutate(data, operations))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SMALL_SPANS) - 1), OPERATIONS)
def test_mutated_block_contents_with_valid_checksums(
    index: int, operations: list[tuple[str, int, int]]
) -> None:
    """Damage inside a block whose CRC is rewritten: decompressors and the MeatPack decoder see garbage."""
    start, end = SMALL_SPANS[index]
    header = 12 if struct.unpack_from("<H", SMALL, start + 2)[0] else 8
    body_start = (
        start + header + (6 if struct.unpack_from("<H", SMALL, start)[0] == BlockType.THUMBNAIL else 2)
    )
    body = _mutate(SMALL[body_start : end - 4], operations)
    head = bytearray(SMALL[start:body_start])
    if header == 12:
        head[8:12] = struct.pack("<I", len(body))
    else:
        head[4:8] = struct.pack("<I", len(body))
    rebuilt = bytes(head) + body
    data = SMALL[:start] + rebuilt + struct.pack("<I", zlib.crc32(rebuilt)) + SMALL[end:]
    _read_everything(data)


def test_thumbnail_and_metadata_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bgcode, "THUMBNAIL_BUDGET", 1000)
    data = bgcode_file([thumbnail_block(PNG_16, 0, 16, 16)] * 3 + gcode_blocks(b"G1 X1\n"))
    info = read_bgcode(data)
    assert len(info.thumbnails) == 2  # 461 + 461 bytes fit, the third does not
    assert info.warnings == ["A thumbnail was skipped: the file's thumbnails exceed 0 MB."]
    monkeypatch.setattr(bgcode, "METADATA_BUDGET", 100)
    many = [metadata_block(BlockType.PRINT_METADATA, {"key": "x" * 40})] * 3
    with pytest.raises(FileFormatError, match="holds more than 0 MB of metadata"):
        read_bgcode(bgcode_file(many))
