"""The Filament tab: the spools on the shelf as cards or rows, grouped and filtered, with their dialogs."""

from desktop.tabs.filament.tab import FilamentTab

__all__ = ["FilamentTab"]
