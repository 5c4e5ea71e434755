"""The barcode scanner: a fast burst of keys ending in Enter is a scan (of a label's code or a SKU), looked up
and taken back out of the text field it was typed into; slower typing, short bursts and other windows are
left alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from core.services import filament, products
from core.services.labels import find_by_code, unique_code
from desktop.context import AppContext
from desktop.scanner import Scanner, install_scanner
from desktop.tabs.filament import FilamentTab
from tests.core.factories import Shop, make_shop
from tests.desktop.windows import show_active


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit()
        self.field.setAccessibleName("Search")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.notes)


@pytest.fixture
def shop(ctx: AppContext) -> Shop:
    shop = make_shop(ctx.workspace)
    products.edit_product(ctx.workspace, shop.product.id, sku="DRAGON-KR-01")
    return shop


@pytest.fixture
def window(qtbot: QtBot) -> Window:
    window = show_active(qtbot, Window(), 400, 300)
    window.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.field)
    return window


def installed(scanner: Scanner) -> Iterator[Scanner]:
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(scanner)
    try:
        yield scanner
    finally:
        app.removeEventFilter(scanner)


@pytest.fixture
def scanner(ctx: AppContext, window: Window) -> Iterator[Scanner]:
    yield from installed(Scanner(lambda text: find_by_code(ctx.workspace, text), window=window))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(ctx: AppContext, window: Window, clock: Clock) -> Iterator[Scanner]:
    """A scanner whose time is `clock`."""
    yield from installed(Scanner(lambda text: find_by_code(ctx.workspace, text), window=window, clock=clock))


def scan(qtbot: QtBot, widget: QWidget, text: str, delay: int = 2) -> None:
    qtbot.keyClicks(widget, text, delay=delay)
    qtbot.keyClick(widget, Qt.Key.Key_Return, delay=delay)


# ---------------------------------------------------------------- scans


@pytest.mark.parametrize("delay", [0, 5])
def test_a_fast_burst_of_a_spool_code_finds_the_spool(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner, delay: int
) -> None:
    code = unique_code(ctx.workspace, "spool", shop.spool.id)
    window.field.setText("blue")
    returned: list[bool] = []
    window.field.returnPressed.connect(lambda: returned.append(True))
    with qtbot.waitSignal(scanner.found, timeout=1000) as found:
        scan(qtbot, window.field, code, delay)
    assert found.args == ["spool", shop.spool.id]
    assert window.field.text() == "blue"  # the code is taken out again
    assert window.field.cursorPosition() == 4
    assert returned == []  # and the Enter was the scanner's


def test_a_sku_finds_the_product(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    with qtbot.waitSignal(scanner.found, timeout=1000) as found:
        scan(qtbot, window.field, "dragon-kr-01")
    assert found.args == ["product", shop.product.id]
    assert window.field.text() == ""
    window.field.undo()  # one edit took the code out, so one undo brings it back
    assert window.field.text() == "dragon-kr-01"


def test_a_scan_over_a_selection_puts_the_selection_back(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    window.field.setText("black PLA")
    window.field.setSelection(6, 3)
    with qtbot.waitSignal(scanner.found, timeout=1000):
        scan(qtbot, window.field, "DRAGON-KR-01")
    assert window.field.text() == "black PLA" and window.field.selectedText() == "PLA"


def test_a_scan_into_a_text_edit_is_taken_out_too(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    window.notes.setPlainText("line one")
    window.notes.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.notes)
    cursor = window.notes.textCursor()
    cursor.setPosition(4)
    window.notes.setTextCursor(cursor)
    with qtbot.waitSignal(scanner.found, timeout=1000):
        scan(qtbot, window.notes, "DRAGON-KR-01")
    assert window.notes.toPlainText() == "line one"  # no code and no new line


def test_an_unknown_code_is_not_found_and_taken_out(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    with qtbot.assertNotEmitted(scanner.found), qtbot.waitSignal(scanner.not_found, timeout=1000) as missing:
        scan(qtbot, window.field, "PS-S-000000000000")
    assert missing.args == ["PS-S-000000000000"]
    assert window.field.text() == ""


def test_a_sku_of_two_products_says_so(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    products.add_product(ctx.workspace, name="Dragon magnet", sku="DRAGON-KR-01", price_cents=500)
    with qtbot.waitSignal(scanner.failed, timeout=1000) as failed:
        scan(qtbot, window.field, "DRAGON-KR-01")
    assert "belongs to 2 products" in failed.args[0]


# ---------------------------------------------------------------- what is not a scan


def test_slow_typing_is_left_alone(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, timed: Scanner, clock: Clock
) -> None:
    returned: list[bool] = []
    window.field.returnPressed.connect(lambda: returned.append(True))
    with qtbot.assertNotEmitted(timed.found), qtbot.assertNotEmitted(timed.not_found):
        for char in "DRAGON-KR-01":
            clock.now += 0.12  # a person: a key every 120 ms
            qtbot.keyClick(window.field, char)
        clock.now += 0.12
        qtbot.keyClick(window.field, Qt.Key.Key_Return)
    assert window.field.text() == "DRAGON-KR-01" and returned == [True]


def test_one_slow_key_breaks_a_burst(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, timed: Scanner, clock: Clock
) -> None:
    with qtbot.assertNotEmitted(timed.found):
        for number, char in enumerate("DRAGON-KR-01"):
            clock.now += 0.3 if number == 8 else 0.01  # a pause after "DRAGON-K": only "R-01" is fast
            qtbot.keyClick(window.field, char)
        clock.now += 0.01
        qtbot.keyClick(window.field, Qt.Key.Key_Return)
    assert window.field.text() == "DRAGON-KR-01"
    # The same keys at a scanner's pace are a scan.
    window.field.clear()
    with qtbot.waitSignal(timed.found, timeout=1000):
        for char in "DRAGON-KR-01":
            clock.now += 0.01
            qtbot.keyClick(window.field, char)
        clock.now += 0.01
        qtbot.keyClick(window.field, Qt.Key.Key_Return)
    assert window.field.text() == ""


def press(widget: QWidget, key: Qt.Key, text: str, at_ms: int) -> None:
    """A key press with the window system's timestamp `at_ms` (what the scanner times by default)."""
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, text)
    event.setTimestamp(at_ms)
    QApplication.sendEvent(widget, event)


