"""The market commands as a user runs them: costs, production plans, the stall, reports, alerts, labels and
exports, with --json for scripts and one clear line for a mistake."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from core.cli import build_cli
from core.services import filament, jobs, labels, products
from core.workspace import Workspace
from tests.core.test_labels import pdf_pages
from tests.core.test_markets import Stall


@pytest.fixture
def shop(tmp_path: Path) -> Stall:
    ws = Workspace.open(tmp_path / "data")
    try:
        shop = Stall(ws)
        products.edit_product(ws, shop.keyring.id, sku="KR-01")
        filament.edit_spool(ws, shop.spool.id, location="Shelf A")
        return shop
    finally:
        ws.close()


def run(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        build_cli(), ["--data-dir", str(tmp_path / "data"), *args], catch_exceptions=False
    )


def ok(tmp_path: Path, *args: str) -> Any:
    """Run a command that must succeed; with --json, its parsed output."""
    result = run(tmp_path, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def fails(tmp_path: Path, *args: str) -> str:
    """Run a command that must fail with one line on stderr; that line."""
    result = run(tmp_path, *args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def test_product_cost(tmp_path: Path, shop: Stall) -> None:
    cost = ok(tmp_path, "product", "cost", "Planet keyring", "--json")
    assert cost["total_cents"] == 49
    assert [line["part"] for line in cost["lines"]] == ["filament", "electricity", "labour", "part"]
    assert [line["cents"] for line in cost["lines"]] == [8, 1, 30, 10]
    assert cost["lines"][-1]["detail"] == "1 x Gift bag"
    assert cost["suggested_price_cents"] == 122  # a 60 % margin on 0.49 (exactly 0.4897)
    assert cost["margin_percent"] == 91.8
    text = ok(tmp_path, "product", "cost", shop.keyring.id[-8:])
    assert "Planet keyring: 0.49 a unit" in text and "Suggested price 1.22 (margin 60 %)" in text
    entered = ok(tmp_path, "product", "cost", "Dice tower", "--json")
    assert entered["lines"] == [{"part": "entered", "detail": "cost entered by hand", "cents": 900}]
    assert fails(tmp_path, "product", "cost", "Unicorn") == "Error: No product with id 'Unicorn' was found."


def test_plan_production_then_create_the_jobs(tmp_path: Path, shop: Stall) -> None:
    draft = ok(tmp_path, "event", "plan-production", "Christmas market", "--json")
    keyring = next(line for line in draft["lines"] if line["product_name"] == "Planet keyring")
    assert (keyring["short"], keyring["plates"], keyring["units_planned"]) == (26, 5, 30)
    assert draft["jobs"] == [] and draft["created"] is False
    assert ok(tmp_path, "job", "list", "--json") == []
    assert "run again with --create" in ok(tmp_path, "event", "plan-production", "Christmas market")

    made = ok(tmp_path, "event", "plan-production", "Christmas market", "--create", "--json")
    (job,) = made["jobs"]
    assert (job["copies"], job["event_id"], job["product_id"]) == (5, shop.event.id, shop.keyring.id)
    assert [j["id"] for j in ok(tmp_path, "job", "list", "--json")] == [job["id"]]
    again = ok(tmp_path, "event", "plan-production", "Christmas market")
    assert "Nothing to print" in again
    assert fails(tmp_path, "event", "plan-production", "Easter market").startswith("Error: No market event")


def test_filament_plan_says_what_to_buy(tmp_path: Path, shop: Stall) -> None:
    assert "The queue needs no filament." in ok(tmp_path, "filament", "plan")
    ws = Workspace.open(tmp_path / "data")
    try:
        filament.record_usage(ws, shop.spool.id, 950_000)  # 50 g left
        jobs.queue_job(ws, shop.variant.id, copies=5, printer_id=shop.mk4.id)  # 92 g
    finally:
        ws.close()
    plan = ok(tmp_path, "filament", "plan", "--json")
    (need,) = plan["needs"]
    assert (need["label"], need["needed_mg"], need["on_shelf_mg"], need["short_mg"]) == (
        "Prusament PLA Orange",
        92_000,
        50_000,
        42_000,
    )
    assert [(b["spools"], b["cost_cents"]) for b in plan["to_buy"]] == [(1, 2500)]
    text = ok(tmp_path, "filament", "plan")
    assert "Buy 1 spool of Prusament PLA Orange (42 g short)." in text
    assert "To buy: 1 spool for 25.00" in text


def test_a_day_at_the_stall(tmp_path: Path, shop: Stall) -> None:
    ok(tmp_path, "event", "pack", "Christmas market", "Dice tower", "1")
    ok(tmp_path, "event", "pack", "Christmas market", "Planet keyring", "4")
    code = ok(tmp_path, "label", "product", "Dice tower", "--json")["labels"][0]["code"]

    sold = ok(tmp_path, "stall", "sell", "Christmas market", code.lower(), "--payment", "card", "--json")
    assert (sold["sale"]["product_id"], sold["sale"]["oversold"]) == (shop.tower.id, False)
    again = ok(
        tmp_path, "stall", "sell", "Christmas market", code
    )  # the scanner, again: one more than packed
    assert "Sold 1 x Dice tower at 24.00 (cash)  (more than was packed: count the stock)" in again
    by_sku = ok(tmp_path, "stall", "sell", "Christmas market", " kr-01 ", "3", "--json")
    assert by_sku["sale"]["product_id"] == shop.keyring.id
    assert (by_sku["day"]["sales"], by_sku["day"]["total_cents"]) == (3, 2400 * 2 + 600 * 3)

    assert ok(tmp_path, "stall", "undo", "Christmas market") == "Took back 3 x Planet keyring (18.00)\n"
    day = ok(tmp_path, "stall", "day", "Christmas market", "--json")
    assert (day["sales"], day["units"], day["total_cents"]) == (2, 2, 4800)
    assert day["by_payment"] == {"cash": 2400, "card": 2400, "other": 0}
    assert day["last_sale"]["payment_method"] == "cash"
    assert "2 sales, 2 units, 48.00" in ok(tmp_path, "stall", "day", "Christmas market")
    assert ok(tmp_path, "stall", "day", "Christmas market", "--date", "2020-01-01", "--json")["sales"] == 0

    report = ok(tmp_path, "event", "report", "Christmas market", "--json")
    assert (report["units"], report["revenue_cents"], report["cogs_cents"]) == (2, 4800, 1800)
    assert report["profit_cents"] == 4800 - 1800 - 4000 - 1500
    assert report["oversold"] == ["Dice tower"]
    text = ok(tmp_path, "event", "report", "Christmas market")
    assert "Profit -25.00" in text and "Sold beyond the stock (count again): Dice tower" in text

    spool_code = labels.code_for("spool", shop.spool.id)
    assert fails(tmp_path, "stall", "sell", "Christmas market", spool_code) == (
        f"Error: '{spool_code}' is the label of a spool, not of a product."
    )
    assert fails(tmp_path, "stall", "sell", "Christmas market", "NOPE-1") == (
        "Error: No product with id 'NOPE-1' was found."
    )
    assert fails(tmp_path, "event", "report", "Easter market").startswith("Error: No market event")


def test_undo_with_nothing_to_take_back(tmp_path: Path, shop: Stall) -> None:
    assert ok(tmp_path, "stall", "undo", "Christmas market", "--json") == {"undone": None}
    assert ok(tmp_path, "stall", "undo", "Christmas market") == "No sale of today to take back.\n"


def test_alerts(tmp_path: Path, shop: Stall) -> None:
    found = ok(tmp_path, "alerts", "--json")
    assert {"kind": "product_stock", "severity": "warning", "subject_id": shop.keyring.id} | {
        "message": "Planet keyring is low: 4 left (low at 5)."
    } in found
    assert "warning  Planet keyring is low: 4 left (low at 5)." in ok(tmp_path, "alerts")


def test_labels_to_pdf_and_back_from_a_scan(tmp_path: Path, shop: Stall) -> None:
    pdf = tmp_path / "spools.pdf"
    result = ok(tmp_path, "label", "spool", shop.spool.id[-8:], "--pdf", str(pdf), "--copies", "22", "--json")
    (label,) = result["labels"]
    assert label["title"] == "Prusament PLA Orange" and "Location: Shelf A" in label["lines"]
    assert result["pages"] == 2 and pdf_pages(pdf.read_bytes()) == 2

    roll = tmp_path / "roll.pdf"
    text = ok(
        tmp_path,
        "label",
        "product",
        "Planet keyring",
        "Dice tower",
        "--pdf",
        str(roll),
        "--page",
        "label-62mm",
    )
    assert f"Wrote 2 labels on 2 pages to {roll}" in text and "SKU: KR-01" in text
    assert pdf_pages(roll.read_bytes()) == 2

    found = ok(tmp_path, "label", "find", f"  {label['code'].lower()} ", "--json")
    assert (found["kind"], found["id"], found["via"]) == ("spool", shop.spool.id, "code")
    assert ok(tmp_path, "label", "find", "kr-01", "--json")["id"] == shop.keyring.id
    assert "Planet keyring" in ok(tmp_path, "label", "find", "KR-01")
    assert fails(tmp_path, "label", "find", "PS-S-000000000000") == (
        "Error: No label and no product SKU is 'PS-S-000000000000'."
    )
    assert fails(tmp_path, "label", "spool", "Planet keyring").startswith("Error: No spool")
    missing = tmp_path / "nowhere" / "labels.pdf"
    assert "does not exist" in fails(tmp_path, "label", "spool", shop.spool.id, "--pdf", str(missing))
    assert "21 places on a sheet: skip 0 to 20" in fails(
        tmp_path, "label", "spool", shop.spool.id, "--pdf", str(pdf), "--skip", "25"
    )


def test_exports(tmp_path: Path, shop: Stall) -> None:
    ok(tmp_path, "event", "pack", "Christmas market", "Dice tower", "2")
    ok(tmp_path, "stall", "sell", "Christmas market", "Dice tower", "2", "--payment", "card")

    stock = tmp_path / "stock.csv"
    assert ok(tmp_path, "export", "stock", "--output", str(stock)) == f"Wrote 3 products to {stock}\n"
    with stock.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row[0]: row for row in csv.reader(handle)}
    assert rows["Dice tower"][3:7] == ["1", "0", "24.00", "9.00"]

    sales = tmp_path / "sales.xlsx"
    assert "Wrote 1 sale to" in ok(tmp_path, "export", "sales", "Christmas market", "-o", str(sales))
    sheet = openpyxl.load_workbook(sales).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][2:7] == ["Dice tower", None, 2, 24, 48]

    report = tmp_path / "report.txt"
    ok(tmp_path, "export", "report", "Christmas market", "--format", "csv", "-o", str(report))
    with report.open(encoding="utf-8-sig", newline="") as handle:
        lines = {row[0]: row[1:] for row in csv.reader(handle) if row}
    assert lines["Profit (EUR)"] == ["-25.00"]  # 48.00 - 2 x 9.00 - 40.00 - 15.00

    packing = tmp_path / "packing.pdf"
    text = ok(tmp_path, "export", "packing-list", "Christmas market", "-o", str(packing))
    assert text == f"Wrote the packing list of Christmas market (1 page) to {packing}\n"
    assert pdf_pages(packing.read_bytes()) == 1

    assert fails(tmp_path, "export", "report", "Christmas market", "-o", str(tmp_path / "r.txt")) == (
        "Error: Say which format to write r.txt in: csv, xlsx."
    )
    missing = tmp_path / "gone" / "stock.xlsx"
    assert fails(tmp_path, "export", "stock", "-o", str(missing)) == (
        f"Error: Cannot write {missing}: the folder {missing.parent} does not exist."
    )
    assert not missing.parent.exists()
    assert fails(tmp_path, "export", "packing-list", "Easter market", "-o", str(packing)).startswith(
        "Error: No market event"
    )


def test_export_of_every_record_still_works_beside_the_new_exports(tmp_path: Path, shop: Stall) -> None:
    everything = tmp_path / "all.json"
    exported = run(tmp_path, "export", "--json", str(everything))
    assert exported.exit_code == 0 and exported.stdout.startswith("Exported ")
    assert json.loads(everything.read_text())["format"] == "printstall-export"
    bare = run(tmp_path, "export")
    assert bare.exit_code == 2 and "Give --json FILE" in bare.stderr
    both = run(tmp_path, "export", "--json", str(everything), "stock", "-o", str(tmp_path / "s.csv"))
    assert both.exit_code == 2 and "without a command" in both.stderr
    assert not (tmp_path / "s.csv").exists()
