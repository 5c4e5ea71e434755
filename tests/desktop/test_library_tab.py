"""The Library tab on real rows: search as you type, filters, paging, the detail of an imported sliced file,
editing with inline validation, delete and undo, the grid/list toggle and the 3D preview button."""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from core.services import importing, library
from core.workspace import Workspace
from desktop import exporting
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.tabs.library import LibraryTab
from desktop.tabs.library import preview as preview_module
from desktop.tabs.library.model import PAGE, IdRole, ThumbnailRole
from tests.core.factories import make_shop
from tests.core.files import SLICERS, write_cube
from tests.desktop.threads import make_threads_slow_to_exit
from tests.desktop.windows import show_active


def make_tab(qtbot: QtBot, ctx: AppContext) -> LibraryTab:
    return show_active(qtbot, LibraryTab(ctx))


def shown(tab: LibraryTab) -> list[str]:
    """The names in the grid, in order."""
    model = tab.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def model_id(ws: Workspace, name: str) -> str:
    return next(m.id for m in library.list_models(ws) if m.name == name)


@pytest.fixture
def shelf(ctx: AppContext) -> AppContext:
    ws = ctx.workspace
    library.add_model(ws, name="Dragon", designer_name="Jane Doe", licence_spdx="CC-BY-4.0",
                      licence_allows_selling=True, category="Figures", tags=["fantasy"])  # fmt: skip
    library.add_model(ws, name="Dresser knob", designer_name="Bob", licence_spdx="CC-BY-NC-4.0",
                      licence_allows_selling=False, category="Home", notes="four walls")  # fmt: skip
    library.add_model(ws, name="Benchy", category="Test prints", tags=["calibration"])
    return ctx


# ---------------------------------------------------------------- searching and filtering


def test_search_as_you_type_narrows_the_grid(qtbot: QtBot, shelf: AppContext) -> None:
    tab = make_tab(qtbot, shelf)
    assert shown(tab) == ["Benchy", "Dragon", "Dresser knob"]
    assert tab.summary.text() == "3 models in the library"
    resets: list[bool] = []
    tab.model.modelReset.connect(lambda: resets.append(True))

    qtbot.keyClicks(tab.search, "d")
    assert shown(tab) == ["Dragon", "Dresser knob"]
    qtbot.keyClicks(tab.search, "ra")
    assert shown(tab) == ["Dragon"]
    assert tab.summary.text() == "1 of 3 models match"
    qtbot.keyClicks(tab.search, "x")
    assert shown(tab) == []
    assert tab.summary.text() == "No models match “drax”."
    assert tab.stack.currentWidget() is tab.empty
    qtbot.keyClick(tab.search, Qt.Key.Key_Backspace)
    qtbot.keyClick(tab.search, Qt.Key.Key_Backspace)
    assert shown(tab) == ["Dragon", "Dresser knob"]
    assert tab.stack.currentWidget() is tab.grid
    qtbot.keyClick(tab.search, Qt.Key.Key_Escape)
    assert shown(tab) == ["Benchy", "Dragon", "Dresser knob"]
    assert resets == []  # rows are removed and inserted, never reset

    qtbot.keyClicks(tab.search, "walls")  # notes are searched too
    assert shown(tab) == ["Dresser knob"]


def test_typing_fts_syntax_is_harmless(qtbot: QtBot, shelf: AppContext) -> None:
    tab = make_tab(qtbot, shelf)
    for text in ['"', "NOT dragon", "dragon*", "name:", "(", "AND OR"]:
        tab.search.setText(text)
    tab.search.setText("fantasy")
    assert shown(tab) == ["Dragon"]


