"""Decoding MeatPack, the packed G-code text inside the G-code blocks of Prusa binary G-code (.bgcode).

The format (Scott Mudge's MeatPack, as PrusaSlicer's libbgcode writes it):

- Two 0xFF bytes followed by a command byte switch state: 251 enables packing, 250 disables it, 249 resets
  (disables packing), 247 / 246 turn "no spaces" mode on / off, anything else is ignored. A single 0xFF is
  data. Every block starts with packing off and spaces on.
- With packing off every byte is a character. With packing on a byte holds two characters, one per nibble, low
  nibble first, from the table `0123456789. \\nGX` (nibble 11 is `E` instead of a space in no-spaces mode).
  Nibble 0b1111 means "a full byte follows": low nibble 0b1111 puts the next byte first (then the high
  nibble's character), high nibble 0b1111 puts the next byte second, and 0xFF puts the next two bytes. When
  the low nibble is a newline the high nibble is padding.
- The writer drops the spaces of G lines; like libbgcode's reader, a space is put back before each parameter
  letter (X Y Z E F I J R G P W H C A) of a line that starts with G, and runs of empty lines collapse to one.
  So the text read back from a PrusaSlicer .bgcode equals its ASCII G-code line for line, except for what the
  writer itself drops (comments on command lines, blank lines).

The decoder is vectorised: commands are found among the (few) 0xFF bytes, every byte is turned into its two
characters by one table gather, the full-width bytes are patched in, and placeholders are deleted in one
C-level pass. Which bytes begin a packed unit is the only sequential part of the format; it is read off
directly when no full-width byte falls where a unit could start (the common case), and otherwise by a parallel
prefix scan over a three-state machine, so no input makes it loop per byte in Python.

Three or more 0xFF bytes in a row never come out of a MeatPack writer (0xFF is no character of UTF-8 text) and
make the state of the stream ambiguous; such a block is refused with FileFormatError.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from core.errors import FileFormatError

SIGNAL = 0xFF
ENABLE_PACKING = 251
DISABLE_PACKING = 250
RESET_ALL = 249
QUERY_CONFIG = 248
ENABLE_NO_SPACES = 247
DISABLE_NO_SPACES = 246

NIBBLE_CHARS = b"0123456789. \nGX\0"  # 15 (0b1111) is the "full byte follows" marker, never a character
G_PARAMETERS = b"XYZEFIJRGPWHCA"
SEQUENTIAL_LIMIT = 4096  # contested unit starts settled one by one before switching to the prefix scan

U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]
Index = npt.NDArray[np.intp]

_FULL = 0x0F
_NEWLINE = NIBBLE_CHARS.index(b"\n")
_BYTES = np.arange(256, dtype=np.uint8)
_LO = _BYTES & 0x0F
_HI = _BYTES >> 4

# How many bytes a packed unit starting with this byte spans (itself plus the full-width bytes that follow).
_UNIT_LENGTH = np.where(
    _BYTES == 0xFF, 3, np.where(_LO == _FULL, 2, np.where(_LO == _NEWLINE, 1, np.where(_HI == _FULL, 2, 1)))
).astype(np.uint8)
# A unit "full byte, then the high nibble's character": its second byte puts out two characters.
_SECOND_ALSO_HIGH = (_LO == _FULL) & (_HI != _FULL)


def _nibble_chars(no_spaces: bool) -> U8:
    chars = np.frombuffer(NIBBLE_CHARS, dtype=np.uint8).copy()
    if no_spaces:
        chars[NIBBLE_CHARS.index(b" ")] = ord("E")
    return chars


def _start_table(no_spaces: bool) -> npt.NDArray[np.uint16]:
    """What a byte that begins a unit puts out: first char | second char << 8, 0 where it puts out nothing."""
    chars = _nibble_chars(no_spaces)
    first = np.where(_LO == _FULL, 0, chars[_LO]).astype(np.uint16)
    second = np.where((_LO == _FULL) | (_LO == _NEWLINE) | (_HI == _FULL), 0, chars[_HI]).astype(np.uint16)
    return (first | (second << 8)).astype("<u2")


_START = (_start_table(False), _start_table(True))
_HIGH_CHAR = np.stack([_nibble_chars(False)[_HI], _nibble_chars(True)[_HI]]).astype(np.uint16)
_PARAMETER_MARKS = bytes(1 if value in G_PARAMETERS else 0 for value in range(256))


def _compose_table() -> U8:
    """COMPOSE[g, f] is the code of g after f, for maps of {0, 1, 2} coded as f(0) + 3 f(1) + 9 f(2)."""
    codes = np.arange(27)
    maps = np.stack([codes % 3, codes // 3 % 3, codes // 9], axis=1)  # maps[code][x] = f(x)
    image = maps[np.arange(27)[:, None, None], maps[None, :, :]]  # image[g, f, x] = g(f(x))
    return (image[..., 0] + 3 * image[..., 1] + 9 * image[..., 2]).astype(np.uint8)


_COMPOSE = _compose_table()


def _scan_unit_starts(unit_length: U8) -> Bools:
    """Which packed bytes begin a unit, by a prefix scan (for streams with many nested announcements).

    The state before each byte is how many full-width bytes are still owed (0, 1 or 2); a byte with nothing
    owed begins a unit of `unit_length` bytes. Each byte maps the owed count to the next one (0 -> length - 1,
    1 -> 0, 2 -> 1); composing these maps by doubling gives the state before every byte in log2(n) steps.
    """
    count = len(unit_length)
    maps = (unit_length + 8).astype(np.uint8)  # the code of (length - 1, 0, 1)
    step = 1
    while step < count:
        maps[step:] = _COMPOSE[maps[step:], maps[:-step]]
        step *= 2
    owed = np.empty(count, dtype=np.uint8)
    owed[:1] = 0
    owed[1:] = maps[:-1] % 3
    starts: Bools = owed == 0
    return starts


def _unit_starts(unit_length: U8) -> Bools:
    """Which packed bytes begin a unit (the others are the full-width bytes a unit announced).

    Only a byte that announces full-width bytes (`unit_length` > 1) can swallow the next one or two; such a
    byte begins a unit unless it is itself swallowed. Those inside an earlier one's reach are settled in
    order, a handful in real files; past `SEQUENTIAL_LIMIT` of them the prefix scan is used instead.
    """
    count = len(unit_length)
    heads = np.flatnonzero(unit_length > 1)
    reach = heads + unit_length[heads]
    contested = np.flatnonzero(heads[1:] < reach[:-1]) + 1
    if len(contested) > SEQUENTIAL_LIMIT:
        return _scan_unit_starts(unit_length)
    begins = np.ones(len(heads), dtype=bool)
    for j in contested.tolist():
        swallowed = (begins[j - 1] and heads[j] < reach[j - 1]) or (
            j >= 2 and begins[j - 2] and heads[j] < reach[j - 2]
        )
        begins[j] = not swallowed
    starts = np.ones(count, dtype=bool)
    owners = heads[begins]
    second = owners + 1
    starts[second[second < count]] = False
    third = owners[unit_length[owners] == 3] + 2
    starts[third[third < count]] = False
    return starts


def _segment_states(codes: U8, events: Bools, on: int) -> Bools:
    """A switch's state in each segment between commands (segment 0, before the first command, is off)."""
    last = np.maximum.accumulate(np.where(events, np.arange(len(codes)), -1))
    return np.concatenate([[False], (last >= 0) & (codes[last] == on)])


