"""Market events: packing list, packing, selling (refused beyond stock unless at the stall), returning."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db.models import Sale
from core.errors import InsufficientStock, ValidationError
from core.services import events, products
from core.workspace import Workspace


@pytest.fixture
def stocked(workspace: Workspace) -> products.ProductView:
    p = products.add_product(workspace, name="Dragon", price_cents=800)
    products.adjust_stock(workspace, p.id, 10, reason="count")
    return p


def test_plan_pack_sell_return(workspace: Workspace, stocked: products.ProductView) -> None:
    event = events.create_event(
        workspace, name="Christmas market", starts_on="2026-12-12", booth_fee_cents=4000
    )
    events.set_target(workspace, event.id, stocked.id, 8)
    events.pack(workspace, event.id, stocked.id, 6)
    assert products.get_product(workspace, stocked.id).on_hand == 4  # the rest is at the event
    assert events.get_event(workspace, event.id).status == "packed"

    events.sell(workspace, stocked.id, 2, event_id=event.id, payment_method="card")
    events.sell(workspace, stocked.id, 1, event_id=event.id, unit_price_cents=700)
    [line] = events.packing_list(workspace, event.id)
    assert (line.target, line.packed, line.sold, line.returned, line.at_event) == (8, 6, 3, 0, 3)

    assert events.return_unsold(workspace, event.id) == {stocked.id: 3}
    assert products.get_product(workspace, stocked.id).on_hand == 7
    [line] = events.packing_list(workspace, event.id)
    assert (line.sold, line.returned, line.at_event) == (3, 3, 0)
    assert events.get_event(workspace, event.id).status == "done"
    revenue = sum(s.quantity * s.unit_price_cents for s in events.sales(workspace, event.id))
    assert revenue == 2 * 800 + 700


def test_selling_beyond_stock_is_refused_with_nothing_written(
    workspace: Workspace, stocked: products.ProductView
) -> None:
    event = events.create_event(workspace, name="Fair")
    events.pack(workspace, event.id, stocked.id, 2)
    with pytest.raises(InsufficientStock, match="Only 2 of Dragon at this event; cannot sell 3"):
        events.sell(workspace, stocked.id, 3, event_id=event.id)
    with pytest.raises(InsufficientStock, match="Only 8 of Dragon on hand"):
        events.sell(workspace, stocked.id, 9)
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 0
    assert events.packing_list(workspace, event.id)[0].at_event == 2


def test_the_stall_always_records_and_flags_overselling(
    workspace: Workspace, stocked: products.ProductView
) -> None:
    event = events.create_event(workspace, name="Fair")
    events.pack(workspace, event.id, stocked.id, 1)
    first = events.sell(workspace, stocked.id, 1, event_id=event.id, at_stall=True)
    second = events.sell(workspace, stocked.id, 1, event_id=event.id, at_stall=True)
    assert (first.oversold, second.oversold) == (False, True)
    assert events.packing_list(workspace, event.id)[0].at_event == -1


def test_packing_more_than_at_home_is_refused(workspace: Workspace, stocked: products.ProductView) -> None:
    event = events.create_event(workspace, name="Fair")
    with pytest.raises(InsufficientStock, match="Only 10 of Dragon at home; cannot pack 11"):
        events.pack(workspace, event.id, stocked.id, 11)
    assert products.get_product(workspace, stocked.id).on_hand == 10


def test_bad_event_input(workspace: Workspace, stocked: products.ProductView) -> None:
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        events.create_event(workspace, name="Backwards", starts_on="2026-12-12", ends_on="2026-12-10")
    with pytest.raises(ValidationError, match="not a date"):
        events.create_event(workspace, name="Soon", starts_on="next week")
    event = events.create_event(workspace, name="Fair", starts_on="2026-12-12")
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        events.edit_event(workspace, event.id, ends_on="2026-12-01")
    with pytest.raises(ValidationError, match="payment method"):
        events.sell(workspace, stocked.id, 1, payment_method="barter")
    with pytest.raises(ValidationError, match="at least 1"):
        events.sell(workspace, stocked.id, -1)


def test_target_zero_takes_a_product_off_the_list(
    workspace: Workspace, stocked: products.ProductView
) -> None:
    event = events.create_event(workspace, name="Fair")
    events.set_target(workspace, event.id, stocked.id, 5)
    events.set_target(workspace, event.id, stocked.id, 0)
    assert events.packing_list(workspace, event.id) == []
    events.set_target(workspace, event.id, stocked.id, 4)  # back on the list, same deterministic row
    assert [line.target for line in events.packing_list(workspace, event.id)] == [4]
