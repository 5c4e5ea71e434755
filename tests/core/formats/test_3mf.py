"""3MF reading: build items, components, units, Production-extension parts, thumbnails, metadata, damage."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import FileFormatError
from core.formats.safezip import SafeZip
from core.formats.threemf import ThreeMF, read_3mf, read_package

CORE = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"
PROD = "http://schemas.microsoft.com/3dmanufacturing/production/2015/06"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MODEL_TYPE = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"
THUMB_TYPE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"

UNIT_CUBE = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
CUBE_FACES = [
    (0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
    (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7),
]  # fmt: skip
IDENTITY = "1 0 0 0 1 0 0 0 1 0 0 0"


def mesh_xml(
    size: tuple[float, float, float] = (1, 1, 1), faces: list[tuple[int, int, int]] = CUBE_FACES
) -> str:
    vertices = "".join(
        f'<vertex x="{x * size[0]}" y="{y * size[1]}" z="{z * size[2]}"/>\n' for x, y, z in UNIT_CUBE
    )
    triangles = "".join(f'<triangle v1="{a}" v2="{b}" v3="{c}"/>\n' for a, b, c in faces)
    return f"<mesh><vertices>\n{vertices}</vertices><triangles>\n{triangles}</triangles></mesh>"


def model_xml(resources: str, build: str, *, unit: str = "millimeter", head: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<model unit="{unit}" xml:lang="en-US" xmlns="{CORE}" xmlns:p="{PROD}" requiredextensions="p">\n'
        f"{head}<resources>{resources}</resources>\n<build>{build}</build>\n</model>\n"
    )


def rels_xml(*relations: tuple[str, str]) -> str:
    body = "".join(
        f'<Relationship Type="{kind}" Target="{target}" Id="rel{i}"/>'
        for i, (kind, target) in enumerate(relations)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{body}</Relationships>'


def package(parts: dict[str, str | bytes], *, root_rels: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        if root_rels and "_rels/.rels" not in parts:
            archive.writestr("_rels/.rels", rels_xml((MODEL_TYPE, "/3D/3dmodel.model")))
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def simple(resources: str, build: str, **kwargs: str) -> bytes:
    return package({"3D/3dmodel.model": model_xml(resources, build, **kwargs)})


def cube_object(object_id: int = 1, size: tuple[float, float, float] = (1, 1, 1)) -> str:
    return f'<object id="{object_id}" type="model">{mesh_xml(size)}</object>'


def test_a_cube_with_a_build_transform_is_scaled_and_moved() -> None:
    result = read_3mf(
        simple(cube_object(size=(10, 10, 10)), '<item objectid="1" transform="2 0 0 0 2 0 0 0 2 5 6 7"/>')
    )
    assert isinstance(result, ThreeMF)
    assert result.mesh is not None and result.mesh.triangle_count == 12
    assert result.mesh.bbox_mm == ((5, 6, 7), (25, 26, 27))
    assert result.mesh.volume_cm3 == pytest.approx(8.0)
    assert result.mesh.surface_area_mm2 == pytest.approx(2400.0)
    assert result.warnings == [] and result.thumbnails == [] and result.metadata == {}


def test_the_transform_acts_on_row_vectors_as_the_specification_says() -> None:
    # m00 m01 m02 = 0 1 0 and m10 m11 m12 = -1 0 0: x' = -y + 100, y' = x (a quarter turn, then a shift).
    build = '<item objectid="1" transform="0 1 0 -1 0 0 0 0 1 100 0 0"/>'
    mesh = read_3mf(simple(cube_object(size=(10, 20, 30)), build)).mesh
    assert mesh is not None and mesh.bbox_mm == ((80, 0, 0), (100, 10, 30))


def test_component_transforms_apply_before_the_build_item_transform() -> None:
    resources = cube_object(1, (10, 20, 30)) + (
        '<object id="2" type="model"><components>'
        '<component objectid="1" transform="2 0 0 0 1 0 0 0 1 0 0 0"/>'  # doubles x, inside the item
        "</components></object>"
    )
    mesh = read_3mf(simple(resources, '<item objectid="2" transform="0 1 0 -1 0 0 0 0 1 100 0 0"/>')).mesh
    assert mesh is not None and mesh.bbox_mm == ((80, 0, 0), (100, 20, 30))  # not ((160, 0, 0), ...)


def test_components_place_every_part_and_every_build_item_counts() -> None:
    resources = cube_object(1, (10, 10, 10)) + (
        '<object id="2" type="model"><components>'
        f'<component objectid="1"/><component objectid="1" transform="{IDENTITY[:-5]}20 0 0"/>'
        "</components></object>"
    )
    build = '<item objectid="2"/><item objectid="1" transform="1 0 0 0 1 0 0 0 1 0 50 0"/>'
    mesh = read_3mf(simple(resources, build)).mesh
    assert mesh is not None and mesh.triangle_count == 36
    assert mesh.volume_cm3 == pytest.approx(3.0)
    assert mesh.bbox_mm == ((0, 0, 0), (30, 60, 10))


@pytest.mark.parametrize(
    ("unit", "mm"),
    [
        ("micron", 0.001),
        ("millimeter", 1),
        ("centimeter", 10),
        ("inch", 25.4),
        ("foot", 304.8),
        ("meter", 1000),
    ],
)
def test_units_are_converted_to_millimetres(unit: str, mm: float) -> None:
    mesh = read_3mf(
        simple(cube_object(), '<item objectid="1" transform="1 0 0 0 1 0 0 0 1 1 0 0"/>', unit=unit)
    ).mesh
    assert mesh is not None
    (x0, y0, z0), (x1, y1, z1) = mesh.bbox_mm
    assert (x0, x1 - x0, y1 - y0, z1 - z0) == pytest.approx((mm, mm, mm, mm))  # the shift is in units too
    assert mesh.volume_cm3 == pytest.approx(mm**3 / 1000)


def test_an_inch_cube_has_sides_of_25_4_mm() -> None:
    mesh = read_3mf(simple(cube_object(), '<item objectid="1"/>', unit="inch")).mesh
    assert mesh is not None and mesh.bbox_mm[0] == (0, 0, 0)
    assert mesh.bbox_mm[1] == pytest.approx((25.4, 25.4, 25.4))
    assert mesh.volume_cm3 == pytest.approx(16.387064)


def jpeg_bytes(width: int = 32, height: int = 24) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (242, 140, 40)).save(out, format="JPEG")
    return out.getvalue()


def bambu_like(thumbnail: bytes) -> bytes:
    """The layout Bambu Studio and OrcaSlicer write: the mesh in its own part, pulled in with p:path."""
    root = model_xml(
        '<object id="2" p:UUID="00000002-0000-0000-0000-000000000000" type="model"><components>'
        '<component p:path="/3D/Objects/object_1.model" objectid="1" transform="1 0 0 0 1 0 0 0 1 0 0 0"/>'
        "</components></object>",
        '<item objectid="2" transform="1 0 0 0 1 0 0 0 1 128 128 5" printable="1"/>',
        head=(
            '<metadata name="Application">BambuStudio-01.09.00.70</metadata>\n'
            '<metadata name="Title">Calibration cube</metadata>\n'
            '<metadata name="Designer">Ana Maker</metadata>\n'
            '<metadata name="License">CC-BY-4.0</metadata>\n'
            '<metadata name="Description"> Prints  well. </metadata>\n'
        ),
    )
    part = model_xml(cube_object(1, (20, 20, 20)), "", head='<metadata name="Title">ignored</metadata>')
    return package(
        {
            "_rels/.rels": rels_xml(
                (MODEL_TYPE, "/3D/3dmodel.model"), (THUMB_TYPE, "/Metadata/thumbnail.png")
            ),
            "3D/_rels/3dmodel.model.rels": rels_xml((MODEL_TYPE, "/3D/Objects/object_1.model")),
            "3D/3dmodel.model": root,
            "3D/Objects/object_1.model": part,
            "Metadata/thumbnail.png": thumbnail,
            "Metadata/model_settings.config": "<config/>",
        }
    )


def test_a_production_extension_package_like_bambu_studio_writes() -> None:
    result = read_3mf(bambu_like(jpeg_bytes()))
    assert result.mesh is not None and result.mesh.triangle_count == 12
    assert result.mesh.bbox_mm == ((128, 128, 5), (148, 148, 25))
    assert result.mesh.volume_cm3 == pytest.approx(8.0)
    assert result.metadata == {
        "Application": "BambuStudio-01.09.00.70",
        "Title": "Calibration cube",
        "Designer": "Ana Maker",
        "License": "CC-BY-4.0",
        "Description": "Prints  well.",
    }
    # Named .png, but JPEG bytes: the format comes from the bytes.
    assert [(t.format, t.width, t.height) for t in result.thumbnails] == [("jpg", 32, 24)]
    assert result.thumbnails[0].data == jpeg_bytes()
    assert result.warnings == []


def test_a_build_item_may_point_into_another_part_itself() -> None:
    data = package(
        {
            "3D/3dmodel.model": model_xml("", '<item p:path="/3D/Objects/cube.model" objectid="7"/>'),
            "3D/Objects/cube.model": model_xml(cube_object(7, (3, 3, 3)), ""),
        }
    )
    mesh = read_3mf(data).mesh
    assert mesh is not None and mesh.bbox_mm == ((0, 0, 0), (3, 3, 3))


def test_the_root_model_is_found_through_the_relationships_or_at_the_usual_name() -> None:
    named = package(
        {
            "_rels/.rels": rels_xml((MODEL_TYPE, "3D/Assembly.model")),
            "3D/Assembly.model": model_xml(cube_object(), '<item objectid="1"/>'),
        }
    )
    assert read_3mf(named).mesh is not None
    no_rels = package({"3D/3dmodel.model": model_xml(cube_object(), '<item objectid="1"/>')}, root_rels=False)
    assert read_3mf(no_rels).mesh is not None


def test_a_thumbnail_that_is_no_image_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "model.3mf"
    path.write_bytes(bambu_like(b"GIF89a not supported"))
    result = read_3mf(path)
    assert result.thumbnails == [] and result.mesh is not None
    assert result.warnings == [
        "The thumbnail Metadata/thumbnail.png is not a PNG, JPEG or QOI image; it was skipped."
    ]


PLAIN = model_xml(cube_object(1, (10, 20, 30)), '<item objectid="1"/>')


@pytest.mark.parametrize(
    "variant",
    [
        PLAIN.replace('"', "'"),  # single quotes everywhere
        PLAIN.replace(
            '<vertex x="0" y="0" z="0"/>', '<vertex z="0" y="0" x="0"/>'
        ),  # another attribute order
        PLAIN.replace("<vertices>", "<vertices><!-- <vertex x='9' y='9' z='9'/> -->"),
        PLAIN.replace('x="10"', "x = \n '1&#48;'"),  # a character reference
        PLAIN.replace("<vertex ", "<vertex\n\t"),
        PLAIN.replace("<triangles>", "<triangles>  \n\n"),
        PLAIN.replace('<triangle v1="0"', '<triangle pid="1" p1="0" v1="0"'),
        re.sub(r"<(/?)(?=[a-z])", r"<\1m:", PLAIN).replace(
            f'xmlns="{CORE}"', f'xmlns:m="{CORE}"'
        ),  # prefixed
    ],
)
def test_every_spelling_of_the_same_mesh_gives_the_same_triangles(variant: str) -> None:
    expected = read_3mf(package({"3D/3dmodel.model": PLAIN})).mesh
    mesh = read_3mf(package({"3D/3dmodel.model": variant})).mesh
    assert expected is not None and mesh is not None
    np.testing.assert_array_equal(mesh.triangles, expected.triangles)


def test_without_a_placed_mesh_the_caller_chooses_whether_that_is_an_error() -> None:
    no_build = simple(cube_object(), "", head='<metadata name="Title">Plate</metadata>')
    with pytest.raises(FileFormatError, match=r"This 3MF file places no mesh on its build plate\."):
        read_3mf(no_build)
    optional = read_3mf(no_build, mesh="optional")
    assert optional.mesh is None and optional.metadata == {"Title": "Plate"}
    skipped = read_3mf(simple(cube_object(), '<item objectid="1"/>'), mesh="no")
    assert skipped.mesh is None
    empty = package({"Metadata/plate_1.gcode": "G28\n"}, root_rels=False)
    assert read_3mf(empty, mesh="optional") == ThreeMF(mesh=None)
    with pytest.raises(FileFormatError, match="has no 3D model part"):
        read_3mf(empty)


def test_an_open_package_can_be_read_by_other_readers() -> None:
    with SafeZip(io.BytesIO(bambu_like(jpeg_bytes())), "This .gcode.3mf file") as archive:
        result = read_package(archive, label="This .gcode.3mf file", mesh="no")
    assert (
        result.metadata["Title"] == "Calibration cube" and len(result.thumbnails) == 1 and result.mesh is None
    )


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def patched_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s declared uncompressed size changed in both of its headers."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        if out[local + 30 : local + 30 + len(name)] == name:
            out[local + 22 : local + 26] = size.to_bytes(4, "little")
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        if out[central + 46 : central + 46 + len(name)] == name:
            out[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("3D/3dmodel.model", "w") as part,
    ):
        for _ in range(64):
            part.write(b" " * (1024 * 1024))
    return out.getvalue()


def cycle() -> bytes:
    resources = (
        '<object id="1" type="model"><components><component objectid="2"/></components></object>'
        '<object id="2" type="model"><components><component objectid="1"/></components></object>'
    )
    return simple(resources, '<item objectid="1"/>')


def fan_out(levels: int, width: int) -> bytes:
    """Each object holds `width` copies of the next: width ** levels placements from a few hundred bytes."""
    resources = "".join(
        f'<object id="{k}" type="model"><components>'
        + f'<component objectid="{k + 1}"/>' * width
        + "</components></object>"
        for k in range(1, levels + 1)
    )
    return simple(resources + cube_object(levels + 1), '<item objectid="1"/>')


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"PK\x03\x04 not really a zip", "This 3MF file is not a readable zip container"),
        (lambda: b"solid cube\n", "not a readable zip container"),
        (lambda: package({"Metadata/thumbnail.png": jpeg_bytes()}), "has no 3D model part"),
        (
            lambda: package({"3D/3dmodel.model": BOMB + PLAIN.split("\n", 1)[1]}),
            "declares a DTD or XML entities",
        ),
        (
            lambda: package(
                {"3D/3dmodel.model": BOMB + PLAIN.split("\n", 1)[1].replace('x="10"', 'x="&lol9;"')}
            ),
            "which 3MF does not allow",
        ),
        (lambda: zip_bomb(), "compressed suspiciously well"),
        (
            lambda: patched_size(package({"3D/3dmodel.model": PLAIN}), "3D/3dmodel.model", 2**32 - 1),
            "larger than",
        ),
        (
            lambda: simple(
                '<object id="1">' + mesh_xml(faces=[(0, 1, 8)]) + "</object>", '<item objectid="1"/>'
            ),
            "a triangle that refers to vertex 8 of object 1, which has 8 vertices",
        ),
        (lambda: cycle(), "an object that contains itself through its components"),
        (
            lambda: simple(
                '<object id="1"><components><component objectid="1"/></components></object>',
                '<item objectid="1"/>',
            ),
            "contains itself",
        ),
        (lambda: fan_out(levels=12, width=10), "places more than 100,000 objects"),
        (lambda: fan_out(levels=20, width=1), "nests components more than 16 levels deep"),
        (
            lambda: simple(cube_object(), '<item objectid="5"/>'),
            "refers to object '5', which its model does not define",
        ),
        (
            lambda: simple(cube_object(), '<item p:path="/3D/Objects/gone.model" objectid="1"/>'),
            "refers to the model part /3D/Objects/gone.model, which it does not contain",
        ),
        (
            lambda: simple(cube_object(), '<item objectid="1" transform="1 0 0"/>'),
            "a transform that is not 12 numbers",
        ),
        (
            lambda: simple(cube_object(), '<item objectid="1" transform="1 0 0 0 1 0 0 0 1 0 0 nan"/>'),
            "not 12 numbers",
        ),
        (lambda: package({"3D/3dmodel.model": PLAIN[:-40]}), "is not well-formed XML"),
        (lambda: package({"3D/3dmodel.model": "<html><body/></html>"}), "is not a 3MF model"),
        (
            lambda: package({"3D/3dmodel.model": PLAIN.replace('y="20"', 'y="twenty"')}),
            "a vertex coordinate that is not a number",
        ),
        (
            lambda: package({"3D/3dmodel.model": PLAIN.replace('v3="1"', 'v3="-1"')}),
            "a triangle that refers to vertex -1 of object 1",
        ),
        (
            lambda: package({"3D/3dmodel.model": PLAIN.replace(' z="0"', "", 1)}),
            "a vertex without x, y and z",
        ),
    ],
)
def test_bad_packages_are_refused_with_one_clear_sentence(make: object, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FileFormatError) as caught:
        read_3mf(make())  # type: ignore[operator]
    assert message in str(caught.value)
    assert str(caught.value).startswith("This 3MF file") and "\n" not in str(caught.value)
    assert time.perf_counter() - start < 10


def test_member_names_that_climb_out_of_the_package_are_harmless(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "_rels/.rels", rels_xml((MODEL_TYPE, "../../3D/3dmodel.model"), (THUMB_TYPE, "/../x.png"))
        )
        archive.writestr("../../3D/3dmodel.model", PLAIN)
        archive.writestr("../x.png", jpeg_bytes())
    path = tmp_path / "inner" / "evil.3mf"
    path.parent.mkdir()
    path.write_bytes(out.getvalue())
    with pytest.raises(FileFormatError, match="has no 3D model part"):
        read_3mf(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.3mf", "inner"]
    assert read_3mf(path, mesh="optional").thumbnails == []


def test_a_triangle_budget_stops_a_small_file_from_placing_a_huge_mesh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("core.formats.threemf.MAX_TRIANGLES", 100)
    mesh = read_3mf(simple(cube_object(), '<item objectid="1"/>' * 8)).mesh  # 96 triangles
    assert mesh is not None and mesh.triangle_count == 96
    with pytest.raises(FileFormatError, match="places more than 100 triangles, too many to read"):
        read_3mf(simple(cube_object(), '<item objectid="1"/>' * 9))


def test_section_tags_inside_comments_and_text_do_not_confuse_the_reader() -> None:
    tricky = PLAIN.replace(
        "<resources>",
        '<metadata name="Description"><![CDATA[ see <vertices> and </triangles> ]]></metadata>'
        "<!-- <triangles> --><resources>",
    )
    expected = read_3mf(package({"3D/3dmodel.model": PLAIN})).mesh
    result = read_3mf(package({"3D/3dmodel.model": tricky}))
    assert expected is not None and result.mesh is not None
    np.testing.assert_array_equal(result.mesh.triangles, expected.triangles)
    assert result.metadata == {"Description": "see <vertices> and </triangles>"}
