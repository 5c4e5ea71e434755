"""The Products tab: finished goods and accessories with their stock."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.services import products
from desktop.context import AppContext
from desktop.tabs.simple_list import ListTab, money


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductsTab", text)


def rows(ctx: AppContext) -> list[list[str]]:
    return [
        [p.name, p.sku, money(p.price_cents), str(p.on_hand)] for p in products.list_products(ctx.workspace)
    ]


class ProductsTab(ListTab):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(
            ctx,
            [tr("Product"), tr("SKU"), tr("Price"), tr("On hand")],
            rows,
            tr("No products yet."),
            (tr("1 product"), tr("{n} products")),
            frozenset({"products", "stock"}),
        )
