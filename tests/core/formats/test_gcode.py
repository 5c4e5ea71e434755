"""G-code metadata from real slicer files and from files built from real slicer headers (tests/data/gcode)."""

from __future__ import annotations

import base64
import io
import random
from pathlib import Path

import pytest
from PIL import Image

import core.formats.bgcode as bgcode
import core.formats.gcode as gcode
import core.formats.gcode3mf as gcode3mf
from core.errors import FileFormatError
from core.formats.gcode import (
    apply_prusa_settings,
    parse_duration,
    parse_gcode_metadata,
    read_gcode,
)
from core.formats.model import SlicedInfo

DATA = Path(__file__).resolve().parents[2] / "data"
SLICERS = DATA / "slicers"
GCODE = DATA / "gcode"
H2D = GCODE / "bambustudio_2.5_h2d_two_filaments.gcode"
A1_MINI_PLATE = DATA / "gcode3mf" / "bambu_a1mini_02.04.00.70_plate_1.gcode"


def fields(info: SlicedInfo) -> list[tuple[object, ...]]:
    return [(f.slot, f.type, f.color, f.name, f.length_mm, f.weight_g, f.cost) for f in info.filaments]


# ---------------------------------------------------------------- real PrusaSlicer files


def test_prusaslicer_mmu_three_tools() -> None:
    info = read_gcode(SLICERS / "full_m73_layers_0.2mm_PLA_MK3SMMU2S_11m.gcode")
    assert (info.slicer_name, info.slicer_version) == ("PrusaSlicer", "2.5.0+linux-x64-GTK3")
    assert info.printer_model == "MK3SMMU2S"
    assert info.nozzle_diameter_mm == 0.4
    assert (info.layer_height_mm, info.first_layer_height_mm, info.infill_percent) == (0.2, 0.2, 15.0)
    assert info.estimated_time_s == 10 * 60 + 32  # normal mode, not the silent 10m 43s
    assert fields(info) == [
        (0, "PLA", "#FF8000", "Generic PLA @MMU2", 400.85, 1.20, 0.03),
        (1, "PLA", "#DB5182", "Generic PLA @MMU2", 0.0, 0.0, 0.0),
        (2, "PLA", "#3EC0FF", "Generic PLA @MMU2", 98.63, 0.29, 0.01),
    ]
    assert info.total_weight_g == 1.49  # the file's "total filament used [g]"
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [(160, 120, "png")]
    assert info.settings["wipe_tower"] == "1"
    assert info.warnings == []


def test_prusaslicer_mmu3_attribute_file_with_odd_values() -> None:
    info = read_gcode(SLICERS / "mmu_attribute_test.gcode")
    assert info.printer_model == "MK4ISMMU3"
    assert info.object_height_mm == 30.95
    assert info.estimated_time_s == 1 * 3600 + 15 * 60 + 51
    assert [f.type for f in info.filaments] == ["PETG", "PLA", "ASA", "PETG", "PETG"]
    assert [f.length_mm for f in info.filaments] == [1, 2, 3, 0, 0]
    assert [f.weight_g for f in info.filaments] == [27, 4, 5, 5.23, 1.46]
    assert info.filaments[1].cost is None  # "-3" is no cost
    assert info.nozzle_diameter_mm == 0.4  # "porkchop" skipped
    assert any("porkchop" in w for w in info.warnings)
    assert any("add up to 42.69 g" in w and "13.17 g" in w for w in info.warnings)
    assert [(t.width, t.height, t.format) for t in info.thumbnails][:2] == [
        (16, 16, "qoi"),
        (313, 173, "qoi"),
    ]


def test_prusaslicer_header_without_date() -> None:
    info = read_gcode(SLICERS / "mini_cube_a.gcode")
    assert (info.slicer_name, info.slicer_version) == ("PrusaSlicer", "2.6.0")
    assert info.printer_model == "MINI"
    assert fields(info) == [(0, "PETG", "#FF8000", "Generic PETG @MINI", 986.61, 3.01, 0.08)]
    assert info.estimated_time_s == 32 * 60 + 6
    assert info.object_height_mm == 18.05
    assert [(t.width, t.height) for t in info.thumbnails] == [(16, 16), (220, 124)]


