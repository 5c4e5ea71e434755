"""File ▸ Export: each export asks for a file (the file dialog answered by the test), writes it through core,
and says how many rows it saved; the files read back as spreadsheets and PDFs."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox, QWidget

from core.services import events, products
from desktop import exporting
from desktop.context import AppContext
from tests.core.factories import Shop, make_shop
from tests.desktop.windows import show_active


class Answers:
    """The save dialog, answered as a user would; what it was asked is kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answer: tuple[str, str] = ("", "")
        self.asked: list[tuple[Any, ...]] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._ask))

    def _ask(self, *args: Any) -> tuple[str, str]:
        self.asked.append(args)
        return self.answer

    def will_choose(self, path: Path | str, chosen_filter: str = "") -> None:
        self.answer = (str(path), chosen_filter)

    @property
    def default_name(self) -> str:
        return Path(self.asked[-1][2]).name


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def shop(ctx: AppContext) -> Shop:
    shop = make_shop(ctx.workspace)
    products.adjust_stock(ctx.workspace, shop.product.id, 6)
    return shop


@pytest.fixture
def market(ctx: AppContext, shop: Shop) -> events.EventView:
    """An event with 4 dragons packed and 3 sold there, and a sale at home."""
    ws = ctx.workspace
    event = events.create_event(ws, name="Christmas market", starts_on="2026-12-12", booth_fee_cents=2500)
    events.set_target(ws, event.id, shop.product.id, 4)
    events.pack(ws, event.id, shop.product.id, 4)
    events.sell(ws, shop.product.id, 2, event_id=event.id)
    events.sell(ws, shop.product.id, 1, event_id=event.id, payment_method="card")
    events.sell(ws, shop.product.id, 1)
    return event


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    return show_active(qtbot, QMainWindow(), 800, 600)


def status(window: QMainWindow) -> str:
    return window.statusBar().currentMessage()


def open_boxes(parent: QWidget) -> list[QMessageBox]:
    return [box for box in parent.findChildren(QMessageBox) if box.isVisible()]


def test_stock_is_saved_as_a_workbook_with_a_dated_name(
    ctx: AppContext, shop: Shop, window: QMainWindow, dialog: Answers, tmp_path: Path
) -> None:
    dialog.will_choose(tmp_path / "stock.xlsx")
    assert exporting.export_stock(window, ctx) == tmp_path / "stock.xlsx"
    assert dialog.default_name == f"stock-{date.today().isoformat()}.xlsx"
    sheet = load_workbook(tmp_path / "stock.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Name", "SKU", "Kind", "On hand")
    assert rows[1][:4] == ("Dragon keyring", "DRG-1", "printed", 6)
    assert rows[1][5] == 8  # the price, as a number
    assert status(window) == f"Saved 1 row to {tmp_path / 'stock.xlsx'}."


def test_a_name_without_an_ending_takes_the_chosen_format_which_is_remembered(
    ctx: AppContext, shop: Shop, window: QMainWindow, dialog: Answers, tmp_path: Path
) -> None:
    dialog.will_choose(tmp_path / "my stock", exporting.file_filter("csv"))
    assert exporting.export_stock(window, ctx) == tmp_path / "my stock.csv"
    with (tmp_path / "my stock.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:4] == ["Dragon keyring", "DRG-1", "printed", "6"]
    dialog.will_choose("")  # cancelled: nothing is written
    assert exporting.export_stock(window, ctx) is None
    assert dialog.default_name.endswith(".csv")  # the format and the folder of the last export
    assert Path(dialog.asked[-1][2]).parent == tmp_path


def test_all_sales_or_one_events(
    ctx: AppContext,
    shop: Shop,
    market: events.EventView,
    window: QMainWindow,
    dialog: Answers,
    tmp_path: Path,
) -> None:
    dialog.will_choose(tmp_path / "sales.csv")
    exporting.export_sales(window, ctx)
    with (tmp_path / "sales.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Event"], r["Quantity"], r["Payment"]) for r in rows] == [
        ("Christmas market", "2", "cash"),
        ("Christmas market", "1", "card"),
        ("", "1", "cash"),
    ]
    assert status(window) == f"Saved 3 rows to {tmp_path / 'sales.csv'}."

    dialog.will_choose(tmp_path / "market.xlsx")
    exporting.export_sales(window, ctx, market.id)
    assert dialog.default_name == f"sales-christmas-market-{date.today().isoformat()}.csv"
    sheet = load_workbook(tmp_path / "market.xlsx").active
    assert sheet is not None
    quantities = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert quantities == [2, 1]
    assert status(window) == f"Saved 2 rows to {tmp_path / 'market.xlsx'}."


