"""The Dashboard tab: the alerts a maker should act on (warnings first), the four charts with the numbers the
services give (read back from the matplotlib axes: what the user sees), refreshing only when shown and drawing
only what changed, the empty states, and matplotlib loaded only once the dashboard is first shown."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

import core.changes
from core.services import events, filament, jobs, library, printers, products, reports, settings, stall
from core.services.reports import EventSales, StockLevel
from core.timeutil import to_text
from desktop.context import AppContext
from desktop.dialogs.units import MG_PER_OZ
from desktop.main_window import MainWindow
from desktop.tabs.dashboard import DashboardTab
from desktop.tabs.dashboard.panel import ChartPanel
from desktop.tabs.dashboard.series import event_bars, short_month, stock_bars
from desktop.tabs.filament import FilamentTab
from desktop.tabs.products import ProductsTab
from tests.desktop.test_translation import OPEN, PseudoTranslator
from tests.desktop.windows import show_active

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stall:
    keyring: str
    tower: str
    lamp: str
    spools: tuple[str, str]
    market: str
    mk4: str
    variant: str


@pytest.fixture
def earlier(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime | None]]:
    """Set `earlier[0]` to a moment and what the services write is stamped then (a print that took hours)."""
    moment: list[datetime | None] = [None]
    real = core.changes.now_text
    monkeypatch.setattr(core.changes, "now_text", lambda: to_text(moment[0]) if moment[0] else real())
    yield moment


def stock_the_stall(ctx: AppContext, earlier: list[datetime | None]) -> Stall:
    """A keyring printed six to a plate, a dice tower down to its low level, a lamp whose licence forbids
    selling, orange PLA low over its two spools together, a market that sold four keyrings, a plate printed in
    two hours and three more queued."""
    ws = ctx.workspace
    mk4 = printers.add_printer(ws, name="MK4", power_w=120)
    orange = filament.add_filament(
        ws, brand="Prusament", material="PLA", colour_name="Orange", price_cents=2500, low_stock_mg=300_000
    )
    spools = (
        filament.add_spool(ws, filament_id=orange.id).id,
        filament.add_spool(ws, filament_id=orange.id).id,
    )
    for spool in spools:
        filament.record_usage(ws, spool, 900_000)  # 100 g left on each: neither is low alone
    planet = library.add_model(ws, name="Planet", licence_spdx="CC-BY-4.0", licence_allows_selling=True)
    variant = library.add_variant(
        ws,
        model_id=planet.id,
        name="Planet, orange PLA",
        printer_id=mk4.id,
        units_per_plate=6,
        materials=[library.MaterialInput(slot=0, grams_mg=18_400, material="PLA")],
        print_time_s=2 * 3600 + 10 * 60,
    )
    keyring = products.add_product(
        ws, name="Planet keyring", variant_id=variant.id, price_cents=600, low_stock=5
    )
    products.adjust_stock(ws, keyring.id, 20, reason="count")
    tower = products.add_product(ws, name="Dice tower", price_cents=2400, cost_cents=900, low_stock=2)
    products.adjust_stock(ws, tower.id, 2, reason="count")
    moon = library.add_model(ws, name="Moon Lamp", licence_spdx="CC-BY-NC-4.0", licence_allows_selling=False)
    lamp_variant = library.add_variant(ws, model_id=moon.id, name="Moon lamp, white PLA")
    lamp = products.add_product(ws, name="Moon lamp", variant_id=lamp_variant.id, price_cents=3900)
    market = events.create_event(ws, name="Christmas market", starts_on="2026-11-28", booth_fee_cents=1000)
    events.pack(ws, market.id, keyring.id, 10)
    stall.sell(ws, market.id, keyring.id, 4, "cash")
    job = jobs.queue_job(ws, variant.id, printer_id=mk4.id)
    earlier[0] = datetime.now(UTC) - timedelta(hours=2)
    jobs.start_job(ws, job.id, spools={0: spools[0]})
    earlier[0] = None
    jobs.finish_job(ws, job.id)
    jobs.queue_job(ws, variant.id, copies=3, printer_id=mk4.id)
    return Stall(keyring.id, tower.id, lamp.id, spools, market.id, mk4.id, variant.id)


def drawn(qtbot: QtBot, tab: DashboardTab) -> DashboardTab:
    """Wait for the charts (matplotlib loads just after a dashboard is first shown)."""
    qtbot.waitUntil(lambda: tab.charts is not None and not tab.stale, timeout=60_000)
    return tab


def open_tab(qtbot: QtBot, ctx: AppContext) -> DashboardTab:
    return drawn(qtbot, show_active(qtbot, DashboardTab(ctx), 1280, 800))


def axes(panel: ChartPanel) -> object:
    [ax] = panel.canvas.figure.axes
    return ax


def heights(container: object) -> list[float]:
    return [round(bar.get_height(), 4) for bar in container]  # type: ignore[attr-defined]


def widths(container: object) -> list[float]:
    return [bar.get_width() for bar in container]  # type: ignore[attr-defined]


def tick_texts(labels: list[object]) -> list[str]:
    return [label.get_text() for label in labels]  # type: ignore[attr-defined]


def legend_texts(ax: object) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]  # type: ignore[attr-defined]


def alert_texts(tab: DashboardTab) -> list[str]:
    return [str(tab.alerts.index(row, 0).data()) for row in range(tab.alerts.rowCount())]


# ---------------------------------------------------------------- alerts


def test_the_alerts_list_warnings_first_with_each_message(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    stock_the_stall(ctx, earlier)
    unknown = library.add_model(ctx.workspace, name="Cat")
    cat = library.add_variant(ctx.workspace, model_id=unknown.id, name="Cat, grey PLA")
    products.add_product(ctx.workspace, name="Cat figure", variant_id=cat.id)
    tab = open_tab(qtbot, ctx)
    assert alert_texts(tab) == [
        "Dice tower is low: 2 left (low at 2).",
        # 100 g on one spool, 81.6 g on the other after the print: each above nothing, together under 300 g
        "Prusament PLA Orange is low: 182 g left on the shelf (low at 300 g).",
        "Moon lamp: the licence of Moon Lamp (CC-BY-NC-4.0) does not allow selling prints.",
        "Cat figure: check whether the licence of Cat allows selling prints.",
    ]
    assert tab.alert_count.text() == "3 warnings · 1 note"
    assert tab.alert_list.isVisible() and not tab.all_fine.isVisible()
    first = tab.alerts.index(0, 0)
    assert first.data(Qt.ItemDataRole.AccessibleTextRole) == "Warning: Dice tower is low: 2 left (low at 2)."
    last = tab.alerts.index(3, 0)
    assert str(last.data(Qt.ItemDataRole.AccessibleTextRole)).startswith("Note: Cat figure")
    assert "Products tab" in str(last.data(Qt.ItemDataRole.ToolTipRole))


def test_an_alert_leads_to_its_product_or_filament(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    shop = stock_the_stall(ctx, earlier)
    window = show_active(qtbot, MainWindow(ctx), 1300, 850)
    dashboard = window.findChild(DashboardTab)
    assert isinstance(dashboard, DashboardTab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is dashboard
    assert QApplication.focusWidget() is dashboard.alert_list

    qtbot.keyClick(dashboard.alert_list, Qt.Key.Key_Down)  # to the filament's alert
    assert dashboard.selected_alert() is not None
    assert dashboard.selected_alert().kind == "filament_stock"  # type: ignore[union-attr]
    qtbot.keyClick(dashboard.alert_list, Qt.Key.Key_Return)
    shelf = window.findChild(FilamentTab)
    assert window.tabs.currentWidget() is shelf
    assert shelf.selected_key() == shop.spools[0]  # the emptiest of its spools (the print used it)

    window.show_tab(window.tabs.indexOf(dashboard))
    dashboard.alert_list.setCurrentIndex(dashboard.alerts.index(2, 0))  # the lamp's licence
    window.fill_edit_menu()
    [show] = [a for a in window.edit_menu.actions() if a.text() == "&Show in its tab"]
    show.trigger()
    goods = window.findChild(ProductsTab)
    assert window.tabs.currentWidget() is goods and goods.selected().id == shop.lamp


# ---------------------------------------------------------------- charts


def test_the_charts_show_the_series_of_the_services(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    stock_the_stall(ctx, earlier)
    tab = open_tab(qtbot, ctx)
    assert all(panel.showing_chart() for panel in tab.panels())

    # Revenue and profit per event: a pair of bars, in euros.
    (sales,) = reports.sales_per_event(ctx.workspace)
    ax = axes(tab.events_chart)
    revenue, profit = ax.containers  # type: ignore[attr-defined]
    assert heights(revenue) == [24.0] and heights(profit) == [sales.profit_cents / 100]
    assert tick_texts(ax.get_xticklabels()) == [f"Christmas\nmarket\n{short_month(11)} 2026"]  # type: ignore[attr-defined]
    assert legend_texts(ax) == ["Revenue", "Profit"] + (["Loss"] if sales.profit_cents < 0 else [])
    assert ax.get_ylabel() == "EUR"  # type: ignore[attr-defined]
    assert tab.events_chart.accessibleName() == "Revenue and profit per event chart"
    assert tab.events_chart.accessibleDescription().startswith("Christmas market: revenue 24.00 EUR, profit ")
    assert tab.events_chart.toolTip() == tab.events_chart.accessibleDescription()

    # Stock per product: by name, the low ones in the warning colour, the low-stock levels marked.
    ax = axes(tab.stock_chart)
    (bars,) = ax.containers  # type: ignore[attr-defined]
    assert tick_texts(ax.get_yticklabels()) == ["Dice tower", "Moon lamp", "Planet keyring"]  # type: ignore[attr-defined]
    assert widths(bars) == [2, 0, 20 + 6 - 10]  # counted, plus a plate of six, less ten packed
    style = tab.stock_chart.style_key
    colours = [QColor.fromRgbF(*bar.get_facecolor()).name() for bar in bars]
    assert colours == [style.warning, style.warning, style.plain]  # type: ignore[attr-defined]
    (levels,) = ax.collections  # type: ignore[attr-defined]
    assert sorted({x for segment in levels.get_segments() for x, _ in segment}) == [2, 5]
    assert legend_texts(ax) == ["Low", "Low-stock level"]
    assert "Dice tower: 2 on hand, low (low at 2)" in tab.stock_chart.toolTip()

    # Filament used per month: the last twelve, this one holding 900 g off each spool and the plate's 18.4 g.
    ax = axes(tab.months_chart)
    (months,) = ax.containers  # type: ignore[attr-defined]
    assert len(months) == 12 and heights(months) == [0.0] * 11 + [1818.4]
    assert tick_texts(ax.get_xticklabels())[-1].split("\n")[0] == short_month(datetime.now().month)  # type: ignore[attr-defined]
    assert ax.get_ylabel() == "g"  # type: ignore[attr-defined]

    # Printer load: two hours this week on the MK4, three plates of 2 h 10 min queued.
    ax = axes(tab.load_chart)
    week, queued = ax.containers  # type: ignore[attr-defined]
    assert (
        len(week) == 8
        and heights(week)[:-1] == [0.0] * 7
        and heights(week)[-1] == pytest.approx(2.0, abs=0.01)
    )
    assert heights(queued) == [6.5]
    assert tick_texts(ax.get_xticklabels())[-1] == "Queued\nnow"  # type: ignore[attr-defined]
    assert legend_texts(ax) == ["MK4"]
    assert "MK4: 2 h printed, 6.5 h queued now" in tab.load_chart.accessibleDescription()


def test_weights_follow_the_unit_setting(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    stock_the_stall(ctx, earlier)
    tab = open_tab(qtbot, ctx)
    ctx.ops.run(settings.set_value, ctx.workspace, "weight_unit", "oz", changes={"settings"})
    ax = axes(tab.months_chart)
    (months,) = ax.containers  # type: ignore[attr-defined]
    assert heights(months)[-1] == round(float(Decimal(1_818_400) / MG_PER_OZ), 4)
    assert ax.get_ylabel() == "oz"  # type: ignore[attr-defined]


def test_a_change_is_shown_when_the_tab_is_next_shown_and_only_changed_charts_are_drawn(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    shop = stock_the_stall(ctx, earlier)
    tab = open_tab(qtbot, ctx)
    before = [panel.drawings for panel in tab.panels()]
    tab.hide()  # another tab is up
    ctx.ops.run(stall.sell, ctx.workspace, shop.market, shop.keyring, 2, "card", changes={"sales", "stock"})
    assert tab.stale
    (revenue, _profit) = axes(tab.events_chart).containers  # type: ignore[attr-defined]
    assert heights(revenue) == [24.0]  # nothing read or drawn while hidden

    tab.show()
    assert not tab.stale
    (revenue, _profit) = axes(tab.events_chart).containers  # type: ignore[attr-defined]
    assert heights(revenue) == [36.0]
    # Selling at the event leaves the stock at home, the filament and the queue as they were.
    assert [panel.drawings for panel in tab.panels()] == [before[0] + 1, *before[1:]]

    # A change while shown is drawn at once; one that changes no number draws nothing.
    ctx.ops.run(products.adjust_stock, ctx.workspace, shop.tower, 5, changes={"stock"})
    assert widths(axes(tab.stock_chart).containers[0])[0] == 7  # type: ignore[attr-defined]
    assert "Dice tower is low: 2 left (low at 2)." not in alert_texts(tab)
    drawings = [panel.drawings for panel in tab.panels()]
    ctx.ops.changed.emit(frozenset({"models", "jobs"}))
    assert [panel.drawings for panel in tab.panels()] == drawings


def test_the_charts_follow_the_theme(qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]) -> None:
    stock_the_stall(ctx, earlier)
    tab = open_tab(qtbot, ctx)
    dark = QPalette(tab.palette())
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2d30"),
        (QPalette.ColorRole.Base, "#1f2023"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
    ):
        dark.setColor(role, QColor(colour))
    drawings = [panel.drawings for panel in tab.panels()]
    tab.setPalette(dark)
    assert [panel.drawings for panel in tab.panels()] == [n + 1 for n in drawings]
    figure = tab.events_chart.canvas.figure
    assert QColor.fromRgbF(*figure.get_facecolor()).name() == "#1f2023"
    ax = figure.axes[0]
    assert QColor.fromRgbF(*ax.get_facecolor()).name() == "#1f2023"
    assert ax.get_xticklabels()[0].get_color() == "#e6e6e6"


def test_crowded_charts_keep_what_needs_attention(qapp: object) -> None:
    names = [f"Product {letter}" for letter in "ABCDEFGHIJKL"]
    levels = [StockLevel(f"p{n}", name, 20, 5) for n, name in enumerate(names)]
    levels[3] = StockLevel("p3", "Product D", 5, 5)  # low
    levels[11] = StockLevel("p11", "Product L", -1, 5)  # oversold
    bars = stock_bars(levels)
    assert bars.names == tuple(f"Product {letter}" for letter in "ABCDEFGL")  # the low ones, then by name
    assert bars.states == ("", "", "", "low", "", "", "", "oversold")
    assert bars.note() == "8 of 12 products, every low one among them."

    sales = [EventSales(f"e{n}", f"Market {n}", f"2026-0{n + 1}-01", 1000 * n, 100 * n) for n in range(7)]
    pairs = event_bars(sales, "EUR")
    assert pairs.names == tuple(f"Market {n}" for n in range(2, 7))  # the five most recent
    assert pairs.labels[0] == f"Market 2\n{short_month(3)} 2026"
    assert pairs.note() == "The last 5 events with sales."


# ---------------------------------------------------------------- empty


def test_with_no_data_yet_each_chart_says_what_will_fill_it(qtbot: QtBot, ctx: AppContext) -> None:
    tab = open_tab(qtbot, ctx)
    assert tab.all_fine.isVisible() and not tab.alert_list.isVisible()
    assert tab.alert_count.text() == ""
    for panel in tab.panels():
        assert not panel.showing_chart() and panel.drawings == 0
        assert panel.message.isVisible() and panel.accessibleDescription() == panel.message.text()
    assert tab.events_chart.message.text().startswith("No sales yet.")
    assert tab.stock_chart.message.text().startswith("No products yet.")
    assert tab.months_chart.message.text().startswith("No filament used in the last 12 months.")
    assert tab.load_chart.message.text().startswith("No printers yet.")

    printers.add_printer(ctx.workspace, name="MK4")
    ctx.ops.changed.emit(frozenset({"printers"}))
    assert tab.load_chart.message.text() == "Nothing printed in the last 8 weeks and nothing queued."
    tab.focus_main()
    assert QApplication.focusWidget() is tab.events_chart  # no alerts: the first chart


# ---------------------------------------------------------------- start-up


def test_matplotlib_is_imported_only_when_the_dashboard_is_first_shown(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["PRINTSTALL_CONFIG_DIR"] = {str(tmp_path / "config")!r}
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        from desktop.none_guard import protect_none
        protect_none()
        from core.workspace import Workspace
        from desktop.context import AppContext
        from desktop.main_window import MainWindow
        from desktop.ops import Operations
        from desktop.tabs.dashboard import DashboardTab
        app = QApplication([])
        ws = Workspace.open(Path({str(tmp_path / "data")!r}))
        settings = QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat)
        window = MainWindow(AppContext(ws, Operations(synchronous=True), settings))
        window.show()
        app.processEvents()
        print("at start", "matplotlib" in sys.modules)
        tab = window.findChild(DashboardTab)
        window.show_tab(window.tabs.indexOf(tab))
        window.ctx.ops.changed.emit(frozenset({{"sales"}}))  # a refresh while matplotlib loads
        print("while loading", tab.events_chart.message.text())
        deadline = time.monotonic() + 60
        while tab.charts is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        print("once shown", "matplotlib" in sys.modules, tab.charts is not None)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "at start False" in result.stdout, result.stdout
    assert "while loading Drawing the charts…" in result.stdout
    assert "once shown True True" in result.stdout


def test_the_words_in_the_charts_are_translatable(
    qtbot: QtBot, ctx: AppContext, earlier: list[datetime | None]
) -> None:
    stock_the_stall(ctx, earlier)
    translator = PseudoTranslator()
    QCoreApplication.installTranslator(translator)
    try:
        tab = open_tab(qtbot, ctx)
        words = legend_texts(axes(tab.events_chart)) + legend_texts(axes(tab.stock_chart))
        words += [axes(tab.stock_chart).get_xlabel(), axes(tab.load_chart).get_ylabel()]  # type: ignore[attr-defined]
        words.append(tick_texts(axes(tab.load_chart).get_xticklabels())[-1])  # type: ignore[attr-defined]
        assert words and all(word.startswith(OPEN) for word in words), words
        assert tab.load_chart.toolTip().startswith(OPEN)
    finally:
        QCoreApplication.removeTranslator(translator)