def test_prusaslicer_2_8_qoi_thumbnails() -> None:
    info = read_gcode(SLICERS / "mini_cube_ps2.8.1.gcode")
    assert (info.slicer_version, info.printer_model) == ("2.8.1", "MK4S")
    assert fields(info) == [(0, "PLA", "#FF8000", "Prusament PLA @MK4S", 252.22, 0.75, 0.03)]
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [(16, 16, "qoi"), (313, 173, "qoi")]
    assert info.estimated_time_s == 3 * 60 + 41


@pytest.mark.parametrize("name", [p.name for p in sorted(SLICERS.glob("*.gcode"))])
def test_per_extruder_lists_sum_to_totals(name: str) -> None:
    info = read_gcode(SLICERS / name)
    total = float(info.settings["total filament used [g]"])
    mismatch = any("add up to" in w for w in info.warnings)
    assert (abs(sum(f.weight_g or 0 for f in info.filaments) - total) <= 0.011) != mismatch


# ---------------------------------------------------------------- one file per slicer family


def test_bambustudio_header_and_mislabelled_volume() -> None:
    info = read_gcode(GCODE / "bambustudio_2.3_header.gcode")
    assert (info.slicer_name, info.slicer_version) == ("BambuStudio", "02.03.01.51")
    assert (info.layer_count, info.object_height_mm, info.estimated_time_s) == (100, 20.0, 28 * 60 + 43)
    assert info.infill_percent == 20.0 and info.first_layer_height_mm == 0.2
    slot = info.filaments[0]
    assert (slot.type, slot.color, slot.length_mm) == ("PLA", "#00AE42", 1257.61)
    # "total filament weight [g] : 0.00" with density 0 is unknown; the "[cm^3]" volume 3024.90 is mm3
    # (bambulab/BambuStudio#8524): 3.0249 cm3 x 1.24 g/cm3, not 3.7 kg.
    assert slot.weight_g == pytest.approx(3.75, abs=0.01)
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [(50, 50, "png")]


def test_bambu_total_estimated_time_wins() -> None:
    head = (
        b"; HEADER_BLOCK_START\n; BambuStudio 02.02.02.56\n"
        b"; model printing time: 7m 41s; total estimated time: 15m 33s\n; total layer number: 30\n"
        b"; total filament length [mm] : 316.27\n; total filament volume [cm^3] : 760.72\n"
        b"; total filament weight [g] : 0.95\n; filament_density: 1.25\n; filament_diameter: 1.75\n"
        b"; max_z_height: 3.00\n; filament: 1\n; HEADER_BLOCK_END\nG1 X1 E1\n"
    )
    info = parse_gcode_metadata(head)
    assert info.estimated_time_s == 15 * 60 + 33
    assert (info.filaments[0].length_mm, info.filaments[0].weight_g) == (316.27, 0.95)


def test_orcaslicer_header_footer_and_joined_line() -> None:
    info = read_gcode(GCODE / "orcaslicer_2.2_header_footer.gcode")
    assert (info.slicer_name, info.slicer_version) == ("OrcaSlicer", "2.2.0")
    assert info.layer_count == 137 and info.object_height_mm == 10.0
    assert info.estimated_time_s == 23 * 60 + 46
    assert fields(info) == [(0, "ABS", "#000000", "Generic ABS @System", 1182.01, 3.53, 14.10)]
    assert info.settings["total filament used [g]"] == "3.53"  # split off "; filament cost = 14.10; ..."
    assert info.printer_model == "Voron 2.4 300"


def test_cura_marlin_crlf_bom() -> None:
    info = read_gcode(GCODE / "cura_4.10_marlin_crlf.gcode")
    assert (info.slicer_name, info.slicer_version) == ("Cura", "4.10.0")
    assert (info.estimated_time_s, info.layer_height_mm, info.layer_count) == (49, 1.0, 1)
    assert info.object_height_mm == 1.3 and info.first_layer_height_mm == 1.3
    assert info.infill_percent == 0.0  # from the ;SETTING_3 profile
    assert info.filaments[0].length_mm == 413.716


def test_cura_engine_placeholders_fall_back_to_moves() -> None:
    info = read_gcode(GCODE / "cura_4.13_engine_marlin.gcode")
    assert info.estimated_time_s is None  # ;TIME:6666
    assert info.object_height_mm is None  # ;MAXZ:-2.14748e+06
    assert info.layer_count == 50
    # CuraEngine itself reported "Filament used: 0.44677m"; the moves add its 3 mm start-G-code prime.
    assert info.filaments[0].length_mm == pytest.approx(446.77 + 3.0, abs=0.05)
    assert any("placeholder (6666 s)" in w for w in info.warnings)
    assert any("computed from the moves" in w for w in info.warnings)


