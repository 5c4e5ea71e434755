"""What the shelf shows: spools under group headers (by filament, material or location), built from core's
views with no Qt, and the table model both the card view and the row view read.

Rows are plain frozen dataclasses with a stable key, so `KeyedTableModel.set_rows()` updates the views in
place after every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication

from core.services import filament as shelf
from core.services.views import FilamentView, SpoolView
from desktop.dialogs.units import WeightUnit, weight
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel
from desktop.widgets.swatch import swatch_icon

GROUPINGS = ("filament", "material", "location")

COL_SPOOL, COL_BRAND, COL_MATERIAL, COL_LEFT, COL_LOCATION, COL_LOT = range(6)


def tr(text: str) -> str:
    return QCoreApplication.translate("FilamentShelf", text)


@dataclass(frozen=True)
class GroupRow:
    key: str
    title: str
    detail: str  # "2 spools · 1,360 g left"
    warning: str  # "Running low: under 1,500 g", or ""
    colour_hex: str  # the filament's colour in filament grouping, else ""
    filament: FilamentView | None  # the filament a header stands for, in filament grouping


@dataclass(frozen=True)
class SpoolRow:
    key: str
    spool: SpoolView
    filament: FilamentView | None
    nearly_empty: bool
    filament_low: bool = False  # its filament is under its low-stock level (time to reorder)
    unit: WeightUnit = "g"  # the user's weight unit, for the texts

    @property
    def colour_hex(self) -> str:
        return self.filament.colour_hex if self.filament else ""

    @property
    def name(self) -> str:
        """What a card's title says: the colour, or the whole label when the filament has no colour name."""
        if self.filament and self.filament.colour_name:
            return self.filament.colour_name
        return self.spool.label

    @property
    def left_text(self) -> str:
        return left_of(max(self.spool.remaining_mg, 0), self.spool.initial_weight_mg, self.unit)


def left_of(left_mg: int, initial_mg: int, unit: WeightUnit) -> str:
    """'640 g of 1,000 g'."""
    return tr("{left} of {initial}").format(left=weight(left_mg, unit), initial=weight(initial_mg, unit))


ShelfRow = GroupRow | SpoolRow


def filament_label(f: FilamentView) -> str:
    return " ".join(p for p in (f.brand, f.material, f.colour_name) if p)


def _matches(needle: str, *texts: str | None) -> bool:
    return any(needle in (t or "").casefold() for t in texts)


def spools_count(count: int) -> str:
    return tr("1 spool") if count == 1 else tr("{n} spools").format(n=count)


def _spools_detail(count: int, left_mg: int, unit: WeightUnit) -> str:
    if count == 0:
        return tr("No spools")
    return spools_count(count) + " \u00b7 " + tr("{left} left").format(left=weight(left_mg, unit))


