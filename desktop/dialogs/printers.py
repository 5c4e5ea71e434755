"""The printers: a list with Add, Edit and Delete (with Undo), and the form for one printer, with what costing
needs of it (power draw, hourly cost, and its own share of failed prints where it differs from settings).

The main window opens `PrintersDialog(ctx, parent)` from its menu. Every change is a `core.services.printers`
call through `ctx.ops`; the list refreshes from `ctx.ops.changed`, so an edit made elsewhere shows here too.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.services import printers, records, settings
from core.services.views import PrinterView
from desktop.context import AppContext
from desktop.dialogs.forms import RecordForm, currency, inline, number_box, number_width
from desktop.dialogs.units import (
    UnitError,
    format_decimal,
    money,
    money_input,
    parse_decimal,
    parse_percent,
    percent,
)
from desktop.widgets.keyed_model import KeyedTableModel
from desktop.widgets.undo_bar import UndoBar

NOZZLES = ("0.2", "0.25", "0.4", "0.6", "0.8", "1.0")


def tr(text: str) -> str:
    return QCoreApplication.translate("PrintersModel", text)


def build_volume(p: PrinterView) -> str:
    if not (p.build_x_mm or p.build_y_mm or p.build_z_mm):
        return ""
    return tr("{x} \u00d7 {y} \u00d7 {z} mm").format(x=p.build_x_mm, y=p.build_y_mm, z=p.build_z_mm)


class PrintersModel(KeyedTableModel[PrinterView]):
    def __init__(self, currency_code: str) -> None:
        super().__init__(
            [
                self.tr("Name"),
                self.tr("Model"),
                self.tr("Nozzle"),
                self.tr("Build volume"),
                self.tr("Power"),
                self.tr("Per hour"),
                self.tr("Failures"),
            ],
            key=lambda p: p.id,
        )
        self.currency = currency_code

    def cell_alignment(self, column: int) -> int | None:
        return (
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column in (2, 4, 5, 6)
            else None
        )

    def cell(self, item: PrinterView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.name,
                item.model,
                self.tr("{n} mm").format(n=format_decimal(item.nozzle_um, 1000)),
                build_volume(item),
                self.tr("{n} W").format(n=item.power_w) if item.power_w else "",
                money(item.hourly_cost_cents, self.currency) if item.hourly_cost_cents else "",
                percent(item.failure_rate_permille) if item.failure_rate_permille is not None else "",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 6:
            return (
                self.tr("Prints on this printer that fail, counted into their cost")
                if item.failure_rate_permille is not None
                else self.tr("As in Settings")
            )
        if role == Qt.ItemDataRole.ToolTipRole and item.notes:
            return item.notes
        return None


def parse_failure_rate(text: str) -> int | None:
    """A printer's share of failed prints typed in per cent, as per mille; blank (None) means "as in
    settings"."""
    permille = parse_percent(text)
    if permille is not None and permille >= 1000:
        raise UnitError(tr("Type a share under 100 %, like 5 or 7.5."))
    return permille


def _spin(maximum: int, suffix: str = "", minimum: int = 0) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    if suffix:
        box.setSuffix(suffix)
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    return box


class PrinterDialog(RecordForm[PrinterView]):
    """Add a printer (`printer=None`) or edit one."""

    def __init__(
        self, ctx: AppContext, printer: PrinterView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            printer,
            add=(self.tr("Add a printer"), self.tr("Add printer")),
            edit=(self.tr("Edit printer"), self.tr("Save")),
            parent=parent,
        )
        self.printer = printer
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Required, e.g. MK4 left"))
        self.add_field("name", self.tr("&Name:"), self.name, required=True, phrases=("name", "printer name"))
        self.model = QLineEdit()
        self.model.setPlaceholderText(self.tr("e.g. Original Prusa MK4S"))
        self.add_field("model", self.tr("&Model:"), self.model, phrases=("printer model", "model"))
        self.nozzle = QComboBox()
        self.nozzle.setEditable(True)
        self.nozzle.addItems(NOZZLES)
        self.nozzle.setCurrentText("0.4")
        millimetres = self.tr("mm")
        self.add_field(
            "nozzle_um",
            self.tr("N&ozzle:"),
            self.nozzle,
            unit=millimetres,
            phrases=("nozzle size", "nozzle"),
            read=lambda: parse_decimal(self.nozzle.currentText(), 1000, millimetres),
        )
        self.build_x, self.build_y, self.build_z = (_spin(5000) for _ in range(3))
        for box, name in (
            (self.build_x, self.tr("Build width")),
            (self.build_y, self.tr("Build depth")),
            (self.build_z, self.tr("Build height")),
        ):
            box.setAccessibleName(name)
            box.setToolTip(name)
            box.setFixedWidth(number_width(box, 5))
        times = "\u00d7"
        self.add_field(
            "build",
            self.tr("&Build volume:"),
            inline(
                self.build_x,
                QLabel(times),
                self.build_y,
                QLabel(times),
                self.build_z,
                QLabel(millimetres),
                None,
            ),
            phrases=("build width", "build depth", "build height"),
            read=lambda: (self.build_x.value(), self.build_y.value(), self.build_z.value()),
            focus=self.build_x,
        )
        self.build_x.setAccessibleName(self.tr("Build width"))
        self.extruders = _spin(16, minimum=1)
        self.add_field(
            "extruders",
            self.tr("&Extruders:"),
            self.extruders,
            compact=True,
            phrases=("number of extruders",),
        )
        self.power = _spin(10_000)
        self.add_field(
            "power_w",
            self.tr("&Power draw:"),
            self.power,
            unit=self.tr("W"),
            phrases=("power draw",),
            hint=self.tr("Average while printing; for the electricity in a print's cost."),
        )
        self.hourly = self.add_money(
            "hourly_cost_cents",
            self.tr("&Hourly cost:"),
            blank=0,
            phrases=("hourly machine cost", "hourly cost"),
            hint=self.tr("Wear, maintenance and paying the printer off, per printing hour."),
        )
        default = int(settings.get(ctx.workspace, "failure_rate_permille"))
        self.failure_rate = number_box(format_decimal(default, 10, 1))
        self.add_field(
            "failure_rate_permille",
            self.tr("Prints that &fail:"),
            self.failure_rate,
            unit=self.tr("%"),
            phrases=("failure rate",),
            read=lambda: parse_failure_rate(self.failure_rate.text()),
            hint=self.tr(
                "Blank: as in Settings ({rate}). The filament and time failed prints waste are added to "
                "the cost of the good ones."
            ).format(rate=percent(default)),
        )
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 12)
        self.notes.setTabChangesFocus(True)
        self.add_field("notes", self.tr("No&tes:"), self.notes)
        if printer is not None:
            self.name.setText(printer.name)
            self.model.setText(printer.model)
            self.nozzle.setCurrentText(format_decimal(printer.nozzle_um, 1000))
            self.build_x.setValue(printer.build_x_mm)
            self.build_y.setValue(printer.build_y_mm)
            self.build_z.setValue(printer.build_z_mm)
            self.extruders.setValue(printer.extruders)
            self.power.setValue(printer.power_w)
            self.hourly.setText(money_input(printer.hourly_cost_cents) if printer.hourly_cost_cents else "")
            if printer.failure_rate_permille is not None:
                self.failure_rate.setText(format_decimal(printer.failure_rate_permille, 10, 1))
            self.notes.setPlainText(printer.notes)

    @staticmethod
    def _record_values(values: dict[str, Any]) -> dict[str, Any]:
        clean = dict(values)
        clean["build_x_mm"], clean["build_y_mm"], clean["build_z_mm"] = clean.pop("build")
        if clean["nozzle_um"] is None:
            clean.pop("nozzle_um")
        return clean

    def save(self, values: dict[str, Any]) -> None:
        self.save_record(
            self._record_values(values),
            add=printers.add_printer,
            edit=printers.edit_printer,
            changes={"printers"},
        )