def test_cura_griffin() -> None:
    info = read_gcode(GCODE / "cura_4.5_griffin_um3.gcode")
    assert (info.slicer_name, info.slicer_version, info.printer_model) == ("Cura", "4.5.0", "Ultimaker 3")
    assert (info.estimated_time_s, info.nozzle_diameter_mm, info.object_height_mm) == (480, 0.8, 2.8)
    assert info.infill_percent == 10.0
    # 2911 mm3 of 2.85 mm filament
    assert info.filaments[0].length_mm == pytest.approx(456.31, abs=0.01)


def test_simplify3d() -> None:
    info = read_gcode(GCODE / "simplify3d_4.1.2.gcode")
    assert (info.slicer_name, info.slicer_version) == ("Simplify3D", "4.1.2")
    assert (info.estimated_time_s, info.layer_height_mm, info.infill_percent) == (34 * 60, 0.2, 20.0)
    assert info.first_layer_height_mm == 0.18
    assert fields(info) == [(0, None, None, None, 3542.7, 10.65, 0.49)]


def test_ideamaker() -> None:
    info = read_gcode(GCODE / "ideamaker_5.4.gcode")
    assert (info.slicer_name, info.slicer_version) == ("ideaMaker", "5.4.2.8790")
    assert (info.estimated_time_s, info.nozzle_diameter_mm) == (2431, 0.4)
    assert (info.filaments[0].type, info.filaments[0].name, info.filaments[0].length_mm) == (
        "PLA",
        "[Raise3D] PLA",
        868.0,
    )


def test_superslicer_days_and_percent_first_layer() -> None:
    info = read_gcode(GCODE / "superslicer_2.2_footer.gcode")
    assert (info.slicer_name, info.slicer_version) == ("SuperSlicer", "2.2.52")
    assert info.estimated_time_s == 86400 + 2 * 3600 + 3 * 60 + 4
    assert info.first_layer_height_mm == 0.15  # 75% of 0.2
    assert fields(info) == [(0, "PETG", "#FF8000", "Generic PETG", 1510.6, 4.5, 0.11)]


def test_slic3r_one_line_per_extruder() -> None:
    info = read_gcode(GCODE / "slic3r_1.3.0.gcode")
    assert (info.slicer_name, info.slicer_version) == ("Slic3r", "1.3.0")
    assert info.filaments[0].length_mm == 333.4
    assert info.filaments[0].weight_g == pytest.approx(2.4 * 1.24, abs=0.01)  # 2.4 cm3, PLA assumed
    assert any("PLA" in w for w in info.warnings)


def test_prusaslicer_without_density_weighs_from_material() -> None:
    head = (
        b"; generated by PrusaSlicer 2.5.0 on 2026-12-01 at 05:37:47 UTC\nM83\nG1 X1 E1\n"
        b"; filament used [mm] = 829.99\n; filament used [cm3] = 2.00\n; total filament used [g] = 0.00\n"
        b"; filament_type = PETG\n; filament_density = 0\n"
    )
    info = parse_gcode_metadata(head)
    assert info.filaments[0].weight_g == pytest.approx(2.00 * 1.27, abs=0.01)
    assert any("PETG" in w for w in info.warnings)


# ---------------------------------------------------------------- BambuStudio / OrcaSlicer filaments


