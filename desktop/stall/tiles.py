"""The stall's product tiles: one big button per product of the event's packing list, in a grid that fills the
width, with the name, the price and the units left at the event.

A tile is painted from the palette (base colour, text colour, the accent for focus and for the flash after a
sale), so it reads in the light and the dark theme alike. A sold-out tile still sells (core records the sale
and flags it); it says "Sold out" or how many were sold beyond the stock. Arrow keys move between tiles,
Enter or Space sells the focused one; only the current tile is on the Tab chain, so Tab leaves the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTextLayout,
)
from PySide6.QtWidgets import QAbstractButton, QApplication, QGridLayout, QSizePolicy, QWidget

from core.services.stall import Tile
from desktop.dialogs.units import money
from desktop.widgets import colours

TILE_WIDTH = 250  # the narrowest a tile gets; the grid fits as many columns as the width allows
TILE_HEIGHT = 184
SPACING = 14
PADDING = 16
FLASH_MS = 450
LOW = 2  # this many left or fewer: the count turns amber
MAX_SCALE = 1.4  # with few products the tiles grow (and their text with them) to fill the height


def tr(text: str) -> str:
    return QCoreApplication.translate("stall", text)


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """`base` scaled by `factor` (at least 1.0 of a 10 pt font, so a small system font still reads at arm's
    length)."""
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(max(size, 10.0) * factor)
    font.setBold(bold)
    return font


def blend(a: QColor, b: QColor, share: float) -> QColor:
    """`a` with `share` of `b` mixed in."""
    return QColor(
        round(a.red() * (1 - share) + b.red() * share),
        round(a.green() * (1 - share) + b.green() * share),
        round(a.blue() * (1 - share) + b.blue() * share),
    )


def left_text(left: int) -> str:
    if left > 0:
        return tr("{n} left").format(n=left)
    if left == 0:
        return tr("Sold out")
    return tr("{n} oversold").format(n=-left)


def two_lines(text: str, font: QFont, width: float) -> list[str]:
    """`text` wrapped at `width` into at most two lines, the second elided when the text is longer."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines: list[str] = []
    while len(lines) < 2:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        rest = text[start:] if len(lines) == 1 else text[start : start + length]
        lines.append(rest.strip())
    layout.endLayout()
    if len(lines) == 2:
        lines[1] = QFontMetricsF(font).elidedText(lines[1], Qt.TextElideMode.ElideRight, width)
    return lines


