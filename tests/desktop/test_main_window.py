"""The main window: the six tabs, refreshing after operations, import by a simulated drop, cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.services import events, filament, jobs, labels
from desktop.context import AppContext
from desktop.main_window import MainWindow
from tests.core.factories import make_shop
from tests.core.files import SLICERS, write_cube


def tab(window: MainWindow, title: str) -> Any:
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    return window.tabs.widget(titles.index(title))


def test_the_window_has_the_six_tabs(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles == ["Library", "Filament", "Products", "Print queue", "Events", "Dashboard"]
    assert str(ctx.workspace.data_dir) in window.statusBar().currentMessage()


def test_tabs_list_records_and_refresh_after_an_operation(qtbot: QtBot, ctx: AppContext) -> None:
    shop = make_shop(ctx.workspace)
    job = jobs.queue_job(ctx.workspace, shop.variant.id, copies=2)
    events.create_event(ctx.workspace, name="Christmas market", starts_on="2026-12-12")
    window = MainWindow(ctx)
    qtbot.addWidget(window)

    filament_tab = tab(window, "Filament")
    [row] = filament_tab.model.spool_rows()
    assert (row.spool.label, row.left_text) == ("Prusament PLA Galaxy Black", "1,000 g of 1,000 g")
    assert tab(window, "Print queue").model.job_index(job.id).data() == "Dragon, black PLA"
    assert tab(window, "Events").title.text() == "Christmas market"

    ctx.ops.run(filament.record_usage, ctx.workspace, shop.spool.id, 250_000, changes={"spools"})
    assert filament_tab.model.spool_rows()[0].left_text == "750 g of 1,000 g"


def drop(window: MainWindow, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(QPoint(100, 100)),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    window.dropEvent(event)


def test_dropping_files_imports_them_in_the_background(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    mesh = write_cube(tmp_path / "Dragon.stl")
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        drop(window, [mesh, SLICERS / "mini_cube_ps2.8.1.gcode"])
    assert [o.status for o in window.last_import] == ["added", "added"]
    assert "Imported 2" in window.statusBar().currentMessage()


def test_cancelling_an_import_keeps_what_was_done(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(40):
        write_cube(folder / f"cube{index:02d}.stl", 10.0 + index)
    window.importer.progress.connect(
        lambda done, total, name: window.importer.cancel() if done >= 3 else None
    )
    with qtbot.waitSignal(window.importer.finished, timeout=60_000) as finished:
        window.import_paths([folder])
    outcomes, cancelled = finished.args
    assert cancelled and 3 <= len(outcomes) < 40
    assert "Cancelled before the end" in window.statusBar().currentMessage()


def test_the_printers_dialog_opens_from_the_edit_menu(qtbot: QtBot, ctx: AppContext) -> None:
    from desktop.dialogs.printers import PrintersDialog

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    [action] = [a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == "&Printers…"]
    action.trigger()
    dialogs = window.findChildren(PrintersDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].close()


def test_scanning_a_label_anywhere_in_the_window_shows_its_spool_or_product(
    qtbot: QtBot, ctx: AppContext
) -> None:
    shop = make_shop(ctx.workspace)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    window.show_tab(0)  # the library's search box has the focus
    library = tab(window, "Library")
    qtbot.waitUntil(lambda: library.search.hasFocus())
    for kind, ident, title in (
        ("product", shop.product.id, "Products"),
        ("spool", shop.spool.id, "Filament"),
    ):
        code = labels.unique_code(ctx.workspace, kind, ident)
        focus = window.focusWidget()
        assert focus is not None
        with qtbot.waitSignal(window.scanner.found, timeout=2000):
            qtbot.keyClicks(focus, code, delay=1)
            qtbot.keyClick(focus, Qt.Key.Key_Return, delay=1)
        assert window.tabs.tabText(window.tabs.currentIndex()).replace("&", "") == title
    assert tab(window, "Products").selected().id == shop.product.id
    assert tab(window, "Filament").selected_key() == shop.spool.id
    assert library.search.text() == ""  # the scanned characters did not stay in the search box


def test_the_file_menu_exports(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    export = next(a for a in file_menu.actions() if a.menu() is not None)
    texts = [a.text().replace("&", "") for a in export.menu().actions() if not a.isSeparator()]
    assert any("stock" in t.lower() for t in texts) and any("sales" in t.lower() for t in texts)
