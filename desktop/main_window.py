"""The main window: one tab per part of the business. Each tab lists what the core services hold.

The full screens (editing, drag and drop import, the 3D preview) come with the desktop issue; these lists
are read-only views built on the same services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.services import events, filament, jobs, library, products
from core.workspace import Workspace

Rows = Callable[[Workspace], Sequence[Sequence[str]]]


def _g(mg: int) -> str:
    return f"{mg / 1000:,.1f} g"


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def library_rows(ws: Workspace) -> list[list[str]]:
    return [[m.name, m.designer_name, m.licence_spdx, ", ".join(m.tags)] for m in library.list_models(ws)]


def filament_rows(ws: Workspace) -> list[list[str]]:
    return [
        [s.label, _g(s.remaining_mg), _g(s.initial_weight_mg), s.location] for s in filament.list_spools(ws)
    ]


def product_rows(ws: Workspace) -> list[list[str]]:
    return [[p.name, p.sku, _money(p.price_cents), str(p.on_hand)] for p in products.list_products(ws)]


def queue_rows(ws: Workspace) -> list[list[str]]:
    names = {v.id: v.name for v in library.list_variants(ws)}
    return [
        [names.get(j.variant_id, "(missing variant)"), str(j.copies), j.status, str(j.position)]
        for j in jobs.list_jobs(ws)
        if j.status in jobs.OPEN
    ]


def event_rows(ws: Workspace) -> list[list[str]]:
    return [[e.name, e.starts_on or "", e.venue, e.status] for e in events.list_events(ws)]


class ListTab(QWidget):
    """A read-only list of records with a line saying what is there."""

    def __init__(
        self,
        workspace: Workspace,
        headers: Sequence[str],
        rows: Rows,
        empty: str,
        counted: tuple[str, str],
    ) -> None:
        super().__init__()
        self._workspace = workspace
        self._rows = rows
        self._empty = empty
        self._counted = counted  # (singular, plural with {n})
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        self.refresh()

    def refresh(self) -> None:
        rows = self._rows(self._workspace)
        self.tree.clear()
        self.tree.addTopLevelItems([QTreeWidgetItem(list(row)) for row in rows])
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        one, many = self._counted
        self.summary.setText(self._empty if not rows else one if len(rows) == 1 else many.format(n=len(rows)))


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.setWindowTitle(self.tr("Printstall"))
        self.resize(1100, 720)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        tr = self.tr
        tabs: list[tuple[str, list[str], Rows, str, tuple[str, str]]] = [
            (
                tr("Library"),
                [tr("Model"), tr("Designer"), tr("Licence"), tr("Tags")],
                library_rows,
                tr("No models yet. Import files with: printstall import FILES"),
                (tr("1 model in the library"), tr("{n} models in the library")),
            ),
            (
                tr("Filament"),
                [tr("Spool"), tr("Left"), tr("Of"), tr("Location")],
                filament_rows,
                tr("No spools on the shelf yet."),
                (tr("1 spool on the shelf"), tr("{n} spools on the shelf")),
            ),
            (
                tr("Products"),
                [tr("Product"), tr("SKU"), tr("Price"), tr("On hand")],
                product_rows,
                tr("No products yet."),
                (tr("1 product"), tr("{n} products")),
            ),
            (
                tr("Print queue"),
                [tr("Variant"), tr("Copies"), tr("Status"), tr("Place")],
                queue_rows,
                tr("Nothing queued."),
                (tr("1 job queued or printing"), tr("{n} jobs queued or printing")),
            ),
            (
                tr("Events"),
                [tr("Event"), tr("Starts"), tr("Venue"), tr("Status")],
                event_rows,
                tr("No market events planned."),
                (tr("1 event"), tr("{n} events")),
            ),
        ]
        for title, headers, rows, empty, counted in tabs:
            tab = ListTab(workspace, headers, rows, empty, counted)
            tab.setAccessibleName(title)
            self.tabs.addTab(tab, title)
        self.statusBar().showMessage(self.tr("Data folder: %1").replace("%1", str(workspace.data_dir)))