def test_bambu_gcode_gives_each_filament_its_header_share(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pass(*args: object) -> object:
        raise AssertionError("the header gives the usage: the moves must not be read")

    monkeypatch.setattr(gcode, "extrusion_from_path", no_pass)
    info = read_gcode(H2D)
    assert (info.slicer_name, info.slicer_version) == ("BambuStudio", "02.05.00.66")
    assert (info.printer_model, info.nozzle_diameter_mm, info.infill_percent) == ("Bambu Lab H2D", 0.4, 15.0)
    assert (info.estimated_time_s, info.layer_count, info.object_height_mm) == (20 * 60 + 12, 25, 5.0)
    # One value per filament of `; filament: 1,2`; the colour is the filament's, not the printer's #018001;
    # the cost is grams times the price per kg (24.99).
    assert fields(info) == [
        (0, "PLA", "#161616", "Bambu PLA Basic @BBL H2D", 391.43, 1.19, 0.0297),
        (1, "PLA", "#FFFFFF", "Bambu PLA Basic @BBL H2D", 245.25, 0.74, 0.0185),
    ]
    assert info.total_weight_g == 1.93
    assert info.warnings == []


def test_bambu_header_slots_follow_the_filament_ids_not_the_list_positions() -> None:
    info = parse_gcode_metadata(H2D.read_bytes().replace(b"; filament: 1,2\n", b"; filament: 2,4\n"))
    assert fields(info) == [
        (1, "PLA", "#FFFFFF", "Bambu PLA Basic @BBL H2D", 391.43, 1.19, 0.0297),
        (3, "ABS", "#D32941", "Bambu ABS @BBL H2D", 245.25, 0.74, 0.0185),
    ]
    assert info.warnings == []


def test_filaments_from_header_maps_filament_ids_to_sparse_slots() -> None:
    settings = {
        "total filament length [mm]": "1.20,3.40,5.60,7.80",
        "total filament weight [g]": "0.10,0.20,0.30,0.40",
        "filament": "1,2,5,6",
        "filament_type": "PLA;PETG;ABS;ASA;TPU;PVA;HIPS",
        "filament_colour": "#000001;#000002;#000003;#000004;#000005;#000006;#000007",
        "extruder_colour": "#018001",
    }
    warnings: list[str] = []
    filaments = gcode.filaments_from_header(settings, warnings)
    assert [(f.slot, f.type, f.color, f.length_mm, f.weight_g) for f in filaments] == [
        (0, "PLA", "#000001", 1.2, 0.1),
        (1, "PETG", "#000002", 3.4, 0.2),
        (4, "TPU", "#000005", 5.6, 0.3),
        (5, "PVA", "#000006", 7.8, 0.4),
    ]
    assert warnings == []
    # BambuStudio 01.10 writes no `; filament:` line; a project of one filament leaves no doubt.
    single = {
        "total filament length [mm]": "4337.20",
        "total filament weight [g]": "13.77",
        "filament_type": "PLA",
    }
    assert [(f.slot, f.length_mm, f.weight_g) for f in gcode.filaments_from_header(single, warnings)] == [
        (0, 4337.2, 13.77)
    ]
    assert gcode.filaments_from_header({"filament_type": "PLA"}, warnings) == [] and warnings == []


@pytest.mark.parametrize(
    ("listed", "message"),
    [("1,2,3", "do not match its list of filaments used ('1,2,3')"), (None, "without saying which ones")],
)
def test_header_totals_without_known_slots_are_not_placed_by_position(
    listed: str | None, message: str
) -> None:
    settings = {
        "total filament length [mm]": "1.20,3.40",
        "total filament weight [g]": "0.10,0.20",
        "filament_type": "PLA;PETG;ABS",
    }
    if listed is not None:
        settings["filament"] = listed
    warnings: list[str] = []
    assert gcode.filaments_from_header(settings, warnings) == []
    assert [w for w in warnings if message in w] == warnings and len(warnings) == 1


def test_bambu_and_orca_colour_is_the_filament_colour_prusaslicer_the_extruder_colour() -> None:
    # The A1 mini plate says `extruder_colour = #018001` (the printer's display colour) and
    # `filament_colour = #00AE42`.
    info = parse_gcode_metadata(A1_MINI_PLATE.read_bytes())
    assert [(f.slot, f.type, f.color, f.length_mm, f.weight_g) for f in info.filaments] == [
        (0, "TPU", "#00AE42", 75.74, 0.23)
    ]
    lists = {
        "filament used [mm]": "10.00, 20.00",
        "extruder_colour": "#F2754E;",
        "filament_colour": "#000000;#FFFFFF",
    }
    for slicer, colours in [
        ("OrcaSlicer", ["#000000", "#FFFFFF"]),
        ("BambuStudio", ["#000000", "#FFFFFF"]),
        ("PrusaSlicer", ["#F2754E", "#FFFFFF"]),  # what PrusaSlicer's preview shows
        ("SuperSlicer", ["#F2754E", "#FFFFFF"]),
    ]:
        info = SlicedInfo(slicer_name=slicer)
        apply_prusa_settings(info, dict(lists))
        assert [f.color for f in info.filaments] == colours, slicer
    # A writer that is not recognised but writes BambuStudio's keys (an OrcaSlicer fork).
    info = SlicedInfo()
    apply_prusa_settings(info, {**lists, "initial_layer_print_height": "0.2"})
    assert [f.color for f in info.filaments] == ["#000000", "#FFFFFF"]


def test_split_strings_respects_quotes_and_escaped_quotes() -> None:
    assert gcode.split_strings('"Prusament PLA";"Generic \\"Silk\\" PLA;blue"') == [
        "Prusament PLA",
        'Generic "Silk" PLA;blue',
    ]
    assert gcode.split_strings('PLA; "PETG" ;;') == ["PLA", "PETG", None, None]
    assert gcode.split_strings('"a\\\\b\\nc";""') == ["a\\b\nc", None]
    assert gcode.split_strings('"no end;x') == ["no end;x"]
    assert gcode.split_strings("1.5m, 0.2m", ",") == ["1.5m", "0.2m"]
    assert gcode.split_strings("") == [] and gcode.split_strings(None) == []
    # One function for the three readers.
    assert bgcode.split_strings is gcode.split_strings and gcode3mf.split_strings is gcode.split_strings


def test_quoted_profile_names_keep_their_separators_and_quotes() -> None:
    info = parse_gcode_metadata(
        b"; generated by PrusaSlicer 2.8.1\n; filament used [mm] = 100.00, 200.00\n"
        b'; filament_settings_id = "Prusament PLA";"Generic \\"Silk\\" PLA;blue"\n'
        b"; filament_type = PLA;PLA\n"
    )
    assert [(f.slot, f.name, f.length_mm) for f in info.filaments] == [
        (0, "Prusament PLA", 100.0),
        (1, 'Generic "Silk" PLA;blue', 200.0),
    ]


@pytest.mark.parametrize(
    ("known_layer", "settings", "first"),
    [
        (None, {"layer_height": "0.2", "first_layer_height": "150%"}, 0.3),
        (None, {"first_layer_height": "150%"}, None),  # a percentage of an unknown height: unknown
        (0.2, {"first_layer_height": "150%"}, 0.3),  # the layer height already read (a .bgcode block)
        (None, {"layer_height": "0.2", "first_layer_height": "0.25"}, 0.25),
    ],
)
def test_first_layer_height_as_a_percentage_of_the_layer_height(
    known_layer: float | None, settings: dict[str, str], first: float | None
) -> None:
    info = SlicedInfo(layer_height_mm=known_layer)
    apply_prusa_settings(info, settings)
    assert info.first_layer_height_mm == first


def test_first_layer_percentage_without_layer_height_in_a_file() -> None:
    info = parse_gcode_metadata(b"; generated by PrusaSlicer 2.7.0\nG1 X1 E1\n; first_layer_height = 150%\n")
    assert info.first_layer_height_mm is None


def test_one_volume_helper_checks_the_unit_against_the_length() -> None:
    # BambuStudio's `total filament volume [cm^3] : 182.19` for 75.74 mm of 1.75 mm filament is mm3.
    assert gcode.filament_volume_cm3(182.19, 75.74, 1.75) == pytest.approx(0.18219)
    assert gcode.filament_volume_cm3(0.18219, 75.74, 1.75) == pytest.approx(0.18219)  # a corrected label
    assert gcode.filament_volume_cm3(182.19, None, None) == pytest.approx(0.18219)  # unchecked: mm3
    assert gcode.filament_volume_cm3(50.0, 75.74, 1.75) is None  # neither unit fits: unknown
    assert gcode.filament_volume_cm3(None, 75.74, 1.75) is None
    assert not hasattr(gcode, "_volume_cm3") and not hasattr(gcode3mf, "filament_volume_cm3")


# ---------------------------------------------------------------- traps and API


def test_unknown_slicer_warns() -> None:
    info = parse_gcode_metadata(b"; my own generator\nG28\nG1 X1 E2\n")
    assert info.slicer_name is None
    assert any("not recognised" in w for w in info.warnings)


def test_tool_lists_with_blanks() -> None:
    info = parse_gcode_metadata(
        b"; generated by PrusaSlicer 2.7.0\n; filament used [g] = 1.20, , 0.29\n"
        b"; filament_type = PLA;;PETG\n; filament_colour = #FF8000;;#000000\n"
    )
    assert [(f.type, f.color, f.weight_g) for f in info.filaments] == [
        ("PLA", "#FF8000", 1.2),
        (None, None, None),
        ("PETG", "#000000", 0.29),
    ]


def test_non_utf8_bytes_do_not_crash() -> None:
    info = parse_gcode_metadata(b'; generated by PrusaSlicer 2.6.0\n; filament_settings_id = "Caf\xe9 PLA"\n')
    assert info.filaments == [] or info.filaments[0].name is None or "Caf" in (info.filaments[0].name or "")
    assert info.slicer_name == "PrusaSlicer"


def test_apply_prusa_settings_for_bgcode_blocks() -> None:
    info = SlicedInfo()
    apply_prusa_settings(
        info,
        {
            "printer_model": "MK4S",
            "filament used [mm]": "252.22",
            "filament used [g]": "0.75",
            "filament_type": "PLA",
            "estimated printing time (normal mode)": "3m 41s",
            "max_layer_z": "6.20",
        },
    )
    assert (info.printer_model, info.estimated_time_s, info.object_height_mm) == ("MK4S", 221, 6.2)
    assert fields(info) == [(0, "PLA", None, None, 252.22, 0.75, None)]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1d 2h 3m 4s", 93784),
        ("11m 5s", 665),
        ("0 hours 34 minutes", 2040),
        ("1 hours 2 minutes", 3720),
        ("2:11:47", 7907),
        ("2239s", 2239),
        ("480", 480),
        ("soon", None),
    ],
)
def test_parse_duration(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _jpg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 10, 200)).save(out, "JPEG")
    return out.getvalue()


