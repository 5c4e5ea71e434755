"""The products tab's forms: a product, and a manual stock adjustment with its reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from core.services import library, products
from core.services.views import ProductView
from desktop.context import AppContext
from desktop.dialogs.forms import Field, FormDialog, RecordForm, number_box
from desktop.dialogs.units import UnitError, format_decimal, money_input, parse_decimal
from desktop.tabs.products.models import kind_label, reason_label

MAX_LABOUR_MINUTES = 7 * 24 * 60  # core's limit: a week of hand work per unit


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductDialog", text)


def parse_labour(text: str) -> int:
    """Minutes of hand work as typed ("5", "2.5", "5 min") in seconds; blank is none."""
    try:
        seconds = parse_decimal(text, 60, tr("min"))
    except UnitError:
        raise UnitError(tr("Type the minutes of hand work, like 5 or 2.5.")) from None
    if seconds is not None and seconds > MAX_LABOUR_MINUTES * 60:
        raise UnitError(tr("That is over a week of hand work; type the minutes for one unit, like 5 or 2.5."))
    return seconds or 0


class ProductDialog(RecordForm[ProductView]):
    """Add a product (`product=None`) or edit one."""

    def __init__(
        self, ctx: AppContext, product: ProductView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            product,
            add=(self.tr("Add a product"), self.tr("Add product")),
            edit=(self.tr("Edit product"), self.tr("Save")),
            parent=parent,
        )
        self.product = product
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
        self.price = self.add_money("price_cents", self.tr("&Price:"), blank=0)
        self.cost = self.add_money(
            "cost_cents",
            self.tr("&Cost:"),
            placeholder="",
            hint=self.tr(
                "What one costs you to buy, for things you do not make. Empty: worked out from the print, "
                "the hand work and the components."
            ),
        )
        self.labour = number_box("0")
        self.add_field(
            "labour_s",
            self.tr("La&bour:"),
            self.labour,
            unit=self.tr("min"),
            phrases=("labour time",),
            read=lambda: parse_labour(self.labour.text()),
            hint=self.tr(
                "Minutes of hand work per unit (supports, assembly, packing), at the rate in Settings."
            ),
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
            self.labour.setText(format_decimal(product.labour_s, 60, 2) if product.labour_s else "")
            self.low_stock.setValue(product.low_stock)
            self.archived.setChecked(product.archived)

    def save(self, values: dict[str, Any]) -> None:
        self.save_record(values, add=products.add_product, edit=products.edit_product, changes={"products"})


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
