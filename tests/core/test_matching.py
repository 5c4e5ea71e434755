"""Filament matching: ranking spools per extruder slot, the warnings that name what is short, and planning
what a queue needs per filament. The numbers are worked by hand in the comments."""

from __future__ import annotations

import pytest

from core.errors import NotFound
from core.services import filament, jobs, library, matching, products, records
from core.services.matching import Requirement, Shelf, ShelfSpool
from core.services.views import SpoolView
from core.workspace import Workspace
from tests.core.factories import make_shop

# ---------------------------------------------------------------- pure ranking, no database


def shelf_spool(
    ident: str,
    *,
    material: str = "PLA",
    colour: str = "Black",
    hex_code: str = "#000000",
    left_g: float = 1000,
    opened: bool = False,
    diameter_um: int = 1750,
    filament_id: str | None = None,
    committed_g: float = 0,
    busy: tuple[str, ...] = (),
) -> ShelfSpool:
    return ShelfSpool(
        spool_id=ident,
        filament_id=filament_id or f"fil-{material}-{colour}",
        label=f"Acme {material} {colour}",
        brand="Acme",
        material=material,
        colour_name=colour,
        colour_hex=hex_code,
        diameter_um=diameter_um,
        remaining_mg=round(left_g * 1000),
        committed_mg=round(committed_g * 1000),
        opened=opened,
        location="",
        busy_job_ids=busy,
    )


def shelf(*spools: ShelfSpool) -> Shelf:
    return Shelf(tuple(spools), {s.filament_id: s.label for s in spools})


def test_colour_distance_is_cie76_delta_e() -> None:
    assert matching.colour_distance("#000000", "#000000") == 0
    # #1A1A1A: 26/255 = 0.102 -> linear 0.0103 -> L* = 116 x 0.0103^(1/3) - 16 = 9.27; a* = b* = 0.
    assert matching.colour_distance("#000000", "#1A1A1A") == pytest.approx(9.27, abs=0.05)
    assert matching.colour_distance("#000000", "#ffffff") == pytest.approx(100, abs=0.01)
    assert matching.colour_distance("#000000FF", "#000000") == 0  # alpha is ignored
    assert matching.colour_distance("", "#000000") is None
    assert matching.colour_distance("black", "#000000") is None


def test_requirement_descriptions() -> None:
    assert Requirement(0, 1, material="PETG", colour_name="black").description == "PETG black"
    assert Requirement(0, 1, "PLA", "Prusament PLA Galaxy Black").description == "Prusament PLA Galaxy Black"
    assert Requirement(0, 1, "PETG", colour_hex="#00ff00").description == "PETG #00FF00"
    assert Requirement(0, 1).description == "filament"


def test_ranking_order_enough_then_opened_then_least_left() -> None:
    # 3 plates x 12.5 g = 37.5 g of black PLA.
    spools = shelf(
        shelf_spool("sealed-1000", left_g=1000),
        shelf_spool("open-200", left_g=200, opened=True),
        shelf_spool("open-30", left_g=30, opened=True),  # not enough
        shelf_spool("white-500", colour="White", hex_code="#FFFFFF", left_g=500, opened=True),
        shelf_spool("petg-800", material="PETG", left_g=800, opened=True),
        shelf_spool("thick-1000", diameter_um=2850, left_g=1000, opened=True),
        shelf_spool("open-100", left_g=100, opened=True),
        shelf_spool("empty", left_g=0, opened=True),
    )
    req = Requirement(slot=0, grams_mg=12_500, material="PLA", colour_name="Black", colour_hex="#000000")
    match = matching.match_requirements([req], 3, spools)
    (slot,) = match.slots
    assert slot.needed_mg == 37_500
    # Opened spools with enough, least left first (finish rolls: 100 g before 200 g); then the sealed one;
    # then the one without enough; then the wrong colour; then the wrong material. 2.85 mm and empty: out.
    assert [c.spool_id for c in slot.candidates] == [
        "open-100", "open-200", "sealed-1000", "open-30", "white-500", "petg-800",
    ]  # fmt: skip
    assert slot.other_diameters_um == (2850,)
    assert slot.chosen is not None and slot.chosen.spool_id == "open-100"
    assert slot.warning is None
    assert match.spools == {0: "open-100"}
    assert [c.suitable for c in slot.candidates] == [True, True, True, True, False, False]


