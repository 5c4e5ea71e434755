"""Turning an inspected file into library records: a model from a mesh, variants from a sliced file.

A sliced file belongs to the model
1. whose mesh it embeds (a .gcode.3mf carries its objects: matched by the mesh's fingerprint),
2. else whose name begins its file name (slicers name outputs `<model>_<layer>_<material>_<printer>...`),
3. else a new model named after the file.
A .gcode.3mf with several plates gives one variant per plate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.changes import UnitOfWork
from core.db.models import FileBlob, Model, ModelFile, ModelVariant, SlicedFile, VariantMaterial
from core.formats.model import Inspection, MeshInfo, SlicedInfo
from core.ids import derived_id

_SEPARATORS = re.compile(r"[\s_\-.()\[\]]+")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
MODEL_SUFFIXES = (".gcode.3mf", ".bgcode", ".gcode", ".gco", ".g", ".stl", ".3mf", ".obj")


def base_name(file_name: str) -> str:
    """'Dragon_0.2mm_PLA_MK4_1h2m.gcode' -> 'Dragon_0.2mm_PLA_MK4_1h2m'."""
    lower = file_name.lower()
    for suffix in MODEL_SUFFIXES:
        if lower.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


def tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(text.casefold()) if t]


def display_name(file_name: str) -> str:
    """A model name from a file name: separators become spaces."""
    return " ".join(_SEPARATORS.split(base_name(file_name))).strip() or file_name


def mesh_fingerprint(mesh: MeshInfo) -> str | None:
    """Geometry that survives re-export (triangle count, size, volume), to recognise one mesh in two files."""
    bbox = mesh.bbox_mm
    if bbox is None:
        return None
    size = [round(hi - lo, 2) for lo, hi in zip(bbox[0], bbox[1], strict=True)]
    return f"{mesh.triangle_count}:{size[0]}x{size[1]}x{size[2]}:{round(mesh.volume_cm3, 3)}"


@dataclass
class Created:
    model_id: str
    model_name: str
    variant_ids: list[str]
    how: str  # new model, matched by mesh, matched by name


def _find_by_fingerprint(uow: UnitOfWork, fingerprint: str) -> Model | None:
    rows = uow.session.execute(
        select(ModelFile.model_id, FileBlob.details)
        .join(FileBlob, (FileBlob.owner_id == ModelFile.owner_id) & (FileBlob.id == ModelFile.blob_id))
        .where(ModelFile.owner_id == uow.owner_id, ModelFile.deleted.is_(False), FileBlob.kind == "mesh")
    ).all()
    for model_id, details in rows:
        if (details or {}).get("fingerprint") == fingerprint:
            model = uow.find(Model, model_id)
            if model is not None and not model.deleted:
                return model
    return None


def _find_by_name(uow: UnitOfWork, file_name: str) -> Model | None:
    """The model whose name is the longest run of leading words of the file name."""
    wanted = tokens(base_name(file_name))
    best: tuple[int, Model] | None = None
    for model in uow.session.scalars(
        select(Model).where(Model.owner_id == uow.owner_id, Model.deleted.is_(False))
    ):
        name = tokens(model.name)
        if name and wanted[: len(name)] == name and (best is None or len(name) > best[0]):
            best = (len(name), model)
    return best[1] if best else None


def _new_model(uow: UnitOfWork, name: str, metadata: dict[str, str], thumbnail_blob_id: str | None) -> Model:
    licence = metadata.get("License") or metadata.get("LicenseTerms") or ""
    return uow.create(
        Model,
        name=(metadata.get("Title") or name)[:200],
        designer_name=(metadata.get("Designer") or "")[:200],
        licence_spdx=licence[:100],
        description=metadata.get("Description", "")[:20_000],
        thumbnail_blob_id=thumbnail_blob_id,
    )


def add_mesh(
    uow: UnitOfWork, blob: FileBlob, inspection: Inspection, thumbnail_blob_id: str | None
) -> Created:
    """A new model with this mesh file (and its rendered or embedded thumbnail)."""
    model = _new_model(uow, display_name(blob.original_name), inspection.metadata, thumbnail_blob_id)
    uow.create(
        ModelFile,
        id=derived_id(model.id, "file", blob.id),
        model_id=model.id,
        blob_id=blob.id,
        role="mesh",
        name=blob.original_name,
    )
    uow.audit("models.import", f"New model {model.name} from {blob.original_name}", model)
    return Created(model.id, model.name, [], "new model")


def _grams_mg(value: float | None) -> int | None:
    return None if value is None else max(0, round(value * 1000))


def _um(value: float | None) -> int | None:
    return None if value is None else max(0, round(value * 1000))


def _variant_settings(info: SlicedInfo) -> dict[str, Any]:
    keys = (
        "layer_height_mm",
        "first_layer_height_mm",
        "nozzle_diameter_mm",
        "infill_percent",
        "object_height_mm",
    )
    return {k: getattr(info, k) for k in keys if getattr(info, k) is not None}


def add_sliced(
    uow: UnitOfWork,
    blob: FileBlob,
    inspection: Inspection,
    thumbnail_blob_ids: list[list[str]],
    embedded_fingerprint: str | None = None,
) -> Created:
    """Variants for a sliced file (one per plate), attached to the model they belong to."""
    model: Model | None = None
    how = "new model"
    if embedded_fingerprint:
        model = _find_by_fingerprint(uow, embedded_fingerprint)
        how = "matched by its mesh"
    if model is None:
        model = _find_by_name(uow, blob.original_name)
        how = "matched by name"
    if model is None:
        first_thumbs = thumbnail_blob_ids[0] if thumbnail_blob_ids else []
        model = _new_model(
            uow, display_name(blob.original_name), {}, first_thumbs[0] if first_thumbs else None
        )
        how = "new model"
    plates = inspection.plates or ([inspection.sliced] if inspection.sliced else [])
    variant_ids = []
    stem = base_name(blob.original_name)
    for index, info in enumerate(plates):
        suffix = f" (plate {info.plate})" if len(plates) > 1 and info.plate is not None else ""
        first = info.filaments[0] if info.filaments else None
        variant = uow.create(
            ModelVariant,
            model_id=model.id,
            name=f"{stem}{suffix}"[:200],
            printer_model=(info.printer_model or "")[:100],
            material=((first.type if first else None) or "").upper()[:50],
            colour=((first.name or first.color or "") if first else "")[:100],
            settings=_variant_settings(info),
        )
        thumbs = thumbnail_blob_ids[index] if index < len(thumbnail_blob_ids) else []
        uow.create(
            SlicedFile,
            id=derived_id(variant.id, "sliced"),
            variant_id=variant.id,
            blob_id=blob.id,
            format=inspection.kind,
            slicer=(info.slicer_name or "")[:100],
            slicer_version=(info.slicer_version or "")[:50],
            print_time_s=info.estimated_time_s,
            filament_mg=[_grams_mg(f.weight_g) for f in info.filaments],
            filament_um=[_um(f.length_mm) for f in info.filaments],
            details={k: v for k, v in info.to_json().items() if k != "thumbnails"},
            thumbnail_blob_ids=thumbs,
            warnings=list(info.warnings)[:50],
        )
        for filament in info.filaments:
            uow.create(
                VariantMaterial,
                id=derived_id(variant.id, "slot", str(filament.slot)),
                variant_id=variant.id,
                slot=filament.slot,
                material=(filament.type or "").upper()[:50],
                colour_name=(filament.name or "")[:100],
                colour_hex=(filament.color or "").upper() if _HEX.match(filament.color or "") else "",
                grams_mg=_grams_mg(filament.weight_g) or 0,
                length_um=_um(filament.length_mm) or 0,
            )
        variant_ids.append(variant.id)
    uow.audit(
        "variants.import",
        f"{len(variant_ids)} variant(s) of {model.name} from {blob.original_name} ({how})",
        model,
    )
    return Created(model.id, model.name, variant_ids, how)
