"""The Events tab's dialogs: create or edit a market event (the name and the dates checked as they are typed)
and add a product to an event's packing list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from core.services import events, products
from core.services.views import EventView
from desktop.context import AppContext
from desktop.dialogs.forms import FormDialog, RecordForm
from desktop.dialogs.units import UnitError, money_input

NO_DATE = QDate(2000, 1, 1)  # a date box at its minimum shows "Not set"


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


def status_text(status: str) -> str:
    return {"planned": tr("Planned"), "packed": tr("Packed"), "done": tr("Done")}.get(status, status)


class OptionalDate(QWidget):
    """A date box with a calendar that can also be "Not set" (its clear button)."""

    def __init__(self, value: date | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(NO_DATE)
        self.edit.setSpecialValueText(tr("Not set"))
        self.edit.setDisplayFormat("ddd d MMM yyyy")
        self.clear = QToolButton()
        self.clear.setText("\u2715")
        self.clear.setAutoRaise(True)
        self.clear.setToolTip(tr("No date"))
        self.clear.setAccessibleName(tr("Clear the date"))
        self.clear.clicked.connect(lambda: self.set_value(None))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.clear)
        row.addStretch(1)
        self.set_value(value)

    def set_value(self, value: date | None) -> None:
        self.edit.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)

    def value(self) -> date | None:
        picked = self.edit.date()
        return None if picked == NO_DATE else date(picked.year(), picked.month(), picked.day())


def next_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


class EventDialog(RecordForm[EventView]):
    """Create a market event (`event=None`) or edit one."""

    def __init__(
        self,
        ctx: AppContext,
        event: EventView | None = None,
        *,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        editing = event is not None
        super().__init__(
            ctx,
            event,
            add=(tr("New market event"), tr("Create event")),
            edit=(tr("Edit event"), tr("Save")),
            parent=parent,
        )
        self.market_event = event
        self._name_touched = False
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Required, e.g. Christmas market"))
        self.add_field("name", tr("&Name:"), self.name, required=True, phrases=("event name", "name"))
        first = next_saturday(today or date.today())
        start = date.fromisoformat(event.starts_on) if event and event.starts_on else None
        end = date.fromisoformat(event.ends_on) if event and event.ends_on else None
        self.starts = OptionalDate(start if editing else first)
        self.add_field(
            "starts_on",
            tr("&Starts:"),
            self.starts,
            focus=self.starts.edit,
            phrases=("start date",),
            read=lambda: self._iso(self.starts.value()),
        )
        self.ends = OptionalDate(end if editing else first)
        self.add_field(
            "ends_on",
            tr("E&nds:"),
            self.ends,
            focus=self.ends.edit,
            phrases=("end date", "end"),
            read=lambda: self._iso(self.ends.value()),
        )
        self._last_start = self.starts.value()
        self.starts.edit.dateChanged.connect(lambda _d: self._start_moved())
        self.ends.edit.dateChanged.connect(lambda _d: self.fields_changed())
        self.venue = QLineEdit()
        self.venue.setPlaceholderText(tr("e.g. Old town square"))
        self.add_field("venue", tr("&Venue:"), self.venue, phrases=("venue",))
        self.booth = self.add_money("booth_fee_cents", tr("&Booth fee:"), blank=0, phrases=("booth fee",))
        self.travel = self.add_money(
            "travel_cost_cents", tr("&Travel cost:"), blank=0, phrases=("travel cost",)
        )
        self.theme = QLineEdit()
        self.theme.setPlaceholderText(tr("Optional, e.g. Halloween"))
        self.add_field("theme", tr("T&heme:"), self.theme, phrases=("theme",))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 12)
        self.notes.setTabChangesFocus(True)
        self.add_field("notes", tr("N&otes:"), self.notes)
        if event is not None:
            self.name.setText(event.name)
            self.venue.setText(event.venue)
            self.booth.setText(money_input(event.booth_fee_cents) if event.booth_fee_cents else "")
            self.travel.setText(money_input(event.travel_cost_cents) if event.travel_cost_cents else "")
            self.theme.setText(event.theme)
            self.notes.setPlainText(event.notes)
        self.name.textEdited.connect(lambda _t: self._touch_name())
        self.general_error.show_error("")
        self.fields_changed()

    @staticmethod
    def _iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    def _touch_name(self) -> None:
        self._name_touched = True
        self.fields_changed()

    def _start_moved(self) -> None:
        """Moving the start moves a set end along with it, so the event keeps its length."""
        start, end = self.starts.value(), self.ends.value()
        before, self._last_start = self._last_start, start
        if start and end and before:
            self.ends.set_value(end + (start - before))
        self.fields_changed()

    def problems(self) -> dict[str, str]:
        """What is wrong now, by field."""
        out = {}
        if not self.name.text().strip():
            out["name"] = tr("Give the event a name.")
        start, end = self.starts.value(), self.ends.value()
        if start and end and end < start:
            out["ends_on"] = tr("The event cannot end before it starts.")
        return out

    def fields_changed(self) -> None:
        if "ends_on" not in self.fields:
            return  # still building
        problems = self.problems()
        if not self._name_touched:
            problems.pop("name", None)
        for name in ("name", "ends_on"):
            self.fields[name].error.show_error(problems.get(name, ""))

    def save(self, values: dict[str, Any]) -> None:
        problems = self.problems()
        if problems:
            self.set_busy(False)
            self._name_touched = True
            self.fields_changed()
            self.fields[next(iter(problems))].widget.setFocus()
            return
        self.save_record(values, add=events.create_event, edit=events.edit_event, changes={"events"})


class AddProductDialog(FormDialog):
    """Put a product on an event's packing list with a target."""

    def __init__(
        self, ctx: AppContext, event: EventView, listed: set[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, tr("Add to the packing list"), tr("Add"), parent)
        self.market_event = event
        self.product = QComboBox()
        self.product.setEditable(True)
        self.product.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.on_hand: dict[str, int] = {}
        for p in products.list_products(ctx.workspace):
            if p.id not in listed:
                self.product.addItem(p.name, p.id)
                self.on_hand[p.id] = p.on_hand
        completer = self.product.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.product.setMinimumContentsLength(28)
        self.add_field(
            "product_id",
            tr("&Product:"),
            self.product,
            required=True,
            phrases=("product",),
            read=self._product_id,
            hint="" if self.on_hand else tr("Every product is on the list already."),
        )
        self.target = QSpinBox()
        self.target.setRange(1, 100_000)
        self.target.setValue(1)
        self.target.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.target_field = self.add_field(
            "target", tr("&Target:"), self.target, unit=tr("units"), phrases=("target",)
        )
        self.product.currentIndexChanged.connect(lambda _i: self.fields_changed())
        self.general_error.show_error("")
        self.fields_changed()

    def _product_id(self) -> str:
        index = self.product.findText(self.product.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index < 0:
            raise UnitError(tr("Pick a product from the list."))
        return str(self.product.itemData(index))

    def fields_changed(self) -> None:
        if not hasattr(self, "target_field"):
            return
        try:
            home = self.on_hand.get(self._product_id())
        except UnitError:
            home = None
        hint = "" if home is None else tr("{n} at home now.").format(n=home)
        self.target.setToolTip(hint)
        self.target.setAccessibleDescription(hint)

    def save(self, values: dict[str, Any]) -> None:
        self.run(
            events.set_target,
            self.ctx.workspace,
            self.market_event.id,
            values["product_id"],
            values["target"],
            changes={"events"},
        )
