"""Stall mode: selling an event's products at the market, one tap a sale, with no network.

Every tap is `events.sell(..., at_stall=True)`: a sale row and a stock movement, written the moment it is
tapped; a sale that goes beyond the units counted at the event is still recorded (it happened) and flagged.
`undo_last` takes back the newest sale of the day that is not taken back yet. `day` sums the day's sales (by
the computer's local calendar day) for the running total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from core.changes import fetch
from core.db.models import MarketEvent, Product, Sale
from core.services import events
from core.services.events import PAYMENT_METHODS
from core.services.ledgers import on_hand
from core.services.views import SaleView, view_of
from core.workspace import Workspace


@dataclass(frozen=True)
class Tile:
    product_id: str
    name: str
    sku: str
    price_cents: int
    left: int  # units at the event (below zero after an oversold sale)


def tiles(ws: Workspace, event_id: str) -> list[Tile]:
    """The products of the event's packing list, by name, with their price and what is left at the event."""
    ids = [line.product_id for line in events.packing_list(ws, event_id)]
    with ws.read() as session:
        rows = list(
            session.scalars(
                select(Product).where(
                    Product.owner_id == ws.owner_id, Product.id.in_(ids), Product.deleted.is_(False)
                )
            )
        )
        left = on_hand(session, ws.owner_id, [p.id for p in rows], event_id)
    return sorted(
        (Tile(p.id, p.name, p.sku, p.price_cents, left[p.id]) for p in rows),
        key=lambda t: t.name.casefold(),
    )


def sell(
    ws: Workspace, event_id: str, product_id: str, quantity: int = 1, payment_method: str = "cash"
) -> SaleView:
    return events.sell(
        ws, product_id, quantity, event_id=event_id, payment_method=payment_method, at_stall=True
    )


@dataclass(frozen=True)
class Day:
    day: date
    sales: int  # sales that stand (taken-back ones and the entries taking them back are left out)
    units: int
    total_cents: int
    by_payment: dict[str, int]
    last_sale: SaleView | None  # the newest sale that stands: what "undo" takes back


def _local_day(at: str) -> date:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone().date()


def day(ws: Workspace, event_id: str, on: date | None = None) -> Day:
    on = on or datetime.now().astimezone().date()
    with ws.read() as session:
        fetch(session, MarketEvent, ws.owner_id, event_id)
        rows = [
            view_of(SaleView, r)
            for r in session.scalars(
                select(Sale)
                .where(Sale.owner_id == ws.owner_id, Sale.event_id == event_id)
                .order_by(Sale.at, Sale.id)
            )
        ]
    taken_back = {r.undoes_sale_id for r in rows if r.undoes_sale_id}
    standing = [
        r for r in rows if r.undoes_sale_id is None and r.id not in taken_back and _local_day(r.at) == on
    ]
    by_payment = dict.fromkeys(PAYMENT_METHODS, 0)
    for r in standing:
        by_payment[r.payment_method] = by_payment.get(r.payment_method, 0) + r.quantity * r.unit_price_cents
    return Day(
        day=on,
        sales=len(standing),
        units=sum(r.quantity for r in standing),
        total_cents=sum(r.quantity * r.unit_price_cents for r in standing),
        by_payment=by_payment,
        last_sale=standing[-1] if standing else None,
    )


def undo_last(ws: Workspace, event_id: str) -> SaleView | None:
    """Take back the newest sale of today that stands; None when there is none."""
    last = day(ws, event_id).last_sale
    return events.undo_sale(ws, last.id) if last is not None else None