@pytest.mark.parametrize(("gap_ms", "is_scan"), [(8, True), (40, True), (60, False), (150, False)])
def test_the_key_events_timestamps_time_a_burst(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner, gap_ms: int, is_scan: bool
) -> None:
    found: list[tuple[str, str]] = []
    scanner.found.connect(lambda kind, ident: found.append((kind, ident)))
    at = 5_000_000
    for char in "DRAGON-KR-01":
        at += gap_ms
        key = Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Minus
        press(window.field, key, char, at)
    press(window.field, Qt.Key.Key_Return, "\r", at + gap_ms)
    assert found == ([("product", shop.product.id)] if is_scan else [])
    assert window.field.text() == ("" if is_scan else "DRAGON-KR-01")


def test_short_bursts_and_shortcuts_are_not_scans(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    products.add_product(ctx.workspace, name="Short", sku="ABCDE", price_cents=100)
    returned: list[bool] = []
    window.field.returnPressed.connect(lambda: returned.append(True))
    with qtbot.assertNotEmitted(scanner.found), qtbot.assertNotEmitted(scanner.not_found):
        scan(qtbot, window.field, "ABCDE")  # 5 characters: typed, not scanned
        assert window.field.text() == "ABCDE" and returned == [True]
        window.field.clear()
        qtbot.keyClicks(window.field, "DRAGON")
        qtbot.keyClick(window.field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
        qtbot.keyClicks(window.field, "-KR")  # 9 fast keys, but Ctrl+A between them
        qtbot.keyClick(window.field, Qt.Key.Key_Return)
    assert window.field.text() == "-KR"


def test_other_windows_are_not_watched(
    qtbot: QtBot, ctx: AppContext, shop: Shop, window: Window, scanner: Scanner
) -> None:
    dialog = show_active(qtbot, Window(), 300, 200)  # a product form, say, where a SKU is scanned in
    dialog.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.field)
    with qtbot.assertNotEmitted(scanner.found):
        scan(qtbot, dialog.field, "DRAGON-KR-01")
    assert dialog.field.text() == "DRAGON-KR-01"


# ---------------------------------------------------------------- showing what was scanned


def test_a_scan_in_the_filament_tab_selects_the_spool(qtbot: QtBot, ctx: AppContext, shop: Shop) -> None:
    other = filament.add_spool(ctx.workspace, filament_id=shop.filament.id, location="Drybox")
    tab = show_active(qtbot, FilamentTab(ctx), 1100, 700)
    scanner = install_scanner(ctx, tab)
    try:
        scanner.found.connect(lambda kind, ident: tab.select_spool(ident) if kind == "spool" else None)
        tab.focus_main()
        assert tab.selected_key() == shop.spool.id
        tab.focus_filter()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.filter)
        with qtbot.waitSignal(scanner.found, timeout=1000):
            scan(qtbot, tab.filter, unique_code(ctx.workspace, "spool", other.id).lower())
        assert tab.filter.text() == ""
        assert tab.selected_key() == other.id
        assert QApplication.focusWidget() is tab.current_view()
    finally:
        app = QApplication.instance()
        assert app is not None
        app.removeEventFilter(scanner)