class PrintersDialog(QDialog):
    """The printers you print on: add, edit, delete (undoable)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Printers"))
        self.setAccessibleName(self.tr("Printers"))
        self.model = PrintersModel(currency(ctx))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Printers"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.activated.connect(lambda _index: self.edit_selected())

        self.empty = QLabel(
            self.tr(
                "No printers yet.\nAdd the printers you print on, so jobs can be queued on them and "
                "prints can be costed."
            )
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        self.undo_bar = UndoBar(self)

        self.add_button = QPushButton(self.tr("&Add…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.add_button.setAccessibleName(self.tr("Add a printer"))
        self.edit_button.setAccessibleName(self.tr("Edit the selected printer"))
        self.delete_button.setAccessibleName(self.tr("Delete the selected printer"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.pages, 1)
        top.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.undo_bar)
        layout.addWidget(close)
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)
        new_key = QShortcut(QKeySequence.StandardKey.New, self)
        new_key.activated.connect(self.add)
        self.resize(760, 380)

        self._select_next: str | None = None
        ctx.ops.changed.connect(self._on_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.refresh()
        if self.model.rowCount():
            self.select(self.model.row_at(0).id)

    # ---------------------------------------------------------------- contents

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if "printers" in kinds:
            self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(printers.list_printers(self.ctx.workspace))
        self.pages.setCurrentWidget(self.table if self.model.rowCount() else self.empty)
        if self._select_next is not None:
            self.select(self._select_next)
        self._update_buttons()

    def selected(self) -> PrinterView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, printer_id: str) -> None:
        """Select a printer; one that is not listed yet (just added or restored) is selected once it is."""
        row = self.model.row_of(printer_id)
        self._select_next = None if row >= 0 else printer_id
        if row >= 0:
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # ---------------------------------------------------------------- actions

    def open_editor(self, printer: PrinterView | None = None) -> PrinterDialog:
        """Open the form (not modal to the tests: they type into it and click its OK)."""
        dialog = PrinterDialog(self.ctx, printer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._after_save(dialog.result_value))
        dialog.open()
        return dialog

    def add(self) -> PrinterDialog:
        return self.open_editor(None)

    def edit_selected(self) -> PrinterDialog | None:
        printer = self.selected()
        return None if printer is None else self.open_editor(printer)

    def _after_save(self, printer: PrinterView | None) -> None:
        if printer is not None:
            self.select(printer.id)
        self.table.setFocus()

    def delete_selected(self) -> None:
        printer = self.selected()
        if printer is None:
            return
        row = self.model.row_of(printer.id)

        def deleted(_result: object) -> None:
            self.undo_bar.show_message(
                self.tr("Deleted printer {name}.").format(name=printer.name), lambda: self.restore(printer)
            )
            if self.model.rowCount():
                self.select(self.model.row_at(min(row, self.model.rowCount() - 1)).id)

        self.ctx.ops.run(
            printers.delete_printer, self.ctx.workspace, printer.id, changes={"printers"}, on_done=deleted
        )

    def restore(self, printer: PrinterView) -> None:
        self.ctx.ops.run(
            records.restore,
            self.ctx.workspace,
            printers.SPEC,
            printer.id,
            changes={"printers"},
            on_done=lambda _row: self.select(printer.id),
        )
