"""The settings dialog: units, currency, theme, costing rates, and the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
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

from core.errors import ValidationError
from core.services import settings
from desktop.context import AppContext

DATA_FOLDER_KEY = "data/folder"  # per install (QSettings): where the app opens its data next time


def chosen_data_folder(store: QSettings) -> Path | None:
    value = store.value(DATA_FOLDER_KEY)
    return Path(str(value)) if value else None


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Settings"))
        values = settings.get_all(ctx.workspace)
        form = QFormLayout(self)

        self.currency = QLineEdit(str(values["currency"]))
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
        self.electricity = QDoubleSpinBox()
        self.electricity.setRange(0, 10)
        self.electricity.setDecimals(3)
        self.electricity.setValue(int(values["electricity_cents_per_kwh"]) / 100)
        self.labour = QDoubleSpinBox()
        self.labour.setRange(0, 1000)
        self.labour.setValue(int(values["labour_cents_per_hour"]) / 100)
        self.failure = QSpinBox()
        self.failure.setRange(0, 99)
        self.failure.setSuffix(" %")
        self.failure.setValue(int(values["failure_rate_permille"]) // 10)

        folder_row = QHBoxLayout()
        self.folder = QLabel(str(chosen_data_folder(ctx.settings) or ctx.workspace.data_dir))
        self.folder.setWordWrap(True)
        change = QPushButton(self.tr("Change…"))
        change.setAccessibleName(self.tr("Change the data folder"))
        change.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(change)

        self.error = QLabel()
        self.error.setStyleSheet("color: #d9534f")
        self.error.hide()
        form.addRow(self.tr("Currency"), self.currency)
        form.addRow(self.tr("Weights in"), self.weight_unit)
        form.addRow(self.tr("Theme"), self.theme)
        form.addRow(self.tr("Electricity per kWh"), self.electricity)
        form.addRow(self.tr("Labour per hour"), self.labour)
        form.addRow(self.tr("Prints that fail"), self.failure)
        form.addRow(self.tr("Data folder (from the next start)"), folder_row)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

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
            "failure_rate_permille": self.failure.value() * 10,
        }

    def save(self) -> None:
        try:
            for key, value in self.values().items():
                if settings.get(self.ctx.workspace, key) != value:
                    settings.set_value(self.ctx.workspace, key, value)
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        if self.folder.text() != str(self.ctx.workspace.data_dir):
            self.ctx.settings.setValue(DATA_FOLDER_KEY, self.folder.text())
        self.ctx.ops.changed.emit(frozenset({"settings"}))
        self.accept()