def test_without_enough_anywhere_the_fullest_spool_is_best_and_the_warning_names_the_shortfall() -> None:
    spools = shelf(
        shelf_spool("a", material="PETG", colour="black", left_g=12, opened=True),
        shelf_spool("b", material="PETG", colour="black", left_g=31),
    )
    req = Requirement(slot=1, grams_mg=29_000, material="PETG", colour_name="black", colour_hex="#000000")
    match = matching.match_requirements([req], 2, spools)  # 2 x 29 g = 58 g
    (slot,) = match.slots
    assert [c.spool_id for c in slot.candidates] == ["b", "a"]  # 31 g before 12 g
    assert slot.warning == "Extruder 2 needs 58 g of PETG black; the best spool has 31 g left."
    assert match.warnings == [slot.warning]


def test_a_specific_filament_comes_first_even_when_short() -> None:
    spools = shelf(
        shelf_spool("other-brand", material="PETG", colour="black", left_g=1000, opened=True),
        shelf_spool("the-one", material="PETG", colour="black", left_g=31, filament_id="fil-wanted"),
    )
    req = Requirement(slot=0, grams_mg=58_000, material="PETG", colour_name="black", filament_id="fil-wanted")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert [c.spool_id for c in slot.candidates] == ["the-one", "other-brand"]
    assert slot.chosen is not None and slot.chosen.specific
    assert slot.warning == "Extruder 1 needs 58 g of PETG black; the best spool has 31 g left."
    # The user may take the other brand instead: then nothing is short.
    assert matching.VariantMatch("", 1, 1750, (slot,)).warnings_for({0: "other-brand"}) == {0: None}


def test_colours_by_hex_code() -> None:
    spools = shelf(
        shelf_spool("white", colour="", hex_code="#FFFFFF", left_g=100, opened=True),
        shelf_spool("charcoal", colour="", hex_code="#333333", left_g=100, opened=True),  # delta E 21: other
        shelf_spool("galaxy", colour="", hex_code="#1A1A1A", left_g=100, opened=True),  # delta E 9.3: close
        shelf_spool("black", colour="", hex_code="#000000", left_g=900),  # sealed and fuller, but exact
    )
    req = Requirement(slot=0, grams_mg=10_000, material="PLA", colour_hex="#000000")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert [(c.spool_id, c.colour) for c in slot.candidates] == [
        ("black", "same"), ("galaxy", "close"), ("charcoal", "different"), ("white", "different"),
    ]  # fmt: skip


def test_colours_by_name_ignore_brand_material_and_printer_profile() -> None:
    spools = shelf(
        shelf_spool("white", colour="White", hex_code="", left_g=100),
        shelf_spool("plain-black", colour="Black", hex_code="", left_g=100),
        shelf_spool("galaxy", colour="Galaxy Black", hex_code="", left_g=900),
    )
    req = Requirement(slot=0, grams_mg=10_000, material="PLA", colour_name="Acme PLA Galaxy Black @MK4")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert [(c.spool_id, c.colour) for c in slot.candidates] == [
        ("galaxy", "same"), ("plain-black", "close"), ("white", "different"),
    ]  # fmt: skip


def test_a_profile_name_without_a_colour_accepts_any_colour() -> None:
    spools = shelf(
        shelf_spool("red", material="PETG", colour="Red", hex_code="", left_g=700),
        shelf_spool("blue", material="PETG", colour="Blue", hex_code="", left_g=300),
    )
    req = Requirement(slot=0, grams_mg=50_000, material="PETG", colour_name="Generic PETG")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert [(c.spool_id, c.colour) for c in slot.candidates] == [("blue", "any"), ("red", "any")]
    assert slot.warning is None


