"""The Events tab: market events and their packing lists."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.services import events
from desktop.context import AppContext
from desktop.tabs.simple_list import ListTab


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


def rows(ctx: AppContext) -> list[list[str]]:
    return [[e.name, e.starts_on or "", e.venue, e.status] for e in events.list_events(ctx.workspace)]


class EventsTab(ListTab):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(
            ctx,
            [tr("Event"), tr("Starts"), tr("Venue"), tr("Status")],
            rows,
            tr("No market events planned."),
            (tr("1 event"), tr("{n} events")),
            frozenset({"events", "sales"}),
        )
