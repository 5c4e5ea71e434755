"""Forms that save through a core service, with every error shown next to the field it is about.

A `FormDialog` lays out fields in a form. Each field knows the core field it fills, how to read its widget
(`read`, which may raise `UnitError` for text that is not a number), and the words core's messages use for it
(`phrases`), so a `ValidationError("The price cannot be negative.")` lands under the price box. OK stays
disabled while a required field is empty. Saving is one `ctx.ops.run` call; the dialog closes only when it
succeeded, and nothing is written when it did not.

`add_weight` and `add_money` add the two kinds of number every record form has, in the user's weight unit and
currency; a `RecordForm` adds a record or edits one and sends core only what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services import settings
from desktop.context import AppContext
from desktop.dialogs.units import (
    UnitError,
    WeightUnit,
    as_weight_unit,
    parse_money,
    parse_weight,
    weight_input,
    weight_symbol,
)
from desktop.widgets import colours


class ErrorLabel(QLabel):
    """A one-sentence error under a field, in the palette's error colour; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._recolour()
        self.hide()

    def _recolour(self) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.danger(palette))
        self.setPalette(palette)

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def text_of(widget: QWidget) -> str:
    """The text a user typed or picked in a field's widget."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.text()
    return ""


def default_read(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QComboBox) and not widget.isEditable():
        data = widget.currentData()
        return widget.currentText() if data is None else data
    return text_of(widget).strip()


@dataclass
class Field:
    name: str  # the core field it fills (or a name of the dialog's own)
    label: str
    widget: QWidget  # what has focus when the field is in error
    error: ErrorLabel
    read: Callable[[], Any]
    required: bool = False
    phrases: tuple[str, ...] = ()  # words of core's messages that point here, e.g. "empty spool weight"
    missing_text: str = ""  # what to say when it is required and empty (default: "Fill in the <label>.")
    hint: str = ""  # the line under the field; also its accessible description while it has no error


def number_width(widget: QWidget, digits: int = 9) -> int:
    """One width for number boxes, so their units line up."""
    return max(widget.fontMetrics().horizontalAdvance("0") * digits + 40, 96)


def number_box(placeholder: str = "") -> QLineEdit:
    """A text box for a number: right-aligned, so digits line up with the unit after them."""
    box = QLineEdit()
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    box.setPlaceholderText(placeholder)
    return box


class WeightBox(QLineEdit):
    """A weight typed in the user's unit (`unit`). A weight the form put in with `set_mg` reads back exactly
    until it is edited, so opening a form in ounces and saving it does not round what was stored in mg."""

    def __init__(self, unit: WeightUnit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._given: tuple[str, int] | None = None

    def set_mg(self, mg: int | None) -> None:
        """Show `mg` (None: empty) in the user's unit."""
        text = weight_input(mg, self.unit)
        self._given = None if mg is None else (text, mg)
        self.setText(text)

    def set_placeholder_mg(self, mg: int | None) -> None:
        self.setPlaceholderText(weight_input(mg, self.unit))

    def mg(self) -> int | None:
        """The weight in milligrams (None when empty); raises UnitError for text that is not a weight."""
        text = self.text().strip()
        if self._given is not None and text == self._given[0]:
            return self._given[1]
        return parse_weight(text, self.unit)


