"""Painting labels with QPainter, in the layout `core.services.labels.labels_pdf` writes, so what the preview
shows and what the printer prints are the PDF's labels.

`arrange` puts the labels on pages (copies one after the other, `skip` places left empty at the start of the
first sheet), with core's rules and sentences. `paint_page` paints one page on a painter whose coordinates are
millimetres from the page's top-left corner; `print_labels` sets a `QPrinter`'s paper and paints every page on
it (no dialog, so it is tested with a PDF printer).

Text is drawn with fonts sized in hundredths of a millimetre (`UNITS`), unhinted, so lines are as wide on the
screen as on paper and break where the PDF breaks them; the sizes and positions are the PDF's (fpdf's cells:
1 mm inner margin, the baseline at half the cell plus 0.3 of the font size).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter

from core.errors import PrintstallError
from core.services.labels import (
    QUIET_MODULES,
    Label,
    LabelFont,
    PageLayout,
    Place,
    arrange,
    label_cells,
    layout_of,
    qr_matrix,
    qr_rects,
    qr_side,
)

UNITS = 100  # painter units per millimetre while text is drawn
POINT_MM = 25.4 / 72
CELL_MARGIN = 1.0  # fpdf's inner margin of a cell, left of left-aligned text
INK = QColor(0, 0, 0)


def tr(text: str) -> str:
    return QCoreApplication.translate("labels", text)


class PrintFailed(PrintstallError):
    """The printer could not be started."""


# ---------------------------------------------------------------- where labels go


def place_origin(layout: PageLayout, cell: int) -> QPointF:
    """The top-left corner of place `cell` on the page, in millimetres."""
    return QPointF(
        layout.left + (cell % layout.columns) * layout.pitch_x,
        layout.top + (cell // layout.columns) * layout.pitch_y,
    )


def qr_modules(layout: PageLayout, code: str) -> tuple[QPointF, float, list[list[bool]]]:
    """Where the first module of a label's symbol is (relative to the label's corner), the side of a module,
    both in millimetres, and the symbol's modules."""
    matrix = qr_matrix(code)
    module = qr_side(layout) / (len(matrix) + 2 * QUIET_MODULES)
    corner = layout.padding + QUIET_MODULES * module
    return QPointF(corner, corner), module, matrix


# ---------------------------------------------------------------- fonts and text


@cache
def _font(kind: str, size_pt: float) -> QFont:
    font = QFont("DejaVu Sans Mono" if kind == "mono" else "DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.TypeWriter if kind == "mono" else QFont.StyleHint.SansSerif)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setKerning(False)
    font.setBold(kind == "bold")
    font.setPixelSize(max(1, round(size_pt * POINT_MM * UNITS)))
    return font


def _width(font: QFont, text: str) -> float:
    """The width of `text` in `font`, in millimetres."""
    return QFontMetricsF(font).horizontalAdvance(text) / UNITS


def _cell_text(
    painter: QPainter, font: QFont, text: str, x: float, y: float, w: float, h: float, *, centre: bool = False
) -> None:
    """Text in a cell as fpdf writes it: left after the inner margin (or centred), on the baseline at half
    the cell's height plus 0.3 of the font size."""
    size_mm = font.pixelSize() / UNITS
    left = x + (w - _width(font, text)) / 2 if centre else x + CELL_MARGIN
    baseline = y + h / 2 + 0.3 * size_mm
    painter.setFont(font)
    painter.drawText(QPointF(left * UNITS, baseline * UNITS), text)


# ---------------------------------------------------------------- painting


def _paint_qr(painter: QPainter, layout: PageLayout, code: str, origin: QPointF) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(INK))
    corner = (origin.x() + layout.padding, origin.y() + layout.padding)
    for left, top, width, height in qr_rects(code, *corner, qr_side(layout)):
        painter.drawRect(QRectF(left * UNITS, top * UNITS, width * UNITS, height * UNITS))


def paint_label(painter: QPainter, layout: PageLayout, label: Label, origin: QPointF) -> None:
    """One label with its corner at `origin` (millimetres); the painter's coordinates are in UNITS."""
    _paint_qr(painter, layout, label.code, origin)
    painter.setPen(QPen(INK))

    def measure(font: LabelFont, size: float, text: str) -> float:
        return _width(_font(font, size), text)

    for cell in label_cells(label, layout, origin.x(), origin.y(), measure):
        font = _font(cell.font, cell.size)
        _cell_text(painter, font, cell.text, cell.x, cell.y, cell.w, cell.h, centre=cell.centre)


def paint_page(painter: QPainter, layout: PageLayout, places: Sequence[Place]) -> None:
    """The labels of one page; the painter's coordinates are millimetres from the page's corner."""
    painter.save()
    painter.scale(1 / UNITS, 1 / UNITS)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    for cell, label in places:
        paint_label(painter, layout, label, place_origin(layout, cell))
    painter.restore()


# ---------------------------------------------------------------- printing


def page_size(page: str) -> QPageSize:
    if page == "A4":
        return QPageSize(QPageSize.PageSizeId.A4)
    layout = layout_of(page)
    return QPageSize(
        QSizeF(layout.width, layout.height),
        QPageSize.Unit.Millimeter,
        tr("{width} x {height} mm labels").format(width=f"{layout.width:g}", height=f"{layout.height:g}"),
        QPageSize.SizeMatchPolicy.ExactMatch,
    )


def prepare_printer(printer: QPrinter, page: str) -> None:
    """Paper of the page's size, with coordinates from the paper's corner (labels sit where the sheet has
    them, whatever margins the printer keeps)."""
    size = page_size(page)
    wanted = QPageLayout(
        size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter
    )
    if not printer.setPageLayout(wanted):  # a printer that cannot print to the edge keeps its margins
        printer.setPageSize(size)
    printer.setFullPage(True)


def print_labels(
    printer: QPrinter, labels: Sequence[Label], *, page: str = "A4", copies: int = 1, skip: int = 0
) -> int:
    """Paint the labels on `printer`, page by page. Returns the number of pages."""
    pages = arrange(labels, page=page, copies=copies, skip=skip)
    layout = layout_of(page)
    prepare_printer(printer, page)
    painter = QPainter()
    if not painter.begin(printer):
        name = printer.printerName() or printer.outputFileName()
        raise PrintFailed(
            tr("Printing on {printer} could not start.").format(printer=name or tr("the printer"))
        )
    try:
        scale = printer.resolution() / 25.4  # device pixels per millimetre
        for number, places in enumerate(pages):
            if number and not printer.newPage():
                raise PrintFailed(tr("The printer stopped after {n} pages.").format(n=number))
            painter.resetTransform()
            painter.scale(scale, scale)
            paint_page(painter, layout, places)
    finally:
        painter.end()
    return len(pages)


@dataclass(frozen=True)
class PageChoice:
    """A page format the dialog offers."""

    key: str  # a key of core's PAGES
    title: str


def page_choices() -> list[PageChoice]:
    return [
        PageChoice("A4", tr("A4 sheet of 21 labels (63.5 x 38.1 mm)")),
        PageChoice("label-62mm", tr("62 mm label roll (62 x 29 mm)")),
    ]
