"""Opening files from outside the window: `printstall FILE...` on the command line, macOS's QFileOpenEvent
(queued until the window exists), and files that arrive while an import runs."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from core.cli import build_cli
from core.config import DATA_DIR_ENV
from desktop import importer as importer_module
from desktop import main as entry
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.open_files import FileOpener
from tests.core.files import SLICERS, write_cube
from tests.core.test_cli import run_printstall
from tests.desktop.threads import make_threads_slow_to_exit


@pytest.fixture
def opener(qapp: QApplication) -> Iterator[FileOpener]:
    """A file opener that listens for QFileOpenEvent as on macOS; removed after the test."""
    made = FileOpener(qapp, file_open_events=True)
    yield made
    qapp.removeEventFilter(made)
    made.deleteLater()


# ---------------------------------------------------------------- the command line


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path | None, float | None, tuple[Path, ...]]]:
    """What `printstall ...` asks of the window, without opening it."""
    seen: list[tuple[Path | None, float | None, tuple[Path, ...]]] = []

    def launch(data_dir: Path | None, quit_after: float | None, paths: Sequence[Path] = ()) -> int:
        seen.append((data_dir, quit_after, tuple(paths)))
        return 0

    monkeypatch.setattr(entry, "launch_gui", launch)
    return seen


def run_main(*args: str) -> None:
    with pytest.raises(SystemExit) as exited:
        entry.main(list(args))
    assert exited.value.code in (0, None)


def test_files_on_the_command_line_open_the_window_with_them(
    launches: list[tuple[Path | None, float | None, tuple[Path, ...]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DATA_DIR_ENV)
    mesh = write_cube(tmp_path / "Dragon.stl")
    folder = tmp_path / "plates"
    folder.mkdir()
    data = tmp_path / "data"
    run_main(str(mesh), str(folder))
    run_main("--data-dir", str(data), str(mesh))
    run_main(f"--data-dir={data}", "--", str(mesh))
    run_main("gui", str(mesh))
    assert launches == [
        (None, None, (mesh, folder)),
        (data, None, (mesh,)),
        (data, None, (mesh,)),
        (None, None, (mesh,)),
    ]


def test_a_file_named_like_a_command_is_still_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = build_cli(entry.launch_gui)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "audit").write_text("not a model")
    assert entry.files_as_gui_args(cli, ["audit"]) == ["audit"]
    assert entry.files_as_gui_args(cli, ["gui", "audit"]) == ["gui", "audit"]
    assert entry.files_as_gui_args(cli, ["./audit"]) == ["gui", "--", "./audit"]
    assert entry.files_as_gui_args(cli, ["--version"]) == ["--version"]
    assert entry.files_as_gui_args(cli, ["nope.stl"]) == ["nope.stl"]  # click says there is no such command
    assert entry.files_as_gui_args(cli, []) == []


def test_the_entry_point_opens_the_window_on_a_file_and_logs_it(tmp_path: Path) -> None:
    """The real entry point in a new process: the window opens, takes the file, and says when it was shown."""
    mesh = write_cube(tmp_path / "Dragon.stl")
    logs = tmp_path / "logs"
    result = run_printstall(
        "--data-dir",
        str(tmp_path / "data"),
        "gui",
        "--quit-after",
        "1",
        str(mesh),
        env={"QT_QPA_PLATFORM": "offscreen", "PRINTSTALL_LOG_DIR": str(logs)},
    )
    assert result.returncode == 0, result.stderr
    log = (logs / "printstall.log").read_text(encoding="utf-8")
    assert "main window shown in" in log
    assert "opening 1 file(s) from outside the window" in log


# ---------------------------------------------------------------- macOS's file-open events


def test_file_open_events_before_the_window_exists_are_imported_when_it_does(
    qtbot: QtBot, ctx: AppContext, qapp: QApplication, opener: FileOpener, tmp_path: Path
) -> None:
    mesh = write_cube(tmp_path / "Dragon.stl")
    QApplication.postEvent(qapp, QFileOpenEvent(str(mesh)))
    qtbot.waitUntil(lambda: opener.waiting == [mesh])
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        opener.attach(window)
    assert [o.status for o in window.last_import] == ["added"]
    assert opener.waiting == []


def test_a_file_open_event_while_the_window_is_up_brings_it_forward_and_imports(
    qtbot: QtBot, ctx: AppContext, qapp: QApplication, opener: FileOpener
) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    opener.attach(window)
    assert not window.isVisible()
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        QApplication.postEvent(qapp, QFileOpenEvent(str(SLICERS / "mini_cube_ps2.8.1.gcode")))
    assert window.isVisible()
    assert [o.status for o in window.last_import] == ["added"]


def test_files_that_come_during_an_import_wait_for_it(
    qtbot: QtBot, ctx: AppContext, opener: FileOpener, tmp_path: Path
) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    opener.attach(window)
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(4):
        write_cube(folder / f"cube{index}.stl", 10.0 + index)
    later = write_cube(tmp_path / "Later.stl", 42.0)
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        assert window.import_paths([folder])
        opener.open([later])
        assert opener.waiting == [later]  # not lost, and no "an import is running" for it
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        pass  # the second import, started when the first one finished
    assert [os.path.basename(o.source) for o in window.last_import] == ["Later.stl"]


def test_files_that_come_during_an_import_are_imported_even_when_its_thread_is_slow_to_exit(
    qtbot: QtBot, ctx: AppContext, opener: FileOpener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_threads_slow_to_exit(monkeypatch, importer_module)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    opener.attach(window)
    first = write_cube(tmp_path / "First.stl", 10.0)
    later = write_cube(tmp_path / "Later.stl", 42.0)
    imported: list[str] = []
    window.importer.finished.connect(lambda outcomes, _cancelled: imported.extend(o.source for o in outcomes))
    assert window.import_paths([first])
    opener.open([later])
    qtbot.waitUntil(lambda: len(imported) == 2, timeout=60_000)
    assert [os.path.basename(source) for source in imported] == ["First.stl", "Later.stl"]
    assert opener.waiting == []
    window.importer.wait()
