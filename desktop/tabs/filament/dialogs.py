"""The filament tab's forms: a filament (what you reorder), a spool (a roll on the shelf), recording usage and
weighing a spool in. Each saves with one `core.services.filament` call and shows core's errors inline."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from core.services import filament as shelf
from core.services.views import FilamentView, SpoolView
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog, RecordForm, inline, number_box, number_width
from desktop.dialogs.units import UnitError, format_decimal, money_input, parse_decimal, weight, weight_signed
from desktop.tabs.filament.shelf import filament_label
from desktop.widgets import colours
from desktop.widgets.swatch import ColourSwatch, parse_hex, swatch_icon
from desktop.widgets.weight_bar import WeightBar

MATERIALS = ("PLA", "PETG", "ABS", "ASA", "TPU", "PA", "PC")
DIAMETERS = ((1750, "1.75"), (2850, "2.85"))


def placeholder(combo: QComboBox, text: str) -> None:
    """Placeholder text for an editable combo box."""
    line = combo.lineEdit()
    if line is not None:
        line.setPlaceholderText(text)


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


# ---------------------------------------------------------------- filament


class FilamentDialog(RecordForm[FilamentView]):
    """Add a filament (`filament=None`) or edit one."""

    def __init__(
        self, ctx: AppContext, filament: FilamentView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            ctx,
            filament,
            add=(self.tr("Add a filament"), self.tr("Add filament")),
            edit=(self.tr("Edit filament"), self.tr("Save")),
            parent=parent,
        )
        self.filament = filament
        known = shelf.list_filaments(ctx.workspace)
        self.brand = QComboBox()
        self.brand.setEditable(True)
        self.brand.addItems(sorted({f.brand for f in known if f.brand}, key=str.casefold))
        self.brand.setCurrentIndex(-1)
        self.brand.setEditText("")
        placeholder(self.brand, self.tr("e.g. Prusament"))
        self.add_field("brand", self.tr("&Brand:"), self.brand)
        self.material = QComboBox()
        self.material.setEditable(True)
        self.material.addItems(sorted(set(MATERIALS) | {f.material for f in known if f.material}))
        self.material.setCurrentIndex(-1)
        self.material.setEditText("")
        placeholder(self.material, self.tr("Required, e.g. PLA"))
        self.add_field("material", self.tr("&Material:"), self.material, required=True)
        self.colour_name = QLineEdit()
        self.colour_name.setPlaceholderText(self.tr("e.g. Galaxy Black"))
        self.add_field("colour_name", self.tr("&Colour name:"), self.colour_name)

        self.colour_hex = QLineEdit()
        self.colour_hex.setPlaceholderText("#1A1A1A")
        self.colour_hex.setFixedWidth(number_width(self.colour_hex))
        self.swatch = ColourSwatch(side=24)
        pick = QPushButton(self.tr("P&ick…"))
        pick.setAccessibleName(self.tr("Pick the colour"))
        pick.setAutoDefault(False)
        pick.clicked.connect(self.pick_colour)
        self.colour_hex.textChanged.connect(self._show_colour)
        self.add_field(
            "colour_hex",
            self.tr("Colo&ur:"),
            inline(self.colour_hex, self.swatch, pick, None),
            phrases=("colour code",),
            read=lambda: self.colour_hex.text().strip(),
            focus=self.colour_hex,
        )

        self.diameter = QComboBox()
        for um, text in DIAMETERS:
            self.diameter.addItem(text, um)
        self.add_field(
            "diameter_um",
            self.tr("&Diameter:"),
            self.diameter,
            unit=self.tr("mm"),
            phrases=("filament diameter",),
        )
        self.net_weight = self.add_weight(
            "net_weight_mg",
            self.tr("&Net weight:"),
            hint=self.tr("Filament on a new spool, without the spool."),
        )
        self.net_weight.set_mg(1_000_000)
        self.empty_weight = self.add_weight(
            "empty_spool_weight_mg",
            self.tr("&Empty spool:"),
            blank=0,
            phrases=("empty spool weight",),
            hint=self.tr("What an empty spool weighs; weighing a spool in subtracts it."),
        )
        self.empty_weight.set_placeholder_mg(0)
        self.price = self.add_money(
            "price_cents",
            self.tr("&Price:"),
            blank=0,
            hint=self.tr("What a spool costs you; used for the cost of prints."),
        )
        self.low_stock = self.add_weight(
            "low_stock_mg",
            self.tr("&Low stock under:"),
            blank=0,
            phrases=("low-stock level",),
            hint=self.tr("Flag this filament when all its spools together hold less. Empty: never."),
        )
        self.low_stock.set_placeholder_mg(0)
        self.density = number_box()
        self.material.currentTextChanged.connect(self._suggest_density)
        density_unit = self.tr("g/cm³")
        self.add_field(
            "density_mg_cm3",
            self.tr("Densit&y:"),
            self.density,
            unit=density_unit,
            read=lambda: parse_decimal(self.density.text(), 1000, density_unit),
            hint=self.tr("Empty: the usual for the material."),
        )
        if filament is not None:
            self.brand.setEditText(filament.brand)
            self.material.setEditText(filament.material)
            self.colour_name.setText(filament.colour_name)
            self.colour_hex.setText(filament.colour_hex)
            index = self.diameter.findData(filament.diameter_um)
            if index < 0:
                self.diameter.addItem(format_decimal(filament.diameter_um, 1000), filament.diameter_um)
                index = self.diameter.count() - 1
            self.diameter.setCurrentIndex(index)
            self.net_weight.set_mg(filament.net_weight_mg)
            self.empty_weight.set_mg(filament.empty_spool_weight_mg or None)
            self.price.setText(money_input(filament.price_cents) if filament.price_cents else "")
            self.low_stock.set_mg(filament.low_stock_mg or None)
            self.density.setText(format_decimal(filament.density_mg_cm3, 1000))

    def _suggest_density(self, material: str) -> None:
        usual = shelf.DEFAULT_DENSITY.get(material.strip().upper())
        self.density.setPlaceholderText(format_decimal(usual, 1000) if usual else "")

    def _show_colour(self, text: str) -> None:
        code = text.strip()
        if code and not code.startswith("#"):
            code = "#" + code
        self.swatch.set_colour(code if parse_hex(code) else "")

    def pick_colour(self) -> None:
        start = parse_hex(self.colour_hex.text().strip()) or QColor("#808080")
        chosen = QColorDialog.getColor(start, self, self.tr("Filament colour"))
        if chosen.isValid():
            self.colour_hex.setText(chosen.name(QColor.NameFormat.HexRgb).upper())

    def save(self, values: dict[str, Any]) -> None:
        if values.get("density_mg_cm3") is None:
            values.pop("density_mg_cm3")
        if values.get("net_weight_mg") is None:
            values.pop("net_weight_mg")
        self.save_record(
            values,
            add=shelf.add_filament,
            edit=shelf.edit_filament,
            changes={"filament"} if self.filament is None else {"filament", "spools"},
        )


# ---------------------------------------------------------------- spool


class SpoolDialog(RecordForm[SpoolView]):
    """Add a spool (`spool=None`, optionally of `filament_id`) or edit one."""

    def __init__(
        self,
        ctx: AppContext,
        spool: SpoolView | None = None,
        filament_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        editing = spool is not None
        super().__init__(
            ctx,
            spool,
            add=(self.tr("Add a spool"), self.tr("Add spool")),
            edit=(self.tr("Edit spool"), self.tr("Save")),
            parent=parent,
        )
        self.spool = spool
        self.filaments: dict[str, FilamentView] = {}

        self.filament = QComboBox()
        self.filament.setMinimumContentsLength(24)
        self.new_filament = QPushButton(self.tr("&New filament…"))
        self.new_filament.setAccessibleName(self.tr("Add a new filament"))
        self.new_filament.setAutoDefault(False)
        self.new_filament.clicked.connect(self.add_filament)
        self.add_field(
            "filament_id",
            self.tr("&Filament:"),
            inline((self.filament, 1), self.new_filament),
            required=True,
            phrases=("filament",),
            read=lambda: self.filament.currentData() or "",
            focus=self.filament,
        )
        self.filament.currentIndexChanged.connect(lambda _i: self._filament_chosen())
        self.filament.currentIndexChanged.connect(lambda _i: self._edited(self.fields["filament_id"]))

        self.initial = self.add_weight(
            "initial_weight_mg",
            self.tr("&Starting weight:"),
            phrases=("spool weight",),
            hint=self.tr("Filament on the spool when it arrived, without the spool."),
        )
        self._initial_typed = editing
        self.initial.textEdited.connect(lambda _t: setattr(self, "_initial_typed", True))
        if not editing:  # the view does not carry it, so it is set when the spool is added
            self.empty_weight = self.add_weight(
                "empty_spool_weight_mg",
                self.tr("&Empty spool:"),
                phrases=("empty spool weight",),
                hint=self.tr("Empty: as the filament. Fill in for a cardboard spool or a refill."),
            )
        self.location = QComboBox()
        self.location.setEditable(True)
        places = {s.location for s in shelf.list_spools(ctx.workspace, include_archived=True) if s.location}
        self.location.addItems(sorted(places, key=str.casefold))
        self.location.setCurrentIndex(-1)
        self.location.setEditText("")
        placeholder(self.location, self.tr("e.g. Shelf A, dry box"))
        self.add_field("location", self.tr("L&ocation:"), self.location)
        self.lot = QLineEdit()
        self.add_field("lot", self.tr("Lo&t:"), self.lot)
        self.purchase_date = QLineEdit()
        self.purchase_date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.add_field(
            "purchase_date",
            self.tr("&Bought on:"),
            self.purchase_date,
            compact=True,
            phrases=("purchase date",),
        )
        self.price = self.add_money(
            "price_cents", self.tr("&Price:"), placeholder="", hint=self.tr("Empty: the filament's price.")
        )
        self.opened = QCheckBox(self.tr("&Opened"))
        self.add_field("opened", "", self.opened)
        self.opened.setAccessibleName(self.tr("Opened"))
        if editing:
            self.archived = QCheckBox(self.tr("&Archived (used up or given away; hidden from the shelf)"))
            self.add_field("archived", "", self.archived)
            self.archived.setAccessibleName(self.tr("Archived"))

        self.reload_filaments(spool.filament_id if spool else filament_id)
        if spool is not None:
            self.initial.set_mg(spool.initial_weight_mg)
            self.location.setEditText(spool.location)
            self.lot.setText(spool.lot)
            self.purchase_date.setText(spool.purchase_date or "")
            self.price.setText(money_input(spool.price_cents))
            self.opened.setChecked(spool.opened)
            self.archived.setChecked(spool.archived)

    def reload_filaments(self, select: str | None = None) -> None:
        self.filaments = {f.id: f for f in shelf.list_filaments(self.ctx.workspace)}
        self.filament.blockSignals(True)
        self.filament.clear()
        for f in sorted(self.filaments.values(), key=lambda f: filament_label(f).casefold()):
            self.filament.addItem(swatch_icon(f.colour_hex, 16), filament_label(f), f.id)
        self.filament.setCurrentIndex(self.filament.findData(select) if select else -1)
        self.filament.blockSignals(False)
        if not self.filaments:
            self.filament.setPlaceholderText(self.tr("No filaments yet: add one first"))
        else:
            self.filament.setPlaceholderText(self.tr("Choose a filament"))
        self._filament_chosen()
        self.update_ok()

    def _filament_chosen(self) -> None:
        f = self.filaments.get(self.filament.currentData() or "")
        if f is None:
            return
        if not self._initial_typed:
            self.initial.set_mg(f.net_weight_mg)
        # empty means "as the filament", so the filament's value is the placeholder
        if self.spool is None:
            self.empty_weight.set_placeholder_mg(f.empty_spool_weight_mg)
        self.price.setPlaceholderText(money_input(f.price_cents))

    def add_filament(self) -> FilamentDialog:
        dialog = FilamentDialog(self.ctx, None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.reload_filaments(dialog.result_value.id if dialog.result_value else None)
        )
        dialog.open()
        return dialog

    def save(self, values: dict[str, Any]) -> None:
        if values.get("initial_weight_mg") is None:
            values.pop("initial_weight_mg")  # core uses the filament's net weight
        before = {}
        if self.spool is not None:
            before["purchase_date"] = self.spool.purchase_date or ""  # the box shows no date as ""
            if values.get("purchase_date", "") == "" and self.spool.purchase_date is None:
                values.pop("purchase_date")
        self.save_record(
            values, add=shelf.add_spool, edit=shelf.edit_spool, changes={"spools", "filament"}, before=before
        )


# ---------------------------------------------------------------- usage and weighing


class _SpoolActionDialog(FormDialog):
    """A form about one spool: it starts with the spool's swatch, name and what is left."""

    def __init__(
        self, ctx: AppContext, spool: SpoolView, colour_hex: str, title: str, ok: str, parent: QWidget | None
    ) -> None:
        super().__init__(ctx, title, ok, parent)
        self.spool = spool
        header = QWidget()
        row = QHBoxLayout(header)
        row.setContentsMargins(0, 0, 0, 6)
        row.addWidget(ColourSwatch(colour_hex, 32))
        name = QLabel(
            self.tr("{spool}  \u00b7  {place}").format(spool=spool.label, place=spool.location)
            if spool.location
            else spool.label
        )
        font = name.font()
        font.setBold(True)
        name.setFont(font)
        row.addWidget(name, 1)
        self.bar = WeightBar()
        low = shelf.nearly_empty(spool)
        self.bar.set_values(
            spool.remaining_mg,
            spool.initial_weight_mg,
            self.tr("{left} of {initial} left").format(
                left=weight(spool.remaining_mg, self.weight_unit),
                initial=weight(spool.initial_weight_mg, self.weight_unit),
            ),
            low=low,
        )
        self.bar.setAccessibleName(self.tr("Left on the spool"))
        self.body.insertWidget(0, header)
        self.body.insertWidget(1, self.bar)
        self.preview = _note()
        self.preview.setAccessibleName(self.tr("Result"))


