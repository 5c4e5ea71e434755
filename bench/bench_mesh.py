"""Mesh benchmarks: loading big STL, ASCII STL, 3MF and OBJ files, and a CPU thumbnail of a million triangles.

The files are written to a temporary folder from one tessellated torus (a closed, curved mesh, so every
pixel-sized triangle of the thumbnail is exercised), in the form each exporter writes.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.common import Result, best_of
from core.formats.obj import read_obj
from core.formats.stl import read_stl
from core.formats.threemf import read_3mf
from core.render.thumbnail import render_thumbnail

MILLION = 1_000_000
ASCII_TRIANGLES = 250_000  # an ASCII STL of a million triangles is 250 MB; a quarter shows the rate


def torus(
    triangles: int, major: float = 40.0, minor: float = 15.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Vertices and faces of a torus with about `triangles` triangles."""
    around = int(np.sqrt(triangles / 2 * 2.5))
    across = triangles // 2 // around
    u, v = np.meshgrid(np.arange(around), np.arange(across), indexing="ij")
    theta, phi = 2 * np.pi * u.ravel() / around, 2 * np.pi * v.ravel() / across
    ring = major + minor * np.cos(phi)
    vertices = np.stack([ring * np.cos(theta), ring * np.sin(theta), minor * np.sin(phi) + minor], axis=1)
    a = u * across + v
    b = ((u + 1) % around) * across + v
    c = ((u + 1) % around) * across + (v + 1) % across
    d = u * across + (v + 1) % across
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])
    return vertices, faces


def write_binary_stl(path: Path, triangles: npt.NDArray[np.float32]) -> None:
    records = np.zeros(len(triangles), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["v"] = triangles
    path.write_bytes(b"solid bench torus".ljust(80) + struct.pack("<I", len(triangles)) + records.tobytes())


def write_ascii_stl(path: Path, triangles: npt.NDArray[np.float32]) -> None:
    facet = "facet normal 0 0 0\n outer loop\n" + "  vertex %.6e %.6e %.6e\n" * 3 + " endloop\nendfacet\n"
    with path.open("w") as out:
        out.write("solid bench\n")
        for start in range(0, len(triangles), 50_000):
            chunk = triangles[start : start + 50_000]
            out.write((facet * len(chunk)) % tuple(chunk.ravel().tolist()))
        out.write("endsolid bench\n")


def model_xml(vertices: npt.NDArray[np.float64], faces: npt.NDArray[np.int64]) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<model unit="millimeter" '
        'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">\n'
        '<resources><object id="1" type="model"><mesh><vertices>\n'
    )
    vertex_lines = ('<vertex x="%.5f" y="%.5f" z="%.5f"/>\n' * len(vertices)) % tuple(
        vertices.ravel().tolist()
    )
    face_lines = ('<triangle v1="%d" v2="%d" v3="%d"/>\n' * len(faces)) % tuple(faces.ravel().tolist())
    tail = '</triangles></mesh></object></resources><build><item objectid="1"/></build></model>\n'
    return (head + vertex_lines + "</vertices><triangles>\n" + face_lines + tail).encode()


def write_3mf(path: Path, model: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("3D/3dmodel.model", model)
    path.write_bytes(out.getvalue())


def write_obj(path: Path, vertices: npt.NDArray[np.float64], faces: npt.NDArray[np.int64]) -> None:
    with path.open("w") as out:
        out.write(("v %.5f %.5f %.5f\n" * len(vertices)) % tuple(vertices.ravel().tolist()))
        out.write(("f %d %d %d\n" * len(faces)) % tuple((faces + 1).ravel().tolist()))


def benchmarks() -> list[Result]:
    vertices, faces = torus(MILLION)
    triangles = vertices[faces].astype(np.float32)
    results = []
    with tempfile.TemporaryDirectory(prefix="printstall-bench-") as tmp:
        folder = Path(tmp)
        binary = folder / "torus.stl"
        write_binary_stl(binary, triangles)
        read_stl(binary)  # warm the page cache
        seconds = best_of(lambda: read_stl(binary), repeat=5)
        results.append(
            Result(
                f"binary STL, {len(triangles) / 1e6:.1f}M triangles: load",
                f"{seconds:.3f} s",
                "< 0.2 s",
                seconds < 0.2,
            )
        )

        mesh = read_stl(binary)
        render_thumbnail(mesh.triangles)
        seconds = best_of(lambda: render_thumbnail(mesh.triangles, 512), repeat=3)
        results.append(
            Result(
                f"thumbnail 512x512 of {mesh.triangle_count / 1e6:.1f}M triangles",
                f"{seconds:.3f} s",
                "< 1.5 s",
                seconds < 1.5,
            )
        )

        text = folder / "torus_ascii.stl"
        write_ascii_stl(text, triangles[:ASCII_TRIANGLES])
        seconds = best_of(lambda: read_stl(text), repeat=2)
        size = text.stat().st_size / 1e6
        results.append(
            Result(
                f"ASCII STL, {ASCII_TRIANGLES // 1000}k triangles ({size:.0f} MB): load", f"{seconds:.2f} s"
            )
        )

        model = model_xml(vertices, faces)
        package = folder / "torus.3mf"
        write_3mf(package, model)
        seconds = best_of(lambda: read_3mf(package), repeat=2)
        results.append(
            Result(
                f"3MF, {len(faces) / 1e6:.1f}M triangles ({len(model) / 1e6:.0f} MB model, "
                f"{package.stat().st_size / 1e6:.0f} MB zip): load",
                f"{seconds:.2f} s",
            )
        )

        obj = folder / "torus.obj"
        write_obj(obj, vertices, faces)
        seconds = best_of(lambda: read_obj(obj), repeat=2)
        size = obj.stat().st_size / 1e6
        results.append(
            Result(f"OBJ, {len(faces) / 1e6:.1f}M triangles ({size:.0f} MB): load", f"{seconds:.2f} s")
        )
    return results