def test_an_event_report_adds_up(
    ctx: AppContext,
    shop: Shop,
    market: events.EventView,
    window: QMainWindow,
    dialog: Answers,
    tmp_path: Path,
) -> None:
    dialog.will_choose(tmp_path / "report.xlsx")
    exporting.export_event_report(window, ctx, market.id)
    assert dialog.default_name == "report-christmas-market-2026-12-12.xlsx"
    sheet = load_workbook(tmp_path / "report.xlsx").active
    assert sheet is not None
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["Event"][0] == "Christmas market"
    assert cells["Dragon keyring"][:2] == (3, 24)  # 3 units, 24.00 of revenue
    assert cells["Booth fee (EUR)"][0] == 25
    assert Decimal(str(cells["Total"][1])) == 24
    assert status(window) == (
        f"Saved the report of Christmas market (1 product sold) to {tmp_path / 'report.xlsx'}."
    )


def test_a_packing_list_is_a_pdf(
    ctx: AppContext,
    shop: Shop,
    market: events.EventView,
    window: QMainWindow,
    dialog: Answers,
    tmp_path: Path,
) -> None:
    dialog.will_choose(tmp_path / "packing")
    assert exporting.export_packing_list(window, ctx, market.id) == tmp_path / "packing.pdf"
    assert dialog.default_name == "packing-list-christmas-market-2026-12-12.pdf"
    data = (tmp_path / "packing.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) == 1
    assert status(window) == f"Saved the packing list (1 page) to {tmp_path / 'packing.pdf'}."


def test_a_failure_is_one_sentence_in_a_message(
    ctx: AppContext, shop: Shop, window: QMainWindow, dialog: Answers, tmp_path: Path
) -> None:
    target = tmp_path / "gone" / "stock.xlsx"
    dialog.will_choose(target)
    exporting.export_stock(window, ctx)
    [box] = open_boxes(window)
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == f"Cannot write {target}: the folder {target.parent} does not exist."
    box.close()
    assert not target.exists()


def test_without_a_status_bar_the_result_is_a_message(
    qtbot: QtBot, ctx: AppContext, shop: Shop, dialog: Answers, tmp_path: Path
) -> None:
    parent = show_active(qtbot, QWidget(), 300, 200)
    dialog.will_choose(tmp_path / "stock.csv")
    exporting.export_stock(parent, ctx)
    [box] = open_boxes(parent)
    assert box.text() == f"Saved 1 row to {tmp_path / 'stock.csv'}."
    box.close()


# ---------------------------------------------------------------- the menu


def test_the_export_menu_asks_which_event(
    ctx: AppContext,
    shop: Shop,
    market: events.EventView,
    window: QMainWindow,
    dialog: Answers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[tuple[list[str], int]] = []

    def pick(
        _parent: object, _title: str, _label: str, items: list[str], current: int, _editable: bool
    ) -> Any:
        offered.append((items, current))
        return items[-1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    menu = exporting.export_menu(window, ctx, current_event=lambda: market.id)
    actions = {a.text().replace("&", ""): a for a in menu.actions()}
    assert list(actions) == ["Stock…", "Sales…", "Event report…", "Packing list (PDF)…"]

    dialog.will_choose(tmp_path / "report.csv")
    actions["Event report…"].trigger()
    assert offered[-1] == (["Christmas market (2026-12-12)"], 0)
    assert (tmp_path / "report.csv").exists()

    dialog.will_choose(tmp_path / "sales.csv")
    actions["Sales…"].trigger()
    assert offered[-1] == (["All sales", "Christmas market (2026-12-12)"], 1)  # the current event first
    with (tmp_path / "sales.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 2  # the event's sales only

    dialog.will_choose(tmp_path / "stock.xlsx")
    actions["Stock…"].trigger()
    assert (tmp_path / "stock.xlsx").exists()


def test_event_exports_without_events_say_so(
    ctx: AppContext, shop: Shop, window: QMainWindow, dialog: Answers
) -> None:
    [_stock, _sales, report, _packing] = exporting.export_actions(window, ctx)
    report.trigger()
    [box] = open_boxes(window)
    assert box.text() == "There are no events yet; add one in the Events tab first."
    assert dialog.asked == []
    box.close()