def test_filters_by_tag_category_licence_and_variants(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    tab = make_tab(qtbot, shelf)

    def choose(combo: Any, data: Any) -> None:
        index = combo.findData(data)
        assert index >= 0, data
        combo.setCurrentIndex(index)

    choose(tab.tag_filter, "calibration")
    assert shown(tab) == ["Benchy"]
    choose(tab.tag_filter, None)
    choose(tab.category_filter, "Home")
    assert shown(tab) == ["Dresser knob"]
    choose(tab.category_filter, None)
    choose(tab.licence_filter, "selling:not_allowed")
    assert shown(tab) == ["Dresser knob"]
    choose(tab.licence_filter, "selling:unknown")
    assert shown(tab) == ["Benchy"]
    choose(tab.licence_filter, "licence:CC-BY-4.0")
    assert shown(tab) == ["Dragon"]
    choose(tab.licence_filter, None)

    shelf.ops.run(library.add_variant, ws, model_id=model_id(ws, "Benchy"), name="Benchy PLA",
                  changes={"variants"})  # fmt: skip
    choose(tab.variants_filter, True)
    assert shown(tab) == ["Benchy"]
    choose(tab.variants_filter, False)
    assert shown(tab) == ["Dragon", "Dresser knob"]
    tab.search.setText("dre")
    assert shown(tab) == ["Dresser knob"]  # the search and the filters together


def test_a_new_tag_appears_in_the_filter_after_an_edit(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    tab = make_tab(qtbot, shelf)
    assert tab.tag_filter.findData("keyring") == -1
    shelf.ops.run(library.edit_model, ws, model_id(ws, "Dragon"), tags=["keyring"], changes={"models"})
    tab.tag_filter.setCurrentIndex(tab.tag_filter.findData("keyring"))
    assert shown(tab) == ["Dragon"]
    qtbot.keyClicks(tab.search, "keyr")  # the search index followed the tag change
    assert shown(tab) == ["Dragon"]


def test_rows_are_fetched_a_page_at_a_time(qtbot: QtBot, ctx: AppContext) -> None:
    ws = ctx.workspace
    with ws.write() as uow:
        for index in range(PAGE * 2 + 50):
            uow.create(library.Model, name=f"Part {index:04d}")
    tab = make_tab(qtbot, ctx)
    model = tab.model
    assert model.rowCount() == PAGE and model.total == PAGE * 2 + 50
    assert model.canFetchMore(QModelIndex())
    tab.grid.scrollToBottom()  # the view asks for more as it reaches the end
    qtbot.waitUntil(lambda: model.rowCount() > PAGE, timeout=30_000)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == PAGE * 2 + 50
    assert shown(tab)[-1] == f"Part {PAGE * 2 + 49:04d}"
    assert tab.summary.text() == f"{PAGE * 2 + 50} models in the library"
    # A search while many rows are loaded starts again from its first page.
    tab.search.setText("0001")
    assert shown(tab) == ["Part 0001"]


# ---------------------------------------------------------------- the detail pane


def test_detail_shows_grams_per_extruder_and_print_time_of_an_imported_file(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    ws = ctx.workspace
    mesh = write_cube(tmp_path / "mini_cube.stl")
    outcomes = importing.import_paths(ws, [mesh, SLICERS / "mini_cube_ps2.8.1.gcode"])
    assert [o.status for o in outcomes] == ["added", "added"]
    tab = make_tab(qtbot, ctx)
    assert shown(tab) == ["mini cube"]
    # The grid's thumbnail is decoded off the UI thread, then shown.
    qtbot.waitUntil(lambda: isinstance(tab.model.index(0, 0).data(ThumbnailRole), QPixmap), timeout=10_000)

    tab.select_model(str(outcomes[0].model_id))
    detail = tab.detail
    assert detail.title.text() == "mini cube"
    assert "mini_cube.stl" in [
        detail.files.topLevelItem(i).text(0) for i in range(detail.files.topLevelItemCount())
    ]
    (card,) = detail.variant_cards
    assert card.name.text() == "mini_cube_ps2.8.1"
    assert card.time.text() == "Print time: 3 min 41 s"
    assert [label.text() for label in card.extruders] == ["0.75 g"]
    assert "MK4S" in card.setup.text() and "PLA" in card.setup.text()
    assert "PrusaSlicer 2.8.1" in card.more.text()
    # The sliced file's embedded thumbnail arrives in the card.
    qtbot.waitUntil(lambda: not card.picture.pixmap().isNull(), timeout=10_000)
    assert not detail.selling.isHidden() and detail.selling.allowed is None
    assert "not known" in detail.selling.text()


def test_detail_lists_every_extruder_of_a_multi_material_file(qtbot: QtBot, ctx: AppContext) -> None:
    outcomes = importing.import_paths(ctx.workspace, [SLICERS / "mmu_attribute_test.gcode"])
    tab = make_tab(qtbot, ctx)
    tab.select_model(str(outcomes[0].model_id))
    (card,) = tab.detail.variant_cards
    assert [label.text() for label in card.extruders] == ["27.0 g", "4.00 g", "5.00 g", "5.23 g", "1.46 g"]
    assert card.time.text() == "Print time: 1 h 15 min"


def test_the_licence_warning_is_loud_when_selling_is_not_allowed(qtbot: QtBot, shelf: AppContext) -> None:
    tab = make_tab(qtbot, shelf)
    tab.select_model(model_id(shelf.workspace, "Dresser knob"))
    banner = tab.detail.selling
    assert banner.allowed is False and "does not allow selling prints" in banner.text()
    assert "background" in banner.styleSheet()
    tab.select_model(model_id(shelf.workspace, "Dragon"))
    assert banner.allowed is True and "allows selling prints" in banner.text()


# ---------------------------------------------------------------- editing


def test_an_empty_name_is_refused_inline_and_nothing_is_written(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    dragon = model_id(ws, "Dragon")
    tab = make_tab(qtbot, shelf)
    tab.select_model(dragon)
    failures: list[str] = []
    shelf.ops.failed.connect(failures.append)
    tab.grid.setFocus()
    qtbot.keyClick(tab.grid, Qt.Key.Key_F2)
    dialog = tab.edit_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.save_button.isEnabled()

    dialog.name.clear()
    assert dialog.error_of("name") == "The model name cannot be empty."
    assert not dialog.save_button.isEnabled()
    assert dialog.name.accessibleDescription() == "The model name cannot be empty."
    dialog.save_button.click()  # disabled: nothing happens
    dialog.save()  # and a direct call refuses too
    assert dialog.isVisible()
    assert library.get_model(ws, dragon).name == "Dragon"
    assert failures == []
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    dialog.tags.setText("ok, " + "x" * 101)
    assert dialog.error_of("tags") == "The tag is longer than 100 characters."
    dialog.tags.setText("fantasy, wyrm")
    qtbot.keyClicks(dialog.name, "Wyvern")
    assert dialog.error_of("name") == ""
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert tab.edit_dialog is None
    saved = library.get_model(ws, dragon)
    assert (saved.name, saved.tags) == ("Wyvern", ["fantasy", "wyrm"])
    assert "Wyvern" in shown(tab)
    assert tab.detail.title.text() == "Wyvern"


def test_an_error_from_core_on_save_is_shown_in_the_dialog(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    dragon = model_id(ws, "Dragon")
    tab = make_tab(qtbot, shelf)
    tab.edit_model(dragon)
    dialog = tab.edit_dialog
    assert dialog is not None
    dialog.designer.setText("Ann")
    library.delete_model(ws, dragon)  # meanwhile, say from the command line
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "No model" in dialog.general_error.text()


def test_choosing_a_non_commercial_licence_suggests_selling_is_not_allowed(
    qtbot: QtBot, shelf: AppContext
) -> None:
    tab = make_tab(qtbot, shelf)
    tab.edit_model(model_id(shelf.workspace, "Benchy"))
    dialog = tab.edit_dialog
    assert dialog is not None and dialog.selling.currentData() is None
    dialog.licence.setCurrentText("CC-BY-NC-SA-4.0")
    assert dialog.selling.currentData() is False
    assert not dialog.selling_hint.isHidden()


# ---------------------------------------------------------------- delete and undo


def test_delete_then_undo(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    dragon = model_id(ws, "Dragon")
    tab = make_tab(qtbot, shelf)
    tab.select_model(dragon)
    tab.grid.setFocus()
    qtbot.keyClick(tab.grid, Qt.Key.Key_Delete)
    assert shown(tab) == ["Benchy", "Dresser knob"]
    assert "Dragon" not in [m.name for m in library.list_models(ws)]
    assert not tab.undo_bar.isHidden()
    assert tab.undo_bar.message.text() == "Deleted “Dragon”."
    assert tab.current_id() == model_id(ws, "Dresser knob")  # the next model took its place

    tab.undo_bar.undo_button.click()
    assert shown(tab) == ["Benchy", "Dragon", "Dresser knob"]
    assert tab.current_id() == dragon
    assert library.get_model(ws, dragon).tags == ["fantasy"]

    # The Undo shortcut does the same.
    tab.detail.delete_button.click()
    assert "Dragon" not in shown(tab)
    qtbot.keyClick(tab.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Dragon" in shown(tab)
    tab.undo_delete()  # nothing left to undo: harmless
    assert "Dragon" in shown(tab)


# ---------------------------------------------------------------- views and keyboard


def test_grid_and_list_share_rows_and_selection_and_the_list_sorts_in_sql(
    qtbot: QtBot, shelf: AppContext
) -> None:
    ws = shelf.workspace
    tab = make_tab(qtbot, shelf)
    tab.select_model(model_id(ws, "Dragon"))
    tab.list_button.click()
    assert tab.stack.currentWidget() is tab.list
    assert tab.list.currentIndex().data(IdRole) == model_id(ws, "Dragon")
    assert shelf.settings.value("library/view") in (1, "1")
    tab.list.header().setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # designer, Z to A
    assert shown(tab) == ["Dragon", "Dresser knob", "Benchy"]
    assert tab.model.query.sort == "designer" and tab.model.query.descending
    assert tab.sort_choice.currentData() == "designer"
    tab.sort_choice.setCurrentIndex(tab.sort_choice.findData("name"))
    assert shown(tab) == ["Benchy", "Dragon", "Dresser knob"]
    assert tab.list.header().sortIndicatorSection() == 0
    tab.grid_button.click()
    assert tab.stack.currentWidget() is tab.grid
    assert tab.current_id() == model_id(ws, "Dragon")


def test_keyboard_find_then_down_into_the_results(qtbot: QtBot, shelf: AppContext) -> None:
    tab = make_tab(qtbot, shelf)
    tab.grid.setFocus()
    qtbot.keyClick(tab.grid, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search.hasFocus()
    qtbot.keyClicks(tab.search, "d")
    qtbot.keyClick(tab.search, Qt.Key.Key_Down)
    assert tab.grid.hasFocus()
    assert tab.current_id() == model_id(shelf.workspace, "Dragon")
    assert tab.detail.title.text() == "Dragon"


def test_the_tab_follows_changes_made_elsewhere(qtbot: QtBot, shelf: AppContext) -> None:
    ws = shelf.workspace
    tab = make_tab(qtbot, shelf)
    tab.select_model(model_id(ws, "Dragon"))
    shelf.ops.run(library.add_model, ws, name="Castle", changes={"models"})
    assert shown(tab) == ["Benchy", "Castle", "Dragon", "Dresser knob"]
    assert tab.current_id() == model_id(ws, "Dragon")
    shelf.ops.run(library.edit_model, ws, model_id(ws, "Dragon"), notes="now with wings", changes={"models"})
    assert tab.detail.notes.text() == "now with wings"
    shelf.ops.run(library.delete_model, ws, model_id(ws, "Dragon"), changes={"models"})
    assert tab.summary.text() == "3 models in the library"
    # The next model takes the deleted one's place, selected.
    assert tab.current_id() == model_id(ws, "Dresser knob")
    assert tab.selection.isSelected(tab.selection.currentIndex())
    assert tab.detail.title.text() == "Dresser knob"
    tab.search.setText("benchy")  # the current model is filtered out: the pane empties
    assert tab.detail.detail is None


# ---------------------------------------------------------------- 3D preview


def test_the_preview_reads_the_mesh_off_the_ui_thread_and_calls_the_viewer(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for desktop.viewer (another part of the app): it records what it is given.
    seen: list[Any] = []
    viewer = types.ModuleType("desktop.viewer")
    viewer.show_preview = lambda parent, triangles: seen.append((parent, triangles))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.viewer", viewer)
    outcomes = importing.import_paths(ctx.workspace, [write_cube(tmp_path / "cube.stl", 10.0)])
    tab = make_tab(qtbot, ctx)
    tab.select_model(str(outcomes[0].model_id))
    assert not tab.detail.preview_button.isHidden() and tab.detail.preview_button.isEnabled()
    tab.detail.preview_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    parent, triangles = seen[0]
    assert parent is tab.window()
    assert triangles.shape == (12, 3, 3)
    assert float(triangles.max()) == pytest.approx(10.0)
    assert tab.detail.preview_button.isEnabled()


def test_the_preview_opens_again_at_once_even_when_the_reading_thread_is_slow_to_exit(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    viewer = types.ModuleType("desktop.viewer")
    viewer.show_preview = lambda parent, triangles: seen.append(triangles)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.viewer", viewer)
    make_threads_slow_to_exit(monkeypatch, preview_module)
    outcomes = importing.import_paths(ctx.workspace, [write_cube(tmp_path / "cube.stl", 10.0)])
    tab = make_tab(qtbot, ctx)
    tab.select_model(str(outcomes[0].model_id))
    tab.detail.preview_button.click()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10_000)
    tab.detail.preview_button.click()  # the first thread has not ended yet: the click must not be lost
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    tab.mesh_loader.wait()


def window_on_a_sliced_model(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> tuple[MainWindow, LibraryTab]:
    """The window on the Library, showing "mini cube": tmp_path/mini_cube.stl and SLICERS' PrusaSlicer
    G-code of it, imported."""
    mesh = write_cube(tmp_path / "mini_cube.stl")
    outcomes = importing.import_paths(ctx.workspace, [mesh, SLICERS / "mini_cube_ps2.8.1.gcode"])
    window = show_active(qtbot, MainWindow(ctx))
    tab = window.findChild(LibraryTab)
    assert isinstance(tab, LibraryTab)
    tab.select_model(str(outcomes[0].model_id))
    return window, tab


def test_a_variants_sliced_file_and_a_models_mesh_are_saved_where_the_user_chooses(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, tab = window_on_a_sliced_model(qtbot, ctx, tmp_path)
    mesh, gcode = tmp_path / "mini_cube.stl", SLICERS / "mini_cube_ps2.8.1.gcode"
    asked: list[str] = []
    target = tmp_path / "usb"
    target.mkdir()

    def answer(_parent: object, _title: str, suggested: str, *_filters: object) -> tuple[str, str]:
        asked.append(suggested)
        return str(target / Path(suggested).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    [card] = tab.detail.variant_cards
    qtbot.waitUntil(card.save_button.isVisible)  # Qt shows a widget added to a shown layout a moment later
    card.save_button.click()
    assert Path(asked[-1]).name == "mini_cube_ps2.8.1.gcode"  # its own name is offered
    assert (target / "mini_cube_ps2.8.1.gcode").read_bytes() == gcode.read_bytes()
    assert str(target / "mini_cube_ps2.8.1.gcode") in window.statusBar().currentMessage()

    files = tab.detail.files  # a file in the list: its context menu saves a copy
    files.setCurrentItem(files.topLevelItem(0))
    tab.detail.save_file_action.trigger()
    assert Path(asked[-1]).parent == target  # the folder of the last copy is offered again
    assert (target / "mini_cube.stl").read_bytes() == mesh.read_bytes()


def test_files_open_in_the_app_the_computer_uses_for_them_through_a_copy_named_as_the_file(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_folder = tmp_path / "cache" / "opened"
    monkeypatch.setattr(exporting, "opened_folder", lambda: opened_folder)
    stale = opened_folder / "0123456789abcdef"  # a copy opened more than a week ago
    stale.mkdir(parents=True)
    (stale / "old.gcode").write_bytes(b"G28")
    os.utime(stale, (time.time() - 8 * 24 * 3600,) * 2)
    # The hand-over to the computer's own apps (a slicer) is what this machine cannot do: it is recorded.
    handed: list[Path] = []
    app_there = [True]

    def open_url(url: QUrl) -> bool:
        handed.append(Path(url.toLocalFile()))
        return app_there[0]

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    window, tab = window_on_a_sliced_model(qtbot, ctx, tmp_path)
    mesh, gcode = tmp_path / "mini_cube.stl", SLICERS / "mini_cube_ps2.8.1.gcode"

    files = tab.detail.files  # double-click (or Enter) on a file opens it
    files.setCurrentItem(files.topLevelItem(0))
    files.itemActivated.emit(files.topLevelItem(0), 0)
    assert [p.name for p in handed] == ["mini_cube.stl"]
    assert handed[0].read_bytes() == mesh.read_bytes()
    assert not stale.exists()

    [card] = tab.detail.variant_cards
    app_there[0] = False  # nothing on this computer opens G-code
    card.open_button.click()
    assert handed[-1].name == "mini_cube_ps2.8.1.gcode" and handed[-1].read_bytes() == gcode.read_bytes()
    [message] = [m for m in window.findChildren(QMessageBox) if m.isVisible()]
    assert (
        message.text() == "No app on this computer opens mini_cube_ps2.8.1.gcode; save a copy of it instead."
    )


def test_a_file_name_from_elsewhere_cannot_put_an_opened_copy_outside_its_folder() -> None:
    assert exporting.plain_name("../../.bashrc") == ".bashrc"
    assert exporting.plain_name("..\\..\\evil.gcode") == "evil.gcode"
    assert exporting.plain_name(" ") == "file"
    assert exporting.plain_name("..") == exporting.plain_name("a/..") == "file"


def test_a_variant_without_a_sliced_file_offers_none_to_save(qtbot: QtBot, ctx: AppContext) -> None:
    shop = make_shop(ctx.workspace)  # its variant was entered by hand
    tab = make_tab(qtbot, ctx)
    tab.select_model(shop.variant.model_id)
    [card] = tab.detail.variant_cards
    assert card.variant.sliced_file is None
    assert not card.save_button.isVisibleTo(card) and not card.open_button.isVisibleTo(card)


def test_without_a_viewer_the_preview_button_is_hidden(
    qtbot: QtBot, shelf: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "desktop.viewer", None)  # importing it raises ImportError
    tab = make_tab(qtbot, shelf)
    tab.select_model(model_id(shelf.workspace, "Dragon"))
    assert tab.detail.preview_button.isHidden()
