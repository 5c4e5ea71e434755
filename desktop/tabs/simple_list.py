"""A read-only list of records with a line saying what is there: the first form of every tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.context import AppContext

Rows = Callable[[AppContext], Sequence[Sequence[str]]]


def grams(mg: int) -> str:
    return f"{mg / 1000:,.1f} g"


def money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


class ListTab(QWidget):
    """Lists `rows(ctx)`; refreshes when an operation changes one of `kinds`."""

    def __init__(
        self,
        ctx: AppContext,
        headers: Sequence[str],
        rows: Rows,
        empty: str,
        counted: tuple[str, str],
        kinds: frozenset[str],
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self._rows = rows
        self._empty = empty
        self._counted = counted  # (singular, plural with {n})
        self._kinds = kinds
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, kinds: frozenset[str]) -> None:
        if kinds & self._kinds:
            self.refresh()

    def refresh(self) -> None:
        rows = self._rows(self._ctx)
        self.tree.clear()
        self.tree.addTopLevelItems([QTreeWidgetItem(list(row)) for row in rows])
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        one, many = self._counted
        self.summary.setText(self._empty if not rows else one if len(rows) == 1 else many.format(n=len(rows)))
