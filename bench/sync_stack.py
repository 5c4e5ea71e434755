"""What the sync service benchmarks share: a local stack to run against, and devices that make realistic rows.

`running_stack()` starts PostgreSQL (sync.server.devstack) in a temporary folder, migrates it, and runs the
service as a real uvicorn server in a child process on 127.0.0.1 and a free port (so the load generator and
the service do not share an interpreter). Everything is stopped and deleted when the block ends.

`Device` builds push batches the way the app does (SYNC.md): whole new records with every field stamped by
one HLC per local transaction, edits of a few fields, ledger rows with UUIDv7 ids.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from core.db import migrate
from sync import protocol
from sync.server.access_tokens import issue_access_token
from sync.server.config import Settings
from sync.server.devstack import LOOPBACK, S3Server, free_ports, start_postgres, start_s3
from sync.server.sync_service import TABLES

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0
SERVE = "from sync.server.app import main; main(['serve'])"


@dataclass
class Stack:
    """A running service: its base URL, the settings its tokens are signed with, the database (superuser)."""

    base_url: str
    settings: Settings
    database_url: URL
    log: Path

    def log_tail(self, size: int = 4000) -> str:
        """The end of the service's output (warnings and errors only: it runs at log level warning)."""
        return self.log.read_text(errors="replace")[-size:]

    def headers(self, user_id: str, device_id: str) -> dict[str, str]:
        token = issue_access_token(self.settings, user_id, device_id=device_id)
        return {"Authorization": f"Bearer {token}", protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL)}

    def stored_ids(self, owner: str) -> dict[str, list[str]]:
        """Every row id of `owner`, by table, as the database holds them (duplicates kept)."""
        engine = create_engine(self.database_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return {
                    name: list(
                        conn.execute(
                            text(f"SELECT id FROM {name} WHERE owner_id = :owner"), {"owner": owner}
                        ).scalars()
                    )
                    for name in TABLES
                }
        finally:
            engine.dispose()


def _wait_until_serving(
    process: subprocess.Popen[bytes], url: str, headers: dict[str, str], log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/v1/sync/state", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the service did not answer within {START_TIMEOUT_S:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def running_stack(pool_size: int = 20, *, with_storage: bool = False) -> Iterator[Stack]:
    """PostgreSQL, migrated, and the service on a free loopback port with request limits switched off;
    with `with_storage`, also `weed mini` as its S3 storage."""
    folder = Path(tempfile.mkdtemp(prefix="printstall-bench-sync-"))
    storage: S3Server | None = None
    try:
        postgres = start_postgres(folder)
        try:
            if with_storage:
                storage = start_s3(folder / "s3")
            database_url = make_url(postgres.url).set(drivername="postgresql+psycopg")
            admin = create_engine(database_url, poolclass=NullPool)
            try:
                migrate.upgrade(admin)
            finally:
                admin.dispose()
            secret = secrets.token_urlsafe(40)
            port = free_ports(1)[0]
            env = {
                **os.environ,
                "PRINTSTALL_SERVER_DATABASE_URL": database_url.render_as_string(hide_password=False),
                "PRINTSTALL_SERVER_JWT_SECRET": secret,
                "PRINTSTALL_SERVER_HOST": LOOPBACK,
                "PRINTSTALL_SERVER_PORT": str(port),
                "PRINTSTALL_SERVER_LOG_LEVEL": "warning",
                "PRINTSTALL_SERVER_REQUESTS_PER_MINUTE": "0",  # 0: no request limit
                "PRINTSTALL_SERVER_DB_POOL_SIZE": str(pool_size),
                "PRINTSTALL_SERVER_DB_POOL_MAX_OVERFLOW": "10",
            }
            env.pop("PRINTSTALL_SERVER_UNIX_SOCKET", None)
            if storage is not None:
                env.update(
                    PRINTSTALL_SERVER_S3_ENDPOINT_URL=storage.endpoint,
                    PRINTSTALL_SERVER_S3_ACCESS_KEY=storage.access_key,
                    PRINTSTALL_SERVER_S3_SECRET_KEY=storage.secret_key,
                    PRINTSTALL_SERVER_S3_BUCKET=storage.bucket,
                    PRINTSTALL_SERVER_QUOTA_BYTES=str(50 * 1024**3),
                )
            log = folder / "service.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-c", SERVE], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            try:
                stack = Stack(
                    f"http://{LOOPBACK}:{port}", Settings(jwt_secret=SecretStr(secret)), database_url, log
                )
                _wait_until_serving(process, stack.base_url, stack.headers(str(uuid.uuid4()), "probe"), log)
                yield stack
            finally:
                _stop(process)
        finally:
            if storage is not None:
                storage.stop()
            postgres.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- realistic rows


def uuid7() -> str:
    """A UUIDv7: 48 bits of Unix milliseconds, the version, then random bits (ledger row ids)."""
    value = (time.time_ns() // 1_000_000) << 80 | random.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def rfc3339_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


MATERIALS = ("PLA", "PETG", "ABS", "TPU", "ASA")
COLOURS = ("Galaxy Black", "Signal White", "Teal", "Orange", "Silk Gold", "Forest Green")
NAMES = ("Dragon", "Octopus", "Planter", "Cable clip", "Phone stand", "Dice tower", "Lamp shade", "Vase")


def _new_fields(table: str, rng: random.Random, parent: str | None) -> dict[str, Any]:
    """Every field of a new row of `table` (models, model_variants, spools, products), as the app sets it."""
    now = rfc3339_now()
    name = f"{rng.choice(NAMES)} {rng.randrange(1000)}"
    common = {"created_at": now, "updated_at": now, "deleted": False, "deleted_at": None}
    if table == "models":
        return common | {
            "name": name,
            "description": "Prints without supports at 0.2 mm; " * rng.randrange(1, 4),
            "designer_name": "Some Designer",
            "designer_url": "https://www.printables.com/@somedesigner",
            "licence_spdx": "CC-BY-4.0",
            "licence_allows_selling": rng.choice((True, False, None)),
            "source_url": f"https://www.printables.com/model/{rng.randrange(10**6)}",
            "category": "Toys",
            "notes": "",
            "thumbnail_blob_id": None,
        }
    if table == "model_variants":
        return common | {
            "model_id": parent or str(uuid.uuid4()),
            "name": f"{name} {rng.choice(MATERIALS)}",
            "printer_id": None,
            "printer_model": "Prusa MK4S",
            "material": rng.choice(MATERIALS),
            "colour": rng.choice(COLOURS),
            "units_per_plate": rng.randrange(1, 12),
            "settings": {"layer_height_um": 200, "infill_permille": 150, "supports": False},
            "notes": "",
        }
    if table == "spools":
        return common | {
            "filament_id": parent or str(uuid.uuid4()),
            "initial_weight_mg": 1_000_000,
            "empty_spool_weight_mg": None,
            "location": f"Shelf {rng.randrange(1, 6)}",
            "lot": f"L{rng.randrange(10**6):06d}",
            "purchase_date": "2026-11-20",
            "price_cents": 2199,
            "opened": False,
            "archived": False,
            "notes": "",
        }
    if table == "products":
        return common | {
            "sku": f"SKU-{rng.randrange(10**6):06d}",
            "name": name,
            "kind": "printed",
            "variant_id": parent,
            "price_cents": rng.randrange(300, 4000),
            "cost_cents": None,
            "low_stock": 3,
            "description": "",
            "archived": False,
            "labour_s": 120,
        }
    raise ValueError(table)


def _edit_fields(table: str, rng: random.Random) -> dict[str, Any]:
    """A typical edit of a few fields (or, now and then, a delete)."""
    changed: dict[str, Any] = {"updated_at": rfc3339_now()}
    if rng.random() < 0.05:
        return changed | {"deleted": True, "deleted_at": changed["updated_at"]}
    if table == "models":
        return changed | {"notes": f"Reprinted {rng.randrange(100)} times", "category": "Home"}
    if table == "model_variants":
        return changed | {"colour": rng.choice(COLOURS)}
    if table == "spools":
        return changed | {"location": f"Shelf {rng.randrange(1, 6)}", "opened": True}
    if table == "products":
        return changed | {"price_cents": rng.randrange(300, 4000)}
    raise ValueError(table)


RECORD_TABLES = ("models", "model_variants", "spools", "products")
LEDGER_TABLES = ("sales", "stock_movements", "filament_usage", "audit_entries")


@dataclass
class Device:
    """One install of the app: its device id, HLC and the rows it knows of (by table)."""

    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    rng: random.Random = field(default_factory=random.Random)
    known: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in RECORD_TABLES})
    _wall: int = 0
    _counter: int = 0

    def hlc(self) -> str:
        """The next clock value (SYNC.md, Clocks)."""
        now = time.time_ns() // 1_000_000
        wall = max(self._wall, now)
        counter = self._counter + 1 if wall == self._wall else 0
        if counter > 99_999:
            wall, counter = self._wall + 1, 0
        self._wall, self._counter = wall, counter
        return f"{wall:013d}-{counter:05d}-{self.device_id}"

    def learn(self, table: str, row_id: str) -> None:
        if table in self.known:
            self.known[table].append(row_id)

    def _parent(self, table: str) -> str | None:
        parent_table = {"model_variants": "models", "products": "model_variants"}.get(table)
        options = self.known.get(parent_table or "", [])
        return self.rng.choice(options) if options else None

    def new_record(self, table: str) -> dict[str, Any]:
        row_id = str(uuid.uuid4())
        fields = _new_fields(table, self.rng, self._parent(table))
        self.known[table].append(row_id)
        return {"table": table, "id": row_id, "fields": fields, "clocks": dict.fromkeys(fields, self.hlc())}

    def edit_record(self) -> dict[str, Any] | None:
        tables = [name for name in RECORD_TABLES if self.known[name]]
        if not tables:
            return None
        table = self.rng.choice(tables)
        fields = _edit_fields(table, self.rng)
        return {
            "table": table,
            "id": self.rng.choice(self.known[table]),
            "fields": fields,
            "clocks": dict.fromkeys(fields, self.hlc()),
        }

    def ledger_row(self, table: str) -> dict[str, Any]:
        base: dict[str, Any] = {"at": rfc3339_now(), "hlc": self.hlc(), "device_id": self.device_id}
        some_id = str(uuid.uuid4())
        row: dict[str, Any]
        if table == "sales":
            row = base | {
                "event_id": None,
                "product_id": self._parent("products") or some_id,
                "quantity": self.rng.randrange(1, 4),
                "unit_price_cents": self.rng.randrange(300, 4000),
                "payment_method": self.rng.choice(("cash", "card")),
                "oversold": False,
                "undoes_sale_id": None,
            }
        elif table == "stock_movements":
            row = base | {
                "product_id": some_id,
                "quantity": self.rng.randrange(-5, 20),
                "reason": self.rng.choice(("printed", "sold", "adjust")),
                "event_id": None,
                "job_id": None,
                "sale_id": None,
                "note": "",
            }
        elif table == "filament_usage":
            spools = self.known["spools"]
            row = base | {
                "spool_id": self.rng.choice(spools) if spools else some_id,
                "delta_mg": -self.rng.randrange(1_000, 150_000),
                "reason": "print",
                "job_id": None,
                "note": "",
            }
        elif table == "audit_entries":
            row = base | {
                "user": "maker@example.com",
                "action": "sale.record",
                "entity": "products",
                "entity_id": some_id,
                "summary": "Sold 1 at the stall",
            }
        else:
            raise ValueError(table)
        return {"table": table, "id": uuid7(), "row": row}

    def batch(self, records: list[dict[str, Any]], ledger: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "protocol": protocol.PROTOCOL,
            "device_id": self.device_id,
            "batch_id": str(uuid.uuid4()),
            "records": records,
            "ledger": ledger,
        }


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile of `values` (nearest rank); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]
