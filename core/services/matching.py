"""Filament matching: which spool on the shelf each extruder slot of a print should use, and what is short.

A variant says per extruder slot what it needs (`VariantMaterial`: a material, a colour by name and/or hex
code, sometimes one specific filament, grams per plate). The shelf is every live, non-archived spool with
weight left on its ledger. For each slot the spools of the right diameter are ranked, best first:

1. a spool of the specific filament the slot names;
2. the same material;
3. the same colour (hex codes compared as CIE L*a*b* distance, names compared by their colour words);
4. not loaded for another job that is printing now;
5. enough filament for copies x grams (what jobs printing now will still use is taken off first);
6. among spools with enough: opened ones before sealed ones, then the one with the least left, so rolls
   get finished; among spools without enough, the one with the most left.

A spool of another diameter (1.75 mm unless the variant's settings say otherwise) is never a candidate.
The chosen spool is the best one of the right material that no earlier slot of the same print has taken;
a slot with no spool of its material gets none. Each slot carries a warning sentence when something is off
("Extruder 2 needs 58 g of PETG black; the best spool has 31 g left.").

`plan_usage` runs the same matching over a list of jobs in queue order, taking each job's filament off the
spools it would use, and totals what the jobs need per filament against what the shelf holds.

Everything returned is a plain frozen dataclass; the ranking itself (`match_requirements`) is pure and needs
no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.changes import fetch
from core.db.models import Filament, ModelVariant, PrintJob, Spool
from core.services import library
from core.services.ledgers import spool_remaining_mg
from core.services.views import JobView
from core.workspace import Workspace

DEFAULT_DIAMETER_UM = 1750
DIAMETER_TOLERANCE_UM = 50  # 1.75 and 1.73 are the same filament; 1.75 and 2.85 are not
SAME_COLOUR_DELTA_E = 3.0  # barely visible side by side
CLOSE_COLOUR_DELTA_E = 15.0  # black and "galaxy black" (about 9); not black and charcoal (about 21)

Colour = Literal["same", "any", "close", "unknown", "different"]
_COLOUR_RANK: dict[Colour, int] = {"same": 0, "any": 0, "close": 1, "unknown": 2, "different": 3}

# Words that name a colour. A requirement's colour name (often a slicer profile name such as "Generic PETG"
# or "Prusament PLA Galaxy Black @MK4") counts as a colour only if it has one of these or a word of a colour
# on the shelf.
COLOUR_WORDS = frozenset(
    {
        "black", "white", "grey", "gray", "silver", "gold", "red", "orange", "yellow", "green", "blue",
        "purple", "violet", "pink", "brown", "beige", "natural", "transparent", "clear", "translucent",
        "teal", "cyan", "magenta", "navy", "olive", "ivory", "cream", "bronze", "copper", "lime", "mint",
        "turquoise", "maroon", "burgundy",
    }
)  # fmt: skip
_NOT_COLOUR = frozenset({"generic", "filament", "basic", "pro", "plus", "hf", "hs", "mm", "spool", "refill"})
_WORD = re.compile(r"[^\W_]+")


# ---------------------------------------------------------------- what the shelf holds


@dataclass(frozen=True)
class ShelfSpool:
    """A spool that could go into an extruder, with its filament's properties."""

    spool_id: str
    filament_id: str
    label: str  # brand material colour, as the shelf shows it
    brand: str
    material: str
    colour_name: str
    colour_hex: str
    diameter_um: int
    remaining_mg: int  # per the ledger
    committed_mg: int  # what the jobs printing now will still take off it
    opened: bool
    location: str
    busy_job_ids: tuple[str, ...] = ()  # jobs printing now with this spool loaded

    @property
    def available_mg(self) -> int:
        return self.remaining_mg - self.committed_mg


@dataclass(frozen=True)
class Shelf:
    spools: tuple[ShelfSpool, ...]
    filament_labels: Mapping[str, str]  # every live filament, for naming needs with no spool left

    def spool(self, spool_id: str) -> ShelfSpool | None:
        return next((s for s in self.spools if s.spool_id == spool_id), None)


