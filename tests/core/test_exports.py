"""Exports read back as a spreadsheet program reads them: CSV with the csv module, XLSX with openpyxl, PDF
by its pages; and a failed write that leaves no half-written file."""

from __future__ import annotations

import csv
import errno
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from core.errors import NotFound, StoreError, ValidationError
from core.services import events, exports, products, reports, settings, stall
from core.workspace import Workspace
from tests.core.test_labels import page_text, pdf_pages
from tests.core.test_markets import Stall


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_cell(path: Path, ref: str) -> Any:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return sheet[ref]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def market(workspace: Workspace) -> Stall:
    """The Christmas market after a day at the stall: 3 towers packed and 4 sold (one more than there was),
    a keyring sale taken back."""
    shop = Stall(workspace)
    products.edit_product(workspace, shop.keyring.id, sku="KR-01")
    events.pack(workspace, shop.event.id, shop.tower.id, 3)
    events.pack(workspace, shop.event.id, shop.keyring.id, 4)
    stall.sell(workspace, shop.event.id, shop.tower.id, 3, "card")
    stall.sell(workspace, shop.event.id, shop.keyring.id, 2, "cash")
    stall.sell(workspace, shop.event.id, shop.tower.id, 1, "cash")  # oversold
    stall.sell(workspace, shop.event.id, shop.keyring.id, 1, "other")
    stall.undo_last(workspace, shop.event.id)
    return shop


# ---------------------------------------------------------------- stock


