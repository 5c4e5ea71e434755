"""Finding and showing models: the read queries of the library browser.

`search_models` turns what a user types into an SQLite FTS5 query (every word a prefix, so results narrow as
they type; their text is always quoted, so FTS syntax in it is searched for, never run) over the index that
migration 0002 keeps up to date with triggers, applies the filters and the sort order in SQL, and returns one
page of model ids. `model_cards` fetches what a grid cell shows for the ids on screen, `model_detail` what the
detail pane shows for one model, and `facets` the values the filters offer.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import aliased

from core.db.models import (
    FileBlob,
    Model,
    ModelFile,
    ModelTag,
    ModelVariant,
    Printer,
    SlicedFile,
    Tag,
    VariantMaterial,
)
from core.errors import ValidationError
from core.ids import derived_id
from core.services import library
from core.services.views import ModelView
from core.workspace import Workspace

# The index tables of migration 0002 (not models: they hold nothing of their own).
INDEX_TABLE_PREFIX = "models_fts"
_fts = table("models_fts", column("rowid"), column("rank"))
_keys = table("models_fts_keys", column("rowid"), column("owner_id"), column("model_id"))

Sort = Literal["name", "designer", "licence", "selling", "category", "variants", "added", "relevance"]
SORTS: tuple[str, ...] = typing.get_args(Sort)
Selling = Literal["allowed", "not_allowed", "unknown"]


class Filters(TypedDict, total=False):
    """The filters of `search_models` and `count_models` (what `_filtered` applies); None: not filtered."""

    tag: str | None
    category: str | None
    licence: str | None
    selling: Selling | None
    has_variants: bool | None


_WORD = re.compile(r"\w", re.UNICODE)
# Control characters end an FTS5 string early, and a lone surrogate cannot reach SQLite at all.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
MAX_QUERY_WORDS = 16


def fts_query(text: str) -> str | None:
    """The FTS5 query for what a user typed: each whitespace-separated word a quoted prefix phrase, all
    of them required. None when nothing searchable is left (only spaces or punctuation).

    'dra benchy"s' -> '"dra"* "benchy""s"*'. Quoting makes operators (AND, NOT, NEAR), column filters,
    parentheses and stars plain text; the index's tokenizer then splits a word like `v2.1` exactly as it split
    the indexed text.
    """
    text = _CONTROL.sub(" ", text)
    words = [w for w in text.split() if _WORD.search(w)][:MAX_QUERY_WORDS]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def _live(row: Any, owner_of: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """`conditions` on a live `row` (table or alias) of the same owner as `owner_of`: how two tables join."""
    return and_(row.owner_id == owner_of.owner_id, *conditions, row.deleted.is_(False))


def _live_variants(model: Any) -> ColumnElement[bool]:
    return exists().where(_live(ModelVariant, model, ModelVariant.model_id == model.id))


def _variant_count(model: Any) -> Any:
    return (
        select(func.count())
        .where(_live(ModelVariant, model, ModelVariant.model_id == model.id))
        .correlate(model)
        .scalar_subquery()
    )


def _filtered(
    ws: Workspace,
    *,
    tag: str | None = None,
    category: str | None = None,
    licence: str | None = None,
    selling: Selling | None = None,
    has_variants: bool | None = None,
) -> Select[Any]:
    """The ids of the owner's live models that pass the filters (not the text)."""
    query: Select[Any] = select(Model.id).where(Model.owner_id == ws.owner_id, Model.deleted.is_(False))
    if tag:
        tag_id = derived_id(ws.owner_id, "tag", tag.strip().casefold())
        query = query.where(
            exists().where(_live(ModelTag, Model, ModelTag.model_id == Model.id, ModelTag.tag_id == tag_id))
        )
    if category is not None:
        query = query.where(func.lower(Model.category) == category.strip().lower())
    if licence is not None:
        query = query.where(func.lower(Model.licence_spdx) == licence.strip().lower())
    if selling == "allowed":
        query = query.where(Model.licence_allows_selling.is_(True))
    elif selling == "not_allowed":
        query = query.where(Model.licence_allows_selling.is_(False))
    elif selling == "unknown":
        query = query.where(Model.licence_allows_selling.is_(None))
    elif selling is not None:
        raise ValidationError(f"Unknown selling filter {selling!r}.")
    if has_variants is not None:
        query = query.where(_live_variants(Model) if has_variants else ~_live_variants(Model))
    return query


