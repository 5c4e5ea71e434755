"""Unit costs with worked numbers, and suggested prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.services import costing, filament, library, printers, products, records, settings
from core.services.costing import (
    BomItem,
    CostInputs,
    FilamentLine,
    margin_percent,
    suggested_price,
    to_cents,
    unit_cost,
)
from core.workspace import Workspace

KEYRING = CostInputs(
    filament=[FilamentLine(slot=0, grams=Decimal(37), cents_per_kg=Decimal(2499), source="PLA")],
    print_hours=Decimal(2),
    power_w=120,
    electricity_cents_per_kwh=Decimal(30),
    failure_rate=Decimal("0.10"),
    labour_minutes=Decimal(5),
    labour_cents_per_hour=Decimal(1800),
    bom=[BomItem("ring", "Key ring", 1, Decimal(15))],
)


def test_the_worked_example_costs_2_76() -> None:
    """37 g at 24.99/kg, 2 h at 120 W and 0.30/kWh, 5 min labour at 18/h, a 0.15 key ring, 10 % failures."""
    cost = unit_cost(KEYRING)
    assert cost.filament_total == Decimal("92.463")  # cents
    assert cost.electricity == Decimal("7.2")
    assert cost.wear == 0
    assert cost.failure_allowance.quantize(Decimal("0.0001")) == Decimal("11.0737")  # 99.663 / 0.9 - 99.663
    assert cost.labour == 150
    assert cost.bom_total == 15
    assert cost.total_cents == 276


def test_wear_is_machine_time_and_is_covered_by_the_failure_allowance() -> None:
    cost = unit_cost(
        CostInputs(print_hours=Decimal("1.5"), wear_cents_per_hour=Decimal(20), failure_rate=Decimal("0.5"))
    )
    assert cost.wear == 30
    assert cost.machine == 30
    assert cost.total == 60  # half the prints fail: each good one carries a failed one


def test_no_price_known_counts_as_nothing() -> None:
    line = FilamentLine(slot=0, grams=Decimal(10), cents_per_kg=None, source="")
    assert unit_cost(CostInputs(filament=[line])).total == 0


def test_a_failure_rate_of_100_percent_is_refused() -> None:
    with pytest.raises(ValidationError, match="below 100 %"):
        unit_cost(CostInputs(failure_rate=Decimal(1)))


def test_rounding_is_half_up_to_the_cent() -> None:
    assert to_cents(Decimal("275.5")) == 276
    assert to_cents(Decimal("275.4999")) == 275
    assert to_cents(Decimal("0.5")) == 1


def test_suggested_prices() -> None:
    cost = unit_cost(KEYRING).total  # 275.7366... cents
    assert suggested_price(cost, "markup", 100) == 551  # twice the cost
    assert suggested_price(cost, "margin", 60) == 689  # 60 % of 6.89 is profit
    assert suggested_price(Decimal(100), "margin", 0) == 100
    with pytest.raises(ValidationError, match="below 100 %"):
        suggested_price(cost, "margin", 100)
    with pytest.raises(ValidationError, match="unknown"):
        suggested_price(cost, "guess", 10)


def test_margin_of_a_price() -> None:
    assert margin_percent(600, Decimal(240)) == 60
    assert margin_percent(0, Decimal(240)) is None


# ---------------------------------------------------------------- from a workspace


def _keyring_shop(ws: Workspace) -> tuple[str, str]:
    """The worked example as records: returns (product id, variant id)."""
    settings.set_value(ws, "electricity_cents_per_kwh", 30)
    settings.set_value(ws, "labour_cents_per_hour", 1800)
    settings.set_value(ws, "failure_rate_permille", 100)
    printers.add_printer(ws, name="MK4", model="Original Prusa MK4", power_w=120, hourly_cost_cents=0)
    pla = filament.add_filament(ws, brand="Prusament", material="PLA", colour_name="Orange", price_cents=2499)
    filament.add_spool(ws, filament_id=pla.id, location="Shelf A")
    model = library.add_model(ws, name="Planet")
    variant = library.add_variant(
        ws,
        model_id=model.id,
        name="Planet, orange PLA",
        material="PLA",
        materials=[library.MaterialInput(slot=0, grams_mg=37_000, material="PLA", colour_name="Orange")],
        print_time_s=2 * 3600,
    )
    ring = products.add_product(ws, name="Key ring", kind="accessory", cost_cents=15)
    keyring = products.add_product(
        ws, name="Planet keyring", variant_id=variant.id, labour_s=300, price_cents=600
    )
    products.set_bom_line(ws, keyring.id, ring.id, 1)
    return keyring.id, variant.id


def test_the_worked_example_from_records(workspace: Workspace) -> None:
    product_id, variant_id = _keyring_shop(workspace)
    cost = costing.product_cost(workspace, product_id)
    assert cost.total_cents == 276
    assert cost.printer == "MK4"
    assert [(line.grams, line.cents_per_kg, line.source) for line in cost.filament] == [
        (Decimal(37), Decimal(2499), "Prusament PLA Orange (spool, Shelf A)")
    ]
    assert [(b.name, b.quantity, b.cents) for b in cost.bom] == [("Key ring", 1, Decimal(15))]
    assert cost.warnings == ()
    print_only = costing.variant_cost(workspace, variant_id)
    assert print_only.total_cents == 111  # (92.463 + 7.2) / 0.9, no labour and no key ring
    assert costing.suggested_price_for(workspace, cost) == 689  # 60 % margin by default


def test_a_plate_of_several_units_shares_its_filament_and_time(workspace: Workspace) -> None:
    product_id, variant_id = _keyring_shop(workspace)
    library.edit_variant(workspace, variant_id, units_per_plate=2)
    cost = costing.product_cost(workspace, product_id)
    assert cost.filament[0].grams == Decimal("18.5")
    assert cost.print_hours == 1
    assert cost.total_cents == 220  # (46.2315 + 3.6) / 0.9 + 150 + 15 = 220.368...


def test_a_printer_of_its_own_failure_rate_and_wear(workspace: Workspace) -> None:
    product_id, _ = _keyring_shop(workspace)
    mk4 = printers.list_printers(workspace)[0]
    printers.edit_printer(workspace, mk4.id, failure_rate_permille=0, hourly_cost_cents=25)
    cost = costing.product_cost(workspace, product_id)
    assert cost.failure_rate == 0 and cost.failure_allowance == 0
    assert cost.wear == 50
    assert cost.total_cents == to_cents(Decimal("92.463") + Decimal("7.2") + 50 + 150 + 15)


def test_a_cost_entered_by_hand_wins(workspace: Workspace) -> None:
    product_id, _ = _keyring_shop(workspace)
    products.edit_product(workspace, product_id, cost_cents=199)
    cost = costing.product_cost(workspace, product_id)
    assert cost.total_cents == 199 and cost.entered == 199


def test_what_is_not_known_is_said(workspace: Workspace) -> None:
    model = library.add_model(workspace, name="Vase")
    variant = library.add_variant(
        workspace,
        model_id=model.id,
        name="Vase, silk",
        materials=[library.MaterialInput(slot=0, grams_mg=80_000, material="Silk PLA")],
    )
    vase = products.add_product(workspace, name="Vase", variant_id=variant.id)
    cost = costing.product_cost(workspace, vase.id)
    assert cost.total_cents == 0
    assert cost.warnings == (
        "No price is known for SILK PLA (extruder 1): it is counted as nothing.",
        "The print time of Vase, silk is not known: machine time is not costed.",
    )
    bare = products.add_product(workspace, name="Mystery")
    assert costing.product_cost(workspace, bare.id).warnings == (
        "Mystery has no variant and no cost entered: its cost is not known.",
    )


def test_a_bill_of_materials_that_contains_itself_is_not_followed_forever(workspace: Workspace) -> None:
    a = products.add_product(workspace, name="A", kind="accessory")
    b = products.add_product(workspace, name="B", kind="accessory")
    c = products.add_product(workspace, name="C", kind="accessory", cost_cents=10)
    products.set_bom_line(workspace, a.id, b.id, 2)
    # set_bom_line refuses a circle; two devices can still make one offline, and sync brings both lines
    records.create(workspace, products.BOM, {"product_id": b.id, "component_id": a.id, "quantity": 1})
    products.set_bom_line(workspace, b.id, c.id, 1)
    costs = costing.product_costs(workspace)
    assert costs[a.id].total_cents == 20  # 2 x B, where B leaves A out
    assert any("part of itself" in w for w in costs[b.id].warnings + costs[a.id].warnings)