# ---------------------------------------------------------------- what a print needs


@dataclass(frozen=True)
class Requirement:
    """What one extruder slot needs for one copy (plate)."""

    slot: int
    grams_mg: int
    material: str = ""
    colour_name: str = ""
    colour_hex: str = ""
    filament_id: str | None = None

    @property
    def description(self) -> str:
        """'PETG black', or the colour name alone when it already says the material."""
        colour = self.colour_name.strip()
        material = self.material.strip()
        if colour and material and material.casefold() in _words(colour):
            return colour
        parts = [material or "filament"]
        if colour:
            parts.append(colour)
        elif self.colour_hex:
            parts.append(self.colour_hex.upper())
        return " ".join(parts)


@dataclass(frozen=True)
class Candidate:
    """A spool ranked for one slot, with the reasons for its place."""

    spool: ShelfSpool
    available_mg: int  # after what the jobs printing now (and, in a plan, the jobs ahead) take
    specific: bool  # the spool is of the filament the slot names
    material_ok: bool
    colour: Colour
    colour_distance: float | None  # CIE76 delta E between the hex codes, where both have one
    enough: bool
    busy: bool  # loaded for another job that is printing

    @property
    def suitable(self) -> bool:
        """Right material and colour (or the very filament asked for)."""
        return self.specific or (self.material_ok and self.colour != "different")

    @property
    def spool_id(self) -> str:
        return self.spool.spool_id


@dataclass(frozen=True)
class SlotMatch:
    requirement: Requirement
    needed_mg: int  # copies x grams
    diameter_um: int
    candidates: tuple[Candidate, ...]  # ranked, best first
    chosen: Candidate | None
    warning: str | None  # about the chosen spool (or the lack of one)
    other_diameters_um: tuple[int, ...] = ()  # of spools of the material that were left out
    pinned: bool = False  # the spool was chosen before (a started job's), not by the ranking

    @property
    def slot(self) -> int:
        return self.requirement.slot

    def candidate(self, spool_id: str | None) -> Candidate | None:
        return next((c for c in self.candidates if c.spool_id == spool_id), None)