def _hits(ws: Workspace, match: str) -> Select[Any]:
    """The owner's model ids whose index row matches the FTS query `match`, with the FTS rank.

    The index must drive this query, its MATCH run once: the callers use it as an `IN` list or as the outer
    loop. Left to itself, SQLite's planner prefers to walk the keys of the owner and run the MATCH once for
    each (seconds on 10,000 models); the unary `+` on the index's rowid keeps it from being used as a lookup,
    so the index is scanned by its MATCH and the keys are found by their primary key.
    """
    return (
        select(_keys.c.model_id, _fts.c.rank)
        .select_from(_fts)
        .join(_keys, _keys.c.rowid == literal_column("+models_fts.rowid"))
        .where(literal_column("models_fts").op("MATCH")(match), _keys.c.owner_id == ws.owner_id)
    )


def _matching(ws: Workspace, text: str, filters: dict[str, Any]) -> Select[Any]:
    """The ids of the owner's live models that match `text` and the filters, in no order."""
    query = _filtered(ws, **filters)
    match = fts_query(text or "")
    if match is not None:
        query = query.where(Model.id.in_(_hits(ws, match).with_only_columns(_keys.c.model_id)))
    elif (text or "").strip():
        query = query.where(false())  # only punctuation: nothing in the index can match it
    return query


def search_models(
    ws: Workspace,
    text: str = "",
    *,
    sort: Sort = "name",
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
    **filters: Unpack[Filters],
) -> list[str]:
    """Ids of the live models that match `text` (every word a prefix of a word in the name, designer, tags or
    notes) and the filters, one page in display order.

    `tag`, `category` and `licence` (an SPDX id; "" for models without one) match whole values, ignoring
    case. `selling` filters on what the licence says about selling prints. `sort` "relevance" is best match
    first (by name without text); every order ends with the name and the id, so pages never overlap.
    """
    ids, _ = search_page(
        ws, text, dict(filters), sort=sort, descending=descending, limit=limit, offset=offset
    )
    return ids


def search_page(
    ws: Workspace,
    text: str,
    filters: dict[str, Any],
    *,
    sort: Sort = "name",
    descending: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[str], int]:
    """`search_models` (with its filters as a dict) and how many models match over all pages.

    In name order, SQLite walks migration 0002's index on the names and stops at the end of the page, so the
    count is a query of its own (only made when the page is full). Best match first has to rank every match
    anyway, so it counts them on the way.
    """
    if sort not in SORTS:
        raise ValidationError(f"Models cannot be sorted by {sort!r}.")
    limit, offset = max(0, limit), max(0, offset)
    match = fts_query(text or "")
    if sort == "relevance" and match is not None:
        query = _best_match(ws, match, filters).add_columns(func.count().over())
        with ws.read() as session:
            rows = session.execute(query.limit(limit).offset(offset)).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        return [], count_models(ws, text, **filters) if offset else 0
    query = _matching(ws, text, filters).order_by(*_order(sort, descending))
    with ws.read() as session:
        ids = list(session.scalars(query.limit(limit).offset(offset)))
    if len(ids) < limit and (ids or not offset):
        return ids, offset + len(ids)
    return ids, count_models(ws, text, **filters)


