"""Printers: the machines jobs run on, with what costing needs (power draw, hourly machine cost)."""

from __future__ import annotations

from typing import Any

from core.db.models import Printer
from core.services import checks, records
from core.services.views import PrinterView, view_of
from core.workspace import Workspace

SPEC = records.EntitySpec(
    model=Printer,
    required=("name",),
    fields={
        "name": lambda v: checks.text(v, "printer name", required=True, max_len=100),
        "model": lambda v: checks.text(v, "printer model", max_len=100),
        "nozzle_um": lambda v: checks.integer(v, "nozzle size", minimum=50, maximum=3000),
        "build_x_mm": lambda v: checks.integer(v, "build width"),
        "build_y_mm": lambda v: checks.integer(v, "build depth"),
        "build_z_mm": lambda v: checks.integer(v, "build height"),
        "extruders": lambda v: checks.integer(v, "number of extruders", minimum=1, maximum=64),
        "power_w": lambda v: checks.integer(v, "power draw"),
        "hourly_cost_cents": lambda v: checks.integer(v, "hourly machine cost"),
        "notes": lambda v: checks.text(v, "notes", max_len=10_000),
        "archived": bool,
        "failure_rate_permille": lambda v: (
            None if v is None else checks.integer(v, "failure rate", maximum=999)
        ),
    },
)


def _view(row: Printer) -> PrinterView:
    return view_of(PrinterView, row)


def add_printer(ws: Workspace, **values: Any) -> PrinterView:
    return _view(records.create(ws, SPEC, values))


def edit_printer(ws: Workspace, printer_id: str, **changes: Any) -> PrinterView:
    return _view(records.edit(ws, SPEC, printer_id, changes))


def delete_printer(ws: Workspace, printer_id: str) -> PrinterView:
    return _view(records.delete(ws, SPEC, printer_id))


def get_printer(ws: Workspace, printer_id: str) -> PrinterView:
    return _view(records.get(ws, SPEC, printer_id))


def list_printers(ws: Workspace) -> list[PrinterView]:
    return [_view(row) for row in records.live(ws, SPEC, order_by=Printer.name)]
