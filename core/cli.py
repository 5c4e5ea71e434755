"""The `printstall` command line: the same services the app uses, for scripts and for the terminal.

Every command prints a short human summary, or with `--json` a JSON document (a stable interface for
scripts). Errors print one sentence to stderr and exit with status 1. Records are named by their id, the last
8 or more characters of it (as the app shows them), or their exact name.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from core import __version__
from core.config import DATA_DIR_ENV, default_data_dir
from core.errors import FileFormatError, PrintstallError, ValidationError
from core.services import (
    audit,
    backups,
    costing,
    events,
    exports,
    filament,
    importing,
    jobs,
    labels,
    library,
    planning,
    printers,
    products,
    records,
    reports,
    settings,
    stall,
    transfer,
)
from core.workspace import Workspace

P = ParamSpec("P")
T = TypeVar("T")

# Opens the window: (the data folder named by --data-dir or PRINTSTALL_DATA_DIR, or None; quit after; files
# to import)
GuiLauncher = Callable[[Path | None, float | None, Sequence[Path]], int]


# ---------------------------------------------------------------- parsing helpers


def money(text: str) -> int:
    """'8', '8.5', '8,50' -> cents."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise click.BadParameter(f"{text!r} is not an amount like 8.50") from exc
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def grams(text: str) -> int:
    """'12.5' or '12.5g' or '1kg' -> milligrams."""
    match = re.fullmatch(r"\s*(-?\d+(?:[.,]\d+)?)\s*(mg|g|kg)?\s*", text.lower())
    if not match:
        raise click.BadParameter(f"{text!r} is not a weight like 12.5g")
    value = Decimal(match.group(1).replace(",", "."))
    factor = {"mg": 1, "g": 1000, "kg": 1_000_000, None: 1000}[match.group(2)]
    return int((value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def duration(text: str) -> int:
    """'3600', '1h20m', '45m', '2h' -> seconds."""
    if text.isdigit():
        return int(text)
    match = re.fullmatch(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?", text.strip().lower())
    if not match or not any(match.groups()):
        raise click.BadParameter(f"{text!r} is not a duration like 1h20m")
    d, h, m, s = (int(g or 0) for g in match.groups())
    return ((d * 24 + h) * 60 + m) * 60 + s


def spool_map(ws: Workspace, values: Iterable[str]) -> dict[int, str]:
    """'SPOOL' (extruder 1) or 'N=SPOOL' (extruder N, counted from 1) -> {slot: spool id}."""
    out: dict[int, str] = {}
    for value in values:
        slot_text, _, ident = value.rpartition("=")
        slot = int(slot_text) - 1 if slot_text else 0
        if slot < 0:
            raise click.BadParameter("extruders are counted from 1")
        out[slot] = records.resolve(ws, filament.SPOOL, ident).id
    return out


def optional_id(ws: Workspace, spec: records.EntitySpec[Any], ref: str | None) -> str | None:
    """The id of the record an option names, or None when the option was left out."""
    return records.resolve(ws, spec, ref).id if ref else None


def given(**values: Any) -> dict[str, Any]:
    """The options that were given (click passes None for one left out), in the order named."""
    return {name: value for name, value in values.items() if value is not None}


def fmt_g(mg: int) -> str:
    return f"{mg / 1000:,.1f} g"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def fmt_money(cents: int | None) -> str:
    return "-" if cents is None else f"{cents / 100:,.2f}"


# ---------------------------------------------------------------- output and errors


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def emit(ctx: click.Context, data: Any, human: Callable[[], Iterable[str]] | str) -> None:
    if ctx.find_root().params.get("as_json") or ctx.params.get("as_json"):
        click.echo(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, sort_keys=True))
        return
    lines = [human] if isinstance(human, str) else list(human())
    for line in lines:
        click.echo(line)


def json_option(func: Callable[P, T]) -> Callable[P, T]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def workspace(ctx: click.Context) -> Workspace:
    state: dict[str, Any] = ctx.find_root().obj
    if "workspace" not in state:
        state["workspace"] = ctx.with_resource(Workspace.open(state["data_dir"]))
    ws: Workspace = state["workspace"]
    return ws


def service(func: Callable[P, T]) -> Callable[P, T]:
    """Turn a PrintstallError into one sentence on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except PrintstallError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def list_command(
    group: click.Group,
    doc: str,
    items_of: Callable[[Workspace], Sequence[Any]],
    line: Callable[[Any], str],
    name: str = "list",
) -> click.Command:
    """Add to `group` a command that prints one line per item (with --json, the items); `doc` is its help."""

    @group.command(name, help=doc)
    @json_option
    @click.pass_context
    @service
    def command(ctx: click.Context, as_json: bool) -> None:
        items = items_of(workspace(ctx))
        emit(ctx, items, lambda: (line(item) for item in items))

    return command


def delete_command(
    group: click.Group, spec: records.EntitySpec[Any], delete: Callable[[Workspace, str], object]
) -> click.Command:
    """Add to `group` a `delete` command that moves the record it names to the trash."""

    @group.command("delete", help=f"Move a {spec.label} to the trash.")
    @click.argument("ref", metavar=spec.label.upper())
    @click.pass_context
    @service
    def command(ctx: click.Context, ref: str) -> None:
        ws = workspace(ctx)
        row = records.resolve(ws, spec, ref)
        delete(ws, row.id)
        click.echo(f"Deleted {spec.label} {spec.describe(row)}")

    return command


# ---------------------------------------------------------------- the root


def build_cli(launch_gui: GuiLauncher | None = None) -> click.Group:
    @click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="printstall")
    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=DATA_DIR_ENV,
        help="Folder for the database and files (default: the user's data folder).",
    )
    @click.pass_context
    def cli(ctx: click.Context, data_dir: Path | None) -> None:
        """Printstall: the model library, filament shelf, stock, print queue and market events of a maker.

        Without a command, the app's window opens.
        """
        ctx.obj = {"data_dir": data_dir or default_data_dir(), "named_data_dir": data_dir}
        if ctx.invoked_subcommand is None:
            if launch_gui is None:
                click.echo(ctx.get_help())
                return
            ctx.exit(launch_gui(data_dir, None, ()))

    if launch_gui is not None:

        @cli.command("gui")
        @click.option(
            "--quit-after", type=float, help="Close the window after this many seconds (smoke tests)."
        )
        @click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
        @click.pass_context
        def gui(ctx: click.Context, quit_after: float | None, paths: tuple[Path, ...]) -> None:
            """Open the app's window, and import PATHS (files, folders, zip archives) into it. When the window
            is already open on the same data folder, PATHS go to it instead."""
            ctx.exit(launch_gui(ctx.find_root().obj["named_data_dir"], quit_after, paths))

    for command in COMMANDS:
        cli.add_command(command)
    return cli


# ---------------------------------------------------------------- import, export, restore, audit


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--worker-process",
    is_flag=True,
    help="Read the files in a worker process, as the app's window does (checks an installed app).",
)
@json_option
@click.pass_context
@service
def import_cmd(ctx: click.Context, paths: tuple[Path, ...], worker_process: bool, as_json: bool) -> None:
    """Store files, folders and zip archives in the library's file store."""
    analyse_with: importing.Analyse = importing.analyse
    if worker_process:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ctx.with_resource(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))

        def analyse_with(path: Path, name: str, sha256: str) -> importing.Analysis:
            return pool.submit(importing.analyse, path, name, sha256).result()

    outcomes = importing.import_paths(workspace(ctx), paths, analyse_with=analyse_with)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("added", "duplicate", "rejected")}

    def human() -> Iterable[str]:
        for o in outcomes:
            yield f"{o.status:9} {o.source}" + (f"  ({o.message})" if o.message else "")
        yield (
            f"{counts['added']} added, {counts['duplicate']} duplicates skipped, "
            f"{counts['rejected']} rejected"
        )

    emit(ctx, {"files": outcomes, **counts}, human)
    if outcomes and counts["rejected"] == len(outcomes):
        sys.exit(1)


