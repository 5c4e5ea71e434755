"""The label dialog: choose the page format, the copies and the places already used on a sheet, see the pages
as they will print, then print them (the system's print dialog) or save them as a PDF (core's `labels_pdf`).

The preview and the printer are painted by the same code (`desktop.labels.painter`), in the PDF's layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent, QTransform
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import PrintstallError
from core.services.labels import Label, PageLayout, Place, arrange, labels_pdf, layout_of
from desktop.context import AppContext
from desktop.dialogs.forms import ErrorLabel
from desktop.exporting import ask_for_file
from desktop.labels.painter import (
    page_choices,
    paint_page,
    place_origin,
    prepare_printer,
    print_labels,
)
from desktop.widgets.keyboard import tab_order

MAX_COPIES = 99
PAGE_SETTING = "labels/page"


class LabelPreview(QWidget):
    """The pages one under the other, as wide as the view allows (at most `MAX_SCALE` pixels a millimetre):
    white paper, the places of the sheet outlined, the skipped ones hatched, and the labels."""

    MARGIN = 16
    GAP = 16
    MAX_SCALE = 6.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_: PageLayout = layout_of("A4")
        self.pages: list[list[Place]] = []
        self.skip = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_pages(self, layout: PageLayout, pages: list[list[Place]], skip: int) -> None:
        self.layout_, self.pages, self.skip = layout, pages, skip
        self._fit()
        self.update()

    def scale(self) -> float:
        """Pixels a millimetre."""
        room = max(self.width() - 2 * self.MARGIN, 50)
        return min(room / self.layout_.width, self.MAX_SCALE)

    def page_rect(self, number: int) -> QRectF:
        """Where page `number` is painted, in the widget's pixels."""
        scale = self.scale()
        width, height = self.layout_.width * scale, self.layout_.height * scale
        left = (self.width() - width) / 2
        return QRectF(left, self.MARGIN + number * (height + self.GAP), width, height)

    def page_transform(self, number: int) -> QTransform:
        """From millimetres on page `number` to the widget's pixels."""
        rect = self.page_rect(number)
        scale = self.scale()
        return QTransform.fromTranslate(rect.left(), rect.top()).scale(scale, scale)

    def _fit(self) -> None:
        pages = max(len(self.pages), 1)
        height = 2 * self.MARGIN + pages * self.layout_.height * self.scale() + (pages - 1) * self.GAP
        if self.minimumHeight() != int(height) + 1:
            self.setMinimumHeight(int(height) + 1)

    def sizeHint(self) -> QSize:
        return QSize(520, 600)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Mid))
        layout = self.layout_
        for number, places in enumerate(self.pages or [[]]):
            rect = self.page_rect(number)
            if not rect.intersects(QRectF(event.rect())):
                continue
            painter.fillRect(rect.translated(2, 2), QColor(0, 0, 0, 60))  # a shadow under the paper
            painter.fillRect(rect, QColor("white"))
            painter.save()
            painter.setTransform(self.page_transform(number))
            if layout.per_page > 1:
                self._paint_places(painter, layout, skipped=self.skip if number == 0 else 0)
            paint_page(painter, layout, places)
            painter.restore()
        painter.end()

    def _paint_places(self, painter: QPainter, layout: PageLayout, skipped: int) -> None:
        outline = QPen(QColor(200, 200, 200))
        outline.setCosmetic(True)
        outline.setStyle(Qt.PenStyle.DashLine)
        for cell in range(layout.per_page):
            corner = place_origin(layout, cell)
            place = QRectF(corner, QPointF(corner.x() + layout.label_width, corner.y() + layout.label_height))
            painter.setPen(outline)
            painter.setBrush(
                QBrush(QColor(210, 210, 210), Qt.BrushStyle.BDiagPattern)
                if cell < skipped
                else Qt.BrushStyle.NoBrush
            )
            painter.drawRoundedRect(place, 1.5, 1.5)