def _block(tag: str, size: str, data: bytes, declared: int | None = None, eol: str = "\n") -> str:
    b64 = base64.b64encode(data).decode()
    lines = [f"; {tag} begin {size} {len(b64) if declared is None else declared}"]
    lines += ["; " + b64[i : i + 78] for i in range(0, len(b64), 78)]
    lines += [f"; {tag} end", ""]
    return eol.join(lines)


def test_thumbnail_tags_that_lie_and_creality_blocks() -> None:
    text = (
        _block("thumbnail_QOI", "32x24", _png(32, 24))  # tag says QOI, bytes are PNG
        + _block("thumbnail_JPG", "40x30", _jpg(40, 30), eol="\r\n")
        + _block("jpg", "20*20", _jpg(20, 20), declared=len(_jpg(20, 20)))  # Creality: decoded byte count
        + _block("png", "16*16", _png(16, 16))
        + "G1 X1 E1\n"
    )
    info = parse_gcode_metadata(b"; generated by PrusaSlicer 2.8.0\n" + text.encode())
    assert [(t.width, t.height, t.format) for t in info.thumbnails] == [
        (32, 24, "png"),
        (40, 30, "jpg"),
        (20, 20, "jpg"),
        (16, 16, "png"),
    ]


def test_thumbnail_with_wrong_length_is_skipped() -> None:
    text = _block("thumbnail", "32x24", _png(32, 24), declared=17) + "G1 X1 E1\n"
    info = parse_gcode_metadata(text.encode())
    assert info.thumbnails == []
    assert any("declares 17 bytes" in w for w in info.warnings)