def inline(*parts: QWidget | tuple[QWidget, int] | None) -> QWidget:
    """Widgets side by side as one field of a form: a widget, `(widget, stretch)`, or None for a stretch."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if part is None:
            row.addStretch(1)
        elif isinstance(part, tuple):
            row.addWidget(*part)
        else:
            row.addWidget(part)
    return holder


def _changed_signal(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentTextChanged
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.valueChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    return None


class FormDialog(QDialog):
    """Subclasses add fields in `__init__` and implement `save(values)` with one `self.run(...)`."""

    def __init__(self, ctx: AppContext, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields: dict[str, Field] = {}
        self.result_value: Any = None
        self._busy = False
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.general_error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.general_error)
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)
        self.setMinimumWidth(440)

    # ---------------------------------------------------------------- building

    def add_field(
        self,
        name: str,
        label: str,
        widget: QWidget,
        *,
        required: bool = False,
        phrases: tuple[str, ...] = (),
        read: Callable[[], Any] | None = None,
        unit: str = "",
        compact: bool = False,
        hint: str = "",
        missing_text: str = "",
        focus: QWidget | None = None,
    ) -> Field:
        """Add a row `label: widget [unit]` with its error line below, and (optionally) a hint line.

        A field with a unit (or `compact`) is a short number box with the unit right after it."""
        plain = label.replace("&", "").rstrip(":")
        target = focus or widget
        target.setAccessibleName(plain)
        if hint:
            target.setAccessibleDescription(hint)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.setContentsMargins(0, 0, 0, 0)
        if unit or compact:
            # a number with its unit right after it, not at the far edge of a wide box
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            if isinstance(widget, QComboBox):  # as wide as its longest choice (translations vary)
                widget.setMinimumWidth(number_width(widget))
                widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            elif isinstance(widget, QLineEdit | QSpinBox | QDoubleSpinBox):
                widget.setFixedWidth(number_width(widget))
            row.addWidget(widget)
            if unit:
                row.addWidget(QLabel(unit))
            row.addStretch(1)
            column.addLayout(row)
        else:
            column.addWidget(widget)
        error = ErrorLabel()
        column.addWidget(error)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            palette = hint_label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, colours.muted(palette))
            hint_label.setPalette(palette)
            column.addWidget(hint_label)
        label_widget = QLabel(label)
        label_widget.setBuddy(target)
        self.form.addRow(label_widget, column)
        if not phrases:
            phrases = (plain.casefold(),)
        entry = Field(
            name=name,
            label=plain,
            widget=target,
            error=error,
            read=read or (lambda: default_read(widget)),
            required=required,
            phrases=phrases,
            missing_text=missing_text,
            hint=hint,
        )
        self.fields[name] = entry
        signal = _changed_signal(widget)
        if signal is not None:
            signal.connect(lambda *_: self._edited(entry))
        self.update_ok()
        return entry

    def add_weight(
        self,
        name: str,
        label: str,
        *,
        blank: int | None = None,
        required: bool = False,
        phrases: tuple[str, ...] = (),
        hint: str = "",
    ) -> WeightBox:
        """A weight field in the user's unit; it reads milligrams, `blank` when it is left empty."""
        box = WeightBox(self.weight_unit)

        def read() -> int | None:
            mg = box.mg()
            return blank if mg is None else mg

        self.add_field(
            name,
            label,
            box,
            unit=weight_symbol(self.weight_unit),
            required=required,
            phrases=phrases,
            read=read,
            hint=hint,
        )
        return box

    def add_money(
        self,
        name: str,
        label: str,
        *,
        blank: int | None = None,
        placeholder: str = "0.00",
        phrases: tuple[str, ...] = (),
        hint: str = "",
    ) -> QLineEdit:
        """An amount field in the user's currency; it reads cents, `blank` when it is left empty."""
        box = number_box(placeholder)
        code = self.currency

        def read() -> int | None:
            cents = parse_money(box.text(), code)
            return blank if cents is None else cents

        self.add_field(name, label, box, unit=code, phrases=phrases, read=read, hint=hint)
        return box

    def add_row(self, label: str, widget: QWidget) -> None:
        """A row that is not a field (a note, a preview)."""
        self.form.addRow(label, widget)

    @cached_property
    def weight_unit(self) -> WeightUnit:
        """The user's weight unit (a setting), read once when the form first needs it."""
        return weight_unit(self.ctx)

    @cached_property
    def currency(self) -> str:
        return currency(self.ctx)

    # ---------------------------------------------------------------- state

    def _edited(self, entry: Field) -> None:
        entry.error.show_error("")
        entry.widget.setAccessibleDescription(entry.hint)
        self.general_error.show_error("")
        self.update_ok()
        self.fields_changed()

    def fields_changed(self) -> None:
        """Called after any field changes (for live previews); subclasses may override."""

    def missing(self) -> list[Field]:
        return [f for f in self.fields.values() if f.required and not text_of(f.widget).strip()]

    def update_ok(self) -> None:
        missing = self.missing()
        self.ok_button.setEnabled(not missing and not self._busy)
        self.ok_button.setToolTip(
            self.tr("Fill in: {fields}").format(fields=", ".join(f.label for f in missing)) if missing else ""
        )

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.update_ok()

    # ---------------------------------------------------------------- saving

    def collect(self) -> dict[str, Any] | None:
        """Every field's value, or None after showing the first unreadable one inline."""
        values: dict[str, Any] = {}
        first: Field | None = None
        for entry in self.fields.values():
            try:
                values[entry.name] = entry.read()
            except UnitError as exc:
                entry.error.show_error(str(exc))
                entry.widget.setAccessibleDescription(str(exc))
                first = first or entry
        if first is not None:
            first.widget.setFocus()
            return None
        return values

    def submit(self) -> None:
        if self._busy:
            return
        missing = self.missing()
        if missing:  # OK is disabled; Enter, or a call, still says what is missing
            for entry in missing:
                entry.error.show_error(
                    entry.missing_text or self.tr("Fill in the {field}.").format(field=entry.label.casefold())
                )
            missing[0].widget.setFocus()
            return
        values = self.collect()
        if values is None:
            return
        self.set_busy(True)
        self.save(values)

    def save(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def reject(self) -> None:
        if self._busy:  # the save is on the writer thread; its answer comes back to this dialog
            return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.ok_button.isEnabled():
            self.submit()
            event.accept()
            return
        super().keyPressEvent(event)

    def run(self, func: Callable[..., Any], *args: Any, changes: set[str], **kwargs: Any) -> None:
        """Run the one core call that saves this form; close on success, show the error inline otherwise."""
        self.ctx.ops.run(func, *args, changes=changes, on_done=self.saved, on_error=self.show_error, **kwargs)

    def saved(self, result: Any) -> None:
        self.result_value = result
        self.set_busy(False)
        self.accept()

    def field_for(self, message: str) -> Field | None:
        """The field a core message is about: the one whose longest phrase appears in it as whole words."""
        best: tuple[int, Field] | None = None
        for entry in self.fields.values():
            for phrase in entry.phrases:
                if re.search(rf"\b{re.escape(phrase)}\b", message, re.IGNORECASE) and (
                    best is None or len(phrase) > best[0]
                ):
                    best = (len(phrase), entry)
        return best[1] if best else None

    def show_error(self, error: PrintstallError | str) -> None:
        self.set_busy(False)
        message = str(error)
        entry = self.field_for(message)
        if entry is None:
            self.general_error.show_error(message)
            return
        entry.error.show_error(message)
        entry.widget.setAccessibleDescription(message)
        entry.widget.setFocus()
        if isinstance(entry.widget, QLineEdit):
            entry.widget.selectAll()


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)


