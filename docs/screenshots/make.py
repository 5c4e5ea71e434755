"""Screenshots of every tab on realistic sample data, for the user guide.

    .venv/bin/python docs/screenshots/make.py [--dark]

Runs under Xvfb when one is there (`xvfb-run -a ... QT_QPA_PLATFORM=xcb`) or offscreen, builds a sample
data folder in a temporary directory through the same services the app uses, and writes one PNG per tab
next to this script, and a few of dialogs (the event report, planning, stall mode, the account dialog, the
sync state in the status bar).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect, QSettings  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget  # noqa: E402

import core.changes  # noqa: E402
from bench.bench_import import sphere_stl  # noqa: E402
from core.services import (  # noqa: E402
    backups,
    events,
    filament,
    jobs,
    library,
    printers,
    products,
    settings,
    stall,
)
from core.services.importing import import_paths  # noqa: E402
from core.workspace import Workspace  # noqa: E402
from desktop import theme  # noqa: E402
from desktop.context import AppContext  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.ops import Operations  # noqa: E402
from desktop.tabs.dashboard import DashboardTab  # noqa: E402
from desktop.tabs.events import EventsTab  # noqa: E402
from desktop.tabs.library.tab import LibraryTab  # noqa: E402
from desktop.tabs.products.tab import ProductsTab  # noqa: E402
from sync.client.runner import State, Status  # noqa: E402
from tests.core.files import SLICERS, write_cube  # noqa: E402

OUT = Path(__file__).resolve().parent


def sample_data(ws: Workspace, folder: Path) -> None:
    """A small shop: two printers, a shelf of filament, models with variants, products, a queue, events."""
    mk4 = printers.add_printer(ws, name="MK4", model="Original Prusa MK4", power_w=80, hourly_cost_cents=25)
    printers.add_printer(ws, name="A1 mini", model="Bambu Lab A1 mini", power_w=95, hourly_cost_cents=20)
    shelf = [
        ("Prusament", "PLA", "Galaxy Black", "#1A1A1A", 2499, 1_000_000, 650_000, "Shelf A"),
        ("Prusament", "PLA", "Orange", "#F28C28", 2499, 1_000_000, 910_000, "Shelf A"),
        ("Prusament", "PETG", "Jet Black", "#111111", 2699, 1_000_000, 120_000, "Shelf B"),
        ("Bambu", "PLA", "Jade White", "#F2F0E6", 2199, 1_000_000, 1_000_000, "Drawer 1"),
        ("Polymaker", "PLA", "Silk Blue", "#3B6FD6", 2899, 1_000_000, 480_000, "Drawer 1"),
    ]
    spools = []
    for brand, material, colour, hexcode, price, net, left, location in shelf:
        fil = filament.add_filament(
            ws, brand=brand, material=material, colour_name=colour, colour_hex=hexcode, price_cents=price,
            net_weight_mg=net, empty_spool_weight_mg=193_000, low_stock_mg=200_000,
        )  # fmt: skip
        spool = filament.add_spool(ws, filament_id=fil.id, location=location)
        if left < net and spools:  # the first spool's use is spread over the past months (past_season)
            filament.record_usage(ws, spool.id, net - left, note="sample")
        spools.append(spool)
    settings.set_value(ws, "labour_cents_per_hour", 1800)
    sphere_stl(folder / "Planet_Keyring.stl", 64, 18)
    write_cube(folder / "Dice_Tower.stl", 30)
    sphere_stl(folder / "Moon_Lamp.stl", 120, 40)
    import_paths(ws, [folder, SLICERS / "mini_cube_ps2.8.1.gcode", SLICERS / "mini_cube_b.bgcode"])
    variants = library.list_variants(ws)
    models = {m.name: m for m in library.list_models(ws)}
    about = {  # name in the library: (new name, designer, licence, selling allowed, category, tags)
        "Planet Keyring": (
            "Planet Keyring",
            "Jane Maker",
            "CC-BY-4.0",
            True,
            "Keyrings",
            ["space", "keyring"],
        ),
        "Dice Tower": ("Dice Tower", "Tabletop Tom", "CC-BY-4.0", True, "Games", ["dice", "tabletop"]),
        "Moon Lamp": ("Moon Lamp", "Luna Prints", "CC-BY-NC-4.0", False, "Lamps", ["space", "lamp"]),
        "mini cube b": ("Calibration cube", "Printstall", "CC0-1.0", True, "Calibration", ["test"]),
    }  # the other sliced cube keeps its file's name and an unknown licence: it wears the amber mark
    for name, (new_name, designer, spdx, selling, category, tags) in about.items():
        library.edit_model(
            ws, models[name].id, name=new_name, designer_name=designer, licence_spdx=spdx,
            licence_allows_selling=selling, category=category, tags=tags,
        )  # fmt: skip
    keyring_variant = library.add_variant(
        ws, model_id=models["Planet Keyring"].id, name="Planet keyring, orange PLA", material="PLA",
        printer_id=mk4.id, units_per_plate=6, print_time_s=2 * 3600 + 10 * 60,
        materials=[library.MaterialInput(slot=0, grams_mg=18_400, material="PLA", colour_hex="#F28C28")],
    )  # fmt: skip
    keyring = products.add_product(
        ws,
        name="Planet keyring",
        sku="KEY-PLANET",
        variant_id=keyring_variant.id,
        price_cents=600,
        low_stock=10,
    )
    tower = products.add_product(
        ws, name="Dice tower", sku="DICE-1", price_cents=2400, low_stock=2, cost_cents=850
    )
    bags = products.add_product(
        ws, name="Gift bag", sku="BAG-S", kind="packaging", price_cents=0, low_stock=50, cost_cents=12
    )
    products.edit_product(ws, keyring.id, labour_s=90)
    products.set_bom_line(ws, keyring.id, bags.id, 1)
    products.adjust_stock(ws, keyring.id, 24, reason="count")
    products.adjust_stock(ws, tower.id, 8, reason="count")
    products.adjust_stock(ws, bags.id, 40, reason="count")
    past_season(ws, mk4.id, keyring_variant.id, keyring.id, tower.id, [s.id for s in spools])
    done = jobs.queue_job(ws, keyring_variant.id, copies=2, printer_id=mk4.id)
    jobs.finish_job(ws, done.id, spools={0: spools[1].id})
    jobs.queue_job(ws, keyring_variant.id, copies=3, printer_id=mk4.id)
    if variants:
        jobs.queue_job(ws, variants[0].id, copies=1, printer_id=mk4.id)
    market = events.create_event(
        ws, name="Christmas market", starts_on="2026-12-12", ends_on="2026-12-13", venue="Town hall",
        booth_fee_cents=4000, travel_cost_cents=1500, theme="Winter",
    )  # fmt: skip
    events.set_target(ws, market.id, keyring.id, 30)
    events.set_target(ws, market.id, tower.id, 3)
    events.pack(ws, market.id, keyring.id, 20)
    events.pack(ws, market.id, tower.id, 2)
    fair = events.create_event(ws, name="Makers' fair", starts_on="2027-03-06", venue="Old brewery")
    events.set_target(ws, fair.id, keyring.id, 80)
    events.set_target(ws, fair.id, tower.id, 6)


def settle(app: QApplication, seconds: float = 0.5) -> None:
    """Let queued work (thumbnail decoding, delayed refreshes) finish before the picture is taken."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def show_model(app: QApplication, tab: LibraryTab, name: str) -> None:
    """Wait for the grid's thumbnails, then select one model so that the detail pane is filled."""
    deadline = time.monotonic() + 10
    while tab.thumbnails.busy and time.monotonic() < deadline:
        settle(app, 0.05)
    select_named(tab.view, name)
    deadline = time.monotonic() + 10
    settle(app)
    while (tab.pictures.busy or tab.variant_pictures.busy) and time.monotonic() < deadline:
        settle(app, 0.05)


