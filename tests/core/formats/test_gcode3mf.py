"""Reading .gcode.3mf files built from pieces of real Bambu Studio / OrcaSlicer files (tests/data/gcode3mf).

The pieces come from different real projects, so a file built here may pair, say, an A1 mini plate G-code with
the slice_info.config of an A1 project: each assertion names which piece a value comes from.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.formats.gcode as gcode
import core.formats.gcode3mf as gcode3mf
from core.errors import FileFormatError
from core.formats.gcode import filament_volume_cm3
from core.formats.gcode3mf import parse_slice_info, read_gcode_3mf
from core.formats.model import FilamentUse

DATA = Path(__file__).resolve().parents[2] / "data" / "gcode3mf"
BAMBU_GCODE = (DATA / "bambu_a1mini_02.04.00.70_plate_1.gcode").read_bytes()
ORCA_GCODE = (DATA / "orca_2.3.1_plate_1.gcode").read_bytes()
BAMBU_SLICE_INFO = (DATA / "slice_info_bambu_01.10.01.50.config").read_bytes()
ORCA_SLICE_INFO = (DATA / "slice_info_orca_2.3.1.config").read_bytes()
ORCA_PROJECT = (DATA / "project_settings_orca_2.3.1.config").read_bytes()


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def build(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def bambu_members(**extra: bytes) -> dict[str, bytes]:
    return {
        "3D/3dmodel.model": b"<model/>",
        "Metadata/plate_1.gcode": BAMBU_GCODE,
        "Metadata/plate_1.gcode.md5": hashlib.md5(BAMBU_GCODE).hexdigest().upper().encode(),
        "Metadata/slice_info.config": BAMBU_SLICE_INFO,
        "Metadata/plate_1.png": png(512, 512),
        "Metadata/plate_1_small.png": png(128, 128),
        "Metadata/top_1.png": png(300, 300),
        "Metadata/pick_1.png": png(301, 301),
        "Metadata/plate_no_light_1.png": png(302, 302),
        **extra,
    }


# --- the pieces ---------------------------------------------------------------------------------------------


def test_bambu_plate() -> None:
    (plate,) = read_gcode_3mf(build(bambu_members()))
    assert plate.plate == 1
    # From the plate G-code header and config block (Bambu Studio 02.04.00.70, A1 mini):
    assert (plate.slicer_name, plate.slicer_version) == ("BambuStudio", "02.04.00.70")
    assert plate.printer_model == "Bambu Lab A1 mini"
    assert (plate.layer_height_mm, plate.first_layer_height_mm, plate.infill_percent) == (0.28, 0.2, 15.0)
    assert (plate.layer_count, plate.object_height_mm) == (1, 0.2)
    # From slice_info.config (Bambu Studio 01.10.01.50): time, nozzle, and the filaments by project slot.
    assert plate.estimated_time_s == 5450 and plate.nozzle_diameter_mm == 0.4
    assert [(f.slot, f.type, f.color, f.length_mm, f.weight_g) for f in plate.filaments] == [
        (0, "PLA", "#0DFF00", 6790.0, 20.26),
        (1, "PLA", "#000000", 720.0, 2.15),
        (5, "PLA", "#0DFF00", 1200.0, 3.58),
        (6, "PLA", "#000000", 310.0, 0.92),
    ]
    assert plate.total_weight_g == 26.91  # slice_info's plate weight
    # Slot 0's name and price per kg (20) come from the plate's config: 20.26 g cost 0.4052.
    assert (
        plate.filaments[0].name == "Generic TPU @BBL A1M -thesis test160"
        and plate.filaments[0].cost == 0.4052
    )
    assert [(t.width, t.height, t.format) for t in plate.thumbnails] == [(512, 512, "png"), (128, 128, "png")]
    assert plate.warnings == ["The slicer warned about plate 1: bed_temperature_too_high_than_filament."]
    assert plate.settings["printer_settings_id"] == "Bambu Lab A1 mini 0.4 nozzle"
    assert plate.settings["total filament volume [cm^3]"] == "182.19"
    assert plate.to_json()["slicer"] == {"name": "BambuStudio", "version": "02.04.00.70"}


def test_orca_plate() -> None:
    (plate,) = read_gcode_3mf(
        build(
            {
                "Metadata/plate_1.gcode": ORCA_GCODE,
                "Metadata/slice_info.config": ORCA_SLICE_INFO,
                "Metadata/project_settings.config": ORCA_PROJECT,
            }
        )
    )
    assert (plate.slicer_name, plate.slicer_version) == ("OrcaSlicer", "2.3.1-alpha")
    assert plate.printer_model == "Bambu Lab A1 mini" and plate.nozzle_diameter_mm == 0.4
    assert (
        plate.estimated_time_s == 2 * 3600 + 44 * 60 + 46
    )  # no prediction in slice_info: the header's total
    assert (plate.layer_count, plate.object_height_mm) == (143, 39.96)
    assert plate.filaments == [
        FilamentUse(
            slot=0,
            type="PLA",
            color="#FFFFFF",
            name="Generic PLA @BBL A1M",
            length_mm=0.0,
            weight_g=0.0,
            cost=0.0,
        )
    ]
    assert plate.thumbnails == [] and plate.warnings == []


def test_project_settings_fill_what_the_plate_gcode_lacks() -> None:
    header_only = ORCA_GCODE.split(b"; CONFIG_BLOCK_START")[0]
    (plate,) = read_gcode_3mf(
        build(
            {
                "Metadata/plate_1.gcode": header_only,
                "Metadata/slice_info.config": ORCA_SLICE_INFO,
                "Metadata/project_settings.config": ORCA_PROJECT,
            }
        )
    )
    assert plate.printer_model == "Bambu Lab A1 mini" and plate.layer_height_mm == 0.28
    assert plate.infill_percent == 15.0 and plate.filaments[0].name == "Generic PLA @BBL A1M"
    assert plate.settings["version"] == "2.3.1-alpha" and plate.settings["filament_type"] == "PLA"


def test_plates_come_in_plate_order() -> None:
    two = BAMBU_SLICE_INFO.replace(b"</config>", b"")
    two += b'  <plate>\n    <metadata key="index" value="10"/>\n    <metadata key="prediction" value="60"/>\n'
    two += b'    <filament id="3" type="PETG" color="#FFFFFF" used_m="1.5" used_g="4.5" />\n'
    two += b"  </plate>\n</config>\n"
    plates = read_gcode_3mf(
        build(
            {
                "Metadata/plate_10.gcode": BAMBU_GCODE,
                "Metadata/plate_1.gcode": BAMBU_GCODE,
                "Metadata/plate_2.gcode": BAMBU_GCODE,
                "Metadata/slice_info.config": two,
            }
        )
    )
    assert [p.plate for p in plates] == [1, 2, 10]
    assert [p.estimated_time_s for p in plates] == [5450, 543, 60]
    assert plates[2].filaments == [
        FilamentUse(slot=2, type="PETG", color="#FFFFFF", name=None, length_mm=1500.0, weight_g=4.5)
    ]
    # Plate 2 is not in slice_info.config: its values come from its own G-code header.
    assert (
        plates[1].warnings[0]
        == "slice_info.config does not describe plate 2; its G-code header was read instead."
    )
    assert plates[1].filaments[0].weight_g == 0.23


def test_without_slice_info_the_plate_header_is_read() -> None:
    (plate,) = read_gcode_3mf(build({"Metadata/plate_1.gcode": BAMBU_GCODE}))
    assert plate.warnings == [
        "This .gcode.3mf file has no slice_info.config; each plate's G-code header was read instead."
    ]
    assert plate.estimated_time_s == 9 * 60 + 3  # the header's total estimated time
    assert plate.filaments == [
        FilamentUse(slot=0, type="TPU", color="#00AE42", name="Generic TPU @BBL A1M -thesis test160",
                    length_mm=75.74, weight_g=0.23, cost=0.0046)
    ]  # fmt: skip


def test_bambus_cubic_millimetres_under_a_cm3_label() -> None:
    # Without a weight line, grams come from the volume: 182.19 "cm^3" is 182.19 mm3 = 0.18219 cm3.
    no_weight = BAMBU_GCODE.replace(b"; total filament weight [g] : 0.23\n", b"")
    (plate,) = read_gcode_3mf(build({"Metadata/plate_1.gcode": no_weight}))
    assert plate.filaments[0].weight_g == pytest.approx(0.18219 * 1.24, abs=1e-4)
    assert "The weight of filament 1 is derived from its volume and density." in plate.warnings
    assert filament_volume_cm3(182.19, 75.74, 1.75) == pytest.approx(0.18219)
    assert filament_volume_cm3(0.18219, 75.74, 1.75) == pytest.approx(
        0.18219
    )  # a slicer that fixed its label
    assert filament_volume_cm3(182.19, None, None) == pytest.approx(0.18219)


FOOTER = (
    b"; EXECUTABLE_BLOCK_END\n; filament used [mm] = 1234.56\n; filament used [cm3] = 2.97\n"
    b"; filament used [g] = 3.68\n; filament cost = 0.07\n; total layers count = 143\n"
)  # the PrusaSlicer-style footer OrcaSlicer writes after the executable block (made up numbers)


def test_a_footer_is_read_when_nothing_else_gives_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    gcode = ORCA_GCODE + b"G1 X1 Y1 E1\n" * 50_000 + FOOTER
    members = {
        "Metadata/plate_1.gcode": gcode,
        "Metadata/plate_1.gcode.md5": hashlib.md5(gcode).hexdigest().encode(),
    }
    (plate,) = read_gcode_3mf(build(members))
    assert [(f.slot, f.type, f.length_mm, f.weight_g, f.cost) for f in plate.filaments] == [
        (0, "PLA", 1234.56, 3.68, 0.07)
    ]
    assert plate.layer_count == 143 and plate.warnings[1:] == []
    members["Metadata/plate_1.gcode.md5"] = b"0123456789ABCDEF0123456789ABCDEF"
    (plate,) = read_gcode_3mf(build(members))
    assert (
        "The G-code of plate 1 does not match its MD5 checksum; the printer may refuse it." in plate.warnings
    )


def test_the_whole_plate_gcode_is_not_read_when_the_header_suffices(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tail(self: object, name: str) -> tuple[bytes, str]:
        raise AssertionError("the tail was read")

    monkeypatch.setattr(gcode3mf._PlateStreams, "tail", no_tail)
    big = BAMBU_GCODE + b"G1 X1 Y1 E1\n" * 200_000
    (plate,) = read_gcode_3mf(build(bambu_members(**{"Metadata/plate_1.gcode": big})))
    assert plate.filaments[0].weight_g == 20.26


def test_slice_info_parsing() -> None:
    info = parse_slice_info(BAMBU_SLICE_INFO)
    assert info.header == {"X-BBL-Client-Type": "slicer", "X-BBL-Client-Version": "01.10.01.50"}
    (plate,) = info.plates
    assert plate.index == 1 and len(plate.objects) == 14 and len(plate.filaments) == 4
    assert plate.metadata["printer_model_id"] == "N2S" and plate.metadata["label_object_enabled"] == "true"
    assert plate.filaments[2] == {
        "id": "6", "tray_info_idx": "GFL99", "type": "PLA", "color": "#0DFF00", "used_m": "1.20",
        "used_g": "3.58",
    }  # fmt: skip
    assert plate.warnings == ["bed_temperature_too_high_than_filament"]


def test_a_multi_filament_header_gives_each_filament_its_share() -> None:
    """Bambu Studio 02.02.02.56 header values for three filaments (ids 1-3), with a config of three slots."""
    header = BAMBU_GCODE.replace(
        b"; total filament length [mm] : 75.74", b"; total filament length [mm] : 5320.00,4077.05,4092.02"
    )
    header = header.replace(
        b"; total filament volume [cm^3] : 182.19",
        b"; total filament volume [cm^3] : 12796.10,9806.45,9842.45",
    )
    header = header.replace(
        b"; total filament weight [g] : 0.23", b"; total filament weight [g] : 16.12,12.36,12.40"
    )
    header = header.replace(b"; filament: 1\n", b"; filament: 1,2,3\n")
    header = header.replace(b"; filament_type = TPU", b"; filament_type = PLA;PLA;PLA")
    header = header.replace(b"; filament_colour = #00AE42", b"; filament_colour = #C2C1C2;#00C8B9;#FF0000")
    (plate,) = read_gcode_3mf(build({"Metadata/plate_1.gcode": header}))
    assert [(f.slot, f.color, f.length_mm, f.weight_g) for f in plate.filaments] == [
        (0, "#C2C1C2", 5320.0, 16.12), (1, "#00C8B9", 4077.05, 12.36), (2, "#FF0000", 4092.02, 12.4),
    ]  # fmt: skip
    # Nothing says only a total was given: the shared reader reads the same lists the same way.
    assert plate.warnings == [
        "This .gcode.3mf file has no slice_info.config; each plate's G-code header was read instead."
    ]


def _seven_filament_header(ids: bytes) -> bytes:
    """The A1 mini plate with the totals of three filaments, a project of seven, and `; filament: <ids>`."""
    header = BAMBU_GCODE.replace(
        b"; total filament length [mm] : 75.74", b"; total filament length [mm] : 10.00,20.00,30.00"
    )
    header = header.replace(
        b"; total filament weight [g] : 0.23", b"; total filament weight [g] : 0.03,0.06,0.09"
    )
    header = header.replace(b"; total filament volume [cm^3] : 182.19\n", b"")
    header = header.replace(b"; filament_type = TPU", b"; filament_type = PLA;PETG;ABS;ASA;TPU;PVA;HIPS")
    header = header.replace(
        b"; filament_colour = #00AE42",
        b"; filament_colour = #000001;#000002;#000003;#000004;#000005;#000006;#000007",
    )
    return header.replace(b"; filament: 1\n", b"; filament: " + ids + b"\n")


def test_header_totals_are_placed_by_filament_id_never_by_position() -> None:
    (plate,) = read_gcode_3mf(build({"Metadata/plate_1.gcode": _seven_filament_header(b"2,5,7")}))
    assert [(f.slot, f.type, f.color, f.length_mm, f.weight_g) for f in plate.filaments] == [
        (1, "PETG", "#000002", 10.0, 0.03),
        (4, "TPU", "#000005", 20.0, 0.06),
        (6, "HIPS", "#000007", 30.0, 0.09),
    ]
    # Two ids for three values: which value is whose is not known, so none is given a slot.
    (plate,) = read_gcode_3mf(build({"Metadata/plate_1.gcode": _seven_filament_header(b"2,5")}))
    assert plate.filaments == []
    assert (
        "The file's filament totals (3 values) do not match its list of filaments used ('2,5'); "
        "they were ignored." in plate.warnings
    )


def test_a_slice_info_filament_without_an_id_is_not_given_the_slot_of_its_position() -> None:
    no_id = BAMBU_SLICE_INFO.replace(b'<filament id="6" ', b"<filament ")
    (plate,) = read_gcode_3mf(build(bambu_members(**{"Metadata/slice_info.config": no_id})))
    assert [(f.slot, f.length_mm, f.weight_g) for f in plate.filaments] == [
        (0, 6790.0, 20.26), (1, 720.0, 2.15), (6, 310.0, 0.92),
    ]  # fmt: skip
    assert "slice_info.config lists a filament of plate 1 without a valid id (None); it was left out." in (
        plate.warnings
    )


def test_project_string_lists_keep_quoted_separators() -> None:
    """Project settings fill a header-only plate; a profile name holding a `;` stays one name."""
    header_only = BAMBU_GCODE.split(b"; CONFIG_BLOCK_START")[0].replace(
        b"; filament: 1\n", b"; filament: 2\n"
    )
    project = {
        "filament_settings_id": ["Generic PLA;blue", 'My "best" PETG'],
        "filament_type": ["PLA", "PETG"],
        "filament_colour": ["#111111", "#222222"],
        "extruder_colour": ["#018001"],
        "filament_cost": ["10", "30"],
    }
    (plate,) = read_gcode_3mf(
        build(
            {
                "Metadata/plate_1.gcode": header_only,
                "Metadata/project_settings.config": json.dumps(project).encode(),
            }
        )
    )
    assert plate.filaments == [
        FilamentUse(
            slot=1,
            type="PETG",
            color="#222222",
            name='My "best" PETG',
            length_mm=75.74,
            weight_g=0.23,
            cost=0.0069,
        )
    ]
    assert gcode.split_strings(plate.settings["filament_settings_id"]) == project["filament_settings_id"]
    assert gcode3mf.split_strings is gcode.split_strings


def test_slicer_version_from_slice_info_when_the_header_has_none() -> None:
    headless = BAMBU_GCODE.replace(b"; BambuStudio 02.04.00.70\n", b"")
    (plate,) = read_gcode_3mf(build(bambu_members(**{"Metadata/plate_1.gcode": headless})))
    assert (plate.slicer_name, plate.slicer_version) == ("BambuStudio", "01.10.01.50")


def test_through_inspect(tmp_path: Path) -> None:
    from core.formats.inspect import inspect_file

    path = tmp_path / "cube.gcode.3mf"
    path.write_bytes(build(bambu_members()))
    data = inspect_file(path).to_json()
    assert data["kind"] == "gcode.3mf" and data["plates"][0]["plate"] == 1
    assert data["total_weight_g"] == 26.91


# --- bad input ----------------------------------------------------------------------------------------------

BOMB_XML = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<config><plate><metadata key="index" value="&lol3;"/></plate></config>"""


