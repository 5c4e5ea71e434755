"""The settings dialog: units, currency, theme, the rates unit costs are worked out with (electricity per
kWh and labour per hour in the currency, failed prints in per cent), how prices are suggested, and the data
folder.

The settings are core's (`core.services.settings`); the dialog shows them in the units people use and saves
the ones that changed in one `ctx.ops` call.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from core.errors import PrintstallError, ValidationError
from core.services import costing, settings
from core.workspace import Workspace
from desktop.context import AppContext
from desktop.dialogs.forms import ErrorLabel
from desktop.dialogs.units import money

DATA_FOLDER_KEY = "data/folder"  # per install (QSettings): where the app opens its data next time
EXAMPLE_COST = 1000  # cents: the cost the pricing example starts from


def chosen_data_folder(store: QSettings) -> Path | None:
    value = store.value(DATA_FOLDER_KEY)
    return Path(str(value)) if value else None


def save_settings(ws: Workspace, values: dict[str, Any]) -> dict[str, Any]:
    """Set each of `values` that differs from what is stored; returns the ones that changed."""
    changed = {key: value for key, value in values.items() if settings.get(ws, key) != value}
    for key, value in changed.items():
        settings.set_value(ws, key, value)
    return changed


def _amount_box(maximum: float, suffix: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, maximum)
    box.setDecimals(2)
    box.setSuffix(suffix)
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    box.setMinimumWidth(170)
    return box


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Settings"))
        values = settings.get_all(ctx.workspace)
        code = str(values["currency"])
        form = QFormLayout(self)

        self.currency = QLineEdit(code)
        self.currency.setMaxLength(3)
        self.currency.setAccessibleName(self.tr("Currency code"))
        self.weight_unit = QComboBox()
        self.weight_unit.addItem(self.tr("grams"), "g")
        self.weight_unit.addItem(self.tr("ounces"), "oz")
        self.weight_unit.setCurrentIndex(max(0, self.weight_unit.findData(values["weight_unit"])))
        self.theme = QComboBox()
        for label, key in (
            (self.tr("Like the system"), "system"),
            (self.tr("Light"), "light"),
            (self.tr("Dark"), "dark"),
        ):
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(values["theme"])))

        self.electricity = _amount_box(100, self.tr(" {currency} per kWh").format(currency=code))
        self.electricity.setValue(int(values["electricity_cents_per_kwh"]) / 100)
        self.electricity.setAccessibleName(self.tr("Electricity price per kWh"))
        self.labour = _amount_box(10_000, self.tr(" {currency} per hour").format(currency=code))
        self.labour.setValue(int(values["labour_cents_per_hour"]) / 100)
        self.labour.setAccessibleName(self.tr("Labour per hour"))
        self.failure = QDoubleSpinBox()
        self.failure.setRange(0, 99.9)
        self.failure.setDecimals(1)
        self.failure.setSuffix(self.tr(" %"))
        self.failure.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.failure.setValue(int(values["failure_rate_permille"]) / 10)
        self.failure.setAccessibleName(self.tr("Share of prints that fail"))
        self.pricing_method = QComboBox()
        self.pricing_method.addItem(self.tr("a margin: the share of the price that is profit"), "margin")
        self.pricing_method.addItem(self.tr("a markup: profit added on top of the cost"), "markup")
        self.pricing_method.setCurrentIndex(max(0, self.pricing_method.findData(values["pricing_method"])))
        self.pricing_percent = QSpinBox()
        self.pricing_percent.setRange(0, 1000)
        self.pricing_percent.setSuffix(self.tr(" %"))
        self.pricing_percent.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.pricing_percent.setValue(int(values["pricing_percent"]))
        self.pricing_example = QLabel()
        self.pricing_example.setWordWrap(True)
        self.pricing_example.setAccessibleName(self.tr("Example of a suggested price"))
        self.pricing_method.currentIndexChanged.connect(lambda _i: self._pricing_changed())
        self.pricing_percent.valueChanged.connect(lambda _v: self._pricing_changed())

        folder_row = QHBoxLayout()
        self.folder = QLabel(str(chosen_data_folder(ctx.settings) or ctx.workspace.data_dir))
        self.folder.setWordWrap(True)
        change = QPushButton(self.tr("Ch&ange…"))
        change.setAccessibleName(self.tr("Change the data folder"))
        change.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(change)

        self.error = ErrorLabel()
        form.addRow(self.tr("&Currency:"), self.currency)
        form.addRow(self.tr("&Weights in:"), self.weight_unit)
        form.addRow(self.tr("T&heme:"), self.theme)
        form.addRow(self._heading(self.tr("What a print costs")))
        form.addRow(self.tr("E&lectricity:"), self.electricity)
        form.addRow(self.tr("La&bour:"), self.labour)
        form.addRow(self.tr("Prints that &fail:"), self.failure)
        failure_hint = self._hint(self.tr("For printers that have no rate of their own (Edit > Printers)."))
        form.addRow("", failure_hint)
        form.addRow(self._heading(self.tr("Suggested prices")))
        form.addRow(self.tr("&Suggest prices with:"), self.pricing_method)
        self.percent_label = QLabel()
        self.percent_label.setBuddy(self.pricing_percent)
        form.addRow(self.percent_label, self.pricing_percent)
        form.addRow("", self.pricing_example)
        form.addRow(self.tr("Data folder (from the next start):"), folder_row)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save is not None
        self.save_button: QPushButton = save
        form.addRow(buttons)
        self._pricing_changed()

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setEnabled(False)  # the palette's muted text
        return label

    def _pricing_changed(self) -> None:
        method = self.pricing_method.currentData()
        percent = self.pricing_percent.value()
        self.percent_label.setText(self.tr("Target &margin:") if method == "margin" else self.tr("&Markup:"))
        self.pricing_percent.setAccessibleName(self.percent_label.text().replace("&", "").rstrip(":"))
        code = self.currency.text().strip().upper()
        try:
            price = costing.suggested_price(Decimal(EXAMPLE_COST), method, percent)
        except ValidationError:
            self.pricing_example.setText(
                self.tr("A margin has to be under 100 %: all of a price cannot be profit.")
            )
            self.save_button.setEnabled(False)
            return
        self.save_button.setEnabled(True)
        self.pricing_example.setText(
            self.tr("Something that costs {cost} to make is priced {price}.").format(
                cost=money(EXAMPLE_COST, code), price=money(price, code)
            )
        )

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def values(self) -> dict[str, Any]:
        return {
            "currency": self.currency.text(),
            "weight_unit": self.weight_unit.currentData(),
            "theme": self.theme.currentData(),
            "electricity_cents_per_kwh": round(self.electricity.value() * 100),
            "labour_cents_per_hour": round(self.labour.value() * 100),
            "failure_rate_permille": round(self.failure.value() * 10),
            "pricing_method": self.pricing_method.currentData(),
            "pricing_percent": self.pricing_percent.value(),
        }

    def save(self) -> None:
        self.error.show_error("")
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            save_settings,
            self.ctx.workspace,
            self.values(),
            changes={"settings"},
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, _changed: object) -> None:
        self.save_button.setEnabled(True)
        if self.folder.text() != str(self.ctx.workspace.data_dir):
            self.ctx.settings.setValue(DATA_FOLDER_KEY, self.folder.text())
        self.accept()

    def _failed(self, error: PrintstallError) -> None:
        self.save_button.setEnabled(True)
        self.error.show_error(str(error))
