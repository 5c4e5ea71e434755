"""The main window: five tabs listing what the services hold."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.services import events, jobs
from core.workspace import Workspace
from desktop.main_window import ListTab, MainWindow
from tests.core.factories import make_shop


def tab(window: MainWindow, title: str) -> ListTab:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    widget = window.tabs.widget(titles.index(title))
    assert isinstance(widget, ListTab)
    return widget


def test_the_window_has_the_five_tabs(qtbot: QtBot, workspace: Workspace) -> None:
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Library", "Filament", "Products", "Print queue", "Events"]
    assert tab(window, "Library").summary.text().startswith("No models yet")
    assert str(workspace.data_dir) in window.statusBar().currentMessage()


def test_tabs_list_records(qtbot: QtBot, workspace: Workspace) -> None:
    shop = make_shop(workspace)
    jobs.queue_job(workspace, shop.variant.id, copies=2)
    events.create_event(workspace, name="Christmas market", starts_on="2026-12-12")
    window = MainWindow(workspace)
    qtbot.addWidget(window)

    filament_tab = tab(window, "Filament")
    assert filament_tab.summary.text() == "1 spool on the shelf"
    row = filament_tab.tree.topLevelItem(0)
    assert [row.text(c) for c in range(3)] == ["Prusament PLA Galaxy Black", "1,000.0 g", "1,000.0 g"]

    queue = tab(window, "Print queue").tree.topLevelItem(0)
    assert [queue.text(c) for c in range(3)] == ["Dragon, black PLA", "2", "queued"]
    assert tab(window, "Events").tree.topLevelItem(0).text(0) == "Christmas market"
    assert tab(window, "Products").tree.topLevelItem(0).text(3) == "0"
