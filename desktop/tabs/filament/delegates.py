"""How the shelf is painted: spool cards (the card view), group headers (both views) and the weight bar column
(the row view). Colours come from the palette, so the light and dark themes both read well."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.tabs.filament.shelf import GroupRow, SpoolRow, left_of, tr
from desktop.widgets import colours
from desktop.widgets.keyed_model import RowRole
from desktop.widgets.swatch import paint_swatch
from desktop.widgets.weight_bar import fraction, paint_bar, paint_bar_with_text

Index = QModelIndex | QPersistentModelIndex

CARD_WIDTH = 250
CARD_HEIGHT = 98
HEADER_HEIGHT = 32


def _selected(option: QStyleOptionViewItem) -> bool:
    return bool(option.state & QStyle.StateFlag.State_Selected)


def paint_header(painter: QPainter, rect: QRect, row: GroupRow, palette: QPalette, font: QFont) -> None:
    """A group header: [swatch] Title  detail ........ warning."""
    painter.save()
    x = rect.left() + 6
    if row.filament is not None:
        paint_swatch(painter, QRectF(x, rect.center().y() - 9, 18, 18), row.colour_hex, palette)
        x += 26
    bold = QFont(font)
    bold.setBold(True)
    bold.setPointSizeF(font.pointSizeF() * 1.08)
    painter.setFont(bold)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    title_width = QFontMetrics(bold).horizontalAdvance(row.title)
    painter.drawText(
        QRect(x, rect.top(), rect.right() - x, rect.height()), Qt.AlignmentFlag.AlignVCenter, row.title
    )
    x += title_width + 14
    painter.setFont(font)
    metrics = QFontMetrics(font)
    right = rect.right() - 8
    if row.warning:
        text = "\u26a0 " + row.warning
        width = metrics.horizontalAdvance(text) + 16
        badge = QRectF(
            right - width, rect.center().y() - metrics.height() / 2 - 2, width, metrics.height() + 4
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours.warning_background(palette))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(colours.warning(palette))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        right = int(badge.left()) - 8
    painter.setPen(colours.muted(palette))
    detail = metrics.elidedText(row.detail, Qt.TextElideMode.ElideRight, max(0, right - x))
    painter.drawText(
        QRect(x, rect.top(), max(0, right - x), rect.height()), Qt.AlignmentFlag.AlignVCenter, detail
    )
    # a rule under the header, so groups read as sections
    painter.setPen(QPen(colours.outline(palette), 1))
    painter.drawLine(rect.left() + 4, rect.bottom(), rect.right() - 4, rect.bottom())
    painter.restore()


class ShelfRowDelegate(QStyledItemDelegate):
    """The row view: group headers across the row, the weight bar in the Left column, defaults elsewhere."""

    def __init__(self, left_column: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left_column = left_column

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(RowRole)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        if isinstance(row, GroupRow):
            if _selected(option):
                painter.fillRect(
                    rect,
                    palette.color(QPalette.ColorRole.Highlight).lighter(170)
                    if not colours.is_dark(palette)
                    else palette.color(QPalette.ColorRole.Highlight),
                )
            paint_header(painter, rect, row, palette, option.font)
            return
        if isinstance(row, SpoolRow) and index.column() == self.left_column:
            self.initStyleOption(option, index)
            option.text = ""
            style = option.widget.style() if option.widget else None
            if style is not None:
                style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
            text_colour = palette.color(
                QPalette.ColorRole.HighlightedText if _selected(option) else QPalette.ColorRole.Text
            )
            if row.nearly_empty and not _selected(option):
                text_colour = colours.warning(palette)
            paint_bar_with_text(
                painter,
                QRectF(rect.adjusted(6, 0, -6, 0)),
                fraction(row.spool.remaining_mg, row.spool.initial_weight_mg),
                row.left_text,
                palette,
                low=row.nearly_empty,
                text_colour=text_colour,
                text_width=QFontMetrics(option.font).horizontalAdvance(
                    left_of(8_888_000, 8_888_000, row.unit)
                ),
                selected=_selected(option),
            )
            return
        super().paint(painter, option, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() == self.left_column:
            hint.setWidth(max(hint.width(), 260))
        return QSize(hint.width(), max(hint.height(), 28))


class ShelfCardDelegate(QStyledItemDelegate):
    """The card view: one card per spool, and group headers as full-width rows between them."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        if isinstance(index.data(RowRole), GroupRow):
            spacing = getattr(self.view, "spacing", lambda: 0)()
            width = self.view.viewport().width() - 2 * spacing - 2
            return QSize(max(width, CARD_WIDTH), HEADER_HEIGHT)
        return QSize(CARD_WIDTH, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(RowRole)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        font: QFont = option.font
        if isinstance(row, GroupRow):
            if _selected(option):
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
                painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 6, 6)
                painter.restore()
            paint_header(painter, rect.adjusted(0, 4, 0, 0), row, palette, font)
            return
        if isinstance(row, SpoolRow):
            self._paint_card(painter, rect, row, palette, font, option)

    def _paint_card(
        self,
        painter: QPainter,
        rect: QRect,
        row: SpoolRow,
        palette: QPalette,
        font: QFont,
        option: QStyleOptionViewItem,
    ) -> None:
        selected = _selected(option)
        has_focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
        spool = row.spool
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5)
        path = QPainterPath()
        path.addRoundedRect(card, 8, 8)
        background = palette.color(QPalette.ColorRole.Base)
        if selected:
            tint = QColor(palette.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(40 if not colours.is_dark(palette) else 70)
            painter.fillPath(path, background)
            painter.fillPath(path, tint)
        else:
            painter.fillPath(path, background)
        border = palette.color(QPalette.ColorRole.Highlight) if selected else colours.outline(palette)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.drawPath(path)
        inner = card.adjusted(12, 9, -12, -9)
        swatch = QRectF(inner.left(), inner.top(), 32, 32)
        paint_swatch(painter, swatch, row.colour_hex, palette)
        text_left = swatch.right() + 10
        text_width = inner.right() - text_left
        metrics = QFontMetrics(font)
        bold = QFont(font)
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        muted = colours.muted(palette)
        text = palette.color(QPalette.ColorRole.Text)

        painter.setFont(bold)
        painter.setPen(muted if spool.archived else text)
        title = bold_metrics.elidedText(row.name, Qt.TextElideMode.ElideRight, int(text_width))
        painter.drawText(QRectF(text_left, inner.top(), text_width, bold_metrics.height()), title)
        painter.setFont(font)
        painter.setPen(muted)
        f = row.filament
        subtitle = " \u00b7 ".join(p for p in ((f.brand if f else ""), (f.material if f else "")) if p)
        subtitle = metrics.elidedText(subtitle, Qt.TextElideMode.ElideRight, int(text_width))
        painter.drawText(
            QRectF(text_left, inner.top() + bold_metrics.height() + 1, text_width, metrics.height()), subtitle
        )

        # where it is, and its state
        place_top = swatch.bottom() + 6
        place = spool.location or tr("No location")
        if spool.lot:
            place += " \u00b7 " + tr("lot {lot}").format(lot=spool.lot)
        badge = ""
        badge_colour = muted
        if spool.archived:
            badge = tr("Archived")
        elif row.nearly_empty:
            badge, badge_colour = tr("Nearly empty"), colours.warning(palette)
        elif row.filament_low:
            badge, badge_colour = tr("Running low"), colours.warning(palette)
        elif not spool.opened:
            badge, badge_colour = tr("Unopened"), colours.ok(palette)
        badge_width = metrics.horizontalAdvance(badge) + 14 if badge else 0
        painter.setPen(muted if not spool.location else text)
        place = metrics.elidedText(place, Qt.TextElideMode.ElideRight, int(inner.width() - badge_width - 6))
        painter.drawText(QRectF(inner.left(), place_top, inner.width(), metrics.height()), place)
        if badge:
            badge_rect = QRectF(inner.right() - badge_width, place_top - 1, badge_width, metrics.height() + 2)
            fill = QColor(badge_colour)
            fill.setAlpha(36 if not colours.is_dark(palette) else 52)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(badge_rect, badge_rect.height() / 2, badge_rect.height() / 2)
            painter.setPen(badge_colour)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)

        # how much is left
        bar_top = inner.bottom() - metrics.height()
        share = fraction(spool.remaining_mg, spool.initial_weight_mg)
        painter.setPen(colours.warning(palette) if row.nearly_empty else text)
        left_text = row.left_text
        left_width = metrics.horizontalAdvance(left_text)
        painter.drawText(
            QRectF(inner.right() - left_width, bar_top, left_width, metrics.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            left_text,
        )
        paint_bar(
            painter,
            QRectF(inner.left(), bar_top, inner.width() - left_width - 10, metrics.height()),
            share,
            palette,
            low=row.nearly_empty,
        )
        if has_focus and selected:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(3, 3, -3, -3), 6, 6)
        painter.restore()
