"""The Products tab: finished goods and accessories with their stock and its history, adjustments, forms."""

from desktop.tabs.products.tab import ProductsTab

__all__ = ["ProductsTab"]