def _bomb_member(archive: zipfile.ZipFile, name: str, size_mb: int) -> None:
    with archive.open(name, "w") as part:
        for _ in range(size_mb):
            part.write(b"\0" * (1024 * 1024))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is not a readable zip container"),
        (b"PK\x03\x04 not really", "is not a readable zip container"),
        (build({"3D/3dmodel.model": b"<model/>"}), "holds no sliced plate"),
        (
            build({"Metadata/plate_1.gcode.md5": b"x", "Metadata/plate_1.png": png(4, 4)}),
            "holds no sliced plate",
        ),
        (build(bambu_members(**{"Metadata/slice_info.config": BOMB_XML})), "DTD or entities"),
        (build(bambu_members(**{"Metadata/slice_info.config": b"<config><plate>"})), "not valid XML"),
    ],
)
def test_bad_files_are_refused_with_one_sentence(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message) as caught:
        read_gcode_3mf(data)
    assert "\n" not in str(caught.value)


def test_zip_bombs_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Metadata/plate_1.gcode", ORCA_GCODE)
        _bomb_member(archive, "Metadata/slice_info.config", 20)
    with pytest.raises(FileFormatError, match=r"slice_info\.config is larger than 16 MB"):
        read_gcode_3mf(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Metadata/plate_1.gcode", ORCA_GCODE)
        _bomb_member(archive, "Metadata/plate_1.png", 8)
    with pytest.raises(FileFormatError, match="compressed suspiciously well"):
        read_gcode_3mf(out.getvalue())
    out = io.BytesIO()  # a plate without usage anywhere, so that its whole G-code would have to be read
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("Metadata/plate_1.gcode", "w") as part,
    ):
        part.write(ORCA_GCODE)
        for _ in range(64):
            part.write(b"\0" * (1024 * 1024))
    with pytest.raises(FileFormatError, match=r"plate_1\.gcode is compressed suspiciously well"):
        read_gcode_3mf(out.getvalue())


