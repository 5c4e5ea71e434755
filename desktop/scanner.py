"""A USB barcode scanner anywhere in the main window: it types a label's code (or a SKU) fast, then Enter.

`Scanner` is an event filter on the QApplication. It watches the key presses that reach the widget with the
keyboard focus and recognises a burst: at least `min_length` printable characters, each within `max_gap`
seconds of the one before (40 ms; a person types a key every 100 ms or more, a scanner every few), then
Enter or Return just as fast. Then it looks the text up with `core.services.labels.find_by_code` and emits
`found(kind, id)` ("spool" or "product"), `not_found(text)`, or `failed(sentence)` when a code fits two
records. Anything slower, with Ctrl or Alt, or a held-down key (auto-repeat), is left alone; so is a SKU
shorter than `min_length` (it cannot be told from a quick word).

Characters reach the focused widget while they come: a burst is only known at its Enter, and holding every
key back until then would delay normal typing. So when a burst is recognised, the characters it typed into a
text field (a line edit, also inside a spin or combo box, or a plain or rich text edit) are taken out again,
as one edit (Ctrl+Z brings them back), the field's selection is put back, and the Enter is swallowed, so a
scan never leaves its code in a search box or presses a default button. What else the keys did on their way
(a list jumping to a matching row) is not undone.

Only the widgets of `window` (the main window) are watched: in a dialog the scanner types as a keyboard, so a
product's SKU can be filled in by scanning its barcode.

Timing comes from the key events' own timestamps (when the window system gives them), so a busy UI thread
that delivers queued keys late does not break a burst; a test passes `clock` to set the time of each key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from core.errors import PrintstallError
from core.services.labels import Found, find_by_code
from desktop.context import AppContext

MAX_GAP = 0.040  # seconds between two keys of a burst
MIN_LENGTH = 6  # characters before the Enter
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ALLOWED_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier

Clock = Callable[[], float]
Lookup = Callable[[str], Found | None]


@dataclass
class _Field:
    """A text field as it was before a burst: its text and selection (start, end)."""

    widget: QLineEdit | QPlainTextEdit | QTextEdit
    text: str
    start: int
    end: int


def text_field(widget: QWidget | None) -> QLineEdit | QPlainTextEdit | QTextEdit | None:
    """The text field keys typed into `widget` land in, if any."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return widget
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget.lineEdit()
    if isinstance(widget, QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    return None


def _remember(widget: QWidget) -> _Field | None:
    field = text_field(widget)
    if isinstance(field, QLineEdit):
        if field.hasSelectedText():
            start = field.selectionStart()
            return _Field(field, field.text(), start, start + len(field.selectedText()))
        return _Field(field, field.text(), field.cursorPosition(), field.cursorPosition())
    if isinstance(field, QPlainTextEdit | QTextEdit):
        cursor = field.textCursor()
        return _Field(field, field.toPlainText(), cursor.selectionStart(), cursor.selectionEnd())
    return None


def _take_back(before: _Field, typed: str) -> None:
    """Take the burst's characters out of the field, as one edit, and select what was selected before."""
    field, start, end = before.widget, before.start, before.end
    replaced = before.text[start:end]
    if isinstance(field, QLineEdit):
        if field.text() == before.text[:start] + typed + before.text[end:]:
            field.setSelection(start, len(typed))
            field.insert(replaced)  # replaces the selection; undoable
        else:  # a validator or mask changed what was typed: put the old text back
            field.setText(before.text)
        if replaced:
            field.setSelection(start, len(replaced))
        else:
            field.setCursorPosition(start)
        return
    if field.toPlainText() != before.text[:start] + typed + before.text[end:]:
        return  # the edit did something else with the keys: leave it rather than lose text
    cursor = field.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(typed), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(replaced)
    cursor.setPosition(start)
    cursor.setPosition(start + len(replaced), QTextCursor.MoveMode.KeepAnchor)
    field.setTextCursor(cursor)


class Scanner(QObject):
    """Recognises a scanner's bursts of keys in `window` and looks up what they name (see the module)."""

    found = Signal(str, str)  # kind ("spool" or "product"), id
    not_found = Signal(str)  # the text scanned
    failed = Signal(str)  # one sentence (a code or SKU that fits more than one record)

    def __init__(
        self,
        lookup: Lookup,
        *,
        window: QWidget | None = None,
        clock: Clock | None = None,
        max_gap: float = MAX_GAP,
        min_length: int = MIN_LENGTH,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._window = window
        self._clock = clock
        self.max_gap = max_gap
        self.min_length = min_length
        self._chars: list[str] = []
        self._last: float | None = None
        self._target: QWidget | None = None
        self._field: _Field | None = None

    # ---------------------------------------------------------------- the filter

    def _now(self, event: QKeyEvent) -> float:
        if self._clock is not None:
            return self._clock()
        stamp = event.timestamp()
        return stamp / 1000 if stamp else time.monotonic()

    def _reset(self) -> None:
        self._chars, self._last, self._target, self._field = [], None, None, None

    def _watches(self, widget: QWidget) -> bool:
        """Whether `widget` is where the key goes first (not a parent it is passed on to), in our window."""
        focus = QApplication.focusWidget()
        if focus is not None and widget is not focus:
            return False
        if focus is None and not widget.isWindow():
            return False
        return self._window is None or widget.window() is self._window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if not isinstance(event, QKeyEvent) or not self._watches(watched):
            return False
        now = self._now(event)
        fast = (
            self._last is not None
            and 0 <= now - self._last <= self.max_gap + 1e-6  # timestamps are whole ms: 40 ms is in time
            and watched is self._target
        )
        if event.key() in ENTER_KEYS:
            typed = "".join(self._chars)
            burst = typed if fast and len(typed) >= self.min_length else None
            field = self._field
            self._reset()
            if burst is None:
                return False
            if field is not None:
                _take_back(field, burst)
            self._look_up(burst)
            return True  # the Enter was the scanner's, not the user's
        text = event.text()
        modifiers = event.modifiers() & ~ALLOWED_MODIFIERS
        if (
            event.isAutoRepeat()
            or modifiers != Qt.KeyboardModifier.NoModifier
            or not text.isprintable()
            or not text
        ):
            self._reset()
            return False
        if not fast:
            self._reset()
            self._target = watched
            self._field = _remember(watched)  # before the key arrives: the field as it was
        self._chars.append(text)
        self._last = now
        return False

    # ---------------------------------------------------------------- looking up

    def _look_up(self, text: str) -> None:
        try:
            hit = self._lookup(text)
        except PrintstallError as error:
            self.failed.emit(str(error))
            return
        if hit is None:
            self.not_found.emit(text.strip())
        else:
            self.found.emit(hit.kind, hit.id)


def install_scanner(ctx: AppContext, window: QWidget, *, clock: Clock | None = None) -> Scanner:
    """A `Scanner` for `window`, filtering the application's events (removed when the window is)."""
    app = QApplication.instance()
    assert app is not None, "make the QApplication first"
    scanner = Scanner(
        lambda text: find_by_code(ctx.workspace, text), window=window, clock=clock, parent=window
    )
    app.installEventFilter(scanner)
    return scanner
