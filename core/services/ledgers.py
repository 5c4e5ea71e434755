"""Quantities as sums of ledger rows: filament left on spools, products on hand at home or at an event."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import FilamentUsage, Spool, StockMovement


def spool_remaining_mg(session: Session, owner_id: str, spools: Iterable[Spool]) -> dict[str, int]:
    spools = list(spools)
    used = dict(
        session.execute(
            select(FilamentUsage.spool_id, func.sum(FilamentUsage.delta_mg))
            .where(FilamentUsage.owner_id == owner_id, FilamentUsage.spool_id.in_([s.id for s in spools]))
            .group_by(FilamentUsage.spool_id)
        ).all()
    )
    return {s.id: s.initial_weight_mg + int(used.get(s.id) or 0) for s in spools}


def on_hand(
    session: Session, owner_id: str, product_ids: Iterable[str], event_id: str | None = None
) -> dict[str, int]:
    """Units of each product at home (event_id None) or at the given event."""
    ids = list(product_ids)
    where_event = StockMovement.event_id.is_(None) if event_id is None else StockMovement.event_id == event_id
    sums = dict(
        session.execute(
            select(StockMovement.product_id, func.sum(StockMovement.quantity))
            .where(StockMovement.owner_id == owner_id, StockMovement.product_id.in_(ids), where_event)
            .group_by(StockMovement.product_id)
        ).all()
    )
    return {pid: int(sums.get(pid) or 0) for pid in ids}