def test_traversal_names_are_never_used_as_paths(tmp_path: Path) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    path = work / "x.gcode.3mf"
    path.write_bytes(build(bambu_members(**{"../../x": b"never written", "/etc/evil": b"no"})))
    (plate,) = read_gcode_3mf(path)
    assert plate.plate == 1
    assert not (tmp_path / "x").exists() and sorted(p.name for p in work.iterdir()) == ["x.gcode.3mf"]


def test_a_broken_project_settings_is_only_a_warning() -> None:
    (plate,) = read_gcode_3mf(build(bambu_members(**{"Metadata/project_settings.config": b"[" * 100_000})))
    assert "The project_settings.config is not valid JSON; it was ignored." in plate.warnings


def test_a_thumbnail_that_is_no_image_is_skipped() -> None:
    (plate,) = read_gcode_3mf(build(bambu_members(**{"Metadata/plate_1.png": b"GIF89a..."})))
    assert [(t.width, t.height) for t in plate.thumbnails] == [(128, 128)]
    assert "The image Metadata/plate_1.png is not a PNG, JPEG or QOI image; it was skipped." in plate.warnings


SMALL = build(
    {
        "Metadata/plate_1.gcode": BAMBU_GCODE,
        "Metadata/slice_info.config": BAMBU_SLICE_INFO,
        "Metadata/plate_1_small.png": png(8, 8),
    }
)
STORED = build(
    {"Metadata/plate_1.gcode": ORCA_GCODE + FOOTER, "Metadata/project_settings.config": ORCA_PROJECT},
    zipfile.ZIP_STORED,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SMALL, STORED]),
    st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete", "truncate"]),
            st.integers(0, 10**6),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_files_raise_only_file_format_errors(
    data: bytes, operations: list[tuple[str, int, int]]
) -> None:
    out = bytearray(data)
    for kind, where, value in operations:
        if not out:
            break
        at = where % len(out)
        if kind == "flip":
            out[at] ^= 1 << (value % 8)
        elif kind == "insert":
            out[at:at] = bytes([value])
        elif kind == "delete":
            del out[at]
        else:
            del out[at:]
    with contextlib.suppress(FileFormatError):
        read_gcode_3mf(bytes(out))


def test_thumbnails_of_all_plates_share_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    small = png(8, 8)
    monkeypatch.setattr(gcode3mf, "THUMBNAIL_BUDGET", len(small) * 3)
    members = {f"Metadata/plate_{i}.gcode": BAMBU_GCODE for i in (1, 2)}
    members.update({f"Metadata/plate_{i}{kind}.png": small for i in (1, 2) for kind in ("", "_small")})
    plates = read_gcode_3mf(build(members))
    assert [len(p.thumbnails) for p in plates] == [2, 1]
    assert (
        "The image Metadata/plate_2_small.png was skipped: the thumbnails exceed 0 MB." in plates[1].warnings
    )
