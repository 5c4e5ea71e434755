"""The Events tab: upcoming and past market events, and each event's packing list."""

from desktop.tabs.events.tab import EventsTab

__all__ = ["EventsTab"]