USAGE_REASONS = ("manual", "waste", "failed_print", "print")


def usage_reason_label(reason: str) -> str:
    def tr(text: str) -> str:
        return QCoreApplication.translate("UsageDialog", text)

    labels = {
        "manual": tr("Used by hand (test print, calibration)"),
        "waste": tr("Waste (purge, first layers, scraps)"),
        "failed_print": tr("A failed print"),
        "print": tr("A print (not from the queue)"),
        "weigh_in": tr("Weighed in"),
    }
    return labels.get(reason, reason)


class UsageDialog(_SpoolActionDialog):
    """Record filament taken off a spool by hand."""

    def __init__(
        self, ctx: AppContext, spool: SpoolView, colour_hex: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, spool, colour_hex, self.tr("Record usage"), self.tr("Record"), parent)
        self.amount = self.add_weight("grams_mg", self.tr("&Used:"), required=True, phrases=("amount used",))
        self.reason = QComboBox()
        for reason in USAGE_REASONS:
            self.reason.addItem(usage_reason_label(reason), reason)
        self.add_field("reason", self.tr("&Reason:"), self.reason)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Optional"))
        self.add_field("note", self.tr("N&ote:"), self.note)
        self.add_row(self.tr("Afterwards:"), self.preview)
        self.fields_changed()

    def fields_changed(self) -> None:
        unit = self.weight_unit
        try:
            used = self.amount.mg()
        except UnitError:
            used = None
        if not used:
            self.preview.setText(self.tr("{left} left").format(left=weight(self.spool.remaining_mg, unit)))
            return
        after = self.spool.remaining_mg - used
        if after < 0:
            self.preview.setText(
                self.tr("{none} ({over} more than recorded)").format(
                    none=weight(0, unit), over=weight(-after, unit)
                )
            )
        else:
            self.preview.setText(self.tr("{left} left").format(left=weight(after, unit)))

    def save(self, values: dict[str, Any]) -> None:
        self.run(
            shelf.record_usage,
            self.ctx.workspace,
            self.spool.id,
            values["grams_mg"],
            reason=values["reason"],
            note=values["note"],
            changes={"spools", "filament"},
        )


