"""Products (finished goods, accessories, packaging), their bill of materials, and the stock ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import BomLine, Product, StockMovement
from core.errors import InsufficientStock, ValidationError
from core.ids import derived_id
from core.services import checks, records
from core.services.ledgers import on_hand
from core.services.views import MovementView, ProductView, view_of
from core.workspace import Workspace

KINDS = ("printed", "accessory", "packaging")

SPEC = records.EntitySpec(
    model=Product,
    required=("name",),
    fields={
        "sku": lambda v: checks.text(v, "SKU", max_len=64),
        "name": lambda v: checks.text(v, "product name", required=True),
        "kind": lambda v: checks.one_of(v, "kind", KINDS),
        "variant_id": lambda v: checks.text(v, "variant", max_len=36) or None,
        "price_cents": lambda v: checks.integer(v, "price"),
        "cost_cents": lambda v: checks.optional_integer(v, "cost"),
        "low_stock": lambda v: checks.integer(v, "low-stock level"),
        "description": lambda v: checks.text(v, "description", max_len=10_000),
        "archived": bool,
        "labour_s": lambda v: checks.integer(v, "labour time", maximum=7 * 24 * 3600),
    },
)

BOM = records.EntitySpec(
    model=BomLine,
    required=("product_id", "component_id"),
    describe=lambda b: f"{b.quantity} x {b.component_id[-8:]}",
    fields={
        "product_id": lambda v: checks.text(v, "product", required=True, max_len=36),
        "component_id": lambda v: checks.text(v, "component", required=True, max_len=36),
        "quantity": lambda v: checks.integer(v, "quantity", minimum=1),
        "note": lambda v: checks.text(v, "note"),
    },
)

ADJUST_REASONS = ("adjust", "count", "damaged", "gift", "consumed", "found")


def add_product(ws: Workspace, **values: Any) -> ProductView:
    return get_product(ws, records.create(ws, SPEC, values).id)


def edit_product(ws: Workspace, product_id: str, **changes: Any) -> ProductView:
    records.edit(ws, SPEC, product_id, changes)
    return get_product(ws, product_id)


def delete_product(ws: Workspace, product_id: str) -> None:
    records.delete(ws, SPEC, product_id)


def get_product(ws: Workspace, product_id: str) -> ProductView:
    return _views(ws, [records.get(ws, SPEC, product_id)])[0]


def list_products(ws: Workspace, *, include_archived: bool = False) -> list[ProductView]:
    rows = records.live(ws, SPEC, order_by=Product.name)
    return _views(ws, [r for r in rows if include_archived or not r.archived])


def duplicate_skus(ws: Workspace) -> dict[str, list[str]]:
    """SKUs used by more than one live product (two offline devices may both make one): SKU -> product ids."""
    seen: dict[str, list[str]] = {}
    for row in records.live(ws, SPEC):
        if row.sku:
            seen.setdefault(row.sku, []).append(row.id)
    return {sku: ids for sku, ids in seen.items() if len(ids) > 1}


def _views(ws: Workspace, rows: list[Product]) -> list[ProductView]:
    with ws.read() as session:
        stock = on_hand(session, ws.owner_id, [r.id for r in rows])
    return [view_of(ProductView, r, on_hand=stock[r.id]) for r in rows]


def adjust_stock(
    ws: Workspace, product_id: str, quantity: int, *, reason: str = "adjust", note: str = ""
) -> ProductView:
    """A manual change to the stock at home (a count, breakage, a gift). Never below zero."""
    checks.integer(quantity, "quantity", minimum=None)
    if quantity == 0:
        raise ValidationError("An adjustment of 0 changes nothing.")
    checks.one_of(reason, "reason", ADJUST_REASONS)
    with ws.write() as uow:
        product = uow.get(Product, product_id)
        current = on_hand(uow.session, uow.owner_id, [product.id])[product.id]
        if current + quantity < 0:
            raise InsufficientStock(
                f"Only {current} of {product.name} on hand; cannot take away {-quantity}."
            )
        uow.append(StockMovement, product_id=product.id, quantity=quantity, reason=reason, note=note)
        uow.audit("stock.adjust", f"{quantity:+d} {product.name} ({reason}) {note}".strip(), product)
    return get_product(ws, product_id)


def stock_history(ws: Workspace, product_id: str) -> list[MovementView]:
    records.get(ws, SPEC, product_id)
    with ws.read() as session:
        rows = session.scalars(
            select(StockMovement)
            .where(StockMovement.owner_id == ws.owner_id, StockMovement.product_id == product_id)
            .order_by(StockMovement.at, StockMovement.id)
        )
        return [view_of(MovementView, r) for r in rows]


def _contains(session: Session, owner_id: str, product_id: str, wanted: str) -> bool:
    """Whether `wanted` is somewhere in `product_id`'s bill of materials, however deep."""
    seen: set[str] = set()
    todo = [product_id]
    while todo:
        current = todo.pop()
        if current == wanted:
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(
            session.scalars(
                select(BomLine.component_id).where(
                    BomLine.owner_id == owner_id, BomLine.product_id == current, BomLine.deleted.is_(False)
                )
            )
        )
    return False


def set_bom_line(ws: Workspace, product_id: str, component_id: str, quantity: int, note: str = "") -> None:
    """Put `quantity` of a component (another product) on a product's bill of materials."""
    if product_id == component_id:
        raise ValidationError("A product cannot be a part of itself.")
    with ws.write() as uow:
        product = uow.get(Product, product_id)
        component = uow.get(Product, component_id)
        if _contains(uow.session, uow.owner_id, component_id, product_id):
            raise ValidationError(
                f"{component.name} is made with {product.name}, so it cannot also be a part of it."
            )
        records.create_in(
            uow,
            BOM,
            {"product_id": product_id, "component_id": component_id, "quantity": quantity, "note": note},
            id=derived_id(product_id, "bom", component_id),
        )


def remove_bom_line(ws: Workspace, product_id: str, component_id: str) -> None:
    """Take a component off a product's bill of materials."""
    with ws.write() as uow:
        records.delete_in(uow, BOM, derived_id(product_id, "bom", component_id))


def bom(ws: Workspace, product_id: str) -> list[tuple[str, int]]:
    """(component id, quantity) of a product's live bill of materials."""
    with ws.read() as session:
        rows = session.scalars(
            select(BomLine).where(
                BomLine.owner_id == ws.owner_id, BomLine.product_id == product_id, BomLine.deleted.is_(False)
            )
        )
        return [(r.component_id, r.quantity) for r in rows]
