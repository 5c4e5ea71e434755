"""OBJ reading: polygons of any size, every corner form, relative indices; bad indices are refused clearly."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from core.errors import FileFormatError
from core.formats.obj import read_obj
from core.formats.stl import read_stl

MESHES = Path(__file__).resolve().parents[2] / "data" / "meshes"
CUBE = MESHES / "cube_quads.obj"
PRISM = MESHES / "hexagonal_prism_ngons.obj"

SQUARE = b"v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"


def sorted_triangles(triangles: np.ndarray) -> np.ndarray:
    """Triangles as a set: each one's corners sorted, then the triangles sorted (winding and order aside)."""
    corners = np.sort(triangles.reshape(-1, 3, 3).round(4).view([("", triangles.dtype)] * 3), axis=1)
    flat = corners.view(triangles.dtype).reshape(len(triangles), 9)
    return flat[np.lexsort(flat.T[::-1])]


def test_a_cube_of_quads_in_every_corner_form_measures_like_the_stl_cube() -> None:
    mesh = read_obj(CUBE)
    assert mesh.triangle_count == 12
    assert mesh.bbox_mm == ((0, 0, 0), (10, 10, 10))
    assert mesh.volume_cm3 == pytest.approx(1.0)
    assert mesh.surface_area_mm2 == pytest.approx(600.0)
    assert mesh.warnings == []
    stl = read_stl(MESHES / "cube_binary_solid_header.stl")
    # Same surface, triangle for triangle (the diagonals of the quads match the STL's), same orientation.
    np.testing.assert_array_equal(sorted_triangles(mesh.triangles), sorted_triangles(stl.triangles))
    signed = np.einsum("ij,ij->", mesh.triangles[:, 0], np.cross(mesh.triangles[:, 1], mesh.triangles[:, 2]))
    assert signed > 0  # outward-facing after triangulation: quads keep their winding


def test_n_gon_faces_are_fan_triangulated() -> None:
    mesh = read_obj(PRISM)
    assert mesh.triangle_count == 2 * (6 - 2) + 6 * 2
    assert mesh.volume_cm3 == pytest.approx(3 * math.sqrt(3) / 2 * 10**2 * 5 / 1000, rel=1e-6)
    assert mesh.surface_area_mm2 == pytest.approx(3 * math.sqrt(3) * 100 + 6 * 10 * 5, rel=1e-6)


def test_faces_of_different_sizes_in_one_file() -> None:
    data = SQUARE + b"v 0.5 0.5 1\nf 1 2 3 4\nf 1 2 5\nf 2 3 5\nf 3 4 5 \nf 4 1 5\n"
    mesh = read_obj(data)
    assert mesh.triangle_count == 6
    assert mesh.volume_cm3 == pytest.approx(1 / 3 / 1000)  # a pyramid: base 1, height 1


def test_negative_indices_count_back_from_the_vertices_read_so_far() -> None:
    positive = read_obj(SQUARE + b"f 1 2 3\nv 5 5 5\nv 6 5 5\nv 5 6 5\nf 5 6 7\n")
    negative = read_obj(SQUARE + b"f -4 -3 -2\nv 5 5 5\nv 6 5 5\nv 5 6 5\nf -3 -2 -1\n")
    np.testing.assert_array_equal(positive.triangles, negative.triangles)
    assert negative.bbox_mm == ((0, 0, 0), (6, 6, 5))


def test_corner_forms_comments_crlf_and_extra_vertex_values_change_nothing() -> None:
    plain = read_obj(SQUARE + b"f 1 2 3 4\n")
    variants = [
        SQUARE + b"vt 0 0\nvn 0 0 1\nf 1/1 2/1 3/1 4/1\n",
        SQUARE + b"f 1//1 2//1 3//1 4//1 # a comment 9 9 9\n",
        SQUARE + b"f 1/1/1 2/2/1 3/3/1 4/4/1\n",
        (b"# header\r\n" + SQUARE + b"\r\n\r\n  f\t1 2 3 4\r\n")
        .replace(b"\n", b"\r\n")
        .replace(b"\r\r", b"\r"),
        SQUARE.replace(b"\n", b" 1.0 0.2 0.3 0.4\n") + b"f 1 2 3 4\n",  # colours after x y z
        SQUARE.replace(b"v 0 0 0", b"v 0.0e0 -0.0 +0") + b"g group\nusemtl red\nl 1 2\np 3\nf 1 2 3 4\n",
    ]
    for data in variants:
        np.testing.assert_array_equal(read_obj(data).triangles, plain.triangles)


def test_faces_with_fewer_than_three_corners_are_skipped_with_a_warning() -> None:
    mesh = read_obj(SQUARE + b"f 1 2\nf 1 2 3\nf 4\n")
    assert mesh.triangle_count == 1
    assert mesh.warnings == ["2 faces with fewer than three corners were skipped."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This OBJ file is empty."),
        (b"  \n\n", "This OBJ file is empty."),
        (SQUARE, "has no faces"),
        (b"f 1 2 3\n", "has no vertices"),
        (SQUARE + b"f 1 2 5\n", "refers to vertex 5, but the file has only 4 vertices"),
        (
            SQUARE + b"f 1 2 999999999999\n",
            "refers to vertex 999,999,999,999, but the file has only 4 vertices",
        ),
        (SQUARE + b"f 0 1 2\n", "vertex index 0; OBJ indices start at 1"),
        (
            b"v 0 0 0\nv 1 0 0\nf -1 -2 -3\nv 0 1 0\n",
            "relative \\(negative\\) index reaches before the first",
        ),
        (SQUARE + b"f 1 2 x\n", "a vertex index that is not a whole number"),
        (SQUARE + b"f 1 2 3.5\n", "not a whole number"),
        (SQUARE + b"f 1 2 99999999999999999999999\n", "not a whole number"),
        (SQUARE + b"f 1/1 /2 3\n", "a face corner with no vertex index"),
        (b"v 0 0\nv 1 0 0\nv 1 1 0\nf 1 2 3\n", "a vertex line with fewer than three coordinates"),
        (b"v 0 0 zero\nv 1 0 0\nv 1 1 0\nf 1 2 3\n", "a vertex coordinate that is not a number"),
        (SQUARE + b"f 1 2\n", "has no faces with three or more corners"),
    ],
)
def test_bad_files_are_refused_with_one_clear_sentence(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message) as caught:
        read_obj(data)
    text = str(caught.value)
    assert text.startswith("This OBJ file") and text.endswith(".") and "\n" not in text


def test_a_file_of_nan_vertices_is_refused_and_a_few_are_left_out() -> None:
    with pytest.raises(FileFormatError, match="no usable triangles"):
        read_obj(b"v nan 0 0\nv 1 nan 0\nv 1 1 nan\nf 1 2 3\n")
    mesh = read_obj(SQUARE + b"v nan 0 0\nf 1 2 3\nf 1 2 5\n")
    assert mesh.triangle_count == 1 and "1 of 2 triangles" in mesh.warnings[0]