def _inspection_lines(data: dict[str, Any]) -> Iterable[str]:
    slicer = data["slicer"]
    yield f"kind          {data['kind']}   {data['size_bytes']:,} bytes   sha256 {data['sha256'][:16]}..."
    if slicer:
        yield f"slicer        {slicer['name']} {slicer['version'] or ''}".rstrip()
    for key in (
        "printer_model",
        "nozzle_diameter_mm",
        "layer_height_mm",
        "first_layer_height_mm",
        "infill_percent",
        "estimated_time_s",
        "layer_count",
        "object_height_mm",
    ):
        if data[key] is not None:
            yield f"{key:24} {data[key]}"
    for f in data["filaments"]:
        parts = [
            f"slot {f['slot'] + 1}",
            f["type"],
            f["color"],
            f["name"],
            f"{f['length_mm']:.1f} mm" if f["length_mm"] is not None else None,
            f"{f['weight_g']:.2f} g" if f["weight_g"] is not None else None,
            f"cost {f['cost']}" if f["cost"] is not None else None,
        ]
        yield "filament      " + "  ".join(p for p in parts if p)
    if data["total_weight_g"] is not None:
        yield f"total         {data['total_length_mm'] or 0:.1f} mm  {data['total_weight_g']:.2f} g"
    for t in data["thumbnails"]:
        yield f"thumbnail     {t['width']}x{t['height']} {t['format']}"
    if data["mesh"]:
        mesh = data["mesh"]
        lo, hi = mesh["bbox_mm"] or [[0, 0, 0], [0, 0, 0]]
        size = " x ".join(f"{b - a:.1f}" for a, b in zip(lo, hi, strict=True))
        yield f"mesh          {mesh['triangles']:,} triangles  {size} mm  {mesh['volume_cm3']:.2f} cm3"
    for plate in data["plates"]:
        yield f"plate {plate['plate']}       {plate['estimated_time_s']} s  {plate['total_weight_g']} g"
    for warning in data["warnings"]:
        yield f"warning       {warning}"