def test_stock_as_csv(workspace: Workspace, market: Stall, out: Path) -> None:
    assert exports.export_stock(workspace, out / "stock.csv") == 3
    rows = read_csv(out / "stock.csv")
    assert rows[0] == [
        "Name",
        "SKU",
        "Kind",
        "On hand",
        "Low at",
        "Price (EUR)",
        "Unit cost (EUR)",
        "Notes",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Planet keyring"][:7] == ["Planet keyring", "KR-01", "printed", "0", "5", "6.00", "0.49"]
    assert by_name["Dice tower"][:7] == ["Dice tower", "", "accessory", "0", "0", "24.00", "9.00"]
    assert by_name["Gift bag"][5:7] == ["0.00", "0.10"]


def test_stock_as_xlsx_holds_numbers_with_two_decimals(
    workspace: Workspace, market: Stall, out: Path
) -> None:
    settings.set_value(workspace, "currency", "USD")
    exports.export_stock(workspace, out / "stock.xlsx")
    rows = read_xlsx(out / "stock.xlsx")
    assert rows[0][5:7] == ["Price (USD)", "Unit cost (USD)"]
    keyring = next(row for row in rows if row[0] == "Planet keyring")
    assert keyring[3:7] == [0, 5, 6, 0.49]
    price = xlsx_cell(out / "stock.xlsx", "F2")
    assert isinstance(price.value, int | float) and price.number_format == "#,##0.00"


def test_a_name_that_looks_like_a_formula_stays_text(workspace: Workspace, out: Path) -> None:
    products.add_product(workspace, name="=HYPERLINK(1)", price_cents=100)
    exports.export_stock(workspace, out / "stock.xlsx")
    assert xlsx_cell(out / "stock.xlsx", "A2").value == "=HYPERLINK(1)"
    assert xlsx_cell(out / "stock.xlsx", "A2").data_type == "s"


# ---------------------------------------------------------------- sales


def test_sales_as_csv_add_up_to_the_report(workspace: Workspace, market: Stall, out: Path) -> None:
    assert exports.export_sales(workspace, out / "sales.csv", event_id=market.event.id) == 5
    header, *rows = read_csv(out / "sales.csv")
    assert header == [
        "Time",
        "Event",
        "Product",
        "SKU",
        "Quantity",
        "Unit price (EUR)",
        "Total (EUR)",
        "Payment",
        "Oversold",
        "Note",
    ]
    assert [(r[2], r[4], r[6], r[7], r[8]) for r in rows] == [
        ("Dice tower", "3", "72.00", "card", "no"),
        ("Planet keyring", "2", "12.00", "cash", "no"),
        ("Dice tower", "1", "24.00", "cash", "yes"),
        ("Planet keyring", "1", "6.00", "other", "no"),
        ("Planet keyring", "-1", "-6.00", "other", "no"),
    ]
    assert rows[-1][9] == "takes back a sale"
    assert {r[1] for r in rows} == {"Christmas market"}
    datetime.strptime(rows[0][0], "%Y-%m-%d %H:%M:%S")  # a time a spreadsheet reads as one
    report = reports.event_report(workspace, market.event.id)
    assert sum(round(float(r[6]) * 100) for r in rows) == report.revenue_cents == 10800


def test_sales_as_xlsx_have_times_and_numbers(workspace: Workspace, market: Stall, out: Path) -> None:
    exports.export_sales(workspace, out / "sales.xlsx")
    _header, *rows = read_xlsx(out / "sales.xlsx")
    assert len(rows) == 5
    assert all(isinstance(row[0], datetime) for row in rows)
    assert [row[4] for row in rows] == [3, 2, 1, 1, -1]
    assert sum(row[6] for row in rows) == pytest.approx(108.0)


def test_sales_outside_an_event_and_of_an_unknown_event(
    workspace: Workspace, market: Stall, out: Path
) -> None:
    products.adjust_stock(workspace, market.bag.id, 5, reason="count")
    events.sell(workspace, market.bag.id, 2, unit_price_cents=50)
    assert exports.export_sales(workspace, out / "all.csv") == 6  # the market's 5, the bags
    rows = read_csv(out / "all.csv")
    assert rows[-1][1:3] == ["", "Gift bag"]
    with pytest.raises(NotFound):
        exports.export_sales(workspace, out / "x.csv", event_id="01900000-0000-7000-8000-000000000000")
    assert not (out / "x.csv").exists()


# ---------------------------------------------------------------- an event's report


def report_values(rows: list[list[Any]]) -> dict[str, list[Any]]:
    return {str(row[0]): list(row[1:]) for row in rows if row and row[0] not in (None, "")}


def test_the_event_report_as_csv_adds_up(workspace: Workspace, market: Stall, out: Path) -> None:
    assert exports.export_event_report(workspace, market.event.id, out / "report.csv") == 2
    found = report_values(read_csv(out / "report.csv"))
    assert found["Event"] == ["Christmas market"]
    assert found["Dates"] == ["2026-12-12"]
    assert found["Product"][:2] == ["Units", "Revenue (EUR)"]
    # 4 towers at 24.00 (cost 9.00); 2 keyrings at 6.00 (cost 0.49) once the third is taken back
    assert found["Dice tower"] == ["4", "96.00", "9.00", "36.00", "60.00"]
    assert found["Planet keyring"] == ["2", "12.00", "0.49", "0.98", "11.02"]
    assert found["Total"] == ["6", "108.00", "", "36.98", "71.02"]
    assert found["Booth fee (EUR)"] == ["40.00"]
    assert found["Travel (EUR)"] == ["15.00"]
    assert found["Profit (EUR)"] == ["16.02"]  # 108.00 - 36.98 - 40.00 - 15.00
    assert (found["cash"], found["card"], found["other"]) == (["36.00"], ["72.00"], ["0.00"])
    assert found["Sold beyond the stock (count again)"] == ["Dice tower"]


def test_the_event_report_as_xlsx(workspace: Workspace, market: Stall, out: Path) -> None:
    exports.export_event_report(workspace, market.event.id, out / "report.xlsx")
    found = report_values(read_xlsx(out / "report.xlsx"))
    assert found["Dice tower"][:5] == [4, 96, 9, 36, 60]
    assert found["Profit (EUR)"][0] == pytest.approx(16.02)
    assert found["card"][0] == 72


# ---------------------------------------------------------------- formats and writing


def test_the_format_comes_from_the_option_or_the_file_name(
    workspace: Workspace, market: Stall, out: Path
) -> None:
    exports.export_stock(workspace, out / "stock.txt", format="csv")
    assert read_csv(out / "stock.txt")[0][0] == "Name"
    exports.export_stock(workspace, out / "stock.XLSX")
    assert read_xlsx(out / "stock.XLSX")[0][0] == "Name"
    with pytest.raises(ValidationError, match="Say which format"):
        exports.export_stock(workspace, out / "stock.ods")
    with pytest.raises(ValidationError, match="Cannot export as 'ods'"):
        exports.export_stock(workspace, out / "stock.ods", format="ods")
    assert not (out / "stock.ods").exists()


def test_a_folder_that_does_not_exist_is_one_clear_error_and_leaves_nothing(
    workspace: Workspace, market: Stall, out: Path
) -> None:
    target = out / "no such folder" / "stock.csv"
    with pytest.raises(StoreError) as caught:
        exports.export_stock(workspace, target)
    assert str(caught.value) == f"Cannot write {target}: the folder {target.parent} does not exist."
    assert list(out.iterdir()) == []
    with pytest.raises(StoreError, match="it is a folder"):
        exports.export_stock(workspace, out, format="csv")


def test_a_write_that_fails_keeps_the_old_file_whole(
    workspace: Workspace, market: Stall, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out / "stock.xlsx"
    exports.export_stock(workspace, target)
    before = target.read_bytes()
    products.add_product(workspace, name="New thing", price_cents=500)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StoreError, match="No space left on device"):
        exports.export_stock(workspace, target)
    assert target.read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["stock.xlsx"]  # no half-written temporary file either
    monkeypatch.undo()
    exports.export_stock(workspace, target)
    assert "New thing" in [row[0] for row in read_xlsx(target)]


# ---------------------------------------------------------------- a copy of a stored file


def test_a_stored_file_is_copied_out_whole(workspace: Workspace, out: Path) -> None:
    data = os.urandom(3 * exports.COPY_CHUNK + 17)  # more than one chunk
    stored = workspace.blobs.put_bytes(data)
    target = out / "dragon.gcode"
    assert exports.export_file(workspace, stored.sha256, target) == len(data)
    assert target.read_bytes() == data
    assert [p.name for p in out.iterdir()] == ["dragon.gcode"]


def test_a_file_not_on_this_computer_is_one_clear_error_and_leaves_nothing(
    workspace: Workspace, out: Path
) -> None:
    with pytest.raises(StoreError) as caught:
        exports.export_file(workspace, "ab" * 32, out / "dragon.gcode")
    assert str(caught.value) == "The file is not on this computer; sign in and sync to download it."
    assert list(out.iterdir()) == []


def test_a_copy_cut_by_a_full_disk_keeps_the_old_file_whole(
    workspace: Workspace, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out / "dragon.gcode"
    target.write_bytes(b"the old copy")
    stored = workspace.blobs.put_bytes(b"G1 X10\n" * 1000)
    real_write = os.write
    written: list[int] = []

    def disk_full_after_a_chunk(fd: int, data: Any) -> int:
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(real_write(fd, data[:100]))  # a short write, as a filling disk gives
        return written[-1]

    monkeypatch.setattr(os, "write", disk_full_after_a_chunk)
    with pytest.raises(StoreError, match="No space left on device"):
        exports.export_file(workspace, stored.sha256, target)
    assert target.read_bytes() == b"the old copy"
    assert [p.name for p in out.iterdir()] == ["dragon.gcode"]


# ---------------------------------------------------------------- the packing list


def test_the_packing_list_pdf(workspace: Workspace, market: Stall, out: Path) -> None:
    lines = {line.name: line for line in exports.packing_lines(workspace, market.event.id)}
    assert (
        lines["Planet keyring"].target,
        lines["Planet keyring"].packed,
        lines["Planet keyring"].to_pack,
    ) == (
        30,
        4,
        26,
    )
    assert lines["Planet keyring"].sku == "KR-01"
    assert lines["Dice tower"].to_pack == 0
    assert exports.packing_list_pdf(workspace, market.event.id, out / "packing.pdf") == 1
    assert pdf_pages((out / "packing.pdf").read_bytes()) == 1


def test_a_long_packing_list_runs_over_pages(
    workspace: Workspace, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "_font_folder", lambda: None)  # the PDF's own fonts, whose text can be read
    event = events.create_event(workspace, name="Summer fair", starts_on="2027-07-03", venue="Town hall")
    for n in range(70):
        product = products.add_product(workspace, name=f"Magnet {n:02d}", sku=f"MG-{n:02d}")
        events.set_target(workspace, event.id, product.id, n + 1)
    pages = exports.packing_list_pdf(workspace, event.id, out / "packing.pdf")
    data = (out / "packing.pdf").read_bytes()
    assert pages == pdf_pages(data) == 3
    text = page_text(data)
    assert text.count(b"Packing list: Summer fair") == 3  # every page says what it is
    assert b"Town hall" in text and b"2027-07-03" in text
    assert all(f"Magnet {n:02d}".encode() in text for n in range(70))
    assert b"page 3 of" in text and b"{nb}" not in text  # "page 3 of 3", the 3 filled in when written
    assert b"2485" in text  # the total to pack: 1 + 2 + ... + 70


def test_the_packing_list_of_an_unknown_event(workspace: Workspace, out: Path) -> None:
    with pytest.raises(NotFound):
        exports.packing_list_pdf(workspace, "01900000-0000-7000-8000-000000000000", out / "p.pdf")
    assert list(out.iterdir()) == []
