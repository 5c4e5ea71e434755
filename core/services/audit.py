"""Reading the audit trail: who did what, from which device, when."""

from __future__ import annotations

from sqlalchemy import select

from core.db.models import AuditEntry
from core.services.views import AuditView, view_of
from core.workspace import Workspace


def recent(ws: Workspace, limit: int = 100, entity_id: str | None = None) -> list[AuditView]:
    with ws.read() as session:
        query = select(AuditEntry).where(AuditEntry.owner_id == ws.owner_id)
        if entity_id:
            query = query.where(AuditEntry.entity_id == entity_id)
        rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
        return [view_of(AuditView, r) for r in rows]
