"""The Dashboard tab: what needs attention (low stock, low filament, licences that forbid selling), then four
charts: revenue and profit per event, stock per product, filament used per month, and each printer's load.

Everything it shows comes from `core.services.reports`. It refreshes from `ctx.ops.changed` like every tab,
but only while it is shown: a change while another tab is up marks it stale, and it reloads when it is next
shown. A chart is drawn again only when its numbers (or the theme) changed. matplotlib is imported on a
thread the first time the tab is shown, never at start-up: the alerts are there at once, the charts a moment
later.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from core.services import reports
from core.services.reports import Alert
from desktop.context import AppContext
from desktop.dialogs.forms import currency, weight_unit
from desktop.tabs.dashboard.alerts import AlertsModel, ordered, subject
from desktop.tabs.dashboard.panel import ChartPanel
from desktop.widgets import colours
from desktop.widgets.actions import tab_action
from desktop.widgets.keyboard import tab_order
from desktop.widgets.keyed_model import RowRole

log = logging.getLogger(__name__)

# Everything the dashboard shows depends on one of these (licences on models, stock on products and sales,
# filament use on spools and jobs, load on printers and jobs; money and weights on the settings).
KINDS = frozenset(
    {"models", "variants", "filament", "spools", "products", "stock", "printers", "jobs", "events", "sales"}
    | {"settings"}
)
CHARTS_MODULE = "desktop.tabs.dashboard.charts"
MAX_ALERT_ROWS = 5  # the list scrolls beyond that, so the charts keep their room


class ChartsLoader(QObject):
    """Imports the charts module (and so matplotlib) once per process, just after the tab has painted its
    "Drawing the charts…" placeholder; `done` carries "" or the reason it failed.

    The import runs on the UI thread (a one-time pause of under a second). It ran on a thread at first, but
    importing matplotlib beside a running Qt event loop crashed the process now and then (PySide6 6.12)."""

    done = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.started = False
        self.error = ""
        self._module: ModuleType | None = None  # set once the import has finished (not while it runs)

    def module(self) -> ModuleType | None:
        """The charts module once it is loaded; None before (or when it could not be)."""
        return self._module

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        QTimer.singleShot(50, self._run)  # after the placeholder is on screen

    def _run(self) -> None:
        error = ""
        try:
            self._module = importlib.import_module(CHARTS_MODULE)
        except Exception as exc:  # shown in the panels; the rest of the app goes on
            log.exception("Could not load the charts")
            error = str(exc) or type(exc).__name__
        self.error = error
        self.done.emit(error)


_loader: ChartsLoader | None = None


def charts_loader() -> ChartsLoader:
    """The one loader (made on the UI thread, so `done` is delivered there)."""
    global _loader
    if _loader is None:
        _loader = ChartsLoader()
    return _loader


class DashboardTab(QWidget):
    refreshed = Signal()  # the alerts and the charts show the data as it is now
    # ("product" or "filament", its id): the user asked to see what an alert is about; the window shows it
    show_subject = Signal(str, str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.stale = True  # nothing is read before the tab is first shown
        self.charts: ModuleType | None = None
        self._waiting = False  # for the charts loader
        self.alerts = AlertsModel(self.palette())
        self._build_actions()
        self._build()
        ctx.ops.changed.connect(self._on_changed)

    # ---------------------------------------------------------------- building

    def _build_actions(self) -> None:
        self.act_show = tab_action(
            self,
            self.tr("&Show in its tab"),
            None,
            self.show_selected,
            self.tr("Show what the selected alert is about in its tab"),
        )
        self.act_show.setToolTip(self.tr("Show what the selected alert is about in its tab (Enter)"))
        self.act_show.setEnabled(False)

    def _build(self) -> None:
        title = QLabel(self.tr("&Alerts"))
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        self.alert_count = QLabel()
        self.alert_count.setAccessibleName(self.tr("Number of alerts"))
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.alert_count, 1)

        self.alert_list = QListView()
        self.alert_list.setAccessibleName(self.tr("Alerts"))
        self.alert_list.setModel(self.alerts)
        self.alert_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.alert_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.alert_list.setUniformItemSizes(True)
        self.alert_list.setAlternatingRowColors(True)
        self.alert_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.alert_list.activated.connect(lambda _index: self.show_selected())
        self.alert_list.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        title.setBuddy(self.alert_list)
        self.all_fine = QLabel(
            "\u2713 " + self.tr("Nothing needs your attention: stock, filament and licences are fine.")
        )
        self.all_fine.setWordWrap(True)
        self.all_fine.hide()

        self.events_chart = ChartPanel(
            self.tr("Revenue and profit per event"), self.tr("Revenue and profit per event chart")
        )
        self.stock_chart = ChartPanel(self.tr("Stock per product"), self.tr("Stock per product chart"))
        self.months_chart = ChartPanel(
            self.tr("Filament used per month"), self.tr("Filament used per month chart")
        )
        self.load_chart = ChartPanel(self.tr("Printer load per week"), self.tr("Printer load per week chart"))
        grid = QGridLayout()
        grid.setSpacing(10)
        for number, panel in enumerate(self.panels()):
            grid.addWidget(panel, number // 2, number % 2)
            panel.show_message(self.tr("Drawing the charts…"))
        for line in (0, 1):
            grid.setRowStretch(line, 1)
            grid.setColumnStretch(line, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.alert_list)
        layout.addWidget(self.all_fine)
        layout.addSpacing(6)
        layout.addLayout(grid, 1)
        tab_order(self.alert_list, *self.panels())
        self._recolour()

    def panels(self) -> list[ChartPanel]:
        return [self.events_chart, self.stock_chart, self.months_chart, self.load_chart]

    # ---------------------------------------------------------------- keyboard

    def menu_actions(self) -> list[QAction | None]:
        """What the window's Edit menu offers while this tab is shown (None: a separator)."""
        return [self.act_show]

    def focus_main(self) -> None:
        """Put the keyboard focus on the alerts (on the first when none is chosen), or on the first chart when
        there are none."""
        if self.stale:
            self.refresh()
        if not self.alerts.rowCount():
            self.events_chart.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.alert_list.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.alert_list.selectionModel().hasSelection():
            self.alert_list.selectionModel().setCurrentIndex(
                self.alerts.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    # ---------------------------------------------------------------- refreshing

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & KINDS:
            self.stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.alerts.set_palette(self.palette())
            self._recolour()
            self.stale = True  # the charts' colours come from the palette
            if self.isVisible():
                self.refresh()

    def refresh(self) -> None:
        """Read the alerts and the series again; draw the charts whose numbers changed (or, the first time,
        start loading matplotlib and draw them when it is there)."""
        self.stale = False
        self._show_alerts(reports.alerts(self.ctx.workspace))
        if self.charts is None:
            loader = charts_loader()
            self.charts = loader.module()
            if self.charts is None:
                if loader.error:
                    self._charts_failed(loader.error)
                    return
                if not self._waiting:
                    self._waiting = True
                    loader.done.connect(self._charts_loaded)
                loader.start()
                return
            self._add_canvases()
        self._draw_charts()
        self.refreshed.emit()

    def _charts_loaded(self, error: str) -> None:
        if error:
            self._charts_failed(error)
            return
        if self.charts is None:
            self.charts = charts_loader().module()
            self._add_canvases()
        if self.isVisible():
            self._draw_charts()
            self.refreshed.emit()
        else:
            self.stale = True

    def _charts_failed(self, error: str) -> None:
        for panel in self.panels():
            panel.show_message(self.tr("The charts could not be drawn: {error}").format(error=error))
        self.refreshed.emit()

    def _add_canvases(self) -> None:
        assert self.charts is not None
        for panel in self.panels():
            if panel.canvas is None:
                panel.set_canvas(self.charts.make_canvas(panel))
        self._recolour()

    def _recolour(self) -> None:
        """Muted and green text, and the canvases' own background (seen before a chart is drawn, and while
        resizing), in the theme's colours."""
        palette = self.alert_count.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.muted(self.palette()))
        self.alert_count.setPalette(palette)
        palette = self.all_fine.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colours.ok(self.palette()))
        self.all_fine.setPalette(palette)
        for panel in self.panels():
            if panel.canvas is not None:
                canvas_palette = panel.canvas.palette()
                canvas_palette.setColor(
                    QPalette.ColorRole.Window, self.palette().color(QPalette.ColorRole.Base)
                )
                panel.canvas.setPalette(canvas_palette)

    def _draw_charts(self) -> None:
        charts = self.charts
        assert charts is not None
        from desktop.tabs.dashboard import series  # loaded with the charts, not at start-up

        ws = self.ctx.workspace
        style = charts.style_of(self.palette(), self.font())
        wanted: list[tuple[ChartPanel, Any, Callable[..., None]]] = [
            (
                self.events_chart,
                series.event_bars(reports.sales_per_event(ws), currency(self.ctx)),
                charts.draw_events,
            ),
            (self.stock_chart, series.stock_bars(reports.stock_levels(ws)), charts.draw_stock),
            (
                self.months_chart,
                series.month_bars(reports.filament_used_per_month(ws, series.MONTHS), weight_unit(self.ctx)),
                charts.draw_months,
            ),
            (self.load_chart, series.load_bars(reports.queue_load(ws, series.WEEKS)), charts.draw_load),
        ]
        for panel, data, draw in wanted:
            if data.empty:
                panel.show_message(data.empty_text())
                panel.note.hide()
                continue
            if data != panel.data or style != panel.style_key:
                draw(panel.canvas.figure, data, style)
                panel.canvas.draw_idle()
                panel.data, panel.style_key = data, style
                panel.drawings += 1
            panel.show_chart(data.summary(), data.note())

    # ---------------------------------------------------------------- alerts

    def _show_alerts(self, alerts: list[Alert]) -> None:
        shown = ordered(alerts)
        self.alerts.set_rows(shown)
        warnings = sum(1 for a in shown if a.severity == "warning")
        notes = len(shown) - warnings
        parts = []
        if warnings:
            parts.append(
                self.tr("1 warning") if warnings == 1 else self.tr("{n} warnings").format(n=warnings)
            )
        if notes:
            parts.append(self.tr("1 note") if notes == 1 else self.tr("{n} notes").format(n=notes))
        self.alert_count.setText(" \u00b7 ".join(parts))
        self.alert_list.setVisible(bool(shown))
        self.all_fine.setVisible(not shown)
        if shown:
            rows = min(len(shown), MAX_ALERT_ROWS)
            height = self.alert_list.sizeHintForRow(0) if self.alerts.rowCount() else 20
            frame = self.alert_list.frameWidth() * 2
            self.alert_list.setFixedHeight(rows * height + frame + 2)
        self._selection_changed()

    def selected_alert(self) -> Alert | None:
        rows = self.alert_list.selectionModel().selectedRows()
        if not rows:
            return None
        alert = self.alerts.data(rows[0], RowRole)
        return alert if isinstance(alert, Alert) else None

    def _selection_changed(self) -> None:
        self.act_show.setEnabled(self.selected_alert() is not None)

    def show_selected(self) -> None:
        """Ask the window to show what the selected alert is about in its tab."""
        alert = self.selected_alert()
        if alert is not None:
            self.show_subject.emit(*subject(alert))
