"""The dashboard's four charts, drawn with matplotlib on Qt canvases in the colours of the app's theme.

Importing this module imports matplotlib, which takes about a second on a cold start (and builds matplotlib's
font cache on a computer's first run), so the dashboard imports it once it is first shown (`tab.py`),
never at start-up. matplotlib's defaults are restored here, so a user's `matplotlibrc` or
`MPLBACKEND` does not change how the charts look, and the Qt backend is chosen explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop import theme
from desktop.dialogs.units import weight_symbol
from desktop.tabs.dashboard.series import EventBars, LoadBars, MonthBars, StockBars, hours_text, tr
from desktop.widgets import colours

matplotlib.rcdefaults()  # not the user's matplotlibrc: the charts look the same on every computer
matplotlib.use("QtAgg")  # the Qt binding is PySide6, imported before this module
FALLBACK_FONT = "DejaVu Sans"  # ships with matplotlib


@dataclass(frozen=True)
class Style:
    """The colours and text size of the charts, taken from the app's palette and font."""

    background: str
    text: str
    muted: str  # tick labels' neighbours: axis lines, grid
    grid: str
    revenue: str
    profit: str
    plain: str  # bars that need no attention
    warning: str
    danger: str
    series: tuple[str, ...]  # one colour per printer
    font_size: float
    font_family: str


def _hex(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def _blend(a: QColor, b: QColor, share: float) -> str:
    """`share` of `a` on `b`."""
    return _hex(
        QColor.fromRgbF(
            a.redF() * share + b.redF() * (1 - share),
            a.greenF() * share + b.greenF() * (1 - share),
            a.blueF() * share + b.blueF() * (1 - share),
        )
    )


def style_of(palette: QPalette, font: QFont) -> Style:
    dark = colours.is_dark(palette)
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    blue, green, purple, teal, pink = (
        ("#6ea8e8", "#81c995", "#b39ddb", "#4dd0c8", "#f48fb1")
        if dark
        else ("#2f6fb3", "#2e8540", "#7e57c2", "#00897b", "#c2185b")
    )
    accent = _hex(theme.ACCENT)
    # Matplotlib draws at 100 dots per inch, Qt's logical inch is 96: the same point size reads the same.
    size = (font.pointSizeF() if font.pointSizeF() > 0 else 9.0) * 0.96
    return Style(
        background=_hex(base),
        text=_hex(text),
        muted=_blend(text, base, 0.55),
        grid=_blend(text, base, 0.14),
        revenue=accent,
        profit=blue,
        plain=blue,
        warning=_hex(colours.warning(palette)) if dark else "#e69500",
        danger=_hex(colours.danger(palette)),
        series=(accent, blue, green, purple, teal, pink),
        font_size=round(size, 2),
        font_family=_font_family(font.family()),
    )


_families: dict[str, str] = {}


def _font_family(family: str) -> str:
    """The app's font family when matplotlib finds it among the system's fonts, else its own."""
    if family not in _families:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            _families[family] = family
        except ValueError:
            _families[family] = FALLBACK_FONT
    return _families[family]


def make_canvas(parent: QWidget | None = None) -> FigureCanvasQTAgg:
    """A canvas with one empty figure that grows with its panel; the panel takes the keyboard focus."""
    figure = Figure(figsize=(4.0, 2.4), layout=ConstrainedLayoutEngine(w_pad=6 / 72, h_pad=6 / 72))
    canvas = FigureCanvasQTAgg(figure)  # type: ignore[no-untyped-call]  # matplotlib's backends are untyped
    canvas.setParent(parent)
    canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    canvas.setMinimumSize(240, 170)
    return canvas


# ---------------------------------------------------------------- shared look


def _axes(figure: Figure, style: Style) -> Axes:
    """A fresh plot in the theme: no box, a light grid along the values, text in the palette's colours."""
    figure.clear()
    matplotlib.rcParams["font.family"] = [style.font_family, FALLBACK_FONT]
    figure.set_facecolor(style.background)
    ax = figure.add_subplot()
    ax.set_facecolor(style.background)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(style.muted)
    ax.tick_params(colors=style.muted, labelcolor=style.text, labelsize=style.font_size * 0.9)
    ax.set_axisbelow(True)
    return ax


def _legend(ax: Axes, style: Style, handles: Sequence[Patch | Line2D] | None = None) -> None:
    """The legend in a row above the plot, where it covers no bar."""
    kwargs: dict[str, object] = {
        "loc": "lower left",
        "bbox_to_anchor": (0.0, 1.0),
        "ncols": 6,
        "frameon": False,
        "fontsize": style.font_size * 0.9,
        "labelcolor": style.text,
        "handlelength": 1.2,
        "columnspacing": 1.2,
        "borderaxespad": 0.2,
    }
    if handles is not None:
        kwargs["handles"] = list(handles)
    ax.legend(**kwargs)


def _label_bars(ax: Axes, bars: BarContainer, texts: Sequence[str], style: Style) -> None:
    ax.bar_label(bars, labels=list(texts), padding=2, fontsize=style.font_size * 0.8, color=style.muted)


def _number(value: float, places: int = 0) -> str:
    text = f"{abs(value):,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    return ("\u2212" if value < 0 and text.strip("0.,") else "") + text


def _value_axis(axis: Axis, places: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: _number(value, places)))
    axis.set_major_locator(MaxNLocator(nbins=5, integer=places == 0, min_n_ticks=3))


