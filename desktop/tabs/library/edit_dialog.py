"""Editing a model: name, designer, licence and whether it allows selling prints, tags, category and notes.

Every field is checked as it is typed by the same checks `core.services.library` applies when it saves (the
entity spec's field checks), and a failure is shown under its field, never in a popup; Save stays disabled
while any field is invalid. Saving is one operation (`library.edit_model`); an error it still raises lands
under the field it is about, and the dialog stays open with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError, ValidationError
from core.services import checks, library
from core.services.views import ModelView
from desktop.context import AppContext

COMMON_LICENCES = (
    "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-ND-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-4.0", "CC-BY-3.0", "CC-BY-SA-3.0", "CC-BY-NC-3.0", "CC-BY-NC-SA-3.0", "GPL-3.0-or-later",
    "MIT",
)  # fmt: skip
# Licences whose answer to "may I sell prints?" is plain; anything else stays the user's call.
SELLING_ALLOWED = {
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-3.0",
    "CC-BY-SA-3.0",
    "GPL-3.0-or-later",
    "MIT",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("ModelEditDialog", text)


def suggested_selling(licence: str) -> bool | None:
    """What a licence plainly says about selling prints, or None when it needs reading."""
    code = licence.strip().upper()
    if not code:
        return None
    if code.startswith("CC-BY-NC"):
        return False
    return True if code in {c.upper() for c in SELLING_ALLOWED} else None


def split_tags(text: str) -> list[str]:
    """'fantasy, dragon,, Keyring ' -> ['fantasy', 'dragon', 'Keyring'] (empty entries dropped)."""
    return [t.strip() for t in text.split(",") if t.strip()]


def check_tags(text: str) -> list[str]:
    # The rule library._set_tags applies to each tag.
    return [checks.text(tag, "tag", required=True, max_len=100) for tag in split_tags(text)]


class ErrorLabel(QLabel):
    """One sentence under a field, in the palette's error colour; hidden while empty."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.red)
        self.setPalette(palette)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


@dataclass
class Field:
    key: str  # the core field (tags: the tag list)
    words: tuple[str, ...]  # how core's messages name it ("model name")
    widget: QWidget
    read: Callable[[], Any]
    check: Callable[[Any], Any]  # core's check: returns the clean value or raises ValidationError
    error: ErrorLabel


class ModelEditDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        model: ModelView,
        *,
        tags: Sequence[str] = (),
        categories: Sequence[str] = (),
        licences: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._model = model
        self.setWindowTitle(tr("Edit {name}").format(name=model.name))
        self.setAccessibleName(tr("Edit model"))
        self.setMinimumWidth(480)
        spec = library.MODEL.fields

        self.name = QLineEdit(model.name)
        self.designer = QLineEdit(model.designer_name)
        self.licence = QComboBox()
        self.licence.setEditable(True)
        self.licence.addItems(sorted({*COMMON_LICENCES, *(lic for lic in licences if lic)}, key=str.casefold))
        self.licence.setCurrentText(model.licence_spdx)
        licence_line = self.licence.lineEdit()
        assert licence_line is not None  # an editable combo box has one
        licence_line.setPlaceholderText(tr("An SPDX id such as CC-BY-4.0"))
        self.selling = QComboBox()
        for text, value in ((tr("Not known"), None), (tr("Allowed"), True), (tr("Not allowed"), False)):
            self.selling.addItem(text, value)
        self.selling.setCurrentIndex(self.selling.findData(model.licence_allows_selling))
        self._selling_touched = False
        self.selling.activated.connect(self._selling_chosen)
        self.selling_hint = QLabel()
        self.selling_hint.setWordWrap(True)
        self.selling_hint.hide()
        self.tags = QLineEdit(", ".join(model.tags))
        self.tags.setPlaceholderText(tr("Comma-separated, such as dragon, keyring"))
        completer = QCompleter(list(tags), self.tags)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItems(list(categories))
        self.category.setCurrentText(model.category)
        self.notes = QPlainTextEdit(model.notes)
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(90)

        def line(widget: QLineEdit) -> Callable[[], str]:
            return widget.text

        self.fields = [
            Field("name", ("model name", "needs a name"), self.name, line(self.name), spec["name"],
                  ErrorLabel()),
            Field("designer_name", ("designer",), self.designer, line(self.designer), spec["designer_name"],
                  ErrorLabel()),
            Field("licence_spdx", ("licence",), self.licence, self.licence.currentText, spec["licence_spdx"],
                  ErrorLabel()),
            Field("licence_allows_selling", ("selling",), self.selling, self.selling.currentData,
                  spec["licence_allows_selling"], ErrorLabel()),
            Field("tags", ("tag",), self.tags, self.tags.text, check_tags, ErrorLabel()),
            Field("category", ("category",), self.category, self.category.currentText, spec["category"],
                  ErrorLabel()),
            Field("notes", ("notes",), self.notes, self.notes.toPlainText, spec["notes"], ErrorLabel()),
        ]  # fmt: skip
        labels = {
            "name": tr("&Name"),
            "designer_name": tr("&Designer"),
            "licence_spdx": tr("&Licence"),
            "licence_allows_selling": tr("&Selling prints"),
            "tags": tr("&Tags"),
            "category": tr("&Category"),
            "notes": tr("N&otes"),
        }
        form = QFormLayout()
        for field in self.fields:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(field.widget)
            if field.key == "licence_allows_selling":
                column.addWidget(self.selling_hint)
            column.addWidget(field.error)
            label = QLabel(labels[field.key])
            label.setBuddy(field.widget)
            field.widget.setAccessibleName(labels[field.key].replace("&", ""))
            form.addRow(label, box)

        self.general_error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName(tr("Save the changes"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self.name.textChanged.connect(self.validate)
        self.designer.textChanged.connect(self.validate)
        self.licence.currentTextChanged.connect(self._licence_changed)
        self.selling.currentIndexChanged.connect(self.validate)
        self.tags.textChanged.connect(self.validate)
        self.category.currentTextChanged.connect(self.validate)
        self.notes.textChanged.connect(self.validate)
        self._saving = False
        self.validate()

    # ---------------------------------------------------------------- checking as the user types

    def validate(self) -> bool:
        """Check every field with core's checks; show each error under its field. True when all are valid."""
        valid = True
        for field in self.fields:
            message = ""
            try:
                field.check(field.read())
            except ValidationError as exc:
                message = str(exc)
                valid = False
            self._show_error(field, message)
        self.general_error.show_error("")
        self.save_button.setEnabled(valid and not self._saving)
        return valid

    def _show_error(self, field: Field, message: str) -> None:
        field.error.show_error(message)
        field.widget.setAccessibleDescription(message)
        field.widget.setToolTip(message)

    def _selling_chosen(self) -> None:
        self._selling_touched = True
        self.selling_hint.hide()

    def _licence_changed(self, text: str) -> None:
        suggestion = suggested_selling(text)
        if not self._selling_touched and self._model.licence_allows_selling is None:
            self.selling.setCurrentIndex(self.selling.findData(suggestion))
            self.selling_hint.setText(
                tr("Suggested from the licence; check the designer's own terms.")
                if suggestion is not None
                else ""
            )
            self.selling_hint.setVisible(suggestion is not None)
        self.validate()

    def error_of(self, key: str) -> str:
        """The error shown under field `key` ("" when none)."""
        field = next(f for f in self.fields if f.key == key)
        return "" if field.error.isHidden() else field.error.text()

    # ---------------------------------------------------------------- saving

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the model's, cleaned as core cleans them."""
        out: dict[str, Any] = {}
        for field in self.fields:
            value = field.check(field.read())
            if field.key == "tags":
                if value != list(self._model.tags):
                    out["tags"] = value
            elif value != getattr(self._model, field.key):
                out[field.key] = value
        return out

    def save(self) -> None:
        if not self.validate():
            return
        changes = self.changes()
        if not changes:
            self.accept()
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self._ctx.ops.run(
            library.edit_model,
            self._ctx.workspace,
            self._model.id,
            changes={"models"},
            on_done=self._saved,
            on_error=self._failed,
            **changes,
        )

    def _saved(self, _result: object) -> None:
        self._saving = False
        self.accept()

    def _failed(self, error: PrintstallError) -> None:
        """Show what core refused under the field it is about (or under the form); keep the dialog open."""
        self._saving = False
        message = str(error)
        lowered = message.casefold()
        field = next((f for f in self.fields if any(w in lowered for w in f.words)), None)
        if field is not None:
            self._show_error(field, message)
            field.widget.setFocus()
        else:
            self.general_error.show_error(message)
        self.save_button.setEnabled(True)
