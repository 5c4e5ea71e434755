"""Stall mode: the selling screen for one market event, full screen, for a laptop or a tablet on the stall.

Big tiles, one per product on the event's packing list; a tap sells (one unit, or the quantity chosen for the
next tap) with the payment method shown as chosen, and is written at once through `ctx.ops` with
`core.services.stall.sell` (no network: the app is offline first). Under the tiles: the next sale's quantity
(back to one after each tap) and payment method (it stays chosen). Beside them: the day's running total with
the total per method and the number of sales, the last sale and "Undo last sale" (`stall.undo_last`). Tiles
grow to fill the screen when there are few. Everything refreshes from `ctx.ops.changed`.

Keys: arrows move between tiles and Enter or Space sells the focused one; 1 to 9 (and 0 for the tenth) jump to
a tile; + and - change the quantity; Ctrl+Z takes back the last sale; F11 leaves or enters full screen;
Escape asks before leaving.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.errors import NotFound, PrintstallError
from core.services import events, stall
from core.services.events import PAYMENT_METHODS
from core.services.stall import Day
from core.services.views import SaleView
from desktop.context import AppContext
from desktop.dialogs.confirm import confirm
from desktop.dialogs.forms import currency
from desktop.dialogs.units import money
from desktop.stall.tiles import TileGrid, scaled_font
from desktop.widgets import colours
from desktop.widgets.keyboard import tab_order

LISTENS_TO = frozenset({"sales", "stock", "products", "events", "settings"})
SALE_CHANGES = frozenset({"sales", "stock"})
MAX_QUANTITY = 99
PANEL_WIDTH = 400


def tr(text: str) -> str:
    return QCoreApplication.translate("stall", text)


def method_name(method: str) -> str:
    """A payment method as the stall shows it."""
    return {"cash": tr("Cash"), "card": tr("Card"), "other": tr("Other")}.get(method, method)


def method_mnemonic(method: str) -> str:
    return {"cash": tr("&Cash"), "card": tr("C&ard"), "other": tr("&Other")}.get(method, method)


def _rgba(colour: QColor) -> str:
    return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {colour.alpha()})"


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setCapitalization(QFont.Capitalization.AllUppercase)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
    label.setFont(font)
    label.setProperty("role", "heading")
    return label


class StallWindow(QWidget):
    """The selling screen of event `event_id`. `closed` is emitted when it closes."""

    closed = Signal()

    def __init__(self, ctx: AppContext, event_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.event_id = event_id
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.quantity = 1
        self.payment_method = PAYMENT_METHODS[0]
        self.day: Day | None = None
        self.names: dict[str, str] = {}  # product id -> name, for the sale messages
        self.currency = currency(ctx)
        self.gone = False
        self._restyling = False
        self._closed = False
        self._build()
        self._restyle()
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()
        if self.grid.tiles:
            self.grid.focus_tile(0)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self.setFont(scaled_font(QApplication.font(), 1.35))
        self.title = QLabel()
        self.title.setFont(scaled_font(QApplication.font(), 2.2, bold=True))
        self.subtitle = QLabel()
        self.subtitle.setProperty("role", "muted")
        self.exit_button = QPushButton(tr("E&xit stall mode"))
        self.exit_button.setAccessibleName(tr("Leave stall mode"))
        self.exit_button.setToolTip(tr("Leave stall mode (Esc); every sale is saved already."))
        self.exit_button.clicked.connect(self.close)
        self.full_button = QPushButton(tr("&Full screen"))
        self.full_button.setAccessibleName(tr("Show stall mode full screen"))
        self.full_button.setToolTip(tr("Switch between full screen and a window (F11)"))
        self.full_button.clicked.connect(self.toggle_full_screen)
        for button in (self.full_button, self.exit_button):
            button.setMinimumHeight(52)
        top = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        top.addLayout(names, 1)
        top.addWidget(self.full_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.exit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleDescription(tr("What the last tap did"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.message.setProperty("role", "message")
        self.message.setFont(scaled_font(QApplication.font(), 1.5, bold=True))
        self.message.setMinimumHeight(self.message.fontMetrics().height() * 2)  # the screen does not jump

        self.grid = TileGrid()
        self.grid.sell.connect(self.sell)
        self.tiles_area = QScrollArea()
        self.tiles_area.setWidgetResizable(True)
        self.tiles_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tiles_area.setFrameShape(QFrame.Shape.NoFrame)
        self.tiles_area.setWidget(self.grid)
        self.tiles_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tiles_area.setAccessibleName(tr("Products to sell"))
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        tiles_side = QVBoxLayout()
        tiles_side.setSpacing(14)
        tiles_side.addWidget(self.tiles_area, 1)
        tiles_side.addWidget(self.empty, 1)
        tiles_side.addWidget(self._build_next_sale())

        body = QHBoxLayout()
        body.setSpacing(24)
        body.addLayout(tiles_side, 1)
        # The panel scrolls (rarely) instead of making the window taller than a small laptop screen.
        side = QScrollArea()
        side.setWidget(self._build_panel())
        side.setWidgetResizable(True)
        side.setFrameShape(QFrame.Shape.NoFrame)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side.setFixedWidth(PANEL_WIDTH)
        side.setObjectName("side")
        body.addWidget(side)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)

        self.undo_action = QAction(tr("Undo last sale"), self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda _checked=False: self.undo_last())
        self.addAction(self.undo_action)
        self.full_action = QAction(tr("Full screen"), self)
        self.full_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.full_action.triggered.connect(lambda _checked=False: self.toggle_full_screen())
        self.addAction(self.full_action)

    def _build_next_sale(self) -> QWidget:
        """Under the tiles: how many the next tap sells, and how it is paid."""
        bar = QFrame()
        bar.setObjectName("panel")
        self.less_button = QPushButton("\u2212")
        self.less_button.setAccessibleName(tr("One fewer"))
        self.less_button.setToolTip(tr("One fewer (\u2212 key)"))
        self.more_button = QPushButton("+")
        self.more_button.setAccessibleName(tr("One more"))
        self.more_button.setToolTip(tr("One more (+ key)"))
        for button in (self.less_button, self.more_button):
            button.setFixedSize(60, 60)
            button.setFont(scaled_font(QApplication.font(), 2.2, bold=True))
            button.setAutoRepeat(True)
        self.less_button.clicked.connect(lambda: self.set_quantity(self.quantity - 1))
        self.more_button.clicked.connect(lambda: self.set_quantity(self.quantity + 1))
        self.quantity_value = QLabel()
        self.quantity_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.quantity_value.setFont(scaled_font(QApplication.font(), 2.6, bold=True))
        self.quantity_value.setMinimumWidth(80)
        self.quantity_value.setAccessibleDescription(tr("Quantity of the next sale"))
        quantity_row = QHBoxLayout()
        quantity_row.addWidget(self.less_button)
        quantity_row.addWidget(self.quantity_value, 1)
        quantity_row.addWidget(self.more_button)
        self.quantity_hint = QLabel()
        self.quantity_hint.setProperty("role", "muted")
        self.quantity_hint.setWordWrap(True)

        self.method_group = QButtonGroup(self)
        self.method_group.setExclusive(True)
        self.method_buttons: dict[str, QPushButton] = {}
        methods = QHBoxLayout()
        methods.setSpacing(8)
        for method in PAYMENT_METHODS:
            button = QPushButton(method_mnemonic(method))
            button.setCheckable(True)
            button.setMinimumSize(112, 60)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setAccessibleName(tr("Paid by {method}").format(method=method_name(method).casefold()))
            button.setProperty("role", "toggle")
            button.clicked.connect(lambda _checked=False, m=method: self.set_payment_method(m))
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            methods.addWidget(button)
        self.method_buttons[self.payment_method].setChecked(True)

        layout = QGridLayout(bar)
        layout.setContentsMargins(20, 12, 20, 12)
        layout.setHorizontalSpacing(24)
        layout.setVerticalSpacing(6)
        layout.addWidget(heading(tr("Quantity")), 0, 0)
        layout.addLayout(quantity_row, 1, 0)
        layout.addWidget(self.quantity_hint, 2, 0, 1, 2)
        layout.addWidget(heading(tr("Payment")), 0, 2)
        layout.addLayout(methods, 1, 2)
        layout.setColumnStretch(1, 1)
        layout.setColumnMinimumWidth(0, 230)
        self.set_quantity(1)
        return bar

    def _build_panel(self) -> QWidget:
        """Beside the tiles: the day so far, the last sale and "Undo last sale"."""
        panel = QFrame()
        panel.setObjectName("panel")
        self.day_heading = heading(tr("Today"))
        self.total = QLabel()
        self.total.setFont(scaled_font(QApplication.font(), 3.4, bold=True))
        self.total.setAccessibleDescription(tr("Total of the day"))
        self.counts = QLabel()
        self.counts.setAccessibleDescription(tr("Sales of the day"))
        self.by_method: dict[str, QLabel] = {}
        methods_grid = QGridLayout()
        methods_grid.setHorizontalSpacing(16)
        methods_grid.setVerticalSpacing(4)
        for row, method in enumerate(PAYMENT_METHODS):
            name = QLabel(method_name(method))
            amount = QLabel()
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setAccessibleDescription(tr("{method} today").format(method=method_name(method)))
            methods_grid.addWidget(name, row, 0)
            methods_grid.addWidget(amount, row, 1)
            self.by_method[method] = amount
        methods_grid.setColumnStretch(1, 1)
        self.last_sale = QLabel()
        self.last_sale.setWordWrap(True)
        self.last_sale.setAccessibleDescription(tr("What Undo takes back"))
        self.undo_button = QPushButton(tr("&Undo last sale"))
        self.undo_button.setAccessibleName(tr("Take back the last sale"))
        self.undo_button.setToolTip(tr("Take back the last sale (Ctrl+Z): its units go back to the stall"))
        self.undo_button.setMinimumHeight(60)
        self.undo_button.clicked.connect(lambda: self.undo_last())

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setProperty("role", "rule")

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(8)
        layout.addWidget(self.day_heading)
        layout.addWidget(self.total)
        layout.addWidget(self.counts)
        layout.addSpacing(4)
        layout.addLayout(methods_grid)
        layout.addSpacing(8)
        layout.addWidget(rule)
        layout.addSpacing(8)
        layout.addWidget(heading(tr("Last sale")))
        layout.addWidget(self.last_sale)
        layout.addWidget(self.undo_button)
        layout.addStretch(1)
        return panel

    def _restyle(self) -> None:
        """Colours from the palette, so the screen reads in the light and the dark theme."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        base = palette.color(QPalette.ColorRole.Base)
        button = palette.color(QPalette.ColorRole.Button)
        accent = palette.color(QPalette.ColorRole.Highlight)
        on_accent = palette.color(QPalette.ColorRole.HighlightedText)
        line = colours.outline(palette)
        muted = colours.muted(palette)
        self.setStyleSheet(
            f"""
            QFrame#panel {{
                background: {base.name()}; border: 1px solid {_rgba(line)}; border-radius: 14px;
            }}
            QFrame#panel QLabel {{ background: transparent; }}
            QScrollArea#side, QScrollArea#side > QWidget > QWidget {{ background: transparent; }}
            QFrame[role="rule"] {{ border: none; border-top: 1px solid {_rgba(line)}; max-height: 1px; }}
            QLabel[role="muted"] {{ color: {muted.name()}; }}
            QLabel[role="heading"] {{ color: {muted.name()}; }}
            QPushButton {{
                background: {button.name()}; color: {text.name()};
                border: 1px solid {_rgba(line)}; border-radius: 10px; padding: 10px 18px;
            }}
            QPushButton:hover {{ border-color: {accent.name()}; }}
            QPushButton:pressed {{ background: {accent.darker(115).name()}; color: {on_accent.name()}; }}
            QPushButton:focus {{ border: 3px solid {accent.name()}; }}
            QPushButton:disabled {{ color: {muted.name()}; }}
            QPushButton[role="toggle"]:checked {{
                background: {accent.name()}; color: {on_accent.name()}; border: 2px solid {accent.name()};
                font-weight: bold;
            }}
            QPushButton[role="toggle"]:checked:focus {{ border: 3px solid {text.name()}; }}
            """
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            full = self.isFullScreen()
            self.full_button.setText(tr("Leave &full screen") if full else tr("&Full screen"))
            self.full_button.setAccessibleName(
                tr("Leave full screen") if full else tr("Show stall mode full screen")
            )
        elif event.type() == QEvent.Type.PaletteChange and not self._restyling:
            self._restyling = True  # setting the style sheet sends a palette change of its own
            try:
                self._restyle()
            finally:
                self._restyling = False

    # ---------------------------------------------------------------- reading

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & LISTENS_TO:
            self.refresh()

    def refresh(self) -> None:
        ws = self.ctx.workspace
        self.currency = currency(self.ctx)
        try:
            event = events.get_event(ws, self.event_id)
            tiles = stall.tiles(ws, self.event_id)
            day = stall.day(ws, self.event_id)
        except NotFound:
            self._event_gone()
            return
        self.setWindowTitle(tr("Stall mode: {event}").format(event=event.name))
        self.setAccessibleName(self.windowTitle())
        self.title.setText(event.name)
        self.subtitle.setText(" \u00b7 ".join(p for p in (event.venue, self._today(day)) if p))
        self.names.update({t.product_id: t.name for t in tiles})
        self.grid.set_tiles(tiles, self.currency)
        self._order_tabs()
        self.tiles_area.setVisible(bool(tiles))
        self.empty.setVisible(not tiles)
        self.empty.setText(
            tr(
                "Nothing to sell: the packing list of {event} is empty. Add products to it in the Events tab."
            ).format(event=event.name)
        )
        self._show_day(day)

    def _order_tabs(self) -> None:
        """Tab in reading order: the window's buttons, the grid (one stop: its current tile), the next sale's
        quantity and payment method (one stop: the chosen one; arrows move between them), undo."""
        tab_order(
            self.full_button,
            self.exit_button,
            *self.grid.tiles,
            self.less_button,
            self.more_button,
            *self.method_buttons.values(),
            self.undo_button,
        )

    def _today(self, day: Day) -> str:
        when = QDate(day.day.year, day.day.month, day.day.day)
        return QLocale().toString(when, "dddd d MMMM yyyy")

    def _show_day(self, day: Day) -> None:
        self.day = day
        self.total.setText(money(day.total_cents, self.currency))
        if day.sales == 1:
            counts = tr("1 sale, {units} units") if day.units != 1 else tr("1 sale, 1 unit")
        else:
            counts = tr("{n} sales, {units} units")
        self.counts.setText(counts.format(n=day.sales, units=day.units))
        for method, label in self.by_method.items():
            label.setText(money(day.by_payment.get(method, 0), self.currency))
        last = day.last_sale
        self.undo_button.setEnabled(last is not None)
        self.undo_action.setEnabled(last is not None)
        if last is None:
            self.last_sale.setText(tr("No sales yet today."))
        else:
            self.last_sale.setText(
                tr("{n} \u00d7 {product}\n{amount}, {method}").format(
                    n=last.quantity,
                    product=self.names.get(last.product_id, tr("a product")),
                    amount=money(last.quantity * last.unit_price_cents, self.currency).replace(" ", "\u00a0"),
                    method=method_name(last.payment_method).casefold(),
                )
            )

    def _event_gone(self) -> None:
        self.gone = True
        self.grid.set_tiles([], self.currency)
        self.tiles_area.hide()
        self.empty.show()
        self.empty.setText(tr("This event was deleted. Leave stall mode to choose another one."))
        self.undo_button.setEnabled(False)
        self.undo_action.setEnabled(False)

    # ---------------------------------------------------------------- the next sale

    def set_quantity(self, quantity: int) -> None:
        self.quantity = max(1, min(MAX_QUANTITY, quantity))
        self.quantity_value.setText(str(self.quantity))
        self.less_button.setEnabled(self.quantity > 1)
        self.more_button.setEnabled(self.quantity < MAX_QUANTITY)
        self.quantity_hint.setText(
            tr("The next tap sells one.")
            if self.quantity == 1
            else tr("The next tap sells {n}; then it is one again.").format(n=self.quantity)
        )

    def set_payment_method(self, method: str) -> None:
        self.payment_method = method
        button = self.method_buttons[method]
        if not button.isChecked():
            button.setChecked(True)

    # ---------------------------------------------------------------- selling

    def sell(self, product_id: str) -> None:
        """Sell the next sale's quantity of `product_id` now; the quantity goes back to one."""
        if self.gone:
            return
        quantity, method = self.quantity, self.payment_method
        self.set_quantity(1)
        self.ctx.ops.run(
            stall.sell,
            self.ctx.workspace,
            self.event_id,
            product_id,
            quantity,
            method,
            changes=SALE_CHANGES,
            on_done=self._sold,
            on_error=self._failed,
        )

    def _sold(self, sale: SaleView) -> None:
        name = self.names.get(sale.product_id, tr("a product"))
        text = tr("Sold {n} \u00d7 {product}: {amount}, {method}.").format(
            n=sale.quantity,
            product=name,
            amount=money(sale.quantity * sale.unit_price_cents, self.currency),
            method=method_name(sale.payment_method).casefold(),
        )
        if sale.oversold:
            text += " " + tr(
                "That is beyond the stock counted at the event: the sale is kept; count the stock after the "
                "market."
            )
            self._say(text, colours.warning(self.palette()))
        else:
            self._say(text)
        tile = self.grid.tile_for(sale.product_id)
        if tile is not None:
            tile.flash()

    def undo_last(self) -> None:
        if self.gone:
            return  # (taps may still be on their way to the writer: core takes back the newest that stands)
        self.ctx.ops.run(
            stall.undo_last,
            self.ctx.workspace,
            self.event_id,
            changes=SALE_CHANGES,
            on_done=self._undone,
            on_error=self._failed,
        )

    def _undone(self, reverse: SaleView | None) -> None:
        if reverse is None:
            self._say(tr("No sale of today to take back."))
            return
        self._say(
            tr("Took back {n} \u00d7 {product} ({amount}).").format(
                n=-reverse.quantity,
                product=self.names.get(reverse.product_id, tr("a product")),
                amount=money(-reverse.quantity * reverse.unit_price_cents, self.currency),
            )
        )

    def _failed(self, error: PrintstallError) -> None:
        self._say(str(error), colours.danger(self.palette()))

    def _say(self, text: str, colour: QColor | None = None) -> None:
        palette = self.message.palette()
        palette.setColor(
            QPalette.ColorRole.WindowText, colour or self.palette().color(QPalette.ColorRole.WindowText)
        )
        self.message.setPalette(palette)
        self.message.setText(text)

    # ---------------------------------------------------------------- window

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showMaximized()
        else:
            self.showFullScreen()

    def confirm_exit(self) -> QMessageBox:
        return confirm(
            self,
            tr("Leave stall mode"),
            tr("Leave stall mode? Every sale is saved already."),
            tr("Leave"),
            self.close,
            no=tr("Stay"),
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        text = event.text()
        if key == Qt.Key.Key_Escape:
            self.confirm_exit()
            event.accept()
            return
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if plain and len(text) == 1 and text.isdigit():
            number = int(text)
            self.grid.focus_tile((number or 10) - 1)
            event.accept()
            return
        if plain and text in ("+", "="):
            self.set_quantity(self.quantity + 1)
            event.accept()
            return
        if plain and text in ("-", "\u2212"):
            self.set_quantity(self.quantity - 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.ctx.ops.changed.disconnect(self._on_changed)
            self.closed.emit()
        super().closeEvent(event)