@dataclass(frozen=True)
class VariantMatch:
    variant_id: str
    copies: int
    diameter_um: int
    slots: tuple[SlotMatch, ...]  # the slots that use filament, by slot number

    @property
    def spools(self) -> dict[int, str]:
        """Slot -> chosen spool id, as `jobs.start_job` and `jobs.finish_job` take it."""
        return {s.slot: s.chosen.spool_id for s in self.slots if s.chosen is not None}

    @property
    def warnings(self) -> list[str]:
        return [s.warning for s in self.slots if s.warning]

    def slot(self, slot: int) -> SlotMatch | None:
        return next((s for s in self.slots if s.slot == slot), None)

    def scaled(self, permille: int) -> VariantMatch:
        """The same choice for a print that got `permille`/1000 of the way (a failed job): smaller needs,
        rounded as `jobs.fail_job` rounds them, and the warnings that follow from them."""
        slots = []
        for match in self.slots:
            needed = int(
                (Decimal(match.needed_mg * permille) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            )
            candidates = tuple(replace(c, enough=c.available_mg >= needed) for c in match.candidates)
            chosen_id = match.chosen.spool_id if match.chosen else None
            chosen = next((c for c in candidates if c.spool_id == chosen_id), None)
            slots.append(replace(match, needed_mg=needed, candidates=candidates, chosen=chosen))
        rescaled = replace(self, slots=tuple(slots))
        warnings = rescaled.warnings_for({s.slot: s.chosen.spool_id if s.chosen else None for s in slots})
        return replace(rescaled, slots=tuple(replace(s, warning=warnings[s.slot]) for s in slots))

    def warnings_for(self, choice: Mapping[int, str | None]) -> dict[int, str | None]:
        """The warning of each slot for the spools a user picked (slot -> spool id or None). A spool picked
        for several slots must hold what they need together."""
        out: dict[int, str | None] = {}
        first_slot: dict[str, int] = {}
        shared_need: dict[str, int] = {}
        for match in self.slots:
            spool_id = choice.get(match.slot)
            auto = not match.pinned and match.chosen is not None and match.chosen.spool_id == spool_id
            messages = [_slot_warning(match, spool_id, auto=auto)]
            candidate = match.candidate(spool_id)
            if spool_id is not None and candidate is not None:
                shared_need[spool_id] = shared_need.get(spool_id, 0) + match.needed_mg
                if spool_id not in first_slot:
                    first_slot[spool_id] = match.slot
                elif shared_need[spool_id] > candidate.available_mg >= match.needed_mg:
                    messages.append(
                        f"Extruders {first_slot[spool_id] + 1} and {match.slot + 1} both use "
                        f"{candidate.spool.label}: {_grams(shared_need[spool_id])} needed, "
                        f"{_grams(max(candidate.available_mg, 0))} left."
                    )
                else:
                    messages.append(
                        f"Extruder {match.slot + 1} shares {candidate.spool.label} with extruder "
                        f"{first_slot[spool_id] + 1}."
                    )
            out[match.slot] = " ".join(m for m in messages if m) or None
        return out


# ---------------------------------------------------------------- colours


def _words(text: str) -> list[str]:
    return _WORD.findall(text.split("@")[0].casefold())


def _lab(hex_code: str) -> tuple[float, float, float] | None:
    """sRGB '#RRGGBB' (alpha ignored) to CIE L*a*b* under D65."""
    code = hex_code.strip().lstrip("#")
    if len(code) not in (6, 8) or any(c not in "0123456789abcdefABCDEF" for c in code):
        return None

    def linear(channel: str) -> float:
        c = int(channel, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = linear(code[0:2]), linear(code[2:4]), linear(code[4:6])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def colour_distance(a: str, b: str) -> float | None:
    """CIE76 delta E between two hex colour codes (0: identical; about 2.3: just noticeable), or None."""
    lab_a, lab_b = _lab(a), _lab(b)
    if lab_a is None or lab_b is None:
        return None
    return math.dist(lab_a, lab_b)


def _colour_words(name: str, ignore: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in _words(name) if w not in ignore and w not in _NOT_COLOUR and not w.isdigit())


def _by_hex(distance: float | None) -> Colour | None:
    if distance is None:
        return None
    if distance <= SAME_COLOUR_DELTA_E:
        return "same"
    return "close" if distance <= CLOSE_COLOUR_DELTA_E else "different"


def _by_name(wanted: frozenset[str], have: frozenset[str]) -> Colour | None:
    if not wanted or not have:
        return None
    if wanted == have:
        return "same"
    if wanted <= have or have <= wanted or (wanted & have & COLOUR_WORDS):
        return "close"
    return "different"


def _colour(
    req: Requirement, spool: ShelfSpool, wanted_words: frozenset[str], ignore: frozenset[str]
) -> Colour:
    wants_hex = _lab(req.colour_hex) is not None
    if not wants_hex and not wanted_words:
        return "any"
    by_hex = _by_hex(colour_distance(req.colour_hex, spool.colour_hex)) if wants_hex else None
    by_name = _by_name(wanted_words, _colour_words(spool.colour_name, ignore))
    known = [c for c in (by_hex, by_name) if c is not None]
    if not known:
        return "unknown"
    return min(known, key=lambda c: _COLOUR_RANK[c])


# ---------------------------------------------------------------- ranking


def _grams(mg: int) -> str:
    return f"{round(mg / 1000, 1):g} g"


def _rank_key(c: Candidate) -> tuple[bool, bool, int, bool, bool, bool, int, float, str]:
    return (
        not c.specific,
        not c.material_ok,
        _COLOUR_RANK[c.colour],
        c.busy,
        not c.enough,
        c.enough and not c.spool.opened,  # short spools: the fullest first, opened or not
        c.available_mg if c.enough else -c.available_mg,
        c.colour_distance or 0.0,
        c.spool_id,
    )


def _same_diameter(a: int, b: int) -> bool:
    return abs(a - b) <= DIAMETER_TOLERANCE_UM


def rank_spools(
    req: Requirement,
    needed_mg: int,
    shelf: Shelf,
    *,
    diameter_um: int = DEFAULT_DIAMETER_UM,
    allocated: Mapping[str, int] | None = None,
    keep: Iterable[str] = (),
) -> tuple[list[Candidate], tuple[int, ...]]:
    """The spools of the right diameter ranked for one slot, and the diameters of same-material spools that
    were left out. `allocated` is filament already promised to other prints; spools with nothing left are
    left out unless named in `keep`."""
    allocated = allocated or {}
    keep = set(keep)
    material = req.material.strip().upper()
    brand_words = frozenset(w for s in shelf.spools for w in _words(s.brand))
    material_words = frozenset(w for s in shelf.spools for w in _words(s.material)) | frozenset(
        _words(material)
    )
    ignore = brand_words | material_words
    known_colours = COLOUR_WORDS | frozenset(
        w for s in shelf.spools for w in _colour_words(s.colour_name, ignore)
    )
    wanted_words = _colour_words(req.colour_name, ignore)
    if not wanted_words & known_colours:
        wanted_words = frozenset()  # a profile name such as "Generic PETG" says nothing about colour
    candidates: list[Candidate] = []
    other_diameters: set[int] = set()
    for spool in shelf.spools:
        material_ok = not material or spool.material.strip().upper() == material
        if not _same_diameter(spool.diameter_um, diameter_um):
            if material_ok:
                other_diameters.add(spool.diameter_um)
            continue
        available = spool.available_mg - allocated.get(spool.spool_id, 0)
        if available <= 0 and spool.spool_id not in keep:
            continue
        colour = _colour(req, spool, wanted_words, ignore)
        candidates.append(
            Candidate(
                spool=spool,
                available_mg=available,
                specific=req.filament_id is not None and spool.filament_id == req.filament_id,
                material_ok=material_ok,
                colour=colour,
                colour_distance=colour_distance(req.colour_hex, spool.colour_hex),
                enough=available >= needed_mg,
                busy=bool(spool.busy_job_ids),
            )
        )
    candidates.sort(key=_rank_key)
    return candidates, tuple(sorted(other_diameters))


def _mm(um: int) -> str:
    return f"{um / 1000:g} mm"


def _slot_warning(match: SlotMatch, spool_id: str | None, *, auto: bool) -> str | None:
    """One or two sentences on what is wrong with using `spool_id` for the slot (None: no spool)."""
    req = match.requirement
    extruder = f"Extruder {req.slot + 1}"
    what = req.description
    if spool_id is None:
        if any(c.specific or c.material_ok for c in match.candidates):
            return f"Choose a spool for extruder {req.slot + 1} ({what})."
        material = req.material.strip().upper() or "suitable"
        if match.other_diameters_um:
            sizes = ", ".join(_mm(d) for d in match.other_diameters_um)
            return (
                f"{extruder} needs {_grams(match.needed_mg)} of {what}; the {material} spools on the shelf "
                f"are {sizes}, not {_mm(match.diameter_um)}."
            )
        return (
            f"{extruder} needs {_grams(match.needed_mg)} of {what}; "
            f"there is no {material} spool on the shelf."
        )
    candidate = match.candidate(spool_id)
    if candidate is None:
        return f"{extruder}: that spool is not on the shelf (archived, empty or of another diameter)."
    label = candidate.spool.label
    messages: list[str] = []
    if not candidate.specific and not candidate.material_ok:
        messages.append(
            f"{extruder} needs {what}; {label} is {candidate.spool.material or 'another material'}."
        )
    elif candidate.colour == "different":
        messages.append(f"{extruder} needs {what}; {label} is another colour.")
    if not candidate.enough:
        who = "the best spool" if auto else "this spool"
        after = " after the print running now" if candidate.spool.committed_mg > 0 else ""
        left = max(candidate.available_mg, 0)
        messages.append(
            f"{extruder} needs {_grams(match.needed_mg)} of {what}; {who} has {_grams(left)} left{after}."
        )
    if candidate.busy:
        messages.append(f"{label} is loaded for another job that is printing.")
    return " ".join(messages) or None


def match_requirements(
    requirements: Sequence[Requirement],
    copies: int,
    shelf: Shelf,
    *,
    diameter_um: int = DEFAULT_DIAMETER_UM,
    fixed: Mapping[int, str] | None = None,
    allocated: Mapping[str, int] | None = None,
    variant_id: str = "",
) -> VariantMatch:
    """Rank and choose a spool per slot that uses filament. `fixed` maps slots to spools already chosen
    (a started job's); `allocated` is filament promised to other prints (spool id -> mg)."""
    fixed = fixed or {}
    taken: set[str] = set()  # spools chosen for earlier slots of this print
    slots: list[SlotMatch] = []
    for req in sorted((r for r in requirements if r.grams_mg > 0), key=lambda r: r.slot):
        needed = copies * req.grams_mg
        pinned = fixed.get(req.slot)
        candidates, other = rank_spools(
            req, needed, shelf, diameter_um=diameter_um, allocated=allocated, keep=[pinned] if pinned else []
        )
        if pinned is not None:
            chosen = next((c for c in candidates if c.spool_id == pinned), None)
        else:
            # One roll feeds one extruder: a spool taken by another slot only when nothing else fits.
            usable = [c for c in candidates if c.specific or c.material_ok]
            chosen = next((c for c in usable if c.spool_id not in taken), usable[0] if usable else None)
        if chosen is not None:
            taken.add(chosen.spool_id)
        slots.append(
            SlotMatch(req, needed, diameter_um, tuple(candidates), chosen, None, other, pinned is not None)
        )
    match = VariantMatch(variant_id, copies, diameter_um, tuple(slots))
    warnings = match.warnings_for({s.slot: s.chosen.spool_id if s.chosen else None for s in slots})
    return replace(match, slots=tuple(replace(s, warning=warnings[s.slot]) for s in slots))


# ---------------------------------------------------------------- reading the database


def _label(brand: str, material: str, colour: str) -> str:
    return " ".join(p for p in (brand, material, colour) if p) or "(unnamed filament)"


def _requirements_by_variant(
    session: Session, owner_id: str, variant_ids: Iterable[str]
) -> dict[str, list[Requirement]]:
    ids = list(set(variant_ids))
    variants = {
        v.id: v
        for v in session.scalars(
            select(ModelVariant).where(ModelVariant.owner_id == owner_id, ModelVariant.id.in_(ids))
        )
    }
    out: dict[str, list[Requirement]] = {vid: [] for vid in ids}
    for row in library.material_rows(session, owner_id, ids):
        variant = variants.get(row.variant_id)
        material, colour = row.material, row.colour_name
        if row.slot == 0 and variant is not None:  # the variant's own fields describe its first filament
            material = material or variant.material
            colour = colour or variant.colour
        out[row.variant_id].append(
            Requirement(
                slot=row.slot,
                grams_mg=row.grams_mg,
                material=material,
                colour_name=colour,
                colour_hex=row.colour_hex,
                filament_id=row.filament_id,
            )
        )
    return out


def _diameter_of(variant: ModelVariant | None) -> int:
    """The filament diameter a variant was sliced for: its settings' `filament_diameter_mm`, else 1.75 mm."""
    value = (variant.settings or {}).get("filament_diameter_mm") if variant is not None else None
    try:
        return round(float(value) * 1000) if value else DEFAULT_DIAMETER_UM
    except (TypeError, ValueError):
        return DEFAULT_DIAMETER_UM


def _read_shelf(session: Session, owner_id: str, ignore_job_ids: Iterable[str] = ()) -> Shelf:
    filaments = {
        f.id: f
        for f in session.scalars(
            select(Filament).where(Filament.owner_id == owner_id, Filament.deleted.is_(False))
        )
    }
    spools = [
        s
        for s in session.scalars(
            select(Spool)
            .where(Spool.owner_id == owner_id, Spool.deleted.is_(False), Spool.archived.is_(False))
            .order_by(Spool.created_at, Spool.id)
        )
        if s.filament_id in filaments
    ]
    remaining = spool_remaining_mg(session, owner_id, spools)
    # Jobs printing now hold their spools and will take their filament off them when they finish.
    ignore = set(ignore_job_ids)
    printing = [
        j
        for j in session.scalars(
            select(PrintJob).where(
                PrintJob.owner_id == owner_id, PrintJob.deleted.is_(False), PrintJob.status == "printing"
            )
        )
        if j.id not in ignore
    ]
    needs = _requirements_by_variant(session, owner_id, [j.variant_id for j in printing])
    committed: dict[str, int] = {}
    busy: dict[str, list[str]] = {}
    for job in printing:
        for req in needs.get(job.variant_id, []):
            spool_id = job.spools.get(str(req.slot))
            if spool_id:
                committed[spool_id] = committed.get(spool_id, 0) + job.copies * req.grams_mg
                busy.setdefault(spool_id, []).append(job.id)
    shelf_spools = []
    for s in spools:
        f = filaments[s.filament_id]
        shelf_spools.append(
            ShelfSpool(
                spool_id=s.id,
                filament_id=f.id,
                label=_label(f.brand, f.material, f.colour_name),
                brand=f.brand,
                material=f.material,
                colour_name=f.colour_name,
                colour_hex=f.colour_hex,
                diameter_um=f.diameter_um,
                remaining_mg=remaining[s.id],
                committed_mg=committed.get(s.id, 0),
                opened=s.opened,
                location=s.location,
                busy_job_ids=tuple(busy.get(s.id, ())),
            )
        )
    labels = {fid: _label(f.brand, f.material, f.colour_name) for fid, f in filaments.items()}
    return Shelf(tuple(shelf_spools), labels)


def load_shelf(ws: Workspace, *, ignore_job_ids: Iterable[str] = ()) -> Shelf:
    """The spools that could be used now; jobs in `ignore_job_ids` do not count as holding theirs."""
    with ws.read() as session:
        return _read_shelf(session, ws.owner_id, ignore_job_ids)


def match_variant(
    ws: Workspace, variant_id: str, *, copies: int = 1, diameter_um: int | None = None
) -> VariantMatch:
    """The best spools on the shelf for `copies` plates of a variant."""
    with ws.read() as session:
        variant = fetch(session, ModelVariant, ws.owner_id, variant_id)
        shelf = _read_shelf(session, ws.owner_id)
        requirements = _requirements_by_variant(session, ws.owner_id, [variant_id])[variant_id]
        diameter = diameter_um or _diameter_of(variant)
    return match_requirements(requirements, copies, shelf, diameter_um=diameter, variant_id=variant_id)


def match_job(ws: Workspace, job_id: str, *, diameter_um: int | None = None) -> VariantMatch:
    """The spools for a job: the ones it was started with where it has them, the best on the shelf
    otherwise. The job's own spools do not count as busy."""
    with ws.read() as session:
        job = fetch(session, PrintJob, ws.owner_id, job_id)
        variant = session.get(ModelVariant, (ws.owner_id, job.variant_id))
        shelf = _read_shelf(session, ws.owner_id, ignore_job_ids=[job.id])
        requirements = _requirements_by_variant(session, ws.owner_id, [job.variant_id])[job.variant_id]
        diameter = diameter_um or _diameter_of(variant)
        fixed = {
            int(slot): str(spool) for slot, spool in job.spools.items() if spool and shelf.spool(str(spool))
        }
    return match_requirements(
        requirements, job.copies, shelf, diameter_um=diameter, fixed=fixed, variant_id=job.variant_id
    )


# ---------------------------------------------------------------- planning a queue


@dataclass(frozen=True)
class FilamentNeed:
    """What a set of jobs needs of one filament (or, with no filament on the shelf that fits, of one
    material and colour), against what the shelf holds of it."""

    filament_id: str | None
    label: str
    needed_mg: int
    on_shelf_mg: int  # left on the live spools of the filament, per the ledger
    job_ids: tuple[str, ...]

    @property
    def short_mg(self) -> int:
        return max(0, self.needed_mg - self.on_shelf_mg)


@dataclass(frozen=True)
class UsagePlan:
    needs: tuple[FilamentNeed, ...]  # the short ones first, then by label
    jobs: Mapping[str, VariantMatch] = field(default_factory=dict)  # each job's spools, given the jobs ahead

    @property
    def short(self) -> list[FilamentNeed]:
        return [n for n in self.needs if n.short_mg > 0]

    @property
    def warnings(self) -> list[str]:
        out = []
        for need in self.short:
            if need.on_shelf_mg > 0:
                out.append(
                    f"The queue needs {_grams(need.needed_mg)} of {need.label}; "
                    f"only {_grams(need.on_shelf_mg)} is on the shelf."
                )
            else:
                out.append(f"The queue needs {_grams(need.needed_mg)} of {need.label}; none is on the shelf.")
        return out


def plan_usage(ws: Workspace, jobs: Sequence[JobView] | None = None) -> UsagePlan:
    """Total what `jobs` (default: every queued or printing job) need per filament, in queue order: each
    job takes its filament off the spools it would use, so a later job is matched against what is left."""
    with ws.read() as session:
        if jobs is None:
            rows = session.scalars(
                select(PrintJob)
                .where(
                    PrintJob.owner_id == ws.owner_id,
                    PrintJob.deleted.is_(False),
                    PrintJob.status.in_(("queued", "printing")),
                )
                .order_by(PrintJob.printer_id, PrintJob.position, PrintJob.created_at)
            )
            job_list = [
                (j.id, j.variant_id, j.copies, dict(j.spools), j.status, j.started_at, j.position)
                for j in rows
            ]
        else:
            job_list = [
                (j.id, j.variant_id, j.copies, dict(j.spools), j.status, j.started_at, j.position)
                for j in jobs
            ]
        job_ids = [j[0] for j in job_list]
        shelf = _read_shelf(session, ws.owner_id, ignore_job_ids=job_ids)
        requirements = _requirements_by_variant(session, ws.owner_id, [j[1] for j in job_list])
        variants = {
            v.id: v
            for v in session.scalars(
                select(ModelVariant).where(
                    ModelVariant.owner_id == ws.owner_id, ModelVariant.id.in_([j[1] for j in job_list])
                )
            )
        }
    ordered = sorted(job_list, key=lambda j: (j[4] != "printing", j[5] or "", j[6]))
    allocated: dict[str, int] = {}
    needed: dict[tuple[str | None, str], int] = {}
    who: dict[tuple[str | None, str], list[str]] = {}
    matches: dict[str, VariantMatch] = {}
    for job_id, variant_id, copies, spools, _status, _started, _position in ordered:
        fixed = {int(k): str(v) for k, v in spools.items() if v and shelf.spool(str(v))}
        match = match_requirements(
            requirements.get(variant_id, []),
            copies,
            shelf,
            diameter_um=_diameter_of(variants.get(variant_id)),
            fixed=fixed,
            allocated=allocated,
            variant_id=variant_id,
        )
        matches[job_id] = match
        for slot in match.slots:
            req = slot.requirement
            if slot.chosen is not None:
                spool = slot.chosen.spool
                allocated[spool.spool_id] = allocated.get(spool.spool_id, 0) + slot.needed_mg
                key: tuple[str | None, str] = (spool.filament_id, spool.label)
            elif req.filament_id and req.filament_id in shelf.filament_labels:
                key = (req.filament_id, shelf.filament_labels[req.filament_id])
            else:
                key = (None, req.description)
            needed[key] = needed.get(key, 0) + slot.needed_mg
            if job_id not in who.setdefault(key, []):
                who[key].append(job_id)
    on_shelf: dict[str, int] = {}
    for spool in shelf.spools:
        on_shelf[spool.filament_id] = on_shelf.get(spool.filament_id, 0) + max(spool.remaining_mg, 0)
    needs = [
        FilamentNeed(
            filament_id=fid,
            label=label,
            needed_mg=mg,
            on_shelf_mg=on_shelf.get(fid, 0) if fid else 0,
            job_ids=tuple(who[(fid, label)]),
        )
        for (fid, label), mg in needed.items()
    ]
    needs.sort(key=lambda n: (n.short_mg == 0, n.label.casefold()))
    return UsagePlan(tuple(needs), matches)