def test_thumbnail_cut_by_the_head_read_is_read_on(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(700 * 700 * 3)
    big = Image.frombytes("RGB", (700, 700), noise)
    out = io.BytesIO()
    big.save(out, "PNG")  # incompressible enough to pass 1 MB of base64
    block = _block("thumbnail", "700x700", out.getvalue())
    assert len(block) > 1024 * 1024
    path = tmp_path / "big_thumb.gcode"
    path.write_text("; generated by PrusaSlicer 2.8.0\n" + block + "M83\nG1 X1 E5\n" * 100_000)
    info = read_gcode(path)
    assert [(t.width, t.height) for t in info.thumbnails] == [(700, 700)]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 64, "does not contain G-code"),
        (b"Dear diary,\nthe printer was loud today.\n", "does not contain G-code"),
        (b"GCDE\x01\x00\x00\x00", "binary G-code"),
    ],
)
def test_bad_files_raise_one_sentence(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.gcode"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=message):
        read_gcode(path)


def test_truncated_file_reads_what_is_there(tmp_path: Path) -> None:
    data = (SLICERS / "mini_cube_a.gcode").read_bytes()
    path = tmp_path / "cut.gcode"
    path.write_bytes(data[: len(data) // 2])
    info = read_gcode(path)
    assert info.slicer_name == "PrusaSlicer"
    assert info.filaments[0].length_mm == 986.61  # the head carries the figures


def test_missing_file_is_a_file_format_error(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="could not be read"):
        read_gcode(tmp_path / "nope.gcode")
