"""STL reading: binary and ASCII give the same measures, odd but valid files are read, bad ones refused."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import numpy as np
import pytest

from core.errors import FileFormatError
from core.formats.stl import read_stl

MESHES = Path(__file__).resolve().parents[2] / "data" / "meshes"
BINARY = MESHES / "cube_binary_solid_header.stl"
ASCII = MESHES / "cube_ascii_crlf_bom.stl"


def binary_stl(triangles: np.ndarray, header: bytes = b"test") -> bytes:
    records = np.zeros(len(triangles), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["v"] = triangles
    return header.ljust(80, b"\0") + struct.pack("<I", len(triangles)) + records.tobytes()


def ascii_stl(triangles: np.ndarray, newline: str = "\n") -> bytes:
    lines = ["solid test"]
    for triangle in triangles:
        lines += ["facet normal 0 0 0", "outer loop"]
        lines += [f"vertex {x!r} {y!r} {z!r}" for x, y, z in triangle.tolist()]
        lines += ["endloop", "endfacet"]
    lines.append("endsolid test")
    return (newline.join(lines) + newline).encode()


def cube() -> np.ndarray:
    return read_stl(BINARY).triangles


def test_binary_and_ascii_of_the_same_cube_give_the_same_measures() -> None:
    binary, text = read_stl(BINARY), read_stl(ASCII)
    for mesh in (binary, text):
        assert mesh.triangle_count == 12
        assert mesh.bbox_mm == ((0, 0, 0), (10, 10, 10))
        assert mesh.volume_cm3 == pytest.approx(1.0)
        assert mesh.surface_area_mm2 == pytest.approx(600.0)
        assert mesh.warnings == []
    np.testing.assert_array_equal(binary.triangles, text.triangles)
    assert binary.triangles.dtype == np.float32 and binary.triangles.shape == (12, 3, 3)


def test_a_unit_cube_measures_one_cubic_millimetre_and_six_square_millimetres() -> None:
    mesh = read_stl(binary_stl(cube() / 10))
    assert mesh.volume_cm3 == pytest.approx(0.001)
    assert mesh.surface_area_mm2 == pytest.approx(6.0)
    assert mesh.to_json() == {"triangles": 12, "bbox_mm": [[0, 0, 0], [1, 1, 1]], "volume_cm3": 0.001}


def test_a_binary_file_whose_header_starts_with_solid_is_read_as_binary() -> None:
    data = BINARY.read_bytes()
    assert data.startswith(b"solid")
    assert read_stl(data).triangle_count == 12
    # Even a header that looks like a whole ASCII facet does not fool the size rule.
    fake = b"solid x facet normal 0 0 0 outer loop vertex 1 2 3 vertex 4 5 6 vertex 7 8 9 end"
    assert read_stl(fake[:80] + data[80:]).bbox_mm == ((0, 0, 0), (10, 10, 10))


def test_ascii_with_lf_crlf_bom_tabs_exponents_and_several_solids_reads_the_same() -> None:
    triangles = cube()
    expected = read_stl(ascii_stl(triangles)).triangles
    crlf = ascii_stl(triangles, "\r\n")
    bom_tabs = b"\xef\xbb\xbf" + crlf.replace(b"vertex ", b"vertex\t")
    two_solids = ascii_stl(triangles[:5]) + ascii_stl(triangles[5:])
    exponents = ascii_stl(triangles).replace(b"10.0", b"1.0E+01").replace(b"0.0", b"0e0")
    for data in (crlf, bom_tabs, two_solids, exponents):
        np.testing.assert_array_equal(read_stl(data).triangles, expected)
    upper = ascii_stl(triangles).upper()  # some old CAD exports shout
    np.testing.assert_array_equal(read_stl(upper).triangles, expected)


def test_a_path_and_bytes_give_the_same_mesh() -> None:
    np.testing.assert_array_equal(read_stl(ASCII).triangles, read_stl(ASCII.read_bytes()).triangles)


def test_bytes_after_the_last_binary_triangle_are_ignored_with_a_warning() -> None:
    mesh = read_stl(binary_stl(cube(), header=b"exporter pads") + b"\0" * 7)
    assert mesh.triangle_count == 12
    assert mesh.warnings == ["This STL file has 7 bytes after its last triangle; they were ignored."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This STL file is empty."),
        (b"\x01\x02 not an stl", "This STL file is only 13 bytes long, too short for an STL."),
        (binary_stl(np.zeros((0, 3, 3))), "This STL file contains no triangles."),
        (b"solid empty\nendsolid empty\n", "has no facets with vertices"),
        (
            b"solid x\nfacet normal 0 0 0\nouter loop\nvertex 1 2 abc\n",
            "a vertex coordinate that is not a number",
        ),
        (b"solid x\nfacet normal 0 0 0\nouter loop\nvertex 1 2\nvertex 1 2 3\n", "not a number"),
        (b"solid x\n" + b"vertex 0 0 0\n" * 4, "a facet that does not have exactly three vertices"),
    ],
)
def test_bad_files_are_refused_with_one_clear_sentence(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        read_stl(data)
    text = str(caught.value)
    assert text.startswith("This STL file") and text.endswith(".") and "\n" not in text


def test_a_truncated_binary_file_says_it_is_cut_short() -> None:
    data = binary_stl(cube(), header=b"binary")[:-30]
    with pytest.raises(
        FileFormatError, match=r"cut short .* announces 12 triangles \(684 bytes\) but it has 654"
    ):
        read_stl(data)


def test_a_truncated_binary_file_with_a_solid_header_names_both_readings() -> None:
    with pytest.raises(FileFormatError, match=r"neither a complete binary STL .* nor a readable text STL"):
        read_stl(BINARY.read_bytes()[:-30])


def test_random_bytes_are_refused() -> None:
    rng = random.Random(1234)
    for size in (10, 84, 100, 4096, 100_000):
        data = bytes(rng.getrandbits(8) for _ in range(size))
        with pytest.raises(FileFormatError):
            read_stl(data)


def test_triangles_with_nan_or_infinite_coordinates_are_left_out_with_a_warning() -> None:
    triangles = cube().copy()
    triangles[3, 1, 2] = np.nan
    triangles[7, 0, 0] = np.inf
    mesh = read_stl(binary_stl(triangles))
    assert mesh.triangle_count == 10
    assert np.isfinite(mesh.triangles).all()
    assert mesh.warnings == [
        "2 of 12 triangles have a coordinate that is not a number (NaN or infinite) and were left out; "
        "the measures cover the rest."
    ]
    text = ascii_stl(cube()).replace(b"vertex 10.0 10.0 10.0", b"vertex nan 1e999 10.0", 1)
    assert read_stl(text).triangle_count == 11


def test_a_mesh_whose_every_coordinate_is_nan_is_refused() -> None:
    with pytest.raises(
        FileFormatError, match="no usable triangles: every one has a coordinate that is not a number"
    ):
        read_stl(binary_stl(np.full((12, 3, 3), np.nan)))


def test_a_model_under_a_millimetre_is_probably_in_metres() -> None:
    mesh = read_stl(binary_stl(cube() / 1000))  # a 10 mm cube exported in metres: 0.01 units
    assert mesh.volume_cm3 == pytest.approx(1e-9)
    assert mesh.warnings == [
        "The model is only 0.01 mm across; the file carries no unit, so it was probably exported in metres "
        "or centimetres."
    ]
