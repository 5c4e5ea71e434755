"""Products and their stock ledger: adjustments, history, bill of materials, duplicate SKUs."""

from __future__ import annotations

import pytest

from core.errors import InsufficientStock, NotFound, ValidationError
from core.services import products
from core.workspace import Workspace


def test_stock_is_the_sum_of_movements(workspace: Workspace) -> None:
    p = products.add_product(workspace, name="Fidget star", price_cents=500, low_stock=3)
    assert p.on_hand == 0 and p.is_low
    products.adjust_stock(workspace, p.id, 10, reason="count")
    products.adjust_stock(workspace, p.id, -2, reason="damaged", note="dropped")
    view = products.get_product(workspace, p.id)
    assert view.on_hand == 8 and not view.is_low
    history = products.stock_history(workspace, p.id)
    assert [(m.quantity, m.reason, m.note) for m in history] == [
        (10, "count", ""),
        (-2, "damaged", "dropped"),
    ]


def test_taking_away_more_than_on_hand_is_refused_and_writes_nothing(workspace: Workspace) -> None:
    p = products.add_product(workspace, name="Dragon")
    products.adjust_stock(workspace, p.id, 2)
    with pytest.raises(InsufficientStock, match="Only 2 of Dragon on hand"):
        products.adjust_stock(workspace, p.id, -3)
    assert products.get_product(workspace, p.id).on_hand == 2
    assert len(products.stock_history(workspace, p.id)) == 1


def test_bad_product_input(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="A product needs a name"):
        products.add_product(workspace, name="")
    with pytest.raises(ValidationError, match="kind must be one of"):
        products.add_product(workspace, name="x", kind="gadget")
    p = products.add_product(workspace, name="x")
    with pytest.raises(ValidationError, match="changes nothing"):
        products.adjust_stock(workspace, p.id, 0)
    with pytest.raises(ValidationError, match="reason must be one of"):
        products.adjust_stock(workspace, p.id, 1, reason="because")
    with pytest.raises(NotFound):
        products.adjust_stock(workspace, "missing", 1)


def test_edit_changes_only_what_was_given(workspace: Workspace) -> None:
    p = products.add_product(workspace, name="Vase", sku="V-1", price_cents=1500)
    edited = products.edit_product(workspace, p.id, price_cents=1800)
    assert (edited.name, edited.sku, edited.price_cents) == ("Vase", "V-1", 1800)


def test_a_product_shows_its_description(workspace: Workspace) -> None:
    p = products.add_product(workspace, name="Vase", description="Spiral vase, 20 cm, not watertight")
    assert p.description == "Spiral vase, 20 cm, not watertight"
    products.edit_product(workspace, p.id, description="Spiral vase, 20 cm")
    assert [v.description for v in products.list_products(workspace)] == ["Spiral vase, 20 cm"]


def test_bill_of_materials_lines_are_upserted(workspace: Workspace) -> None:
    keyring = products.add_product(workspace, name="Keyring")
    ring = products.add_product(workspace, name="Split ring", kind="accessory")
    bag = products.add_product(workspace, name="Bag", kind="packaging")
    products.set_bom_line(workspace, keyring.id, ring.id, 1)
    products.set_bom_line(workspace, keyring.id, bag.id, 1)
    products.set_bom_line(workspace, keyring.id, ring.id, 2)  # same line again: changed, not doubled
    assert sorted(products.bom(workspace, keyring.id)) == sorted([(ring.id, 2), (bag.id, 1)])
    with pytest.raises(ValidationError, match="part of itself"):
        products.set_bom_line(workspace, keyring.id, keyring.id, 1)


def test_duplicate_skus_are_flagged_not_refused(workspace: Workspace) -> None:
    a = products.add_product(workspace, name="Cat", sku="C-1")
    b = products.add_product(workspace, name="Cat (copy)", sku="C-1")
    products.add_product(workspace, name="Dog", sku="D-1")
    assert products.duplicate_skus(workspace) == {"C-1": [a.id, b.id]}


def test_a_bill_of_materials_cannot_go_round_in_a_circle(workspace: Workspace) -> None:
    bag = products.add_product(workspace, name="Gift bag", kind="packaging")
    kit = products.add_product(workspace, name="Gift kit", kind="accessory")
    box = products.add_product(workspace, name="Gift box", kind="accessory")
    products.set_bom_line(workspace, kit.id, bag.id, 1)
    products.set_bom_line(workspace, box.id, kit.id, 2)
    with pytest.raises(ValidationError, match="Gift box is made with Gift bag, so it cannot also be a part"):
        products.set_bom_line(workspace, bag.id, box.id, 1)
    assert products.bom(workspace, bag.id) == []
    products.remove_bom_line(workspace, kit.id, bag.id)
    assert products.bom(workspace, kit.id) == []
    products.set_bom_line(workspace, bag.id, box.id, 1)  # no circle any more
    assert products.bom(workspace, bag.id) == [(box.id, 1)]