class RecordForm(FormDialog, Generic[R]):
    """A form that adds a record (`record=None`) or edits one: its title and OK button say which (`add` and
    `edit`: each a title and an OK text), and an edit sends core only the fields that changed."""

    def __init__(
        self,
        ctx: AppContext,
        record: R | None,
        *,
        add: tuple[str, str],
        edit: tuple[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, *(add if record is None else edit), parent)
        self.record = record

    def save_record(
        self,
        values: dict[str, Any],
        *,
        add: Callable[..., Any],
        edit: Callable[..., Any],
        changes: set[str],
        before: dict[str, Any] | None = None,
    ) -> None:
        """`add(ws, **values)`, or `edit(ws, id, **changed)` with the values that differ from the record's
        (or from `before`, for fields the form shows differently)."""
        ws = self.ctx.workspace
        if self.record is None:
            self.run(add, ws, changes=changes, **values)
            return
        old = {name: getattr(self.record, name) for name in values}
        old.update(before or {})
        self.run(edit, ws, self.record.id, changes=changes, **changed_values(values, old))


def open_form(dialog: FormDialog, after: Callable[[Any], object] | None = None) -> FormDialog:
    """Open a form window-modally (it deletes itself when closed); `after(result)` once it saved."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if after is not None:
        dialog.accepted.connect(lambda: after(dialog.result_value))
    dialog.open()
    return dialog


def changed_values(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from what the record had (an edit sends only those, so concurrent edits to other
    fields on another device survive the merge)."""
    return {name: value for name, value in values.items() if name in before and before[name] != value}


def currency(ctx: AppContext) -> str:
    """The user's currency code (a setting), shown beside money fields and amounts."""
    return str(settings.get(ctx.workspace, "currency"))


def weight_unit(ctx: AppContext) -> WeightUnit:
    """The user's weight unit (a setting): "g" or "oz", for every weight shown or typed."""
    return as_weight_unit(settings.get(ctx.workspace, "weight_unit"))
