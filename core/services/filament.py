"""The filament shelf: filaments (what you reorder), spools (physical rolls) and their usage ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.changes import fetch
from core.db.models import Filament, FilamentUsage, Spool
from core.errors import Conflict, ValidationError
from core.services import checks, records
from core.services.ledgers import spool_remaining_mg
from core.services.views import FilamentView, SpoolView, UsageView, view_of
from core.workspace import Workspace

# Densities in mg/cm3 used when a filament does not say (and by the extrusion-based usage estimate).
DEFAULT_DENSITY = {"PLA": 1240, "PETG": 1270, "ABS": 1040, "ASA": 1070, "TPU": 1210, "PA": 1140, "PC": 1200}

FILAMENT = records.EntitySpec(
    model=Filament,
    required=("material",),
    describe=lambda f: " ".join(p for p in (f.brand, f.material, f.colour_name) if p),
    fields={
        "brand": lambda v: checks.text(v, "brand", max_len=100),
        "material": lambda v: checks.text(v, "material", required=True, max_len=50).upper(),
        "colour_name": lambda v: checks.text(v, "colour name", max_len=100),
        "colour_hex": checks.colour_hex,
        "extra_colours": lambda v: [checks.colour_hex(c) for c in (v or [])],
        "diameter_um": lambda v: checks.integer(v, "filament diameter", minimum=1000, maximum=3000),
        "density_mg_cm3": lambda v: checks.integer(v, "density", minimum=500, maximum=5000),
        "net_weight_mg": lambda v: checks.integer(v, "net weight", minimum=1),
        "empty_spool_weight_mg": lambda v: checks.integer(v, "empty spool weight"),
        "price_cents": lambda v: checks.integer(v, "price"),
        "low_stock_mg": lambda v: checks.integer(v, "low-stock level"),
        "notes": lambda v: checks.text(v, "notes", max_len=10_000),
    },
)

SPOOL = records.EntitySpec(
    model=Spool,
    required=("filament_id", "initial_weight_mg"),
    describe=lambda s: s.id[-8:],
    fields={
        "filament_id": lambda v: checks.text(v, "filament", required=True, max_len=36),
        "initial_weight_mg": lambda v: checks.integer(v, "spool weight", minimum=1),
        "empty_spool_weight_mg": lambda v: checks.optional_integer(v, "empty spool weight"),
        "location": lambda v: checks.text(v, "location", max_len=100),
        "lot": lambda v: checks.text(v, "lot", max_len=100),
        "purchase_date": lambda v: checks.iso_date(v, "purchase date"),
        "price_cents": lambda v: checks.optional_integer(v, "price"),
        "opened": bool,
        "archived": bool,
        "notes": lambda v: checks.text(v, "notes", max_len=10_000),
    },
)

USAGE_REASONS = ("print", "failed_print", "manual", "weigh_in", "waste")


def _label(filament: Filament | None) -> str:
    if filament is None:
        return "(unknown filament)"
    return " ".join(p for p in (filament.brand, filament.material, filament.colour_name) if p)


# ---------------------------------------------------------------- filaments


def add_filament(ws: Workspace, **values: Any) -> FilamentView:
    if "density_mg_cm3" not in values and values.get("material"):
        density = DEFAULT_DENSITY.get(str(values["material"]).strip().upper())
        if density:
            values["density_mg_cm3"] = density
    row = records.create(ws, FILAMENT, values)
    return get_filament(ws, row.id)


def edit_filament(ws: Workspace, filament_id: str, **changes: Any) -> FilamentView:
    records.edit(ws, FILAMENT, filament_id, changes)
    return get_filament(ws, filament_id)


def delete_filament(ws: Workspace, filament_id: str) -> None:
    """Move a filament to the trash. Refused (Conflict) while any of its spools, archived ones too, is not."""
    with ws.write() as uow:
        row = uow.get(Filament, filament_id)
        count = uow.session.scalar(
            select(func.count())
            .select_from(Spool)
            .where(Spool.owner_id == uow.owner_id, Spool.filament_id == row.id, Spool.deleted.is_(False))
        )
        if count:
            spools = "1 spool" if count == 1 else f"{count} spools"
            raise Conflict(
                f"{FILAMENT.describe(row)} still has {spools} (archived ones count too); "
                "delete them before deleting the filament."
            )
        records.delete_in(uow, FILAMENT, row.id)


def get_filament(ws: Workspace, filament_id: str) -> FilamentView:
    return next(v for v in _filament_views(ws, [records.get(ws, FILAMENT, filament_id)]))


def list_filaments(ws: Workspace) -> list[FilamentView]:
    return _filament_views(ws, records.live(ws, FILAMENT, order_by=Filament.material))


def _filament_views(ws: Workspace, filaments: list[Filament]) -> list[FilamentView]:
    with ws.read() as session:
        spools = list(
            session.scalars(
                select(Spool).where(
                    Spool.owner_id == ws.owner_id,
                    Spool.deleted.is_(False),
                    Spool.archived.is_(False),
                    Spool.filament_id.in_([f.id for f in filaments]),
                )
            )
        )
        remaining = spool_remaining_mg(session, ws.owner_id, spools)
    per_filament: dict[str, int] = {}
    for spool in spools:
        per_filament[spool.filament_id] = per_filament.get(spool.filament_id, 0) + remaining[spool.id]
    return [view_of(FilamentView, f, remaining_mg=per_filament.get(f.id, 0)) for f in filaments]


# ---------------------------------------------------------------- spools


def add_spool(ws: Workspace, **values: Any) -> SpoolView:
    """A new roll on the shelf. Its initial weight defaults to the filament's net weight."""
    with ws.write() as uow:
        filament = uow.get(Filament, str(values.get("filament_id", "")))
        values.setdefault("initial_weight_mg", filament.net_weight_mg)
        row = records.create_in(uow, SPOOL, values)
    return get_spool(ws, row.id)


