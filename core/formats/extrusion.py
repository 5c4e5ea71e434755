"""Filament used, computed from the moves of ASCII G-code: the whole-file pass for a silent header.

Metadata comes from the head and tail of a file (`core.formats.gcode`); this pass reads every byte, so it only
runs when the header gives no usable filament figures. It streams: memory stays bounded whatever the size.

Public API
----------
- `ExtrusionCounter()`: `feed(chunk: bytes)` any number of times (chunks may cut lines anywhere), then
  `finish() -> ExtrusionResult`. The .bgcode reader feeds it the G-code blocks it decodes.
- `extrusion_from_path(path, should_stop=None) -> ExtrusionResult`: the pass over a file, read in 8 MB
  chunks. `should_stop()` is polled between chunks (cancellation from a worker); a stopped pass is
  `complete=False`.
- `extrusion_from_bytes(data) -> ExtrusionResult`: the same over bytes in memory.
- `weight_g(length_mm, diameter_mm, density_g_cm3) -> float`.

What is counted
---------------
Filament "used" is every advance of the filament beyond the furthest point it had reached (a high-water mark),
per tool. So a retraction and the unretraction that follows cancel out, a final retraction is not subtracted,
and an extra prime after a retraction counts. This is what PrusaSlicer reports ("any current amount of
retraction does not affect used filament"): on single-tool PrusaSlicer, Slic3r and Cura files the figure
matches the slicer's within 1% (Cura's, to within the 3 mm prime of its default start G-code). Slicers leave
out the filament that their own start G-code and multi-material load moves push through; this pass counts it,
because it leaves the spool (on an MMU print the figure is higher than PrusaSlicer's by the start purge and
the tool loads).

The G-code understood: `G0`-`G3` with an `E` word (the E value of `G1 X1 E2 ; E9` is 2: comments are skipped),
`M82` (absolute E, the default) and `M83` (relative E), `G92 E<n>` and a bare `G92` (sets the position; a
pending retraction is carried across the reset), `T<n>` tool changes (each tool keeps its own pending
retraction), lowercase commands, leading blanks, CRLF. `G10`/`G11` firmware retraction carries no E and
changes nothing. E words of other commands (`M92 E93`, `M201 E5000`) are not moves and are ignored.

How it is fast
--------------
A Python loop over lines manages about 15 MB/s, and regular expressions (a `findall` of the E words between
the rare lines that change the state) about 90 MB/s on one core. Here the text is a numpy array of bytes,
taken in pieces of 512 KB of whole lines so that the arrays of a piece stay in the CPU cache:

- the positions of every newline and ";", and of every "E" followed by [-+.0-9] (an E word);
- for each E word, the nearest newline or ";" before it (`searchsorted`): a ";" puts the word in a comment; a
  newline starts its line, whose first four bytes, read as one integer, tell the lines whose E words are not
  moves (`M<digit>`, `G92`, `T<n>`);
- the numbers are read from the 8 (or 16) bytes after each E with integer arithmetic on 64-bit words,
  exactly as `float()` reads them (`_parse_numbers`);
- the lines that change the state (G92, M82/M83, T<n>) are found from the first four bytes of every line;
  they are few and are handled one by one (a G92 under relative E is a no-op and is dropped).

Then, once per chunk, numpy takes the high-water mark of each run of moves between two state changes. See
bench/bench_gcode.py for the figures.

Damaged files: a chunk that is mostly NUL bytes (a file not fully written, or a sparse file) stops the pass
with a warning and no figures, rather than streaming gigabytes of zeros; a line longer than 1 MB is skipped
with a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

CHUNK_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
BLOCK_BYTES = 512 * 1024

# All patterns run on text where every line is preceded by "\n" and commands are upper case.
# An E word: the scan finds the same words; this pattern reads the rare long numbers and G92 lines.
_E_WORD = re.compile(rb"E([-+.0-9]+)")
_LEADING_BLANKS = re.compile(rb"\n[ \t]+")
# Files written with lowercase or indented commands are normalised; detected on the start of each block.
_ODD_LINES = re.compile(rb"\n(?:[ \t]+[A-Za-z]|[gmt][0-9])")
_SAMPLE_BYTES = 256 * 1024

_KIND_G92, _KIND_MODE, _KIND_TOOL = range(3)
_TOOL_LINE = re.compile(rb"T([0-9]+)(?![0-9.])")
_PAD = b"\n" * 32

# Bytes, and the first three bytes of a line read as a little-endian integer.
_NL, _SEMI, _E, _M, _T = b"\n;EMT"
_ZERO, _PLUS, _COMMA, _MINUS, _DOT = b"0+,-."
_G92, _M82, _M83 = (int.from_bytes(code, "little") for code in (b"G92", b"M82", b"M83"))

# The SWAR constants (see `_parse_numbers`).
_U1, _U8, _U10, _U16, _U32, _U56 = (np.uint64(k) for k in (1, 8, 10, 16, 32, 56))
_ONES = np.uint64(0x0101010101010101)
_NOT_FIRST = np.uint64(0xFFFFFFFFFFFFFF00)
_MASK_PAIRS = np.uint64(0x000000FF000000FF)
_MUL_100 = np.uint64(100 + (1000000 << 32))
_MUL_1 = np.uint64(1 + (10000 << 32))
_POW10 = 10.0 ** np.arange(17)
_POW10_INT = np.array([10**k for k in range(17)], dtype=np.uint64)


@dataclass
class ExtrusionResult:
    """Filament length per tool (0-based) in mm, as far as the moves say."""

    lengths_mm: dict[int, float] = field(default_factory=dict)
    e_words: int = 0  # how many extruding-or-retracting moves were seen
    complete: bool = True  # False: the pass was stopped or gave up; the lengths are not usable
    warnings: list[str] = field(default_factory=list)

    @property
    def total_mm(self) -> float:
        return sum(self.lengths_mm.values())


def weight_g(length_mm: float, diameter_mm: float, density_g_cm3: float) -> float:
    """The weight of `length_mm` of filament of that diameter and density."""
    area_mm2 = math.pi * (diameter_mm / 2.0) ** 2
    return length_mm * area_mm2 / 1000.0 * density_g_cm3


class ExtrusionCounter:
    """The streaming pass: feed it G-code in chunks of any size, then `finish()`."""

    def __init__(self) -> None:
        self._relative = False
        self._tool = 0
        self._pos = 0.0
        self._hwm = 0.0
        self._pending: dict[
            int, float
        ] = {}  # per tool: retraction not yet recovered (high-water mark - position)
        self._used: dict[int, float] = {}
        self._e_words = 0
        self._carry = b"\n"
        self._skipping_long_line = False
        self._long_lines = 0
        self._damaged = False
        self._warnings: list[str] = []

    # ---------------------------------------------------------------- streaming

    def feed(self, data: bytes) -> None:
        if self._damaged or not data:
            return
        if _mostly_nul(data):
            self._damaged = True
            self._warnings.append(
                "The file holds long runs of NUL bytes (it may be damaged or not fully written), so filament "
                "usage could not be computed from its moves."
            )
            return
        if self._skipping_long_line:
            cut = data.find(b"\n")
            if cut < 0:
                return
            data = data[cut:]
            self._skipping_long_line = False
        # The carry starts with the newline that ends the previous block, so every line in `buf` follows a
        # "\n" (the patterns rely on it) and no block needs copying again.
        buf = self._carry + data
        cut = buf.rfind(b"\n")
        if cut <= 0:
            self._carry = buf
            if len(buf) > MAX_LINE_BYTES:
                self._carry = b"\n"
                self._skipping_long_line = True
                self._long_lines += 1
            return
        self._carry = buf[cut:]
        if len(self._carry) > MAX_LINE_BYTES:
            self._carry = b"\n"
            self._skipping_long_line = True
            self._long_lines += 1
        self._process(buf, cut + 1)

    def finish(self) -> ExtrusionResult:
        if len(self._carry) > 1 and not self._damaged:
            text = self._carry + b"\n"
            self._process(text, len(text))
        self._carry = b"\n"
        warnings = list(self._warnings)
        if self._long_lines:
            warnings.append(
                f"{self._long_lines} line(s) longer than 1 MB were skipped while counting filament."
            )
        if self._damaged:
            return ExtrusionResult({}, self._e_words, complete=False, warnings=warnings)
        lengths = {tool: round(mm, 4) for tool, mm in sorted(self._used.items()) if mm > 0}
        return ExtrusionResult(lengths, self._e_words, complete=True, warnings=warnings)

    # ---------------------------------------------------------------- one chunk of whole lines

    def _process(self, text: bytes, end: int) -> None:
        """Count the moves in text[:end], whole lines each preceded by a newline."""
        if _ODD_LINES.search(text, 0, min(end, _SAMPLE_BYTES)):  # lowercase or indented commands: normalise
            text = _LEADING_BLANKS.sub(b"\n", text[:end].upper())
            end = len(text)
        # Pieces of about BLOCK_BYTES of whole lines, so that the arrays of a piece stay in the CPU cache;
        # each starts at the newline that ends the one before. A piece is read up to 32 bytes past its end,
        # so the last one is copied with a tail of newlines. The moves of all pieces are applied at once.
        pieces: list[npt.NDArray[np.float64]] = []
        bounds: list[int] = []
        actions: list[tuple[int, bytes]] = []
        count = 0
        relative = self._relative
        start = 0
        while start < end - 1:
            stop = end
            if end - start > BLOCK_BYTES:
                stop = text.rfind(b"\n", start + 1, start + BLOCK_BYTES) + 1
                if stop <= 0:  # a line longer than a piece
                    stop = text.find(b"\n", start + BLOCK_BYTES) + 1
            if stop + len(_PAD) <= len(text):
                values, before, changes, relative = self._scan(text, start, stop, relative)
            else:
                tail = b"".join((memoryview(text)[start:stop], _PAD))
                values, before, changes, relative = self._scan(tail, 0, stop - start, relative)
            pieces.append(values)
            bounds += [count + k for k in before]
            actions += changes
            count += values.size
            start = stop - 1
        bounds.append(count)
        values = pieces[0] if len(pieces) == 1 else np.concatenate(pieces) if pieces else np.zeros(0)
        self._run_segments(values, bounds, actions)

    def _scan(
        self, buf: bytes, start: int, stop: int, relative: bool
    ) -> tuple[npt.NDArray[np.float64], list[int], list[tuple[int, bytes]], bool]:
        """The moves and state changes of buf[start:stop], whole lines (buf[start] is a newline, and 32 bytes
        can be read after `stop`), with `relative` the E mode at the start.

        Returns the E values, how many of them come before each state change, the changes, and the E mode at
        the end.
        """
        at = np.frombuffer(buf, dtype=np.uint8)
        body = at[start:stop]
        # The 8 (and 4) bytes from each offset, as little-endian integers: views, nothing is copied.
        words8 = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        words4 = np.ndarray((len(buf) - 3,), dtype="<u4", buffer=buf, strides=(1,))
        # Every newline and ";": the nearest one before an E word says whether it is in a comment (";") or
        # on which line (a newline, then the first bytes of that line).
        seps = np.flatnonzero((body == _NL) | (body == _SEMI))
        seps += start
        is_newline = at[seps] == _NL
        # The E words: an "E" followed by a digit, ".", "+" or "-".
        e_at = np.flatnonzero(body == _E)
        e_at += start
        after = words8[e_at + 1]
        first = after.view(np.uint8)[::8]
        is_word = ((first - _ZERO) < 10) | ((first - _PLUS) <= _DOT - _PLUS) & (first != _COMMA)
        e_at = e_at[is_word]
        after = after[is_word]
        index = np.searchsorted(seps, e_at)
        index -= 1  # buf[start] is a newline: there is always one before
        prev = seps[index]
        head = words4[prev + 1]  # the first four bytes of the line (when prev is a newline)
        skip = _barrier_heads(head)
        skip |= ~is_newline[index]  # in a comment
        for i in np.flatnonzero(_tool_heads(head)).tolist():  # "T<digit>": T<n> lines are rare, check each
            if _TOOL_LINE.match(buf, int(prev[i]) + 1):
                skip[i] = True
        keep = ~skip
        e_at = e_at[keep]
        values = _parse_numbers(after[keep], e_at, buf)
        # The lines that change the state: G92, M82/M83, T<n>, from the first bytes of every line.
        newlines = seps[is_newline][:-1]  # the last ends the piece: its line belongs to the next
        heads = words4[newlines + 1]
        low3 = heads & 0xFFFFFF
        maybe = np.flatnonzero((low3 == _G92) | (low3 == _M82) | (low3 == _M83) | ((heads & 0xFF) == _T))
        newlines = newlines[maybe]
        heads = heads[maybe]
        low3 = low3[maybe]
        fourth = heads >> 24
        ends_code = (fourth - _ZERO >= 10) & (fourth != _DOT)  # "G92"/"M82"/"M83" not followed by [0-9.]
        g92 = (low3 == _G92) & (fourth - _ZERO >= 10)
        mode = ((low3 == _M82) | (low3 == _M83)) & ends_code
        actions, relative_after = _actions(buf, newlines, g92, mode, _tool_heads(heads), relative)
        before = np.searchsorted(e_at, np.array([pos for pos, _, _ in actions], dtype=np.intp)).tolist()
        return values, before, [(kind, payload) for _, kind, payload in actions], relative_after

    def _run_segments(
        self, values: npt.NDArray[np.float64], bounds: list[int], actions: list[tuple[int, bytes]]
    ) -> None:
        """Apply the moves of each segment, then the action that ends it (the last segment has none)."""
        self._e_words += int(values.size)
        # Per segment (the moves between two state changes): highest and last position, from one cumsum.
        seg_begin = [0, *bounds[:-1]]
        nonempty = [i for i, (lo, hi) in enumerate(zip(seg_begin, bounds, strict=True)) if hi > lo]
        seg_max_abs: list[float] = []
        seg_max_cum: list[float] = []
        last_abs: list[float] = []
        last_cum: list[float] = []
        first_cum: list[float] = []
        if nonempty:
            starts = np.array([seg_begin[i] for i in nonempty], dtype=np.intp)
            ends = np.array([bounds[i] for i in nonempty], dtype=np.intp)
            cumulative = np.cumsum(values)
            seg_max_abs = np.maximum.reduceat(values, starts).tolist()
            seg_max_cum = np.maximum.reduceat(cumulative, starts).tolist()
            last_abs = values[ends - 1].tolist()
            last_cum = cumulative[ends - 1].tolist()
            first_cum = (cumulative[starts] - values[starts]).tolist()  # the sum before the segment
        k = 0
        for i in range(len(bounds)):
            if k < len(nonempty) and nonempty[k] == i:
                if self._relative:
                    highest = self._pos + seg_max_cum[k] - first_cum[k]
                    last = self._pos + last_cum[k] - first_cum[k]
                else:
                    highest = seg_max_abs[k]
                    last = last_abs[k]
                if highest > self._hwm:
                    self._used[self._tool] = self._used.get(self._tool, 0.0) + highest - self._hwm
                    self._hwm = highest
                self._pos = last
                k += 1
            if i < len(actions):
                kind, payload = actions[i]
                if kind == _KIND_G92:
                    self._set_position(payload)
                elif kind == _KIND_MODE:
                    self._relative = payload == b"3"
                else:
                    self._change_tool(int(payload))

    def _set_position(self, line: bytes) -> None:
        code = line.split(b";", 1)[0]
        match = _E_WORD.search(code)
        if match is None and code.strip() != b"G92":
            return  # G92 X0 Y0: E untouched
        value = _number_or_zero(match.group(1)) if match else 0.0
        if not math.isfinite(value):
            return
        pending = self._hwm - self._pos
        self._pos = value
        self._hwm = value + pending

    def _change_tool(self, tool: int) -> None:
        if tool == self._tool or tool > 1024:
            return
        self._pending[self._tool] = self._hwm - self._pos
        self._tool = tool
        self._hwm = self._pos + self._pending.get(tool, 0.0)


def _actions(
    buf: bytes,
    newlines: npt.NDArray[np.intp],
    g92: npt.NDArray[np.bool_],
    mode: npt.NDArray[np.bool_],
    tool: npt.NDArray[np.bool_],
    relative: bool,
) -> tuple[list[tuple[int, int, bytes]], bool]:
    """The state changes of a piece in order, as (position, kind, payload), and the E mode after them.

    `newlines` are the starts of candidate lines and the masks say which are which; `relative` is the E mode
    at the start. A G92 under relative E is left out: the reset shifts position and high-water mark alike.
    """
    modes = [(pos, _KIND_MODE, buf[pos + 3 : pos + 4]) for pos in newlines[mode].tolist()]
    events = list(modes)
    for pos in newlines[tool].tolist():
        match = _TOOL_LINE.match(buf, pos + 1)
        if match:
            events.append((pos, _KIND_TOOL, match.group(1)))
    g92_at = newlines[g92]
    if g92_at.size:
        # The E mode in force at each G92: that of the last M82/M83 before it, or the one at the start.
        in_force = np.array([relative] + [payload == b"3" for _, _, payload in modes], dtype=bool)
        mode_at = np.array([pos for pos, _, _ in modes], dtype=np.intp)
        for pos in g92_at[~in_force[np.searchsorted(mode_at, g92_at)]].tolist():
            events.append((pos, _KIND_G92, buf[pos : buf.find(b"\n", pos + 1)]))
    events.sort()
    return events, (modes[-1][2] == b"3" if modes else relative)


def _barrier_heads(head: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Lines, by their first four bytes, whose E words are not moves: "M<digit>" and "G92" not followed by a
    digit (T<n> lines are checked apart)."""
    second = (head >> 8) & 0xFF
    m_code = ((head & 0xFF) == _M) & (second - _ZERO < 10)
    g92 = ((head & 0xFFFFFF) == _G92) & ((head >> 24) - _ZERO >= 10)
    result: npt.NDArray[np.bool_] = m_code | g92
    return result


