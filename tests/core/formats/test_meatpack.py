"""The vectorised MeatPack decoder against a byte-at-a-time decoder written straight from the format's rules.

The oracle below follows libbgcode's reader step by step (signal bytes, the full-width character queue, the
buffered high nibble, the spaces put back into G lines, collapsed blank lines); the real decoder must agree
with it on real files, on everything the test encoder writes, and on arbitrary bytes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.formats.meatpack as meatpack
from core.errors import FileFormatError
from core.formats.bgcode import BlockType, _Reader
from core.formats.meatpack import decode_meatpack
from tests.core.formats.test_bgcode_writer import SLICERS, meatpack_encode

NIBBLES = b"0123456789. \nGX"
PARAMETERS = frozenset(b"XYZEFIJRGPWHCA")


def oracle(data: bytes) -> bytes:
    """libbgcode's MeatPack reading, one byte at a time."""
    packing = no_spaces = command_next = False
    signals = owed = held = 0
    chars: list[int] = []

    def receive(byte: int) -> None:
        nonlocal owed, held
        if not packing:
            chars.append(byte)
        elif owed:
            chars.append(byte)
            if held:
                chars.append(held)
                held = 0
            owed -= 1
        else:
            low, high = byte & 15, byte >> 4
            low_char = NIBBLES[low] if low < 15 else 0
            high_char = NIBBLES[high] if high < 15 else 0
            if no_spaces and low == 11:
                low_char = ord("E")
            if no_spaces and high == 11:
                high_char = ord("E")
            if low == 15:
                owed += 1
                if high == 15:
                    owed += 1
                else:
                    held = high_char
            else:
                chars.append(low_char)
                if low_char != ord("\n"):
                    if high == 15:
                        owed += 1
                    else:
                        chars.append(high_char)

    out = bytearray()
    spacing = False
    for byte in data:
        if byte == 0xFF:
            if signals:
                command_next, signals = True, 0
            else:
                signals += 1
        elif command_next:
            command_next = False
            if byte == 251:
                packing = True
            elif byte in (250, 249):
                packing = False
            elif byte == 247:
                no_spaces = True
            elif byte == 246:
                no_spaces = False
        else:
            if signals:
                receive(0xFF)
                signals = 0
            receive(byte)
        for char in chars:
            starts_line = not out or out[-1] == ord("\n")
            if char == ord("G") and starts_line:
                spacing = True
            elif char == ord("\n"):
                spacing = False
            if spacing and not starts_line and out[-1] != ord(" ") and char in PARAMETERS:
                out.append(ord(" "))
            if char != ord("\n") or not out or out[-1] != ord("\n"):
                out.append(char)
        chars.clear()
    return bytes(out)


def real_blocks(name: str) -> list[bytes]:
    """The decompressed (still MeatPack) G-code blocks of a real file."""
    with (SLICERS / name).open("rb") as stream:
        reader = _Reader(stream, "test")
        return [reader.payload(b, 1 << 30) for b in reader.blocks() if b.type == BlockType.GCODE]


@pytest.mark.parametrize("name", ["mini_cube_b.bgcode", "mini_cube_ps2.8.1.bgcode"])
def test_real_blocks_decode_like_the_oracle(name: str) -> None:
    for data in real_blocks(name):
        assert decode_meatpack(data) == oracle(data)


def test_the_contested_path_and_the_prefix_scan_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # mini_cube_ps2.8.1 packs `M486 AShape-Box`; its `o` (0x6F) is a full byte that looks like a unit start.
    (data,) = real_blocks("mini_cube_ps2.8.1.bgcode")
    expected = oracle(data)
    assert decode_meatpack(data) == expected
    monkeypatch.setattr(meatpack, "SEQUENTIAL_LIMIT", 0)
    assert decode_meatpack(data) == expected


