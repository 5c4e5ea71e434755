"""Fuzzing the mesh readers: whatever the bytes, a reader returns a mesh or raises FileFormatError, quickly.

Each reader gets arbitrary bytes and mutated copies of valid files (bytes flipped, inserted, deleted,
duplicated, the file cut short). Whatever a reader accepts must also render as a thumbnail.
"""

from __future__ import annotations

import contextlib
import io
import signal
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import FileFormatError
from core.formats.model import MeshInfo
from core.formats.obj import read_obj
from core.formats.stl import read_stl
from core.formats.threemf import read_3mf
from core.render.thumbnail import render_thumbnail

MESHES = Path(__file__).resolve().parents[2] / "data" / "meshes"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDS_PER_FILE = 10

CORE = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"
PROD = "http://schemas.microsoft.com/3dmanufacturing/production/2015/06"
MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<model unit="millimeter" xmlns="{CORE}" xmlns:p="{PROD}">
 <metadata name="Title">Fuzz</metadata>
 <resources>
  <object id="1" type="model"><mesh>
   <vertices><vertex x="0" y="0" z="0"/><vertex x="10" y="0" z="0"/><vertex x="0" y="10" z="0"/>
    <vertex x="0" y="0" z="10"/></vertices>
   <triangles><triangle v1="0" v2="2" v3="1"/><triangle v1="0" v2="1" v3="3"/><triangle v1="0" v2="3" v3="2"/>
    <triangle v1="1" v2="2" v3="3"/></triangles>
  </mesh></object>
  <object id="2" type="model"><components><component objectid="1" transform="1 0 0 0 1 0 0 0 1 5 0 0"/>
   <component p:path="/3D/Objects/part.model" objectid="1"/></components></object>
 </resources>
 <build><item objectid="2" transform="2 0 0 0 2 0 0 0 2 0 0 1"/></build>
</model>
"""
PART = MODEL.replace('<metadata name="Title">Fuzz</metadata>', "").split('<object id="2"')[0] + (
    "</resources><build/></model>"
)
RELS = (
    '<?xml version="1.0"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel" '
    'Target="/3D/3dmodel.model" Id="r0"/></Relationships>'
)


def package(model: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("3D/3dmodel.model", model)
        archive.writestr("3D/Objects/part.model", PART)
    return out.getvalue()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (where the platform has SIGALRM)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"a reader took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_or_refuse(reader: Callable[[bytes], MeshInfo | None], data: bytes) -> None:
    """The reader returns a usable mesh or raises FileFormatError with a sentence; nothing else."""
    with time_limit(SECONDS_PER_FILE):
        try:
            mesh = reader(data)
        except FileFormatError as exc:
            assert str(exc).endswith((".", ")")) and "\n" not in str(exc), str(exc)
            return
        if mesh is not None:
            assert mesh.triangles.dtype == np.float32 and mesh.triangles.shape[1:] == (3, 3)
            assert mesh.triangle_count > 0 and np.isfinite(mesh.triangles).all()
            assert np.isfinite(mesh.volume_cm3) and mesh.bbox_mm is not None
            render_thumbnail(mesh.triangles, 32)


def mesh_of_3mf(data: bytes) -> MeshInfo | None:
    return read_3mf(data).mesh


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "digit"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 32))]
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
        elif (
            kind == "digit" and data
        ):  # text formats: swap in a character that still looks like part of a number
            data[at] = draw(st.sampled_from(b"0123456789-+.eE /#\n\t"))
    return bytes(data)


STL_BINARY = (MESHES / "cube_binary_solid_header.stl").read_bytes()
STL_ASCII = (MESHES / "cube_ascii_crlf_bom.stl").read_bytes()
OBJ_QUADS = (MESHES / "cube_quads.obj").read_bytes()
OBJ_NGONS = (MESHES / "hexagonal_prism_ngons.obj").read_bytes()


def test_the_seed_files_are_valid() -> None:
    for reader, data in [
        (read_stl, STL_BINARY),
        (read_stl, STL_ASCII),
        (read_obj, OBJ_QUADS),
        (read_obj, OBJ_NGONS),
    ]:
        assert reader(data).triangle_count > 0
    mesh = read_3mf(package(MODEL.encode())).mesh
    assert mesh is not None and mesh.triangle_count == 8


@FUZZ
@given(st.binary(max_size=4096))
def test_stl_arbitrary_bytes(data: bytes) -> None:
    read_or_refuse(read_stl, data)


@FUZZ
@given(st.one_of(mutated(STL_BINARY), mutated(STL_ASCII)))
def test_stl_mutated_files(data: bytes) -> None:
    read_or_refuse(read_stl, data)


@FUZZ
@given(st.binary(max_size=4096))
def test_obj_arbitrary_bytes(data: bytes) -> None:
    read_or_refuse(read_obj, data)


@FUZZ
@given(st.one_of(mutated(OBJ_QUADS), mutated(OBJ_NGONS)))
def test_obj_mutated_files(data: bytes) -> None:
    read_or_refuse(read_obj, data)


NUMBER = st.one_of(
    st.integers(-3, 9).map(str),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.sampled_from(["", "x", "1e999", "-0", "1/2", "//", "/"]),
)
OBJ_LINE = st.one_of(
    st.lists(NUMBER, min_size=0, max_size=5).map(lambda n: "v " + " ".join(n)),
    st.lists(
        st.tuples(NUMBER, st.sampled_from(["", "/1", "//1", "/1/1", "/"])).map("".join),
        min_size=0,
        max_size=7,
    ).map(lambda c: "f " + " ".join(c)),
    st.sampled_from(["# comment", "vt 0 0", "vn 0 0 1", "g part", "", "  ", "f", "v"]),
)


@FUZZ
@given(st.lists(OBJ_LINE, max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_obj_made_of_plausible_lines(lines: list[str], newline: str) -> None:
    read_or_refuse(read_obj, newline.join(lines).encode())


@FUZZ
@given(st.binary(max_size=4096))
def test_3mf_arbitrary_bytes(data: bytes) -> None:
    read_or_refuse(mesh_of_3mf, data)


@FUZZ
@given(st.binary(max_size=2048))
def test_3mf_arbitrary_model_part_in_a_valid_package(model: bytes) -> None:
    read_or_refuse(mesh_of_3mf, package(model))


@FUZZ
@given(mutated(MODEL.encode()))
def test_3mf_mutated_model_xml(model: bytes) -> None:
    read_or_refuse(mesh_of_3mf, package(model))


@FUZZ
@given(st.one_of(mutated(package(MODEL.encode())), mutated(package(MODEL.encode(), zipfile.ZIP_STORED))))
def test_3mf_mutated_zip_bytes(data: bytes) -> None:
    read_or_refuse(mesh_of_3mf, data)