def _tool_heads(head: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Lines that start "T<digit>" (candidates for a tool change, to check with `_TOOL_LINE`)."""
    result: npt.NDArray[np.bool_] = ((head & 0xFF) == _T) & (((head >> 8) & 0xFF) - _ZERO < 10)
    return result


def _parse_numbers(
    after: npt.NDArray[np.uint64], e_at: npt.NDArray[np.intp], buf: bytes
) -> npt.NDArray[np.float64]:
    """The numbers of E words, as `float()` reads them (0 for one it refuses: "E-", "E1.2.3").

    `after` holds the 8 bytes that follow each "E" at `e_at` (little-endian: the first in the low byte). A
    number of up to 7 bytes is read from them alone, SWAR-style: classify the bytes, cut at the first byte
    that is not [-+.0-9], drop the point, right-align the digits and combine them in three multiplications.
    The digits form an integer below 2**53 and the value is that integer divided by a power of ten: both
    exact, so the quotient is the correctly rounded value, the same double that float() gives. Numbers of 8
    to 15 bytes (absolute E) read 8 bytes more; longer ones, rare, go through float().
    """
    n = after.size
    if not n:
        return np.zeros(0, dtype=np.float64)
    raw = after.view(np.uint8).reshape(n, 8)
    negative = raw[:, 0] == _MINUS
    digit, dig, dot, sign = _classify(raw)
    other = ~(dig | dot | sign) & _ONES  # 0x01 in each byte that ends the number
    first_other = other & (~other + _U1)  # the lowest: 1 << 8 * length
    long_rows = np.flatnonzero(other == 0)  # all 8 bytes are of the number
    if long_rows.size:
        classes = (digit[long_rows], dig[long_rows], dot[long_rows], sign[long_rows])
        long_values = _parse_long(buf, e_at[long_rows], *classes, negative[long_rows])
    run = first_other - _U1  # 0xFF in each byte of the number
    dig &= run
    dot &= run
    sign &= run
    ok = (dig != 0) & (dot & (dot - _U1) == 0) & (sign & _NOT_FIRST == 0)  # a digit, a point at most
    digit &= run
    # The point at byte p (or, without one, the end of the number): the bytes after it move down one place.
    mark = np.where(dot != 0, dot, first_other)
    above = ~((mark << _U8) - _U1)
    digit = (digit & (mark - _U1)) | ((digit & above) >> _U8)
    places = _byte_count(run & _ONES) - (dot != 0)  # the bytes left, a sign (a zero digit) included
    shift = np.minimum((_U8 - np.minimum(places, _U8)) * _U8, _U56)  # right-align: the last digit in byte 7
    values = _eight_digits(digit << shift).astype(np.float64)
    values /= _POW10[_byte_count(dig & above)]  # as many places as digits after the point
    np.negative(values, out=values, where=negative)
    values[~ok] = 0.0
    if long_rows.size:
        values[long_rows] = long_values
    return values


def _parse_long(
    buf: bytes,
    e_at: npt.NDArray[np.intp],
    digit0: npt.NDArray[np.uint64],
    dig0: npt.NDArray[np.uint64],
    dot0: npt.NDArray[np.uint64],
    sign0: npt.NDArray[np.uint64],
    negative: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float64]:
    """The numbers of E words of 8 bytes or more, given the classes of their first 8 bytes.

    The second 8 bytes are classified the same way; the digits, the point read as a zero digit, make an
    integer high * 10**(f + 1) + low (f digits after the point) from which the point's zero is taken out.
    """
    words8 = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    digit1, dig1, dot1, sign1 = _classify(words8[e_at + 9].view(np.uint8).reshape(e_at.size, 8))
    other = ~(dig1 | dot1 | sign1) & _ONES
    run = (other & (~other + _U1)) - _U1
    dig1 &= run
    dot1 &= run
    sign1 &= run
    dots = _byte_count(dot0) + _byte_count(dot1)
    ok = ((dig0 | dig1) != 0) & (dots <= 1) & (sign0 & _NOT_FIRST == 0) & (sign1 == 0)
    tail = _byte_count(run & _ONES)  # bytes of the number in the second word
    shift = np.minimum((_U8 - tail) * _U8, _U56)
    whole = _eight_digits(digit0) * _POW10_INT[tail] + _eight_digits((digit1 & run) << shift)
    has_dot = dots != 0
    in_first = _byte_count((dot0 - _U1) & _ONES)  # the point's byte, when it is in the first word
    dot_place = np.where(dot0 != 0, in_first, _U8 + _byte_count((dot1 - _U1) & _ONES))
    fraction = np.minimum(np.where(has_dot, _U8 + tail - _U1 - dot_place, 0), 15)  # bounded for bad rows
    low = whole % _POW10_INT[fraction]
    mantissa = np.where(has_dot, (whole - low) // _U10 + low, whole)
    values = mantissa.astype(np.float64) / _POW10[fraction]
    np.negative(values, out=values, where=negative)
    values[~ok] = 0.0
    for i in np.flatnonzero(other == 0).tolist():  # 16 bytes or more: rare, float() decides
        match = _E_WORD.match(buf, int(e_at[i]))
        value = _number_or_zero(match.group(1)) if match else 0.0
        values[i] = value if math.isfinite(value) else 0.0
    return values


def _classify(
    raw: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Eight bytes a row, as four words: the digits' values (0 elsewhere), then 0x01 in each byte that is a
    digit, a point, a sign."""
    rows = raw.shape[0]
    digit = raw - np.uint8(_ZERO)
    is_digit = digit < 10
    digit *= is_digit
    is_dot = raw == _DOT
    is_sign = (raw - np.uint8(_PLUS)) & np.uint8(0xFD) == 0  # "+" or "-"
    return (
        digit.view("<u8").reshape(rows),
        is_digit.view("<u8").reshape(rows),
        is_dot.view("<u8").reshape(rows),
        is_sign.view("<u8").reshape(rows),
    )


def _byte_count(flags: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The sum of the bytes of each word (how many bytes are flagged, with 0x01 flags)."""
    result: npt.NDArray[np.uint64] = (flags * _ONES) >> _U56
    return result


def _eight_digits(packed: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The integer of eight digit values (0-9) in the bytes of each word, the first the most significant."""
    pairs = packed * _U10 + (packed >> _U8)
    result: npt.NDArray[np.uint64] = (
        ((pairs & _MASK_PAIRS) * _MUL_100) + (((pairs >> _U16) & _MASK_PAIRS) * _MUL_1)
    ) >> _U32
    return result


def _mostly_nul(data: bytes) -> bool:
    """True when more than half of `data` is NUL bytes; a few samples decide before the whole is counted."""
    if len(data) > 3 * _SAMPLE_BYTES:
        middle = len(data) // 2
        samples = (data[:4096], data[middle : middle + 4096], data[-4096:])
        if all(s.count(b"\x00") * 2 < len(s) for s in samples):
            return False
    return data.count(b"\x00") * 2 > len(data)


def _number_or_zero(word: bytes) -> float:
    try:
        return float(word)
    except ValueError:
        return 0.0


def extrusion_from_bytes(data: bytes) -> ExtrusionResult:
    counter = ExtrusionCounter()
    for start in range(0, len(data), CHUNK_BYTES):
        counter.feed(data[start : start + CHUNK_BYTES])
    return counter.finish()


def extrusion_from_path(path: str | Path, should_stop: Callable[[], bool] | None = None) -> ExtrusionResult:
    """The pass over a file, in bounded memory (a few chunks of 8 MB at most)."""
    counter = ExtrusionCounter()
    with open(path, "rb") as fh:
        while True:
            if should_stop is not None and should_stop():
                result = counter.finish()
                return ExtrusionResult({}, result.e_words, complete=False, warnings=result.warnings)
            chunk = fh.read(CHUNK_BYTES)
            if not chunk:
                break
            counter.feed(chunk)
            if counter._damaged:
                break
    return counter.finish()
