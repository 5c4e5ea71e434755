"""The products tab's forms: a product, and a manual stock adjustment with its reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from core.services import library, products
from core.services.views import ProductView
from desktop.context import AppContext
from desktop.dialogs.forms import Field, FormDialog, changed_values, currency
from desktop.dialogs.units import money_input, parse_money
from desktop.tabs.products.models import kind_label, reason_label


def _money_box() -> QLineEdit:
    box = QLineEdit()
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    box.setPlaceholderText("0.00")
    return box


class ProductDialog(FormDialog):
    """Add a product (`product=None`) or edit one."""

    def __init__(
        self, ctx: AppContext, product: ProductView | None = None, parent: QWidget | None = None
    ) -> None:
        editing = product is not None
        super().__init__(
            ctx,
            self.tr("Edit product") if editing else self.tr("Add a product"),
            self.tr("Save") if editing else self.tr("Add product"),
            parent,
        )
        self.product = product
        code = currency(ctx)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Required, e.g. Dragon keyring"))
        self.add_field("name", self.tr("&Name:"), self.name, required=True, phrases=("product name", "name"))
        self.sku = QLineEdit()
        self.sku.setPlaceholderText(self.tr("Your stock code, e.g. DRG-1"))
        self.add_field("sku", self.tr("&SKU:"), self.sku, phrases=("SKU",))
        self.kind = QComboBox()
        for kind in products.KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.add_field("kind", self.tr("&Kind:"), self.kind, compact=True)
        self.variant = QComboBox()
        self.variant.addItem(self.tr("None"), None)
        for v in sorted(library.list_variants(ctx.workspace), key=lambda v: v.name.casefold()):
            self.variant.addItem(v.name, v.id)
        self.add_field(
            "variant_id",
            self.tr("Printed &from:"),
            self.variant,
            phrases=("variant",),
            hint=self.tr("Finished print jobs of this variant add to the product's stock."),
        )
        self.price = _money_box()
        self.add_field(
            "price_cents",
            self.tr("&Price:"),
            self.price,
            unit=code,
            read=lambda: parse_money(self.price.text(), code) or 0,
        )
        self.cost = _money_box()
        self.cost.setPlaceholderText("")
        self.add_field(
            "cost_cents",
            self.tr("&Cost:"),
            self.cost,
            unit=code,
            read=lambda: parse_money(self.cost.text(), code),
            hint=self.tr("What one costs you to make or buy. Empty: not known."),
        )
        self.low_stock = QSpinBox()
        self.low_stock.setRange(0, 1_000_000)
        self.low_stock.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.add_field(
            "low_stock",
            self.tr("&Low stock at:"),
            self.low_stock,
            compact=True,
            phrases=("low-stock level",),
            hint=self.tr("Flag the product when this many or fewer are on hand."),
        )
        if product is not None:
            self.archived = QCheckBox(self.tr("&Archived (no longer made or sold; hidden from the list)"))
            self.add_field("archived", "", self.archived)
            self.archived.setAccessibleName(self.tr("Archived"))
            self.name.setText(product.name)
            self.sku.setText(product.sku)
            self.kind.setCurrentIndex(max(0, self.kind.findData(product.kind)))
            index = self.variant.findData(product.variant_id) if product.variant_id else 0
            if index < 0:  # a variant that was deleted: keep the link rather than drop it silently
                self.variant.addItem(self.tr("(a deleted variant)"), product.variant_id)
                index = self.variant.count() - 1
            self.variant.setCurrentIndex(index)
            self.price.setText(money_input(product.price_cents) if product.price_cents else "")
            self.cost.setText(money_input(product.cost_cents))
            self.low_stock.setValue(product.low_stock)
            self.archived.setChecked(product.archived)
        self.general_error.show_error("")
        self.update_ok()

    def save(self, values: dict[str, Any]) -> None:
        if self.product is None:
            self.run(products.add_product, self.ctx.workspace, changes={"products"}, **values)
            return
        before = {name: getattr(self.product, name) for name in values}
        self.run(
            products.edit_product,
            self.ctx.workspace,
            self.product.id,
            changes={"products"},
            **changed_values(values, before),
        )


class SignedSpinBox(QSpinBox):
    """A spin box that shows a plus on positive numbers, so "+3" and "−3" read as changes."""

    def textFromValue(self, value: int) -> str:
        return f"+{value}" if value > 0 else str(value)


class AdjustStockDialog(FormDialog):
    """A manual change to the stock at home: how many (+/-), why, and a note."""

    def __init__(self, ctx: AppContext, product: ProductView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Adjust stock"), self.tr("Adjust"), parent)
        self.product = product
        title = QLabel(product.name)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        self.body.insertWidget(0, title)
        self.now = QLabel(self.tr("{n} on hand now").format(n=product.on_hand))
        self.body.insertWidget(1, self.now)
        self.quantity = SignedSpinBox()
        self.quantity.setRange(-1_000_000, 1_000_000)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.quantity.setAccessibleDescription(self.tr("Positive adds to the stock, negative takes away."))
        self.add_field(
            "quantity",
            self.tr("C&hange:"),
            self.quantity,
            compact=True,
            phrases=("quantity", "on hand", "take away", "adjustment"),
            hint=self.tr("+5 adds five, −2 takes two away."),
            missing_text=self.tr("Type how many to add (+) or take away (−)."),
        )
        self.reason = QComboBox()
        for reason in products.ADJUST_REASONS:
            self.reason.addItem(reason_label(reason), reason)
        self.add_field("reason", self.tr("&Reason:"), self.reason, compact=True)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Optional, e.g. dropped at the market"))
        self.add_field("note", self.tr("N&ote:"), self.note)
        self.after = QLabel()
        self.after.setAccessibleName(self.tr("On hand afterwards"))
        self.add_row(self.tr("Afterwards:"), self.after)
        self.quantity.selectAll()
        self.fields_changed()

    def missing(self) -> list[Field]:
        gaps = super().missing()
        if "quantity" in self.fields and self.quantity.value() == 0:
            gaps.append(self.fields["quantity"])
        return gaps

    def fields_changed(self) -> None:
        after = self.product.on_hand + self.quantity.value()
        self.after.setText(self.tr("{n} on hand").format(n=after).replace("-", "\u2212"))

    def save(self, values: dict[str, Any]) -> None:
        self.run(
            products.adjust_stock,
            self.ctx.workspace,
            self.product.id,
            values["quantity"],
            reason=values["reason"],
            note=values["note"],
            changes={"stock"},
        )