def _order(sort: str, descending: bool) -> list[Any]:
    # As migration 0002's index models_fts_by_name has it: (owner_id, name COLLATE NOCASE, id).
    name = Model.name.collate("NOCASE")
    if sort in ("name", "relevance"):  # without text, every model matches as well as any other
        return (
            [name.desc(), Model.id.desc()] if descending and sort == "name" else [name.asc(), Model.id.asc()]
        )
    keys: dict[str, Any] = {
        "designer": func.lower(Model.designer_name),
        "licence": func.lower(Model.licence_spdx),
        "selling": case(  # allowed, unknown, not allowed
            (Model.licence_allows_selling.is_(True), 0), (Model.licence_allows_selling.is_(False), 2), else_=1
        ),
        "category": func.lower(Model.category),
        "variants": _variant_count(Model),
        "added": Model.created_at,
    }
    first = keys[sort]
    return [first.desc() if descending else first.asc(), name.asc(), Model.id.asc()]


def _best_match(ws: Workspace, match: str, filters: dict[str, Any]) -> Select[Any]:
    """Matches by FTS5 rank (lower is better; "descending" makes no sense for it), then by name."""
    name = (
        select(func.lower(Model.name))
        .where(Model.owner_id == ws.owner_id, Model.id == _keys.c.model_id)
        .scalar_subquery()
    )
    return (
        _hits(ws, match)
        .with_only_columns(_keys.c.model_id)
        .where(_keys.c.model_id.in_(_filtered(ws, **filters)))
        .order_by(_fts.c.rank, name, _keys.c.model_id)
    )


def count_models(ws: Workspace, text: str = "", **filters: Unpack[Filters]) -> int:
    """How many models `search_models` would find with these arguments, over all pages."""
    match = fts_query(text or "")
    filtered = bool(filters.get("tag")) or any(
        filters.get(name) is not None for name in ("category", "licence", "selling", "has_variants")
    )
    if match is not None and not filtered:
        # The index holds exactly the live models: its matches are the answer, without reading a model.
        query = _hits(ws, match).with_only_columns(func.count())
    else:
        query = select(func.count()).select_from(_matching(ws, text, dict(filters)).subquery())
    with ws.read() as session:
        return int(session.scalar(query) or 0)


# ---------------------------------------------------------------- what a grid cell shows


@dataclass(frozen=True)
class ModelCard:
    id: str
    name: str
    designer: str
    category: str
    licence: str  # SPDX id, or "" when not given
    allows_selling: bool | None  # None: unknown
    thumbnail_sha256: str | None  # of the FileBlob in the workspace's blob store
    variant_count: int
    deleted: bool

    @property
    def selling_warning(self) -> bool:
        """Selling prints is not allowed, or nobody has said whether it is."""
        return self.allows_selling is not True


def model_cards(ws: Workspace, ids: Sequence[str]) -> list[ModelCard]:
    """Cards for the models `ids`, in that order; an id with no model is left out (a deleted one is not)."""
    if not ids:
        return []
    thumb = aliased(FileBlob)
    query = (
        select(
            Model.id,
            Model.name,
            Model.designer_name,
            Model.category,
            Model.licence_spdx,
            Model.licence_allows_selling,
            thumb.sha256,
            _variant_count(Model),
            Model.deleted,
        )
        .outerjoin(thumb, _live(thumb, Model, thumb.id == Model.thumbnail_blob_id))
        .where(Model.owner_id == ws.owner_id, Model.id.in_(list(dict.fromkeys(ids))))
    )
    with ws.read() as session:
        rows = {row[0]: ModelCard(*row) for row in session.execute(query)}
    return [rows[i] for i in ids if i in rows]


# ---------------------------------------------------------------- what the detail pane shows


@dataclass(frozen=True)
class ExtruderUse:
    slot: int
    material: str
    colour_name: str
    colour_hex: str
    grams_mg: int | None  # None: the file did not say


@dataclass(frozen=True)
class FileEntry:
    name: str
    role: str  # mesh, image, document; sliced for a variant's sliced file
    sha256: str
    size: int