def test_wrong_colour_is_chosen_only_with_a_warning() -> None:
    spools = shelf(shelf_spool("white", colour="White", hex_code="#FFFFFF"))
    req = Requirement(slot=0, grams_mg=10_000, material="PLA", colour_name="black", colour_hex="#000000")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert slot.chosen is not None and slot.chosen.spool_id == "white"
    assert slot.warning == "Extruder 1 needs PLA black; Acme PLA White is another colour."


def test_no_spool_of_the_material_or_only_another_diameter() -> None:
    req = Requirement(slot=0, grams_mg=58_000, material="PETG", colour_name="black")
    (none,) = matching.match_requirements([req], 1, shelf(shelf_spool("pla"))).slots
    assert none.chosen is None
    assert none.warning == "Extruder 1 needs 58 g of PETG black; there is no PETG spool on the shelf."
    # The PLA spool stays in the list for a user who knows better, marked unsuitable.
    assert [(c.spool_id, c.suitable) for c in none.candidates] == [("pla", False)]

    thick = shelf(shelf_spool("thick", material="PETG", colour="black", diameter_um=2850))
    (other,) = matching.match_requirements([req], 1, thick).slots
    assert other.chosen is None and other.candidates == ()
    assert other.warning == (
        "Extruder 1 needs 58 g of PETG black; the PETG spools on the shelf are 2.85 mm, not 1.75 mm."
    )
    (fits,) = matching.match_requirements([req], 1, thick, diameter_um=2850).slots
    assert fits.chosen is not None and fits.warning is None


def test_two_slots_take_two_spools_and_share_one_only_when_nothing_else_fits() -> None:
    reqs = [Requirement(0, 20_000, "PLA", "Black"), Requirement(1, 30_000, "PLA", "Black")]
    two = shelf(shelf_spool("a", left_g=100, opened=True), shelf_spool("b", left_g=500))
    match = matching.match_requirements(reqs, 1, two)
    assert match.spools == {0: "a", 1: "b"}
    assert match.warnings == []

    one = shelf(shelf_spool("a", left_g=40, opened=True))  # 20 g + 30 g = 50 g > 40 g
    match = matching.match_requirements(reqs, 1, one)
    assert match.spools == {0: "a", 1: "a"}
    assert match.slot(1) is not None
    assert match.warnings == ["Extruders 1 and 2 both use Acme PLA Black: 50 g needed, 40 g left."]


def test_a_spool_printing_elsewhere_is_busy_and_its_filament_is_spoken_for() -> None:
    spools = shelf(
        shelf_spool("loaded", left_g=100, opened=True, committed_g=80, busy=("job-1",)),
        shelf_spool("free", left_g=900),
    )
    req = Requirement(0, 15_000, "PLA", "Black")
    (slot,) = matching.match_requirements([req], 1, spools).slots
    assert [(c.spool_id, c.available_mg, c.busy) for c in slot.candidates] == [
        ("free", 900_000, False), ("loaded", 20_000, True),
    ]  # fmt: skip
    warning = matching.VariantMatch("", 1, 1750, (slot,)).warnings_for({0: "loaded"})[0]
    assert warning == "Acme PLA Black is loaded for another job that is printing."
    (short,) = matching.match_requirements([Requirement(0, 30_000, "PLA", "Black")], 1, spools).slots
    assert matching.VariantMatch("", 1, 1750, (short,)).warnings_for({0: "loaded"})[0] == (
        "Extruder 1 needs 30 g of PLA Black; this spool has 20 g left after the print running now. "
        "Acme PLA Black is loaded for another job that is printing."
    )