class WeighDialog(_SpoolActionDialog):
    """Weigh a spool in: the gross weight on the scale, the correction it makes to the record."""

    def __init__(
        self, ctx: AppContext, spool: SpoolView, colour_hex: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, spool, colour_hex, self.tr("Weigh in a spool"), self.tr("Apply"), parent)
        self.tare_mg = shelf.spool_tare_mg(ctx.workspace, spool.id)
        self.gross = self.add_weight(
            "gross_mg",
            self.tr("On the &scale:"),
            required=True,
            phrases=("weighed weight", "weighed"),
            hint=self.tr("The spool and its filament together. The empty spool counts as {tare}.").format(
                tare=weight(self.tare_mg, self.weight_unit)
            ),
        )
        self.net_label = QLabel()
        self.recorded_label = QLabel(weight(spool.remaining_mg, self.weight_unit))
        for label, name in (
            (self.net_label, self.tr("Filament on it")),
            (self.recorded_label, self.tr("Recorded")),
            (self.preview, self.tr("Correction")),
        ):
            label.setAccessibleName(name)
        self.add_row(self.tr("Filament on it:"), self.net_label)
        self.add_row(self.tr("Recorded:"), self.recorded_label)
        self.add_row(self.tr("Correction:"), self.preview)
        self.correction_mg: int | None = None
        self.fields_changed()

    def fields_changed(self) -> None:
        unit = self.weight_unit
        try:
            gross = self.gross.mg()
        except UnitError:
            gross = None
        palette = self.preview.palette()
        palette.setColor(QPalette.ColorRole.WindowText, self.palette().color(QPalette.ColorRole.WindowText))
        self.correction_mg = None
        if gross is None:
            self.net_label.setText("\u2014")
            self.preview.setText(self.tr("Type what the scale shows."))
        elif gross < self.tare_mg:
            self.net_label.setText("\u2014")
            self.preview.setText(self.tr("Less than the empty spool weighs."))
            palette.setColor(QPalette.ColorRole.WindowText, colours.danger(palette))
        else:
            net = gross - self.tare_mg
            self.correction_mg = net - self.spool.remaining_mg
            self.net_label.setText(weight(net, unit))
            if self.correction_mg == 0:
                self.preview.setText(self.tr("None: the record is right."))
            else:
                self.preview.setText(weight_signed(self.correction_mg, unit))
        self.preview.setPalette(palette)

    def save(self, values: dict[str, Any]) -> None:
        self.run(
            shelf.weigh_spool,
            self.ctx.workspace,
            self.spool.id,
            values["gross_mg"],
            changes={"spools", "filament"},
        )
