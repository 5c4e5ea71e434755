"""The model library: models with tags, variants with per-extruder materials."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import NotFound, ValidationError
from core.services import library
from core.services.importing import import_paths
from core.workspace import Workspace
from tests.core.files import cube_stl_bytes


def test_tags_are_shared_by_name_and_can_be_replaced(workspace: Workspace) -> None:
    a = library.add_model(workspace, name="Dragon", tags=["Animals", "fantasy"])
    b = library.add_model(workspace, name="Cat", tags=["animals"])
    assert library.get_model(workspace, a.id).tags == ["Animals", "fantasy"]
    assert library.get_model(workspace, b.id).tags == ["Animals"]  # the same tag, whatever the case
    library.edit_model(workspace, a.id, tags=["fantasy", "Bestseller"])
    assert library.get_model(workspace, a.id).tags == ["Bestseller", "fantasy"]
    library.edit_model(workspace, a.id, tags=[])
    assert library.get_model(workspace, a.id).tags == []


def test_variant_materials_per_slot(workspace: Workspace) -> None:
    model = library.add_model(
        workspace, name="Benchy", licence_spdx="CC-BY-ND-4.0", licence_allows_selling=False
    )
    variant = library.add_variant(
        workspace,
        model_id=model.id,
        name="MMU",
        units_per_plate=4,
        print_time_s=660,
        materials=[
            library.MaterialInput(slot=0, grams_mg=1_200),
            library.MaterialInput(slot=2, grams_mg=290),
        ],
    )
    assert variant.grams_mg == 1_490 and variant.print_time_s == 660
    assert [(m.slot, m.grams_mg) for m in variant.materials] == [(0, 1_200), (2, 290)]
    edited = library.edit_variant(
        workspace, variant.id, materials=[library.MaterialInput(slot=0, grams_mg=1_500)]
    )
    assert [(m.slot, m.grams_mg) for m in edited.materials] == [(0, 1_500)]
    assert [v.id for v in library.list_variants(workspace, model.id)] == [variant.id]


def test_bad_library_input(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        library.add_model(workspace, name="")
    with pytest.raises(NotFound, match="model"):
        library.add_variant(workspace, model_id="missing", name="x")
    model = library.add_model(workspace, name="Dragon")
    with pytest.raises(ValidationError, match="units per plate must be at least 1"):
        library.add_variant(workspace, model_id=model.id, name="x", units_per_plate=0)
    with pytest.raises(ValidationError, match="only once"):
        library.add_variant(
            workspace,
            model_id=model.id,
            name="x",
            materials=[library.MaterialInput(slot=0), library.MaterialInput(slot=0)],
        )
    with pytest.raises(ValidationError, match="cannot be negative"):
        library.add_variant(
            workspace, model_id=model.id, name="x", materials=[library.MaterialInput(grams_mg=-1)]
        )
    assert library.list_variants(workspace) == []  # nothing half-written by the refused calls


def test_imported_files_attach_to_a_model_once(workspace: Workspace, tmp_path: Path) -> None:
    mesh = tmp_path / "dragon.stl"
    mesh.write_bytes(cube_stl_bytes())
    [outcome] = import_paths(workspace, [mesh])
    assert outcome.blob_id is not None
    model = library.add_model(workspace, name="Dragon")
    first = library.attach_file(workspace, model.id, outcome.blob_id)
    again = library.attach_file(workspace, model.id, outcome.blob_id)
    assert first == again
    assert library.model_files(workspace, model.id) == [("dragon.stl", "mesh", outcome.sha256)]
    with pytest.raises(NotFound, match="file blob"):
        library.attach_file(workspace, model.id, "missing")
    with pytest.raises(ValidationError, match="file role"):
        library.attach_file(workspace, model.id, outcome.blob_id, role="poster")


def test_an_edit_with_a_bad_tag_changes_nothing(workspace: Workspace) -> None:
    model = library.add_model(workspace, name="Dragon", tags=["animals"])
    with pytest.raises(ValidationError, match="tag"):
        library.edit_model(workspace, model.id, name="Wyvern", tags=["ok", ""])
    after = library.get_model(workspace, model.id)
    assert (after.name, after.tags) == ("Dragon", ["animals"])


def test_an_edit_with_bad_materials_changes_nothing(workspace: Workspace) -> None:
    model = library.add_model(workspace, name="Dragon")
    variant = library.add_variant(workspace, model_id=model.id, name="Dragon, PLA")
    with pytest.raises(ValidationError):
        library.edit_variant(
            workspace, variant.id, name="Dragon, PETG", materials=[library.MaterialInput(slot=0, grams_mg=-5)]
        )
    assert library.get_variant(workspace, variant.id).name == "Dragon, PLA"
