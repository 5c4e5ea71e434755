"""The `printstall` command line, run as a user runs it: real processes on a real data folder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core import __version__
from core.cli import build_cli
from core.workspace import DB_NAME
from tests.core.files import cube_stl_bytes

REPO = Path(__file__).resolve().parents[2]


def cli(data_dir: Path, *args: str, ok: bool = True) -> Any:
    """Run a command in-process; with --json in args, return the parsed JSON."""
    result = CliRunner().invoke(build_cli(), ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    wants_json = "--json" in args and args[0] != "export"  # `export --json FILE` names a file
    return json.loads(result.stdout) if wants_json and result.exit_code == 0 else result


def run_printstall(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def setup_job(data: Path) -> tuple[str, str, str]:
    """A variant using 12.5 g with 2 units per plate, its product, a spool, and a job for 3 copies."""
    cli(data, "printer", "add", "MK4", "--power", "120")
    fil = cli(
        data, "filament", "add", "--material", "PLA", "--brand", "Prusament", "--colour", "Black", "--json"
    )
    spool = cli(data, "spool", "add", fil["id"], "--json")
    model = cli(data, "model", "add", "Dragon", "--tag", "animals", "--json")
    variant = cli(
        data,
        "variant",
        "add",
        model["id"],
        "Dragon PLA",
        "--grams",
        "12.5",
        "--units-per-plate",
        "2",
        "--json",
    )
    product = cli(
        data, "product", "add", "Dragon keyring", "--variant", variant["id"], "--price", "8", "--json"
    )
    job = cli(data, "job", "queue", variant["id"], "--copies", "3", "--printer", "MK4", "--json")
    return job["id"], spool["id"], product["id"]


def test_version() -> None:
    result = run_printstall("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"printstall, version {__version__}"


def test_job_finish_from_the_command_line(tmp_path: Path) -> None:
    job, spool, product = setup_job(tmp_path)
    result = cli(tmp_path, "job", "finish", job[-8:], "--spool", spool[-8:], "--json")
    assert result["units_added"] == 6
    assert result["usage_mg"] == {spool: 37_500}
    stock = cli(tmp_path, "stock", "show", "--json")
    assert [(p["id"], p["on_hand"]) for p in stock] == [(product, 6)]
    shown = cli(tmp_path, "spool", "show", spool, "--json")
    assert shown["spool"]["remaining_mg"] == 1_000_000 - 37_500
    assert [h["delta_mg"] for h in shown["history"]] == [-37_500]
    audit = cli(tmp_path, "audit", "--json")
    assert audit[0]["action"] == "job.finish" and audit[0]["entity_id"] == job


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killing_job_finish_midway_leaves_the_database_as_before(tmp_path: Path) -> None:
    job, spool, _ = setup_job(tmp_path)
    db = tmp_path / DB_NAME

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with sqlite3.connect(db) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}

    before = snapshot()
    killed = run_printstall(
        "--data-dir",
        str(tmp_path),
        "job",
        "finish",
        job,
        "--spool",
        spool,
        env={"PRINTSTALL_FAULT": "job.finish"},
    )
    assert killed.returncode == -signal.SIGKILL  # it died after writing the usage rows, before the commit

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert snapshot() == before

    finished = run_printstall("--data-dir", str(tmp_path), "job", "finish", job, "--spool", spool)
    assert finished.returncode == 0, finished.stderr
    assert "+6 units in stock" in finished.stdout and "37.5 g used" in finished.stdout


def test_errors_are_one_sentence_and_exit_status_1(tmp_path: Path) -> None:
    _, spool, product = setup_job(tmp_path)
    result = cli(tmp_path, "event", "sell", product, "2", ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: Only 0 of Dragon keyring on hand; cannot sell 2."
    result = cli(tmp_path, "spool", "use", "no-such-spool", "5", ok=False)
    assert result.exit_code == 1 and "No spool" in result.stderr
    result = cli(tmp_path, "spool", "use", spool, "--", "-5g", ok=False)
    assert result.exit_code == 1 and "amount used must be at least 1" in result.stderr
    assert "Traceback" not in result.output


def test_a_filament_with_a_spool_is_not_deleted_from_the_command_line(tmp_path: Path) -> None:
    _, spool, _ = setup_job(tmp_path)
    filament_id = cli(tmp_path, "filament", "list", "--json")[0]["id"]
    refused = cli(tmp_path, "filament", "delete", filament_id[-8:], ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: Prusament PLA Black still has 1 spool (archived ones count too); "
        "delete them before deleting the filament."
    )
    assert len(cli(tmp_path, "filament", "list", "--json")) == 1

    assert cli(tmp_path, "spool", "delete", spool[-8:]).output == f"Deleted spool {spool[-8:]}\n"
    deleted = cli(tmp_path, "filament", "delete", filament_id[-8:])
    assert deleted.output == "Deleted filament Prusament PLA Black\n"
    assert cli(tmp_path, "filament", "list", "--json") == []


def test_moving_a_job_to_no_printer_and_back_from_the_command_line(tmp_path: Path) -> None:
    job, _, _ = setup_job(tmp_path)
    queue = cli(tmp_path, "job", "move", job, "1", "--unassigned", "--json")
    assert [(j["id"], j["printer_id"]) for j in queue] == [(job, None)]
    assert cli(tmp_path, "job", "list", "--json")[0]["printer_id"] is None

    queue = cli(tmp_path, "job", "move", job, "1", "--printer", "MK4", "--json")
    printer = cli(tmp_path, "printer", "list", "--json")[0]["id"]
    assert [(j["id"], j["printer_id"]) for j in queue] == [(job, printer)]

    both = cli(tmp_path, "job", "move", job, "1", "--printer", "MK4", "--unassigned", ok=False)
    assert both.exit_code == 2 and "not both" in both.stderr
    assert cli(tmp_path, "job", "list", "--json")[0]["printer_id"] == printer


def test_export_and_restore_into_an_empty_data_dir(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    job, spool, product = setup_job(first)
    cli(first, "job", "finish", job, "--spool", spool)
    cli(first, "event", "sell", product, "1")
    cli(first, "export", "--json", str(tmp_path / "a.json"))
    restored = cli(second, "restore", str(tmp_path / "a.json"))
    assert "Restored" in restored.output
    cli(second, "export", "--json", str(tmp_path / "b.json"))
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert a["tables"] == b["tables"]
    assert cli(second, "stock", "show", "--json")[0]["on_hand"] == 5


def test_import_reports_per_file(tmp_path: Path) -> None:
    data = REPO / "tests" / "data" / "slicers"
    report = cli(
        tmp_path / "d", "import", str(data / "mini_cube_a.gcode"), str(data / "mini_cube_a.gcode"), "--json"
    )
    assert [f["status"] for f in report["files"]] == ["added", "duplicate"]
    assert (report["added"], report["duplicate"], report["rejected"]) == (1, 1, 0)


def test_events_from_the_command_line(tmp_path: Path) -> None:
    _, _, product = setup_job(tmp_path)
    cli(tmp_path, "stock", "adjust", product, "10", "--reason", "count")
    cli(tmp_path, "event", "create", "Xmas fair", "--starts", "2026-12-12", "--booth-fee", "40")
    cli(tmp_path, "event", "plan", "Xmas fair", product, "6")
    cli(tmp_path, "event", "pack", "xmas FAIR", product, "6")
    sale = cli(tmp_path, "event", "sell", product, "7", "--event", "Xmas fair", "--stall", "--json")
    assert sale["oversold"] is True
    shown = cli(tmp_path, "event", "show", "Xmas fair", "--json")
    line = shown["lines"][0]
    assert (line["target"], line["packed"], line["sold"], line["at_event"]) == (6, 6, 7, -1)


def test_gui_smoke_through_the_entry_point(tmp_path: Path) -> None:
    result = run_printstall(
        "--data-dir", str(tmp_path), "gui", "--quit-after", "0.5", env={"QT_QPA_PLATFORM": "offscreen"}
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / DB_NAME).exists()


def test_settings_from_the_command_line(tmp_path: Path) -> None:
    assert cli(tmp_path, "settings", "--json")["currency"] == "EUR"
    assert cli(tmp_path, "settings", "electricity_cents_per_kwh", "28", "--json") == {
        "electricity_cents_per_kwh": 28
    }
    result = cli(tmp_path, "settings", "currency", "euros", ok=False)
    assert result.exit_code == 1 and "not a currency code" in result.stderr


def test_attach_files_to_a_model(tmp_path: Path) -> None:
    data = tmp_path / "d"
    cli(data, "model", "add", "Cube")
    mesh = tmp_path / "cube.stl"
    mesh.write_bytes(cube_stl_bytes())
    result = cli(data, "model", "attach", "Cube", str(mesh), str(tmp_path / "nope.stl"))
    assert "attached" in result.output and "rejected" in result.output
