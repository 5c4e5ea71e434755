"""The whole-file extrusion pass: hand-computed G-code, and agreement with real slicers' own figures."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from core.formats import extrusion
from core.formats.extrusion import ExtrusionCounter, extrusion_from_bytes, extrusion_from_path, weight_g

DATA = Path(__file__).resolve().parents[2] / "data"


def lengths(text: str) -> dict[int, float]:
    return {t: round(v, 6) for t, v in extrusion_from_bytes(text.encode()).lengths_mm.items()}


def test_absolute_is_the_default() -> None:
    assert lengths("G1 X1 E1\nG1 X2 E3.5\n") == {0: 3.5}


def test_relative_sums_moves() -> None:
    assert lengths("M83\nG1 X1 E1\nG1 X2 E2.5\ng1 x3 e.5\n") == {0: 4.0}


def test_retraction_pairs_cancel_and_final_retraction_is_not_subtracted() -> None:
    # relative: 5 printed, retract 0.8, unretract 0.8, 2 printed, final retract 1
    assert lengths("M83\nG1 X1 E5\nG1 E-.8\nG1 E.8\nG1 X2 E2\nG1 E-1\n") == {0: 7.0}
    # absolute, the same print
    assert lengths("M82\nG1 X1 E5\nG1 E4.2\nG1 E5\nG1 X2 E7\nG1 E6\n") == {0: 7.0}


def test_extra_prime_after_retraction_counts() -> None:
    assert lengths("M83\nG1 X1 E5\nG1 E-1\nG1 E1.2\n") == {0: pytest.approx(5.2)}


def test_g92_resets_keep_a_pending_retraction() -> None:
    # absolute: 10 printed, retract to 9, reset to 0 while retracted, unretract to 1 (recovers), print to 4
    assert lengths("G1 X1 E10\nG1 E9\nG92 E0\nG1 E1\nG1 X2 E4\n") == {0: 13.0}
    assert lengths("G1 X1 E10\nG92 E2.5\nG1 X2 E4\n") == {0: 11.5}
    assert lengths("G1 X1 E10\nG92\nG1 X2 E4\n") == {0: 14.0}  # bare G92 zeroes E
    assert lengths("G1 X1 E10\nG92 X0 Y0\nG1 X2 E12\n") == {0: 12.0}  # E untouched


def test_tool_changes_split_usage_and_keep_each_tools_retraction() -> None:
    text = "M83\nT0\nG1 X1 E10\nG1 E-2\nT1\nG1 X2 E3\nG1 E-1\nT0\nG1 E2\nG1 X3 E1\nT1\nG1 E1\nG1 X4 E4\n"
    assert lengths(text) == {0: 11.0, 1: 7.0}


def test_comments_firmware_retraction_and_m_codes_are_not_moves() -> None:
    text = (
        "M92 E93 ; steps\nM201 X1000 E5000\nG10\nG11\nG1 X1 E2 ; E9 in a comment\n"
        "; E300 in a comment line\n  G1 X2 E3\nG0 X3 E4\nG2 X4 Y4 I1 J0 E5\nG1 X5 E-.8\n"
    )
    assert lengths(text) == {0: 5.0}


def test_mode_switches_mid_file() -> None:
    assert lengths("G1 X1 E4\nM83\nG1 X2 E1\nG1 X3 E1\nM82\nG92 E0\nG1 X4 E2\n") == {0: 8.0}


def test_crlf_and_chunks_cut_anywhere() -> None:
    text = ("M83\r\n" + "G1 X1 E0.25\r\nG1 E-.5\r\nG1 E.5\r\n" * 400).encode()
    counter = ExtrusionCounter()
    for i in range(0, len(text), 7):
        counter.feed(text[i : i + 7])
    result = counter.finish()
    assert result.lengths_mm == {0: pytest.approx(100.0)}
    assert result.e_words == 1200


def test_words_without_numbers_count_as_nothing() -> None:
    assert lengths("G1 X1 E-\nG1 X1 E.\nG1 X2 E1.2.3\nG1 X3 E2\n") == {0: 2.0}


@pytest.mark.parametrize(
    "number",
    ["7", "+7", "0.5", ".5", "5.", "-.5", "-0", "12.3456", "1234567", "12345678", "1234.56789", "-1234.5678",
     "123456.789012", "0001234567.1234", "12345678901234.5", "1" * 20, "1" * 400, "0" * 30 + "1.5"],
)  # fmt: skip
def test_numbers_of_any_length_read_as_float(number: str) -> None:
    value = float(number)
    result = extrusion_from_bytes(f"G1 X1 E{number}\n".encode())
    assert result.e_words == 1
    assert result.lengths_mm == ({0: round(value, 4)} if 0 < value < math.inf else {})


@pytest.mark.parametrize("word", ["-", "+", ".", "+-1", "1-2", "--1", "1.2.3", "1.2.3.4.5.6.7.8.9", "5+"])
def test_malformed_words_count_as_no_move(word: str) -> None:
    result = extrusion_from_bytes(f"M83\nG1 E1\nG1 X1 E{word}\nG1 E1\n".encode())
    assert result.lengths_mm == {0: 2.0}
    assert result.e_words == 3


def test_every_number_is_the_double_float_gives() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 17)))
        cut = rng.randint(0, len(digits))
        number = rng.choice(["", "-", "+"]) + digits[:cut] + rng.choice([".", ""]) + digits[cut:]
        counter = ExtrusionCounter()
        counter.feed(f"G1 X1 E{number}\n".encode())
        counter.finish()
        assert counter._pos == float(number), number


def test_e_words_after_a_semicolon_or_on_other_lines_are_not_moves() -> None:
    text = "G1 X1 E2;E9\nG1 X2 E3 ;E-1\n;E7\nM82 E50\nM117 E8\nT0 E40\nG92 E0 ; E6\nG1 E1\n"
    assert lengths(text) == {0: 4.0}  # 3, then 1 after the reset


def test_pieces_cut_anywhere_give_the_same_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each time T1 comes back it first recovers its 1 mm retraction: 1234.56789 + 49 * 1233.56789.
    text = "M83\nT0\nG1 X1 E0.25 ; E9\nG1 E-.5\nG1 E.5\nG92 E0\nT1\nG1 X2 E1234.56789\nM201 E5000\nG1 E-1\n"
    data = (text * 50).encode()
    expected = extrusion_from_bytes(data)
    assert expected.lengths_mm == {0: 12.5, 1: pytest.approx(61679.3945)}
    for piece in (16, 33, 64, 1000):
        monkeypatch.setattr(extrusion, "BLOCK_BYTES", piece)
        assert extrusion_from_bytes(data) == expected


def test_long_line_without_newline_is_skipped_in_bounded_memory() -> None:
    counter = ExtrusionCounter()
    counter.feed(b"G1 X1 E1\n")
    for _ in range(20):
        counter.feed(b"E9" * (1024 * 1024))  # 40 MB with no newline
    counter.feed(b"\nG1 X2 E3\n")
    result = counter.finish()
    assert result.lengths_mm == {0: 3.0}
    assert any("longer than 1 MB" in w for w in result.warnings)
    assert len(counter._carry) <= 1024 * 1024


def test_nul_chunks_stop_the_pass() -> None:
    result = extrusion_from_bytes(b"G1 X1 E1\n" + b"\0" * (20 * 1024 * 1024))
    assert not result.complete and result.lengths_mm == {}
    assert any("NUL" in w for w in result.warnings)


def test_weight_from_length() -> None:
    assert weight_g(1000, 1.75, 1.24) == pytest.approx(2.9826, abs=1e-4)


# ---------------------------------------------------------------- real files


def header_mm(path: Path) -> list[float]:
    text = path.read_text(errors="replace")
    match = re.findall(r"^; filament used \[mm\] = (.*)$", text, re.MULTILINE)
    if match:
        return [float(v) for v in match[-1].split(",")]
    match = re.findall(r"^; filament used = ([\d.]+)mm", text, re.MULTILINE)
    return [float(v) for v in match]


@pytest.mark.parametrize(
    "path",
    [
        DATA / "slicers" / "mini_cube_a.gcode",
        DATA / "slicers" / "mini_cube_ps2.8.1.gcode",
        DATA / "gcode" / "prusaslicer_2.5_absolute_e.gcode",
        DATA / "gcode" / "slic3r_1.3.0.gcode",
    ],
    ids=lambda p: p.name,
)
def test_moves_agree_with_the_slicer_within_one_percent(path: Path) -> None:
    result = extrusion_from_path(path)
    assert result.complete
    assert result.lengths_mm[0] == pytest.approx(header_mm(path)[0], rel=0.01)


def test_cura_engine_figure_plus_its_start_prime() -> None:
    # CuraEngine 4.13 reported "Filament used: 0.44677m" for this file (see tests/data/gcode/README.md);
    # the start G-code's "G1 F200 E3" prime is filament too.
    result = extrusion_from_path(DATA / "gcode" / "cura_4.13_engine_marlin.gcode")
    assert result.lengths_mm[0] == pytest.approx(446.77 + 3, abs=0.05)
    assert result.lengths_mm[0] == pytest.approx(446.77, rel=0.01)


def test_mmu_file_counts_start_purge_and_tool_loads() -> None:
    # PrusaSlicer says 400.85, 0, 98.63. Its start G-code loads and purges 29+29+8 + 25+25+4 = 120 mm on T0,
    # and the T2 toolchange loads 12+42+6 = 60 mm ("; CP TOOLCHANGE LOAD"): PrusaSlicer leaves both out.
    path = DATA / "slicers" / "full_m73_layers_0.2mm_PLA_MK3SMMU2S_11m.gcode"
    result = extrusion_from_path(path)
    assert result.lengths_mm[0] == pytest.approx(400.85 + 120, abs=0.05)
    assert result.lengths_mm[2] == pytest.approx(98.63 + 60, abs=0.05)
    assert 1 not in result.lengths_mm


def test_should_stop_cancels(tmp_path: Path) -> None:
    result = extrusion_from_path(DATA / "slicers" / "mini_cube_a.gcode", should_stop=lambda: True)
    assert not result.complete and result.lengths_mm == {}
