"""A table model over a list of records with ids (the views core returns), updated in place.

`set_rows()` compares the new list with the shown one by id and emits the smallest set of remove, insert and
dataChanged signals, so views keep their selection, current row and scroll position across a refresh.
`HeaderedTableModel` is what every flat table shares: fixed column titles and a count of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

RowRole = Qt.ItemDataRole.UserRole + 1  # the record a row shows
KeyRole = Qt.ItemDataRole.UserRole + 2  # its id


class HeaderedTableModel(QAbstractTableModel):
    """A flat table with fixed column titles; subclasses say how many rows it has (`row_total`) and what is in
    them (`data`)."""

    def __init__(self, headers: Sequence[str]) -> None:
        super().__init__()
        self._headers = list(headers)

    def row_total(self) -> int:
        raise NotImplementedError

    def header_alignment(self, section: int) -> int | None:
        """The alignment of column `section`'s title; None for the view's default."""
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return self.header_alignment(section)
        return None


class KeyedTableModel(HeaderedTableModel, Generic[T]):
    def __init__(self, headers: Sequence[str], key: Callable[[T], str]) -> None:
        super().__init__(headers)
        self._key = key
        self._rows: list[T] = []

    # ---------------------------------------------------------------- contents

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def row_of(self, key: str) -> int:
        """The row showing record `key`, or -1."""
        for number, item in enumerate(self._rows):
            if self._key(item) == key:
                return number
        return -1

    def set_rows(self, new: Sequence[T]) -> None:
        new = list(new)
        old_keys = [self._key(r) for r in self._rows]
        new_keys = [self._key(r) for r in new]
        last = self.columnCount() - 1
        opcodes = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in reversed(opcodes):  # from the end, so earlier indices stay valid
            if tag in ("delete", "replace"):
                self.beginRemoveRows(QModelIndex(), i1, i2 - 1)
                del self._rows[i1:i2]
                self.endRemoveRows()
            if tag in ("insert", "replace"):
                self.beginInsertRows(QModelIndex(), i1, i1 + (j2 - j1) - 1)
                self._rows[i1:i1] = new[j1:j2]
                self.endInsertRows()
            if tag == "equal":
                for offset in range(i2 - i1):
                    if self._rows[i1 + offset] != new[j1 + offset]:
                        self._rows[i1 + offset] = new[j1 + offset]
                        self.dataChanged.emit(self.index(i1 + offset, 0), self.index(i1 + offset, last))

    # ---------------------------------------------------------------- QAbstractTableModel

    def row_total(self) -> int:
        return len(self._rows)

    def header_alignment(self, section: int) -> int | None:
        # a header sits over its column's numbers: right-aligned where they are
        alignment = self.cell_alignment(section)
        return (
            alignment
            if alignment is not None
            else int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        )

    def cell_alignment(self, column: int) -> int | None:
        """The alignment of a column's cells, when every row shares it (numbers); None for the default."""
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == RowRole:
            return item
        if role == KeyRole:
            return self._key(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            alignment = self.cell_alignment(index.column())
            if alignment is not None:
                return alignment
        return self.cell(item, index.column(), role)

    def cell(self, item: T, column: int, role: int) -> Any:
        """What column `column` shows for `item` in `role`; subclasses say."""
        raise NotImplementedError