def test_warnings_for_a_users_choice() -> None:
    spools = shelf(
        shelf_spool("black", left_g=1000),
        shelf_spool("petg", material="PETG", left_g=1000),
        shelf_spool("stub", left_g=5, opened=True),
    )
    match = matching.match_requirements([Requirement(0, 12_500, "PLA", "Black")], 2, spools)
    assert match.warnings_for({0: "black"}) == {0: None}
    assert match.warnings_for({0: "petg"}) == {0: "Extruder 1 needs PLA Black; Acme PETG Black is PETG."}
    assert match.warnings_for({0: "stub"}) == {
        0: "Extruder 1 needs 25 g of PLA Black; this spool has 5 g left."
    }
    assert match.warnings_for({0: None}) == {0: "Choose a spool for extruder 1 (PLA Black)."}


def test_slots_without_filament_need_no_spool() -> None:
    reqs = [Requirement(0, 0, "PLA"), Requirement(2, 1_000, "PLA")]
    match = matching.match_requirements(reqs, 1, shelf(shelf_spool("a")))
    assert [s.slot for s in match.slots] == [2]
    assert match.spools == {2: "a"}


# ---------------------------------------------------------------- against the database


def add_spool(
    ws: Workspace,
    *,
    brand: str = "Prusament",
    material: str = "PETG",
    colour: str = "Jet Black",
    hex_code: str = "#000000",
    used_g: float = 0,
    weight_g: float = 1000,
    diameter_um: int = 1750,
) -> SpoolView:
    fil = filament.add_filament(
        ws, brand=brand, material=material, colour_name=colour, colour_hex=hex_code, diameter_um=diameter_um
    )
    spool = filament.add_spool(ws, filament_id=fil.id, initial_weight_mg=round(weight_g * 1000))
    if used_g:
        filament.record_usage(ws, spool.id, round(used_g * 1000))
    return filament.get_spool(ws, spool.id)


def two_colour_variant(ws: Workspace, model_id: str) -> str:
    return library.add_variant(
        ws,
        model_id=model_id,
        name="Badge, white and black PETG",
        material="PETG",
        units_per_plate=4,
        materials=[
            library.MaterialInput(slot=0, grams_mg=40_000, material="PETG", colour_name="white"),
            library.MaterialInput(slot=1, grams_mg=29_000, material="PETG", colour_name="black"),
        ],
        print_time_s=7200,
    ).id


