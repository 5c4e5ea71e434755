"""The queue's dialogs: queue a job, and start, finish or fail one with a spool per extruder slot.

The spools come prefilled by `core.services.matching` (the job's own where it was started with them), each
slot shows what it needs and a warning when the spool picked is short, of another material or colour, or
loaded in another printer; every pick can be changed. Each dialog saves with one `ctx.ops.run` call and closes
only when it succeeded; a refusal from core is shown next to the field it is about.
"""

from __future__ import annotations

import html
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import NotFound
from core.services import jobs, library, matching, printers, products
from core.services.matching import SlotMatch, VariantMatch
from core.services.views import JobView, VariantView
from core.timeutil import parse
from desktop.context import AppContext
from desktop.dialogs.forms import Field, FormDialog
from desktop.dialogs.units import UnitError, WeightUnit, weight
from desktop.tabs.queue import look
from desktop.widgets import colours
from desktop.widgets.swatch import ColourSwatch, swatch_icon

# Changes each action makes, for the screens that listen.
CHANGES = {
    "queue": {"jobs"},
    "start": {"jobs"},
    "finish": {"jobs", "stock", "spools", "products"},
    "fail": {"jobs", "spools"},
    "cancel": {"jobs"},
    "move": {"jobs"},
}

FAILURE_REASONS = (
    QT_TRANSLATE_NOOP("QueueTab", "Came loose from the bed"),
    QT_TRANSLATE_NOOP("QueueTab", "Spaghetti"),
    QT_TRANSLATE_NOOP("QueueTab", "Clogged nozzle"),
    QT_TRANSLATE_NOOP("QueueTab", "Layer shift"),
    QT_TRANSLATE_NOOP("QueueTab", "Warping"),
    QT_TRANSLATE_NOOP("QueueTab", "Ran out of filament"),
    QT_TRANSLATE_NOOP("QueueTab", "Power cut"),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("QueueTab", text)


def _tinted(label: QLabel, colour_of: Any) -> QLabel:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour_of(palette))
    label.setPalette(palette)
    return label


def variant_label(variant: VariantView, model_names: dict[str, str]) -> str:
    """The variant's name, with its model's when the name does not already say it."""
    model = model_names.get(variant.model_id, "")
    if model and model.casefold() not in variant.name.casefold():
        return tr("{model} \u2014 {variant}").format(model=model, variant=variant.name)
    return variant.name


def printer_combo(ctx: AppContext, current: str | None, *, none_text: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(none_text, None)
    for printer in printers.list_printers(ctx.workspace):
        if not printer.archived or printer.id == current:
            combo.addItem(printer.name, printer.id)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current else 0)
    return combo


# ---------------------------------------------------------------- queue a job


