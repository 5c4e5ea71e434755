"""Bulk sync: one device pushes 10,000 changed rows, a second device of the same user pulls them all.

A first sync of a big library: models, variants, spools, products and their ledger rows (sales, stock
movements, filament usage, audit entries), pushed in batches of the server's `max_rows`, then pulled from
cursor 0 page by page (the largest page the server allows), against the local stack of bench/sync_stack.py.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.common import Result
from bench.sync_stack import Device, running_stack
from sync import protocol

ROWS = 10_000
# Per "model" the app holds: the model, two variants, a spool, a product, and five ledger rows.
RECORD_MIX = ("models", "model_variants", "model_variants", "spools", "products")
LEDGER_MIX = ("sales", "sales", "stock_movements", "filament_usage", "audit_entries")
TIMEOUT_S = 120.0


def _rows(device: Device) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    while len(rows) < ROWS:
        rows += [("record", device.new_record(table)) for table in RECORD_MIX]
        rows += [("ledger", device.ledger_row(table)) for table in LEDGER_MIX]
    return rows[:ROWS]


def benchmarks() -> list[Result]:
    pusher, puller = Device(), Device()
    owner = Device().device_id
    with running_stack() as stack, httpx.Client(base_url=stack.base_url, timeout=TIMEOUT_S) as client:
        push_headers = stack.headers(owner, pusher.device_id)
        pull_headers = stack.headers(owner, puller.device_id)
        state = client.get("/v1/sync/state", headers=push_headers).json()
        max_rows, max_bytes = state["max_rows"], state["max_bytes"]
        rows = _rows(pusher)
        pushed: set[tuple[str, str]] = set()
        rejected = 0

        start = time.perf_counter()
        for first in range(0, len(rows), max_rows):
            chunk = rows[first : first + max_rows]
            body = pusher.batch(
                [row for kind, row in chunk if kind == "record"],
                [row for kind, row in chunk if kind == "ledger"],
            )
            response = client.post("/v1/sync/push", json=body, headers=push_headers)
            response.raise_for_status()
            assert len(response.request.content) <= max_bytes
            rejected += len(response.json()["rejected"])
            pushed.update((row["table"], row["id"]) for _kind, row in chunk)
        pushed_at = time.perf_counter()

        pulled: list[tuple[str, str]] = []
        cursor, pages = 0, 0
        while True:
            response = client.get(
                "/v1/sync/pull",
                params={"cursor": cursor, "limit": protocol.MAX_PULL_LIMIT},
                headers=pull_headers,
            )
            response.raise_for_status()
            page = response.json()
            pages += 1
            pulled += [(row["table"], row["id"]) for row in page["records"] + page["ledger"]]
            cursor = page["next_cursor"]
            if not page["more"]:
                break
        done = time.perf_counter()

    push_s, pull_s, total_s = pushed_at - start, done - pushed_at, done - start
    complete = rejected == 0 and len(pulled) == len(pushed) == ROWS and set(pulled) == pushed
    return [
        Result(f"push {ROWS} rows in batches of {max_rows}", f"{push_s:.2f} s"),
        Result(f"pull them from cursor 0 ({pages} pages)", f"{pull_s:.2f} s"),
        Result(f"end to end ({ROWS / total_s:.0f} rows/s)", f"{total_s:.2f} s"),
        Result(
            "rows pulled = rows pushed, none rejected", f"{len(pulled)} / {len(pushed)}", "equal", complete
        ),
    ]
