"""Importing real files into the library: models from meshes, variants from sliced files, thumbnails."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from core.db.models import FileBlob, Model, ModelVariant, SlicedFile
from core.services import library
from core.services.importing import ImportTimings, import_paths
from core.workspace import Workspace
from tests.core.files import SLICERS, write_cube


def count(ws: Workspace, model: type) -> int:
    with ws.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def image_of(ws: Workspace, blob_id: str) -> Image.Image:
    with ws.read() as session:
        blob = session.get(FileBlob, (ws.owner_id, blob_id))
    assert blob is not None and blob.kind == "image"
    return Image.open(io.BytesIO(ws.blobs.read_bytes(blob.sha256)))


def test_a_mesh_becomes_a_model_with_a_rendered_thumbnail(workspace: Workspace, tmp_path: Path) -> None:
    [outcome] = import_paths(workspace, [write_cube(tmp_path / "Baby_Dragon.stl")])
    assert outcome.status == "added" and outcome.message == "New model Baby Dragon."
    model = library.get_model(workspace, outcome.model_id or "")
    assert model.name == "Baby Dragon"
    assert library.model_files(workspace, model.id)[0][:2] == ("Baby_Dragon.stl", "mesh")
    with workspace.read() as session:
        row = session.get(Model, (workspace.owner_id, model.id))
        blob = session.get(FileBlob, (workspace.owner_id, outcome.blob_id))
    assert row is not None and row.thumbnail_blob_id is not None
    assert image_of(workspace, row.thumbnail_blob_id).size == (512, 512)
    assert blob is not None and blob.details["triangles"] == 12
    assert abs(blob.details["volume_cm3"] - 8.0) < 1e-6  # a 20 mm cube


def test_a_sliced_file_joins_the_model_its_name_starts_with(workspace: Workspace, tmp_path: Path) -> None:
    mesh = write_cube(tmp_path / "mini cube.stl")
    sliced = tmp_path / "mini_cube_0.2mm_PLA_MK4_11m.gcode"
    shutil.copy(SLICERS / "mini_cube_ps2.8.1.gcode", sliced)
    outcomes = import_paths(workspace, [sliced, mesh])  # the mesh is imported first all the same
    assert [o.kind for o in outcomes] == ["mesh", "sliced"]
    model_id = outcomes[0].model_id
    assert outcomes[1].model_id == model_id
    assert outcomes[1].message == "1 variant of mini cube (matched by name)."
    [variant] = library.list_variants(workspace, model_id)
    assert variant.name == "mini_cube_0.2mm_PLA_MK4_11m"
    assert variant.print_time_s is not None and variant.print_time_s > 0
    assert variant.grams_mg > 0 and variant.materials[0].material == "PLA"
    with workspace.read() as session:
        sliced_row = session.scalars(select(SlicedFile)).one()
    assert sliced_row.slicer == "PrusaSlicer" and sliced_row.slicer_version.startswith("2.8.1")
    [thumbnail] = sliced_row.thumbnail_blob_ids
    assert image_of(workspace, thumbnail).size == (313, 173)  # the largest embedded QOI, now a PNG


def test_per_extruder_grams_of_an_mmu_file(workspace: Workspace) -> None:
    [outcome] = import_paths(workspace, [SLICERS / "full_m73_layers_0.2mm_PLA_MK3SMMU2S_11m.gcode"])
    assert outcome.status == "added" and outcome.message.endswith("(new model).")
    [variant] = library.list_variants(workspace, outcome.model_id)
    assert [(m.slot, m.grams_mg) for m in variant.materials] == [(0, 1200), (1, 0), (2, 290)]
    assert variant.grams_mg == 1490
    assert variant.printer_model == "MK3SMMU2S"


def test_binary_gcode_imports_like_its_text_twin(workspace: Workspace) -> None:
    binary, text = import_paths(
        workspace, [SLICERS / "mini_cube_ps2.8.1.bgcode", SLICERS / "mini_cube_ps2.8.1.gcode"]
    )
    assert binary.status == text.status == "added"
    assert text.model_id == binary.model_id  # the same name: two variants of one model
    a, b = library.list_variants(workspace, binary.model_id)
    assert a.print_time_s is not None and a.grams_mg > 0
    assert (a.print_time_s, a.grams_mg, a.materials) == (b.print_time_s, b.grams_mg, b.materials)


def test_a_broken_file_is_rejected_and_leaves_nothing(workspace: Workspace, tmp_path: Path) -> None:
    truncated = tmp_path / "half.bgcode"
    truncated.write_bytes((SLICERS / "mini_cube_b.bgcode").read_bytes()[:5000])
    not_a_mesh = tmp_path / "notes.stl"
    not_a_mesh.write_bytes(b"these are my notes about a dragon, not a mesh\n" * 10)
    outcomes = import_paths(workspace, [truncated, not_a_mesh])
    assert [o.status for o in outcomes] == ["rejected", "rejected"]
    assert all(o.message and o.message.endswith(".") for o in outcomes)
    assert count(workspace, FileBlob) == count(workspace, Model) == count(workspace, ModelVariant) == 0
    assert not any(p.is_file() for p in workspace.blobs.root.rglob("*"))


def test_import_timings_say_where_the_time_went(workspace: Workspace, tmp_path: Path) -> None:
    timings = ImportTimings()
    import_paths(workspace, [write_cube(tmp_path / "a.stl"), SLICERS / "mini_cube_a.gcode"], timings)
    assert timings.counts == {"mesh": 1, "sliced": 1}
    assert timings.parse > 0 and timings.thumbnails > 0 and timings.database > 0 and timings.store > 0