def _restore_spaces(text: bytes) -> bytes:
    """Collapse runs of newlines and put a space before each parameter of a line that starts with G."""
    while b"\n\n" in text:  # the writer ends G lines with two newlines; each pass halves a run
        text = text.replace(b"\n\n", b"\n")
    chars = np.frombuffer(text, dtype=np.uint8)
    if len(chars) < 2:
        return text
    marks = np.frombuffer(text.translate(_PARAMETER_MARKS), dtype=np.bool_)
    before = chars[:-1]
    spots = np.flatnonzero(marks[1:] & (before != ord(" ")) & (before != ord("\n"))) + 1
    if len(spots) == 0:
        return text
    newlines = np.flatnonzero(chars == ord("\n"))
    line_starts = np.concatenate([[0], newlines + 1])
    spots = spots[chars[line_starts[np.searchsorted(newlines, spots)]] == ord("G")]
    if len(spots) == 0:
        return text
    return bytes(np.insert(chars, spots, ord(" ")).tobytes())


def decode_meatpack(data: bytes | bytearray | memoryview, *, label: str = "This G-code block") -> bytes:
    """The G-code text of one MeatPack stream (one .bgcode G-code block; each block starts afresh)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    size = len(raw)
    if size == 0:
        return b""

    # 1. Commands: 0xFF 0xFF <command>. A lone 0xFF before another byte is data; one at the end is dropped.
    signals = np.flatnonzero(raw == SIGNAL)
    steps = np.diff(signals)
    if bool(np.any((steps[:-1] == 1) & (steps[1:] == 1))):
        raise FileFormatError(f"{label} is not valid MeatPack (it has three 0xFF bytes in a row).")
    pairs = signals[:-1][steps == 1]
    commands = pairs + 2
    commands = commands[commands < size]
    dropped = np.concatenate([pairs, pairs + 1, commands])
    if len(signals) and signals[-1] == size - 1 and (len(pairs) == 0 or pairs[-1] != size - 2):
        dropped = np.append(dropped, size - 1)
    if len(dropped):
        dropped.sort()
        keep = np.ones(size, dtype=bool)
        keep[dropped] = False
        kept = raw[keep]
    else:
        kept = raw
    count = len(kept)
    if count == 0:
        return b""
    codes = raw[commands]
    kept_before = commands - np.searchsorted(dropped, commands)
    lengths = np.diff(np.concatenate([[0], kept_before, [count]]))
    packing_events = (codes >= RESET_ALL) & (codes <= ENABLE_PACKING)
    space_events = (codes == ENABLE_NO_SPACES) | (codes == DISABLE_NO_SPACES)
    packing = np.repeat(_segment_states(codes, packing_events, ENABLE_PACKING), lengths)
    no_spaces = np.repeat(_segment_states(codes, space_events, ENABLE_NO_SPACES), lengths)
    all_packed = bool(packing.all())

    # 2. Units: the full-width bytes ("payloads") and, for units "full byte then high nibble", the extra char.
    low_full = (kept & _FULL) == _FULL
    announcing = low_full | ((kept >= 0xF0) & ((kept & _FULL) != _NEWLINE))
    if not all_packed:
        announcing &= packing
    heads = np.flatnonzero(announcing)
    triple = kept[heads] == 0xFF
    reach = heads + 2 + triple
    payloads = np.concatenate([heads + 1, heads[triple] + 2])
    payloads = payloads[payloads < count]
    simple = bool(np.all(heads[1:] >= reach[:-1])) and (all_packed or bool(packing[payloads].all()))
    if simple:
        owing = heads[low_full[heads] & ~triple]
        owing = owing[owing + 1 < count]
        owing_payloads = owing + 1
    else:
        # A unit announced inside another unit's full bytes, or one spanning a switch of packing: follow the
        # packed bytes as one stream (the reference reader keeps its state across switches).
        packed_at = np.flatnonzero(packing)
        packed = kept[packed_at]
        starts = _unit_starts(_UNIT_LENGTH[packed])
        payloads = packed_at[~starts]
        owing_packed = np.flatnonzero(starts[:-1] & _SECOND_ALSO_HIGH[packed[:-1]])
        owing = packed_at[owing_packed]
        owing_payloads = packed_at[owing_packed + 1]

    # 3. Characters: two per byte (little-endian uint16), 0 where a byte puts out fewer; then the payloads.
    if bool(no_spaces.all()) or not bool(no_spaces.any()):
        out = _START[int(no_spaces[0])].take(kept)
    else:
        out = np.where(no_spaces, _START[1].take(kept), _START[0].take(kept))
    wide = kept.astype("<u2")
    if not all_packed:
        out = np.where(packing, out, wide)
    out[payloads] = wide[payloads]
    high = _HIGH_CHAR[no_spaces[owing].astype(np.intp), kept[owing]]
    out[owing_payloads] |= (high << 8).astype("<u2")
    if not bool((kept == 0).any()):
        # No NUL character: a 0 is a placeholder. The writer ends G lines with a second newline; most of those
        # are blanked here, where it is cheap, and _restore_spaces collapses whatever is left.
        previous = out[:-1]
        out[1:][(out[1:] == 10) & ((previous == 10) | ((previous >> 8) == 10))] = 0
        return _restore_spaces(out.astype("<u2", copy=False).tobytes().translate(None, b"\0"))
    pairs_of_chars = out.astype("<u2", copy=False).tobytes()
    # Real NUL characters (only from plain or full-width bytes, always the first of a pair) must stay.
    chars = np.frombuffer(pairs_of_chars, dtype=np.uint8).reshape(-1, 2)
    present = chars != 0
    real = payloads if all_packed else np.concatenate([payloads, np.flatnonzero(~packing)])
    present[real, 0] = True
    return _restore_spaces(chars[present].tobytes())