class SaleTile(QAbstractButton):
    """One product: tap (click, Enter, Space) to sell it."""

    def __init__(self, tile: Tile, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.currency = currency
        self.number = 0  # its place in the grid, 1-based; the digit key that focuses it (1 to 9, 0 for 10)
        self.navigate: Callable[[SaleTile, int, int], None] | None = None
        self.focused: Callable[[SaleTile], None] | None = None
        self.scale = 1.0
        self._flash = False
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._end_flash)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleDescription(tr("Enter or Space sells it; arrow keys move to the next product."))
        self._describe()

    # ---------------------------------------------------------------- state

    def set_tile(self, tile: Tile, currency: str) -> None:
        if tile == self.tile and currency == self.currency:
            return
        self.tile = tile
        self.currency = currency
        self._describe()
        self.update()

    def set_scale(self, scale: float) -> None:
        if abs(scale - self.scale) > 0.01:
            self.scale = scale
            self.updateGeometry()
            self.update()

    def set_number(self, number: int) -> None:
        if number != self.number:
            self.number = number
            self.update()

    @property
    def sold_out(self) -> bool:
        return self.tile.left <= 0

    def price_text(self) -> str:
        return money(self.tile.price_cents, self.currency)

    def _describe(self) -> None:
        name = tr("{product}, {price}, {left}").format(
            product=self.tile.name, price=self.price_text(), left=left_text(self.tile.left)
        )
        self.setAccessibleName(name)
        self.setToolTip(
            tr("Sell {product} ({price}).").format(product=self.tile.name, price=self.price_text())
            + (
                "\n" + tr("None counted at the event: the sale is recorded and flagged.")
                if self.sold_out
                else ""
            )
        )

    def flash(self) -> None:
        """Light up briefly: the sale went through."""
        self._flash = True
        self._flash_timer.start(FLASH_MS)
        self.update()

    def _end_flash(self) -> None:
        self._flash = False
        self.update()

    # ---------------------------------------------------------------- keys and focus

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = (
            (Qt.Key.Key_Left, -1, 0),
            (Qt.Key.Key_Right, 1, 0),
            (Qt.Key.Key_Up, 0, -1),
            (Qt.Key.Key_Down, 0, 1),
        )
        for move_key, dx, dy in moves:
            if key == move_key and self.navigate is not None:
                self.navigate(self, dx, dy)
                event.accept()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.animateClick()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.focused is not None:
            self.focused(self)

    # ---------------------------------------------------------------- painting

    def sizeHint(self) -> QSize:
        return QSize(TILE_WIDTH, int(TILE_HEIGHT * self.scale))  # rounded down: the rows fit, no scroll bar

    def minimumSizeHint(self) -> QSize:
        # Narrower than the width the grid plans with, so the grid can always shrink to fewer columns.
        return QSize(TILE_WIDTH // 2, int(TILE_HEIGHT * self.scale))

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        accent = palette.color(QPalette.ColorRole.Highlight)
        window = palette.color(QPalette.ColorRole.Window)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        fill = blend(base, window, 0.55) if self.sold_out else base
        if self.isDown():
            fill = blend(fill, accent, 0.45)
        elif self._flash:
            fill = blend(fill, accent, 0.3)
        path = QPainterPath()
        path.addRoundedRect(rect, 12, 12)
        painter.fillPath(path, fill)
        if self.sold_out:  # light diagonal stripes: sold out at a glance, without hiding the text
            painter.save()
            painter.setClipPath(path)
            stripe = QColor(text)
            stripe.setAlpha(18)
            painter.setPen(QPen(stripe, 10))
            step = 28
            for x in range(-int(rect.height()), int(rect.width()), step):
                painter.drawLine(
                    QPointF(rect.left() + x, rect.bottom()),
                    QPointF(rect.left() + x + rect.height(), rect.top()),
                )
            painter.restore()
        focus = self.hasFocus()
        border = QPen(accent if focus else colours.outline(palette), 4 if focus else 1.5)
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 11, 11)

        inner = rect.adjusted(PADDING, PADDING - 4, -PADDING, -PADDING + 2)
        base_font = QApplication.font()
        grow = self.scale
        name_font = scaled_font(base_font, 1.7 * grow, bold=True)
        price_font = scaled_font(base_font, 2.3 * grow, bold=True)
        left_font = scaled_font(base_font, 1.45 * grow, bold=self.sold_out or self.tile.left <= LOW)
        badge_font = scaled_font(base_font, 1.1)

        badge_width = 0.0
        if 0 < self.number <= 10:
            painter.setFont(badge_font)
            label = str(self.number % 10)
            metrics = QFontMetricsF(badge_font)
            side = metrics.height() + 6
            badge = QRectF(inner.right() - side, inner.top() + 2, side, side)
            painter.setPen(QPen(colours.muted(palette), 1.2))
            painter.drawRoundedRect(badge, 5, 5)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
            badge_width = side + 8

        painter.setFont(name_font)
        painter.setPen(text)
        metrics = QFontMetricsF(name_font)
        y = inner.top()
        for line in two_lines(self.tile.name, name_font, inner.width() - badge_width):
            painter.drawText(
                QRectF(inner.left(), y, inner.width() - badge_width, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += metrics.height()

        # At the bottom: the price, big, and under it what is left at the event.
        left_height = QFontMetricsF(left_font).height()
        price_height = QFontMetricsF(price_font).height()
        left_box = QRectF(inner.left(), inner.bottom() - left_height, inner.width(), left_height)
        price_box = QRectF(inner.left(), left_box.top() - price_height, inner.width(), price_height)
        price_width = QFontMetricsF(price_font).horizontalAdvance(self.price_text())
        if price_width > inner.width():  # a long price on a narrow tile: smaller, not cut off
            price_font.setPointSizeF(price_font.pointSizeF() * inner.width() / price_width)
        painter.setFont(price_font)
        painter.setPen(text)
        painter.drawText(
            price_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.price_text()
        )
        painter.setFont(left_font)
        if self.sold_out:
            painter.setPen(colours.danger(palette))
        elif self.tile.left <= LOW:
            painter.setPen(colours.warning(palette))
        else:
            painter.setPen(text)
        painter.drawText(
            left_box,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            left_text(self.tile.left),
        )
        painter.end()


class TileGrid(QWidget):
    """The tiles in as many columns as fit, kept in the order core gives (by name), updated in place."""

    sell = Signal(str)  # product id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Products to sell"))
        self.grid = QGridLayout(self)
        self.grid.setSpacing(SPACING)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.tiles: list[SaleTile] = []
        self._columns = 0
        self.current: SaleTile | None = None

    def set_tiles(self, tiles: Sequence[Tile], currency: str) -> None:
        by_id = {t.tile.product_id: t for t in self.tiles}
        keep = {t.product_id for t in tiles}
        for widget in self.tiles:
            if widget.tile.product_id not in keep:
                had_focus = widget.hasFocus()
                self.grid.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
                if widget is self.current:
                    self.current = None
                if had_focus:
                    self.setFocus()
        ordered: list[SaleTile] = []
        for tile in tiles:
            known = by_id.get(tile.product_id)
            if known is None:
                widget = SaleTile(tile, currency, self)
                widget.clicked.connect(lambda _checked=False, w=widget: self.sell.emit(w.tile.product_id))
                widget.navigate = self.step
                widget.focused = self.make_current
            else:
                widget = known
                widget.set_tile(tile, currency)
            ordered.append(widget)
        changed = [w.tile.product_id for w in ordered] != [w.tile.product_id for w in self.tiles]
        self.tiles = ordered
        for number, widget in enumerate(ordered, start=1):
            widget.set_number(number)
        if changed:
            self._arrange(force=True)
        if self.current is None and ordered:
            self.make_current(ordered[0])

    def tile_for(self, product_id: str) -> SaleTile | None:
        return next((t for t in self.tiles if t.tile.product_id == product_id), None)

    def arrangement(self) -> tuple[int, float]:
        """(columns, scale): the columns that give the biggest tiles whose rows all fit the height shown,
        growing them up to MAX_SCALE, so a short list fills the screen with big targets; when they cannot
        all fit, as many columns as the width holds at the normal size (the list scrolls)."""
        width = self.width()
        shown = self.parentWidget()
        height = shown.height() if shown is not None else self.height()
        most = max(1, (width + SPACING) // (TILE_WIDTH + SPACING))
        count = len(self.tiles)
        best = (most, 1.0)
        for columns in range(1, min(most, count) + 1):
            rows = -(-count // columns)
            tile_width = (width - SPACING * (columns - 1)) / columns
            tile_height = (height - SPACING * (rows - 1)) / rows
            scale = min(tile_width / TILE_WIDTH, tile_height / TILE_HEIGHT, MAX_SCALE)
            if scale >= 1.0 and scale >= best[1] - 0.01:
                best = (columns, scale)
        return best

    def _arrange(self, *, force: bool = False) -> None:
        columns, scale = self.arrangement()
        for tile in self.tiles:
            tile.set_scale(scale)
        if columns == self._columns and not force:
            return
        self._columns = columns
        for widget in self.tiles:
            self.grid.removeWidget(widget)
        for index, widget in enumerate(self.tiles):
            self.grid.addWidget(widget, index // columns, index % columns)
            widget.show()
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        rows = (len(self.tiles) + columns - 1) // columns
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)  # tiles stay at the top

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def make_current(self, tile: SaleTile) -> None:
        """The tile that Tab lands on (the others are reached with the arrow keys)."""
        if self.current is not None and self.current is not tile:
            self.current.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.current = tile
        tile.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def focus_tile(self, index: int) -> bool:
        if 0 <= index < len(self.tiles):
            tile = self.tiles[index]
            self.make_current(tile)
            tile.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False

    def step(self, tile: SaleTile, dx: int, dy: int) -> None:
        """Move the focus from `tile` by `dx` columns and `dy` rows."""
        index = self.tiles.index(tile)
        columns = max(self._columns, 1)
        target = index + dx + dy * columns
        if dx and target // columns != index // columns and dy == 0:
            return  # left and right stay in the row
        if 0 <= target < len(self.tiles):
            self.focus_tile(target)
        elif dy > 0 and index // columns < (len(self.tiles) - 1) // columns:
            self.focus_tile(len(self.tiles) - 1)  # down into a last row that is shorter
