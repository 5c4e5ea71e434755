"""The model library: models (designs) with designer, licence and tags, and their sliced variants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.changes import UnitOfWork
from core.db.models import (
    FileBlob,
    Model,
    ModelFile,
    ModelTag,
    ModelVariant,
    SlicedFile,
    Tag,
    VariantMaterial,
)
from core.errors import ValidationError
from core.ids import derived_id
from core.services import checks, records
from core.services.views import MaterialView, ModelView, VariantView, view_of
from core.workspace import Workspace

MODEL = records.EntitySpec(
    model=Model,
    required=("name",),
    fields={
        "name": lambda v: checks.text(v, "model name", required=True),
        "description": lambda v: checks.text(v, "description", max_len=20_000),
        "designer_name": lambda v: checks.text(v, "designer"),
        "designer_url": lambda v: checks.text(v, "designer link", max_len=500),
        "licence_spdx": lambda v: checks.text(v, "licence", max_len=100),
        "licence_allows_selling": lambda v: None if v is None else bool(v),
        "source_url": lambda v: checks.text(v, "source link", max_len=500),
        "category": lambda v: checks.text(v, "category", max_len=100),
        "notes": lambda v: checks.text(v, "notes", max_len=20_000),
        "thumbnail_blob_id": lambda v: v or None,
    },
)

VARIANT = records.EntitySpec(
    model=ModelVariant,
    required=("model_id", "name"),
    fields={
        "model_id": lambda v: checks.text(v, "model", required=True, max_len=36),
        "name": lambda v: checks.text(v, "variant name", required=True),
        "printer_id": lambda v: checks.text(v, "printer", max_len=36) or None,
        "printer_model": lambda v: checks.text(v, "printer model", max_len=100),
        "material": lambda v: checks.text(v, "material", max_len=50).upper(),
        "colour": lambda v: checks.text(v, "colour", max_len=100),
        "units_per_plate": lambda v: checks.integer(v, "units per plate", minimum=1, maximum=10_000),
        "settings": lambda v: dict(v or {}),
        "notes": lambda v: checks.text(v, "notes", max_len=20_000),
    },
)


@dataclass(frozen=True)
class MaterialInput:
    """What one extruder slot of a variant uses, as a caller gives it."""

    slot: int = 0
    grams_mg: int = 0
    material: str = ""
    colour_name: str = ""
    colour_hex: str = ""
    filament_id: str | None = None
    length_um: int = 0


# ---------------------------------------------------------------- models and tags


def add_model(ws: Workspace, *, tags: Sequence[str] = (), **values: Any) -> ModelView:
    with ws.write() as uow:
        row = records.create_in(uow, MODEL, values)
        _set_tags(uow, row.id, tags)
    return get_model(ws, row.id)


def edit_model(
    ws: Workspace, model_id: str, *, tags: Sequence[str] | None = None, **changes: Any
) -> ModelView:
    """Change a model's fields and tags together: all of it or, when something is refused, none of it."""
    with ws.write() as uow:
        row = records.edit_in(uow, MODEL, model_id, changes) if changes else uow.get(Model, model_id)
        if tags is not None:
            _set_tags(uow, model_id, tags)
            uow.audit("models.tags", f"Tags of {row.name}: {', '.join(tags) or 'none'}", row)
    return get_model(ws, model_id)


def delete_model(ws: Workspace, model_id: str) -> None:
    records.delete(ws, MODEL, model_id)


def get_model(ws: Workspace, model_id: str) -> ModelView:
    return _model_views(ws, [records.get(ws, MODEL, model_id)])[0]


def list_models(ws: Workspace) -> list[ModelView]:
    return _model_views(ws, records.live(ws, MODEL, order_by=Model.name))


def _set_tags(uow: UnitOfWork, model_id: str, names: Sequence[str]) -> None:
    wanted: dict[str, str] = {}
    for name in names:
        clean = checks.text(name, "tag", required=True, max_len=100)
        wanted[derived_id(uow.owner_id, "tag", clean.casefold())] = clean
    for tag_id, name in wanted.items():
        if (tag := uow.find(Tag, tag_id)) is None or tag.deleted:
            uow.create(Tag, id=tag_id, name=name)
        uow.create(ModelTag, id=derived_id(model_id, "tag", tag_id), model_id=model_id, tag_id=tag_id)
    current = uow.session.scalars(
        select(ModelTag).where(
            ModelTag.owner_id == uow.owner_id, ModelTag.model_id == model_id, ModelTag.deleted.is_(False)
        )
    )
    for link in current:
        if link.tag_id not in wanted:
            uow.tombstone(link)


def _model_views(ws: Workspace, rows: list[Model]) -> list[ModelView]:
    with ws.read() as session:
        pairs = session.execute(
            select(ModelTag.model_id, Tag.name)
            .join(Tag, (Tag.owner_id == ModelTag.owner_id) & (Tag.id == ModelTag.tag_id))
            .where(
                ModelTag.owner_id == ws.owner_id,
                ModelTag.deleted.is_(False),
                ModelTag.model_id.in_([r.id for r in rows]),
            )
        ).all()
        tags: dict[str, list[str]] = {}
        for model_id, name in pairs:
            tags.setdefault(model_id, []).append(name)
    return [view_of(ModelView, r, tags=sorted(tags.get(r.id, []), key=str.casefold)) for r in rows]


# ---------------------------------------------------------------- files of a model

FILE_ROLES = ("mesh", "image", "document")