def build_rows(
    filaments: Sequence[FilamentView],
    spools: Sequence[SpoolView],
    *,
    group_by: str = "filament",
    text: str = "",
    unit: WeightUnit = "g",
) -> list[ShelfRow]:
    """The shelf under its group headers, weights in `unit`; `text` keeps the spools (and filaments) that
    mention it."""
    by_id = {f.id: f for f in filaments}
    needle = text.strip().casefold()

    def spool_matches(s: SpoolView) -> bool:
        f = by_id.get(s.filament_id)
        return not needle or _matches(
            needle,
            s.label,
            s.location,
            s.lot,
            f.brand if f else "",
            f.material if f else "",
            f.colour_name if f else "",
        )

    def spool_row(s: SpoolView) -> SpoolRow:
        owner = by_id.get(s.filament_id)
        return SpoolRow(
            s.id,
            s,
            owner,
            shelf.nearly_empty(s) and not s.archived,
            owner is not None and shelf.running_low(owner),
            unit,
        )

    def ordered(items: Sequence[SpoolView]) -> list[SpoolView]:
        # the shelf's order: by name, then the emptiest first (the one to use up next)
        return sorted(items, key=lambda s: (s.archived, s.label.casefold(), s.remaining_mg, s.id))

    rows: list[ShelfRow] = []
    if group_by == "filament":
        members: dict[str, list[SpoolView]] = {}
        for s in spools:
            members.setdefault(s.filament_id, []).append(s)
        for f in sorted(filaments, key=lambda f: (f.material, f.brand.casefold(), f.colour_name.casefold())):
            own = members.pop(f.id, [])
            label = filament_label(f)
            shown = own if needle and _matches(needle, label) else [s for s in own if spool_matches(s)]
            if needle and not shown and not _matches(needle, label):
                continue
            live = [s for s in own if not s.archived]
            warning = ""
            if shelf.running_low(f):
                warning = tr("Running low: under {level}").format(level=weight(f.low_stock_mg, unit))
            rows.append(
                GroupRow(
                    f"filament:{f.id}",
                    label,
                    _spools_detail(len(live), f.remaining_mg, unit),
                    warning,
                    f.colour_hex,
                    f,
                )
            )
            rows.extend(spool_row(s) for s in ordered(shown))
        orphans = [s for group in members.values() for s in group if spool_matches(s)]
        if orphans:  # spools whose filament was deleted (possibly on another device)
            rows.append(
                GroupRow(
                    "filament:", tr("Unknown filament"), _spools_detail(len(orphans), 0, unit), "", "", None
                )
            )
            rows.extend(spool_row(s) for s in ordered(orphans))
        return rows

    groups: dict[str, list[SpoolView]] = {}
    for s in spools:
        if not spool_matches(s):
            continue
        if group_by == "material":
            owner = by_id.get(s.filament_id)
            name = owner.material if owner else ""
        else:
            name = s.location
        groups.setdefault(name, []).append(s)
    unnamed = tr("No material") if group_by == "material" else tr("No location")
    for name in sorted(groups, key=lambda n: (n == "", n.casefold())):
        members_ = groups[name]
        live = [s for s in members_ if not s.archived]
        left = sum(max(s.remaining_mg, 0) for s in live)
        rows.append(
            GroupRow(
                f"{group_by}:{name}", name or unnamed, _spools_detail(len(live), left, unit), "", "", None
            )
        )
        rows.extend(spool_row(s) for s in ordered(members_))
    return rows


class ShelfModel(KeyedTableModel[ShelfRow]):
    """The rows of `build_rows` as a table; a group header's first cell stands for the whole row."""

    def __init__(self) -> None:
        super().__init__(
            [tr("Spool"), tr("Brand"), tr("Material"), tr("Left"), tr("Location"), tr("Lot")],
            key=lambda r: r.key,
        )
        self.headers_selectable = True

    def spool_rows(self) -> list[SpoolRow]:
        return [r for r in self.rows() if isinstance(r, SpoolRow)]

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        row = self.row_at(index.row())
        if isinstance(row, GroupRow) and not (self.headers_selectable and row.filament is not None):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def cell(self, item: ShelfRow, column: int, role: int) -> Any:
        if isinstance(item, GroupRow):
            return self._group_cell(item, column, role)
        spool, f = item.spool, item.filament
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.name,
                f.brand if f else "",
                f.material if f else "",
                item.left_text,
                spool.location,
                spool.lot,
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == COL_SPOOL:
            return swatch_icon(item.colour_hex, 16)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spool_summary(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return spool_summary(item) if column == COL_SPOOL else None
        if role == Qt.ItemDataRole.ForegroundRole:
            palette = QGuiApplication.palette()
            if spool.archived:
                return colours.muted(palette)
            if column == COL_LEFT and item.nearly_empty:
                return colours.warning(palette)
        return None

    def _group_cell(self, item: GroupRow, column: int, role: int) -> Any:
        if column != COL_SPOOL:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role == Qt.ItemDataRole.ToolTipRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join(t for t in (item.title, item.detail, item.warning) if t)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        return None


def spool_summary(row: SpoolRow) -> str:
    """One sentence about a spool: for tooltips and screen readers."""
    spool = row.spool
    parts = [spool.label, row.left_text]
    if spool.location:
        parts.append(tr("at {place}").format(place=spool.location))
    if spool.lot:
        parts.append(tr("lot {lot}").format(lot=spool.lot))
    if spool.purchase_date:
        parts.append(tr("bought {date}").format(date=spool.purchase_date))
    if row.nearly_empty:
        parts.append(tr("nearly empty"))
    if row.filament_low:
        parts.append(tr("this filament is running low"))
    if spool.archived:
        parts.append(tr("archived"))
    elif not spool.opened:
        parts.append(tr("unopened"))
    return ", ".join(parts)