def select_named(view: QAbstractItemView, name: str) -> None:
    """Make the row whose first column reads `name` the current one."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data() == name:
            view.setCurrentIndex(index)
            return


@contextlib.contextmanager
def dated(day: str, hour: int = 10) -> Iterator[None]:
    """Write sample history as if it happened on `day` (the records' clocks stay real; only the ledger times
    and job times that a user reads move), so the dashboard has months and weeks to show."""
    stamp = f"{day}T{hour:02d}:00:00.000000Z"
    original = core.changes.now_text
    core.changes.now_text = lambda: stamp
    try:
        yield
    finally:
        core.changes.now_text = original


def past_season(
    ws: Workspace, mk4: str, keyring_variant: str, keyring: str, tower: str, spools: list[str]
) -> None:
    """Three months of printing and two markets before today."""
    for month, grams in (("2026-08-20", 80_000), ("2026-09-18", 120_000), ("2026-10-15", 150_000)):
        with dated(month):
            filament.record_usage(ws, spools[0], grams, reason="manual", note="prints before Printstall")
    for week, copies in (("2026-11-02", 2), ("2026-11-10", 3), ("2026-11-17", 1), ("2026-11-24", 4)):
        job = jobs.queue_job(ws, keyring_variant, copies=copies, printer_id=mk4)
        with dated(week, 8):
            jobs.start_job(ws, job.id, spools={0: spools[1]})
        with dated(week, 8 + 2 * copies):
            jobs.finish_job(ws, job.id)
    for name, day, sold in (
        ("Autumn craft fair", "2026-10-17", (14, 2)),
        ("Harvest market", "2026-11-21", (22, 3)),
    ):
        fair = events.create_event(ws, name=name, starts_on=day, venue="Market square", booth_fee_cents=3000)
        with dated(day, 9):
            events.pack(ws, fair.id, keyring, sold[0] + 4)
            events.pack(ws, fair.id, tower, sold[1])
        with dated(day, 14):
            stall.sell(ws, fair.id, keyring, sold[0], "cash")
            stall.sell(ws, fair.id, tower, sold[1], "card")
        with dated(day, 18):
            events.return_unsold(ws, fair.id)


def main() -> int:
    dark = "--dark" in sys.argv
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    theme.apply(app, "dark" if dark else "light")
    with tempfile.TemporaryDirectory(prefix="printstall-shots-") as tmp:
        root = Path(tmp)
        os.environ["PRINTSTALL_CONFIG_DIR"] = str(root / "config")
        (root / "files").mkdir()
        with Workspace.open(root / "data") as ws:
            sample_data(ws, root / "files")
            ctx = AppContext(
                ws, Operations(synchronous=True), QSettings(str(root / "s.ini"), QSettings.Format.IniFormat)
            )
            window = MainWindow(ctx)
            window.resize(1280, 800)
            window.show()
            window.statusBar().clearMessage()  # it names the temporary data folder
            for index in range(window.tabs.count()):
                window.tabs.setCurrentIndex(index)
                page = window.tabs.widget(index)
                if isinstance(page, LibraryTab):
                    show_model(app, page, "Planet Keyring")
                elif isinstance(page, ProductsTab):
                    select_named(page.table, "Planet keyring")
                elif isinstance(page, DashboardTab):
                    deadline = time.monotonic() + 30
                    while page.charts is None and time.monotonic() < deadline:  # matplotlib loads on a thread
                        settle(app, 0.05)
                settle(app)
                name = window.tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
                path = OUT / f"{name}{'-dark' if dark else ''}.png"
                window.grab().save(str(path))
                print(path.relative_to(ROOT))
            market_screens(app, window, ws, "-dark" if dark else "")
            sync_screens(app, window, "-dark" if dark else "")
            backup_screens(app, window, ws, "-dark" if dark else "")
            window.close()
            window.deleteLater()
            app.processEvents()
    return 0


def save(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def market_screens(app: QApplication, window: MainWindow, ws: Workspace, suffix: str) -> None:
    """The event report of a past market, planning production for the next one, and stall mode at it."""
    tab = window.findChild(EventsTab)
    assert tab is not None
    window.show_tab(window.tabs.indexOf(tab))
    found = {e.name: e.id for e in events.list_events(ws)}
    tab.list.select(found["Harvest market"])
    tab.show_report()
    settle(app)
    save(window, f"event-report{suffix}")
    tab.pages.setCurrentIndex(0)
    tab.list.select(found["Makers' fair"])
    settle(app)
    dialog = tab.plan_production()
    assert dialog is not None
    dialog.resize(1000, 460)
    settle(app)
    save(dialog, f"plan-production{suffix}")
    dialog.close()
    tab.list.select(found["Christmas market"])
    settle(app)
    stall_window = tab.open_stall()
    assert stall_window is not None
    stall_window.showNormal()
    stall_window.resize(1280, 800)
    products_by_name = {p.name: p.id for p in products.list_products(ws)}
    for name, quantity, method in (
        ("Planet keyring", 2, "cash"),
        ("Planet keyring", 1, "card"),
        ("Dice tower", 1, "card"),
    ):
        stall_window.set_quantity(quantity)
        stall_window.set_payment_method(method)
        tile = stall_window.grid.tile_for(products_by_name[name])
        assert tile is not None
        tile.click()
        settle(app, 0.7)  # past the tile's flash
    save(stall_window, f"stall-mode{suffix}")
    stall_window.close()


def sync_screens(app: QApplication, window: MainWindow, suffix: str) -> None:
    """The account dialog's sign-in page, and the status bar's sync state after a sync."""
    dialog = window.open_account()
    dialog.email.setText("maker@example.com")
    dialog.advanced.setChecked(True)
    dialog.adjustSize()
    settle(app)
    save(dialog, f"account{suffix}")
    dialog.close()
    synced = datetime.now().astimezone().replace(hour=11, minute=42)  # shown as 11:42, local time
    window.sync_status.show_status(Status(State.UP_TO_DATE, last_synced_at=synced))
    window.sync_status.sync_now.setEnabled(True)  # as when signed in
    window.statusBar().clearMessage()
    settle(app)
    bar = window.statusBar()
    width = min(bar.width(), 480)
    path = OUT / f"sync-status{suffix}.png"
    bar.grab(QRect(bar.width() - width, 0, width, bar.height())).save(str(path))
    print(path.relative_to(ROOT))


def backup_screens(app: QApplication, window: MainWindow, ws: Workspace, suffix: str) -> None:
    """File ▸ Restore from backup, with a daily backup and one made by hand."""
    backups.create_backup(ws, "daily", now=datetime(2026, 11, 28, 9, tzinfo=UTC))
    backups.create_backup(ws, "manual", now=datetime(2026, 11, 29, 18, 30, tzinfo=UTC))
    dialog = window.open_backups()
    settle(app)
    save(dialog, f"backups{suffix}")
    dialog.close()


if __name__ == "__main__":
    sys.exit(main())
