"""One window per data folder: a second launch hands its files to the first over a real local socket, a
socket file left by a crash does not block the next start, and two data folders run side by side."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.open_files import FileOpener
from desktop.single_instance import HandOverFailed, SingleInstance, server_name
from tests.core.files import write_cube

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def instances(qapp: object) -> Iterator[list[SingleInstance]]:
    """Made instances, closed after the test (which removes their socket files)."""
    made: list[SingleInstance] = []
    yield made
    for instance in made:
        instance.close()


def make(instances: list[SingleInstance], data_dir: Path) -> SingleInstance:
    instance = SingleInstance(server_name(data_dir))
    instances.append(instance)
    return instance


def test_the_name_is_safe_and_the_same_for_every_spelling_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    name = server_name(tmp_path / "data")
    assert re.fullmatch(r"printstall-[0-9a-f]{24}", name)
    assert server_name(tmp_path / "data" / ".." / "data") == name
    assert server_name(tmp_path / "other") != name


def test_a_second_instance_hands_its_files_to_the_first(
    qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path
) -> None:
    first = make(instances, tmp_path)
    assert first.start([]) is True and first.listening
    second = make(instances, tmp_path)
    files = [tmp_path / "Dragon.stl", tmp_path / "plates" / "Dragon.gcode"]
    with qtbot.waitSignal(first.received, timeout=10_000) as received:
        assert second.start(files) is False  # handed over: the second launch leaves
    assert received.args == [files]
    assert not second.listening


def test_two_data_folders_run_side_by_side(instances: list[SingleInstance], tmp_path: Path) -> None:
    assert make(instances, tmp_path / "shop").start([]) is True
    assert make(instances, tmp_path / "hobby").start([]) is True


@pytest.mark.skipif(sys.platform == "win32", reason="a named pipe leaves no file behind")
def test_a_socket_file_left_by_a_crash_does_not_block_the_next_start(
    qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path
) -> None:
    name = server_name(tmp_path)
    probe = QLocalServer()
    assert probe.listen(name)
    path = probe.fullServerName()
    probe.close()
    # What a killed instance leaves: a socket file that nobody listens on.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()
    assert os.path.exists(path)

    first = make(instances, tmp_path)
    assert first.hand_over([]) is False  # nobody answers on it
    assert first.start([]) is True and first.listening
    with qtbot.waitSignal(first.received, timeout=10_000):
        assert make(instances, tmp_path).start([tmp_path / "a.stl"]) is False


def hung_up(peer: QLocalSocket) -> bool:
    return peer.state() == QLocalSocket.LocalSocketState.UnconnectedState


def test_a_message_that_is_not_ours_is_dropped(
    qtbot: QtBot, instances: list[SingleInstance], tmp_path: Path
) -> None:
    first = make(instances, tmp_path)
    first.start([])
    got: list[object] = []
    first.received.connect(got.append)
    for garbage in (b"\xff\xff\xff\xff", len(b"[1, 2]").to_bytes(4, "big") + b"[1, 2]"):
        peer = QLocalSocket()
        peer.connectToServer(first.name)
        assert peer.waitForConnected(10_000)
        peer.write(garbage)
        peer.flush()
        qtbot.waitUntil(partial(hung_up, peer), timeout=30_000)  # the first instance dropped it
    assert got == []
    with qtbot.waitSignal(first.received, timeout=10_000):  # and the next launch is still heard
        assert make(instances, tmp_path).start([]) is False


def test_an_instance_that_does_not_answer_is_reported(qapp: object, tmp_path: Path) -> None:
    silent = QLocalServer()  # takes connections, never answers: a hung first instance
    assert silent.listen(server_name(tmp_path))
    second = SingleInstance(server_name(tmp_path))
    second.timeout_ms = 300
    try:
        with pytest.raises(HandOverFailed):
            second.start([tmp_path / "a.stl"])
        assert not second.listening  # and it did not take the hung one's place
    finally:
        silent.close()


def test_a_real_second_launch_hands_its_file_to_the_open_window(
    qtbot: QtBot, ctx: AppContext, instances: list[SingleInstance], qapp: QApplication, tmp_path: Path
) -> None:
    """The first instance is this test's window; the second is `printstall --data-dir ... FILE` in a new
    process, which must give the file to the window and exit with 0."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    first = make(instances, ctx.workspace.data_dir)
    assert first.start([]) is True
    opener = FileOpener(qapp, file_open_events=False)
    first.received.connect(opener.open)
    opener.attach(window)
    (tmp_path / "elsewhere").mkdir()
    mesh = write_cube(tmp_path / "elsewhere" / "Handed over.stl")
    logs = tmp_path / "second-logs"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PRINTSTALL_LOG_DIR": str(logs)}
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        second = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--data-dir", str(ctx.workspace.data_dir), str(mesh)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    _, stderr = second.communicate(timeout=60)
    assert second.returncode == 0, stderr
    assert [o.status for o in window.last_import] == ["added"]
    assert "handed 1 path(s) to the window already open" in (logs / "printstall.log").read_text("utf-8")
    opener.deleteLater()
