"""Export every record as JSON, and restore it into an empty data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.db.models import Printer
from core.errors import Conflict, ValidationError
from core.hlc import HLC
from core.services import events, jobs, library, printers, transfer
from core.timeutil import now_ms
from core.workspace import Workspace
from tests.core.factories import make_shop


def populate(ws: Workspace) -> None:
    shop = make_shop(ws)
    library.edit_model(ws, shop.variant.model_id, tags=["dragons", "bestseller"])
    job = jobs.queue_job(ws, shop.variant.id, copies=3, printer_id=shop.printer.id)
    jobs.finish_job(ws, job.id, spools={0: shop.spool.id})
    event = events.create_event(ws, name="Fair", starts_on="2026-12-12")
    events.set_target(ws, event.id, shop.product.id, 4)
    events.pack(ws, event.id, shop.product.id, 4)
    events.sell(ws, shop.product.id, 1, event_id=event.id, payment_method="card")
    jobs.cancel_job(ws, jobs.queue_job(ws, shop.variant.id).id)


def test_export_then_restore_gives_identical_records(workspace: Workspace, tmp_path: Path) -> None:
    populate(workspace)
    first = tmp_path / "export.json"
    count = transfer.export_json(workspace, first)
    assert count > 20

    with Workspace.open(tmp_path / "new-pc") as fresh:
        assert transfer.restore_json(fresh, first) == count
        assert fresh.owner_id == workspace.owner_id
        again = transfer.export_data(fresh)
    original = json.loads(first.read_text())
    assert again["tables"] == original["tables"]
    assert {name for name, rows in original["tables"].items() if rows} >= {
        "models",
        "model_variants",
        "filament_usage",
        "stock_movements",
        "sales",
        "audit_entries",
        "print_jobs",
    }


def test_restore_refuses_a_data_folder_with_records(workspace: Workspace, tmp_path: Path) -> None:
    populate(workspace)
    path = tmp_path / "export.json"
    transfer.export_json(workspace, path)
    with pytest.raises(Conflict, match="already holds records"):
        transfer.restore_json(workspace, path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something-else"}', "is not a Printstall export"),
        (
            '{"format": "printstall-export", "version": 99, "tables": {}, "owner_id": "x"}',
            "update Printstall",
        ),
        ('{"format": "printstall-export", "version": 1, "owner_id": "x"}', "damaged"),
    ],
)
def test_a_bad_export_file_gets_one_clear_message(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with Workspace.open(tmp_path / "data") as ws:
        with pytest.raises(ValidationError, match=message):
            transfer.restore_json(ws, path)
        assert transfer.count_records(ws) == 0


def test_a_damaged_row_rolls_back_the_whole_restore(workspace: Workspace, tmp_path: Path) -> None:
    populate(workspace)
    path = tmp_path / "export.json"
    transfer.export_json(workspace, path)
    data = json.loads(path.read_text())
    data["tables"]["sales"][0]["colour_of_money"] = "green"  # a column no table has, after many good rows
    path.write_text(json.dumps(data))
    with Workspace.open(tmp_path / "data") as ws:
        with pytest.raises(ValidationError, match="a row of sales does not fit"):
            transfer.restore_json(ws, path)
        assert transfer.count_records(ws) == 0


def test_edits_after_a_restore_win_over_restored_clocks(workspace: Workspace, tmp_path: Path) -> None:

    printer = printers.add_printer(workspace, name="MK4")
    path = tmp_path / "export.json"
    transfer.export_json(workspace, path)
    data = json.loads(path.read_text())
    # The exporting computer's clock ran four minutes fast.
    ahead = HLC(now_ms() + 4 * 60_000, 7, workspace.device_id).encode()
    row = data["tables"]["printers"][0]
    row["hlc"] = ahead
    row["clocks"] = {name: ahead for name in row["clocks"]}
    path.write_text(json.dumps(data))

    with Workspace.open(tmp_path / "restored") as fresh:
        transfer.restore_json(fresh, path)
        edited = printers.edit_printer(fresh, printer.id, name="MK4S")
        with fresh.read() as session:
            stored = session.get(Printer, (fresh.owner_id, printer.id))
            assert stored is not None and stored.clocks["name"] > ahead
    assert edited.name == "MK4S"