@click.command("inspect")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@click.pass_context
def inspect_cmd(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Print what Printstall reads from model and sliced files (no data folder is touched).

    Exit status 2 when a file cannot be read, with one line per such file on stderr.
    """
    from core.formats.inspect import inspect_file

    results: list[dict[str, Any]] = []
    failed = False
    for path in paths:
        try:
            if not path.is_file():
                raise FileFormatError(
                    "There is no such file." if not path.exists() else "This is not a file."
                )
            results.append(inspect_file(path).to_json())
        except FileFormatError as exc:
            click.echo(f"printstall: {path}: {exc}", err=True)
            failed = True
        except OSError as exc:
            click.echo(f"printstall: {path}: The file cannot be read ({exc.strerror}).", err=True)
            failed = True
    if as_json:
        click.echo(json.dumps(results[0] if len(paths) == 1 and results else results, indent=2))
    else:
        for index, data in enumerate(results):
            if index:
                click.echo("")
            for line in _inspection_lines(data):
                click.echo(line)
    if failed:
        sys.exit(2)


@click.group("export", invoke_without_command=True)
@click.option(
    "--json",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every record to this JSON file.",
)
@click.pass_context
@service
def export_cmd(ctx: click.Context, path: Path | None) -> None:
    """Export every record (--json FILE, for a backup or to take your data elsewhere), or stock, sales, an
    event's report or packing list (the commands below)."""
    if ctx.invoked_subcommand is not None:
        if path is not None:
            raise click.UsageError("--json FILE exports every record; give it without a command.")
        return
    if path is None:
        raise click.UsageError("Give --json FILE to export every record, or one of the commands.")
    count = transfer.export_json(workspace(ctx), path)
    click.echo(f"Exported {count} records to {path}")


def table_options(func: Callable[P, T]) -> Callable[P, T]:
    """--format and --output of the CSV/XLSX exports."""
    func = click.option(
        "--output",
        "-o",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The file to write.",
    )(func)
    return click.option(
        "--format",
        "file_format",
        type=click.Choice(exports.FORMATS),
        help="Default: by the output file's name (.csv or .xlsx).",
    )(func)


@export_cmd.command("stock")
@click.option("--all", "include_archived", is_flag=True, help="Include archived products.")
@table_options
@click.pass_context
@service
def export_stock(ctx: click.Context, include_archived: bool, file_format: str | None, output: Path) -> None:
    """Products with stock on hand, low-stock level, price and unit cost."""
    count = exports.export_stock(
        workspace(ctx), output, format=file_format, include_archived=include_archived
    )
    click.echo(f"Wrote {plural(count, 'product')} to {output}")


@export_cmd.command("sales")
@click.argument("event", required=False)
@table_options
@click.pass_context
@service
def export_sales(ctx: click.Context, event: str | None, file_format: str | None, output: Path) -> None:
    """Every sale, or the sales of EVENT, with the time, price, payment and total."""
    ws = workspace(ctx)
    count = exports.export_sales(ws, output, event_id=optional_id(ws, events.SPEC, event), format=file_format)
    click.echo(f"Wrote {plural(count, 'sale')} to {output}")


@export_cmd.command("report")
@click.argument("event")
@table_options
@click.pass_context
@service
def export_report(ctx: click.Context, event: str, file_format: str | None, output: Path) -> None:
    """An event's report: products sold, costs, profit and revenue by payment."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    exports.export_event_report(ws, e.id, output, format=file_format)
    click.echo(f"Wrote the report of {e.name} to {output}")


@export_cmd.command("packing-list")
@click.argument("event")
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write."
)
@click.pass_context
@service
def export_packing_list(ctx: click.Context, event: str, output: Path) -> None:
    """An event's packing list as a PDF to tick off: target, packed and still to pack per product."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    pages = exports.packing_list_pdf(ws, e.id, output)
    click.echo(f"Wrote the packing list of {e.name} ({plural(pages, 'page')}) to {output}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@service
def restore_cmd(ctx: click.Context, path: Path) -> None:
    """Load an export into an empty data folder."""
    count = transfer.restore_json(workspace(ctx), path)
    click.echo(f"Restored {count} records from {path}")


@click.group("backup")
def backup_cmd() -> None:
    """The data folder's backups: made every day, before each upgrade and before a restore (see
    docs/install.md)."""


BACKUP_CONTENT_WORDS = {
    "models": "model",
    "products": "product",
    "spools": "spool",
    "market_events": "event",
    "sales": "sale",
}


def backup_contents(b: backups.Backup) -> str:
    """What a backup holds, as "40 models, 21 products, 3 events" (kinds with none left out); its row count
    when it holds none of them."""
    parts = [
        plural(b.contents[table], word)
        for table, word in BACKUP_CONTENT_WORDS.items()
        if b.contents.get(table)
    ]
    return ", ".join(parts) or plural(b.records, "row")


def backup_line(number: int, b: backups.Backup) -> str:
    when = b.created.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{number:>3}  {when}  {b.reason:13} {b.size / 1e6:8.1f} MB  {b.name}  {backup_contents(b)}"


def backup_json(b: backups.Backup) -> dict[str, Any]:
    return {
        "name": b.name,
        "reason": b.reason,
        "created_at": b.created_at,
        "size": b.size,
        "records": b.records,
        "contents": b.contents,
        "files": len(b.blobs),
        "app_version": b.app_version,
        "schema": b.schema,
        "path": str(b.path),
    }


@backup_cmd.command("list")
@json_option
@click.pass_context
@service
def backup_list(ctx: click.Context, as_json: bool) -> None:
    """The backups, newest first, numbered for `backup restore`."""
    found = backups.list_backups(workspace(ctx))

    def human() -> Iterable[str]:
        if not found:
            yield "No backups yet; `printstall backup create` makes one."
        for number, b in enumerate(found, 1):
            yield backup_line(number, b)

    emit(ctx, [backup_json(b) for b in found], human)


@backup_cmd.command("create")
@json_option
@click.pass_context
@service
def backup_create(ctx: click.Context, as_json: bool) -> None:
    """Back up the data folder now (it may be in use by the app meanwhile)."""
    made = backups.create_backup(workspace(ctx), "manual")
    emit(
        ctx,
        backup_json(made),
        f"Backed up {backup_contents(made)} ({made.size / 1e6:.1f} MB) to {made.path}",
    )


@backup_cmd.command("restore")
@click.argument("backup")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_context
@service
def backup_restore(ctx: click.Context, backup: str, yes: bool) -> None:
    """Bring the records back to BACKUP (its name, or its number in `backup list`). The current state is
    backed up first."""
    ws = workspace(ctx)
    chosen = backups.find_backup(ws, backup)
    if not yes:
        when = chosen.created.astimezone().strftime("%Y-%m-%d %H:%M")
        click.confirm(
            f"Restore the backup of {when} ({chosen.reason})? The current state is backed up first.",
            abort=True,
        )
    result = backups.restore_backup(ws, chosen)
    click.echo(backups.describe(result))
    for sha in result.missing_files:
        click.echo(f"  missing file {sha}")


@click.command("audit")
@click.option("--limit", default=30, show_default=True)
@json_option
@click.pass_context
@service
def audit_cmd(ctx: click.Context, limit: int, as_json: bool) -> None:
    """What was done lately, by whom, from which device."""
    entries = audit.recent(workspace(ctx), limit)
    emit(ctx, entries, lambda: (f"{e.at[:19]}  {e.action:22} {e.summary}" for e in entries))


# ---------------------------------------------------------------- printers


@click.group("printer")
def printer_cmd() -> None:
    """Printers: add, list, edit, delete."""


def printer_line(p: Any) -> str:
    return f"{p.id[-8:]}  {p.name:20} {p.model:14} nozzle {p.nozzle_um / 1000:g} mm  {p.power_w} W"


@printer_cmd.command("add")
@click.argument("name")
@click.option("--model", default="")
@click.option("--nozzle", type=float, default=0.4, show_default=True, help="Nozzle diameter in mm.")
@click.option("--build", default="", help="Build volume WxDxH in mm, e.g. 250x210x220.")
@click.option("--extruders", type=int, default=1, show_default=True)
@click.option("--power", "power_w", type=int, default=0, help="Average power draw in watts.")
@click.option("--hourly-cost", type=money, default="0", help="Machine wear per hour, e.g. 0.25.")
@json_option
@click.pass_context
@service
def printer_add(
    ctx: click.Context,
    name: str,
    model: str,
    nozzle: float,
    build: str,
    extruders: int,
    power_w: int,
    hourly_cost: int,
    as_json: bool,
) -> None:
    """Add a printer."""
    dims = [int(d) for d in build.lower().split("x")] if build else [0, 0, 0]
    if len(dims) != 3:
        raise click.BadParameter("give the build volume as WxDxH, e.g. 250x210x220")
    p = printers.add_printer(
        workspace(ctx),
        name=name,
        model=model,
        nozzle_um=round(nozzle * 1000),
        build_x_mm=dims[0],
        build_y_mm=dims[1],
        build_z_mm=dims[2],
        extruders=extruders,
        power_w=power_w,
        hourly_cost_cents=hourly_cost,
    )
    emit(ctx, p, f"Added printer {printer_line(p)}")


printer_list = list_command(printer_cmd, "List printers.", printers.list_printers, printer_line)


@printer_cmd.command("edit")
@click.argument("printer")
@click.option("--name")
@click.option("--model")
@click.option("--nozzle", type=float)
@click.option("--power", "power_w", type=int)
@click.option("--hourly-cost", type=money)
@json_option
@click.pass_context
@service
def printer_edit(
    ctx: click.Context,
    printer: str,
    name: str | None,
    model: str | None,
    nozzle: float | None,
    power_w: int | None,
    hourly_cost: int | None,
    as_json: bool,
) -> None:
    """Change a printer."""
    ws = workspace(ctx)
    changes = given(
        name=name,
        model=model,
        power_w=power_w,
        hourly_cost_cents=hourly_cost,
        nozzle_um=None if nozzle is None else round(nozzle * 1000),
    )
    p = printers.edit_printer(ws, records.resolve(ws, printers.SPEC, printer).id, **changes)
    emit(ctx, p, f"Changed printer {printer_line(p)}")


printer_delete = delete_command(printer_cmd, printers.SPEC, printers.delete_printer)


# ---------------------------------------------------------------- filament and spools


@click.group("filament")
def filament_cmd() -> None:
    """Filaments (what you reorder): add, list, delete, and what the queue needs (plan)."""


def filament_line(f: Any) -> str:
    return (
        f"{f.id[-8:]}  {f.brand:12} {f.material:6} {f.colour_name:16} {fmt_money(f.price_cents):>8}  "
        f"{fmt_g(f.remaining_mg):>11} on the shelf"
    )


@filament_cmd.command("add")
@click.option("--material", required=True, help="PLA, PETG, ...")
@click.option("--brand", default="")
@click.option("--colour", "colour_name", default="")
@click.option("--hex", "colour_hex", default="", help="Colour code like #1E90FF.")
@click.option("--diameter", type=float, default=1.75, show_default=True, help="In mm.")
@click.option(
    "--weight", "net_weight", type=grams, default="1kg", show_default=True, help="Net filament weight."
)
@click.option("--empty-spool", type=grams, default="0", help="Weight of the empty spool.")
@click.option("--price", type=money, default="0", help="Price of one spool.")
@click.option("--low-stock", type=grams, default="0", help="Warn when the shelf holds less than this.")
@json_option
@click.pass_context
@service
def filament_add(
    ctx: click.Context,
    material: str,
    brand: str,
    colour_name: str,
    colour_hex: str,
    diameter: float,
    net_weight: int,
    empty_spool: int,
    price: int,
    low_stock: int,
    as_json: bool,
) -> None:
    """Add a filament."""
    f = filament.add_filament(
        workspace(ctx),
        material=material,
        brand=brand,
        colour_name=colour_name,
        colour_hex=colour_hex,
        diameter_um=round(diameter * 1000),
        net_weight_mg=net_weight,
        empty_spool_weight_mg=empty_spool,
        price_cents=price,
        low_stock_mg=low_stock,
    )
    emit(ctx, f, f"Added filament {filament_line(f)}")


filament_list = list_command(
    filament_cmd,
    "List filaments with what is left over all their spools.",
    filament.list_filaments,
    filament_line,
)
filament_delete = delete_command(filament_cmd, filament.FILAMENT, filament.delete_filament)


def purchase_json(buy: planning.Purchase) -> dict[str, Any]:
    return {
        "filament_id": buy.filament_id,
        "label": buy.label,
        "short_mg": buy.need.short_mg,
        "spools": buy.spools,
        "net_weight_mg": buy.net_weight_mg,
        "cost_cents": buy.cost_cents,
    }


def filament_plan_json(plan: planning.FilamentPlan) -> dict[str, Any]:
    return {
        "needs": [
            {
                "filament_id": n.filament_id,
                "label": n.label,
                "needed_mg": n.needed_mg,
                "on_shelf_mg": n.on_shelf_mg,
                "short_mg": n.short_mg,
                "job_ids": list(n.job_ids),
            }
            for n in plan.usage.needs
        ],
        "to_buy": [purchase_json(buy) for buy in plan.to_buy],
        "cost_cents": sum(buy.cost_cents for buy in plan.to_buy),
        "warnings": plan.warnings,
    }


def filament_plan_lines(plan: planning.FilamentPlan) -> Iterable[str]:
    if not plan.usage.needs:
        yield "The queue needs no filament."
        return
    yield f"  {'filament':34} {'needed':>10} {'on shelf':>10} {'short':>10}"
    for n in plan.usage.needs:
        short = fmt_g(n.short_mg) if n.short_mg else ""
        yield f"  {n.label:34} {fmt_g(n.needed_mg):>10} {fmt_g(n.on_shelf_mg):>10} {short:>10}"
    yield from plan.warnings
    spools = sum(buy.spools for buy in plan.to_buy)
    if spools:
        cost = sum(buy.cost_cents for buy in plan.to_buy)
        yield f"To buy: {plural(spools, 'spool')} for {fmt_money(cost)}"
    elif not plan.to_buy:
        yield "The shelf holds enough for the queue."


@filament_cmd.command("plan")
@json_option
@click.pass_context
@service
def filament_plan(ctx: click.Context, as_json: bool) -> None:
    """What the queued and printing jobs need of each filament, and the spools to buy."""
    plan = planning.filament_plan(workspace(ctx))
    emit(ctx, filament_plan_json(plan), lambda: filament_plan_lines(plan))


@click.group("spool")
def spool_cmd() -> None:
    """Spools (physical rolls): add, list, show, use, weigh, edit, delete."""


def spool_line(s: Any) -> str:
    return (
        f"{s.id[-8:]}  {s.label:34} {fmt_g(s.remaining_mg):>10} of {fmt_g(s.initial_weight_mg):>10}  "
        f"{s.location}"
    )


@spool_cmd.command("add")
@click.argument("filament_ref", metavar="FILAMENT")
@click.option("--weight", type=grams, help="Filament on the spool (default: the filament's net weight).")
@click.option("--location", default="")
@click.option("--lot", default="")
@click.option("--price", type=money, help="What this spool cost, if not the filament's price.")
@click.option("--bought", "purchase_date", help="Purchase date, e.g. 2026-11-20.")
@json_option
@click.pass_context
@service
def spool_add(
    ctx: click.Context,
    filament_ref: str,
    weight: int | None,
    location: str,
    lot: str,
    price: int | None,
    purchase_date: str | None,
    as_json: bool,
) -> None:
    """Put a new spool of a filament on the shelf."""
    ws = workspace(ctx)
    values: dict[str, Any] = {
        "filament_id": records.resolve(ws, filament.FILAMENT, filament_ref).id,
        "location": location,
        "lot": lot,
        "price_cents": price,
        "purchase_date": purchase_date,
    }
    if weight is not None:
        values["initial_weight_mg"] = weight
    s = filament.add_spool(ws, **values)
    emit(ctx, s, f"Added spool {spool_line(s)}")


@spool_cmd.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived spools.")
@json_option
@click.pass_context
@service
def spool_list(ctx: click.Context, include_archived: bool, as_json: bool) -> None:
    """List spools with the weight left on each."""
    items = filament.list_spools(workspace(ctx), include_archived=include_archived)
    emit(ctx, items, lambda: (spool_line(s) for s in items))


@spool_cmd.command("show")
@click.argument("spool")
@json_option
@click.pass_context
@service
def spool_show(ctx: click.Context, spool: str, as_json: bool) -> None:
    """A spool and its usage history."""
    ws = workspace(ctx)
    s = filament.get_spool(ws, records.resolve(ws, filament.SPOOL, spool).id)
    history = filament.spool_history(ws, s.id)

    def human() -> Iterable[str]:
        yield spool_line(s)
        for u in history:
            yield f"  {u.at[:19]}  {u.delta_mg / 1000:+10.1f} g  {u.reason:12} {u.note}"

    emit(ctx, {"spool": s, "history": history}, human)


@spool_cmd.command("use")
@click.argument("spool")
@click.argument("amount", type=grams)
@click.option("--reason", type=click.Choice(filament.USAGE_REASONS), default="manual", show_default=True)
@click.option("--note", default="")
@json_option
@click.pass_context
@service
def spool_use(ctx: click.Context, spool: str, amount: int, reason: str, note: str, as_json: bool) -> None:
    """Record filament used from a spool (e.g. 12.5g)."""
    ws = workspace(ctx)
    s = filament.record_usage(
        ws, records.resolve(ws, filament.SPOOL, spool).id, amount, reason=reason, note=note
    )
    emit(ctx, s, f"Used {fmt_g(amount)}: {spool_line(s)}")


@spool_cmd.command("weigh")
@click.argument("spool")
@click.argument("gross", type=grams)
@json_option
@click.pass_context
@service
def spool_weigh(ctx: click.Context, spool: str, gross: int, as_json: bool) -> None:
    """Weigh a spool (filament and spool together) and correct the shelf."""
    ws = workspace(ctx)
    s, correction = filament.weigh_spool(ws, records.resolve(ws, filament.SPOOL, spool).id, gross)
    emit(
        ctx,
        {"spool": s, "correction_mg": correction},
        f"{fmt_g(s.remaining_mg)} left ({correction / 1000:+.1f} g against the records): {spool_line(s)}",
    )


@spool_cmd.command("edit")
@click.argument("spool")
@click.option("--location")
@click.option("--opened/--sealed", default=None)
@click.option("--archived/--active", default=None)
@json_option
@click.pass_context
@service
def spool_edit(
    ctx: click.Context,
    spool: str,
    location: str | None,
    opened: bool | None,
    archived: bool | None,
    as_json: bool,
) -> None:
    """Change a spool's location or state."""
    ws = workspace(ctx)
    changes = given(location=location, opened=opened, archived=archived)
    s = filament.edit_spool(ws, records.resolve(ws, filament.SPOOL, spool).id, **changes)
    emit(ctx, s, f"Changed spool {spool_line(s)}")


spool_delete = delete_command(spool_cmd, filament.SPOOL, filament.delete_spool)


# ---------------------------------------------------------------- models and variants


@click.group("model")
def model_cmd() -> None:
    """Models in the library: add, list."""


@model_cmd.command("add")
@click.argument("name")
@click.option("--designer", default="")
@click.option("--licence", default="", help="SPDX id, e.g. CC-BY-4.0.")
@click.option(
    "--selling/--no-selling",
    "allows_selling",
    default=None,
    help="Whether the licence allows selling prints.",
)
@click.option("--tag", "tags", multiple=True)
@json_option
@click.pass_context
@service
def model_add(
    ctx: click.Context,
    name: str,
    designer: str,
    licence: str,
    allows_selling: bool | None,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add a model to the library."""
    m = library.add_model(
        workspace(ctx),
        name=name,
        designer_name=designer,
        licence_spdx=licence,
        licence_allows_selling=allows_selling,
        tags=tags,
    )
    emit(ctx, m, f"Added model {m.id[-8:]}  {m.name}")


def model_line(m: Any) -> str:
    return f"{m.id[-8:]}  {m.name:30} {m.designer_name:20} {', '.join(m.tags)}"


model_list = list_command(model_cmd, "List models.", library.list_models, model_line)


@model_cmd.command("attach")
@click.argument("model_ref", metavar="MODEL")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--role", type=click.Choice(library.FILE_ROLES), help="Default: by the kind of file.")
@click.pass_context
@service
def model_attach(ctx: click.Context, model_ref: str, paths: tuple[Path, ...], role: str | None) -> None:
    """Import files and make them files of a model."""
    ws = workspace(ctx)
    model = records.resolve(ws, library.MODEL, model_ref)
    for outcome in importing.import_paths(ws, paths):
        if outcome.blob_id is None:
            click.echo(f"rejected  {outcome.source}  ({outcome.message})")
            continue
        file_role = role or {"image": "image", "document": "document"}.get(outcome.kind or "", "mesh")
        library.attach_file(ws, model.id, outcome.blob_id, role=file_role, name=Path(outcome.source).name)
        click.echo(f"attached  {outcome.source} to {model.name} as {file_role}")


@click.group("variant")
def variant_cmd() -> None:
    """Variants (a model sliced for a printer and material): add, list."""


def variant_line(v: Any) -> str:
    per_slot = " + ".join(fmt_g(m.grams_mg) for m in v.materials) or "no filament"
    return f"{v.id[-8:]}  {v.name:30} {per_slot:>12}  {v.units_per_plate} per plate"


@variant_cmd.command("add")
@click.argument("model_ref", metavar="MODEL")
@click.argument("name")
@click.option(
    "--grams",
    "grams_list",
    multiple=True,
    help="Filament per plate: '12.5' for extruder 1, or 'N=12.5' for extruder N. Repeatable.",
)
@click.option("--material", default="", help="PLA, PETG, ...")
@click.option("--colour", default="")
@click.option("--units-per-plate", type=int, default=1, show_default=True)
@click.option("--print-time", type=duration, help="Print time per plate, e.g. 1h20m.")
@click.option("--printer", "printer_ref")
@json_option
@click.pass_context
@service
def variant_add(
    ctx: click.Context,
    model_ref: str,
    name: str,
    grams_list: tuple[str, ...],
    material: str,
    colour: str,
    units_per_plate: int,
    print_time: int | None,
    printer_ref: str | None,
    as_json: bool,
) -> None:
    """Add a variant of a model."""
    ws = workspace(ctx)
    materials = []
    for item in grams_list:
        slot_text, _, amount = item.rpartition("=")
        materials.append(
            library.MaterialInput(
                slot=int(slot_text) - 1 if slot_text else 0,
                grams_mg=grams(amount),
                material=material,
                colour_name=colour,
            )
        )
    v = library.add_variant(
        ws,
        model_id=records.resolve(ws, library.MODEL, model_ref).id,
        name=name,
        material=material,
        colour=colour,
        units_per_plate=units_per_plate,
        print_time_s=print_time,
        materials=materials,
        printer_id=optional_id(ws, printers.SPEC, printer_ref),
    )
    emit(ctx, v, f"Added variant {variant_line(v)}")


@variant_cmd.command("list")
@click.option("--model", "model_ref")
@json_option
@click.pass_context
@service
def variant_list(ctx: click.Context, model_ref: str | None, as_json: bool) -> None:
    """List variants."""
    ws = workspace(ctx)
    items = library.list_variants(ws, optional_id(ws, library.MODEL, model_ref))
    emit(ctx, items, lambda: (variant_line(v) for v in items))


# ---------------------------------------------------------------- products and stock


@click.group("product")
def product_cmd() -> None:
    """Products (finished goods and accessories): add, list, edit, cost."""


def product_line(p: Any) -> str:
    flag = "  LOW" if p.on_hand <= p.low_stock else ""
    return f"{p.id[-8:]}  {p.sku:10} {p.name:30} {fmt_money(p.price_cents):>8}  {p.on_hand:5} on hand{flag}"


@product_cmd.command("add")
@click.argument("name")
@click.option("--sku", default="")
@click.option("--kind", type=click.Choice(products.KINDS), default="printed", show_default=True)
@click.option("--variant", "variant_ref", help="The variant printed to make it.")
@click.option("--price", type=money, default="0")
@click.option("--cost", type=money)
@click.option("--low-stock", type=int, default=0)
@json_option
@click.pass_context
@service
def product_add(
    ctx: click.Context,
    name: str,
    sku: str,
    kind: str,
    variant_ref: str | None,
    price: int,
    cost: int | None,
    low_stock: int,
    as_json: bool,
) -> None:
    """Add a product."""
    ws = workspace(ctx)
    variant_id = optional_id(ws, library.VARIANT, variant_ref)
    p = products.add_product(
        ws,
        name=name,
        sku=sku,
        kind=kind,
        variant_id=variant_id,
        price_cents=price,
        cost_cents=cost,
        low_stock=low_stock,
    )
    emit(ctx, p, f"Added product {product_line(p)}")


product_list = list_command(
    product_cmd, "List products with stock on hand.", products.list_products, product_line
)


@product_cmd.command("edit")
@click.argument("product")
@click.option("--name")
@click.option("--sku")
@click.option("--price", type=money)
@click.option("--low-stock", type=int)
@json_option
@click.pass_context
@service
def product_edit(
    ctx: click.Context,
    product: str,
    name: str | None,
    sku: str | None,
    price: int | None,
    low_stock: int | None,
    as_json: bool,
) -> None:
    """Change a product."""
    ws = workspace(ctx)
    changes = given(name=name, sku=sku, price_cents=price, low_stock=low_stock)
    p = products.edit_product(ws, records.resolve(ws, products.SPEC, product).id, **changes)
    emit(ctx, p, f"Changed product {product_line(p)}")


def cost_lines(cost: costing.CostBreakdown) -> list[tuple[str, str, int]]:
    """(part, what it is, cents) of a unit cost, as `product cost` shows them."""
    cents = costing.to_cents
    if cost.entered is not None:
        return [("entered", "cost entered by hand", cents(cost.entered))]
    out = []
    for line in cost.filament:
        price = (
            f" at {fmt_money(cents(line.cents_per_kg))}/kg" if line.cents_per_kg is not None else ", no price"
        )
        source = f", {line.source}" if line.source else ""
        out.append(
            ("filament", f"extruder {line.slot + 1}: {line.grams:.2f} g{price}{source}", cents(line.cents))
        )
    if cost.print_hours:
        hours = f"{cost.print_hours:.2f} h on {cost.printer}"
        out.append(("electricity", hours, cents(cost.electricity)))
        if cost.wear:
            out.append(("machine wear", hours, cents(cost.wear)))
    if cost.failure_allowance:
        out.append(
            ("failures", f"{cost.failure_rate * 100:.1f} % of prints fail", cents(cost.failure_allowance))
        )
    if cost.labour_minutes:
        out.append(("labour", f"{cost.labour_minutes:.1f} min", cents(cost.labour)))
    out += [("part", f"{item.quantity} x {item.name}", cents(item.cents)) for item in cost.bom]
    return out


@product_cmd.command("cost")
@click.argument("product")
@json_option
@click.pass_context
@service
def product_cost(ctx: click.Context, product: str, as_json: bool) -> None:
    """What a unit of a product costs to make, part by part, and the price the settings suggest."""
    ws = workspace(ctx)
    p = products.get_product(ws, records.resolve(ws, products.SPEC, product).id)
    cost = costing.product_cost(ws, p.id)
    suggested = costing.suggested_price_for(ws, cost)
    rates = costing.rates(ws)
    margin = costing.margin_percent(p.price_cents, cost.total)
    parts = cost_lines(cost)
    data = {
        "product_id": p.id,
        "name": p.name,
        "lines": [{"part": part, "detail": detail, "cents": amount} for part, detail, amount in parts],
        "total_cents": cost.total_cents,
        "price_cents": p.price_cents,
        "margin_percent": None if margin is None else round(float(margin), 1),
        "suggested_price_cents": suggested,
        "pricing": {"method": rates.pricing_method, "percent": rates.pricing_percent},
        "warnings": list(cost.warnings),
    }

    def human() -> Iterable[str]:
        yield f"{p.name}: {fmt_money(cost.total_cents)} a unit"
        width = max([len(detail) for _, detail, _ in parts] + [30])
        for part, detail, amount in parts:
            yield f"  {part:13} {detail:{width}} {fmt_money(amount):>9}"
        yield f"  {'total':13} {'':{width}} {fmt_money(cost.total_cents):>9}"
        shown = "" if margin is None else f" (margin {margin:.1f} %)"
        yield f"Price {fmt_money(p.price_cents)}{shown}"
        yield f"Suggested price {fmt_money(suggested)} ({rates.pricing_method} {rates.pricing_percent} %)"
        for warning in cost.warnings:
            yield f"warning: {warning}"

    emit(ctx, data, human)


@click.group("stock")
def stock_cmd() -> None:
    """Stock of products: show, adjust, history."""


stock_show = list_command(
    stock_cmd, "Stock on hand of every product.", products.list_products, product_line, name="show"
)


@stock_cmd.command("adjust")
@click.argument("product")
@click.argument("quantity", type=int)
@click.option("--reason", type=click.Choice(products.ADJUST_REASONS), default="adjust", show_default=True)
@click.option("--note", default="")
@json_option
@click.pass_context
@service
def stock_adjust(
    ctx: click.Context, product: str, quantity: int, reason: str, note: str, as_json: bool
) -> None:
    """Add (+N) or take away (-N) stock by hand, with a reason."""
    ws = workspace(ctx)
    p = products.adjust_stock(
        ws, records.resolve(ws, products.SPEC, product).id, quantity, reason=reason, note=note
    )
    emit(ctx, p, f"{quantity:+d}: {product_line(p)}")


@stock_cmd.command("history")
@click.argument("product")
@json_option
@click.pass_context
@service
def stock_history(ctx: click.Context, product: str, as_json: bool) -> None:
    """Every stock movement of a product."""
    ws = workspace(ctx)
    items = products.stock_history(ws, records.resolve(ws, products.SPEC, product).id)
    emit(ctx, items, lambda: (f"{m.at[:19]}  {m.quantity:+6d}  {m.reason:9} {m.note}" for m in items))


# ---------------------------------------------------------------- the print queue


@click.group("job")
def job_cmd() -> None:
    """The print queue: queue, list, start, finish, fail, cancel, move."""


def job_line(j: Any) -> str:
    return f"{j.id[-8:]}  {j.status:9} {j.copies} x variant {j.variant_id[-8:]}  place {j.position}"


def job_result(ctx: click.Context, result: Any, verb: str) -> None:
    def human() -> Iterable[str]:
        yield f"{verb} {job_line(result.job)}"
        if result.units_added:
            yield f"  +{result.units_added} units in stock"
        for spool_id, mg in result.usage_mg.items():
            yield f"  {fmt_g(mg)} used from spool {spool_id[-8:]}"
        for warning in result.warnings:
            yield f"  warning: {warning}"

    emit(ctx, result, human)


@job_cmd.command("queue")
@click.argument("variant_ref", metavar="VARIANT")
@click.option("--copies", type=int, default=1, show_default=True, help="Plates to print.")
@click.option("--printer", "printer_ref")
@click.option("--product", "product_ref", help="Where the units go (default: the variant's product).")
@click.option("--event", "event_ref", help="The market event it is printed for.")
@json_option
@click.pass_context
@service
def job_queue(
    ctx: click.Context,
    variant_ref: str,
    copies: int,
    printer_ref: str | None,
    product_ref: str | None,
    event_ref: str | None,
    as_json: bool,
) -> None:
    """Queue plates of a variant."""
    ws = workspace(ctx)
    j = jobs.queue_job(
        ws,
        records.resolve(ws, library.VARIANT, variant_ref).id,
        copies=copies,
        printer_id=optional_id(ws, printers.SPEC, printer_ref),
        product_id=optional_id(ws, products.SPEC, product_ref),
        event_id=optional_id(ws, events.SPEC, event_ref),
    )
    emit(ctx, j, f"Queued {job_line(j)}")


@job_cmd.command("list")
@click.option("--status", type=click.Choice(jobs.STATUSES))
@json_option
@click.pass_context
@service
def job_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List jobs."""
    items = jobs.list_jobs(workspace(ctx), status=status)
    emit(ctx, items, lambda: (job_line(j) for j in items))


SPOOL_HELP = "Spool for extruder 1, or N=SPOOL for extruder N. Repeatable."


@job_cmd.command("start")
@click.argument("job")
@click.option("--printer", "printer_ref")
@click.option("--spool", "spools", multiple=True, help=SPOOL_HELP)
@json_option
@click.pass_context
@service
def job_start(
    ctx: click.Context, job: str, printer_ref: str | None, spools: tuple[str, ...], as_json: bool
) -> None:
    """Start a queued job."""
    ws = workspace(ctx)
    j = jobs.start_job(
        ws,
        records.resolve(ws, jobs.SPEC, job).id,
        spools=spool_map(ws, spools),
        printer_id=optional_id(ws, printers.SPEC, printer_ref),
    )
    emit(ctx, j, f"Started {job_line(j)}")


@job_cmd.command("finish")
@click.argument("job")
@click.option("--spool", "spools", multiple=True, help=SPOOL_HELP)
@json_option
@click.pass_context
@service
def job_finish(ctx: click.Context, job: str, spools: tuple[str, ...], as_json: bool) -> None:
    """Finish a job: its filament comes off the spools, its units go into stock."""
    ws = workspace(ctx)
    job_result(
        ctx,
        jobs.finish_job(ws, records.resolve(ws, jobs.SPEC, job).id, spools=spool_map(ws, spools)),
        "Finished",
    )


@job_cmd.command("fail")
@click.argument("job")
@click.option("--printed", default="100%", show_default=True, help="How much had printed, e.g. 40%.")
@click.option("--reason", default="")
@click.option("--spool", "spools", multiple=True, help=SPOOL_HELP)
@json_option
@click.pass_context
@service
def job_fail(
    ctx: click.Context, job: str, printed: str, reason: str, spools: tuple[str, ...], as_json: bool
) -> None:
    """Record a failed job: the printed part of its filament is used, nothing goes into stock."""
    ws = workspace(ctx)
    try:
        permille = round(float(printed.rstrip("%")) * 10)
    except ValueError as exc:
        raise click.BadParameter(f"{printed!r} is not a percentage like 40%") from exc
    result = jobs.fail_job(
        ws,
        records.resolve(ws, jobs.SPEC, job).id,
        printed_permille=permille,
        reason=reason,
        spools=spool_map(ws, spools),
    )
    job_result(ctx, result, "Failed")


@job_cmd.command("cancel")
@click.argument("job")
@json_option
@click.pass_context
@service
def job_cancel(ctx: click.Context, job: str, as_json: bool) -> None:
    """Cancel a queued or printing job (no filament is counted)."""
    ws = workspace(ctx)
    j = jobs.cancel_job(ws, records.resolve(ws, jobs.SPEC, job).id)
    emit(ctx, j, f"Cancelled {job_line(j)}")


@job_cmd.command("move")
@click.argument("job")
@click.argument("position", type=int)
@click.option("--printer", "printer_ref", help="Move it to this printer's queue.")
@click.option("--unassigned", is_flag=True, help="Move it to the queue of jobs with no printer.")
@json_option
@click.pass_context
@service
def job_move(
    ctx: click.Context, job: str, position: int, printer_ref: str | None, unassigned: bool, as_json: bool
) -> None:
    """Move a queued job to a place in a queue (1 = next): its own, or the one named."""
    if printer_ref and unassigned:
        raise click.UsageError("Give --printer or --unassigned, not both.")
    ws = workspace(ctx)
    target: str | jobs.Unchanged | None = jobs.KEEP
    if unassigned:
        target = None
    elif printer_ref:
        target = records.resolve(ws, printers.SPEC, printer_ref).id
    queue = jobs.move_job(ws, records.resolve(ws, jobs.SPEC, job).id, position, printer_id=target)
    emit(ctx, queue, lambda: (job_line(j) for j in queue))


# ---------------------------------------------------------------- market events


@click.group("event")
def event_cmd() -> None:
    """Market events: create, list, plan, pack, sell, return, show, plan production, report."""


@event_cmd.command("create")
@click.argument("name")
@click.option("--starts", "starts_on", help="e.g. 2026-12-12")
@click.option("--ends", "ends_on")
@click.option("--venue", default="")
@click.option("--booth-fee", type=money, default="0")
@click.option("--travel", type=money, default="0")
@click.option("--theme", default="")
@json_option
@click.pass_context
@service
def event_create(
    ctx: click.Context,
    name: str,
    starts_on: str | None,
    ends_on: str | None,
    venue: str,
    booth_fee: int,
    travel: int,
    theme: str,
    as_json: bool,
) -> None:
    """Create a market event."""
    e = events.create_event(
        workspace(ctx),
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=venue,
        booth_fee_cents=booth_fee,
        travel_cost_cents=travel,
        theme=theme,
    )
    emit(ctx, e, f"Created event {e.id[-8:]}  {e.name}  {e.starts_on or ''}")


def event_line(e: Any) -> str:
    return f"{e.id[-8:]}  {e.starts_on or '':10}  {e.status:8} {e.name}"


event_list = list_command(event_cmd, "List events.", events.list_events, event_line)


@event_cmd.command("plan")
@click.argument("event")
@click.argument("product")
@click.argument("target", type=int)
@click.pass_context
@service
def event_plan(ctx: click.Context, event: str, product: str, target: int) -> None:
    """Put TARGET units of a product on an event's packing list."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    p = records.resolve(ws, products.SPEC, product)
    events.set_target(ws, e.id, p.id, target)
    click.echo(f"{e.name}: bring {target} x {p.name}")


@event_cmd.command("pack")
@click.argument("event")
@click.argument("product")
@click.argument("quantity", type=int)
@click.pass_context
@service
def event_pack(ctx: click.Context, event: str, product: str, quantity: int) -> None:
    """Move stock from home to the event."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    p = records.resolve(ws, products.SPEC, product)
    events.pack(ws, e.id, p.id, quantity)
    click.echo(f"Packed {quantity} x {p.name} for {e.name}")


@event_cmd.command("sell")
@click.argument("product")
@click.argument("quantity", type=int, default=1)
@click.option("--event", "event_ref", help="Sold at this event (from the stock packed for it).")
@click.option("--price", type=money, help="Unit price, if not the product's price.")
@click.option("--payment", type=click.Choice(events.PAYMENT_METHODS), default="cash", show_default=True)
@click.option("--stall", is_flag=True, help="Record it even beyond the stock on hand (it happened).")
@json_option
@click.pass_context
@service
def event_sell(
    ctx: click.Context,
    product: str,
    quantity: int,
    event_ref: str | None,
    price: int | None,
    payment: str,
    stall: bool,
    as_json: bool,
) -> None:
    """Record a sale."""
    ws = workspace(ctx)
    p = records.resolve(ws, products.SPEC, product)
    sale = events.sell(
        ws,
        p.id,
        quantity,
        unit_price_cents=price,
        payment_method=payment,
        at_stall=stall,
        event_id=optional_id(ws, events.SPEC, event_ref),
    )
    note = "  (more than on hand: check the stock)" if sale.oversold else ""
    emit(ctx, sale, f"Sold {quantity} x {p.name} at {fmt_money(sale.unit_price_cents)} ({payment}){note}")


@event_cmd.command("return")
@click.argument("event")
@json_option
@click.pass_context
@service
def event_return(ctx: click.Context, event: str, as_json: bool) -> None:
    """After the event: move what was not sold back home."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    returned = events.return_unsold(ws, e.id)
    emit(ctx, returned, f"Returned {sum(returned.values())} unsold units from {e.name}")


@event_cmd.command("show")
@click.argument("event")
@json_option
@click.pass_context
@service
def event_show(ctx: click.Context, event: str, as_json: bool) -> None:
    """An event's packing list with packed, sold and returned units."""
    ws = workspace(ctx)
    e = events.get_event(ws, records.resolve(ws, events.SPEC, event).id)
    lines = events.packing_list(ws, e.id)

    def human() -> Iterable[str]:
        yield f"{e.name}  {e.starts_on or ''}  {e.venue}  ({e.status})"
        yield f"  {'product':30} {'target':>6} {'packed':>6} {'sold':>6} {'back':>6} {'there':>6}"
        for line in lines:
            yield (
                f"  {line.product_name:30} {line.target:6} {line.packed:6} {line.sold:6} {line.returned:6} "
                f"{line.at_event:6}"
            )

    emit(ctx, {"event": e, "lines": lines}, human)


@event_cmd.command("plan-production")
@click.argument("event")
@click.option("--create", is_flag=True, help="Queue the planned jobs for the event.")
@json_option
@click.pass_context
@service
def event_plan_production(ctx: click.Context, event: str, create: bool, as_json: bool) -> None:
    """Print jobs for what an event's packing list still lacks (after stock and queued jobs)."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    plan = planning.plan_production(ws, e.id, create=create)
    data = {
        "event_id": e.id,
        "created": create,
        "lines": [
            {**dataclasses.asdict(line), "short": line.short, "units_planned": line.units_planned}
            for line in plan.lines
        ],
        "jobs": plan.jobs if create else [],
        "filament": filament_plan_json(plan.filament),
        "warnings": plan.warnings,
    }

    def human() -> Iterable[str]:
        yield f"{e.name}: production plan"
        yield (
            f"  {'product':28} {'target':>6} {'packed':>6} {'home':>6} {'queued':>6} {'short':>6}  to print"
        )
        for line in plan.lines:
            job = (
                f"{line.plates} x {line.variant_name} ({line.units_planned} units)"
                if line.plates
                else ("-" if not line.short else "cannot be printed")
            )
            yield (
                f"  {line.product_name:28} {line.target:6} {line.packed:6} {line.at_home:6} {line.queued:6} "
                f"{line.short:6}  {job}"
            )
        plates = sum(line.plates for line in plan.lines)
        if create and plates:
            yield f"Queued {plural(len(plan.jobs), 'job')} ({plural(plates, 'plate')})."
        elif plates:
            yield "Nothing is queued yet: run again with --create to queue these jobs."
        else:
            yield "Nothing to print: the stock and the queue cover the packing list."
        for warning in plan.warnings:
            yield f"warning: {warning}"

    emit(ctx, data, human)


@event_cmd.command("report")
@click.argument("event")
@json_option
@click.pass_context
@service
def event_report(ctx: click.Context, event: str, as_json: bool) -> None:
    """What an event sold and earned: per product, the costs, the profit and the takings by payment."""
    ws = workspace(ctx)
    report = reports.event_report(ws, records.resolve(ws, events.SPEC, event).id)
    e = report.event
    data = {
        "event": e,
        "lines": [{**dataclasses.asdict(line), "profit_cents": line.profit_cents} for line in report.lines],
        "units": report.units,
        "revenue_cents": report.revenue_cents,
        "cogs_cents": report.cogs_cents,
        "booth_fee_cents": e.booth_fee_cents,
        "travel_cost_cents": e.travel_cost_cents,
        "profit_cents": report.profit_cents,
        "by_payment": report.by_payment,
        "oversold": list(report.oversold),
    }

    def human() -> Iterable[str]:
        yield f"{e.name}  {e.starts_on or ''}  {e.venue}  ({e.status})"
        yield f"  {'product':30} {'units':>6} {'revenue':>10} {'cost':>10} {'profit':>10}"
        for line in report.lines:
            yield (
                f"  {line.name:30} {line.units:6} {fmt_money(line.revenue_cents):>10} "
                f"{fmt_money(line.cogs_cents):>10} {fmt_money(line.profit_cents):>10}"
            )
        gross = report.revenue_cents - report.cogs_cents
        yield (
            f"  {'total':30} {report.units:6} {fmt_money(report.revenue_cents):>10} "
            f"{fmt_money(report.cogs_cents):>10} {fmt_money(gross):>10}"
        )
        yield f"Booth fee {fmt_money(e.booth_fee_cents)}, travel {fmt_money(e.travel_cost_cents)}"
        yield f"Profit {fmt_money(report.profit_cents)}"
        yield "By payment: " + ", ".join(f"{m} {fmt_money(c)}" for m, c in report.by_payment.items())
        if report.oversold:
            yield f"Sold beyond the stock (count again): {', '.join(report.oversold)}"

    emit(ctx, data, human)


# ---------------------------------------------------------------- selling at the stall


@click.group("stall")
def stall_cmd() -> None:
    """Selling at the market: sell (by name, id, SKU or a scanned label), undo, the day's takings."""


def product_by_code(ws: Workspace, text: str) -> str:
    """The product a scanned label code, a SKU, an id or a name names."""
    found = labels.find_by_code(ws, text)
    if found is not None and found.kind != "product":
        raise ValidationError(f"{text.strip()!r} is the label of a {found.kind}, not of a product.")
    return found.id if found is not None else records.resolve(ws, products.SPEC, text).id


def day_json(day: stall.Day) -> dict[str, Any]:
    return {**dataclasses.asdict(day), "day": day.day.isoformat()}


def day_line(day: stall.Day) -> str:
    counts = f"{plural(day.sales, 'sale')}, {plural(day.units, 'unit')}"
    paid = ", ".join(f"{m} {fmt_money(c)}" for m, c in day.by_payment.items())
    return f"{day.day.isoformat()}: {counts}, {fmt_money(day.total_cents)} ({paid})"


@stall_cmd.command("sell")
@click.argument("event")
@click.argument("product")
@click.argument("quantity", type=int, default=1)
@click.option("--payment", type=click.Choice(events.PAYMENT_METHODS), default="cash", show_default=True)
@json_option
@click.pass_context
@service
def stall_sell(
    ctx: click.Context, event: str, product: str, quantity: int, payment: str, as_json: bool
) -> None:
    """Record a sale at the stall (always recorded: beyond the units packed it is flagged to count again)."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    product_id = product_by_code(ws, product)
    sale = stall.sell(ws, e.id, product_id, quantity, payment)
    today = stall.day(ws, e.id)
    name = products.get_product(ws, product_id).name
    note = "  (more than was packed: count the stock)" if sale.oversold else ""

    def human() -> Iterable[str]:
        yield f"Sold {quantity} x {name} at {fmt_money(sale.unit_price_cents)} ({payment}){note}"
        yield f"Today {day_line(today)}"

    emit(ctx, {"sale": sale, "day": day_json(today)}, human)


@stall_cmd.command("undo")
@click.argument("event")
@json_option
@click.pass_context
@service
def stall_undo(ctx: click.Context, event: str, as_json: bool) -> None:
    """Take back the newest sale of today at the event."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    undone = stall.undo_last(ws, e.id)
    if undone is None:
        emit(ctx, {"undone": None}, "No sale of today to take back.")
        return
    name = products.get_product(ws, undone.product_id).name
    emit(
        ctx,
        {"undone": undone},
        f"Took back {-undone.quantity} x {name} ({fmt_money(-undone.quantity * undone.unit_price_cents)})",
    )


@stall_cmd.command("day")
@click.argument("event")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@json_option
@click.pass_context
@service
def stall_day(ctx: click.Context, event: str, on: datetime | None, as_json: bool) -> None:
    """A day's sales at the event: count, units, takings by payment, and the sale undo would take back."""
    ws = workspace(ctx)
    e = records.resolve(ws, events.SPEC, event)
    day = stall.day(ws, e.id, on.date() if on else None)

    def human() -> Iterable[str]:
        yield f"{e.name} {day_line(day)}"
        last = day.last_sale
        if last is not None:
            name = products.get_product(ws, last.product_id).name
            price = fmt_money(last.unit_price_cents)
            yield f"Last sale: {last.quantity} x {name} at {price} ({last.payment_method})"

    emit(ctx, day_json(day), human)


@click.command("alerts")
@json_option
@click.pass_context
@service
def alerts_cmd(ctx: click.Context, as_json: bool) -> None:
    """What needs attention: low stock, low filament, oversold products, licences that forbid selling."""
    found = reports.alerts(workspace(ctx))

    def human() -> Iterable[str]:
        if not found:
            yield "Nothing needs attention."
        for alert in found:
            yield f"{alert.severity:8} {alert.message}"

    emit(ctx, found, human)


# ---------------------------------------------------------------- labels


@click.group("label")
def label_cmd() -> None:
    """QR labels for spools and products (a PDF to print), and what a scanned code names (find)."""


def label_options(func: Callable[P, T]) -> Callable[P, T]:
    for option in (
        click.option("--skip", type=int, default=0, help="Leave this many places empty on the first sheet."),
        click.option("--copies", type=int, default=1, show_default=True, help="Copies of each label."),
        click.option(
            "--page",
            type=click.Choice(list(labels.PAGES)),
            default="A4",
            show_default=True,
            help="A4: 21 labels a sheet (63.5 x 38.1 mm); label-62mm: one 62 x 29 mm label a page.",
        ),
        click.option(
            "--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Write the labels to this PDF."
        ),
    ):
        func = option(func)
    return func


def print_labels(
    ctx: click.Context, items: list[labels.Label], pdf: Path | None, page: str, copies: int, skip: int
) -> None:
    pages = labels.labels_pdf(items, pdf, page=page, copies=copies, skip=skip) if pdf else 0

    def human() -> Iterable[str]:
        for label in items:
            yield f"{label.code}  {label.title}"
            for line in label.lines:
                yield f"  {line}"
        if pdf:
            count = len(items) * copies
            yield f"Wrote {plural(count, 'label')} on {plural(pages, 'page')} to {pdf}"

    emit(ctx, {"labels": items, "pdf": str(pdf) if pdf else None, "pages": pages}, human)


@label_cmd.command("spool")
@click.argument("spools", nargs=-1, required=True, metavar="SPOOL...")
@label_options
@json_option
@click.pass_context
@service
def label_spool(
    ctx: click.Context,
    spools: tuple[str, ...],
    pdf: Path | None,
    page: str,
    copies: int,
    skip: int,
    as_json: bool,
) -> None:
    """Labels of spools: filament, weight left, location, lot and the code."""
    ws = workspace(ctx)
    items = [labels.label_for_spool(ws, records.resolve(ws, filament.SPOOL, ref).id) for ref in spools]
    print_labels(ctx, items, pdf, page, copies, skip)


@label_cmd.command("product")
@click.argument("items_refs", nargs=-1, required=True, metavar="PRODUCT...")
@label_options
@json_option
@click.pass_context
@service
def label_product(
    ctx: click.Context,
    items_refs: tuple[str, ...],
    pdf: Path | None,
    page: str,
    copies: int,
    skip: int,
    as_json: bool,
) -> None:
    """Labels of products: name, SKU, price and the code."""
    ws = workspace(ctx)
    items = [labels.label_for_product(ws, records.resolve(ws, products.SPEC, ref).id) for ref in items_refs]
    print_labels(ctx, items, pdf, page, copies, skip)


@label_cmd.command("find")
@click.argument("code")
@json_option
@click.pass_context
@service
def label_find(ctx: click.Context, code: str, as_json: bool) -> None:
    """The spool or product a scanned or typed label code (or a product's SKU) names."""
    ws = workspace(ctx)
    found = labels.find_by_code(ws, code)
    if found is None:
        click.echo(f"Error: No label and no product SKU is {code.strip()!r}.", err=True)
        sys.exit(1)
    label = (
        labels.label_for_spool(ws, found.id)
        if found.kind == "spool"
        else labels.label_for_product(ws, found.id)
    )

    def human() -> Iterable[str]:
        yield f"{found.kind} {found.id[-8:]}  {label.title}"
        for line in label.lines:
            yield f"  {line}"

    emit(ctx, {**dataclasses.asdict(found), "label": label}, human)


@click.command("settings")
@click.argument("key", required=False)
@click.argument("value", required=False)
@json_option
@click.pass_context
@service
def settings_cmd(ctx: click.Context, key: str | None, value: str | None, as_json: bool) -> None:
    """Show all settings, show one (KEY), or change one (KEY VALUE)."""
    ws = workspace(ctx)
    if key is not None and value is not None:
        default = settings.SETTINGS[key].default if key in settings.SETTINGS else ""
        typed: Any = int(value) if isinstance(default, int) and value.lstrip("-").isdigit() else value
        settings.set_value(ws, key, typed)
    values = settings.get_all(ws) if key is None else {key: settings.get(ws, key)}
    emit(ctx, values, lambda: (f"{k:28} {v}" for k, v in values.items()))


COMMANDS: list[click.Command] = [
    import_cmd,
    inspect_cmd,
    export_cmd,
    restore_cmd,
    backup_cmd,
    audit_cmd,
    printer_cmd,
    filament_cmd,
    spool_cmd,
    model_cmd,
    variant_cmd,
    product_cmd,
    stock_cmd,
    job_cmd,
    event_cmd,
    stall_cmd,
    alerts_cmd,
    label_cmd,
    settings_cmd,
]


def main() -> None:
    """The command line without the window (the app's own entry point adds it)."""
    build_cli()(prog_name="printstall")
