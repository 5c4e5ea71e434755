"""The library's item model: the ids of the models that match the search, fetched a page at a time.

SQL does the searching, filtering and sorting (`core.services.search`); the model holds only ids, asks for the
next page when a view scrolls near the end (`canFetchMore`/`fetchMore`), fetches the cards of the rows on
screen in small batches (kept in a bounded cache), and the thumbnails through a `ThumbnailCache`. A new search
or a change to the library updates the rows with remove/insert calls, so views keep what they can.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap

from core.services import search
from core.services.search import ModelCard
from core.workspace import Workspace
from desktop.tabs.library.thumbnails import ThumbnailCache
from desktop.widgets.keyed_model import HeaderedTableModel

Index = QModelIndex | QPersistentModelIndex

PAGE = 200  # ids fetched per page
CARD_BATCH = 64  # cards fetched at once around a row a view asks for
CARD_CACHE = 2_000
PAGE_CACHE = 32  # first pages of recent searches
THUMB_EDGE = 32
MAX_RUNS = 64  # more separate removed/inserted runs than this: replace the rows in one go

NOT_ALLOWED = QColor("#dc2626")  # red and amber: readable on light and dark backgrounds
NOT_KNOWN = QColor("#d97706")

IdRole = Qt.ItemDataRole.UserRole + 1
CardRole = Qt.ItemDataRole.UserRole + 2  # the ModelCard, or None while it is not fetched
LoadingRole = Qt.ItemDataRole.UserRole + 3  # True while the thumbnail is being decoded
ThumbnailRole = Qt.ItemDataRole.UserRole + 4  # the thumbnail as a QPixmap at the grid's size (or None)


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryModel", text)


@dataclass(frozen=True)
class LibraryQuery:
    """What the search box, the filters and the sort order ask for."""

    text: str = ""
    tag: str | None = None
    category: str | None = None
    licence: str | None = None
    selling: search.Selling | None = None
    has_variants: bool | None = None
    sort: search.Sort = "name"
    descending: bool = False

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the library down (the sort order does not)."""
        return replace(self, sort="name", descending=False) != LibraryQuery()

    def filters(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "category": self.category,
            "licence": self.licence,
            "selling": self.selling,
            "has_variants": self.has_variants,
        }


class Column:
    NAME, DESIGNER, LICENCE, SELLING, CATEGORY, VARIANTS = range(6)
    SORT_KEYS: tuple[search.Sort, ...] = ("name", "designer", "licence", "selling", "category", "variants")


def selling_text(allowed: bool | None) -> str:
    if allowed is True:
        return tr("Allowed")
    if allowed is False:
        return tr("Not allowed")
    return tr("Not known")


def runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted positions as (first, last) runs of consecutive numbers."""
    out: list[tuple[int, int]] = []
    for p in positions:
        if out and out[-1][1] == p - 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


class LibraryModel(HeaderedTableModel):
    def __init__(self, ws: Workspace, thumbnails: ThumbnailCache) -> None:
        super().__init__([tr("Name"), tr("Designer"), tr("Licence"), tr("Selling prints"), tr("Category"),
                          tr("Variants")])  # fmt: skip
        self._ws = ws
        self._thumbnails = thumbnails
        self._query = LibraryQuery()
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self.total = 0  # models that match the query, over all pages
        self._cards: OrderedDict[str, ModelCard] = OrderedDict()
        # First pages of recent queries, so that deleting what was typed costs no query; emptied whenever
        # the library changes.
        self._pages: OrderedDict[tuple[LibraryQuery, int], tuple[list[str], int]] = OrderedDict()
        self._waiting: dict[str, set[str]] = {}  # thumbnail sha256 -> ids of the rows showing it
        self._blank_icon: QIcon | None = None
        thumbnails.ready.connect(self._thumbnail_ready)

    # ---------------------------------------------------------------- what is shown

    @property
    def query(self) -> LibraryQuery:
        return self._query

    def ids(self) -> list[str]:
        return list(self._ids)

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, model_id: str) -> int:
        return self._row_of.get(model_id, -1)

    def card(self, row: int) -> ModelCard | None:
        model_id = self._ids[row]
        card = self._cards.get(model_id)
        if card is None:
            self._fetch_cards(row)
            card = self._cards.get(model_id)
        else:
            self._cards.move_to_end(model_id)
        return card

    def set_query(self, query: LibraryQuery) -> None:
        """Show the first page of what `query` finds."""
        self._query = query
        self._load(PAGE)

    def refresh(self) -> None:
        """The library changed: fetch again as many rows as are loaded, and every card."""
        self._cards.clear()
        self._pages.clear()
        self._load(max(PAGE, len(self._ids)))
        if self._ids:
            last = self.index(len(self._ids) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _load(self, limit: int) -> None:
        q = self._query
        key = (q, limit)
        found = self._pages.get(key)
        if found is None:
            found = search.search_page(
                self._ws, q.text, q.filters(), sort=q.sort, descending=q.descending, limit=limit
            )
            self._pages[key] = found
            while len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        ids, self.total = found
        self._replace(list(ids))

    # ---------------------------------------------------------------- updating rows

    def _replace(self, new: list[str]) -> None:
        """Turn the shown ids into `new` with remove and insert calls (views keep selection and scroll)."""
        old = self._ids
        if new == old:
            return
        wanted = set(new)
        gone = [i for i, model_id in enumerate(old) if model_id not in wanted]
        kept = [model_id for model_id in old if model_id in wanted]
        kept_set = set(kept)
        # Rows that stay must keep their order for a remove-then-insert update; else replace everything.
        in_new_order = [model_id for model_id in new if model_id in kept_set]
        gone_runs = runs(gone)
        if kept != in_new_order or len(gone_runs) > MAX_RUNS:
            self._replace_all(new)
            return
        added = [j for j, model_id in enumerate(new) if model_id not in kept_set]
        added_runs = runs(added)
        if len(added_runs) > MAX_RUNS:
            self._replace_all(new)
            return
        for first, last in reversed(gone_runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        # Inserting in ascending order of their final positions puts every row where `new` has it.
        for first, last in added_runs:
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = new[first : last + 1]
            self.endInsertRows()
        assert self._ids == new
        self._index_rows()

    def _replace_all(self, new: list[str]) -> None:
        if self._ids:
            self.beginRemoveRows(QModelIndex(), 0, len(self._ids) - 1)
            self._ids = []
            self._row_of = {}
            self.endRemoveRows()
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self._ids = list(new)
            self.endInsertRows()
        self._index_rows()

    def _index_rows(self) -> None:
        self._row_of = {model_id: row for row, model_id in enumerate(self._ids)}

    # ---------------------------------------------------------------- paging

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._ids) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        q = self._query
        page, total = search.search_page(
            self._ws, q.text, q.filters(), sort=q.sort, descending=q.descending, limit=PAGE,
            offset=len(self._ids),
        )  # fmt: skip
        more = [model_id for model_id in page if model_id not in self._row_of]
        self.total = max(total, len(self._ids))
        if not more:
            self.total = len(self._ids)  # the library shrank since the count
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._ids.extend(more)
        for offset, model_id in enumerate(more):
            self._row_of[model_id] = first + offset
        self.endInsertRows()

    def _fetch_cards(self, row: int) -> None:
        start = max(0, row - CARD_BATCH // 4)
        wanted = [i for i in self._ids[start : start + CARD_BATCH] if i not in self._cards]
        for card in search.model_cards(self._ws, wanted):
            self._cards[card.id] = card
        while len(self._cards) > CARD_CACHE:
            self._cards.popitem(last=False)

    # ---------------------------------------------------------------- Qt model interface

    def row_total(self) -> int:
        return len(self._ids)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        row, column = index.row(), index.column()
        if role == IdRole:
            return self._ids[row]
        card = self.card(row)
        if role == CardRole:
            return card
        if card is None:
            return tr("(removed)") if role == Qt.ItemDataRole.DisplayRole and column == Column.NAME else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(card, column, accessible=role == Qt.ItemDataRole.AccessibleTextRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(card)
        if role == ThumbnailRole:
            return self.thumbnail(card)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME:
            # An icon, so that each view draws it at its own icon size.
            pixmap = self.thumbnail(card)
            return QIcon(pixmap) if pixmap is not None else self._blank()
        if role == LoadingRole:
            sha = card.thumbnail_sha256
            return sha is not None and self._thumbnails.is_loading(sha)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.SELLING and card.selling_warning:
            return NOT_ALLOWED if card.allows_selling is False else NOT_KNOWN
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.VARIANTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def thumbnail(self, card: ModelCard) -> QPixmap | None:
        sha = card.thumbnail_sha256
        if sha is None:
            return None
        pixmap = self._thumbnails.pixmap(sha)
        if pixmap is None and self._thumbnails.is_loading(sha):
            self._waiting.setdefault(sha, set()).add(card.id)
        return pixmap

    def _blank(self) -> QIcon:
        """An empty icon, so that names without a picture line up with those with one."""
        if self._blank_icon is None:
            pixmap = QPixmap(THUMB_EDGE, THUMB_EDGE)
            pixmap.fill(Qt.GlobalColor.transparent)
            self._blank_icon = QIcon(pixmap)
        return self._blank_icon

    def _text(self, card: ModelCard, column: int, *, accessible: bool) -> str:
        if column == Column.NAME:
            if not accessible:
                return card.name
            parts = [card.name]
            if card.designer:
                parts.append(tr("by {designer}").format(designer=card.designer))
            if card.allows_selling is False:
                parts.append(tr("selling prints not allowed"))
            elif card.allows_selling is None:
                parts.append(tr("selling prints unknown"))
            return ", ".join(parts)
        if column == Column.DESIGNER:
            return card.designer
        if column == Column.LICENCE:
            return card.licence
        if column == Column.SELLING:
            return selling_text(card.allows_selling)
        if column == Column.CATEGORY:
            return card.category
        if column == Column.VARIANTS:
            return str(card.variant_count)
        return ""

    def _tooltip(self, card: ModelCard) -> str:
        lines = [card.name]
        if card.designer:
            lines.append(tr("Designer: {designer}").format(designer=card.designer))
        lines.append(tr("Licence: {licence}").format(licence=card.licence or tr("not given")))
        lines.append(tr("Selling prints: {selling}").format(selling=selling_text(card.allows_selling)))
        lines.append(
            tr("{n} variants").format(n=card.variant_count) if card.variant_count != 1 else tr("1 variant")
        )
        return "\n".join(lines)

    def _thumbnail_ready(self, sha256: str) -> None:
        for model_id in self._waiting.pop(sha256, set()):
            row = self._row_of.get(model_id, -1)
            if row >= 0:
                index = self.index(row, Column.NAME)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole, ThumbnailRole])