def attach_file(ws: Workspace, model_id: str, blob: str, *, role: str = "mesh", name: str = "") -> str:
    """Make a stored file (a FileBlob) one of a model's files. Attaching it again changes nothing new.

    Returns the id of the model-file link.
    """
    checks.one_of(role, "file role", FILE_ROLES)
    with ws.write() as uow:
        model = uow.get(Model, model_id)
        stored = uow.get(FileBlob, blob)
        link = uow.create(
            ModelFile,
            id=derived_id(model_id, "file", stored.id),
            model_id=model.id,
            blob_id=stored.id,
            role=role,
            name=checks.text(name or stored.original_name, "file name", required=True, max_len=255),
        )
        uow.audit("models.attach", f"Attached {link.name} to {model.name}", model)
        return link.id


def model_files(ws: Workspace, model_id: str) -> list[tuple[str, str, str]]:
    """(name, role, sha256) of a model's live files."""
    with ws.read() as session:
        rows = session.execute(
            select(ModelFile.name, ModelFile.role, FileBlob.sha256)
            .join(FileBlob, (FileBlob.owner_id == ModelFile.owner_id) & (FileBlob.id == ModelFile.blob_id))
            .where(
                ModelFile.owner_id == ws.owner_id,
                ModelFile.model_id == model_id,
                ModelFile.deleted.is_(False),
            )
            .order_by(ModelFile.name)
        ).all()
    return [(name, role, sha) for name, role, sha in rows]


# ---------------------------------------------------------------- variants


def add_variant(
    ws: Workspace,
    *,
    materials: Sequence[MaterialInput] = (),
    print_time_s: int | None = None,
    **values: Any,
) -> VariantView:
    """A model sliced for a printer/material/colour, with what each extruder slot uses."""
    with ws.write() as uow:
        uow.get(Model, str(values.get("model_id", "")))
        row = records.create_in(uow, VARIANT, values)
        _set_materials(uow, row.id, materials)
        if print_time_s is not None:
            uow.create(
                SlicedFile,
                id=derived_id(row.id, "sliced"),
                variant_id=row.id,
                print_time_s=checks.integer(print_time_s, "print time"),
                filament_mg=[m.grams_mg for m in sorted(materials, key=lambda m: m.slot)],
            )
    return get_variant(ws, row.id)


def edit_variant(
    ws: Workspace, variant_id: str, *, materials: Sequence[MaterialInput] | None = None, **changes: Any
) -> VariantView:
    with ws.write() as uow:
        row = (
            records.edit_in(uow, VARIANT, variant_id, changes)
            if changes
            else uow.get(ModelVariant, variant_id)
        )
        if materials is not None:
            _set_materials(uow, variant_id, materials)
            uow.audit("model_variants.materials", f"Changed the materials of {row.name}", row)
    return get_variant(ws, variant_id)


def delete_variant(ws: Workspace, variant_id: str) -> None:
    records.delete(ws, VARIANT, variant_id)


def get_variant(ws: Workspace, variant_id: str) -> VariantView:
    return _variant_views(ws, [records.get(ws, VARIANT, variant_id)])[0]


def list_variants(ws: Workspace, model_id: str | None = None) -> list[VariantView]:
    rows = records.live(ws, VARIANT, order_by=ModelVariant.name)
    return _variant_views(ws, [r for r in rows if model_id is None or r.model_id == model_id])


def _set_materials(uow: UnitOfWork, variant_id: str, materials: Sequence[MaterialInput]) -> None:
    slots = [m.slot for m in materials]
    if len(set(slots)) != len(slots):
        raise ValidationError("Each extruder slot can be given only once.")
    for m in materials:
        checks.integer(m.slot, "extruder slot", maximum=63)
        checks.integer(m.grams_mg, "filament weight")
        checks.integer(m.length_um, "filament length")
        uow.create(
            VariantMaterial,
            id=derived_id(variant_id, "slot", str(m.slot)),
            variant_id=variant_id,
            slot=m.slot,
            material=checks.text(m.material, "material", max_len=50).upper(),
            colour_name=checks.text(m.colour_name, "colour name", max_len=100),
            colour_hex=checks.colour_hex(m.colour_hex),
            filament_id=m.filament_id,
            grams_mg=m.grams_mg,
            length_um=m.length_um,
        )
    for row in material_rows(uow.session, uow.owner_id, [variant_id]):
        if row.slot not in slots:
            uow.tombstone(row)


def material_rows(session: Session, owner_id: str, variant_ids: Iterable[str]) -> list[VariantMaterial]:
    """The live extruder-slot rows of the variants `variant_ids`, in slot order."""
    return list(
        session.scalars(
            select(VariantMaterial)
            .where(
                VariantMaterial.owner_id == owner_id,
                VariantMaterial.variant_id.in_(list(variant_ids)),
                VariantMaterial.deleted.is_(False),
            )
            .order_by(VariantMaterial.slot)
        )
    )


def variant_materials(ws: Workspace, variant_ids: Sequence[str]) -> dict[str, list[MaterialView]]:
    with ws.read() as session:
        out: dict[str, list[MaterialView]] = {vid: [] for vid in variant_ids}
        for row in material_rows(session, ws.owner_id, variant_ids):
            out[row.variant_id].append(view_of(MaterialView, row))
    return out


def _variant_views(ws: Workspace, rows: list[ModelVariant]) -> list[VariantView]:
    ids = [r.id for r in rows]
    materials = variant_materials(ws, ids)
    with ws.read() as session:
        times = dict(
            session.execute(
                select(SlicedFile.variant_id, SlicedFile.print_time_s).where(
                    SlicedFile.owner_id == ws.owner_id,
                    SlicedFile.variant_id.in_(ids),
                    SlicedFile.deleted.is_(False),
                )
            ).all()
        )
    return [view_of(VariantView, r, materials=materials[r.id], print_time_s=times.get(r.id)) for r in rows]