class QueueJobDialog(FormDialog):
    """Put plates of a variant in a printer's queue."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        printer_id: str | None = None,
        variant_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, tr("Queue a print"), tr("Add to queue"), parent)
        ws = ctx.workspace
        models = {m.id: m.name for m in library.list_models(ws)}
        self.variants = {v.id: v for v in library.list_variants(ws)}
        self._printer_chosen = printer_id is not None
        self.variant = QComboBox()
        self.variant.setEditable(True)
        self.variant.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.variant.lineEdit()
        assert line is not None
        line.setPlaceholderText(tr("Type to search the library"))
        for v in sorted(self.variants.values(), key=lambda v: variant_label(v, models).casefold()):
            self.variant.addItem(variant_label(v, models), v.id)
        completer = self.variant.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.variant.setMinimumContentsLength(32)
        self.add_field(
            "variant_id",
            tr("&Variant:"),
            self.variant,
            required=True,
            phrases=("model variant", "variant"),
            read=self._variant_id,
            hint="" if self.variants else tr("The library has no sliced files yet: import one first."),
        )
        self.copies = QSpinBox()
        self.copies.setRange(1, 10_000)
        self.copies.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.add_field(
            "copies", tr("&Copies:"), self.copies, unit=tr("plates"), phrases=("number of copies",)
        )
        self.printer = printer_combo(ctx, printer_id, none_text=tr("Unassigned"))
        self.add_field(
            "printer_id", tr("&Printer:"), self.printer, phrases=("printer",), read=self.printer.currentData
        )
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(tr("Optional, e.g. for the Christmas market"))
        self.add_field("notes", tr("&Notes:"), self.notes)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(tr("What this job makes"))
        self.add_row("", self.preview)
        self.shortage = _tinted(QLabel(), colours.warning)
        self.shortage.setWordWrap(True)
        self.shortage.setAccessibleName(tr("Filament warnings"))
        self.add_row("", self.shortage)
        if variant_id is not None:
            self.variant.setCurrentIndex(max(self.variant.findData(variant_id), 0))
        elif not self.variants:
            self.variant.setCurrentIndex(-1)
        self.fields_changed()
        self.general_error.show_error("")

    def _variant_id(self) -> str:
        index = self.variant.findText(self.variant.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index < 0:
            raise UnitError(tr("Pick a variant from the list."))
        return str(self.variant.itemData(index))

    def fields_changed(self) -> None:
        try:
            variant = self.variants.get(self._variant_id())
        except UnitError:
            variant = None
        if variant is None:
            self.preview.setText("")
            self.shortage.hide()
            return
        if not self._printer_chosen and variant.printer_id and self.printer.currentData() is None:
            self.printer.setCurrentIndex(max(self.printer.findData(variant.printer_id), 0))
        copies = self.copies.value()
        parts = [
            tr("Makes {n} units").format(n=copies * variant.units_per_plate),
            tr("{g} of filament").format(g=weight(copies * variant.grams_mg, self.weight_unit))
            if variant.grams_mg
            else "",
            look.duration(variant.print_time_s * copies)
            if variant.print_time_s
            else tr("print time unknown"),
        ]
        self.preview.setText(" \u00b7 ".join(p for p in parts if p))
        match = matching.match_variant(self.ctx.workspace, variant.id, copies=copies)
        self.shortage.setText("\n".join(match.warnings))
        self.shortage.setVisible(bool(match.warnings))

    def save(self, values: dict[str, Any]) -> None:
        self.run(
            jobs.queue_job,
            self.ctx.workspace,
            values["variant_id"],
            copies=values["copies"],
            printer_id=values["printer_id"],
            notes=values["notes"],
            changes=CHANGES["queue"],
        )


# ---------------------------------------------------------------- start, finish, fail


class SpoolPicker(QWidget):
    """One extruder slot: what it needs, a spool combo (best first, unsuitable ones after a line) and the
    warning for the spool picked."""

    def __init__(self, slot: SlotMatch, unit: WeightUnit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self.unit = unit
        req = slot.requirement
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        need = QHBoxLayout()
        need.setSpacing(6)
        need.addWidget(ColourSwatch(look.colour_code(req.colour_hex, req.description), 14))
        self.need = QLabel()
        need.addWidget(self.need, 1)
        layout.addLayout(need)
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(36)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.addItem(tr("Choose a spool\u2026"), None)
        suitable = [c for c in slot.candidates if c.suitable]
        others = [c for c in slot.candidates if not c.suitable]
        for candidate in suitable:
            self._add(candidate)
        if others:
            self.combo.insertSeparator(self.combo.count())
            for candidate in others:
                self._add(candidate)
        if slot.chosen is not None:
            self.combo.setCurrentIndex(max(self.combo.findData(slot.chosen.spool_id), 0))
        layout.addWidget(self.combo)
        self.warning = _tinted(QLabel(), colours.warning)
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.set_needed(slot.needed_mg)

    def _add(self, candidate: matching.Candidate) -> None:
        spool = candidate.spool
        parts = [spool.label, tr("{g} left").format(g=weight(max(candidate.available_mg, 0), self.unit))]
        if spool.location:
            parts.append(spool.location)
        if candidate.busy:
            parts.append(tr("loaded for another print"))
        elif not spool.opened:
            parts.append(tr("sealed"))
        self.combo.addItem(swatch_icon(spool.colour_hex), " \u00b7 ".join(parts), spool.spool_id)

    def set_needed(self, needed_mg: int) -> None:
        self.need.setText(
            tr("Needs {g} of {what}").format(
                g=weight(needed_mg, self.unit), what=self.slot.requirement.description
            )
        )

    def spool_id(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data else None

    def show_warning(self, text: str | None) -> None:
        self.warning.setText(text or "")
        self.warning.setVisible(bool(text))
        self.combo.setAccessibleDescription(text or "")


class JobDialog(FormDialog):
    """`mode` is "start", "finish" or "fail"."""

    def __init__(
        self,
        ctx: AppContext,
        job: JobView,
        mode: str,
        *,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        titles = {
            "start": (tr("Start printing"), tr("Start")),
            "finish": (tr("Print finished"), tr("Finish")),
            "fail": (tr("Print failed"), tr("Record the failure")),
        }
        super().__init__(ctx, *titles[mode], parent)
        self.job = job
        self.mode = mode
        self.now = now or datetime.now(UTC)
        ws = ctx.workspace
        try:
            self.variant: VariantView | None = library.get_variant(ws, job.variant_id)
        except NotFound:
            self.variant = None
        self.product_name: str | None = None
        if job.product_id:
            with suppress(NotFound):  # deleted since: finishing then says so
                self.product_name = products.get_product(ws, job.product_id).name
        self.match: VariantMatch = matching.match_job(ws, job.id)
        name = self.variant.name if self.variant else tr("(variant deleted)")
        plates = tr("1 plate") if job.copies == 1 else tr("{n} plates").format(n=job.copies)
        heading = QLabel(
            tr("{variant} \u2014 {plates}").format(
                variant=f"<b>{html.escape(name)}</b>", plates=html.escape(plates)
            )
        )
        heading.setAccessibleName(tr("Job"))
        self.add_row("", heading)

        self.printer: QComboBox | None = None
        if mode == "start":
            self.printer = printer_combo(
                ctx,
                job.printer_id or (self.variant.printer_id if self.variant else None),
                none_text=tr("None"),
            )
            self.add_field(
                "printer_id",
                tr("&Printer:"),
                self.printer,
                phrases=("printer",),
                read=self.printer.currentData,
            )
        self.printed: QSpinBox | None = None
        self.reason: QComboBox | None = None
        if mode == "fail":
            self.printed = QSpinBox()
            self.printed.setRange(0, 100)
            self.printed.setSuffix(tr(" %"))
            self.printed.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.printed.setValue(self._progress_percent())
            self.add_field(
                "printed_permille",
                tr("P&rinted:"),
                self.printed,
                compact=True,
                phrases=("printed fraction",),
                read=lambda: self.printed.value() * 10 if self.printed else 1000,
                hint=tr("How far it got: that share of the filament comes off the spools."),
            )
            self.reason = QComboBox()
            self.reason.setEditable(True)
            self.reason.addItems(["", *(tr(str(r)) for r in FAILURE_REASONS)])
            self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            reason_line = self.reason.lineEdit()
            assert reason_line is not None
            reason_line.setPlaceholderText(tr("What went wrong (optional)"))
            self.add_field("reason", tr("R&eason:"), self.reason, phrases=("failure reason",))

        self.pickers: dict[int, SpoolPicker] = {}
        self._slot_fields: dict[int, Field] = {}
        for slot in self.match.slots:
            picker = SpoolPicker(slot, self.weight_unit)
            n = slot.slot + 1
            label = tr("Extruder &{n}:").format(n=n) if n < 10 else tr("Extruder {n}:").format(n=n)
            entry = self.add_field(
                f"slot{slot.slot}",
                label,
                picker,
                focus=picker.combo,
                phrases=(f"extruder {n}",),
                read=picker.spool_id,
            )
            picker.combo.setAccessibleName(tr("Spool for extruder {n}").format(n=n))
            picker.combo.currentIndexChanged.connect(lambda _i, e=entry: self._slot_edited(e))
            self.pickers[slot.slot] = picker
            self._slot_fields[slot.slot] = entry
        if not self.match.slots:
            self.add_row("", QLabel(tr("This variant records no filament, so no spool is needed.")))
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.effect.setAccessibleName(tr("What this does"))
        self.add_row("", self.effect)
        self.setMinimumWidth(560)
        self.fields_changed()
        self.general_error.show_error("")

    def _progress_percent(self) -> int:
        if self.job.status != "printing" or not self.job.started_at or not self.variant:
            return 100
        if not self.variant.print_time_s:
            return 100
        elapsed = (self.now - parse(self.job.started_at)).total_seconds()
        share = elapsed / (self.variant.print_time_s * self.job.copies)
        return max(1, min(100, round(share * 100)))

    def _slot_edited(self, entry: Field) -> None:
        entry.error.show_error("")
        self.general_error.show_error("")
        self.fields_changed()

    def permille(self) -> int:
        return self.printed.value() * 10 if self.printed is not None else 1000

    def choice(self) -> dict[int, str | None]:
        return {slot: picker.spool_id() for slot, picker in self.pickers.items()}

    def fields_changed(self) -> None:
        if not hasattr(self, "effect"):
            return  # still building
        permille = self.permille()
        match = self.match.scaled(permille) if self.mode == "fail" else self.match
        warnings = match.warnings_for(self.choice())
        for slot in match.slots:
            picker = self.pickers[slot.slot]
            picker.set_needed(slot.needed_mg)
            picker.combo.setEnabled(not (self.mode == "fail" and permille == 0))
            picker.show_warning(warnings.get(slot.slot) if picker.combo.isEnabled() else None)
        self.effect.setText(self._effect_text(match))

    def _effect_text(self, match: VariantMatch) -> str:
        used = sum(s.needed_mg for s in match.slots)
        units = self.job.copies * (self.variant.units_per_plate if self.variant else 1)
        if self.mode == "finish":
            stock = (
                tr("Adds {n} \u00d7 {product} to stock").format(n=units, product=self.product_name)
                if self.product_name
                else tr("No product is linked to this variant, so nothing is added to stock")
            )
            return tr("{stock} and takes {g} of filament off the spools.").format(
                stock=stock, g=weight(used, self.weight_unit)
            )
        if self.mode == "fail":
            total = sum(s.needed_mg for s in self.match.slots)
            return tr(
                "Takes {used} of the {total} this print needs off the spools; adds nothing to stock."
            ).format(used=weight(used, self.weight_unit), total=weight(total, self.weight_unit))
        seconds = (
            self.variant.print_time_s * self.job.copies
            if self.variant and self.variant.print_time_s
            else None
        )
        if seconds is None:
            return tr("The sliced file gives no print time.")
        end = self.now + timedelta(seconds=seconds)
        return tr("Takes about {time}, ending around {when}.").format(
            time=look.duration(seconds), when=look.when(end, self.now)
        )

    def save(self, values: dict[str, Any]) -> None:
        spools = {slot: spool for slot, spool in self.choice().items() if spool}
        ws = self.ctx.workspace
        if self.mode == "start":
            self.run(
                jobs.start_job,
                ws,
                self.job.id,
                printer_id=values.get("printer_id"),
                spools=spools,
                changes=CHANGES["start"],
            )
        elif self.mode == "finish":
            self.run(jobs.finish_job, ws, self.job.id, spools=spools, changes=CHANGES["finish"])
        else:
            self.run(
                jobs.fail_job,
                ws,
                self.job.id,
                printed_permille=self.permille(),
                reason=str(values.get("reason") or ""),
                spools=spools,
                changes=CHANGES["fail"],
            )
