"""The label dialog: its preview paints each QR module where the symbol has it, "Save as PDF…" writes core's
PDF, printing to a PDF printer gives one page per sheet, and the Filament tab opens it for the chosen spools
(and shows a spool a label names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPageLayout
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog

from core.errors import ValidationError
from core.services import filament
from core.services.labels import PAGES, Label, label_for_spool
from desktop.context import AppContext
from desktop.labels import LabelDialog, arrange, print_labels
from desktop.labels.painter import place_origin, qr_modules
from desktop.tabs.filament import FilamentTab
from tests.core.factories import Shop, make_shop
from tests.desktop.windows import show_active


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


@pytest.fixture
def shop(ctx: AppContext) -> Shop:
    return make_shop(ctx.workspace)


@pytest.fixture
def labels(ctx: AppContext, shop: Shop) -> list[Label]:
    ws = ctx.workspace
    second = filament.add_spool(ws, filament_id=shop.filament.id, location="Drybox", lot="L-7")
    third = filament.add_spool(ws, filament_id=shop.filament.id)
    return [label_for_spool(ws, spool_id) for spool_id in (shop.spool.id, second.id, third.id)]


def open_dialog(qtbot: QtBot, ctx: AppContext, labels: list[Label], page: str) -> LabelDialog:
    dialog = show_active(qtbot, LabelDialog(ctx, labels), 1300, 950)
    dialog.page_box.setCurrentIndex(dialog.page_box.findData(page))
    assert dialog.page() == page
    return dialog


def dark(image: QImage, point: QPointF) -> bool:
    colour = image.pixelColor(int(point.x()), int(point.y()))
    return colour.lightness() < 128


@pytest.mark.parametrize("page", ["A4", "label-62mm"])
def test_the_preview_paints_the_qr_modules_where_the_symbol_has_them(
    qtbot: QtBot, ctx: AppContext, labels: list[Label], page: str
) -> None:
    dialog = open_dialog(qtbot, ctx, labels, page)
    preview = dialog.preview
    qtbot.waitUntil(lambda: preview.width() > 400)
    image = preview.grab().toImage()
    layout = PAGES[page]
    first_page = dialog.pages[0]
    assert first_page  # the labels of the first page, with their places
    for cell, label in first_page:
        to_pixels = preview.page_transform(0)
        corner = place_origin(layout, cell)
        first, module, matrix = qr_modules(layout, label.code)
        assert module * preview.scale() >= 3  # a module is at least 3 pixels: its centre is inside it
        n = len(matrix)
        for r, row in enumerate(matrix):
            for c, wanted in enumerate(row):
                centre = QPointF(
                    corner.x() + first.x() + (c + 0.5) * module, corner.y() + first.y() + (r + 0.5) * module
                )
                assert dark(image, to_pixels.map(centre)) == wanted, (label.code, r, c)
        # The three finder patterns: dark corners, their light ring, a dark centre.
        for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
            assert all(matrix[top][left + i] and matrix[top + 6][left + i] for i in range(7))
            assert not matrix[top + 1][left + 1] and matrix[top + 3][left + 3]
        # The quiet zone round the symbol is light.
        for c in range(-1, n + 1):
            above = QPointF(
                corner.x() + first.x() + (c + 0.5) * module, corner.y() + first.y() - 0.5 * module
            )
            assert not dark(image, to_pixels.map(above))


def test_the_preview_follows_the_format_copies_and_skipped_places(
    qtbot: QtBot, ctx: AppContext, labels: list[Label]
) -> None:
    dialog = open_dialog(qtbot, ctx, labels, "A4")
    dialog.copies.setValue(7)
    dialog.skip.setValue(2)
    assert dialog.skip.isEnabled() and dialog.skip.maximum() == 20
    assert dialog.summary.text() == "21 labels on 2 pages."
    assert [len(places) for places in dialog.pages] == [19, 2]
    assert dialog.pages[0][0][0] == 2  # the first label goes in the third place
    dialog.page_box.setCurrentIndex(dialog.page_box.findData("label-62mm"))
    assert not dialog.skip.isEnabled()
    assert dialog.summary.text() == "21 labels on 21 pages."
    assert ctx.settings.value("labels/page") == "label-62mm"  # remembered for next time
    assert LabelDialog(ctx, labels).page() == "label-62mm"


def test_save_as_pdf_writes_the_labels_with_core(
    qtbot: QtBot, ctx: AppContext, labels: list[Label], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[object, ...]] = []

    def answer(*args: object) -> tuple[str, str]:
        asked.append(args)
        return str(tmp_path / "spool labels"), "PDF document (*.pdf)"  # no ending: .pdf is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    dialog = open_dialog(qtbot, ctx, labels, "A4")
    dialog.copies.setValue(8)
    path = dialog.save_pdf()
    assert path == tmp_path / "spool labels.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == 2
    assert str(asked[0][2]).endswith(".pdf") and Path(str(asked[0][2])).name.startswith("labels-")
    assert dialog.status.text() == f"Saved 2 pages to {path}."
    assert dialog.error.isHidden()


def test_save_as_pdf_shows_a_failure_as_one_sentence(
    qtbot: QtBot, ctx: AppContext, labels: list[Label], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no such folder" / "labels.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(missing), "")))
    dialog = open_dialog(qtbot, ctx, labels, "A4")
    dialog.save_pdf()
    assert not missing.exists()
    assert dialog.error.isVisible() and "does not exist" in dialog.error.text()
    assert dialog.error.text().count(".") >= 1 and "\n" not in dialog.error.text()


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.mark.parametrize(
    ("page", "copies", "skip", "pages"),
    [("A4", 1, 0, 1), ("A4", 7, 0, 1), ("A4", 7, 1, 2), ("A4", 20, 5, 4), ("label-62mm", 2, 0, 6)],
)
def test_printing_paints_one_printer_page_per_sheet(
    qapp: object, labels: list[Label], tmp_path: Path, page: str, copies: int, skip: int, pages: int
) -> None:
    path = tmp_path / "printed.pdf"
    assert print_labels(pdf_printer(path), labels, page=page, copies=copies, skip=skip) == pages
    data = path.read_bytes()
    assert pdf_pages(data) == pages
    boxes = {
        tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox \[([^\]]*)\]", data)
    }
    wanted = (0, 0, 595, 842) if page == "A4" else (0, 0, 176, 82)  # in points: A4, and 62 x 29 mm
    assert boxes == {wanted}


def test_the_dialog_prints_to_the_printer_it_is_given(
    qtbot: QtBot, ctx: AppContext, labels: list[Label], tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ctx, labels, "label-62mm")
    path = tmp_path / "roll.pdf"
    assert dialog.print_to(pdf_printer(path)) == 3
    assert pdf_pages(path.read_bytes()) == 3
    assert dialog.status.text() == f"Sent 3 pages to {path}."


def test_what_cannot_be_printed_says_so(qapp: object, labels: list[Label], tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="skip 0 to 20"):
        arrange(labels, page="A4", skip=21)
    with pytest.raises(ValidationError, match="not on label-62mm"):
        print_labels(pdf_printer(tmp_path / "x.pdf"), labels, page="label-62mm", skip=1)
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- the Filament tab


def test_print_label_opens_the_dialog_for_the_chosen_spool(qtbot: QtBot, ctx: AppContext, shop: Shop) -> None:
    tab = show_active(qtbot, FilamentTab(ctx), 1100, 700)
    tab.focus_main()
    assert tab.selected_key() == shop.spool.id
    assert tab.act_label.isEnabled() and tab.act_label in tab.menu_actions()
    assert tab.act_label.shortcut().toString() == "Ctrl+P"
    qtbot.keyClick(tab.current_view(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    [dialog] = [d for d in tab.findChildren(LabelDialog) if d.isVisible()]
    assert [label.id for label in dialog.labels] == [shop.spool.id]
    assert dialog.labels[0].code.startswith("PS-S-")
    dialog.reject()


def test_a_filament_prints_the_labels_of_its_spools(qtbot: QtBot, ctx: AppContext, shop: Shop) -> None:
    other = filament.add_spool(ctx.workspace, filament_id=shop.filament.id)
    tab = show_active(qtbot, FilamentTab(ctx), 1100, 700)
    tab.group_by.setCurrentIndex(tab.group_by.findData("filament"))
    tab.select(f"filament:{shop.filament.id}")
    assert tab.act_label.text() == "Print la&bels…"
    dialog = tab.open_labels()
    assert dialog is not None
    assert {label.id for label in dialog.labels} == {shop.spool.id, other.id}
    dialog.reject()


def test_select_spool_shows_an_archived_or_filtered_out_spool(
    qtbot: QtBot, ctx: AppContext, shop: Shop
) -> None:
    archived = filament.add_spool(ctx.workspace, filament_id=shop.filament.id, location="Attic")
    filament.edit_spool(ctx.workspace, archived.id, archived=True)
    tab = show_active(qtbot, FilamentTab(ctx), 1100, 700)
    tab.filter.setText("Shelf A")
    assert tab.select_spool(archived.id)
    assert tab.show_archived.isChecked() and tab.filter.text() == ""
    assert tab.select_spool(shop.spool.id) and tab.selected_key() == shop.spool.id
    assert not tab.select_spool("0190f1f0-0000-7000-8000-000000000000")


def test_print_opens_the_print_dialog_without_blocking(
    qtbot: QtBot, ctx: AppContext, labels: list[Label]
) -> None:
    dialog = open_dialog(qtbot, ctx, labels, "label-62mm")
    asked = dialog.open_print_dialog()
    assert asked.isVisible() and asked.printer() is dialog.printer
    assert dialog.printer is not None and dialog.printer.fullPage()
    size = dialog.printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter)
    assert (round(size.width()), round(size.height())) == (62, 29)
    asked.reject()
    assert dialog.status.text() == ""  # nothing was sent
