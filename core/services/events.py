"""Market events: the packing list, packing stock to the event, selling at the stall, returning what is left.

Stock lives at home (movements with no event) or at an event. Packing moves units home -> event; a sale takes
units from the event (or from home when sold outside an event); returning moves what is left back home.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.changes import fetch
from core.db.models import EventItem, MarketEvent, Product, Sale, StockMovement
from core.errors import Conflict, InsufficientStock, NotFound, ValidationError
from core.ids import derived_id
from core.services import checks, records
from core.services.ledgers import on_hand
from core.services.views import EventLineView, EventView, SaleView, view_of
from core.workspace import Workspace

PAYMENT_METHODS = ("cash", "card", "other")
STATUSES = ("planned", "packed", "done")

SPEC = records.EntitySpec(
    model=MarketEvent,
    required=("name",),
    fields={
        "name": lambda v: checks.text(v, "event name", required=True),
        "starts_on": lambda v: checks.iso_date(v, "start date"),
        "ends_on": lambda v: checks.iso_date(v, "end date"),
        "venue": lambda v: checks.text(v, "venue"),
        "booth_fee_cents": lambda v: checks.integer(v, "booth fee"),
        "travel_cost_cents": lambda v: checks.integer(v, "travel cost"),
        "theme": lambda v: checks.text(v, "theme"),
        "status": lambda v: checks.one_of(v, "status", STATUSES),
        "notes": lambda v: checks.text(v, "notes", max_len=20_000),
    },
)


def _view(row: MarketEvent) -> EventView:
    return view_of(EventView, row)


def _check_dates(values: dict[str, Any]) -> None:
    start, end = values.get("starts_on"), values.get("ends_on")
    if start and end and str(end) < str(start):
        raise ValidationError("The event cannot end before it starts.")


def create_event(ws: Workspace, **values: Any) -> EventView:
    _check_dates(values)
    return _view(records.create(ws, SPEC, values))


def edit_event(ws: Workspace, event_id: str, **changes: Any) -> EventView:
    current = records.get(ws, SPEC, event_id)
    _check_dates({"starts_on": current.starts_on, "ends_on": current.ends_on, **changes})
    return _view(records.edit(ws, SPEC, event_id, changes))


def delete_event(ws: Workspace, event_id: str) -> None:
    records.delete(ws, SPEC, event_id)


def get_event(ws: Workspace, event_id: str) -> EventView:
    return _view(records.get(ws, SPEC, event_id))


def list_events(ws: Workspace) -> list[EventView]:
    return [_view(r) for r in records.live(ws, SPEC, order_by=MarketEvent.starts_on)]


def set_target(ws: Workspace, event_id: str, product_id: str, target: int) -> None:
    """Plan to bring `target` units of a product (0 takes it off the packing list)."""
    checks.integer(target, "target")
    with ws.write() as uow:
        event = uow.get(MarketEvent, event_id)
        product = uow.get(Product, product_id)
        item_id = derived_id(event_id, "item", product_id)
        if target == 0:
            item = uow.find(EventItem, item_id)
            if item is not None and not item.deleted:
                uow.tombstone(item)
        else:
            uow.create(EventItem, id=item_id, event_id=event_id, product_id=product_id, target=target)
        uow.audit("event.plan", f"{event.name}: bring {target} x {product.name}", event)


def _moved(session: Session, owner_id: str, event_id: str, reason: str) -> dict[str, int]:
    """Units per product moved at the event for `reason` (packed: positive; sold, returned: negative)."""
    rows = session.execute(
        select(StockMovement.product_id, func.sum(StockMovement.quantity))
        .where(
            StockMovement.owner_id == owner_id,
            StockMovement.event_id == event_id,
            StockMovement.reason == reason,
        )
        .group_by(StockMovement.product_id)
    ).all()
    return {pid: int(total or 0) for pid, total in rows}


def packing_list(ws: Workspace, event_id: str) -> list[EventLineView]:
    owner = ws.owner_id
    with ws.read() as session:  # one snapshot for all the sums
        fetch(session, MarketEvent, owner, event_id)
        items = {
            i.product_id: i.target
            for i in session.scalars(
                select(EventItem).where(
                    EventItem.owner_id == owner, EventItem.event_id == event_id, EventItem.deleted.is_(False)
                )
            )
        }
        packed = _moved(session, owner, event_id, "packed")
        sold = _moved(session, owner, event_id, "sold")
        returned = _moved(session, owner, event_id, "returned")
        product_ids = set(items) | set(packed) | set(sold)
        here = on_hand(session, owner, product_ids, event_id)
        names = dict(
            session.execute(
                select(Product.id, Product.name).where(Product.owner_id == owner, Product.id.in_(product_ids))
            ).all()
        )
    return sorted(
        (
            EventLineView(
                product_id=pid,
                product_name=names.get(pid, "(missing product)"),
                target=items.get(pid, 0),
                packed=packed.get(pid, 0),
                sold=-sold.get(pid, 0),
                returned=-returned.get(pid, 0),
                at_event=here[pid],
            )
            for pid in product_ids
        ),
        key=lambda line: line.product_name.casefold(),
    )


def pack(ws: Workspace, event_id: str, product_id: str, quantity: int) -> None:
    """Move `quantity` units from home to the event."""
    checks.integer(quantity, "quantity", minimum=1)
    with ws.write() as uow:
        event = uow.get(MarketEvent, event_id)
        product = uow.get(Product, product_id)
        home = on_hand(uow.session, uow.owner_id, [product_id])[product_id]
        if quantity > home:
            raise InsufficientStock(f"Only {home} of {product.name} at home; cannot pack {quantity}.")
        uow.append(StockMovement, product_id=product_id, quantity=-quantity, reason="packed", note=event.name)
        uow.append(
            StockMovement, product_id=product_id, quantity=quantity, reason="packed", event_id=event_id
        )
        if event.status == "planned":
            uow.update(event, status="packed")
        uow.audit("event.pack", f"Packed {quantity} x {product.name} for {event.name}", event)


def sell(
    ws: Workspace,
    product_id: str,
    quantity: int = 1,
    *,
    event_id: str | None = None,
    unit_price_cents: int | None = None,
    payment_method: str = "cash",
    at_stall: bool = False,
) -> SaleView:
    """Record a sale. Beyond the stock on hand it is refused, unless it was tapped at the stall: a sale that
    happened is always recorded there, and flagged as oversold so the user can look into it."""
    checks.integer(quantity, "quantity", minimum=1)
    checks.one_of(payment_method, "payment method", PAYMENT_METHODS)
    with ws.write() as uow:
        product = uow.get(Product, product_id)
        if event_id is not None:
            uow.get(MarketEvent, event_id)
        price = product.price_cents if unit_price_cents is None else checks.integer(unit_price_cents, "price")
        available = on_hand(uow.session, uow.owner_id, [product_id], event_id)[product_id]
        oversold = quantity > available
        if oversold and not at_stall:
            where = "at this event" if event_id else "on hand"
            raise InsufficientStock(f"Only {available} of {product.name} {where}; cannot sell {quantity}.")
        sale = uow.append(
            Sale,
            event_id=event_id,
            product_id=product_id,
            quantity=quantity,
            unit_price_cents=price,
            payment_method=payment_method,
            oversold=oversold,
        )
        uow.append(
            StockMovement,
            product_id=product_id,
            quantity=-quantity,
            reason="sold",
            event_id=event_id,
            sale_id=sale.id,
        )
        note = " (more than on hand: check the stock)" if oversold else ""
        uow.audit(
            "sale", f"Sold {quantity} x {product.name} at {price / 100:.2f} ({payment_method}){note}", sale
        )
        return view_of(SaleView, sale)


def undo_sale(ws: Workspace, sale_id: str) -> SaleView:
    """Take back a sale tapped by mistake. The ledger keeps both: the sale, and a sale of the opposite
    quantity that names it, with the units back where they were sold from. It works once per sale."""
    with ws.write() as uow:
        sale = uow.session.get(Sale, (uow.owner_id, sale_id))
        if sale is None:
            raise NotFound("sale", sale_id)
        if sale.undoes_sale_id is not None or sale.quantity < 0:
            raise ValidationError("That entry takes back a sale; it cannot be taken back itself.")
        undone = uow.session.scalar(
            select(Sale.id).where(Sale.owner_id == uow.owner_id, Sale.undoes_sale_id == sale_id).limit(1)
        )
        if undone is not None:
            raise Conflict("That sale was taken back already.")
        product = uow.get(Product, sale.product_id, include_deleted=True)
        reverse = uow.append(
            Sale,
            event_id=sale.event_id,
            product_id=sale.product_id,
            quantity=-sale.quantity,
            unit_price_cents=sale.unit_price_cents,
            payment_method=sale.payment_method,
            oversold=False,
            undoes_sale_id=sale.id,
        )
        uow.append(
            StockMovement,
            product_id=sale.product_id,
            quantity=sale.quantity,
            reason="sold",
            event_id=sale.event_id,
            sale_id=reverse.id,
            note="sale taken back",
        )
        uow.audit("sale.undo", f"Took back the sale of {sale.quantity} x {product.name}", reverse)
        return view_of(SaleView, reverse)


def return_unsold(ws: Workspace, event_id: str) -> dict[str, int]:
    """After the event: move every unit still at the event back home. Returns product id -> units."""
    with ws.write() as uow:
        event = uow.get(MarketEvent, event_id)
        product_ids = set(_moved(uow.session, uow.owner_id, event_id, "packed")) | set(
            _moved(uow.session, uow.owner_id, event_id, "sold")
        )
        left = on_hand(uow.session, uow.owner_id, product_ids, event_id)
        returned = {pid: n for pid, n in left.items() if n > 0}
        for pid, n in returned.items():
            uow.append(StockMovement, product_id=pid, quantity=-n, reason="returned", event_id=event_id)
            uow.append(StockMovement, product_id=pid, quantity=n, reason="returned", note=event.name)
        uow.update(event, status="done")
        uow.audit("event.return", f"Returned {sum(returned.values())} unsold units from {event.name}", event)
        return returned


def sales(ws: Workspace, event_id: str | None = None) -> list[SaleView]:
    with ws.read() as session:
        query = select(Sale).where(Sale.owner_id == ws.owner_id)
        if event_id:
            query = query.where(Sale.event_id == event_id)
        return [view_of(SaleView, r) for r in session.scalars(query.order_by(Sale.at, Sale.id))]
