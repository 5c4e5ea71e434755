"""The Library tab: the models and their variants (see `tab.py`)."""

from desktop.tabs.library.tab import LibraryTab

__all__ = ["LibraryTab"]
