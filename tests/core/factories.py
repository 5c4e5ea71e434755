"""Small builders for service tests: a shelf, a model with a variant, a product, through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from core.services import filament, library, printers, products
from core.services.views import FilamentView, PrinterView, ProductView, SpoolView, VariantView
from core.workspace import Workspace


@dataclass
class Shop:
    printer: PrinterView
    filament: FilamentView
    spool: SpoolView
    variant: VariantView
    product: ProductView


def make_shop(ws: Workspace, *, grams_mg: int = 12_500, units_per_plate: int = 2) -> Shop:
    printer = printers.add_printer(ws, name="MK4", model="Original Prusa MK4", power_w=120)
    fil = filament.add_filament(
        ws,
        brand="Prusament",
        material="PLA",
        colour_name="Galaxy Black",
        colour_hex="#1a1a1a",
        price_cents=2499,
        net_weight_mg=1_000_000,
        empty_spool_weight_mg=193_000,
    )
    spool = filament.add_spool(ws, filament_id=fil.id, location="Shelf A")
    model = library.add_model(ws, name="Dragon", designer_name="Jane Doe", licence_spdx="CC-BY-4.0")
    variant = library.add_variant(
        ws,
        model_id=model.id,
        name="Dragon, black PLA",
        material="PLA",
        units_per_plate=units_per_plate,
        materials=[library.MaterialInput(slot=0, grams_mg=grams_mg, material="PLA")],
        print_time_s=5400,
    )
    product = products.add_product(
        ws, name="Dragon keyring", sku="DRG-1", variant_id=variant.id, price_cents=800
    )
    return Shop(printer, fil, spool, variant, product)