class LabelDialog(QDialog):
    """Print `labels` or save them as a PDF."""

    def __init__(self, ctx: AppContext, labels: Sequence[Label], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.labels = list(labels)
        self.pages: list[list[Place]] = []
        self.printer: QPrinter | None = None
        self.setWindowTitle(self.tr("Print labels"))
        self.setAccessibleName(self.tr("Print labels"))
        self._build()
        self.resize(980, 700)
        wanted = str(ctx.settings.value(PAGE_SETTING, "A4"))
        self.page_box.setCurrentIndex(max(self.page_box.findData(wanted), 0))
        self.update_preview()

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self.page_box = QComboBox()
        for choice in page_choices():
            self.page_box.addItem(choice.title, choice.key)
        self.page_box.currentIndexChanged.connect(self._page_changed)
        self.copies = QSpinBox()
        self.copies.setRange(1, MAX_COPIES)
        self.copies.valueChanged.connect(lambda _n: self.update_preview())
        self.skip = QSpinBox()
        self.skip.setRange(0, 0)
        self.skip.setToolTip(self.tr("Places already used on the first sheet, counted across, then down"))
        self.skip.setAccessibleDescription(self.skip.toolTip())
        self.skip.valueChanged.connect(lambda _n: self.update_preview())

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        page_label = QLabel(self.tr("&Format:"))
        page_label.setBuddy(self.page_box)
        copies_label = QLabel(self.tr("&Copies of each:"))
        copies_label.setBuddy(self.copies)
        skip_label = QLabel(self.tr("&Skip places:"))
        skip_label.setBuddy(self.skip)
        form.addRow(page_label, self.page_box)
        form.addRow(copies_label, self.copies)
        form.addRow(skip_label, self.skip)
        self.skip_hint = QLabel(self.tr("Places already peeled off the first sheet."))
        self.skip_hint.setWordWrap(True)
        self.skip_hint.setEnabled(False)
        form.addRow("", self.skip_hint)

        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("What will print"))
        self.summary.setWordWrap(True)
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Last result"))
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel()

        side = QVBoxLayout()
        side.addLayout(form)
        side.addSpacing(8)
        side.addWidget(self.summary)
        side.addWidget(self.error)
        side.addWidget(self.status)
        side.addStretch(1)
        controls = QWidget()
        controls.setLayout(side)
        controls.setMaximumWidth(380)

        self.preview = LabelPreview()
        self.preview.setAccessibleName(self.tr("Preview of the pages"))
        self.preview_area = QScrollArea()
        self.preview_area.setWidget(self.preview)
        self.preview_area.setWidgetResizable(True)
        self.preview_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.preview_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview_area.setAccessibleName(self.tr("Preview of the pages"))

        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(self.tr("&Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setToolTip(self.tr("Print the labels on a printer"))
        self.print_button.clicked.connect(self.open_print_dialog)
        self.pdf_button = self.buttons.addButton(
            self.tr("Save as P&DF…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.pdf_button.setToolTip(self.tr("Save the labels as a PDF file"))
        self.pdf_button.clicked.connect(self.save_pdf)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        self.print_button.setDefault(True)

        body = QHBoxLayout()
        body.addWidget(controls)
        body.addWidget(self.preview_area, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        tab_order(
            self.page_box,
            self.copies,
            self.skip,
            self.preview_area,
            self.print_button,
            self.pdf_button,
            self.close_button,
        )

    # ---------------------------------------------------------------- choices

    def page(self) -> str:
        return str(self.page_box.currentData())

    def _page_changed(self) -> None:
        self.ctx.settings.setValue(PAGE_SETTING, self.page())
        self.update_preview()

    def update_preview(self) -> None:
        layout = layout_of(self.page())
        sheet = layout.per_page > 1
        self.skip.blockSignals(True)
        self.skip.setRange(0, layout.per_page - 1)
        self.skip.blockSignals(False)
        for widget in (self.skip, self.skip_hint):
            widget.setEnabled(sheet)
        self.error.show_error("")
        try:
            self.pages = arrange(
                self.labels, page=self.page(), copies=self.copies.value(), skip=self.skip.value()
            )
        except PrintstallError as error:
            self.pages = []
            self.error.show_error(str(error))
        self.preview.show_pages(layout, self.pages, self.skip.value() if sheet else 0)
        self.summary.setText(self._summary())
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(bool(self.pages))

    def _summary(self) -> str:
        count = len(self.labels) * self.copies.value()
        pages = len(self.pages)
        labels = self.tr("1 label") if count == 1 else self.tr("{n} labels").format(n=count)
        sheets = self.tr("1 page") if pages == 1 else self.tr("{n} pages").format(n=pages)
        return self.tr("{labels} on {pages}.").format(labels=labels, pages=sheets)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def show_error(self, error: PrintstallError | str) -> None:
        if self._alive():
            self.status.setText("")
            self.error.show_error(str(error))

    def show_done(self, text: str) -> None:
        if self._alive():
            self.error.show_error("")
            self.status.setText(text)

    # ---------------------------------------------------------------- printing and saving

    def print_to(self, printer: QPrinter) -> int:
        """Paint the pages on `printer` (the print dialog's answer); shows what happened and returns the
        number of pages (0 when it failed)."""
        try:
            pages = print_labels(
                printer, self.labels, page=self.page(), copies=self.copies.value(), skip=self.skip.value()
            )
        except PrintstallError as error:
            self.show_error(error)
            return 0
        where = printer.printerName() or printer.outputFileName()
        self.show_done(
            (
                self.tr("Sent 1 page to {printer}.")
                if pages == 1
                else self.tr("Sent {n} pages to {printer}.")
            ).format(n=pages, printer=where)
        )
        return pages

    def open_print_dialog(self) -> QPrintDialog:
        """The system's print dialog (not blocking); printing starts when it is accepted."""
        if self.printer is None:
            self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer = self.printer
        printer.setDocName(self.tr("Labels"))
        prepare_printer(printer, self.page())
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print labels"))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
        dialog.accepted.connect(lambda: self.print_to(printer))
        QDialog.open(dialog)  # window-modal, not blocking (QPrintDialog's own open() wants a slot)
        return dialog

    def save_pdf(self) -> Path | None:
        """Ask for a file and write the labels there with core's `labels_pdf`."""
        path = ask_for_file(
            self,
            self.ctx,
            self.tr("Save the labels as PDF"),
            f"labels-{date.today().isoformat()}.pdf",
            formats=("pdf",),
        )
        if path is None:
            return None
        self.status.setText(self.tr("Saving…"))
        self.ctx.ops.run(
            labels_pdf,
            self.labels,
            path,
            page=self.page(),
            copies=self.copies.value(),
            skip=self.skip.value(),
            on_done=lambda pages: self.show_done(
                (
                    self.tr("Saved 1 page to {file}.")
                    if pages == 1
                    else self.tr("Saved {n} pages to {file}.")
                ).format(n=pages, file=path)
            ),
            on_error=self.show_error,
        )
        return path