# ---------------------------------------------------------------- the four charts


def draw_events(figure: Figure, data: EventBars, style: Style) -> None:
    """Revenue and profit per event: a pair of bars per event, losses below the line in the danger colour."""
    ax = _axes(figure, style)
    width = 0.38
    revenue = [cents / 100 for cents in data.revenue_cents]
    profit = [cents / 100 for cents in data.profit_cents]
    places = range(len(revenue))
    bars = ax.bar([n - width / 2 for n in places], revenue, width, label=tr("Revenue"), color=style.revenue)
    gains = ax.bar(
        [n + width / 2 for n in places],
        profit,
        width,
        label=tr("Profit"),
        color=[style.profit if value >= 0 else style.danger for value in profit],
    )
    _label_bars(ax, bars, [_number(v) for v in revenue], style)
    _label_bars(ax, gains, [_number(v) for v in profit], style)
    ax.axhline(0, color=style.muted, linewidth=0.8)
    ax.set_xticks(list(places), list(data.labels))
    ax.tick_params(axis="x", length=0)
    _value_axis(ax.yaxis)
    ax.yaxis.grid(True, color=style.grid, linewidth=0.8)
    ax.set_ylabel(data.currency or tr("Amount"), color=style.muted, fontsize=style.font_size * 0.9)
    ax.margins(x=0.04, y=0.12)
    handles = [Patch(color=style.revenue, label=tr("Revenue")), Patch(color=style.profit, label=tr("Profit"))]
    if any(value < 0 for value in profit):
        handles.append(Patch(color=style.danger, label=tr("Loss")))
    _legend(ax, style, handles)