def edit_spool(ws: Workspace, spool_id: str, **changes: Any) -> SpoolView:
    records.edit(ws, SPOOL, spool_id, changes)
    return get_spool(ws, spool_id)


def delete_spool(ws: Workspace, spool_id: str) -> None:
    records.delete(ws, SPOOL, spool_id)


def get_spool(ws: Workspace, spool_id: str) -> SpoolView:
    return _spool_views(ws, [records.get(ws, SPOOL, spool_id)])[0]


def list_spools(ws: Workspace, *, include_archived: bool = False) -> list[SpoolView]:
    spools = records.live(ws, SPOOL, order_by=Spool.created_at)
    if not include_archived:
        spools = [s for s in spools if not s.archived]
    return _spool_views(ws, spools)


def _spool_views(ws: Workspace, spools: list[Spool]) -> list[SpoolView]:
    with ws.read() as session:
        remaining = spool_remaining_mg(session, ws.owner_id, spools)
        filaments = {
            f.id: f
            for f in session.scalars(
                select(Filament).where(
                    Filament.owner_id == ws.owner_id, Filament.id.in_({s.filament_id for s in spools})
                )
            )
        }
    return [
        view_of(SpoolView, s, label=_label(filaments.get(s.filament_id)), remaining_mg=remaining[s.id])
        for s in spools
    ]


def record_usage(
    ws: Workspace, spool_id: str, grams_mg: int, *, reason: str = "manual", note: str = ""
) -> SpoolView:
    """Filament taken off a spool by hand (a test print, waste). `grams_mg` is the amount used, positive."""
    checks.integer(grams_mg, "amount used", minimum=1)
    checks.one_of(reason, "reason", USAGE_REASONS)
    with ws.write() as uow:
        spool = uow.get(Spool, spool_id)
        uow.append(FilamentUsage, spool_id=spool.id, delta_mg=-grams_mg, reason=reason, note=note)
        if not spool.opened:
            uow.update(spool, opened=True)
        uow.audit("spool.use", f"Used {grams_mg / 1000:g} g from spool {spool.id[-8:]} ({reason})", spool)
    return get_spool(ws, spool_id)


def weigh_spool(ws: Workspace, spool_id: str, gross_mg: int) -> tuple[SpoolView, int]:
    """Weigh a spool (filament and spool together): the difference to the ledger becomes a usage row.

    Returns the spool and the correction in milligrams (negative when more was used than recorded).
    """
    checks.integer(gross_mg, "weighed weight", minimum=0)
    with ws.write() as uow:
        spool = uow.get(Spool, spool_id)
        filament = uow.find(Filament, spool.filament_id)
        empty = spool.empty_spool_weight_mg
        if empty is None:
            empty = filament.empty_spool_weight_mg if filament is not None else 0
        net = gross_mg - empty
        if net < 0:
            raise ValidationError(
                f"The weighed {gross_mg / 1000:g} g is less than the empty spool's {empty / 1000:g} g; "
                "check the scale or the empty spool weight."
            )
        current = spool_remaining_mg(uow.session, uow.owner_id, [spool])[spool.id]
        correction = net - current
        if correction:
            uow.append(FilamentUsage, spool_id=spool.id, delta_mg=correction, reason="weigh_in")
        uow.audit(
            "spool.weigh",
            f"Weighed spool {spool.id[-8:]}: {net / 1000:g} g of filament left ({correction / 1000:+g} g)",
            spool,
        )
    return get_spool(ws, spool_id), correction


def spool_history(ws: Workspace, spool_id: str) -> list[UsageView]:
    records.get(ws, SPOOL, spool_id)
    with ws.read() as session:
        rows = session.scalars(
            select(FilamentUsage)
            .where(FilamentUsage.owner_id == ws.owner_id, FilamentUsage.spool_id == spool_id)
            .order_by(FilamentUsage.at, FilamentUsage.id)
        )
        return [view_of(UsageView, row) for row in rows]


# ---------------------------------------------------------------- shelf levels (what the shelf flags)

# A spool is nearly empty below this many grams or this share of its initial weight, whichever is more.
NEARLY_EMPTY_MG = 50_000
NEARLY_EMPTY_PERCENT = 10


def nearly_empty(spool: SpoolView) -> bool:
    """Whether a spool is worth flagging as running out (about one more medium print, or under 10 %)."""
    return spool.remaining_mg < max(NEARLY_EMPTY_MG, spool.initial_weight_mg * NEARLY_EMPTY_PERCENT // 100)


def running_low(filament: FilamentView) -> bool:
    """Whether a filament's live spools hold less than its low-stock level (a level of 0 means never)."""
    return filament.low_stock_mg > 0 and filament.remaining_mg < filament.low_stock_mg


def spool_tare_mg(ws: Workspace, spool_id: str) -> int:
    """The empty-spool weight that weighing in subtracts: the spool's own, else its filament's."""
    with ws.read() as session:
        spool = fetch(session, Spool, ws.owner_id, spool_id)
        if spool.empty_spool_weight_mg is not None:
            return spool.empty_spool_weight_mg
        filament = session.get(Filament, (ws.owner_id, spool.filament_id))
        return filament.empty_spool_weight_mg if filament is not None else 0