@dataclass(frozen=True)
class VariantDetail:
    id: str
    name: str
    printer: str  # the printer's name when one is linked, else the printer model the slicer named
    material: str
    colour: str
    units_per_plate: int
    print_time_s: int | None
    extruders: list[ExtruderUse]
    thumbnail_sha256: str | None
    slicer: str  # "PrusaSlicer 2.8.1"
    sliced_file: FileEntry | None = None  # the G-code, .bgcode or .gcode.3mf, named as it was imported

    @property
    def grams_mg(self) -> int | None:
        known = [e.grams_mg for e in self.extruders if e.grams_mg is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class ModelDetail:
    model: ModelView
    thumbnail_sha256: str | None
    files: list[FileEntry]
    variants: list[VariantDetail]

    @property
    def mesh(self) -> FileEntry | None:
        return next((f for f in self.files if f.role == "mesh"), None)


def model_detail(ws: Workspace, model_id: str) -> ModelDetail:
    """Everything the detail pane shows of one live model (NotFound for a missing or deleted one)."""
    model = library.get_model(ws, model_id)
    with ws.read() as session:
        owner = ws.owner_id
        thumbnail = session.scalar(
            select(FileBlob.sha256)
            .join(Model, and_(Model.owner_id == FileBlob.owner_id, Model.thumbnail_blob_id == FileBlob.id))
            .where(Model.owner_id == owner, Model.id == model_id, FileBlob.deleted.is_(False))
        )
        files = [
            FileEntry(name, role, sha, size)
            for name, role, sha, size in session.execute(
                select(ModelFile.name, ModelFile.role, FileBlob.sha256, FileBlob.size)
                .join(
                    FileBlob,
                    and_(
                        FileBlob.owner_id == ModelFile.owner_id,
                        FileBlob.id == ModelFile.blob_id,
                    ),
                )
                .where(
                    ModelFile.owner_id == owner,
                    ModelFile.model_id == model_id,
                    ModelFile.deleted.is_(False),
                )
                .order_by(ModelFile.role, func.lower(ModelFile.name))
            )
        ]
        variant_rows = session.execute(
            select(ModelVariant, SlicedFile, Printer.name)
            .outerjoin(SlicedFile, _live(SlicedFile, ModelVariant, SlicedFile.variant_id == ModelVariant.id))
            .outerjoin(Printer, _live(Printer, ModelVariant, Printer.id == ModelVariant.printer_id))
            .where(
                ModelVariant.owner_id == owner,
                ModelVariant.model_id == model_id,
                ModelVariant.deleted.is_(False),
            )
            .order_by(func.lower(ModelVariant.name), ModelVariant.id)
        ).all()
        variant_ids = [v.id for v, _, _ in variant_rows]
        materials: dict[str, list[VariantMaterial]] = {vid: [] for vid in variant_ids}
        for row in library.material_rows(session, owner, variant_ids):
            materials[row.variant_id].append(row)
        thumb_ids = [sliced.thumbnail_blob_ids[0] for _, sliced, _ in variant_rows if _first_thumb(sliced)]
        shas = dict(
            session.execute(
                select(FileBlob.id, FileBlob.sha256).where(
                    FileBlob.owner_id == owner, FileBlob.id.in_(thumb_ids), FileBlob.deleted.is_(False)
                )
            ).all()
        )
        sliced_ids = [sliced.blob_id for _, sliced, _ in variant_rows if sliced and sliced.blob_id]
        sliced_files = {
            blob_id: FileEntry(name, "sliced", sha, size)
            for blob_id, name, sha, size in session.execute(
                select(FileBlob.id, FileBlob.original_name, FileBlob.sha256, FileBlob.size).where(
                    FileBlob.owner_id == owner, FileBlob.id.in_(sliced_ids), FileBlob.deleted.is_(False)
                )
            )
        }
    variants = [
        VariantDetail(
            id=variant.id,
            name=variant.name,
            printer=printer_name or variant.printer_model,
            material=variant.material,
            colour=variant.colour,
            units_per_plate=variant.units_per_plate,
            print_time_s=sliced.print_time_s if sliced else None,
            extruders=_extruders(materials[variant.id], sliced),
            thumbnail_sha256=shas.get(thumb) if (thumb := _first_thumb(sliced)) else None,
            slicer=" ".join(p for p in (sliced.slicer, sliced.slicer_version) if p) if sliced else "",
            sliced_file=sliced_files.get(sliced.blob_id) if sliced and sliced.blob_id else None,
        )
        for variant, sliced, printer_name in variant_rows
    ]
    return ModelDetail(model, thumbnail, files, variants)


def _first_thumb(sliced: SlicedFile | None) -> str | None:
    if sliced is None or not sliced.thumbnail_blob_ids:
        return None
    first = sliced.thumbnail_blob_ids[0]
    return first if isinstance(first, str) else None


def _extruders(rows: list[VariantMaterial], sliced: SlicedFile | None) -> list[ExtruderUse]:
    """Per extruder slot: the variant's materials; where a slot has no weight, what the sliced file read."""
    read: list[Any] = list(sliced.filament_mg) if sliced is not None else []

    def from_file(slot: int) -> int | None:
        value = read[slot] if 0 <= slot < len(read) else None
        return value if isinstance(value, int) else None

    if rows:
        return [
            ExtruderUse(r.slot, r.material, r.colour_name, r.colour_hex, r.grams_mg or from_file(r.slot))
            for r in rows
        ]
    return [ExtruderUse(slot, "", "", "", from_file(slot)) for slot in range(len(read))]


# ---------------------------------------------------------------- what the filters offer


@dataclass(frozen=True)
class Facets:
    tags: list[str]
    categories: list[str]
    licences: list[str]  # SPDX ids in use; "" stands for "no licence given" when some model has none


def facets(ws: Workspace) -> Facets:
    """The tags, categories and licences of the live models, sorted for a menu."""
    owner = ws.owner_id
    live = and_(Model.owner_id == owner, Model.deleted.is_(False))
    with ws.read() as session:
        tags = session.scalars(
            select(Tag.name)
            .where(
                Tag.owner_id == owner,
                Tag.deleted.is_(False),
                exists().where(
                    ModelTag.owner_id == owner,
                    ModelTag.tag_id == Tag.id,
                    ModelTag.deleted.is_(False),
                    exists().where(live, Model.id == ModelTag.model_id),
                ),
            )
            .order_by(func.lower(Tag.name))
        ).all()
        categories = session.scalars(
            select(Model.category)
            .where(live, Model.category != "")
            .distinct()
            .order_by(func.lower(Model.category))
        ).all()
        licences = session.scalars(
            select(Model.licence_spdx).where(live).distinct().order_by(func.lower(Model.licence_spdx))
        ).all()
    return Facets(list(tags), _unique_folded(categories), _unique_folded(licences))


def _unique_folded(values: Sequence[str]) -> list[str]:
    """One entry per value ignoring case (the filters ignore case too), keeping the first spelling."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def search_index_rows(ws: Workspace) -> dict[str, dict[str, str]]:
    """What the search index holds for the owner's models, by model id (for tests and diagnostics)."""
    query = (
        select(
            _keys.c.model_id,
            literal_column("models_fts.name"),
            literal_column("models_fts.designer"),
            literal_column("models_fts.tags"),
            literal_column("models_fts.notes"),
        )
        .select_from(_fts.join(_keys, _keys.c.rowid == _fts.c.rowid))
        .where(_keys.c.owner_id == ws.owner_id)
    )
    with ws.read() as session:
        return {
            model_id: {"name": name, "designer": designer, "tags": tags, "notes": notes}
            for model_id, name, designer, tags, notes in session.execute(query)
        }