INTERESTING = [
    0xFF,
    251,
    250,
    249,
    248,
    247,
    246,
    0x0F,
    0xF0,
    0xCC,
    0xFC,
    0x1C,
    0x3F,
    0x4F,
    0x6F,
    0,
    10,
    71,
    88,
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(INTERESTING), st.integers(0, 255)), max_size=120).map(bytes),
    st.booleans(),
)
def test_any_bytes_decode_like_the_oracle(data: bytes, scan: bool) -> None:
    old = meatpack.SEQUENTIAL_LIMIT
    meatpack.SEQUENTIAL_LIMIT = 0 if scan else old
    try:
        if b"\xff\xff\xff" in data:
            with pytest.raises(FileFormatError, match="three 0xFF bytes"):
                decode_meatpack(data)
        else:
            assert decode_meatpack(data) == oracle(data)
    finally:
        meatpack.SEQUENTIAL_LIMIT = old


G_TEXT = st.lists(
    st.one_of(
        st.from_regex(r"\AG[0-3]( [XYZEF]-?[0-9]{1,3}(\.[0-9]{1,4})?){0,5}( ;[ a-z]{0,8})?\n\Z"),
        st.from_regex(r"\AM[0-9]{1,3}( [A-Z][0-9]{1,3}){0,3}( ;[ a-z]{0,8})?\n\Z"),
        st.from_regex(r"\A;[A-Z_:/ a-z0-9.]{0,20}\n\Z"),
        st.just("M486 AShape-Box\n"),
        st.just("M117 Hello/World? O_o\n"),
        st.just("\n"),
    ),
    max_size=40,
).map(lambda lines: "".join(lines).encode())


@settings(max_examples=200, deadline=None)
@given(G_TEXT, st.booleans(), st.booleans())
def test_what_the_writer_writes_reads_back(text: bytes, no_spaces: bool, comments: bool) -> None:
    encoded = meatpack_encode(text, no_spaces=no_spaces, comments=comments)
    decoded = decode_meatpack(encoded)
    assert decoded == oracle(encoded)
    for line in decoded.splitlines():
        assert comments or not line.startswith(b";")
        assert b";" not in line or line.startswith(b";")


def test_gcode_of_a_real_print_round_trips() -> None:
    lines = (SLICERS / "mini_cube_a.gcode").read_bytes().split(b"\n")
    body = b"\n".join(lines[122:25973]) + b"\n"  # the G-code between the header and the footer comments
    assert decode_meatpack(meatpack_encode(body)) == body


@pytest.mark.parametrize(
    ("packed", "text"),
    [
        (b"", b""),
        (b"hello", b"hello"),  # packing is off until a command turns it on
        (b"\xff\xff\xfb\x1d\xcc", b"G1\n"),  # G1, then a newline whose padding nibble is ignored
        (b"\xff\xff\xfb\x0fM\x3fM\xcc", b"M0M3\n"),  # low nibble full: the full byte, then the high char
        (b"\xff\xff\xfb\xf1Y\xcc", b"1Y\n"),  # high nibble full: the low char, then the full byte
        (b"\xff\xff\xfb\xffM1\xcc", b"M1\n"),  # 0xFF: two full bytes
        (b"\xff\xff\xfb\xff\xff\xf7\xbd\xc1", b"G E1\n"),  # no-spaces mode: nibble 11 is E
        (b"\xff\xff\xfb\xbd\xc1", b"G 1\n"),  # otherwise a space
        (b"\xff\xff\xfb\x1d\xee\xcc", b"G1 X X\n"),  # spaces go back before parameters of G lines
        (b"\xff\xff\xfb\xc0\xcc\xcc\xc1", b"0\n1\n"),  # blank lines collapse
        (b"\xff\xff\xfb\x1d\xff\xff\xfa; c\n", b"G1; c\n"),  # packing off: plain text
        (b"\xff\xff\xf0\xff\xff\xfb\xc1", b"1\n"),  # an unknown command is ignored
        (b"\xff\xff\xfb\x1d\xff", b"G1"),  # a lone 0xFF at the very end is dropped
        (b"\xff\xff\xfb\x0f", b""),  # a unit cut short puts out nothing more
    ],
)
def test_examples(packed: bytes, text: bytes) -> None:
    assert decode_meatpack(packed) == text == oracle(packed)


def test_three_signal_bytes_are_refused() -> None:
    with pytest.raises(FileFormatError, match="not valid MeatPack"):
        decode_meatpack(b"\xff\xff\xfb\x12\xff\xff\xff\x12", label="Block 3")