def draw_stock(figure: Figure, data: StockBars, style: Style) -> None:
    """Units on hand per product, a bar each (low ones in the warning colour), the low-stock level marked."""
    ax = _axes(figure, style)
    rows = list(range(len(data.names)))
    fill = {"oversold": style.danger, "out": style.warning, "low": style.warning, "": style.plain}
    ax.barh(rows, list(data.on_hand), 0.62, color=[fill[state] for state in data.states], label=tr("On hand"))
    for row, (on_hand, low) in enumerate(zip(data.on_hand, data.low_at, strict=True)):
        # the count beyond the bar's end and its low-stock mark, so neither hides the other
        ax.annotate(
            _number(on_hand),
            (max(on_hand, low, 0), row),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=style.font_size * 0.8,
            color=style.muted,
        )
    marked = [(row, low) for row, low in zip(rows, data.low_at, strict=True) if low > 0]
    if marked:
        ax.vlines(
            [low for _, low in marked],
            [row - 0.42 for row, _ in marked],
            [row + 0.42 for row, _ in marked],
            colors=style.text,
            linewidth=2,
            label=tr("Low-stock level"),
        )
    ax.set_yticks(rows, list(data.labels))
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()  # the first name at the top, as a list reads
    _value_axis(ax.xaxis)
    ax.xaxis.grid(True, color=style.grid, linewidth=0.8)
    ax.axvline(0, color=style.muted, linewidth=0.8)
    ax.set_xlabel(tr("units on hand"), color=style.muted, fontsize=style.font_size * 0.9)
    ax.margins(x=0.08, y=0.02)
    handles: list[Patch | Line2D] = []  # the plain bars need no explaining: the others do
    if any(state in ("low", "out") for state in data.states):
        handles.append(Patch(color=style.warning, label=tr("Low")))
    if "oversold" in data.states:
        handles.append(Patch(color=style.danger, label=tr("Oversold")))
    if marked:
        handles.append(Line2D([], [], color=style.text, linewidth=2, label=tr("Low-stock level")))
    if handles:
        _legend(ax, style, handles)


def draw_months(figure: Figure, data: MonthBars, style: Style) -> None:
    """Filament used per month, a bar each, in grams or ounces."""
    ax = _axes(figure, style)
    amounts = data.amounts()
    places = 0 if data.unit == "g" else 1
    bars = ax.bar(range(len(amounts)), amounts, 0.66, color=style.revenue, label=tr("Filament used"))
    _label_bars(ax, bars, [_number(v, places) if v else "" for v in amounts], style)
    ax.set_xticks(list(range(len(amounts))), list(data.labels))
    ax.tick_params(axis="x", length=0)
    _value_axis(ax.yaxis, places)
    ax.yaxis.grid(True, color=style.grid, linewidth=0.8)
    ax.set_ylabel(weight_symbol(data.unit), color=style.muted, fontsize=style.font_size * 0.9)
    ax.margins(x=0.02, y=0.14)


def draw_load(figure: Figure, data: LoadBars, style: Style) -> None:
    """Hours printed per week, stacked per printer, and beside them (paler) the hours queued now."""
    ax = _axes(figure, style)
    weeks = list(range(len(data.weeks)))
    queued_at = len(weeks) + 0.4
    below = [0.0] * len(weeks)
    queued_below = 0.0
    for number, (name, hours, queued) in enumerate(zip(data.printers, data.hours, data.queued, strict=True)):
        colour = style.series[number % len(style.series)]
        ax.bar(weeks, list(hours), 0.66, bottom=below, color=colour, label=name)
        ax.bar(
            [queued_at],
            [queued],
            0.66,
            bottom=[queued_below],
            color=_blend(QColor(colour), QColor(style.background), 0.4),
            hatch="///",
            edgecolor=colour,
            linewidth=0,
            label=f"_{name} queued",  # a leading underscore keeps it out of the legend
        )
        below = [b + h for b, h in zip(below, hours, strict=True)]
        queued_below += queued
    if queued_below:
        ax.annotate(
            hours_text(queued_below),
            (queued_at, queued_below),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=style.font_size * 0.8,
            color=style.muted,
        )
    ax.axvline(len(weeks) - 0.3, color=style.muted, linewidth=0.8, linestyle=(0, (3, 3)))
    ax.set_xticks([*weeks, queued_at], [*data.labels, tr("Queued\nnow")])
    ax.tick_params(axis="x", length=0)
    _value_axis(ax.yaxis)
    ax.yaxis.grid(True, color=style.grid, linewidth=0.8)
    ax.set_ylabel(tr("hours"), color=style.muted, fontsize=style.font_size * 0.9)
    ax.margins(x=0.03, y=0.1)
    _legend(ax, style)