def test_match_variant_reads_the_shelf_and_names_the_shortage(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    white = add_spool(workspace, colour="Signal White", hex_code="#FFFFFF")
    black = add_spool(workspace, colour="Jet Black", used_g=969)  # 1000 g - 969 g = 31 g left, opened
    variant_id = two_colour_variant(workspace, shop.variant.model_id)

    match = matching.match_variant(workspace, variant_id, copies=2)

    # Slot 0: 2 x 40 g = 80 g of white; slot 1: 2 x 29 g = 58 g of black, and 31 g are left.
    assert [(s.slot, s.needed_mg) for s in match.slots] == [(0, 80_000), (1, 58_000)]
    assert match.spools == {0: white.id, 1: black.id}
    assert match.warnings == ["Extruder 2 needs 58 g of PETG black; the best spool has 31 g left."]
    # The PLA spool of the shop is listed last for the black slot and is not suitable.
    black_slot = match.slot(1)
    assert black_slot is not None
    assert [c.spool_id for c in black_slot.candidates][-1] == shop.spool.id
    assert not black_slot.candidates[-1].suitable


def test_match_variant_honours_the_variants_diameter(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    thick = add_spool(workspace, material="PLA", colour="Black", diameter_um=2850)
    variant = library.add_variant(
        workspace,
        model_id=shop.variant.model_id,
        name="Dragon for the Ultimaker",
        settings={"filament_diameter_mm": 2.85},
        materials=[library.MaterialInput(slot=0, grams_mg=10_000, material="PLA")],
    )
    assert matching.match_variant(workspace, variant.id).spools == {0: thick.id}
    assert matching.match_variant(workspace, shop.variant.id).spools == {0: shop.spool.id}
    with pytest.raises(NotFound):
        matching.match_variant(workspace, "no-such-variant")


def test_archived_empty_and_orphaned_spools_are_not_on_the_shelf(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    archived = add_spool(workspace, material="PLA", colour="Black")
    filament.edit_spool(workspace, archived.id, archived=True)
    add_spool(workspace, material="PLA", colour="Black", used_g=1000)  # empty
    orphan = add_spool(workspace, material="PLA", colour="Black")
    # Deleting a filament with spools is refused here; an orphan comes from a deletion synced from elsewhere.
    records.delete(workspace, filament.FILAMENT, orphan.filament_id)
    shelf_now = matching.load_shelf(workspace)
    assert [s.spool_id for s in shelf_now.spools if s.remaining_mg > 0] == [shop.spool.id]
    (slot,) = matching.match_variant(workspace, shop.variant.id).slots
    assert [c.spool_id for c in slot.candidates] == [shop.spool.id]


def test_match_job_keeps_a_started_jobs_spools_and_others_printing_hold_theirs(workspace: Workspace) -> None:
    shop = make_shop(workspace, grams_mg=12_500)
    second = filament.add_spool(workspace, filament_id=shop.filament.id)
    filament.record_usage(workspace, second.id, 100_000)  # opened, 900 g left: ranked before the sealed one
    first = jobs.queue_job(workspace, shop.variant.id, copies=2, printer_id=shop.printer.id)
    assert matching.match_job(workspace, first.id).spools == {0: second.id}

    # Started on the sealed spool by the user's choice: finishing it proposes that spool again.
    jobs.start_job(workspace, first.id, spools={0: shop.spool.id})
    again = matching.match_job(workspace, first.id)
    assert again.spools == {0: shop.spool.id}
    assert again.slots[0].pinned and again.warnings == []

    # Another job sees the sealed spool as busy, with 2 x 12.5 g = 25 g spoken for.
    other = jobs.queue_job(workspace, shop.variant.id)
    (slot,) = matching.match_job(workspace, other.id).slots
    loaded = slot.candidate(shop.spool.id)
    assert loaded is not None and loaded.busy and loaded.available_mg == 1_000_000 - 25_000
    assert slot.chosen is not None and slot.chosen.spool_id == second.id


def test_the_prefilled_spools_finish_a_job(workspace: Workspace) -> None:
    shop = make_shop(workspace, grams_mg=12_500, units_per_plate=2)
    job = jobs.queue_job(workspace, shop.variant.id, copies=3)
    match = matching.match_job(workspace, job.id)
    result = jobs.finish_job(workspace, job.id, spools=match.spools)
    assert result.usage_mg == {shop.spool.id: 37_500}
    assert filament.get_spool(workspace, shop.spool.id).remaining_mg == 962_500
    assert products.get_product(workspace, shop.product.id).on_hand == 6


# ---------------------------------------------------------------- planning the queue


def test_plan_usage_totals_per_filament_in_queue_order(workspace: Workspace) -> None:
    shop = make_shop(workspace, grams_mg=12_500)  # one copy: 12.5 g of Prusament PLA Galaxy Black
    filament.record_usage(workspace, shop.spool.id, 950_000)  # 50 g left
    small = filament.add_spool(workspace, filament_id=shop.filament.id, initial_weight_mg=30_000)
    variant_id = two_colour_variant(workspace, shop.variant.model_id)
    a, b, c = (
        jobs.queue_job(workspace, shop.variant.id, copies=3, printer_id=shop.printer.id) for _ in range(3)
    )
    badge = jobs.queue_job(workspace, variant_id)
    done = jobs.queue_job(workspace, shop.variant.id)
    jobs.cancel_job(workspace, done.id)

    plan = matching.plan_usage(workspace)

    # Three jobs x 3 copies x 12.5 g = 112.5 g of the black PLA; the shelf has 50 g + 30 g = 80 g.
    # The badge needs 40 g of white and 29 g of black PETG, of which there is none.
    by_label = {n.label: n for n in plan.needs}
    pla = by_label["Prusament PLA Galaxy Black"]
    assert (pla.filament_id, pla.needed_mg, pla.on_shelf_mg, pla.short_mg) == (
        shop.filament.id, 112_500, 80_000, 32_500,
    )  # fmt: skip
    assert set(pla.job_ids) == {a.id, b.id, c.id}
    white, black = by_label["PETG white"], by_label["PETG black"]
    assert (white.filament_id, white.needed_mg, white.on_shelf_mg) == (None, 40_000, 0)
    assert black.job_ids == (badge.id,)
    assert done.id not in plan.jobs
    assert plan.warnings == [
        "The queue needs 29 g of PETG black; none is on the shelf.",
        "The queue needs 40 g of PETG white; none is on the shelf.",
        "The queue needs 112.5 g of Prusament PLA Galaxy Black; only 80 g is on the shelf.",
    ]
    # Job by job: the first takes 37.5 g of the 50 g spool (the least that suffices: 30 g does not);
    # the second finds 12.5 g and 30 g, takes the fuller; the third finds 12.5 g and nothing on the other.
    assert plan.jobs[a.id].spools == {0: shop.spool.id} and plan.jobs[a.id].warnings == []
    assert plan.jobs[b.id].spools == {0: small.id}
    assert plan.jobs[b.id].warnings == ["Extruder 1 needs 37.5 g of PLA; the best spool has 30 g left."]
    assert plan.jobs[c.id].warnings == ["Extruder 1 needs 37.5 g of PLA; the best spool has 12.5 g left."]


def test_plan_usage_for_chosen_jobs_counts_a_printing_job_first(workspace: Workspace) -> None:
    shop = make_shop(workspace, grams_mg=12_500)
    queued = jobs.queue_job(workspace, shop.variant.id, copies=2)
    printing = jobs.queue_job(workspace, shop.variant.id, copies=4)
    jobs.start_job(workspace, printing.id, spools={0: shop.spool.id})
    plan = matching.plan_usage(workspace, [queued, jobs.get_job(workspace, printing.id)])
    (need,) = plan.needs
    # 2 x 12.5 g + 4 x 12.5 g = 75 g of the 1000 g spool: nothing short.
    assert (need.needed_mg, need.on_shelf_mg, need.short_mg) == (75_000, 1_000_000, 0)
    assert plan.short == [] and plan.warnings == []
    assert plan.jobs[printing.id].slots[0].pinned
    only_queued = matching.plan_usage(workspace, [queued])
    # Left out of the plan, the printing job still holds its 50 g.
    (slot,) = only_queued.jobs[queued.id].slots
    assert slot.chosen is not None and slot.chosen.available_mg == 950_000


def test_a_failed_print_needs_only_its_printed_share() -> None:
    spools = shelf(shelf_spool("stub", material="PETG", colour="black", left_g=31, opened=True))
    req = Requirement(slot=1, grams_mg=29_000, material="PETG", colour_name="black")
    match = matching.match_requirements([req], 2, spools)  # 58 g: short
    assert match.warnings == ["Extruder 2 needs 58 g of PETG black; the best spool has 31 g left."]
    at_40 = match.scaled(400)  # 40 % of 58 g = 23.2 g: the 31 g suffice
    assert at_40.slots[0].needed_mg == 23_200
    assert at_40.warnings == [] and at_40.spools == {1: "stub"}
    # Rounded half up to the milligram, as jobs.fail_job rounds: 3 x 12.5 g x 0.1 % = 37.5 mg -> 38 mg.
    tiny = matching.match_requirements([Requirement(0, 12_500, "PETG")], 3, spools).scaled(1)
    assert tiny.slots[0].needed_mg == 38
