"""The grid of model cards: thumbnail, name, designer, a warning mark where selling prints is not allowed or
not known, and the number of variants. Every cell has the same size, so the view lays out 10,000 rows without
asking each for its size."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.services.search import ModelCard
from desktop.tabs.library.model import NOT_ALLOWED, NOT_KNOWN, CardRole, LoadingRole, ThumbnailRole

THUMB = 160  # logical pixels
PADDING = 8
TEXT_LINES = 2


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryGrid", text)


class CardDelegate(QStyledItemDelegate):
    @staticmethod
    def cell_size(line_height: int) -> QSize:
        return QSize(THUMB + 2 * PADDING, THUMB + 2 * PADDING + TEXT_LINES * line_height + 4)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.cell_size(option.fontMetrics.height())

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        try:
            self._paint(painter, option, index)
        finally:
            painter.restore()

    def _paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        palette = option.palette
        rect = option.rect.adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(rect, 6, 6)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(rect, 6, 6)
        if focused:
            painter.setPen(
                QPen(palette.color(QPalette.ColorRole.Highlight).darker(130), 1, Qt.PenStyle.DotLine)
            )
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 6, 6)

        thumb = QRect(rect.left() + PADDING - 2, rect.top() + PADDING - 2, THUMB, THUMB)
        card = index.data(CardRole)
        pixmap = index.data(ThumbnailRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            size = (
                pixmap.deviceIndependentSize()
                .toSize()
                .scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            )
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.drawPixmap(target, pixmap)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Button))
            painter.drawRoundedRect(thumb, 4, 4)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            loading = bool(index.data(LoadingRole))
            painter.drawText(
                thumb, Qt.AlignmentFlag.AlignCenter, tr("Loading…") if loading else tr("No picture")
            )

        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        line = option.fontMetrics.height()
        name_rect = QRect(rect.left() + PADDING - 2, thumb.bottom() + 4, rect.width() - 2 * PADDING + 4, line)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(str(name), Qt.TextElideMode.ElideRight, name_rect.width()),
        )
        if isinstance(card, ModelCard):
            painter.setFont(option.font)
            designer_rect = name_rect.translated(0, line)
            muted = QColor(text_color)
            muted.setAlphaF(0.7)
            painter.setPen(muted)
            designer = card.designer or tr("Designer not given")
            painter.drawText(
                designer_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                option.fontMetrics.elidedText(designer, Qt.TextElideMode.ElideRight, designer_rect.width()),
            )
            if card.variant_count:
                count = card.variant_count
                text = tr("1 variant") if count == 1 else tr("{n} variants").format(n=count)
                self._pill(painter, option, thumb, text)
            if card.selling_warning:
                self._badge(painter, thumb, NOT_ALLOWED if card.allows_selling is False else NOT_KNOWN)

    @staticmethod
    def _pill(painter: QPainter, option: QStyleOptionViewItem, thumb: QRect, text: str) -> None:
        """A dark label in the thumbnail's lower right corner."""
        font = QFont(option.font)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width, height = metrics.horizontalAdvance(text) + 12, metrics.height() + 2
        pill = QRect(thumb.right() - width - 4, thumb.bottom() - height - 4, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(option.font)

    @staticmethod
    def _badge(painter: QPainter, thumb: QRect, colour: QColor) -> None:
        """A round mark in the thumbnail's corner: red when selling prints is not allowed, amber when not
        known."""
        badge = QRect(thumb.right() - 26, thumb.top() + 4, 22, 22)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(colour)
        painter.drawEllipse(badge)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "!")


class GridView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = CardDelegate(self)
        self.setItemDelegate(self.delegate)
        # List mode flowing left to right and wrapping: with uniform item sizes it lays out rows by
        # arithmetic, so 10,000 cells cost no more than 100 (icon mode places every item one by one).
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self._fit_grid()
        self.setAccessibleName(tr("Models"))
        self.setAccessibleDescription(tr("A grid of the models that match the search"))

    def _fit_grid(self) -> None:
        self.setGridSize(self.delegate.cell_size(self.fontMetrics().height()) + QSize(8, 8))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_grid()
